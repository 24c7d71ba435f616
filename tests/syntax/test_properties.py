"""Property tests: any text parses or raises ParseError, and what parses round-trips.

* Random text built from the characters and fragments that make parsing hard
  (CR, NBSP, BOM, NUL, lone surrogates, backticks, quotes, ``<<``, ``\\``,
  ``#``, JSON fragments, directives) never raises anything but ParseError
  (lone surrogates: U+DC80-U+DCFF, which ``read_dockerfile`` makes of invalid
  bytes; others such as U+D800, which only a str can hold, are covered by
  test_errors);
  when it parses, the tree prints it back byte for byte and every token sits
  where it says it does.
* Random Dockerfile-like files (instructions with flags, continuations,
  inner comments, heredoc blocks, directives) the same, plus: BuildKit v0.12.5
  (the binding) reads every valid-UTF-8, NUL-free one exactly as dfix does
  with ``buildkit="0.12.5"``, and current BuildKit's reading (dfix's default)
  differs from it only in syntax.md §10's documented ways.

``DFIX_SYNTAX_EXAMPLES`` sets the number of examples per property (default 150).
"""

from __future__ import annotations

import os

import pytest

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import dfix

from .support import (
    Rejected, binding_can_take, binding_shape, check_positions, explain_latest, first_difference, needs_binding,
    normal_message, oracle,
)

EXAMPLES = int(os.environ.get("DFIX_SYNTAX_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
DIALECTS = ("latest", "0.12.5")


def check_tree(text: str, dialect: str):
    """Parse: a ParseError, or a tree that prints ``text`` back with every token in place."""
    try:
        tree = dfix.parse(text, "Dockerfile", buildkit=dialect)
    except dfix.ParseError as error:
        assert error.line >= 1 and error.column >= 1
        assert str(error) == f"Dockerfile:{error.line}:{error.column}: {error.message}"
        return error
    assert tree.code == text
    problem = check_positions(tree, text)
    assert problem is None, problem
    commands = tree.buildkit_commands()
    assert len(commands) == len(tree.instructions) >= 1
    assert tree.dump().count("\n") == len(tree.instructions)
    for instruction in tree.instructions:
        span = instruction.span
        assert text[span.start : span.end] == instruction.code
        assert instruction.start_line <= instruction.end_line
        assert instruction.logical_text(instruction.keyword_token) == instruction.meaning.keyword
    lines = text.split("\n")
    for warning in tree.warnings:
        assert lines[warning.line - 1].strip(" \t\r\v\f\x85\xa0") == "" or lines[warning.line - 1].isspace()
    return tree


# -- random text ---------------------------------------------------------------------------------

CHARACTERS = (
    " \t\r\n\v\f\\`#\"'[]{},:=$<>-/*;&|!()\xa0\ufeff\x00\x85\u2028\u3000\udc80\udcff"
    "abcEOFXRUNrun019éİ"
)
FRAGMENTS = [
    "FROM ", "RUN ", "run ", "COPY ", "ADD ", "ENV ", "LABEL ", "ARG ", "ONBUILD ", "HEALTHCHECK ", "CMD ",
    "ENTRYPOINT ", "SHELL ", "WORKDIR ", "EXPOSE ", "VOLUME ", "USER ", "STOPSIGNAL ", "MAINTAINER ", " AS ",
    "\n", "\r\n", "\r", "\\\n", "\\ \n", "\\\r\n", "`\n", "\\\\\n", "\\\\\\\n", "# escape=`\n", "# escape=\\\n",
    "#escape=x\n", "# syntax=docker/dockerfile:1\n", "# check=skip=all\n", "# c\n", "  # c \\\n", "#\n",
    "<<", "<<EOF", "<<-EOF", "<<'EOF'", '<<"EOF"', "3<<EOF", "<< EOF", "EOF\n", "\tEOF\n", "EOF", "cat <<EOF\n",
    '["a"', '", "', '"]', "[]", '["a", 1]', '["\\u00e9"]', "[\"a\"] x", "{", "--mount=type=cache,target=/x ",
    "--chown=é ", "--a=\"b c", "--a='x\\'y' ", "-- ", "--", "a=b ", 'a="b c" ', "a\\ b", "${a%b}", "${a:-x y}",
    "$X", "'", '"', "\\", "`", "\xa0", "\ufeff", "\x00", "\udc80",
]
noise = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=CHARACTERS, max_size=4)), max_size=40
).map("".join)


