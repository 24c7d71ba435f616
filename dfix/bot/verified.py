"""``dfix bot --verify``: keep only the fixes a build proves, and the evidence for the rest.

The bot's fixes are judged exactly as ``dfix --write --verify`` judges them
(:func:`dfix.verify.verifier.verify_file`): each changed Dockerfile is built
before and after, in its repository's build context, and only the text that
verifies is kept: all the fixes, all but the one to blame, or none. The
verdicts make the verify table of the pull request's body.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from dfix.config import ConfigResolver
from dfix.verify import report
from dfix.verify.verifier import PROVEN, Verdict, Verifier, verify_file
from dfix.writer import write_fixed

from .changes import ChangeSet, FileChange


class Verification(msgspec.Struct, frozen=True):
    """What the builds said about each changed file, in the order of the change set."""

    verdicts: tuple[Verdict, ...]
    builder: str

    @property
    def not_kept(self) -> tuple[Verdict, ...]:
        """Files with a fix left out: disproved (all or one of their fixes) or not verifiable."""
        return tuple(verdict for verdict in self.verdicts if verdict.status != PROVEN)

    def markdown(self) -> str:
        """The verify table and the evidence for every fix left out (for the pull request's body)."""
        return report.to_markdown(self.verdicts)

    def rows(self) -> list[dict[str, object]]:
        """One JSON record per file, as ``dfix verify --output-format json`` writes them."""
        return [report.row(verdict) for verdict in self.verdicts]

    def summary(self) -> str:
        """A few words for the run's result line: what was left out, and why."""
        if not self.not_kept:
            return f"all fixes verified with {self.builder}"
        parts = []
        for verdict in self.not_kept:
            what = f"{verdict.blamed} in" if verdict.blamed else "the fixes of"
            parts.append(f"{what} {verdict.path} ({verdict.status}: {verdict.reason})")
        return "left out: " + "; ".join(parts)


def keep_verified(tree: Path, changes: ChangeSet, resolver: ConfigResolver, verifier: Verifier) -> tuple[ChangeSet, Verification]:
    """Verify every changed file of ``tree`` and leave on disk only the fixes that verify.

    The originals go back on disk first, so each build sees the repository's
    context as the base branch has it; then each file gets the text that
    verified, or stays as it was. The returned change set holds only what
    is to be committed; its fingerprint is that of the verified change.
    """
    for change in changes.files:
        write_fixed(str(tree / change.path), change.fixed, change.original)
    verdicts: list[Verdict] = []
    kept: list[FileChange] = []
    try:
        for change in changes.files:
            path = tree / change.path
            verdict = verify_file(verifier, str(path), change.original, resolver.settings_for(str(path)))
            verdict.path = change.path  # reported relative to the repository, never the clone's folder
            verdicts.append(verdict)
            text = verdict.writable_text
            if text is not None and text != change.original:
                write_fixed(str(path), change.original, text)
                kept.append(FileChange(change.path, change.original, text, verdict.writable_fixes))
    finally:
        verifier.cleanup()
    return msgspec.structs.replace(changes, files=tuple(kept)), Verification(tuple(verdicts), verifier.builder.name)
