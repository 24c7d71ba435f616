"""The end-of-run summary (``ux.md`` §10) and ``--statistics``.

The table has one row per rule with findings: found (fixed + remaining),
fixed (``-`` for a rule that has no fix) and remaining, plus why something
remains: its fix is unsafe (``--unsafe-fixes``), the rule is display-only,
the fix would apply but this run did not write (``--write``), the fix failed
verification, or ``--fixable``/``--unfixable`` left it out. The closing line
counts files, changes and what remains by severity, then hints name the
flags that would fix more.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Literal, Sequence

import msgspec

from ..engine import Safety
from ..results import FileResult
from ._model import (
    PARSE_ERROR, SEVERITY_RANK, Finding, file_findings, rule_info, severity_rank,
)

Mode = Literal["check", "diff", "write"]


class Row(msgspec.Struct):
    """One rule's line of the summary table."""

    code: str
    name: str
    fixed: int = 0
    remaining: int = 0
    #: Whether the rule can fix at all (else "Fixed" shows ``-``).
    has_fix: bool = False
    #: Remaining findings by reason (``fixable``, ``unsafe``, ``display-only``, ``failed``, ``excluded``, ...).
    reasons: Counter = msgspec.field(default_factory=Counter)

    @property
    def found(self) -> int:
        return self.fixed + self.remaining


def _reason(finding: Finding) -> str:
    if finding.is_meta:
        return "unreadable" if finding.name == "io-error" else "parse error"
    if finding.failed_reason is not None:
        return "failed"
    if finding.applies:
        return "fixable-unsafe" if finding.applicability == "unsafe" else "fixable"
    if finding.fix is None or finding.applicability == "display-only":
        return "display-only"
    if finding.applicability == "unsafe" and finding.applies_with_unsafe:
        return "unsafe"
    return "excluded"


def _rule_has_fix(code: str) -> bool:
    return rule_info(code).safety in (str(Safety.SAFE), str(Safety.UNSAFE))


class Tally:
    """What the summary and ``--statistics`` need of a run, gathered one file at a time.

    The files themselves are not kept, so a run over 100,000 files needs no
    more memory for its summary than a run over ten.
    """

    def __init__(self) -> None:
        self.table: dict[str, Row] = {}
        self.files = 0
        self.applied = 0
        self.written = 0
        self.changed = 0
        self.parse_errors = 0
        self.io_errors = 0
        self.failed = 0
        self.skipped = 0
        self.by_severity: Counter[str] = Counter()
        self.safe_ready = 0
        self.unsafe_ready = 0
        self.hidden_unsafe = 0

    @classmethod
    def of(cls, results: Sequence[FileResult]) -> "Tally":
        tally = cls()
        for result in results:
            tally.add(result)
        return tally

    def _row(self, code: str, name: str) -> Row:
        if code not in self.table:
            self.table[code] = Row(code, name, has_fix=code != PARSE_ERROR and _rule_has_fix(code))
        return self.table[code]

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.applied += len(result.applied)
        self.written += result.written
        self.changed += result.changed
        self.parse_errors += result.parse_error is not None
        self.io_errors += result.io_error is not None
        self.failed += len(result.failed_fixes)
        self.skipped += result.skipped_changed
        for diagnostic in result.applied:
            entry = self._row(diagnostic.code, diagnostic.name)
            entry.fixed += 1
            entry.has_fix = True
        for finding in file_findings(result):
            entry = self._row(finding.code, rule_info(finding.code, finding).name if finding.is_meta else finding.name)
            entry.remaining += 1
            entry.reasons[_reason(finding)] += 1
            if finding.fix is not None and finding.applicability in ("safe", "unsafe"):
                entry.has_fix = True
            if finding.is_meta:
                continue
            self.by_severity[finding.severity] += 1
            if finding.applies:
                self.safe_ready += finding.applicability == "safe"
                self.unsafe_ready += finding.applicability == "unsafe"
            elif finding.failed_reason is None and finding.applicability == "unsafe" and finding.applies_with_unsafe:
                self.hidden_unsafe += 1

    @property
    def mode(self) -> Mode:
        if self.written:
            return "write"
        if self.changed or self.applied:
            return "diff"
        return "check"

    def rows(self) -> list[Row]:
        """The summary rows, by code."""
        return [self.table[code] for code in sorted(self.table)]


def rows(results: Sequence[FileResult]) -> list[Row]:
    """The summary rows, by code."""
    return Tally.of(results).rows()


_REASON_TEXT = {
    "fixable": "fixable: --write",
    "fixable-unsafe": "fixable: --write --unsafe-fixes",
    "unsafe": "unsafe: --unsafe-fixes",
    "display-only": "display-only",
    "failed": "fix failed verification",
    "excluded": "not fixable by configuration",
    "parse error": "parse error",
    "unreadable": "could not be read",
}


