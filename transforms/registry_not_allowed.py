"""DF303 registry-not-allowed: an image pulled from a registry outside the configured allow-list."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.registry import RegistryError, parse_reference
from dfix.syntax import Instruction

from ._pinning import base_images
from ._stages import stage_references

#: Every name Docker Hub goes by; an allow-list entry with any of them allows Docker Hub.
DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
                              "hub.docker.com"})


def registry_of(reference: str) -> str | None:
    """The registry host an image reference is pulled from (``docker.io`` for Docker Hub), lower-cased; None if unreadable."""
    try:
        parsed = parse_reference(reference)
    except RegistryError:
        return None
    return "docker.io" if parsed.is_hub else parsed.host.lower()


def _pattern(entry: str) -> re.Pattern[str]:
    """An allow-list entry as a pattern: ``*`` matches any run of characters (``*.corp.example``, ``registry.*``)."""
    host = entry.strip().lower()
    if host in DOCKER_HUB_NAMES:
        host = "docker.io"
    return re.compile("".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", host)) + r"\Z")


class RegistryNotAllowed(Rule):
    """Pull images only from the registries your organisation trusts.

    With ``allowed-registries`` set (hadolint's ``trustedRegistries``,
    carried over by ``dfix init --from-hadolint``), every image the build
    pulls must come from one of them: the base image of each ``FROM``, and
    the images named by ``COPY --from=<image>`` and ``RUN
    --mount=from=<image>`` (hadolint checks FROM only, yet those pulls are
    just as real). Docker Hub is ``docker.io`` (``hub.docker.com`` and the
    other aliases work too); ``*`` in an entry matches any text
    (``*.corp.example``, ``registry.*``). Skipped: ``scratch``, stage names,
    references with variables that global ARG defaults do not settle, and
    ONBUILD triggers (they pull in another build). Without an allow-list the
    rule reports nothing. No fix: which trusted image replaces another is
    not a mechanical choice.
    """

    code = "DF303"
    name = "registry-not-allowed"
    summary = "image from a registry outside the allowed list"
    aliases = ("DL3026",)
    options = {"allowed-registries": []}

    valid = (
        Valid("FROM ghcr.io/org/app:1\n", "no allow-list configured"),
        Valid("FROM python:3.12\nFROM library/nginx:1\n", "Docker Hub by any alias",
              options={"allowed-registries": ["hub.docker.com"]}),
        Valid("FROM registry.corp.example:5000/base/python:3.12\n", "a wildcard entry",
              options={"allowed-registries": ["*.corp.example:5000"]}),
        Valid("FROM scratch\nFROM ghcr.io/o/a:1 AS build\nFROM build\nCOPY --from=build /a /b\n",
              "scratch and stages are not pulled", options={"allowed-registries": ["ghcr.io"]}),
        Valid("ARG BASE\nFROM $BASE\n", "decided at build time", options={"allowed-registries": ["ghcr.io"]}),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\n",
            message="`python:3.12` comes from `docker.io`, which is not an allowed registry (`ghcr.io`)",
            line=1, column=1, options={"allowed-registries": ["ghcr.io"]},
        ),
        Invalid(
            "FROM ghcr.io/org/base:1\nCOPY --from=quay.io/org/tool:2 /tool /usr/bin/tool\n",
            None, "COPY --from pulls an image too", options={"allowed-registries": ["ghcr.io"]},
        ),
        Invalid(
            "ARG REGISTRY=quay.io\nFROM ${REGISTRY}/org/app:1\n",
            None, "ARG defaults are evaluated", options={"allowed-registries": ["docker.io"]},
        ),
        Invalid(
            "FROM registry.corp.example.evil.com/app:1\n",
            None, "a suffix wildcard matches the end only",
            options={"allowed-registries": ["*.corp.example"]},
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        entries = [str(entry) for entry in self.settings["allowed-registries"] or ()]
        if not entries:
            return
        patterns = [_pattern(entry) for entry in entries]
        allowed_text = ", ".join(f"`{entry}`" for entry in entries)
        for image in base_images(context):
            yield from self._judge(image.from_, image.text, patterns, allowed_text)
        for reference in stage_references(context):
            if reference.kind != "from" and reference.is_image:
                yield from self._judge(reference.instruction, reference.value, patterns, allowed_text)

    def _judge(self, where: Instruction, image: str, patterns, allowed_text: str) -> Iterator[Diagnostic]:
        if image.lower() == "scratch":
            return
        registry = registry_of(image)
        if registry is None or any(pattern.match(registry) for pattern in patterns):
            return
        yield self.diagnostic(
            where,
            f"`{image}` comes from `{registry}`, which is not an allowed registry ({allowed_text})",
        )
