"""Running dfix over a repository's work tree, with the repository's own configuration, and what came of it.

The bot fixes what ``dfix --write`` would fix in that repository: the same
discovery (``.gitignore`` honoured), the configuration closest to each file
(never one from outside the repository or the machine's user file), the
same engine. What it keeps is a :class:`ChangeSet`: the files that changed,
the fixes applied per file, the findings left, and a fingerprint of the
exact change, which is how a closed pull request is recognised later.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

import msgspec

from dfix.config import ConfigResolver, Settings
from dfix.discover import collect_configured
from dfix.engine import Diagnostic
from dfix.pipeline import plan, run_files
from dfix.report import render_diff
from dfix.results import FileResult, Outcome


class FileChange(msgspec.Struct, frozen=True):
    """One file the fixes changed: its path relative to the repository, in POSIX form."""

    path: str
    original: str
    fixed: str
    applied: tuple[Diagnostic, ...]

    def diff(self) -> str:
        return render_diff(FileResult(self.path, self.original, self.fixed))


class Leftover(msgspec.Struct, frozen=True):
    """A finding the run did not fix, or a file it could not fix at all.

    For a finding, ``code`` and ``name`` are its rule's; for a file, ``code``
    is empty and ``name`` is what became of it (an :class:`Outcome`:
    ``parse-error``, ``unreadable``, ``write-failed``, ``outside-root`` ...).
    """

    path: str
    code: str
    name: str
    message: str
    line: int

    @property
    def is_finding(self) -> bool:
        return bool(self.code)


class ChangeSet(msgspec.Struct, frozen=True):
    files: tuple[FileChange, ...]
    leftovers: tuple[Leftover, ...] = ()
    #: Files checked.
    scanned: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.files)

    @property
    def fix_count(self) -> int:
        return sum(len(change.applied) for change in self.files)

    def rule_counts(self) -> list[tuple[str, str, int]]:
        """``(code, name, fixes)`` per rule, most fixes first, then by code."""
        names = {d.code: d.name for change in self.files for d in change.applied}
        counts = Counter(d.code for change in self.files for d in change.applied)
        return sorted(((code, names[code], n) for code, n in counts.items()), key=lambda row: (-row[2], row[0]))

    @property
    def fingerprint(self) -> str:
        """``sha256:`` of the exact change: each changed file's path, bytes before and bytes after.

        It does not depend on the base commit, so an unrelated commit on the
        base leaves it alone, while any difference in what would be proposed
        changes it.
        """
        digest = hashlib.sha256()
        for change in sorted(self.files, key=lambda c: c.path):
            for part in (change.path, change.original, change.fixed):
                data = part.encode("utf-8", "surrogateescape")
                digest.update(len(data).to_bytes(8, "big"))
                digest.update(data)
        return f"sha256:{digest.hexdigest()}"

    def diff(self) -> str:
        return "".join(change.diff() for change in self.files)


def repository_settings(root: Path, overrides: Mapping[str, Any], *, isolated: bool = False) -> ConfigResolver:
    """The configuration resolver for a repository: its own files, never anything above ``root``."""
    return ConfigResolver(overrides=overrides, isolated=isolated, cwd=root, boundary=root)


def bot_settings(resolver: ConfigResolver, root: Path) -> dict[str, Any]:
    """The ``[bot]`` table that applies at the repository's top folder."""
    settings: Settings = resolver.settings_for(root)
    return dict(settings.bot)


def fix_tree(root: Path, resolver: ConfigResolver, *, jobs: int = 1) -> ChangeSet:
    """Fix every Dockerfile under ``root`` in place (as ``dfix --write`` would) and describe the change."""
    inputs = collect_configured([str(root)], resolver, root)
    planned = [plan(path, "write", resolver) for path in inputs.files]
    files: list[FileChange] = []
    leftovers: list[Leftover] = []
    top = os.path.realpath(root)
    for processed in run_files(planned, jobs, inside=root):
        result = processed.result
        # A symlinked Dockerfile is committed as the file it points to; one pointing out of
        # the repository was not written (a bot must not write outside the checkout).
        real = os.path.realpath(result.path)
        outcome = result.outcome
        if outcome is Outcome.OUTSIDE_ROOT:
            shown = Path(os.path.relpath(result.path, root)).as_posix()
            leftovers.append(Leftover(shown, "", str(outcome), "a symlink to a file outside the repository; not fixed", 0))
            continue
        relative = Path(os.path.relpath(real, top)).as_posix()
        if outcome in _NOT_FIXED:
            message = str(result.parse_error or result.io_error or outcome)
            line = getattr(result.parse_error, "line", 0) or 0
            leftovers.append(Leftover(relative, "", str(outcome), message, line))
            continue
        if result.written and result.fixed is not None and result.original is not None:
            files.append(FileChange(relative, result.original, result.fixed, result.applied))
        for diagnostic in result.diagnostics:
            leftovers.append(
                Leftover(relative, diagnostic.code, diagnostic.name, diagnostic.message, diagnostic.span.line)
            )
    return ChangeSet(tuple(files), tuple(leftovers), scanned=len(planned))


#: Outcomes that leave a file unfixed for a reason other than its findings.
_NOT_FIXED = frozenset({
    Outcome.PARSE_ERROR, Outcome.UNREADABLE, Outcome.INTERNAL_ERROR, Outcome.WRITE_FAILED, Outcome.CHANGED_ON_DISK,
})