def _hint(row: Row) -> str:
    parts = []
    for reason in _REASON_TEXT:
        count = row.reasons.get(reason, 0)
        if not count:
            continue
        text = _REASON_TEXT[reason]
        parts.append(text if count == row.remaining else f"{count} {text}")
    return f"({'; '.join(parts)})" if parts else ""


def _table(table: list[Row]) -> str:
    if not table:
        return ""
    header = ("Rule", "Name", "Found", "Fixed", "Remaining")
    cells = [
        (r.code, r.name, str(r.found), str(r.fixed) if r.has_fix or r.fixed else "-", str(r.remaining))
        for r in table
    ]
    widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(len(header))]

    def line(values: tuple[str, ...], hint: str = "") -> str:
        text = "  ".join(
            value.ljust(widths[i]) if i < 2 else value.rjust(widths[i]) for i, value in enumerate(values)
        )
        return (text + "   " + hint if hint else text).rstrip() + "\n"

    return line(header) + "".join(line(c, _hint(r)) for c, r in zip(cells, table))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def infer_mode(results: Sequence[FileResult]) -> Mode:
    return Tally.of(results).mode


def summary(results: Sequence[FileResult], *, fail_on: str, mode: Mode | None = None) -> str:
    """The table, the closing line and the hints, as plain text (for stderr)."""
    return summary_of(Tally.of(results), fail_on=fail_on, mode=mode)


def summary_of(tally: Tally, *, fail_on: str, mode: Mode | None = None) -> str:
    """:func:`summary` from a :class:`Tally` gathered while the files went by."""
    mode = mode or tally.mode
    parts = [f"{_plural(tally.files, 'file')} scanned"]
    if mode == "write":
        parts.append(f"{tally.written} changed")
        parts.append(f"{_plural(tally.applied, 'fix', 'fixes')} applied")
    elif mode == "diff":
        parts.append(f"{tally.changed} would change")
        parts.append(f"{_plural(tally.applied, 'fix', 'fixes')} would apply")
    by_severity = tally.by_severity
    remaining = sum(by_severity.values())
    threshold = SEVERITY_RANK.get(fail_on, -1)  # "none": only the severities present
    shown = [
        f"{by_severity[severity]} {severity}"
        for severity, rank in sorted(SEVERITY_RANK.items(), key=lambda item: item[1])
        if rank <= threshold or by_severity[severity]
    ]
    shown += [f"{count} {severity}" for severity, count in sorted(by_severity.items()) if severity not in SEVERITY_RANK]
    parts.append(f"{remaining} remaining ({', '.join(shown)})" if shown else f"{remaining} remaining")
    if tally.parse_errors:
        parts.append(f"{_plural(tally.parse_errors, 'file')} failed to parse (DF000)")
    if tally.io_errors:
        parts.append(f"{_plural(tally.io_errors, 'file')} could not be read or written (DF000)")
    if tally.failed:
        parts.append(f"{_plural(tally.failed, 'fix', 'fixes')} failed verification")
    if tally.skipped:
        parts.append(f"{_plural(tally.skipped, 'file')} changed during the run and left alone")

    out = _table(tally.rows())
    if out:
        out += "\n"
    out += " · ".join(parts) + "\n"
    if mode == "check":
        if tally.safe_ready:
            out += f"{tally.safe_ready} fixable with --write\n"
        if tally.unsafe_ready + tally.hidden_unsafe:
            more = "more " if tally.safe_ready else ""
            out += f"{tally.unsafe_ready + tally.hidden_unsafe} {more}fixable with --write --unsafe-fixes\n"
    elif tally.hidden_unsafe:
        out += f"{tally.hidden_unsafe} more fixable with --unsafe-fixes\n"
    return out


def statistics(results: Sequence[FileResult], fmt: str = "full") -> str:
    """``--statistics``: the table alone, or a JSON array with ``fmt == "json"``."""
    return statistics_of(Tally.of(results), fmt)


def statistics_of(tally: Tally, fmt: str = "full") -> str:
    """:func:`statistics` from a :class:`Tally`."""
    table = tally.rows()
    if fmt == "json":
        data: list[dict[str, Any]] = [
            {
                "code": r.code,
                "name": r.name,
                "found": r.found,
                "fixed": r.fixed if r.has_fix or r.fixed else None,
                "remaining": r.remaining,
                "reasons": {reason: r.reasons[reason] for reason in _REASON_TEXT if r.reasons.get(reason)},
            }
            for r in table
        ]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _table(table)


__all__ = ["Row", "Tally", "infer_mode", "rows", "statistics", "statistics_of", "summary", "summary_of", "severity_rank"]
