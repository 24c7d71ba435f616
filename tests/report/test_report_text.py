"""The human formats (``full``, ``concise``) and what every format shares."""

from __future__ import annotations

import re

import pytest

from dfix.engine import Safety
from dfix.report import FORMATS, RULE_URL, render
from dfix.results import FileResult

from .support import (
    CLEAN, NON_UTF8, TWO_FINDINGS, all_rules_results, checked, fixed, report_results, strip_ansi, synthetic, under,
)

HEADLINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>DF\d{3}) (?P<star>\[\*\] )?(?P<message>.+)$")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_realistic_run_as_strict_utf8(fmt: str) -> None:
    for results in (report_results(), all_rules_results()):
        for color in (False, True):
            out = render(results, fmt, color=color, root=".", show_fixes=True)
            assert isinstance(out, str) and out
            out.encode("utf-8")  # no surrogate escapes leak out of a findings document


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render([], "xml")


@pytest.mark.parametrize("fmt, empty", [
    ("full", ""), ("concise", ""), ("github", ""), ("json", "[]\n"), ("gitlab", "[]\n"),
])
def test_zero_findings(fmt: str, empty: str) -> None:
    results = [checked("Dockerfile", CLEAN)]
    assert results[0].diagnostics == ()
    assert render(results, fmt) == empty
    assert render([], fmt) == empty


def test_concise_is_one_line_per_finding_including_df000() -> None:
    out = render(report_results(), "concise")
    lines = out.splitlines()
    assert lines == [
        "Dockerfile:2:23: DF201 [*] `apt-get install` without `-y` waits for a confirmation no build can give",
        "Dockerfile:4:5: DF201 [*] `apt-get install` without `-y` waits for a confirmation no build can give",
        "crlf/Dockerfile:2:5: DF201 [*] `apt-get install` without `-y` waits for a confirmation no build can give",
        "latin1/Dockerfile:3:5: DF201 [*] `apt-get install` without `-y` waits for a confirmation no build can give",
        "broken/Dockerfile:2:5: DF000 unterminated heredoc <<EOF",
        "locked/Dockerfile:1:1: DF000 cannot read: [Errno 13] Permission denied",
    ]
    assert out.endswith("\n")


def test_full_has_headline_excerpt_caret_fix_preview_and_url() -> None:
    out = render([checked("Dockerfile", TWO_FINDINGS)], "full")
    blocks = [block for block in out.split("\n\n") if block.strip()]
    assert len(blocks) == 2
    first = blocks[0].splitlines()
    match = HEADLINE.match(first[0])
    assert match and match["code"] == "DF201" and match["star"] and (match["line"], match["col"]) == ("2", "23")
    source = "RUN apt-get update && apt-get install curl"
    assert first[2] == f"2 | {source}"
    caret = first[3]
    assert caret.index("^") - len("  | ") == source.index("apt-get install")
    assert caret.endswith("^" * len("apt-get install curl") + " DF201")
    assert "  = fix: add `-y`" in first
    assert f"    - {source}" in first
    assert "    + RUN apt-get update && apt-get install -y curl" in first
    assert first[-1] == "  = rule: " + RULE_URL.format(code="DF201")
    # the multi-line finding shows its continuation line too
    second = blocks[1].splitlines()
    assert second[0].startswith("Dockerfile:4:5: DF201 [*] ")
    assert "5 |         git" in second


def test_full_escapes_invalid_bytes_and_keeps_the_caret_aligned() -> None:
    out = render([checked("latin1/Dockerfile", NON_UTF8)], "full")
    lines = out.splitlines()
    source = next(line for line in lines if line.startswith("3 | "))
    assert source == "3 | RUN apt-get install caf\\xe9-\\xff\\xfe tool"
    caret = lines[lines.index(source) + 1]
    assert caret.index("^") == source.index("apt-get")
    assert caret.rstrip(" DF201").endswith("^") and len(caret.split(" DF201")[0]) == len(source)


def test_parse_error_and_io_error_are_findings() -> None:
    out = render(report_results(), "full")
    assert "broken/Dockerfile:2:5: DF000 unterminated heredoc <<EOF\n" in out
    assert "2 | RUN <<EOF\n  |     ^ DF000\n" in out
    assert "locked/Dockerfile:1:1: DF000 cannot read: [Errno 13] Permission denied\n" in out


def test_star_marks_only_fixes_that_would_apply() -> None:
    text = "FROM debian\nRUN echo hi\n"
    unsafe = synthetic(text, "echo hi", safety=Safety.UNSAFE)
    result = FileResult("Dockerfile", text, text, (unsafe,))
    assert "DF999 synthetic finding" in render([result], "concise")
    assert "DF999 [*] synthetic finding" in render(under([result], unsafe=True), "concise")
    full = render([result], "full")
    assert "  = unsafe fix (needs --unsafe-fixes): replace with X" in full
    assert "DF999 [*]" not in render(under([result], unsafe=True, fixable={"DF201"}), "concise")
    display = FileResult("Dockerfile", text, text, (synthetic(text, "echo hi", safety=None, note="why not"),))
    full = render([display], "full")
    assert "[*]" not in full and "  = note: why not" in full and "= fix" not in full


def test_color_only_when_asked() -> None:
    results = report_results()
    for fmt in ("full", "concise"):
        plain = render(results, fmt)
        colored = render(results, fmt, color=True)
        assert "\x1b[" not in plain
        assert "\x1b[" in colored
        assert strip_ansi(colored) == plain


def test_color_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "20")
    out = render(report_results(), "concise", color=True)
    assert "\x1b[" in out
    assert all(len(strip_ansi(line)) > 20 for line in out.splitlines()), "no wrapping at the terminal width"


def test_show_fixes_lists_applied_fixes() -> None:
    diff_mode = fixed("Dockerfile", TWO_FINDINGS)
    assert len(diff_mode.applied) == 2
    out = render([diff_mode], "concise", show_fixes=True)
    assert out == "Would fix 2 findings:\n- Dockerfile:\n    2 × DF201 (apt-get-missing-yes)\n"
    written = fixed("Dockerfile", TWO_FINDINGS, written=True)
    assert render([written], "full", show_fixes=True).startswith("Fixed 2 findings:\n")
    assert render([written], "full") == ""


def test_tabs_are_expanded_and_the_caret_follows() -> None:
    text = "FROM debian\nRUN true && \\\n\tapt-get install \tcurl\n"
    lines = render([checked("Dockerfile", text)], "full").splitlines()
    source = lines[2]
    assert source == "3 |         apt-get install         curl"
    caret = lines[3]
    assert caret.index("^") == source.index("apt-get")
    assert caret.index(" DF201") == len(source)
