"""What one run did to one file: the record every reporter and the CLI share."""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine import Diagnostic, FailedFix, FixPolicy
from .syntax import ParseError


@dataclass(frozen=True)
class FileResult:
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
    warnings: tuple[str, ...] = field(default=())
    #: Which fixes this file's run applies (from the settings that apply to the file): reports ask it
    #: whether a remaining fix would apply, so they agree with what the fix loop did.
    policy: FixPolicy = field(default_factory=FixPolicy)

    @property
    def changed(self) -> bool:
        return self.original is not None and self.fixed is not None and self.fixed != self.original

    @property
    def failed(self) -> bool:
        return self.parse_error is not None or self.io_error is not None
