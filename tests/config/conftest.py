"""Fixtures of the configuration tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """Keep the developer's own ~/.config/dfix/dfix.toml out of every test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-empty")))
