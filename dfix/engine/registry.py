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
from typing import Iterable

from . import suppress
from .catalogue import Catalogue, Entry, SelectorError
from .rule import Rule
from .subcodes import SubcodeFilter

__all__ = [
    "RuleSet", "SelectorError", "all_rules", "catalogue", "default_rules", "describe", "owner_of", "resolve",
    "rule_by_code", "select", "subcode_filter", "unavailable_notes", "use_rule_packages",
]


class RuleSet:
    """The rule classes one run can use, sorted by code, and the catalogue around them."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        found: dict[str, type[Rule]] = {}
        for rule in rules:
            if rule.code in found and found[rule.code] is not rule:
                raise RuntimeError(f"two rules share the code {rule.code}")
            found[rule.code] = rule
        self.rules: tuple[type[Rule], ...] = tuple(found[code] for code in sorted(found))

    @classmethod
    def from_packages(cls, packages: Iterable[ModuleType | str]) -> "RuleSet":
        """Every concrete rule class (one with a ``code``) in the modules of ``packages`` (modules or dotted names)."""
        rules: list[type[Rule]] = []
        for package in packages:
            if isinstance(package, str):
                package = importlib.import_module(package)
            for module_info in pkgutil.iter_modules(package.__path__):
                module = importlib.import_module(f"{package.__name__}.{module_info.name}")
                for value in vars(module).values():
                    if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and getattr(value, "code", None):
                        rules.append(value)
        return cls(rules)

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.rules)

    def by_code(self, code: str) -> type[Rule] | None:
        return next((rule for rule in self.rules if rule.code == code.upper()), None)

    def owner_of(self, code: str) -> str | None:
        """The code of the rule whose sub-code ``code`` is (``SC2086`` -> ``DF629``), or None."""
        key = code.strip().upper()
        owners = self._owners
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
        """
        selectors = list(select if select is not None else ["ALL"]) + list(extend_select)
        chosen = self.resolve(selectors) - self.resolve(ignore)
        # A selected sub-code (SC2086) runs the rule that owns it, even where the rule itself is ignored.
        owners = {owner for code in chosen if (owner := self.owner_of(code)) is not None}
        return tuple(
            rule
            for rule in self.rules
            if (rule.code in chosen and (rule.default_enabled or any(rule.named_by(s) for s in selectors)))
            or rule.code in owners
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


_default_packages: tuple[ModuleType | str, ...] = ()
_default: RuleSet | None = None


def use_rule_packages(*packages: ModuleType | str) -> None:
    """Make ``packages`` (modules or dotted names, imported when first needed) the default rule set's."""
    global _default_packages, _default
    _default_packages = packages
    _default = None


def default_rules() -> RuleSet:
    """The rule set of the packages given to :func:`use_rule_packages` (read once per process)."""
    global _default
    if _default is None:
        if not _default_packages:
            raise RuntimeError("no rule packages: call dfix.engine.use_rule_packages(...) first")
        _default = RuleSet.from_packages(_default_packages)
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
    for rule in all_rules():
        if rule.code in wanted:
            why = rule.unavailable()
            if why:
                notes.append(f"{rule.code} {rule.name}: {why}")
    return notes


def _suppressed_codes(code: str) -> frozenset[str]:
    return catalogue().suppressed_by(code)


suppress.use_code_resolver(_suppressed_codes)
