"""RUNs with no lasting effect (DF107, DF605): which scripts are only shell state, and how values carry over."""

from __future__ import annotations

import pytest

import dfix
from dfix.shell import analyze
from dfix.transforms._lasting import dockerfile_value, state_only


@pytest.mark.parametrize("script,names", [
    ("export A=1", ("export",)),
    ("A=1 B=2", ("=",)),
    ("set -eux; export A=1 && cd /x", ("set", "export", "cd")),
    (". /etc/profile", (".",)),
])
def test_state_only(script, names):
    assert state_only(analyze(script)) == names


@pytest.mark.parametrize("script", [
    "export A=1 && make",
    "export A=1 > /tmp/log",
    "export A=$(uname -m)",
    "if true; then export A=1; fi",
    "(cd /x)",
    "A=1 make",
    "sudo cd /x",
])
def test_not_state_only(script):
    assert state_only(analyze(script)) is None


@pytest.mark.parametrize("word,value,references", [
    ("1", "1", set()),
    ('"x y"', '"x y"', set()),
    ("'a b'", '"a b"', set()),
    ("$PATH:/opt/bin", '"${PATH}:/opt/bin"', {"PATH"}),
    ('"${HOME_DIR}/bin"', '"${HOME_DIR}/bin"', {"HOME_DIR"}),
    ("a'b'c", "abc", set()),
])
def test_dockerfile_value(word, value, references):
    converted = dockerfile_value(word)
    assert converted is not None and converted.text == value and converted.references == references


@pytest.mark.parametrize("word", ["$(date)", "`date`", "${A:-x}", "~/bin", "*.jar", "'$literal'", 'a\\"b', '"unclosed', "$1"])
def test_dockerfile_value_refuses(word):
    assert dockerfile_value(word) is None


def test_env_fix_gives_later_runs_the_value_the_export_meant():
    text = "FROM debian\nARG BASE=/opt\nRUN export TOOL=$BASE/tool && export PATH=$TOOL/bin:$PATH\nRUN tool\n"
    fixed = dfix.fix(text, select=["DF107"], unsafe=True).text
    assert fixed == 'FROM debian\nARG BASE=/opt\nENV TOOL="${BASE}/tool"\nENV PATH="${TOOL}/bin:${PATH}"\nRUN tool\n'
    # the unsafe fix says what it assumes
    (found,) = dfix.check(text, select=["DF107"])
    assert found.fix is not None and "ENV sets them" in found.fix.assumes
    # not applied without unsafe fixes
    assert dfix.fix(text, select=["DF107"]).text == text


def test_lone_cd_and_no_op_runs_are_separate_findings():
    text = "FROM debian\nRUN cd /app\nRUN cd /app && export A=1\n"
    found = sorted((d.code, d.span.line) for d in dfix.check(text, select=["DF107", "DF605"]))
    assert found == [("DF107", 3), ("DF605", 2), ("DF605", 3)]
