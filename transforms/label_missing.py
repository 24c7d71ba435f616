"""DF620 label-missing: a label the configured label schema requires is missing from the final image (hadolint's DL3049)."""

from __future__ import annotations

import json
import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Instruction, Label

from ._labels import labels_of_final_image, maintainers_of_final_image


class LabelMissing(Rule):
    """A label the label schema requires is not set on the final image.

    **What** (hadolint's DL3049): with ``[lint.labels] required = {
    "org.opencontainers.image.source" = "url" }``, a Dockerfile whose final
    stage (or an in-file stage it is built FROM) sets no such label. Without
    a schema the rule has nothing to check.

    **Why.** Registries, scanners and deployment tooling read labels (the
    founding guide asks for ``LABEL maintainer=...``; OCI annotations link an
    image to its source and license); a team that sets a schema wants every
    image to carry it.

    **Fix** (safe: metadata only), when ``[lint.labels] values`` gives the
    label's value: ``LABEL key="value"`` after the stage's last LABEL, or
    after its FROM. The value is written in double quotes as given (``$VAR``
    in it expands as in any LABEL). Without a configured value the finding is
    reported only; so is a missing ``maintainer`` while a ``MAINTAINER``
    instruction is there (DF601 turns it into that label).

    Unlike hadolint, which checks every stage that no other stage copies
    from, only the final image is checked: the labels of intermediate stages
    never reach a registry.
    """

    code = "DF620"
    name = "label-missing"
    summary = "A label the label schema requires is missing from the final image"
    safety = Safety.SAFE
    severity = "info"
    aliases = ("DL3049",)
    rewrites = frozenset({"label"})
    options = {"required": {}, "values": {}}

    valid = (
        Valid("FROM debian\n", "no label schema configured"),
        Valid('FROM debian\nLABEL org.opencontainers.image.source="https://example.com/app"\n',
              options={"required": {"org.opencontainers.image.source": "url"}}),
        Valid("FROM debian AS base\nLABEL maintainer=team@example.com\nFROM base\n", "set by the stage it is built FROM",
              options={"required": {"maintainer": "email"}}),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN true\n",
            'FROM debian:12\nLABEL org.opencontainers.image.source="https://example.com/app"\nRUN true\n',
            "the configured value is inserted after the FROM",
            options={"required": {"org.opencontainers.image.source": "url"},
                     "values": {"org.opencontainers.image.source": "https://example.com/app"}},
            message="Label `org.opencontainers.image.source` is missing", line=1, column=1,
        ),
        Invalid(
            'FROM alpine AS build\nFROM debian\r\nLABEL version="1.0.0"\r\nCMD ["app"]\r\n',
            'FROM alpine AS build\nFROM debian\r\nLABEL version="1.0.0"\r\nLABEL maintainer="Ops <ops@example.com>"\r\nCMD ["app"]\r\n',
            "after the stage's last LABEL; the final stage only",
            options={"required": {"maintainer": "text", "version": "semver"},
                     "values": {"maintainer": "Ops <ops@example.com>"}},
        ),
        Invalid("FROM debian\n", None, "no value configured", options={"required": {"version": "semver"}}),
        Invalid("FROM debian\nMAINTAINER ops@example.com\n", None, "MAINTAINER holds it",
                options={"required": {"maintainer": "text"}, "values": {"maintainer": "x"}}),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        required: dict[str, str] = self.settings["required"]
        final = context.final_stage
        if not required or final is None:
            return
        present = labels_of_final_image(context)
        values: dict[str, str] = self.settings["values"]
        maintainers = maintainers_of_final_image(context)
        for label in required:
            if label in present:
                continue
            message = f"Label `{label}` is missing"
            if label == "maintainer" and maintainers:
                yield self.diagnostic(final.stage.from_, message,
                                      note="not fixed: the MAINTAINER instruction holds it (DF601 turns it into this label)")
                continue
            if label not in values:
                yield self.diagnostic(final.stage.from_, message,
                                      note="not fixed: give its value in [lint.labels] values to have it inserted")
                continue
            yield self.diagnostic(
                final.stage.from_, message, [self._insert(context, final.stage.from_, final.stage.instructions, label, values[label])],
                title=f"add LABEL {label}",
            )

    @staticmethod
    def _insert(context: Context, from_: Instruction, body: tuple[Instruction, ...], label: str, value: str) -> Edit:
        anchor = next((i for i in reversed(body) if isinstance(i, Label)), from_)
        code = context.tree.code
        keyword = str.__str__(from_.keyword_token)
        word = "label" if keyword.islower() else "LABEL"
        key = label if re.fullmatch(r"[A-Za-z0-9._/-]+", label) else json.dumps(label)
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        end = anchor.span.end
        newline = "\r\n" if code[:end].endswith("\r\n") else "\n"
        if not code[:end].endswith("\n"):
            return Edit(end, end, f"{newline}{word} {key}={text}")
        return Edit(end, end, f"{word} {key}={text}{newline}")
