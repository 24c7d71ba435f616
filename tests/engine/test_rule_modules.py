"""Rules load one module at a time: each rule lives in the module named after it, and loading by code finds what a full scan finds."""

from __future__ import annotations

import pytest

import dfix.transforms
from dfix.engine import RuleSet, all_rules
from dfix.engine.catalogue import ENTRIES
from dfix.engine.registry import PackageRuleSet, rule_module_name


def test_every_rule_lives_in_the_module_named_after_it() -> None:
    """The convention that lets a run import only the rules it selects (``--select DF200``, ``dfix rule DF200``)."""
    misplaced = []
    for rule in all_rules():
        expected = f"dfix.transforms.{rule_module_name(rule.name)}"
        if rule.__module__ != expected:
            misplaced.append(
                f"{rule.code} ({rule.name}) is defined in {rule.__module__}: move it to transforms/"
                f"{rule_module_name(rule.name)}.py (one rule per module, named after the rule; shared code goes "
                "in a kit module transforms/_name.py)"
            )
    assert not misplaced, "\n".join(misplaced)


def test_each_rule_module_holds_one_rule() -> None:
    by_module: dict[str, list[str]] = {}
    for rule in all_rules():
        by_module.setdefault(rule.__module__, []).append(rule.code)
    shared = {module: codes for module, codes in by_module.items() if len(codes) > 1}
    assert not shared, f"modules with more than one rule (give each rule its own module): {shared}"


def test_loading_by_code_finds_what_a_full_scan_finds() -> None:
    scanned = RuleSet(all_rules())
    for rule in scanned.rules:
        lazy = PackageRuleSet([dfix.transforms])
        assert lazy.by_code(rule.code) is rule
        assert lazy.catalogue.implemented_codes == scanned.catalogue.implemented_codes


def test_a_lazy_set_selects_as_a_scanned_set_does() -> None:
    scanned = RuleSet(all_rules())
    lazy = PackageRuleSet(["dfix.transforms"])
    for selectors in (["ALL"], ["DF2"], ["DF200", "DL3015"], ["DF302"], ["apt-lists-not-removed"]):
        assert lazy.select(selectors) == scanned.select(selectors)
        assert lazy.select(selectors, ignore=["DF201"]) == scanned.select(selectors, ignore=["DF201"])
    assert lazy.rules == scanned.rules


def test_a_rule_in_a_module_named_otherwise_is_still_found(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Breaking the convention costs speed (every such module is imported), never a rule."""
    package = tmp_path / "extra_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "misnamed.py").write_text(
        "from dfix.engine import Rule\n"
        "class AptGetMissingYes(Rule):\n"
        "    code = 'DF201'\n"
        "    name = 'apt-get-missing-yes'\n"
        "    aliases = ('DL3014',)\n"
        "    summary = 'x'\n"
        "    def check(self, context):\n"
        "        return ()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    lazy = PackageRuleSet(["extra_rules"], ENTRIES)
    found = lazy.by_code("DF201")
    assert found is not None and found.__module__ == "extra_rules.misnamed"
    assert lazy.catalogue.implemented_codes == {"DF201"}


def test_a_rule_sharing_another_rules_module_is_still_found(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "shared_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "apt_get_missing_yes.py").write_text(
        "from dfix.engine import Rule\n"
        "class AptGetMissingYes(Rule):\n"
        "    code, name, aliases, summary = 'DF201', 'apt-get-missing-yes', ('DL3014',), 'x'\n"
        "    def check(self, context):\n"
        "        return ()\n"
        "class AptNoInstallRecommends(Rule):\n"
        "    code, name, aliases, summary = 'DF202', 'apt-no-install-recommends', ('DL3015',), 'y'\n"
        "    def check(self, context):\n"
        "        return ()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    lazy = PackageRuleSet(["shared_rules"], ENTRIES)
    assert lazy.catalogue.implemented_codes == {"DF201", "DF202"}
    found = PackageRuleSet(["shared_rules"], ENTRIES).by_code("DF202")
    assert found is not None and found.__name__ == "AptNoInstallRecommends"
