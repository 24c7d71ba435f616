"""The one shape every reporter prints: :class:`Finding`, built from :class:`FileResult`.

A run's findings come from three places: the rule diagnostics that remain,
the parse error (``DF000``, always an error) and an I/O error (also
``DF000``, named ``io-error``). :func:`file_findings` turns one
:class:`~dfix.results.FileResult` into a list of findings in file order, each
carrying the text its offsets refer to, so every format can print excerpts,
fix previews, line/column positions for edits and stable fingerprints.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Iterable, Sequence

import msgspec

from ..engine import Diagnostic, Fix, Safety, Severity, all_rules, describe, rule_by_code
from ..patterns import lazy_pattern
from ..results import FileResult

#: Where a rule's documentation lives: the one place the URL shape is defined.
RULE_URL = "https://dfix.dev/rules/{code}"
#: The tool's home page (SARIF ``informationUri``).
INFORMATION_URI = "https://dfix.dev"

#: Severity order, most severe first.
SEVERITY_RANK = {str(level): level.rank for level in Severity}

PARSE_ERROR = "DF000"


def rule_url(code: str) -> str:
    return RULE_URL.format(code=code)


def severity_rank(severity: str) -> int:
    return Severity.of(severity).rank


# -- rules -------------------------------------------------------------------


class RuleInfo(msgspec.Struct, frozen=True):
    """What a reporter needs to describe a rule (SARIF ``reportingDescriptor``, summary rows)."""

    code: str
    name: str
    summary: str
    explanation: str
    severity: str
    #: ``safe``, ``unsafe`` or ``none`` (the rule only reports).
    safety: str
    aliases: tuple[str, ...] = ()


def _info_of(rule) -> RuleInfo:
    return RuleInfo(
        rule.code, rule.name, rule.summary, rule.explanation(), rule.severity, str(rule.safety), tuple(rule.aliases)
    )


def rule_info(code: str, fallback: "Finding | None" = None) -> RuleInfo:
    """The description of ``code``: its rule class, its catalogue entry, or one made from a finding."""
    rule = rule_by_code(code)
    if rule is not None:
        return _info_of(rule)
    entry = describe(code)
    name = fallback.name if fallback else entry.name if entry is not None else code.lower()
    message = fallback.message if fallback else code
    severity = fallback.severity if fallback else "warning"
    return RuleInfo(code, name, message, message, severity, "none")


def known_rules() -> list[RuleInfo]:
    """Every rule class (the meta codes DF000-DF004 included), by code."""
    return [_info_of(rule) for rule in all_rules()]


# -- text helpers ---------------------------------------------------------------


class LineIndex:
    """Offsets ↔ 1-based line/column for a text whose lines end with ``\\n`` (as the lexer counts)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """Line ``line`` without its line ending (``\\r\\n`` or ``\\n``); empty past the end."""
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\n").rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self.starts)


@lru_cache(maxsize=16)
def line_index(text: str) -> LineIndex:
    """A cached :class:`LineIndex` (reporters look up the same file's text once per finding)."""
    return LineIndex(text)


_SURROGATE = lazy_pattern("[\ud800-\udfff]")


def clean(text: str, errors: str = "replace") -> str:
    """``text`` made encodable as strict UTF-8.

    Files are read with ``surrogateescape`` so invalid bytes survive; a report
    cannot carry those, so each becomes U+FFFD (``errors="replace"``, machine
    formats) or ``\\xNN`` (``errors="backslashreplace"``, human formats).
    """
    if not _SURROGATE.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", errors)


