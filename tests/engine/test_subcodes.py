"""Sub-codes: ShellCheck's SC codes inside DF629 are selected, ignored, suppressed and re-rated like rule codes."""

from __future__ import annotations

from pathlib import Path

import pytest

import dfix
from dfix.config import ConfigResolver
from dfix.engine import SubcodeFilter, owner_of
from dfix.engine.subcodes import EXCLUDED, add_codes, as_selectors, remove_codes
from dfix.process import process, task_for
from dfix.shell import find_shellcheck

needs_shellcheck = pytest.mark.skipif(find_shellcheck() is None, reason="ShellCheck is not installed")

#: Two ShellCheck findings on one line: SC2086 (info) and SC2154 (warning), on `$x`.
TWO_CODES = "FROM debian:12\nRUN echo $x\n"


def owner(code: str) -> str | None:
    return "DF629" if code.upper().startswith("SC") else None


# -- the algebra -------------------------------------------------------------------------------


def test_a_filter_admits_what_its_selection_names():
    everything = SubcodeFilter()
    assert everything.admits("SC2086") and everything.admits(None)
    but_one = SubcodeFilter(every=True, excluded=frozenset({"SC2086"}))
    assert not but_one.admits("SC2086") and but_one.admits("SC2154")
    only_one = SubcodeFilter(every=False, included=frozenset({"SC2086"}))
    assert only_one.admits("sc2086") and not only_one.admits("SC2154")
    assert only_one.admits(None), "a finding without a sub-code is the rule's own"


def test_removing_a_subcode_of_a_selected_rule_leaves_an_exclusion():
    codes = {"DF100", "DF629"}
    remove_codes(codes, ["SC2086"], owner)
    assert codes == {"DF100", "DF629", EXCLUDED + "SC2086"}
    add_codes(codes, ["SC2086"], owner)  # selected again
    assert codes == {"DF100", "DF629", "SC2086"}


def test_a_rule_takes_its_subcodes_with_it():
    codes = {"DF629", EXCLUDED + "SC2086", "SC2154"}
    remove_codes(codes, ["DF629"], owner)
    assert codes == set()
    codes = {"DF629", EXCLUDED + "SC2086"}
    add_codes(codes, ["DF629"], owner)
    assert codes == {"DF629"}, "selecting the rule selects all of it"


def test_a_resolved_set_turns_back_into_selectors():
    assert as_selectors({"DF629", "DF100", EXCLUDED + "SC2086"}) == (["DF100", "DF629"], ["SC2086"])


def test_shellcheck_codes_belong_to_df629():
    assert owner_of("SC2086") == "DF629"
    assert owner_of("sc1091") == "DF629"
    assert owner_of("DL3008") is None and owner_of("DF629") is None


# -- the engine API ----------------------------------------------------------------------------


def subcodes(found) -> list[str]:
    return sorted(d.subcode for d in found if d.code == "DF629")


@needs_shellcheck
def test_select_and_ignore_take_subcodes():
    assert subcodes(dfix.check(TWO_CODES, select=["DF629"])) == ["SC2086", "SC2154"]
    assert subcodes(dfix.check(TWO_CODES, select=["SC2086"])) == ["SC2086"]
    assert subcodes(dfix.check(TWO_CODES, select=["DF629"], ignore=["SC2086"])) == ["SC2154"]
    assert subcodes(dfix.check(TWO_CODES, select=["ALL"], ignore=["sc2154"])) == ["SC2086"]
    # a sub-code is more specific than its rule
    assert subcodes(dfix.check(TWO_CODES, select=["SC2086"], ignore=["DF629"])) == ["SC2086"]
    assert subcodes(dfix.check(TWO_CODES, select=["DF1"])) == []


@needs_shellcheck
@pytest.mark.parametrize("comment", ["# hadolint ignore=SC2086", "# dfix: ignore[SC2086]", "# dfix: ignore=SC2086,DF100"])
def test_suppression_comments_silence_one_subcode(comment):
    text = f"FROM debian:12\n{comment}\nRUN echo $x\n"
    found = dfix.check(text, select=["ALL"])
    assert subcodes(found) == ["SC2154"]
    assert not [d for d in found if d.code in ("DF003", "DF001")], "a known code, used: neither unknown nor unused"


@needs_shellcheck
def test_suppressing_the_rule_silences_every_subcode():
    text = "FROM debian:12\n# dfix: ignore[DF629]\nRUN echo $x\n"
    assert subcodes(dfix.check(text, select=["DF629"])) == []


# -- configuration and the per-file run ----------------------------------------------------------


def run_file(tmp_path: Path, config: str) -> list:
    (tmp_path / ".dfix.toml").write_text(config)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(TWO_CODES)
    settings = ConfigResolver(cwd=tmp_path).settings_for(dockerfile)
    return list(process(task_for(str(dockerfile), "check", settings)).result.diagnostics)


@needs_shellcheck
def test_configuration_ignores_a_subcode(tmp_path):
    found = run_file(tmp_path, '[lint]\nselect = ["DF629"]\nignore = ["SC2086"]\n')
    assert subcodes(found) == ["SC2154"]


@needs_shellcheck
def test_configuration_selects_a_subcode_alone(tmp_path):
    found = run_file(tmp_path, '[lint]\nselect = ["SC2154"]\n')
    assert subcodes(found) == ["SC2154"]


@needs_shellcheck
def test_per_file_ignores_take_a_subcode(tmp_path):
    found = run_file(tmp_path, '[lint]\nselect = ["DF629"]\nper-file-ignores = { "Dockerfile" = ["SC2154"] }\n')
    assert subcodes(found) == ["SC2086"]


@needs_shellcheck
def test_a_severity_set_for_a_subcode_applies_to_it_alone(tmp_path):
    found = run_file(tmp_path, '[lint]\nselect = ["DF629"]\n[lint.severity]\nSC2086 = "error"\n')
    severities = {d.subcode: d.severity for d in found}
    assert severities == {"SC2086": "error", "SC2154": "warning"}
