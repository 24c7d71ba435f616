"""Finding the rules: every ``Rule`` subclass in the packages the caller names.

The engine does not know where rules live. A :class:`RuleSet` is made from
rule packages (or rule classes) its caller passes; the package front
(``dfix/__init__.py``) names ``dfix.transforms`` as the default with
:func:`use_rule_packages`, and the module functions below (:func:`all_rules`,
:func:`select` ...) answer for that default set. Suppression comments resolve
their codes through the same set: this module hands
:mod:`.suppress` a resolver, so suppression parsing never imports the rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cached_property
from types import ModuleType
from typing import Iterable, Sequence

from .. import rule_packages
from . import suppress
from .catalogue import ENTRIES, Catalogue, Entry, SelectorError
from .rule import Rule
from .subcodes import SubcodeFilter

__all__ = [
    "PackageRuleSet", "RuleSet", "SelectorError", "all_rules", "catalogue", "default_rules", "describe", "owner_of",
    "resolve", "rule_by_code", "rule_module_name", "select", "subcode_filter", "unavailable_notes", "use_rule_packages",
]


class RuleSet:
    """The rule classes one run can use, sorted by code, and the catalogue around them."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        self.rules: tuple[type[Rule], ...] = _sorted_by_code(rules)

    @classmethod
    def from_packages(cls, packages: Iterable[ModuleType | str]) -> "RuleSet":
        """Every concrete rule class (one with a ``code``) in the modules of ``packages`` (modules or dotted names).

        The modules are imported as rules are asked for (see :class:`PackageRuleSet`).
        """
        return PackageRuleSet(packages)

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.rules)

    def by_code(self, code: str) -> type[Rule] | None:
        return next((rule for rule in self.rules if rule.code == code.upper()), None)

    def owner_of(self, code: str) -> str | None:
        """The code of the rule whose sub-code ``code`` is (``SC2086`` -> ``DF629``), or None."""
        key = code.strip().upper()
        owners = self._owners
        if key not in owners and (self.catalogue.describe(key) is not None or key == "ALL"):
            owners[key] = None  # a rule's own code, no sub-code: answered without loading every rule
        if key not in owners:
            owners[key] = next((rule.code for rule in self.rules if rule.owns_subcode(key)), None)
        return owners[key]

    @cached_property
    def _owners(self) -> dict[str, str | None]:
        return {}

    def resolve(self, selectors: Iterable[str]) -> set[str]:
        """Codes of the rules selectors name; :class:`SelectorError` for one that names no rule this set has."""
        codes: set[str] = set()
        for selector in selectors:
            resolution = self.catalogue.resolve_one(selector)
            if resolution.planned and not resolution.implemented:
                raise SelectorError(self.catalogue.unimplemented_note(selector) or f"{selector!r} is not implemented")
            codes |= resolution.implemented
        return codes

    def select(
        self,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
    ) -> tuple[type[Rule], ...]:
        """The rule classes a run uses: ``select`` (default ``ALL``) plus ``extend_select``, minus ``ignore``.

        A default-off rule (DF302) is selected only by its own code, name or alias.
        Only the chosen rules' classes are loaded.
        """
        selectors = list(select if select is not None else ["ALL"]) + list(extend_select)
        chosen = self.resolve(selectors) - self.resolve(ignore)
        # A selected sub-code (SC2086) runs the rule that owns it, even where the rule itself is ignored.
        # (Only codes that are no rule's own are looked up, so a plain selection loads only its rules.)
        owners = {
            owner for code in chosen
            if self.catalogue.describe(code) is None and (owner := self.owner_of(code)) is not None
        }
        found = (self.by_code(code) for code in sorted(chosen | owners))
        return tuple(
            rule for rule in found
            if rule is not None
            and ((rule.code in chosen and (rule.default_enabled or any(rule.named_by(s) for s in selectors)))
                 or rule.code in owners)
        )

    def subcode_filter(
        self,
        rule: type[Rule],
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
    ) -> SubcodeFilter:
        """Which sub-codes of ``rule`` the selection reports (all of them for a rule without any)."""
        if rule.subcodes is None:
            return SubcodeFilter()
        selectors = list(select if select is not None else ["ALL"]) + list(extend_select)
        selected = self.resolve(selectors)
        if rule.code in selected and not (rule.default_enabled or any(rule.named_by(s) for s in selectors)):
            selected.discard(rule.code)
        return SubcodeFilter.of(rule.code, selected, self.resolve(ignore), self.owner_of)


