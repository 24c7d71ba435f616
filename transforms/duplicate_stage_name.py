"""DF306 duplicate-stage-name: two stages share a name, so every reference reaches only one of them."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._stages import stage_name_token


class DuplicateStageName(Rule):
    """Give every stage its own name.

    BuildKit lower-cases stage names and keeps one stage per name: a later
    ``COPY --from=build`` or ``--target build`` reaches only one of two
    ``AS build`` stages, and which one the author meant is unknowable, so
    this rule only reports. Names are compared case-insensitively, as
    BuildKit compares them (``AS Build`` and ``AS build`` clash; hadolint
    compares them as written and misses that). The finding is on the later
    stage, where BuildKit reports it.
    """

    code = "DF306"
    name = "duplicate-stage-name"
    summary = "two stages share a name"
    severity = "error"
    aliases = ("DL3024", "DuplicateStageName")

    valid = (
        Valid("FROM alpine:3 AS build\nFROM alpine:3 AS test\n"),
        Valid("FROM alpine:3\nFROM alpine:3\n", "unnamed stages"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3 AS build\nRUN true\nFROM debian:12 AS build\n",
            message='Duplicate stage name "build", stage names should be unique (line 1 already names a stage so)',
            line=3, column=1,
        ),
        Invalid("FROM alpine:3 AS Build\nFROM debian:12 AS build\n", None, "names compare case-insensitively"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        seen: dict[str, int] = {}
        for stage in context.tree.stages:
            name = stage.name
            if not name:
                continue
            if name in seen:
                token = stage_name_token(stage.from_)
                written = str(token) if token is not None else name
                yield self.diagnostic(
                    stage.from_,
                    f'Duplicate stage name "{written}", stage names should be unique '
                    f"(line {seen[name]} already names a stage so)",
                )
            else:
                seen[name] = stage.from_.start_line
