"""The rule catalogue and the rule set: planned rules next to the implemented ones, one selector resolver."""

from __future__ import annotations

from msgspec.structs import replace

import pytest

import dfix.transforms
from dfix import parse
from dfix.engine import (
    RULE_TAGS, Entry, Invalid, Rule, RuleSet, SelectorError, Valid, all_rules, catalogue, describe, resolve,
)
from dfix.engine.catalogue import ENTRIES, Catalogue, disagreements
from dfix.engine.suppress import Suppressions, parse_comment


def test_the_catalogue_and_the_rule_classes_agree():
    """Every rule class has a row marked implemented with its name and aliases; no row claims a class that is missing."""
    problems = disagreements(all_rules())
    assert not problems, "the catalogue (dfix/engine/catalogue.py) and the rule classes disagree:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda rows: [replace(row, implemented=False) if row.code == "DF201" else row for row in rows],
         "DF201 is implemented but marked planned"),
        (lambda rows: [replace(row, implemented=True) if row.code == "DF209" else row for row in rows],
         "DF209 is marked implemented but no rule class has that code"),
        (lambda rows: [replace(row, aliases=()) if row.code == "DF204" else row for row in rows],
         "DF204: the catalogue's aliases () differ from its class's ('CKV_DOCKER_5', 'DS-0017')"),
        (lambda rows: [replace(row, name="apt-yes") if row.code == "DF201" else row for row in rows],
         "DF201: the catalogue names it 'apt-yes', its class 'apt-get-missing-yes'"),
        (lambda rows: [row for row in rows if row.code != "DF100"], "DF100 is implemented but not in the catalogue"),
    ],
)
def test_disagreements_are_found(change, problem):
    assert problem in disagreements(all_rules(), change(list(ENTRIES)))


def test_describe_knows_implemented_and_planned_codes():
    implemented = describe("df201")
    assert implemented is not None and implemented.implemented
    assert implemented.summary == next(rule.summary for rule in all_rules() if rule.code == "DF201")
    planned = describe("DF501")
    assert planned is not None and planned.name == "hardcoded-secret-value" and not planned.implemented
    assert describe("DF999") is None


def test_one_resolver_for_every_kind_of_selector():
    cat = catalogue()
    assert cat.resolve_one("DL3059").implemented == {"DF100"}
    assert cat.resolve_one("consecutive-run").implemented == {"DF100"}
    assert cat.resolve_one("hardcoded-secret-value").implemented == set()
    assert cat.resolve_one("hardcoded-secret-value").planned == {"DF501"}
    assert cat.resolve_one("SC2086").implemented == {"SC2086"}  # ShellCheck codes name themselves
    prefix = cat.resolve_one("DF2")
    assert "DF201" in prefix.implemented and "DF222" in prefix.planned
    assert cat.resolve_one("ALL").implemented == {rule.code for rule in all_rules()}
    with pytest.raises(SelectorError, match=r"unknown rule selector 'apt-get-missing-ys' \(did you mean apt-get-missing-yes\?\)"):
        cat.resolve_one("apt-get-missing-ys")
    with pytest.raises(SelectorError, match="empty rule selector"):
        cat.resolve_one(" ")


def test_running_a_planned_rule_is_refused_by_name():
    """The engine cannot run a rule it does not have; configuration accepts the code (with a warning) instead."""
    with pytest.raises(SelectorError, match=r"hardcoded-secret-value \(DF501 hardcoded-secret-value: .*\) is planned, not implemented in this version"):
        resolve(["hardcoded-secret-value"])
    assert resolve(["DF2", "DL3014"]) >= {"DF201"}


def test_the_engine_takes_its_rules_from_the_caller():
    class Shout(Rule):
        """Reports every FROM (a rule of someone else's package)."""

        code = "DF999"
        name = "shout"
        summary = "every FROM"
        valid = (Valid("ARG x\n"),)
        invalid = (Invalid("FROM a\n"),)

        def check(self, context):
            for instruction in context.tree.instructions:
                yield self.diagnostic(instruction, "FROM")

    own = RuleSet([Shout])
    assert own.rules == (Shout,)
    assert own.select(["DF9"]) == (Shout,)
    assert own.catalogue.describe("DF999").summary == "every FROM"  # type: ignore[union-attr]
    with pytest.raises(SelectorError):
        own.select(["DF201"])  # dfix's own rules are not in this set: DF201 is only a catalogue row here
    assert RuleSet.from_packages([dfix.transforms]).rules == all_rules()
    assert RuleSet.from_packages(["dfix.transforms"]).rules == all_rules()


def test_suppression_codes_go_through_the_resolver_given():
    tree = parse("FROM debian\n# dfix: ignore[DL3014, mine]\nRUN apt-get install x\n")
    comment = next(item for item in tree.items if getattr(item, "code", "").startswith("# dfix"))
    mine = parse_comment(comment, lambda code: frozenset({"DF777"}) if code == "mine" else frozenset())
    assert mine is not None and mine.codes == {"DF777"} and mine.unknown == ("DL3014",)
    default = parse_comment(comment)  # the engine's rule set
    assert default is not None and default.codes == {"DF201"} and default.unknown == ("mine",)
    assert Suppressions.of(tree, resolve_code=lambda code: frozenset()).items[0].unknown == ("DL3014", "mine")


def test_tags_replace_lists_of_codes_upstairs():
    tagged = {rule.code: rule.tags for rule in all_rules() if rule.tags}
    assert {code for code, tags in tagged.items() if "registry" in tags} == {"DF300", "DF301", "DF302"}
    assert {code for code, tags in tagged.items() if "digest-pin" in tags} == {"DF302"}
    assert all(tags <= RULE_TAGS for tags in tagged.values())


def test_a_catalogue_for_other_rules_keeps_the_planned_rows():
    cat = Catalogue([], ENTRIES)
    assert not any(entry.implemented for entry in cat.entries)
    assert cat.matching("DF201") == frozenset()
    assert cat.resolve_one("DF201").planned == {"DF201"}
