"""FileResults made by really running the engine, for the reporter tests.

Precise assertions use only DF201 (``apt-get-missing-yes``), the one rule the
tests may rely on; :func:`all_rules_results` runs every rule for the
structural checks (schema validity), whatever rules exist by then. Unsafe
and display-only fixes, which DF201 does not have, come from
:func:`synthetic`, a diagnostic made by hand.
"""

from __future__ import annotations

import msgspec
import functools
import re

import dfix
from dfix.engine import Diagnostic, Edit, Fix, FixPolicy, Safety
from dfix.results import FileResult
from dfix.syntax import Span

ONLY = ["DF201"]

#: Two DF201 findings, one on a continuation line.
TWO_FINDINGS = (
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install curl\n"
    "RUN apt-get update && \\\n"
    "    apt-get install --no-install-recommends \\\n"
    "        git\n"
    'CMD ["bash"]\n'
)
CLEAN = "FROM debian:12\nRUN apt-get install -y curl\n"
CRLF = "FROM debian\r\nRUN apt-get install \\\r\n  curl\r\nRUN echo done\r\n"
#: Invalid UTF-8 (read with surrogateescape) on the finding's own line, and no final newline.
NON_UTF8 = (b"FROM debian\nLABEL note=\"caf\xe9\"\nRUN apt-get install caf\xe9-\xff\xfe tool").decode(
    "utf-8", "surrogateescape"
)
PARSE_ERROR = "FROM debian\nRUN <<EOF\necho hi\n"


def checked(path: str, text: str, *, select=ONLY) -> FileResult:
    """Report mode: what ``dfix PATH`` would record."""
    try:
        diagnostics = dfix.check(text, path=path, select=select)
    except dfix.ParseError as error:
        return FileResult(path, text, text, parse_error=error)
    return FileResult(path, text, text, tuple(diagnostics))


def fixed(path: str, text: str, *, select=ONLY, unsafe: bool = False, written: bool = False) -> FileResult:
    """``--diff`` (or, with ``written``, ``--write``) mode."""
    try:
        result = dfix.fix(text, select=select, unsafe=unsafe, path=path)
    except dfix.ParseError as error:
        return FileResult(path, text, text, parse_error=error)
    return FileResult(
        path, text, result.text, result.diagnostics, result.applied, result.failed, written=written and result.changed,
        policy=FixPolicy.of(unsafe),
    )


def under(results, *, unsafe: bool = False, fixable=None) -> list[FileResult]:
    """``results`` as runs with this fix policy would record them (the policy travels with each file)."""
    return [msgspec.structs.replace(result, policy=FixPolicy.of(unsafe, fixable)) for result in results]


def unreadable(path: str) -> FileResult:
    return FileResult(path, io_error="cannot read: [Errno 13] Permission denied")


@functools.lru_cache(maxsize=None)
def _report_results() -> tuple[FileResult, ...]:
    return tuple(_make_report_results())


def report_results() -> list[FileResult]:
    """A realistic report-mode run (computed once; FileResults are immutable)."""
    return list(_report_results())


def _make_report_results() -> list[FileResult]:
    """A realistic report-mode run: findings, a clean file, CRLF, non-UTF-8, a parse error, an unreadable file."""
    return [
        checked("Dockerfile", TWO_FINDINGS),
        checked("clean/Dockerfile", CLEAN),
        checked("crlf/Dockerfile", CRLF),
        checked("latin1/Dockerfile", NON_UTF8),
        checked("broken/Dockerfile", PARSE_ERROR),
        unreadable("locked/Dockerfile"),
    ]


@functools.lru_cache(maxsize=None)
def _all_rules_results() -> tuple[FileResult, ...]:
    return tuple(_make_all_rules_results())


def all_rules_results() -> list[FileResult]:
    """The same inputs, every rule selected, in report and in write mode (computed once)."""
    return list(_all_rules_results())


def _make_all_rules_results() -> list[FileResult]:
    inputs = [
        ("Dockerfile", TWO_FINDINGS), ("clean/Dockerfile", CLEAN), ("crlf/Dockerfile", CRLF),
        ("latin1/Dockerfile", NON_UTF8), ("broken/Dockerfile", PARSE_ERROR),
    ]
    results = [checked(path, text, select=None) for path, text in inputs]
    results += [fixed("w/" + path, text, select=None, unsafe=True, written=True) for path, text in inputs]
    results.append(unreadable("locked/Dockerfile"))
    return results


def span_of(text: str, needle: str) -> Span:
    """The span of the first ``needle`` in ``text`` (single line)."""
    start = text.index(needle)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(start, start + len(needle), line, column, line, column + len(needle))


def synthetic(
    text: str, needle: str, *, code: str = "DF999", safety: Safety | None = Safety.UNSAFE, severity: str = "warning",
    replacement: str = "X", message: str = "synthetic finding", note: str | None = None, assumes: str = "",
) -> Diagnostic:
    """A hand-made diagnostic on ``needle``; its fix replaces it with ``replacement`` (no fix when ``safety`` is None)."""
    span = span_of(text, needle)
    fix = None if safety is None else Fix(
        (Edit(span.start, span.end, replacement),), safety, f"replace with {replacement}", assumes
    )
    return Diagnostic(code, "synthetic-rule", message, span, fix, note, severity)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)
