"""DF702 missing-healthcheck: the final image declares no ``HEALTHCHECK``."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.syntax import Healthcheck


class MissingHealthcheck(Rule):
    """Say how to tell the container is healthy (a policy choice, off by default).

    Docker (and Swarm) restart or route around a container only when its
    image says how to probe it; ``HEALTHCHECK NONE`` says deliberately that
    nothing should. Off by default: orchestrators such as Kubernetes ignore
    the image's HEALTHCHECK and probe with their own configuration, and a
    base image may declare one that the file cannot see. Only the final
    image counts (its stage and the in-file stages it is built from):
    hadolint also reports build stages, whose health no one ever checks. No
    fix: an invented probe (``curl localhost:8080/health``) fails on images
    without curl or without that endpoint.
    """

    code = "DF702"
    name = "missing-healthcheck"
    summary = "the final image has no `HEALTHCHECK`"
    severity = "info"
    aliases = ("DL3057",)
    default_enabled = False

    valid = (
        Valid("FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n"),
        Valid("FROM alpine:3\nHEALTHCHECK NONE\n", "deliberately none"),
        Valid("FROM alpine:3 AS base\nHEALTHCHECK CMD true\nFROM base\nRUN true\n", "inherited from an in-file stage"),
        Valid("FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3\nHEALTHCHECK CMD /app -check\n",
              "build stages are not run"),
    )
    invalid = (
        Invalid(
            "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3\nCMD [\"/app\"]\n",
            message="The final image has no `HEALTHCHECK`; add one (or `HEALTHCHECK NONE`) so Docker can tell it is healthy",
            line=3, column=1,
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        final = context.final_stage
        if final is None:
            return
        info = final
        while True:
            if any(isinstance(instruction, Healthcheck) for instruction in info.stage.instructions):
                return
            if info.parent is None:
                break
            info = context.stages[info.parent]
        yield self.diagnostic(
            final.stage.from_,
            "The final image has no `HEALTHCHECK`; add one (or `HEALTHCHECK NONE`) so Docker can tell it is healthy",
        )
