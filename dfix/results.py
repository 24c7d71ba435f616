"""What one run did to one file: the record every reporter and the CLI share."""

from __future__ import annotations

import enum

import msgspec

from .engine import Diagnostic, FailedFix, FixPolicy
from .syntax import ParseError


class Outcome(enum.StrEnum):
    """What became of one file, as a kind a reporter or the bot can act on (not a made-up rule code)."""

    #: Checked; nothing found.
    CLEAN = "clean"
    #: Checked; findings, and the text is as it was.
    FINDINGS = "findings"
    #: ``--diff``: fixes would change it.
    WOULD_CHANGE = "would-change"
    #: ``--write``: fixed and written.
    WRITTEN = "written"
    #: BuildKit refuses it (its findings are the parse error alone).
    PARSE_ERROR = "parse-error"
    #: It could not be read.
    UNREADABLE = "unreadable"
    #: Over ``max-file-size``: reported and skipped unread.
    TOO_LARGE = "too-large"
    #: A dfix bug while checking or fixing it; the file is left as it was.
    INTERNAL_ERROR = "internal-error"
    #: Fixed, but writing it failed.
    WRITE_FAILED = "write-failed"
    #: Fixed, but it changed on disk while dfix ran, so it was left alone.
    CHANGED_ON_DISK = "changed-on-disk"
    #: Fixed, but it resolves (through a symlink) outside the tree being fixed, so it was not written.
    OUTSIDE_ROOT = "outside-root"


class FileResult(msgspec.Struct, frozen=True):
    """The outcome for one input file.

    ``original`` is the text read (None when the file could not be read);
    ``fixed`` the text after fixes (equal to ``original`` in report mode or
    when nothing applied). ``diagnostics`` are the findings that remain (in
    ``fixed`` when fixes were applied, else in ``original``), ``applied`` the
    findings whose fixes were applied, ``failed_fixes`` fixes dropped by
    verification. ``parse_error`` is set when BuildKit would refuse the file
    (reported as DF000), ``io_error`` when it could not be read or written.
    ``fixable`` lists findings whose fix was not applied in this run (report
    or diff mode, or an unsafe fix without ``--unsafe-fixes``).
    """

    path: str
    original: str | None = None
    fixed: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    applied: tuple[Diagnostic, ...] = ()
    failed_fixes: tuple[FailedFix, ...] = ()
    parse_error: ParseError | None = None
    io_error: str | None = None
    #: Set when ``--write`` wrote the file.
    written: bool = False
    #: Set when the file changed on disk during the run and was left alone.
    skipped_changed: bool = False
    warnings: tuple[str, ...] = ()
    #: Set when something went wrong that the fields above do not say by themselves (see ``outcome``).
    failure: Outcome | None = None
    #: Which fixes this file's run applies (from the settings that apply to the file): reports ask it
    #: whether a remaining fix would apply, so they agree with what the fix loop did.
    policy: FixPolicy = msgspec.field(default_factory=FixPolicy)

    @property
    def changed(self) -> bool:
        return self.original is not None and self.fixed is not None and self.fixed != self.original

    @property
    def failed(self) -> bool:
        return self.parse_error is not None or self.io_error is not None

    @property
    def outcome(self) -> Outcome:
        """What became of the file, one kind."""
        if self.failure is not None:
            return self.failure
        if self.parse_error is not None:
            return Outcome.PARSE_ERROR
        if self.io_error is not None:
            return Outcome.UNREADABLE if self.original is None else Outcome.INTERNAL_ERROR
        if self.skipped_changed:
            return Outcome.CHANGED_ON_DISK
        if self.written:
            return Outcome.WRITTEN
        if self.changed:
            return Outcome.WOULD_CHANGE
        return Outcome.FINDINGS if self.diagnostics else Outcome.CLEAN
