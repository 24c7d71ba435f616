"""Which rules run and which may fix: selection layers read through the engine's catalogue.

Selection semantics (ruff's): within one layer, selectors apply from the
least specific (``ALL``) to the most specific (a full code, a name or an
alias), selects before ignores at each level, so ``select = ["DF2"]`` with
``ignore = ["DF202"]`` and ``select = ["DF202"]`` with ``ignore = ["DF2"]``
both do what they say. The file chain (``extend``) is one layer: a child's
``select``/``ignore``/``fixable``/``unfixable`` replace its parent's and the
``extend-*`` lists accumulate. The command line is a second layer on top: its
``select`` starts over, its ``ignore`` removes more, and its
``extend-select`` can re-enable what a file ignored.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import msgspec

from ..engine import Safety, catalogue, owner_of, rule_by_code
from ..engine.catalogue import Resolution
from ..engine.catalogue import specificity as rule_specificity
from ..engine.subcodes import add_codes, remove_codes

__all__ = [
    "Selection", "apply_layer", "fix_safety_overrides", "resolve_selector", "resolve_selectors", "resolve_severity",
]


def resolve_selector(selector: str) -> Resolution:
    """What one selector names (implemented and planned codes); raises :class:`~dfix.engine.SelectorError`."""
    return catalogue().resolve_one(selector)


def resolve_selectors(selectors: Iterable[str]) -> frozenset[str]:
    """Codes (implemented rules and ShellCheck codes) that ``selectors`` name; raises :class:`~dfix.engine.SelectorError`."""
    return catalogue().resolve(selectors).implemented


class Selection(msgspec.Struct, frozen=True):
    """One layer of rule selection (the file chain, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fixable: tuple[str, ...] | None = None
    extend_fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> "Selection":
        return cls(
            select=values.get("select"),
            extend_select=values.get("extend-select", ()),
            ignore=(*values.get("ignore", ()), *values.get("extend-ignore", ())),
            fixable=values.get("fixable"),
            extend_fixable=values.get("extend-fixable", ()),
            unfixable=values.get("unfixable", ()),
        )


def apply_layer(current: set[str], chosen: tuple[str, ...] | None, extra: tuple[str, ...], removed: tuple[str, ...]) -> set[str]:
    """One selection layer: specificity order, selects before removals at each level.

    Codes are rule codes and sub-codes; removing a sub-code of a selected rule
    leaves ``-SC2086`` in the result (see :mod:`dfix.engine.subcodes`).
    """
    result = set() if chosen is not None else set(current)
    steps: list[tuple[int, int, str]] = []
    for selector in (*(chosen or ()), *extra):
        steps.append((specificity(selector), 0, selector))
    for selector in removed:
        steps.append((specificity(selector), 1, selector))
    for _, remove, selector in sorted(steps, key=lambda step: (step[0], step[1])):
        codes = resolve_selector(selector).implemented
        if remove:
            remove_codes(result, codes, owner_of)
        else:
            add_codes(result, [code for code in codes if _enabled_by(code, selector)], owner_of)
    return result


def specificity(selector: str) -> int:
    """The catalogue's order of selectors, with a rule's sub-code (``SC2086``) more specific than its rule."""
    return rule_specificity(selector) + (1 if owner_of(selector) is not None else 0)


def _enabled_by(code: str, selector: str) -> bool:
    """A default-off rule (DF302) is selected only by its own code, name or alias, not by ``ALL`` or a prefix."""
    rule = rule_by_code(code)
    return rule is None or rule.default_enabled or rule.named_by(selector)


def resolve_severity(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``(selector, level)`` entries to ``{code: level}``: broad selectors first, exact codes win."""
    resolved: dict[str, str] = {}
    for selector, level in sorted(entries, key=lambda entry: specificity(entry[0])):
        resolution = resolve_selector(selector)
        for code in (*sorted(resolution.implemented), *sorted(resolution.planned)):
            resolved[code] = level
    return resolved


def fix_safety_overrides(safe: Iterable[str], unsafe: Iterable[str]) -> dict[str, Safety]:
    """``extend-safe-fixes``/``extend-unsafe-fixes`` as ``{code: the safety its fixes get}``.

    As ruff does: selectors apply from the least specific to the most
    specific, and at equal specificity ``extend-unsafe-fixes`` wins.
    """
    steps = [(specificity(selector), 0, selector) for selector in safe]
    steps += [(specificity(selector), 1, selector) for selector in unsafe]
    overrides: dict[str, Safety] = {}
    for _, demote, selector in sorted(steps, key=lambda step: (step[0], step[1])):
        for code in sorted(resolve_selector(selector).implemented):
            overrides[code] = Safety.UNSAFE if demote else Safety.SAFE
    return overrides
