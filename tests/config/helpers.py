"""Helpers of the configuration tests: files in a temporary tree, a resolver rooted there."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfix.config import ConfigError, ConfigResolver
from dfix.engine import all_rules

#: The codes a run without configuration uses.
ALL_CODES = frozenset(rule.code for rule in all_rules() if rule.default_enabled)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dockerfile(folder: Path, name: str = "Dockerfile") -> Path:
    return write(folder / name, "FROM scratch\n")


def resolver(tmp_path: Path, **kwargs) -> ConfigResolver:
    return ConfigResolver(cwd=tmp_path, **kwargs)


def error_of(callable_, *args, **kwargs) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        callable_(*args, **kwargs)
    return info.value
