"""DF001 unused-suppression: a suppression comment that silences nothing."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import ALL, Context, Diagnostic, Edit, Invalid, Rule, Safety, Suppressions, Valid


class UnusedSuppression(Rule):
    """Remove suppression comments that no longer silence anything.

    A ``# dfix: ignore[...]`` (or ``# hadolint ignore=...``) whose rules no
    longer fire hides future findings of the same rule at that place, and
    misleads readers. Only suppressions of rules that ran are judged (a
    ``--select`` that leaves a rule out leaves its suppressions alone). The
    fix deletes dfix's own comment line (safe: comments do not reach the
    image); other tools' comments may still matter to those tools, so
    deleting them is unsafe. BuildKit's ``# check=skip=`` is only reported.
    """

    code = "DF001"
    name = "unused-suppression"
    summary = "suppression comment that silences nothing"
    safety = Safety.SAFE
    severity = "info"

    valid = (
        Valid(
            "FROM debian\n# dfix: ignore[DF201] -- vendor script answers itself\nRUN apt-get install curl\n",
            also=("DF201",),
        ),
        Valid("FROM debian\n# hadolint ignore=DL3014\nRUN apt-get install curl\n", "hadolint codes are aliases", ("DF201",)),
        Valid("FROM debian\n# dfix: ignore[DF201]\nRUN apt-get install -y curl\n", "DF201 did not run: not judged"),
        Valid("FROM debian\n# just a comment\nRUN true\n", also=("DF201",)),
    )
    invalid = (
        Invalid(
            "FROM debian\n# dfix: ignore[DF201]\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get install -y curl\n",
            also=("DF201",),
        ),
        Invalid(
            "FROM debian\n# hadolint ignore=DL3014\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get install -y curl\n",
            "another tool's comment: unsafe to delete",
            unsafe=True,
            also=("DF201",),
        ),
        Invalid(
            "FROM debian\n# hadolint ignore=DL3014\nRUN apt-get install -y curl\n", None, "not deleted by safe fixes",
            also=("DF201",),
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        return iter(())

    def check_suppressions(
        self, context: Context, suppressions: Suppressions, selected: frozenset[str]
    ) -> Iterator[Diagnostic]:
        for suppression in suppressions.items:
            if suppressions.is_used(suppression):
                continue
            judged = suppression.codes if ALL in suppression.codes else suppression.codes & selected
            if not judged or (ALL not in judged and judged <= {self.code}):
                continue  # its rules did not run
            if ALL in judged and not selected - {self.code}:
                continue
            codes = "every rule" if ALL in judged else ", ".join(sorted(judged))
            span = context.span(suppression.start, suppression.end)
            message = f"this suppression of {codes} silences nothing"
            if suppression.source == "buildkit":
                yield self.diagnostic(span, message, None)
                continue
            safety = Safety.SAFE if suppression.source == "dfix" else Safety.UNSAFE
            yield self.diagnostic(
                span, message, [Edit(suppression.start, suppression.end, "")], safety=safety, title="remove the comment"
            )
