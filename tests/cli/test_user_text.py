"""What users read speaks to them: no design-document sections, guard ids or code file names.

Rule explanations (``dfix rule``), the titles of their examples, and the
messages and notes their findings carry are all shown to users; the guard
ids and section numbers of the design documents mean nothing to them.
"""

from __future__ import annotations

import re

import pytest

import dfix
from dfix.engine import all_rules
from dfix.engine import runs
from dfix.explain import plain_rule

#: A design document's name, a section number, or a guard id such as ``(G1)`` or ``G9)``.
INTERNAL_REFERENCE = re.compile(
    r"\b(?:rules|syntax|ux|architecture|pitfalls|registry|style)\.md\b|§\s?\d|\(G\d+\b|\bG\d+\)|\bG[1-9]:"
)

RULES = all_rules()


def _internal(texts) -> list[str]:
    return [text for text in texts if text and INTERNAL_REFERENCE.search(text)]


def test_the_pattern_finds_what_it_is_meant_to():
    assert _internal(["exec form (G1)", "see rules.md", "ux.md §4", "swallow it, G9)", "G5: only words"]) == [
        "exec form (G1)", "see rules.md", "ux.md §4", "swallow it, G9)", "G5: only words",
    ]
    assert not _internal(["a G10 grade", "SC2086", "python3.12", "Go 1.22"])


def test_run_view_guards_speak_to_users():
    guards = [value for value in vars(runs).values() if isinstance(value, runs.Guard)]
    assert guards
    assert not _internal(text for guard in guards for text in (guard.note, guard.append_note))


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_explanation_has_no_internal_reference(rule):
    assert not _internal(plain_rule(rule).splitlines())


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_findings_of_rule_examples_have_no_internal_reference(rule):
    said: list[str] = []
    for example in [*rule.invalid, *rule.valid]:
        try:
            found = dfix.check(example.code, select=[rule.code], settings={rule.code: dict(example.options)})
        except dfix.ParseError:
            continue
        for diagnostic in found:
            said += [diagnostic.message, diagnostic.note or ""]
            if diagnostic.fix is not None:
                said += [diagnostic.fix.title, diagnostic.fix.assumes]
    assert not _internal(said)
