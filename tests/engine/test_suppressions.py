"""Suppression comments silence exactly what they name, where they say."""

from __future__ import annotations

import pytest

import dfix

INSTALL = "RUN apt-get install curl\n"


def codes(text: str, select=("DF201",)) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in dfix.check(text, select=list(select))]


@pytest.mark.parametrize(
    "comment",
    [
        "# dfix: ignore[DF201] -- vendor script answers itself",
        "# dfix: ignore[DF201]",
        "# dfix: ignore=DF201,DF200",
        "# dfix: ignore[apt-get-missing-yes]",
        "# dfix: ignore[DL3014]",
        "# dfix: ignore[DF2] # prefix, hadolint-style reason",
        "# dfix: ignore",
        "# hadolint ignore=DL3014",
        "# hadolint ignore=DL3008,DL3014",
    ],
)
def test_next_instruction_suppressed(comment):
    text = f"FROM debian\n{comment}\n{INSTALL}{INSTALL}"
    assert codes(text) == [("DF201", 4)]


def test_blank_lines_and_comments_may_sit_between():
    text = f"FROM debian\n# dfix: ignore[DF201]\n\n# installs curl\n{INSTALL}"
    assert codes(text) == []


def test_other_codes_do_not_suppress():
    text = f"FROM debian\n# dfix: ignore[DF200]\n{INSTALL}"
    assert codes(text) == [("DF201", 3)]


def test_file_scope():
    text = f"# dfix: ignore-file[DF201]\nFROM debian\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == []
    text = f"FROM debian\n# hadolint global ignore=DL3014\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == []


def test_stage_scope():
    text = f"# dfix: ignore-stage[DF201] -- builder runs as root\nFROM debian AS build\n{INSTALL}FROM debian\n{INSTALL}"
    assert codes(text) == [("DF201", 5)]


def test_buildkit_check_skip_directive():
    # DF201 has no BuildKit alias, so skip=all is the only way to reach it
    assert codes(f"# check=skip=all\nFROM debian\n{INSTALL}") == []
    assert codes(f"# check=skip=JSONArgsRecommended\nFROM debian\n{INSTALL}") == [("DF201", 3)]


def test_suppressed_findings_are_not_fixed():
    text = f"FROM debian\n# dfix: ignore[DF201]\n{INSTALL}"
    assert dfix.fix(text, select=["DF201"]).text == text


def test_unused_suppression_reported_and_removed():
    text = "FROM debian\n# dfix: ignore[DF201]\nRUN apt-get install -y curl\n"
    found = dfix.check(text, select=["DF201", "DF001"])
    assert [(d.code, d.line) for d in found] == [("DF001", 2)]
    assert dfix.fix(text, select=["DF201", "DF001"]).text == "FROM debian\nRUN apt-get install -y curl\n"


def test_unknown_code_reported():
    found = dfix.check(f"FROM debian\n# dfix: ignore[DF2O1]\n{INSTALL}", select=["DF003"])
    assert [d.code for d in found] == ["DF003"]


# -- the run's policy: --ignore-suppressions and lint.foreign-suppressions -------------

META = ("DF001", "DF002", "DF003")

#: One suppression of each dialect and scope, each silencing a DF201 finding.
SUPPRESSED = {
    "dfix next instruction": f"FROM debian\n# dfix: ignore[DF201] -- vendor script\n{INSTALL}",
    "dfix blanket": f"FROM debian\n# dfix: ignore\n{INSTALL}",
    "dfix stage": f"# dfix: ignore-stage[DF201]\nFROM debian\n{INSTALL}",
    "dfix file": f"# dfix: ignore-file[DL3014]\nFROM debian\n{INSTALL}",
    "hadolint": f"FROM debian\n# hadolint ignore=DL3014\n{INSTALL}",
    "hadolint global": f"FROM debian\n# hadolint global ignore=DL3014\n{INSTALL}",
    "buildkit": f"# check=skip=all\nFROM debian\n{INSTALL}",
}


@pytest.mark.parametrize("text", SUPPRESSED.values(), ids=SUPPRESSED.keys())
def test_ignoring_suppressions_reports_as_if_the_comments_were_absent(text):
    select = ["DF201", *META]
    assert "DF201" not in [d.code for d in dfix.check(text, select=select)]
    found = dfix.check(text, select=select, honor_suppressions=False)
    assert [(d.code, d.line) for d in found] == [("DF201", 3)]


