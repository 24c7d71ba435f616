"""Every rule proves itself: its valid examples stay clean, its invalid ones fix exactly."""

from __future__ import annotations

import re

import pytest

import dfix
from dfix.engine import Invalid, Safety, Valid, all_rules

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
    found = [d for d in dfix.check(example.code, select=[rule.code, *example.also]) if d.code == rule.code]
    assert found == [], f"{rule.code} reported on a valid example ({example.why}): {found}"


@pytest.mark.parametrize("rule,example", list(_examples("invalid")))
def test_invalid_example_is_reported_and_fixed_exactly(rule, example: Invalid):
    if rule.code == "DF000":  # parse errors are raised, not reported by a rule
        with pytest.raises(dfix.ParseError):
            dfix.check(example.code)
        return
    select = [rule.code, *example.also]
    found = [d for d in dfix.check(example.code, select=select) if d.code == rule.code]
    assert found, f"{rule.code} missed an invalid example ({example.why})"
    expected = example.code if example.expected is None else example.expected
    result = dfix.fix(example.code, select=select, unsafe=example.unsafe)
    assert result.failed == (), [f.reason for f in result.failed]
    assert result.text == expected
    if example.expected is not None and rule.safety is Safety.UNSAFE and example.unsafe:
        # unsafe fixes never apply by default
        assert dfix.fix(example.code, select=select).text == example.code
    # a second pass changes nothing
    again = dfix.fix(result.text, select=select, unsafe=example.unsafe)
    assert again.text == result.text
    if example.expected is not None:
        dfix.parse(result.text)
