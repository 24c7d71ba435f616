"""Finding the rules: every ``Rule`` subclass in the ``dfix.transforms`` package."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Iterable

from .rule import Rule


class SelectorError(ValueError):
    """A ``--select``/``--ignore`` entry that names no rule."""


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code. Importing is done once per process."""
    import dfix.transforms as package

    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and getattr(value, "code", None):
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"two rules share the code {value.code}")
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


def rule_by_code(code: str) -> type[Rule] | None:
    return next((rule for rule in all_rules() if rule.code == code.upper()), None)


def resolve(selectors: Iterable[str]) -> set[str]:
    """Codes of the rules matched by selectors; raises :class:`SelectorError` for one that matches none."""
    codes: set[str] = set()
    for selector in selectors:
        if selector.strip().upper() == "ALL":
            codes |= {rule.code for rule in all_rules()}
            continue
        matched = {rule.code for rule in all_rules() if rule.matches(selector)}
        if not matched:
            raise SelectorError(f"unknown rule selector {selector!r}")
        codes |= matched
    return codes


def select(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> tuple[type[Rule], ...]:
    """The rule classes a run uses: ``select`` (default ``ALL``) plus ``extend_select``, minus ``ignore``."""
    selectors = list(select if select is not None else ["ALL"]) + list(extend_select)
    chosen = resolve(selectors) - resolve(ignore)
    return tuple(
        rule
        for rule in all_rules()
        if rule.code in chosen and (rule.default_enabled or any(rule.named_by(s) for s in selectors))
    )
