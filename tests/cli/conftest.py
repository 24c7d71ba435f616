"""Fixtures of the command-line tests."""

from __future__ import annotations

import pytest

from .helpers import LEAKY_VARIABLES, pin_rules


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No colour, CI or config variables leak into a test (nor into its subprocesses); the rules are pinned.

    The pinned selection lives in a user-level config file, the fallback when
    a test's tree has no config of its own.
    """
    for name in LEAKY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(pin_rules(tmp_path_factory.mktemp("xdg"))))
