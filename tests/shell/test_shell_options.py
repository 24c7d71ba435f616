"""Option splitting: combined short flags, attached and separate arguments, `--`."""

from __future__ import annotations

from dfix.shell import Option, OptionGrammar, analyze, find_option, iter_arguments
from dfix.shell.options import option_matches

GRAMMAR = OptionGrammar(frozenset("ot"), frozenset({"--target-release"}))


def items(script: str, grammar: OptionGrammar = GRAMMAR):
    words = analyze(script).commands[0].words
    return [item for _, item in iter_arguments(words, grammar, 1)]


def describe(item):
    if isinstance(item, Option):
        return ("option", item.name, item.letters, item.argument, item.has_argument)
    return ("operand", item.value)


def test_clusters_and_arguments():
    assert [describe(i) for i in items("p -qqy -o A=1 -oB=2 -qt x --target-release=y --target-release z w")] == [
        ("option", "-qqy", "qqy", None, False),
        ("option", "-o", "o", "A=1", True),
        ("option", "-o", "o", "B=2", True),
        ("option", "-qt", "qt", "x", True),
        ("option", "--target-release", "", "y", True),
        ("option", "--target-release", "", "z", True),
        ("operand", "w"),
    ]


def test_double_dash_ends_options():
    assert [describe(i) for i in items("p -y -- -x y")] == [
        ("option", "-y", "y", None, False),
        ("option", "--", "", None, False),
        ("operand", "-x"),
        ("operand", "y"),
    ]


def test_non_permuting_grammar_stops_at_first_operand():
    grammar = OptionGrammar(permute=False)
    assert [describe(i) for i in items("p -a b -c", grammar)] == [
        ("option", "-a", "a", None, False),
        ("operand", "b"),
        ("operand", "-c"),
    ]


def test_dynamic_option_argument():
    (option,) = items("p -o$OPT")
    assert (option.name, option.argument, option.has_argument) == ("-o", None, True)
    (long_option,) = items("p --target-release=$R")
    assert (long_option.name, long_option.argument, long_option.has_argument) == ("--target-release", None, True)


def test_option_missing_its_argument_at_the_end():
    (option,) = items("p -o")
    assert (option.name, option.has_argument, len(option.words)) == ("-o", False, 1)


def test_matching_rules():
    (cluster,) = items("p -qy")
    assert option_matches(cluster, "-y") and option_matches(cluster, "-q")
    assert not option_matches(cluster, "--yes")
    (wget_style,) = items("p -nv")
    assert option_matches(wget_style, "-nv")
    (long_option,) = items("p --no-cache-dir")
    assert option_matches(long_option, "--no-cache-dir")
    assert not option_matches(long_option, "-n")
    assert find_option([cluster, long_option], "--nope", "-y") is cluster
    assert find_option([cluster], "-x") is None


def test_lone_dash_is_an_operand():
    assert [describe(i) for i in items("p -")] == [("operand", "-")]