def _sorted_by_code(rules: Iterable[type[Rule]]) -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for rule in rules:
        if rule.code in found and found[rule.code] is not rule:
            raise RuntimeError(f"two rules share the code {rule.code}")
        found[rule.code] = rule
    return tuple(found[code] for code in sorted(found))


def _rules_in(module: ModuleType) -> list[type[Rule]]:
    return [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and getattr(value, "code", None)
    ]


def rule_module_name(rule_name: str) -> str:
    """The module a rule lives in, by convention: its name with ``_`` for ``-`` (``apt-lists-not-removed``)."""
    return rule_name.replace("-", "_")


class PackageRuleSet(RuleSet):
    """The rules of packages, each rule's module imported when a run first needs that rule.

    A one-file run with ``--select DF200`` (or ``dfix rule DF200``) then pays
    for one rule module, not every one. What makes it possible is a
    convention: a rule lives in the module named after it
    (:func:`rule_module_name`), so the catalogue's rows marked implemented
    say which module holds which code without importing any.
    ``tests/engine/test_rule_modules.py`` holds every rule to it; a module
    that breaks it (a rule in a module named otherwise, several rules in one
    module) is still found, by importing every module whose name is not a
    rule's, so a mistake costs speed, never a rule. ``ALL`` and
    :attr:`rules` import every module, as a plain scan would.
    """

    def __init__(self, packages: Iterable[ModuleType | str], entries: Sequence[Entry] = ENTRIES) -> None:
        self._packages = tuple(packages)
        self._entries = tuple(entries)
        self._loaded: dict[str, type[Rule]] = {}
        self._imported: set[str] = set()

    @cached_property
    def _modules(self) -> tuple[str, ...]:
        """Dotted names of every module of the packages, in the order a scan imports them."""
        names: list[str] = []
        for package in self._packages:
            if isinstance(package, str):
                package = importlib.import_module(package)
            names += [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
        return tuple(names)

    @cached_property
    def _index(self) -> dict[str, str]:
        """Code -> the module named after the rule, for every row marked implemented that has such a module."""
        by_short = {name.rsplit(".", 1)[1]: name for name in self._modules}
        index = {}
        for entry in self._entries:
            module = by_short.get(rule_module_name(entry.name))
            if entry.implemented and module is not None:
                index[entry.code] = module
        return index

    @cached_property
    def _unindexed(self) -> tuple[type[Rule], ...]:
        """Rules found in modules that are not named after an implemented rule (kit modules ``_x`` excepted)."""
        indexed = set(self._index.values())
        for name in self._modules:
            if name not in indexed and not name.rsplit(".", 1)[1].startswith("_"):
                self._import(name)
        return tuple(rule for code, rule in self._loaded.items() if self._index.get(code) != rule.__module__)

    def _import(self, name: str) -> None:
        if name in self._imported:
            return
        self._imported.add(name)
        for rule in _rules_in(importlib.import_module(name)):
            if rule.code in self._loaded and self._loaded[rule.code] is not rule:
                raise RuntimeError(f"two rules share the code {rule.code}")
            self._loaded[rule.code] = rule

    @cached_property
    def rules(self) -> tuple[type[Rule], ...]:  # type: ignore[override]
        for name in self._modules:
            self._import(name)
        return _sorted_by_code(self._loaded.values())

    @cached_property
    def _implemented_rows(self) -> frozenset[str]:
        return frozenset(entry.code for entry in self._entries if entry.implemented)

    @cached_property
    def catalogue(self) -> Catalogue:
        if "rules" not in self.__dict__:
            found = set(self._index) | {rule.code for rule in self._unindexed}
            if self._implemented_rows <= found:
                return Catalogue(self._unindexed, self._entries, implemented_rows=self._index, rule_by_code=self.by_code)
        # A row marked implemented whose rule is nowhere to be seen without a full scan.
        return Catalogue(self.rules, self._entries)

    def by_code(self, code: str) -> type[Rule] | None:
        code = code.upper()
        rule = self._loaded.get(code)
        if rule is None and code in self._index:
            self._import(self._index[code])
            rule = self._loaded.get(code)
        if rule is None and "rules" not in self.__dict__:
            self._unindexed  # noqa: B018 - imports the modules not named after a rule
            rule = self._loaded.get(code)
            if rule is None and code in self._implemented_rows:
                self.rules  # noqa: B018 - a rule sharing another rule's module: scan them all
                rule = self._loaded.get(code)
        return rule

_default_packages: tuple[ModuleType | str, ...] = ()
_default: RuleSet | None = None


def use_rule_packages(*packages: ModuleType | str) -> None:
    """Make ``packages`` (modules or dotted names, imported when first needed) the default rule set's.

    Without a call, the default set is made from the packages named in
    :mod:`dfix.rule_packages` (``dfix.transforms``, named by ``import dfix``).
    """
    global _default_packages, _default
    _default_packages = packages
    _default = None


def default_rules() -> RuleSet:
    """The rule set of the packages given to :func:`use_rule_packages` (read once per process)."""
    global _default
    if _default is None:
        packages = _default_packages or tuple(rule_packages.DEFAULT_PACKAGES)
        if not packages:
            raise RuntimeError("no rule packages: call dfix.engine.use_rule_packages(...) first")
        _default = RuleSet.from_packages(packages)
    return _default


def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class of the default set, sorted by code."""
    return default_rules().rules


def rule_by_code(code: str) -> type[Rule] | None:
    return default_rules().by_code(code)


def catalogue() -> Catalogue:
    """The catalogue around the default rule set."""
    return default_rules().catalogue


def describe(code: str) -> Entry | None:
    """A code's catalogue entry (implemented or planned), or None when no rule has that code."""
    return catalogue().describe(code)


def resolve(selectors: Iterable[str]) -> set[str]:
    """Codes of the default set's rules that selectors name (see :meth:`RuleSet.resolve`)."""
    return default_rules().resolve(selectors)


def select(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> tuple[type[Rule], ...]:
    """The default set's rule classes a run uses (see :meth:`RuleSet.select`)."""
    return default_rules().select(select, ignore, extend_select)


def owner_of(code: str) -> str | None:
    """The code of the default set's rule whose sub-code ``code`` is (``SC2086`` -> ``DF629``), or None."""
    return default_rules().owner_of(code)


def subcode_filter(
    rule: type[Rule], select: Iterable[str] | None = None, ignore: Iterable[str] = (), extend_select: Iterable[str] = (),
) -> SubcodeFilter:
    """Which sub-codes of ``rule`` a selection of the default set reports (see :meth:`RuleSet.subcode_filter`)."""
    return default_rules().subcode_filter(rule, select, ignore, extend_select)


def unavailable_notes(codes: Iterable[str]) -> list[str]:
    """One line for each rule among ``codes`` (rule codes and sub-codes) that cannot run here, and why."""
    codes = {code.upper() for code in codes}
    wanted = codes | {owner for code in codes if (owner := owner_of(code)) is not None}
    notes = []
    rules = default_rules()
    for code in sorted(wanted):
        rule = rules.by_code(code) if rules.catalogue.describe(code) is not None else None
        if rule is not None:
            why = rule.unavailable()
            if why:
                notes.append(f"{rule.code} {rule.name}: {why}")
    return notes


def _suppressed_codes(code: str) -> frozenset[str]:
    return catalogue().suppressed_by(code)


suppress.use_code_resolver(_suppressed_codes)
