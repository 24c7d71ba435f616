"""DF303 registry-not-allowed: an image pulled from a registry outside the configured allow-list."""

from __future__ import annotations

import re
from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.registry import RegistryError, parse_reference
from dfix.syntax import Instruction

from ._pinning import base_images
from ._stages import stage_references

#: Every name Docker Hub goes by; an allow-list entry with any of them allows Docker Hub.
DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
                              "hub.docker.com"})


def image_location(reference: str) -> tuple[str, str] | None:
    """Where an image is pulled from: its registry host (``docker.io`` for Docker Hub, lower-cased) and repository.

    None for a reference no registry serves (BuildKit fails on it anyway).
    """
    try:
        parsed = parse_reference(reference)
    except RegistryError:
        return None
    return ("docker.io" if parsed.is_hub else parsed.host.lower()), parsed.repository


class TrustedEntry(msgspec.Struct, frozen=True):
    """One allow-list entry: a registry host (``ghcr.io``, ``*.corp.example``) or a repository path under one."""

    text: str
    pattern: re.Pattern[str]
    #: The entry names repositories (``ghcr.io/my-org/*``), not only a host.
    has_path: bool

    @classmethod
    def of(cls, entry: str) -> "TrustedEntry":
        text = entry.strip().lower()
        host, slash, path = text.partition("/")
        if host in DOCKER_HUB_NAMES:
            host = "docker.io"
        written = f"{host}{slash}{path}"
        pattern = "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", written))
        return cls(entry, re.compile(pattern + r"\Z"), bool(slash))

    def allows(self, host: str, repository: str) -> bool:
        return bool(self.pattern.match(f"{host}/{repository}" if self.has_path else host))


class RegistryNotAllowed(Rule):
    """Pull images only from the registries your organisation trusts.

    With ``trusted-registries`` set (hadolint's ``trustedRegistries``,
    carried over by ``dfix init --from-hadolint``), every image the build
    pulls must come from one of them: the base image of each ``FROM``, and
    the images named by ``COPY --from=<image>`` and ``RUN
    --mount=from=<image>`` (hadolint checks FROM only, yet those pulls are
    just as real). An entry is a registry host, where ``*`` matches any
    text (``*.corp.example``, ``registry.*``), or a repository path under
    one (``ghcr.io/my-org/*``, ``docker.io/library/*`` for Docker Hub's
    official images; hadolint compares hosts only, so such entries never
    match there). Docker Hub is ``docker.io`` under any of its names
    (``hub.docker.com``, ``index.docker.io`` ...), on both sides: hadolint
    compares them as written and rejects ``index.docker.io/library/python``
    even with ``docker.io`` allowed. Skipped: ``scratch``, stage names,
    references with variables that global ARG defaults do not settle, and
    ONBUILD triggers (they pull in another build). Without an allow-list the
    rule reports nothing. No fix: which trusted image replaces another is
    not a mechanical choice.
    """

    code = "DF303"
    name = "registry-not-allowed"
    summary = "image from a registry outside the allowed list"
    severity = "error"
    aliases = ("DL3026",)
    options = {"trusted-registries": []}

    valid = (
        Valid("FROM ghcr.io/org/app:1\n", "no allow-list configured"),
        Valid("FROM python:3.12\nFROM library/nginx:1\n", "Docker Hub by any alias",
              options={"trusted-registries": ["hub.docker.com"]}),
        Valid("FROM registry.corp.example:5000/base/python:3.12\n", "a wildcard entry",
              options={"trusted-registries": ["*.corp.example:5000"]}),
        Valid("FROM scratch\nFROM ghcr.io/o/a:1 AS build\nFROM build\nCOPY --from=build /a /b\n",
              "scratch and stages are not pulled", options={"trusted-registries": ["ghcr.io"]}),
        Valid("ARG BASE\nFROM $BASE\n", "decided at build time", options={"trusted-registries": ["ghcr.io"]}),
        Valid("FROM ghcr.io/my-org/app:1\nFROM python:3.12\n", "repository paths",
              options={"trusted-registries": ["ghcr.io/my-org/*", "docker.io/library/*"]}),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\n",
            message="`python:3.12` comes from `docker.io`, which is not a trusted registry (`ghcr.io`)",
            line=1, column=1, options={"trusted-registries": ["ghcr.io"]},
        ),
        Invalid(
            "FROM ghcr.io/org/base:1\nCOPY --from=quay.io/org/tool:2 /tool /usr/bin/tool\n",
            None, "COPY --from pulls an image too", options={"trusted-registries": ["ghcr.io"]},
        ),
        Invalid(
            "ARG REGISTRY=quay.io\nFROM ${REGISTRY}/org/app:1\n",
            None, "ARG defaults are evaluated", options={"trusted-registries": ["docker.io"]},
        ),
        Invalid(
            "FROM registry.corp.example.evil.com/app:1\n",
            None, "a suffix wildcard matches the end only",
            options={"trusted-registries": ["*.corp.example"]},
        ),
        Invalid(
            "FROM ghcr.io/other-org/app:1\nFROM bitnami/redis:7\n",
            None, "outside the trusted repository paths",
            options={"trusted-registries": ["ghcr.io/my-org/*", "docker.io/library/*"]},
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        entries = [TrustedEntry.of(str(entry)) for entry in self.settings["trusted-registries"] or ()]
        if not entries:
            return
        allowed_text = ", ".join(f"`{entry.text}`" for entry in entries)
        for image in base_images(context):
            yield from self._judge(image.from_, image.text, entries, allowed_text)
        for reference in stage_references(context):
            if reference.kind != "from" and reference.is_image:
                yield from self._judge(reference.instruction, reference.value, entries, allowed_text)

    def _judge(self, where: Instruction, image: str, entries: list[TrustedEntry], allowed_text: str) -> Iterator[Diagnostic]:
        if image.lower() == "scratch":
            return
        location = image_location(image)
        if location is None or any(entry.allows(*location) for entry in entries):
            return
        yield self.diagnostic(
            where,
            f"`{image}` comes from `{location[0]}`, which is not a trusted registry ({allowed_text})",
        )