@pytest.mark.parametrize("text", SUPPRESSED.values(), ids=SUPPRESSED.keys())
def test_ignoring_suppressions_fixes_what_they_silenced_and_keeps_the_comments(text):
    select = ["DF201", *META]
    assert dfix.fix(text, select=select).text == text
    result = dfix.fix(text, select=select, honor_suppressions=False)
    assert result.text == text.replace("install curl", "install -y curl")
    assert [d.code for d in result.applied] == ["DF201"]
    assert result.diagnostics == ()  # and the comment, now unused, is not reported either


def test_unused_suppressions_are_not_judged_nor_removed_when_ignored():
    text = "FROM debian\n# dfix: ignore[DF201]\n# hadolint ignore=DL3014\nRUN apt-get install -y curl\n"
    assert [d.code for d in dfix.check(text, select=["DF201", "DF001"])] == ["DF001", "DF001"]
    assert dfix.check(text, select=["DF201", "DF001"], honor_suppressions=False) == []
    result = dfix.fix(text, select=["DF201", "DF001"], unsafe=True, honor_suppressions=False)
    assert result.text == text and result.applied == ()


def test_blanket_and_unknown_code_comments_are_not_judged_when_ignored():
    text = f"FROM debian\n# dfix: ignore\n# dfix: ignore[DF2O1]\n{INSTALL}"
    assert {d.code for d in dfix.check(text, select=list(META))} >= {"DF002", "DF003"}
    assert dfix.check(text, select=list(META), honor_suppressions=False) == []


def test_rules_that_read_suppressions_follow_the_policy():
    # DF100 keeps RUNs a suppression separates apart; ignoring it, they are reported like any others
    # (a comment line between two RUNs is a section boundary, so they are still not merged)
    text = "FROM debian\nRUN apt-get update\n# dfix: ignore[DF100]\nRUN apt-get install -y curl\n"
    assert dfix.check(text, select=["DF100", "DF001"]) == []
    found = dfix.check(text, select=["DF100", "DF001"], honor_suppressions=False)
    assert [(d.code, d.fix is not None) for d in found] == [("DF100", False)]
    assert dfix.fix(text, select=["DF100", "DF001"], honor_suppressions=False).text == text


def test_policy_lasts_only_for_its_run():
    from dfix.engine.suppress import SuppressionPolicy, Suppressions, _policy

    text = f"FROM debian\n# dfix: ignore[DF201]\n{INSTALL}"
    dfix.check(text, select=["DF201"], honor_suppressions=False)
    assert _policy.get() == SuppressionPolicy()
    assert len(Suppressions.of(dfix.parse(text)).items) == 1
    assert dfix.check(text, select=["DF201"]) == []


def test_policy_is_restored_when_a_rule_raises():
    from dfix.engine import Rule, run_rules
    from dfix.engine.suppress import SuppressionPolicy, _policy

    class Broken(Rule):
        code = "DF999"
        name = "broken"

        def check(self, context):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_rules(dfix.parse("FROM debian\n"), [Broken()], honor_suppressions=False)
    assert _policy.get() == SuppressionPolicy()


#: Line 4 is silenced by dfix's own comment, line 6 by hadolint's, and everything by ``# check=skip=``.
DIALECTS = (
    "# check=skip=DL3014\nFROM debian\n# dfix: ignore[DF201]\n" + INSTALL
    + "# hadolint ignore=DL3014\n" + INSTALL + "FROM debian\n" + INSTALL
)


@pytest.mark.parametrize(
    ("foreign", "expected"),
    [
        (None, []),
        (("hadolint", "buildkit", "tally"), []),
        (("buildkit",), []),
        (("hadolint",), [8]),
        (("tally",), [6, 8]),
        ((), [6, 8]),  # dfix's own comments are always honoured
    ],
)
def test_foreign_suppressions_choose_the_dialects_honoured(foreign, expected):
    found = dfix.check(DIALECTS, select=["DF201"], foreign_suppressions=foreign)
    assert [d.line for d in found] == expected


def test_foreign_suppressions_may_be_any_iterable_even_across_fix_rounds():
    result = dfix.fix(DIALECTS, select=["DF201"], foreign_suppressions=iter(["hadolint"]))
    assert [d.line for d in result.applied] == [8]
    assert result.text.count("install -y curl") == 1


def test_a_dialect_not_honoured_is_not_a_suppression_at_all():
    # so DF001 does not call it unused, and its fix does not delete it
    text = "FROM debian\n# hadolint ignore=DL3014\nRUN apt-get install -y curl\n"
    assert [d.code for d in dfix.check(text, select=["DF201", "DF001"])] == ["DF001"]
    assert dfix.check(text, select=["DF201", "DF001"], foreign_suppressions=["buildkit"]) == []
    assert dfix.fix(text, select=["DF201", "DF001"], unsafe=True, foreign_suppressions=[]).text == text
