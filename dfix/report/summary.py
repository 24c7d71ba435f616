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
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from ..engine import Safety
from ..results import FileResult
from ._model import (
    PARSE_ERROR, SEVERITY_RANK, Finding, all_findings, rule_info, severity_rank,
)

Mode = Literal["check", "diff", "write"]


@dataclass
class Row:
    code: str
    name: str
    fixed: int = 0
    remaining: int = 0
    #: Whether the rule can fix at all (else "Fixed" shows ``-``).
    has_fix: bool = False
    #: Remaining findings by reason (``fixable``, ``unsafe``, ``display-only``, ``failed``, ``excluded``, ...).
    reasons: Counter = field(default_factory=Counter)

    @property
    def found(self) -> int:
        return self.fixed + self.remaining


def _reason(finding: Finding) -> str:
    if finding.code == PARSE_ERROR:
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


def rows(results: Sequence[FileResult]) -> list[Row]:
    """The summary rows, by code."""
    table: dict[str, Row] = {}

    def row(code: str, name: str) -> Row:
        if code not in table:
            table[code] = Row(code, name, has_fix=code != PARSE_ERROR and _rule_has_fix(code))
        return table[code]

    for result in results:
        for diagnostic in result.applied:
            entry = row(diagnostic.code, diagnostic.name)
            entry.fixed += 1
            entry.has_fix = True
    for finding in all_findings(results):
        entry = row(finding.code, rule_info(finding.code, finding).name if finding.is_meta else finding.name)
        entry.remaining += 1
        entry.reasons[_reason(finding)] += 1
        if finding.fix is not None and finding.applicability in ("safe", "unsafe"):
            entry.has_fix = True
    return [table[code] for code in sorted(table)]


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
    if any(result.written for result in results):
        return "write"
    if any(result.changed or result.applied for result in results):
        return "diff"
    return "check"


def summary(
    results: Sequence[FileResult], *, fail_on: str, mode: Mode | None = None,
) -> str:
    """The §10 table, the closing line and the hints, as plain text (for stderr)."""
    mode = mode or infer_mode(results)
    table = rows(results)
    findings = all_findings(results)
    remaining = [f for f in findings if f.code != PARSE_ERROR]

    parts = [f"{_plural(len(results), 'file')} scanned"]
    applied = sum(len(result.applied) for result in results)
    if mode == "write":
        changed = sum(1 for result in results if result.written)
        parts.append(f"{changed} changed")
        parts.append(f"{_plural(applied, 'fix', 'fixes')} applied")
    elif mode == "diff":
        changed = sum(1 for result in results if result.changed)
        parts.append(f"{changed} would change")
        parts.append(f"{_plural(applied, 'fix', 'fixes')} would apply")
    by_severity = Counter(f.severity for f in remaining)
    threshold = SEVERITY_RANK.get(fail_on, -1)  # "none": only the severities present
    shown = [
        f"{by_severity[severity]} {severity}"
        for severity, rank in sorted(SEVERITY_RANK.items(), key=lambda item: item[1])
        if rank <= threshold or by_severity[severity]
    ]
    shown += [f"{count} {severity}" for severity, count in sorted(by_severity.items()) if severity not in SEVERITY_RANK]
    parts.append(f"{len(remaining)} remaining ({', '.join(shown)})" if shown else f"{len(remaining)} remaining")
    parse_errors = sum(1 for result in results if result.parse_error is not None)
    if parse_errors:
        parts.append(f"{_plural(parse_errors, 'file')} failed to parse (DF000)")
    io_errors = sum(1 for result in results if result.io_error is not None)
    if io_errors:
        parts.append(f"{_plural(io_errors, 'file')} could not be read or written (DF000)")
    failed = sum(len(result.failed_fixes) for result in results)
    if failed:
        parts.append(f"{_plural(failed, 'fix', 'fixes')} failed verification")
    skipped = sum(1 for result in results if result.skipped_changed)
    if skipped:
        parts.append(f"{_plural(skipped, 'file')} changed during the run and left alone")

    out = _table(table)
    if out:
        out += "\n"
    out += " · ".join(parts) + "\n"

    safe_ready = sum(1 for f in remaining if f.applies and f.applicability == "safe")
    unsafe_ready = sum(1 for f in remaining if f.applies and f.applicability == "unsafe")
    hidden_unsafe = sum(
        1 for f in remaining
        if not f.applies and f.failed_reason is None and f.applicability == "unsafe"
        and f.applies_with_unsafe
    )
    if mode == "check":
        if safe_ready:
            out += f"{safe_ready} fixable with --write\n"
        if unsafe_ready + hidden_unsafe:
            more = "more " if safe_ready else ""
            out += f"{unsafe_ready + hidden_unsafe} {more}fixable with --write --unsafe-fixes\n"
    elif hidden_unsafe:
        out += f"{hidden_unsafe} more fixable with --unsafe-fixes\n"
    return out


def statistics(results: Sequence[FileResult], fmt: str = "full") -> str:
    """``--statistics``: the table alone, or a JSON array with ``fmt == "json"``."""
    table = rows(results)
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


__all__ = ["Row", "infer_mode", "rows", "statistics", "summary", "severity_rank"]
