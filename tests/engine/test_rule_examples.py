"""Every rule proves itself: its valid examples stay clean, its invalid ones fix exactly.

An invalid example may also pin its first finding's message and position;
the last tests prove that checking on a rule that exists only here.
"""

from __future__ import annotations

import re

import pytest

import dfix
from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid, all_rules, run_rules

RULES = all_rules()


def test_rules_are_registered():
    assert RULES, "no rules found in dfix.transforms"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_metadata(rule):
    assert re.fullmatch(r"DF\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary and rule.__doc__, f"{rule.code} needs a summary and a docstring"
    assert isinstance(rule.safety, Safety)
    assert rule.valid, f"{rule.code} has no valid examples"
    assert rule.invalid, f"{rule.code} has no invalid examples"


def _examples(kind):
    for rule in RULES:
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


@pytest.mark.parametrize("rule,example", list(_examples("valid")))
def test_valid_example_is_not_reported(rule, example: Valid):
    found = [d for d in dfix.check(example.code, select=[rule.code, *example.also], settings=_settings(rule, example),
                                   build_context=_context(example))
             if d.code == rule.code]
    assert found == [], f"{rule.code} reported on a valid example ({example.why}): {found}"


def _does_not_parse(text: str) -> bool:
    try:
        dfix.parse(text)
    except dfix.ParseError:
        return True
    return False
def _context(example):
    """The example's build context, held in memory (None: the example has none)."""
    from dfix.engine import BuildContext

    return BuildContext.of_files(example.context) if example.context is not None else None


def _settings(rule, example) -> dict[str, dict] | None:
    """The example's own rule options, as a configuration would give them."""
    return {rule.code: dict(example.options)} if example.options else None


@pytest.mark.parametrize("rule,example", list(_examples("invalid")))
def test_invalid_example_is_reported_and_fixed_exactly(rule, example: Invalid):
    if rule.code == "DF000" and _does_not_parse(example.code):  # raised, not reported by a rule
        with pytest.raises(dfix.ParseError):
            dfix.check(example.code)
        return
    select = [rule.code, *example.also]
    settings = _settings(rule, example)
    context = _context(example)
    found = [d for d in dfix.check(example.code, select=select, settings=settings, build_context=context)
             if d.code == rule.code]
    assert found, f"{rule.code} missed an invalid example ({example.why})"
    assert not pin_mismatches(example, found), pin_mismatches(example, found)
    expected = example.code if example.expected is None else example.expected
    result = dfix.fix(example.code, select=select, unsafe=example.unsafe, settings=settings, build_context=context)
    assert result.failed == (), [f.reason for f in result.failed]
    assert result.text == expected
    if example.expected is not None and rule.safety is Safety.UNSAFE and example.unsafe:
        # unsafe fixes never apply by default
        assert dfix.fix(example.code, select=select, settings=settings, build_context=context).text == example.code
    # a second pass changes nothing
    again = dfix.fix(result.text, select=select, unsafe=example.unsafe, settings=settings, build_context=context)
    assert again.text == result.text
    if example.expected is not None:
        dfix.parse(result.text)


def pin_mismatches(example: Invalid, found: list[Diagnostic]) -> list[str]:
    """How the first finding differs from what the example pins (message, line, column); empty when it agrees."""
    first = min(found, key=lambda diagnostic: (diagnostic.span.line, diagnostic.span.column))
    pinned = {"message": example.message, "line": example.line, "column": example.column}
    actual = {"message": first.message, "line": first.span.line, "column": first.span.column}
    return [
        f"{field}: the example expects {pinned[field]!r}, the rule gives {actual[field]!r}"
        for field in pinned
        if pinned[field] is not None and pinned[field] != actual[field]
    ]


class LowerCaseKeyword(Rule):
    """A rule for these tests only: instruction keywords written in lower case."""

    code = "DF999"
    name = "lower-case-keyword"
    summary = "Instruction keyword in lower case"

    def check(self, context: Context):
        for instruction in context.tree.instructions:
            token = instruction.keyword_token
            keyword = str(token)
            if keyword.islower():
                where = context.span(token.start_pos, token.end_pos)  # the keyword, not the indentation before it
                yield self.diagnostic(where, f"`{keyword}` is written in lower case")


PINNED_TEXT = "FROM debian\nRUN true\n  run false\n"


def findings_of(text: str) -> list[Diagnostic]:
    return run_rules(dfix.parse(text), [LowerCaseKeyword()])


def test_an_example_that_pins_nothing_agrees_with_any_finding():
    assert pin_mismatches(Invalid(PINNED_TEXT), findings_of(PINNED_TEXT)) == []


def test_an_example_pinning_the_right_message_and_position_agrees():
    example = Invalid(PINNED_TEXT, message="`run` is written in lower case", line=3, column=3)
    assert pin_mismatches(example, findings_of(PINNED_TEXT)) == []


@pytest.mark.parametrize(
    ("pins", "complaint"),
    [
        ({"message": "`RUN` is written in lower case"}, "message: the example expects '`RUN` is written in lower case', "
         "the rule gives '`run` is written in lower case'"),
        ({"line": 2}, "line: the example expects 2, the rule gives 3"),
        ({"column": 1}, "column: the example expects 1, the rule gives 3"),
    ],
)
def test_an_example_pinning_a_wrong_message_or_position_is_named(pins, complaint):
    assert pin_mismatches(Invalid(PINNED_TEXT, **pins), findings_of(PINNED_TEXT)) == [complaint]


def test_the_first_finding_in_the_file_is_the_one_pinned():
    text = "from debian\nrun true\n"
    findings = findings_of(text)
    assert len(findings) == 2
    assert pin_mismatches(Invalid(text, message="`from` is written in lower case", line=1, column=1), findings) == []
    assert pin_mismatches(Invalid(text, line=2), findings) == ["line: the example expects 2, the rule gives 1"]
