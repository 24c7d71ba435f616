"""DF004 registry-unreachable: a base image dfix could not look up (a notice)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern

from ._registry import UNREACHABLE_CODE, UNREACHABLE_NAME, UNREACHABLE_SEVERITY

_PORT = lazy_pattern(r":(\d+)\Z")


class RegistryUnreachable(Rule):
    """A registry lookup that could not be made: a notice, never a failure.

    The pinning rules (DF300 base-image-untagged, DF301 base-image-latest,
    DF302 base-image-not-digest-pinned with ``resolve = true``) ask registries
    what a floating tag is today. When that fails (no network, ``offline``
    with nothing cached, a registry that refuses the credentials, a
    plain-HTTP registry not marked insecure, a rate limit) they leave the
    line as it is and report this notice, saying what went wrong; the file
    is not touched and the exit code does not change.

    Offline, this rule itself reports base images whose registry address can
    never be reached: a port outside 1–65535 (``localhost:99999/app``).
    Nothing to fix automatically.
    """

    code = UNREACHABLE_CODE
    name = UNREACHABLE_NAME
    summary = "a registry could not be reached to look a base image up"
    safety = Safety.NONE
    severity = UNREACHABLE_SEVERITY

    valid = (
        Valid("FROM localhost:5000/app:1.2\n"),
        Valid("FROM python:3.12\n", "nothing to look up without resolve = true"),
        Valid("FROM debian:12 AS localhost\nFROM localhost\n", "a stage name"),
    )
    invalid = (
        Invalid("FROM localhost:99999/app:1.2\n", None, "no port above 65535"),
        Invalid("FROM registry.example:0/team/app:1\n", None, "port 0"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for stage in context.tree.stages:
            image = stage.from_.image
            if image is None or image.has_variables or not image.registry:
                continue
            match = _PORT.search(image.registry)
            if match and not 1 <= int(match.group(1)) <= 65535:
                yield self.diagnostic(
                    stage.from_,
                    f"`{image.registry}` is not a reachable registry address: port {int(match.group(1))} is outside 1–65535",
                )
