"""The one error configuration raises, and how it names the file at fault."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DfixError

__all__ = ["ConfigError", "display_path"]


class ConfigError(DfixError):
    """A configuration problem: ``str()`` is ``path: key: message`` (key omitted when the whole file is at fault)."""

    def __init__(self, path: Path | None, key: str | None, message: str, *, display: str | None = None) -> None:
        self.path = path
        self.key = key
        self.message = message
        self.display = display if display is not None else (display_path(path) if path is not None else "command line")
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.key:
            return f"{self.display}: {self.key}: {self.message}"
        return f"{self.display}: {self.message}"


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path relative to the current folder when it lies inside it, else absolute."""
    try:
        base = cwd if cwd is not None else Path(os.getcwd())
        relative = os.path.relpath(path, base)
    except (OSError, ValueError):
        return str(path)
    return str(path) if relative.startswith("..") else relative
