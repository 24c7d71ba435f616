"""DF003 unknown-suppression-code: a suppression names a rule that does not exist."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Suppressions, Valid


class UnknownSuppressionCode(Rule):
    """Report codes in suppression comments that name no rule.

    A typo (``DF2O1``), a code no rule has (``DF999``) or a code of a tool
    dfix does not map silences nothing, while the author believes it does.
    Codes may be dfix codes and prefixes, rule names, hadolint codes or
    BuildKit check names. Every hadolint code is known, including those
    whose dfix rule is planned but not in this version (a ``# hadolint
    ignore=DL3008`` written for hadolint is no typo, and silences DF230 once
    dfix has it), ShellCheck codes (``SC2086``: ShellCheck's findings carry
    them) and DL1001 (hadolint's check on its own comments).
    """

    code = "DF003"
    name = "unknown-suppression-code"
    summary = "suppression comment names an unknown rule"
    safety = Safety.NONE
    severity = "warning"

    valid = (
        Valid("FROM debian\n# dfix: ignore[apt-get-missing-yes, DL3014]\nRUN apt-get install curl\n"),
        Valid("FROM debian\n# hadolint ignore=DL3008,DL3015,SC2086\nRUN apt-get install -y curl $PKGS\n",
              "hadolint and ShellCheck codes, implemented or not"),
        Valid("FROM debian\n# hadolint global ignore=DL1001,DL3059\nRUN true\n"),
    )
    invalid = (
        Invalid("FROM debian\n# dfix: ignore[DF2O1]\nRUN apt-get install curl\n"),
        Invalid("FROM debian\n# dfix: ignore[DF999]\nRUN true\n", None, "a code no rule has",
                message="unknown rule code 'DF999' in suppression", line=2, column=1),
        Invalid("FROM debian\n# hadolint ignore=DL3008,DL9999\nRUN true\n", None, "one unknown code among known ones",
                message="unknown rule code 'DL9999' in suppression"),
    )

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
