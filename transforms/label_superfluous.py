"""DF621 label-superfluous: with a strict label schema, a label the schema does not list (hadolint's DL3050)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._labels import every_label, label_pairs


class LabelSuperfluous(Rule):
    """A label outside the label schema, when the schema is strict.

    **What** (hadolint's DL3050, its ``strict-labels``): with ``[lint.labels]
    strict = true``, every LABEL key must be one the schema's ``required``
    table lists; with ``strict`` and no schema, every label is superfluous
    (as in hadolint). Off in effect until ``strict`` is set.

    **Why.** Some teams allow only a vetted set of labels: to keep internal
    details out of published images, or so label readers see one standard.

    **Fix**: none; which labels to drop is the author's call.
    """

    code = "DF621"
    name = "label-superfluous"
    summary = "A label the strict label schema does not list"
    severity = "info"
    aliases = ("DL3050",)
    options = {"required": {}, "strict": False}

    valid = (
        Valid("FROM debian\nLABEL anything=goes\n", "the schema is not strict"),
        Valid("FROM debian\nLABEL version=1.0.0\n", options={"required": {"version": "semver"}, "strict": True}),
    )
    invalid = (
        Invalid("FROM debian\nLABEL version=1.0.0 team=core\n",
                options={"required": {"version": "semver"}, "strict": True},
                message="Superfluous label(s) present: `team` is not in the label schema", line=2, column=1),
        Invalid("FROM debian\nLABEL a=1\n", None, "strict with no schema: every label", options={"strict": True}),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        if not self.settings["strict"]:
            return
        allowed = set(self.settings["required"])
        escape = context.tree.escape
        for label in every_label(context):
            extra = [pair.key for pair in label_pairs(label, escape) if pair.key not in allowed]
            if extra:
                names = ", ".join(f"`{key}`" for key in dict.fromkeys(extra))
                verb = "is" if len(set(extra)) == 1 else "are"
                yield self.diagnostic(label, f"Superfluous label(s) present: {names} {verb} not in the label schema")
