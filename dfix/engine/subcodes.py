"""Sub-codes: the finer codes one rule's findings carry (ShellCheck's ``SC2086`` inside DF629).

DF629 reports what ShellCheck finds, and every finding keeps ShellCheck's
code as its ``subcode``. Users name those codes as they name rules:
``--select SC2086`` runs DF629 for SC2086 alone, ``--ignore SC2086`` keeps
DF629 but drops SC2086, ``# hadolint ignore=SC2086`` silences SC2086 on one
instruction. A rule declares the sub-codes it owns with a pattern
(:attr:`Rule.subcodes`); the rule's own code stands for all of them.

A sub-code is more specific than its rule: ``select = ["SC2086"]`` with
``ignore = ["DF629"]`` keeps SC2086, and ``select = ["DF629"]`` with
``ignore = ["SC2086"]`` keeps everything else. A resolved set of codes (what
configuration layers compute, see :func:`add_codes` and :func:`remove_codes`)
holds the rule's code for "all of its sub-codes", a sub-code for "this one",
and :data:`EXCLUDED` + sub-code (``-SC2086``) for "all but this one", so
plain ``frozenset[str]`` still carries a selection from settings to the
engine; :func:`as_selectors` turns it back into ``select``/``ignore``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import msgspec

__all__ = ["EXCLUDED", "SubcodeFilter", "add_codes", "as_selectors", "remove_codes"]

#: Marks a sub-code removed from its selected rule in a resolved set of codes (``-SC2086``).
EXCLUDED = "-"

#: A sub-code (``SC2086``) to the code of the rule that owns it, or None for a code that is not one.
OwnerOf = Callable[[str], "str | None"]


class SubcodeFilter(msgspec.Struct, frozen=True):
    """Which sub-codes of one rule a run reports."""

    #: The rule itself is selected: every sub-code but ``excluded``.
    every: bool = True
    #: Sub-codes selected one by one (what runs when ``every`` is false).
    included: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def admits(self, subcode: str | None) -> bool:
        """Whether a finding with this sub-code is reported (a finding without one always is)."""
        if subcode is None:
            return True
        subcode = subcode.upper()
        if subcode in self.excluded:
            return False
        return self.every or subcode in self.included

    @property
    def selects_anything(self) -> bool:
        return self.every or bool(self.included - self.excluded)

    @classmethod
    def of(cls, rule_code: str, selected: Iterable[str], ignored: Iterable[str], owner_of: OwnerOf) -> "SubcodeFilter":
        """The filter of ``rule_code`` from resolved selected and ignored codes (ignore wins at equal rank)."""
        selected, ignored = {c.upper() for c in selected}, {c.upper() for c in ignored}
        mine = lambda codes: frozenset(code for code in codes if owner_of(code) == rule_code)  # noqa: E731
        excluded = mine(ignored)
        return cls(rule_code in selected and rule_code not in ignored, mine(selected) - excluded, excluded)


def _excluded_subcode(code: str) -> str | None:
    return code[len(EXCLUDED):] if code.startswith(EXCLUDED) else None


def add_codes(current: set[str], codes: Iterable[str], owner_of: OwnerOf) -> None:
    """Select ``codes`` into ``current``: a rule takes back all of its sub-codes, a sub-code its own place."""
    for code in codes:
        current.add(code)
        if owner_of(code) is not None:
            current.discard(EXCLUDED + code)
        else:
            current.difference_update(
                [item for item in current if (sub := _excluded_subcode(item)) is not None and owner_of(sub) == code]
            )


def remove_codes(current: set[str], codes: Iterable[str], owner_of: OwnerOf) -> None:
    """Remove ``codes`` from ``current``: a rule goes with its sub-codes; a sub-code of a selected rule is excluded."""
    for code in codes:
        current.discard(code)
        owner = owner_of(code)
        if owner is not None:
            if owner in current:
                current.add(EXCLUDED + code)
        else:
            current.difference_update([
                item for item in current
                if owner_of(item) == code or ((sub := _excluded_subcode(item)) is not None and owner_of(sub) == code)
            ])


def as_selectors(codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """A resolved set of codes as ``(select, ignore)`` selectors for the engine."""
    select: list[str] = []
    ignore: list[str] = []
    for code in sorted(codes):
        sub = _excluded_subcode(code)
        if sub is None:
            select.append(code)
        else:
            ignore.append(sub)
    return select, ignore
