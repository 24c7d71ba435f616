"""Suppression comments silence exactly what they name, where they say."""

from __future__ import annotations

import pytest

import dfix

INSTALL = "RUN apt-get install curl\n"


def codes(text: str, select=("DF201",)) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in dfix.check(text, select=list(select))]


@pytest.mark.parametrize(
    "comment",
    [
        "# dfix: ignore[DF201] -- vendor script answers itself",
        "# dfix: ignore[DF201]",
        "# dfix: ignore=DF201,DF200",
        "# dfix: ignore[apt-get-missing-yes]",
        "# dfix: ignore[DL3014]",
        "# dfix: ignore[DF2] # prefix, hadolint-style reason",
        "# dfix: ignore",
        "# hadolint ignore=DL3014",
        "# hadolint ignore=DL3008,DL3014",
    ],
)
def test_next_instruction_suppressed(comment):
    text = f"FROM debian\n{comment}\n{INSTALL}{INSTALL}"
    assert codes(text) == [("DF201", 4)]


def test_blank_lines_and_comments_may_sit_between():
    text = f"FROM debian\n# dfix: ignore[DF201]\n\n# installs curl\n{INSTALL}"
    assert codes(text) == []


def test_other_codes_do_not_suppress():
    text = f"FROM debian\n# dfix: ignore[DF200]\n{INSTALL}"
    assert codes(text) == [("DF201", 3)]


def test_file_scope():
    text = f"# dfix: ignore-file[DF201]\nFROM debian\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == []
    text = f"FROM debian\n# hadolint global ignore=DL3014\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == []


def test_stage_scope():
    text = f"# dfix: ignore-stage[DF201] -- builder runs as root\nFROM debian AS build\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == [("DF201", 5)]


def test_buildkit_check_skip_directive():
    # DF201 has no BuildKit alias, so skip=all is the only way to reach it
    assert codes(f"# check=skip=all\nFROM debian\n{INSTALL}") == []
    assert codes(f"# check=skip=JSONArgsRecommended\nFROM debian\n{INSTALL}") == [("DF201", 3)]


def test_suppressed_findings_are_not_fixed():
    text = f"FROM debian\n# dfix: ignore[DF201]\n{INSTALL}"
    assert dfix.fix(text, select=["DF201"]).text == text


def test_unused_suppression_reported_and_removed():
    text = "FROM debian\n# dfix: ignore[DF201]\nRUN apt-get install -y curl\n"
    found = dfix.check(text, select=["DF201", "DF001"])
    assert [(d.code, d.line) for d in found] == [("DF001", 2)]
    assert dfix.fix(text, select=["DF201", "DF001"]).text == "FROM debian\nRUN apt-get install -y curl\n"


def test_unknown_code_reported():
    found = dfix.check(f"FROM debian\n# dfix: ignore[DF2O1]\n{INSTALL}", select=["DF003"])
    assert [d.code for d in found] == ["DF003"]
