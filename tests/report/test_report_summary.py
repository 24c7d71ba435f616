"""The end-of-run summary (``ux.md`` §10) and ``--statistics``."""

from __future__ import annotations

import json

import dfix
from dfix.engine import Safety
from dfix.report import statistics, summary
from dfix.results import FileResult

from .support import CLEAN, ONLY, TWO_FINDINGS, checked, fixed, report_results, synthetic, under

MIXED = "FROM debian\nRUN echo hi\nRUN apt-get install x\nRUN echo advice\n"


def mixed_result() -> FileResult:
    """DF201 (safe fix), an unsafe fix and a display-only finding, in report mode."""
    diagnostics = (
        *dfix.check(MIXED, select=ONLY),
        synthetic(MIXED, "echo hi", code="DF998", safety=Safety.UNSAFE),
        synthetic(MIXED, "echo advice", code="DF999", safety=None, severity="info"),
    )
    return FileResult("Dockerfile", MIXED, MIXED, tuple(diagnostics))


def table_rows(text: str) -> dict[str, list[str]]:
    lines = text.splitlines()
    assert lines[0].split() == ["Rule", "Name", "Found", "Fixed", "Remaining"]
    rows = {}
    for line in lines[1:]:
        if not line.strip():
            break
        rows[line.split()[0]] = line.split(None, 5)
    return rows


def test_report_mode_table_closing_line_and_hints() -> None:
    out = summary(report_results(), fail_on="warning")
    rows = table_rows(out)
    assert rows["DF201"][:5] == ["DF201", "apt-get-missing-yes", "4", "0", "4"]
    assert rows["DF201"][5] == "(fixable: --write)"
    assert rows["DF000"][:5] == ["DF000", "parse-error", "2", "-", "2"]
    lines = out.splitlines()
    assert lines[-2] == (
        "6 files scanned · 4 remaining (0 error, 4 warning) · 1 file failed to parse (DF000)"
        " · 1 file could not be read or written (DF000)"
    )
    assert lines[-1] == "4 fixable with --write"


def test_unsafe_and_display_only_hints() -> None:
    out = summary([mixed_result()], fail_on="warning")
    rows = table_rows(out)
    assert rows["DF201"][5] == "(fixable: --write)"
    assert rows["DF998"][5] == "(unsafe: --unsafe-fixes)"
    assert rows["DF999"][3] == "-" and rows["DF999"][5] == "(display-only)"
    assert out.splitlines()[-3:] == [
        "1 file scanned · 3 remaining (0 error, 2 warning, 1 info)",
        "1 fixable with --write",
        "1 more fixable with --write --unsafe-fixes",
    ]
    with_unsafe = summary(under([mixed_result()], unsafe=True), fail_on="error")
    assert table_rows(with_unsafe)["DF998"][5] == "(fixable: --write --unsafe-fixes)"
    assert "1 file scanned · 3 remaining (0 error, 2 warning, 1 info)" in with_unsafe


def test_write_mode_counts_fixed_and_what_remains() -> None:
    results = [
        fixed("a/Dockerfile", TWO_FINDINGS, written=True),
        fixed("b/Dockerfile", CLEAN, written=True),
        fixed("c/Dockerfile", "FROM debian\nRUN <<EOF\n", written=True),
    ]
    out = summary(results, fail_on="info")
    rows = table_rows(out)
    assert rows["DF201"][:5] == ["DF201", "apt-get-missing-yes", "2", "2", "0"]
    assert len(rows["DF201"]) == 5  # nothing remains, no hint
    assert out.splitlines()[-1] == (
        "3 files scanned · 1 changed · 2 fixes applied · 0 remaining (0 error, 0 warning, 0 info)"
        " · 1 file failed to parse (DF000)"
    )


def test_diff_mode_says_would() -> None:
    out = summary([fixed("Dockerfile", TWO_FINDINGS)], fail_on="warning")
    assert "1 file scanned · 1 would change · 2 fixes would apply · 0 remaining" in out
    forced = summary([fixed("Dockerfile", TWO_FINDINGS)], fail_on="warning", mode="write")
    assert "0 changed · 2 fixes applied" in forced


def test_write_mode_hints_unsafe_fixes() -> None:
    result = mixed_result()
    written = FileResult(result.path, MIXED, MIXED, result.diagnostics[1:], result.diagnostics[:1], written=True)
    out = summary([written], fail_on="warning")
    assert out.splitlines()[-1] == "1 more fixable with --unsafe-fixes"


def test_nothing_found() -> None:
    out = summary([checked("Dockerfile", CLEAN)], fail_on="warning")
    assert out == "1 file scanned · 0 remaining (0 error, 0 warning)\n"
    assert summary([], fail_on="none") == "0 files scanned · 0 remaining\n"


def test_failed_fix_is_explained() -> None:
    from dfix.engine import FailedFix

    result = checked("Dockerfile", TWO_FINDINGS)
    failed = FailedFix(result.diagnostics[0], "the result does not parse")
    broken = FileResult(result.path, TWO_FINDINGS, TWO_FINDINGS, result.diagnostics[:1], failed_fixes=(failed,), written=False)
    out = summary([broken], fail_on="warning", mode="write")
    assert table_rows(out)["DF201"][5] == "(fix failed verification)"
    assert "1 fix failed verification" in out
    from dfix.report import render

    assert "[*]" not in render([broken], "concise")
    assert "fix not applied, it failed verification (the result does not parse)" in render([broken], "full")


def test_statistics_text_and_json() -> None:
    results = [mixed_result(), checked("x/Dockerfile", "FROM debian\nRUN <<EOF\n")]
    text = statistics(results, "full")
    assert text.splitlines()[0].split() == ["Rule", "Name", "Found", "Fixed", "Remaining"]
    assert "scanned" not in text and len(text.splitlines()) == 5
    data = json.loads(statistics(results, "json"))
    assert [row["code"] for row in data] == ["DF000", "DF201", "DF998", "DF999"]
    assert data[1] == {
        "code": "DF201", "name": "apt-get-missing-yes", "found": 1, "fixed": 0, "remaining": 1,
        "reasons": {"fixable": 1},
    }
    assert data[0]["fixed"] is None and data[3]["fixed"] is None
    assert statistics([], "full") == "" and json.loads(statistics([], "json")) == []