@SETTINGS
@given(noise)
@example("")
@example("\\")
@example("\ufeff# escape=`\nRUN a `\n`")
@example("RUN <<EOF\n")
@example("FROM a\rRUN b\r\n")
def test_random_text_round_trips_or_raises_parse_error(text):
    for dialect in DIALECTS:
        check_tree(text, dialect)


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_unicode(text):
    for dialect in DIALECTS:
        check_tree(text, dialect)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    text = data.decode("utf-8", "surrogateescape")
    check_tree(text, "latest")
    assert dfix.encode_dockerfile(text) == data


# -- random Dockerfile-like files ---------------------------------------------------------------------

KEYWORDS = ["FROM", "RUN", "run", "COPY", "ADD", "ENV", "LABEL", "ARG", "ONBUILD", "HEALTHCHECK", "CMD",
            "ENTRYPOINT", "SHELL", "WORKDIR", "EXPOSE", "VOLUME", "USER", "STOPSIGNAL", "MAINTAINER", "FOO", ""]
WORDS = ["a", "b", "/x", "x=1", 'y="two words"', "'q'", "z\\ w", "#", "&&", "echo", "$HOME", "${V}", "${f%.c}",
         "${a:-x y}", "AS", "as", "stage", "--x", "--", '["a", "b"]', '["a"]', "[1]", "[", "]", "\"", "'", "it's",
         "<<EOF", "<<-EOF", "<<'EOF'", "<<E\"O\"F", "3<<EOF", "<< EOF", "cat<<EOF", "<<EOF;", "<<''", "é", "\xa0",
         "\\", "`", "NONE", "CMD", "RUN", "ONBUILD", "{", "}", ":", "="]
FLAGS = ["--mount=type=cache,target=/root/.cache", "--from=build", "--chown=1:1", "--link", "--platform=$P",
         "--network=none", "--a=\"b c\"", "--a='x\\'y'", "--chmod=755", "--interval=5s", "--", "--x=`y", "--é=1"]
BLANKS = st.sampled_from([" ", "  ", "\t", " \t"])
ENDINGS = st.sampled_from(["\n"] * 8 + ["\r\n", "\r\r\n", " \n", "\t\n"])


@st.composite
def instruction_lines(draw) -> list[str]:
    """One instruction, possibly continued over several physical lines, possibly with heredocs."""
    escape = draw(st.sampled_from(["\\", "\\", "`"]))
    indent = draw(st.sampled_from(["", "", " ", "\t  "]))
    keyword = draw(st.sampled_from(KEYWORDS))
    if keyword == "ONBUILD":
        keyword += " " + draw(st.sampled_from(KEYWORDS[:12]))
    parts = [indent + keyword]
    for flag in draw(st.lists(st.sampled_from(FLAGS), max_size=2)):
        parts.append(draw(BLANKS) + flag)
    for word in draw(st.lists(st.sampled_from(WORDS), max_size=6)):
        parts.append(draw(BLANKS) + word)
    lines = ["".join(parts)]
    for _ in range(draw(st.integers(0, 2))):  # continuation lines, maybe with comment/blank lines between
        lines[-1] += draw(st.sampled_from([" " + escape, escape, " " + escape + " \t", escape * 2, escape * 3]))
        lines += draw(st.lists(st.sampled_from(["# inner", "  # inner \\", "", "  ", "\t"]), max_size=2))
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        lines.append(draw(st.sampled_from(["", "  ", "\t"])) + " ".join(words))
    if "<<" in "".join(lines):  # heredoc bodies and terminators, correct or not
        for name in draw(st.lists(st.sampled_from(["EOF", "\tEOF", "E", "EOF;", "EOF ", "$X"]), max_size=2)):
            body = st.sampled_from(["body", "# not a comment", "", "RUN x", "  \\", "\tEOF"])
            lines += draw(st.lists(body, max_size=2))
            lines.append(name)
    return lines


