"""parse_shell: one shared parser, str offsets for non-ASCII text, errors as a flag."""

from __future__ import annotations

import pytest

from dfix.shell import parse_shell
from dfix.shell import parse as parse_module


def _words(tree, node=None):
    node = tree.root if node is None else node
    if node.type == "word":
        yield node
    for child in node.children:
        yield from _words(tree, child)


def test_parser_is_shared_between_calls():
    parse_shell("echo a")
    parser = parse_module.bash_parser()
    parse_shell("echo b")
    assert parse_module.bash_parser() is parser


def test_ascii_script_needs_no_offset_table():
    tree = parse_shell("apt-get install -y curl")
    assert tree.byte_to_str is None
    assert [tree.text(word) for word in _words(tree)] == ["apt-get", "install", "-y", "curl"]
    assert not tree.has_error


@pytest.mark.parametrize(
    "script",
    [
        "echo héllo wörld && touch ü",
        "echo 日本語 && ls 🐳 /tmp",
        "echo caf\udce9 && ls x\udcff y",  # surrogateescape-decoded Latin-1 bytes
        "echo \U0001f600\U0001f600 z",
    ],
)
def test_non_ascii_offsets_are_str_offsets(script):
    tree = parse_shell(script)
    for word in _words(tree):
        start, end = tree.span(word)
        assert script[start:end] == word.text.decode("utf-8", "surrogateescape")
    assert tree.span(tree.root) == (0, len(script))


def test_multibyte_text_builds_an_offset_table():
    assert parse_shell("echo ü").byte_to_str == [0, 1, 2, 3, 4, 5, 5, 6]
    # undecodable bytes stay one byte each, so offsets need no table
    assert parse_shell("echo \udce9").byte_to_str is None


def test_last_word_after_multibyte_text_ends_at_script_end():
    script = "echo ü z"
    tree = parse_shell(script)
    last = list(_words(tree))[-1]
    assert tree.span(last) == (7, 8)
    assert tree.text(last) == "z"


def test_lone_surrogate_outside_surrogateescape_range_does_not_raise():
    script = "echo \ud800 done"
    tree = parse_shell(script)
    assert tree.text(list(_words(tree))[-1]) == "done"


@pytest.mark.parametrize(
    "script",
    ['echo "unterminated', "a && && b", "if true; then echo", "(cd x", "case x in"],
)
def test_syntax_errors_are_flagged_not_raised(script):
    tree = parse_shell(script)
    assert tree.has_error


def test_valid_multiline_script_has_no_error():
    tree = parse_shell("set -e\n# install\napt-get update\napt-get install -y curl\n")
    assert not tree.has_error


def test_empty_script():
    tree = parse_shell("")
    assert not tree.has_error
    assert tree.span(tree.root) == (0, 0)
