"""Words: text as written, value after quote removal, expansion and glob flags."""

from __future__ import annotations

import pytest

from dfix.shell import analyze


def _args(script: str):
    """Arguments of the first command of ``script``."""
    return analyze(script).commands[0].args


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("curl", "curl"),
        ('"foo bar"', "foo bar"),
        ("'foo bar'", "foo bar"),
        ('cu"rl"', "curl"),
        ("'a'\"b\"c", "abc"),
        ("foo\\ bar", "foo bar"),
        ('"a\\"b"', 'a"b'),
        ('"a\\b"', "a\\b"),  # in double quotes \b is two characters
        ("'a\\b'", "a\\b"),
        ('""', ""),
        ("''", ""),
        ("ca-certificates=2023*", "ca-certificates=2023*"),
        ("'pkg>=1.0'", "pkg>=1.0"),
        ("10", "10"),
        ('-o"Dpkg::Options::=--force-confold"', "-oDpkg::Options::=--force-confold"),
        ('"é ü"', "é ü"),
    ],
)
def test_literal_values(written, value):
    (word,) = _args(f"echo {written}")
    assert word.text == written
    assert word.value == value
    assert word.is_literal
    assert not word.has_expansion


@pytest.mark.parametrize(
    "written",
    ["$EXTRA", "${EXTRA:-x}", '"$HOME/bin"', "$(cat requirements.txt)", "`uname -m`",
     "pre$((1+2))", "x$Y", "<(ls)"],
)
def test_expansions_have_no_value(written):
    (word,) = _args(f"echo {written}")
    assert word.text == written
    assert word.value is None
    assert not word.is_literal
    assert word.has_expansion


def test_ansi_c_string_is_not_a_literal_nor_an_expansion():
    (word,) = _args("echo $'a\\tb'")
    assert word.value is None
    assert not word.has_expansion


@pytest.mark.parametrize(
    ("written", "glob"),
    [("/var/lib/apt/lists/*", True), ("file?.txt", True), ("[ab].deb", True),
     ("'*.deb'", False), ('"*"', False), ("\\*", False), ("{a,b}", True), ("plain", False)],
)
def test_glob_flag_only_for_unquoted_patterns(written, glob):
    (word,) = _args(f"rm {written}")
    assert word.has_glob is glob


def test_spans_point_into_the_script():
    script = 'apt-get install -y "foo bar" ü $X'
    words = analyze(script).commands[0].words
    assert [script[w.start:w.end] for w in words] == [w.text for w in words]
    assert [w.text for w in words] == ["apt-get", "install", "-y", '"foo bar"', "ü", "$X"]
    assert words[-1].start == len(script) - 2


def test_is_option_sees_through_quotes():
    first, second, third = _args("cmd '-y' -- $FLAG")
    assert first.is_option
    assert second.is_option
    assert not third.is_option
