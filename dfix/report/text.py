"""The human formats: ``full`` (excerpt, caret, fix preview, rule URL) and ``concise`` (one line each)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import msgspec

from ..engine.model import apply_edits
from ..results import FileResult
from ._model import Finding, LineIndex, file_findings, line_index, printable
from ._style import STYLES, Styled, render_text

#: Lines of a multi-line finding shown in the excerpt before eliding the rest.
MAX_EXCERPT_LINES = 6
#: Lines of each side (before, after) of a fix preview before eliding the rest.
MAX_PREVIEW_LINES = 8
#: Tabs in excerpts are expanded to this width, so carets line up whatever the terminal does.
TAB_SIZE = 8


def _headline(finding: Finding) -> Styled:
    """``path:line:col: CODE [*] message``."""
    line = Styled()
    line.append(printable(finding.path), STYLES["path"])
    line.append(":")
    line.append(f"{finding.line}:{finding.column}", STYLES["position"])
    line.append(": ")
    line.append(finding.code, STYLES.get(finding.severity, STYLES["warning"]))
    line.append(" ")
    if finding.applies:
        line.append("[*]", STYLES["fixable"])
        line.append(" ")
    line.append(printable(finding.message))
    return line


def display(text: str) -> str:
    """Source text as displayed: escaped (see :func:`printable`) and tabs expanded."""
    return printable(text).expandtabs(TAB_SIZE)


def _excerpt(finding: Finding, index: LineIndex, out: Styled) -> None:
    last = min(finding.end_line, index.line_count)
    shown = list(range(finding.line, min(last, finding.line + MAX_EXCERPT_LINES - 1) + 1))
    elided = last > shown[-1]
    width = len(str(shown[-1] + (1 if elided else 0)))
    gutter = " " * width + " |"
    out.append(gutter + "\n", STYLES["gutter"])
    for number in shown:
        raw = index.line_text(number)
        out.append(f"{number:>{width}} | ", STYLES["gutter"])
        out.append(display(raw) + "\n")
        if number == finding.line:
            # Measured on the displayed text, so escaped bytes (\xNN) and tabs keep the caret aligned.
            stop = finding.end_column - 1 if finding.end_line == finding.line else len(raw)
            before = printable(raw[: finding.column - 1])
            upto = before + printable(raw[finding.column - 1 : stop])
            indent = len(before.expandtabs(TAB_SIZE))
            carets = len(upto.expandtabs(TAB_SIZE)) - indent
            out.append(gutter + " ", STYLES["gutter"])
            out.append(" " * indent)
            out.append("^" * max(carets, 1) + " " + finding.code, STYLES["caret"])
            out.append("\n")
    if elided:
        out.append(" " * width + " : ...\n", STYLES["gutter"])
    out.append(gutter + "\n", STYLES["gutter"])


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_PREVIEW_LINES:
        return lines
    return lines[: MAX_PREVIEW_LINES - 1] + ["..."]


def fix_preview(finding: Finding) -> tuple[list[str], list[str]] | None:
    """The whole lines a fix touches, before and after: ``(old, new)``."""
    if finding.fix is None or finding.text is None or not finding.fix.edits:
        return None
    text = finding.text
    start = min(edit.start for edit in finding.fix.edits)
    end = max(edit.end for edit in finding.fix.edits)
    if end > len(text):
        return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    segment = text[line_start:line_end]
    edits = tuple(edit.shifted(-line_start) for edit in finding.fix.edits)
    new = apply_edits(segment, edits)
    split = lambda value: [part.rstrip("\r") for part in value.split("\n")]  # noqa: E731
    return split(segment), split(new)


def _fix_label(finding: Finding) -> str:
    title = finding.fix.title or "fix available"
    if finding.failed_reason is not None:
        return f"fix not applied, it failed verification ({finding.failed_reason}): {title}"
    if finding.applicability == "unsafe" and not finding.applies:
        return f"unsafe fix (needs --unsafe-fixes): {title}"
    if finding.applicability == "display-only":
        return f"suggestion: {title}"
    if not finding.applies:
        return f"fix (not selected by --fixable): {title}"
    return f"fix: {title}"


def _full_one(finding: Finding, out: Styled) -> None:
    out.append_text(_headline(finding))
    out.append("\n")
    index = line_index(finding.text) if finding.text is not None else None
    if index is not None and finding.line <= index.line_count:
        _excerpt(finding, index, out)
    if finding.fix is not None:
        out.append("  = ", STYLES["help"])
        out.append(printable(_fix_label(finding)) + "\n")
        preview = fix_preview(finding)
        if preview is not None:
            old, new = preview
            for line in _capped(old):
                out.append("    - " + display(line) + "\n", STYLES["removed"])
            for line in _capped(new):
                out.append("    + " + display(line) + "\n", STYLES["added"])
        if finding.fix.assumes:
            out.append("  = ", STYLES["help"])
            out.append("assumes: " + printable(finding.fix.assumes) + "\n")
    if finding.note:
        out.append("  = ", STYLES["help"])
        out.append("note: " + printable(finding.note) + "\n")
    out.append("  = ", STYLES["help"])
    out.append("rule: ")
    out.append(f"{finding.url}\n", STYLES["dim"])


def _fixed_section(results: Sequence[FileResult]) -> Styled:
    """``--show-fixes``: what was (or, with ``--diff``, would be) fixed, per file and rule."""
    out = Styled()
    rows = [(result, Counter((d.code, d.name) for d in result.applied)) for result in results if result.applied]
    if not rows:
        return out
    total = sum(sum(counts.values()) for _, counts in rows)
    verb = "Fixed" if any(result.written for result, _ in rows) else "Would fix"
    out.append(f"{verb} {total} finding{'s' if total != 1 else ''}:\n", STYLES["header"])
    for result, counts in rows:
        out.append("- ")
        out.append(printable(result.path), STYLES["path"])
        out.append(":\n")
        for (code, name), count in sorted(counts.items()):
            out.append(f"    {count} × ")
            out.append(code, STYLES["fixable"])
            out.append(f" ({name})\n")
    return out


def render_full(
    results: Sequence[FileResult], *, show_fixes: bool, color: bool,
) -> str:
    out = Styled()
    for result in results:
        for finding in file_findings(result):
            _full_one(finding, out)
            out.append("\n")
    if show_fixes:
        out.append_text(_fixed_section(results))
    return render_text(out, color)


def render_concise(
    results: Sequence[FileResult], *, show_fixes: bool, color: bool,
) -> str:
    out = Styled()
    for result in results:
        for finding in file_findings(result):
            out.append_text(_headline(finding))
            out.append("\n")
    if show_fixes:
        section = _fixed_section(results)
        if section.plain and out.plain:
            out.append("\n")
        out.append_text(section)
    return render_text(out, color)


def render_caveats(results: Sequence[FileResult]) -> str:
    """What the applied unsafe fixes take for granted, once per file and rule: ``path: note: CODE fix assumes ...``.

    A reviewer reading ``--diff`` or a ``--write`` log must see an unsafe
    fix's caveat next to the change, not only in the full report of a
    later run.
    """
    lines = []
    for result in results:
        seen: set[tuple[str, str]] = set()
        for diagnostic in result.applied:
            fix = diagnostic.fix
            if fix is None or not fix.assumes or (diagnostic.code, fix.assumes) in seen:
                continue
            seen.add((diagnostic.code, fix.assumes))
            lines.append(printable(f"{result.path}: note: {diagnostic.code} ({fix.safety} fix) assumes {fix.assumes.removeprefix('assumes ')}") + "\n")
    return "".join(lines)


def _light(result: FileResult) -> FileResult:
    """What the ``--show-fixes`` section needs of a result: its path, applied fixes and whether it was written."""
    return msgspec.structs.replace(result, original=None, fixed=None, diagnostics=(), failed_fixes=(), warnings=())


class TextWriter:
    """``full`` and ``concise``: each file's findings as they come, the ``--show-fixes`` section at the end."""

    def __init__(self, fmt: str, *, show_fixes: bool, color: bool) -> None:
        self._render = render_full if fmt == "full" else render_concise
        self.concise = fmt == "concise"
        self.show_fixes = show_fixes
        self.color = color
        self._fixed: list[FileResult] = []
        self._wrote = False

    def add(self, result: FileResult) -> str:
        if self.show_fixes and result.applied:
            self._fixed.append(_light(result))
        out = self._render([result], show_fixes=False, color=self.color)
        self._wrote = self._wrote or bool(out)
        return out

    def close(self) -> str:
        if not self.show_fixes:
            return ""
        section = _fixed_section(self._fixed)
        if self.concise and section.plain and self._wrote:
            return "\n" + render_text(section, self.color)
        return render_text(section, self.color)
