"""Finding the settings of each file: the closest configuration file, ``extend`` chains, the user's file.

Where settings come from, for one Dockerfile:

* the closest folder, walking up from the file's folder to the filesystem
  root, that holds ``.dfix.toml`` > ``dfix.toml`` > ``pyproject.toml`` with a
  ``[tool.dfix]`` table (a ``pyproject.toml`` without it is skipped). The
  closest file wins; files are never merged implicitly. ``extend = "path"``
  inherits from another file explicitly (relative to the extending file);
* else the user-level file ``$XDG_CONFIG_HOME/dfix/dfix.toml``;
* else the defaults.

``--config PATH`` applies one file to every input (its relative paths then
resolve against the current folder) and ``--isolated`` ignores every file.
Command-line settings (``overrides``) win over all files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping

import msgspec

from .errors import ConfigError, display_path
from .schema import ParseContext, nest, parse_document, read_toml, settings_table
from .settings import Settings, build_settings, merge

__all__ = ["CONFIG_FILE_NAMES", "ConfigResolver", "user_config_path"]

#: Config file names in precedence order within one folder.
CONFIG_FILE_NAMES = (".dfix.toml", "dfix.toml", "pyproject.toml")


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/dfix/dfix.toml`` (``~/.config`` when unset; ``%APPDATA%`` on Windows)."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("APPDATA")
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dfix" / "dfix.toml"


class _Loaded(msgspec.Struct, frozen=True):
    """One config file, validated (its own keys only; ``extend`` not yet followed)."""

    path: Path
    values: dict[str, Any]
    extend: Path | None
    warnings: tuple[str, ...]


_NO_TABLE = object()


class ConfigResolver:
    """Finds and caches the settings of every file of a run.

    ``config_file`` (``--config``): one file for every input, its relative
    paths anchored at ``cwd``. ``isolated`` (``--isolated``): no files at all.
    ``overrides``: command-line settings with the files' keys, dotted or
    nested (``{"lint.select": ["DF2"], "fail-on": "info"}``); they are
    validated here, so a bad one raises :class:`ConfigError` at construction,
    as does a bad ``--config`` file. Discovered files raise when first needed.
    ``boundary``: the search for configuration files stops at this folder
    and the user-level file is not consulted, so a repository the bot fixes
    is checked with its own configuration and nothing of the machine's.

    Every folder is looked at once and every file read once, however many
    Dockerfiles share them.
    """

    def __init__(
        self,
        *,
        config_file: Path | str | None = None,
        isolated: bool = False,
        overrides: Mapping[str, Any] | None = None,
        cwd: Path | str | None = None,
        boundary: Path | str | None = None,
    ) -> None:
        self.cwd = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
        self.boundary = os.path.abspath(boundary) if boundary is not None else None
        self.isolated = isolated
        self.config_file = Path(os.path.normpath(self.cwd / config_file)) if config_file is not None else None
        self._override_warnings: list[str] = []
        self._overrides = self._parse_overrides(overrides or {})
        self._closest: dict[str, Path | None] = {}
        self._loaded: dict[tuple[Path, Path | None], Any] = {}
        self._by_source: dict[tuple[Path | None, Path | None], Settings] = {}
        self._by_folder: dict[str, Settings] = {}
        self._used: dict[Path, None] = {}
        self._user: Path | None | object = _NO_TABLE
        self._fixed: Settings | None = None
        if isolated:
            self._fixed = self._settings(None, None)
        elif self.config_file is not None:
            if not self.config_file.is_file():
                raise ConfigError(self.config_file, None, "no such config file", display=self._display(self.config_file))
            self._fixed = self._settings(self.config_file, self.cwd)

    # -- public ------------------------------------------------------------------

    def settings_for(self, path: Path | str) -> Settings:
        """The settings for a Dockerfile (or, given a folder, for files in it)."""
        if self._fixed is not None:
            return self._fixed
        text = os.fspath(path)
        absolute = os.path.normpath(text if os.path.isabs(text) else os.path.join(self.cwd, text))
        folder = absolute if text != "-" and os.path.isdir(absolute) else os.path.dirname(absolute)
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached
        found = self._closest_config(folder)
        if found is None:
            settings = self._fallback()
        else:
            settings = self._settings(found, None)
        self._by_folder[folder] = settings
        return settings

    def files_used(self) -> list[Path]:
        """Config files read so far that applied to some input (extended files included), in first-use order."""
        return list(self._used)

    def default(self) -> Settings:
        """The settings with no file (defaults plus command-line overrides)."""
        return self._settings(None, None)

    # -- internals -----------------------------------------------------------------

    def _display(self, path: Path) -> str:
        return display_path(path, self.cwd)

    def _parse_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        nested = nest(overrides)
        if "extend" in nested:
            raise ConfigError(None, "extend", "not allowed on the command line; use --config")
        ctx = ParseContext(None, "command line", self.cwd, "", self._override_warnings)
        return parse_document(nested, ctx)

    def _closest_config(self, folder: str) -> Path | None:
        visited: list[str] = []
        current = folder
        while True:
            if current in self._closest:
                found = self._closest[current]
                break
            visited.append(current)
            found = self._config_in(current)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current or current == self.boundary:
                found = None
                break
            current = parent
        for seen in visited:
            self._closest[seen] = found
        return found

    def _config_in(self, folder: str) -> Path | None:
        for name in CONFIG_FILE_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                path = Path(candidate)
                if name == "pyproject.toml" and self._load(path, None) is None:
                    continue
                return path
        return None

    def _fallback(self) -> Settings:
        if self._user is _NO_TABLE and self.boundary is not None:
            self._user = None
        if self._user is _NO_TABLE:
            candidate = user_config_path()
            self._user = candidate if candidate.is_file() else None
        if self._user is None:
            return self._settings(None, None)
        return self._settings(self._user, self.cwd)  # type: ignore[arg-type]

    def _load(self, path: Path, anchor: Path | None) -> _Loaded | None:
        """Read and validate one file (cached); None for a pyproject.toml without [tool.dfix]."""
        key = (path, anchor)
        if key in self._loaded:
            return self._loaded[key]
        display = self._display(path)
        data = read_toml(path, display)
        table, prefix = settings_table(data, path, display)
        if table is None:
            self._loaded[key] = None
            return None
        ctx = ParseContext(path, display, anchor or Path(os.path.abspath(path)).parent, prefix)
        values = parse_document(table, ctx)
        extend = values.pop("extend", None)
        extend_path = None
        if extend is not None:
            extend_path = Path(os.path.normpath(path.parent / os.path.expanduser(extend)))
            if not extend_path.is_file():
                raise ConfigError(path, f"{prefix}extend", f"no such file: {extend}", display=display)
        loaded = _Loaded(path, values, extend_path, tuple(ctx.warnings))
        self._loaded[key] = loaded
        return loaded

    def _chain(self, path: Path, anchor: Path | None) -> tuple[dict[str, Any], tuple[Path, ...], list[str]]:
        """A file's values with its ``extend`` parents merged in; the files, root parent first."""
        chain: list[_Loaded] = []
        seen: list[str] = []
        current: Path | None = path
        while current is not None:
            real = os.path.realpath(current)
            if real in seen:
                cycle = " -> ".join(self._display(item.path) for item in chain) + f" -> {self._display(current)}"
                first = chain[-1]
                raise ConfigError(first.path, f"{'tool.dfix.' if first.path.name == 'pyproject.toml' else ''}extend",
                                  f"extend cycle: {cycle}", display=self._display(first.path))
            seen.append(real)
            loaded = self._load(current, anchor)
            if loaded is None:
                parent = chain[-1]
                raise ConfigError(parent.path, f"{'tool.dfix.' if parent.path.name == 'pyproject.toml' else ''}extend",
                                  f"{self._display(current)} has no [tool.dfix] table", display=self._display(parent.path))
            chain.append(loaded)
            current = loaded.extend
        values: dict[str, Any] = {}
        warnings: list[str] = []
        for loaded in reversed(chain):
            values = merge(values, loaded.values)
            warnings += loaded.warnings
        return values, tuple(loaded.path for loaded in reversed(chain)), warnings

    def _settings(self, source: Path | None, anchor: Path | None) -> Settings:
        if (source, anchor) in self._by_source:
            return self._by_source[(source, anchor)]
        if source is None:
            values: dict[str, Any] = {}
            files: tuple[Path, ...] = ()
            warnings: list[str] = []
            root = self.cwd
        else:
            loaded = self._load(source, anchor)
            if loaded is None:
                raise ConfigError(source, None, "has no [tool.dfix] table", display=self._display(source))
            values, files, warnings = self._chain(source, anchor)
            root = anchor or source.parent
            for file in reversed(files):
                self._used[file] = None
        settings = build_settings(
            values, self._overrides, source=source, files=files, root=root, cwd=self.cwd,
            warnings=[*warnings, *self._override_warnings],
        )
        self._by_source[(source, anchor)] = settings
        return settings
