"""DF305 redundant-target-platform: ``FROM --platform=$TARGETPLATFORM`` says what BuildKit does anyway."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import From

_REDUNDANT = frozenset({"$TARGETPLATFORM", "${TARGETPLATFORM}"})


class RedundantTargetPlatform(Rule):
    """Drop ``--platform=$TARGETPLATFORM`` from FROM: it is the default.

    Every stage is built for the target platform unless its FROM says
    otherwise, so the flag only adds noise (and suggests a choice was made
    there). The fix deletes the flag and the blank after it: safe, the stage
    is built for the same platform. Not when the value mixes other text or
    variables, and not when a global ARG re-declares ``TARGETPLATFORM`` with
    a default of its own (then the value is no longer the target platform;
    BuildKit does not report it either).
    """

    code = "DF305"
    name = "redundant-target-platform"
    summary = "`FROM --platform=$TARGETPLATFORM` (the default anyway)"
    safety = Safety.SAFE
    aliases = ("DL3065", "RedundantTargetPlatform")

    valid = (
        Valid("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"),
        Valid("FROM --platform=${TARGETPLATFORM:-linux/amd64} alpine:3\n", "mixed with other text"),
        Valid("ARG TARGETPLATFORM=linux/arm64\nFROM --platform=$TARGETPLATFORM alpine:3\n", "re-declared with a default"),
    )
    invalid = (
        Invalid(
            "FROM --platform=$TARGETPLATFORM alpine:3 AS base\n",
            "FROM alpine:3 AS base\n",
            message="Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
            line=1, column=1,
        ),
        Invalid(
            "from --platform=${TARGETPLATFORM} --other=x alpine:3\n",
            None,
            "another flag (BuildKit rejects it): reported, the line is not touched",
        ),
        Invalid(
            "FROM --platform=${TARGETPLATFORM} \\\n    alpine:3\n",
            "FROM alpine:3\n",
            "the continuation after the flag goes with it",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        if any(name == "TARGETPLATFORM" and default is not None
               for arg in context.tree.global_args for name, default in arg.pairs):
            return
        for stage in context.tree.stages:
            value = stage.from_.platform
            if value not in _REDUNDANT:
                continue
            yield self.diagnostic(
                stage.from_,
                f"Setting platform to predefined {value} in FROM is redundant as this is the default behavior",
                _delete_platform(stage.from_),
                title="remove `--platform`",
            )


def _delete_platform(from_: From) -> list[Edit] | None:
    """Delete the ``--platform`` flag and the blank after it, when it is the FROM's only flag."""
    flags = from_.flags
    if len(flags) != 1:
        return None
    tokens = from_.line_tokens
    index = next(i for i, token in enumerate(tokens) if token is flags[0].token)
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None or following.type not in ("FWS", "AWS"):
        return None
    # the blank may hold a line continuation; the image then moves up to the FROM line
    return [Edit(flags[0].token.start_pos, following.end_pos, "")]
