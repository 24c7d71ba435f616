"""What a new user tries first: files docker build refuses get an error and exit 1, and are never "fixed"."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import run, write_tree


@pytest.mark.parametrize(
    "content, expected",
    [
        ("FOO bar\n", "DF000 unknown instruction: FOO"),
        ("RUN echo hi\n", "DF619 no build stage in current context"),
        ("ARG V=1\n", "DF000 dockerfile contains no stages to build"),
        ("FROM alpine:3\nHEALTHCHECK --interval=5s\n", "DF000 HEALTHCHECK requires at least one argument"),
        ("FROM alpine:3\nONBUILD ONBUILD RUN x\n", "DF618 Chaining ONBUILD"),
        ("FROM alpine:3\nEXPOSE 80800\n", "DF613 invalid containerPort: 80800"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "DF000 the file is not text"),
    ],
)
def test_refused_files_are_errors(tmp_path: Path, content, expected):
    write_tree(tmp_path, {"Dockerfile": content})
    result = run("--select", "ALL", "--output-format", "concise", str(tmp_path / "Dockerfile"))
    assert result.exit_code == 1, result.output
    assert expected in result.stdout


def test_a_refused_file_is_left_alone_and_says_why_once(tmp_path: Path):
    text = "FROM debian:12\nRUN apt-get install curl\nCOPY --form=build /a /a\n"
    path = write_tree(tmp_path, {"Dockerfile": text}) / "Dockerfile"
    result = run("--write", "--select", "DF201,DF000", str(path))
    assert path.read_text() == text
    assert result.exit_code == 1
    assert result.stderr.count("not fixed: docker build refuses this file") == 1
    assert "unknown flag: --form (did you mean from?)" in result.stderr


def test_a_planned_hadolint_code_reads_the_same_in_rule_and_select(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM debian:12\n"})
    explained = run("rule", "hardcoded-secret-value")
    selected = run("--select", "hardcoded-secret-value", str(tmp_path / "Dockerfile"))
    assert explained.exit_code == 0
    note = explained.stdout.strip()
    assert note.startswith("hardcoded-secret-value (DF501 hardcoded-secret-value") and "planned" in note
    assert note in selected.stderr
