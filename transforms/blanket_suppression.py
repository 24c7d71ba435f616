"""DF002 blanket-suppression: ``# dfix: ignore`` without naming rules."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Suppressions, Valid


class BlanketSuppression(Rule):
    """Name the rules a suppression silences.

    ``# dfix: ignore`` with no codes silences every rule for the next
    instruction, including rules added later that nobody meant to silence.
    Write ``# dfix: ignore[DF200] -- reason`` instead. Report only: which
    rules were meant is for a human to say.
    """

    code = "DF002"
    name = "blanket-suppression"
    summary = "suppression comment without rule codes"
    safety = Safety.NONE
    severity = "style"

    valid = (Valid("FROM debian\n# dfix: ignore[DF201] -- reason\nRUN apt-get install curl\n"),)
    invalid = (Invalid("FROM debian\n# dfix: ignore\nRUN apt-get install curl\n"),)

    def check(self, context: Context) -> Iterator[Diagnostic]:
        return iter(())

    def check_suppressions(
        self, context: Context, suppressions: Suppressions, selected: frozenset[str]
    ) -> Iterator[Diagnostic]:
        for suppression in suppressions.items:
            if suppression.blanket:
                yield self.diagnostic(
                    context.span(suppression.start, suppression.end),
                    "blanket suppression: name the rules it silences, e.g. `# dfix: ignore[DF200] -- reason`",
                )