#: Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) but the tab.
_CONTROL = lazy_pattern("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Human-format text: invalid bytes as ``\\xNN``, control characters (not tabs) escaped."""
    return _CONTROL.sub(_escaped, clean(text, "backslashreplace"))


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def normalise_instruction(text: str) -> str:
    """Instruction text for fingerprints: continuations dropped, whitespace collapsed."""
    text = re.sub(r"[\\`][ \t]*\r?\n", " ", text)
    return " ".join(text.split())


# -- paths ---------------------------------------------------------------------


def posix(path: str) -> str:
    """A path as given, with ``/`` separators and no leading ``./``."""
    text = path.replace(os.sep, "/") if os.sep != "/" else path
    while text.startswith("./") and len(text) > 2:
        text = text[2:]
    return text


def relative_to_root(path: str, root: "str | os.PathLike[str] | None") -> tuple[str, bool]:
    """``(path, under_root)``: the path relative to ``root`` when it lies below it, else as given."""
    if root is None or path == "-":
        return posix(path), False
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    try:
        common = os.path.commonpath([absolute, base])
    except ValueError:  # different drives
        return posix(path), False
    if common != base:
        return posix(path), False
    return PurePath(os.path.relpath(absolute, base)).as_posix(), True


# -- findings ------------------------------------------------------------------


class Finding(msgspec.Struct, frozen=True):
    """One line of any report: a rule diagnostic, a parse error or an I/O error."""

    path: str
    code: str
    name: str
    message: str
    severity: str
    line: int
    column: int
    end_line: int
    end_column: int
    #: Offsets into ``text`` (None for an unreadable file).
    start: int | None = None
    end: int | None = None
    fix: Fix | None = None
    note: str | None = None
    #: The text positions and edits refer to: the fixed text when fixes were applied.
    text: str | None = None
    #: Whether the fix would apply in this file's run (its settings' fix policy; not refused by verification).
    applies: bool = False
    #: Whether it would apply with ``--unsafe-fixes`` added (what "fixable with --unsafe-fixes" counts).
    applies_with_unsafe: bool = False
    #: Why the engine refused this finding's fix (verification failed), if it did.
    failed_reason: str | None = None
    diagnostic: Diagnostic | None = None

    @property
    def subcode(self) -> str | None:
        """The finer code of the finding (ShellCheck's ``SC2086`` under DF629), None for most."""
        return None if self.diagnostic is None else self.diagnostic.subcode

    @property
    def applicability(self) -> str | None:
        """``safe``, ``unsafe`` or ``display-only`` for a fix; None without one."""
        if self.fix is None:
            return None
        if self.fix.safety is Safety.SAFE:
            return "safe"
        if self.fix.safety is Safety.UNSAFE:
            return "unsafe"
        return "display-only"

    @property
    def url(self) -> str:
        return rule_url(self.code)

    @property
    def is_meta(self) -> bool:
        """A file that could not be read or parsed (no rule ran), not a rule's finding (DF000 has both)."""
        return self.code == PARSE_ERROR and self.diagnostic is None


def _failed_key(diagnostic: Diagnostic) -> tuple:
    # Failed fixes were recorded on the text of some fix round, so their
    # offsets need not match the final text; code, message and the length of
    # the flagged text identify the finding well enough.
    return (diagnostic.code, diagnostic.message, diagnostic.span.end - diagnostic.span.start)


def result_text(result: FileResult) -> str | None:
    """The text a result's diagnostics refer to."""
    return result.fixed if result.fixed is not None else result.original


def _trimmed(index: LineIndex, start: int, end: int) -> tuple[int, int, int, int, int, int]:
    """A span without trailing line endings: (start, end, line, column, end_line, end_column)."""
    text = index.text
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    line, column = index.position(start)
    end_line, end_column = index.position(end)
    return start, end, line, column, end_line, end_column


#: The last result :func:`file_findings` was asked about and its findings: the command
#: hands each result to the summary's tally and then to the findings document, and
#: both need the same findings (results are frozen, so the answer cannot go stale).
_last_findings: "tuple[FileResult, list[Finding]] | None" = None


def file_findings(result: FileResult) -> list[Finding]:
    """The findings of one file in print order: I/O error, parse error, then diagnostics by position.

    Whether a finding's fix applies is the file's own fix policy's answer
    (``result.policy``), the one its fix loop used. Asked twice in a row
    about the same result, it works them out once.
    """
    global _last_findings
    if _last_findings is not None and _last_findings[0] is result:
        return list(_last_findings[1])
    found = _file_findings(result)
    _last_findings = (result, found)
    return list(found)


def _file_findings(result: FileResult) -> list[Finding]:
    text = result_text(result)
    index = line_index(text) if text is not None else None
    found: list[Finding] = []
    if result.io_error is not None:
        found.append(Finding(
            result.path, PARSE_ERROR, "io-error", result.io_error, "error", 1, 1, 1, 1, text=text,
        ))
    error = result.parse_error
    if error is not None:
        line, column = max(error.line, 1), max(error.column, 1)
        start = end = None
        if index is not None:
            start = end = index.offset(line, column)
        found.append(Finding(
            result.path, PARSE_ERROR, "parse-error", error.message, "error", line, column, line, column,
            start, end, text=text,
        ))
    failed = {_failed_key(failure.diagnostic): failure.reason for failure in result.failed_fixes}
    policy, unsafe_policy = result.policy, result.policy.with_unsafe()
    diagnostics = sorted(result.diagnostics, key=lambda d: (d.span.line, d.span.column, d.code, d.span.start))
    for diagnostic in diagnostics:
        span = diagnostic.span
        if index is not None and span.end <= len(text):
            start, end, line, column, end_line, end_column = _trimmed(index, span.start, span.end)
        else:
            start, end = span.start, span.end
            line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
        reason = failed.get(_failed_key(diagnostic)) if diagnostic.fix is not None else None
        found.append(Finding(
            result.path, diagnostic.code, diagnostic.name, diagnostic.message, diagnostic.severity,
            line, column, end_line, end_column, start, end, diagnostic.fix, diagnostic.note, text,
            applies=reason is None and policy.applies(diagnostic),
            applies_with_unsafe=reason is None and unsafe_policy.applies(diagnostic),
            failed_reason=reason, diagnostic=diagnostic,
        ))
    return found


def all_findings(results: Iterable[FileResult]) -> list[Finding]:
    return [f for result in results for f in file_findings(result)]


# -- fingerprints ----------------------------------------------------------------


@lru_cache(maxsize=64)
def _instruction_spans(text: str) -> tuple[tuple[int, int], ...] | None:
    from ..syntax import parse

    try:
        tree = parse(text)
    except Exception:  # a parse error, or anything else: fall back to lines
        return None
    return tuple((instruction.span.start, instruction.span.end) for instruction in tree.instructions)


def instruction_text(finding: Finding) -> str:
    """The text of the instruction a finding sits in (its lines when the file does not parse)."""
    text = finding.text
    if text is None:
        return ""
    if finding.start is not None:
        spans = _instruction_spans(text)
        if spans:
            starts = [start for start, _ in spans]
            position = bisect.bisect_right(starts, finding.start) - 1
            if position >= 0:
                start, end = spans[position]
                if start <= finding.start <= end:
                    return text[start:end]
    index = line_index(text)
    return "\n".join(index.line_text(line) for line in range(finding.line, finding.end_line + 1))


def fingerprints(findings: Sequence[Finding], root: "str | os.PathLike[str] | None" = None) -> list[str]:
    """A stable fingerprint per finding: sha256 of path, code and normalised instruction text.

    Line numbers are not part of it, so inserting lines above a finding keeps
    its fingerprint. Two identical findings in one file (same code, same
    instruction text) get an occurrence number so each is unique.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for finding in findings:
        path, _ = relative_to_root(finding.path, root)
        key = (path, finding.code, normalise_instruction(instruction_text(finding)))
        occurrence = seen[key]
        seen[key] += 1
        material = "\0".join((*key, str(occurrence)))
        out.append(_sha256(material.encode("utf-8", "surrogatepass")).hexdigest())
    return out


def root_uri(root: "str | os.PathLike[str]") -> str:
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _sha256(data: bytes):
    """hashlib's SHA-256, imported on first use (only the formats with fingerprints need it)."""
    import hashlib

    return hashlib.sha256(data)
