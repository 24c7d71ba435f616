"""The globs of ``exclude``, ``include`` and ``per-file-ignores``: anchored at their file, matched as gitignore does.

A user writes globs relative to the configuration file that holds them;
:func:`anchor_glob` makes them absolute once, when the file is read, so
settings inherited through ``extend`` keep meaning the parent's folders.
Matching is pathspec's gitignore matching: ``**`` spans folders, ``*`` and
``?`` stay within one, ``[...]`` are classes, ``\\x`` is a literal x, and a
glob that matches a folder covers everything inside it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable


__all__ = ["GlobSet", "anchor_glob", "check_glob"]


def _escape_glob(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def anchor_glob(pattern: str, base: Path) -> str:
    """A user's glob anchored at ``base`` (the config file's folder), gitignore style.

    A pattern without a ``/`` (other than a trailing one) matches a name at any
    depth below ``base`` (``Dockerfile.dev`` -> ``<base>/**/Dockerfile.dev``);
    one with a ``/`` is relative to ``base`` (``ci/**`` -> ``<base>/ci/**``; a
    leading ``/`` or ``./`` anchors the same way). ``../`` climbs out of ``base``.
    A pattern that matches a folder covers everything inside it.
    """
    text = pattern.strip()
    explicit = text.startswith("./")  # "./name" is relative to base, like "/name"
    while text.startswith("./"):
        text = text[2:]
    if len(text) > 1:
        text = text.rstrip("/")
    folder = base
    while text.startswith("../"):
        folder = folder.parent
        text = text[3:]
    if text == "..":
        folder, text = folder.parent, "**"
    anchored_root = _escape_glob(folder.as_posix().rstrip("/"))
    if explicit or "/" in text:
        return f"{anchored_root}/{text.lstrip('/')}"
    return f"{anchored_root}/**/{text}"


def _gitignore_line(glob: str) -> str:
    """An anchored glob as a gitignore line: ``dir/**`` also covers ``dir`` itself (so a walker can prune it)."""
    if glob.endswith("/**") and not glob.endswith("\\/**") and len(glob) > 3:
        return glob[:-3]
    return glob


def check_glob(pattern: str) -> None:
    """Raise ValueError for a glob pathspec cannot read."""
    GlobSet((pattern,)).compile()


class GlobSet:
    """Anchored globs (see :func:`anchor_glob`) matched against absolute ``/``-separated paths."""

    def __init__(self, globs: Iterable[str], *, ignore_case: bool = False) -> None:
        self.ignore_case = ignore_case
        self._lines = [_gitignore_line(glob.lower() if ignore_case else glob) for glob in globs]
        self.empty = not self._lines
        self._spec = None

    def compile(self):
        """The compiled globs, made on first use: a run that matches nothing never loads pathspec.

        The globs were checked when the configuration was read (:func:`check_glob`).
        """
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self._lines)
        return self._spec

    def match(self, posix: str) -> bool:
        """Whether a glob matches ``posix`` or a folder it lies in."""
        if self.empty:
            return False
        return self.compile().match_file(posix.lower() if self.ignore_case else posix)