line_groups = st.one_of(
    instruction_lines(),
    instruction_lines(),
    instruction_lines(),
    st.sampled_from([["# comment"], ["   # indented \\"], ["#"], [""], ["  \t"], ["\\"], ["# escape=`"],
                     ["# escape=\\"], ["# syntax=x"], ["# check=skip=all"], ["#!/bin/sh"], ["\ufeffRUN b"]]),
)


@st.composite
def dockerfiles(draw) -> str:
    groups = draw(st.lists(line_groups, min_size=1, max_size=8))
    lines = [line for group in groups for line in group]
    text = "".join(line + draw(ENDINGS) for line in lines)
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no final newline
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


@SETTINGS
@given(dockerfiles())
def test_dockerfile_like_text_round_trips_or_raises_parse_error(text):
    for dialect in DIALECTS:
        check_tree(text, dialect)


@settings(SETTINGS, max_examples=max(EXAMPLES // 3, 10))
@given(dockerfiles())
def test_parse_instruction_rebuilds_each_instruction(text):
    """Each instruction's own text, parsed alone, gives the same node (code and meaning)."""
    try:
        tree = dfix.parse(text)
    except dfix.ParseError:
        assume(False)
    for instruction in tree.instructions:
        code = instruction.code
        if code.startswith("\ufeff"):
            continue  # a BOM is content only after the start of a file
        alone = dfix.parse_instruction(code, escape=tree.escape)
        assert alone.code == code
        assert alone.meaning == instruction.meaning
        assert [(h.name, h.content) for h in alone.heredocs] == [(h.name, h.content) for h in instruction.heredocs]


# -- the oracle ------------------------------------------------------------------------------------------


@needs_binding
@SETTINGS
@given(dockerfiles())
def test_binding_agrees_on_dockerfile_like_text(text):
    assume(binding_can_take(text))
    expected = oracle(text)
    assume(expected is not None)
    try:
        tree = dfix.parse(text, buildkit="0.12.5")
    except dfix.ParseError as error:
        got = Rejected(normal_message(error.message))
        old_escape, old_directives = "\\", ()
    else:
        got = [binding_shape(c) for c in tree.buildkit_commands()]
        old_escape, old_directives = tree.escape, tuple((d.key, d.value) for d in tree.directives)
    assert got == expected, first_difference(expected, got)
    try:
        latest_tree = dfix.parse(text)
    except dfix.ParseError as error:
        latest, escape, directives = Rejected(normal_message(error.message)), old_escape, old_directives
    else:
        latest = [binding_shape(c) for c in latest_tree.buildkit_commands()]
        escape, directives = latest_tree.escape, tuple((d.key, d.value) for d in latest_tree.directives)
    differences = explain_latest(
        expected, latest, escape=escape, escape_v0_12_5=old_escape, directives_differ=directives != old_directives,
        text=text,
    )
    assert not [d for d in differences if d[1].startswith("UNEXPLAINED")], differences


@needs_binding
@SETTINGS
@given(noise)
def test_binding_agrees_on_random_text(text):
    assume(binding_can_take(text))
    expected = oracle(text)
    assume(expected is not None)
    try:
        got = [binding_shape(c) for c in dfix.parse(text, buildkit="0.12.5").buildkit_commands()]
    except dfix.ParseError as error:
        got = Rejected(normal_message(error.message))
    assert got == expected, first_difference(expected, got)


@pytest.mark.parametrize("line", [
    'HEALTHCHECK a \xa0 ["a", "b"]',
    'HEALTHCHECK CMD \u2003["a"]',
    'HEALTHCHECK --interval=5s CMD \u3000["a","b"]',
    'HEALTHCHECK CMD \xa0 echo hi',
    'HEALTHCHECK CMD \xa0 [bad',
])
def test_healthcheck_finds_json_past_unicode_spaces_as_buildkit_does(line: str) -> None:
    """Found by the property test above: BuildKit looks for the array past Go's Unicode spaces."""
    dockerfile = pytest.importorskip("dockerfile")
    text = "FROM a\n" + line + "\n"
    expected = dockerfile.parse_string(text)[1]
    got = dfix.parse(text).buildkit_commands()[1]
    assert (got.json, got.value) == (expected.json, expected.value)
    assert dfix.parse(text).code == text
