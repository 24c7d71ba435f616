"""DF003 unknown-suppression-code: a suppression names a rule that does not exist."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Suppressions, Valid


class UnknownSuppressionCode(Rule):
    """Report codes in suppression comments that name no rule.

    A typo (``DF2O1``) or a code of a tool dfix does not map silences
    nothing, while the author believes it does. Codes may be dfix codes,
    rule names, hadolint codes or BuildKit check names.
    """

    code = "DF003"
    name = "unknown-suppression-code"
    summary = "suppression comment names an unknown rule"
    safety = Safety.NONE
    severity = "warning"

    valid = (Valid("FROM debian\n# dfix: ignore[apt-get-missing-yes, DL3014]\nRUN apt-get install curl\n"),)
    invalid = (Invalid("FROM debian\n# dfix: ignore[DF2O1]\nRUN apt-get install curl\n"),)

    def check(self, context: Context) -> Iterator[Diagnostic]:
        return iter(())

    def check_suppressions(
        self, context: Context, suppressions: Suppressions, selected: frozenset[str]
    ) -> Iterator[Diagnostic]:
        for suppression in suppressions.items:
            for code in suppression.unknown:
                yield self.diagnostic(
                    context.span(suppression.start, suppression.end), f"unknown rule code {code!r} in suppression"
                )
