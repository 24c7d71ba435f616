"""DF301 base-image-latest: ``FROM image:latest`` (or another floating tag) moves under the same name."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import ImageRef

from ._pinning import BaseImage, PinningRule


class BaseImageLatest(PinningRule):
    """Replace a floating base-image tag (``latest``) with the version it stands for today.

    ``latest`` (and whatever the option ``floating-tags`` adds: ``lts``,
    ``stable``, ``3``) is re-pointed by the publisher, so the same file builds
    on a different base next month. Digest-pinned references
    (``python:latest@sha256:…``) are accepted. Skipped: ``scratch``, stage
    names, references with variables that cannot be evaluated; a literal
    global ARG default is evaluated (``FROM python:${TAG}`` with
    ``ARG TAG=latest``).

    Fix: none by default. With ``resolve = true`` dfix resolves the tag's
    digest through the registry (the index digest for multi-platform images),
    finds the most specific version tag with the same digest, and rewrites
    the reference by ``policy``: ``tag`` (``python:latest`` →
    ``python:3.12.7-bookworm``), ``digest`` or ``tag+digest``. The message
    names the tag and digest chosen and why. Unsafe: the build stops
    following the tag. Registry problems become a DF004 notice.
    """

    code = "DF301"
    name = "base-image-latest"
    summary = "base image on the floating `latest` tag"
    aliases = ("DL3007",)

    valid = (
        Valid("FROM python:3.12\n"),
        Valid("FROM python:latest@sha256:" + "b" * 64 + "\n", "digest-pinned latest is accepted"),
        Valid("FROM python\n", "untagged is DF300's"),
        Valid("FROM scratch\n"),
        Valid("FROM debian:12 AS latest\nFROM latest\n", "a stage called latest"),
        Valid("ARG TAG=3.12\nFROM python:${TAG}\n"),
        Valid("ARG TAG\nFROM python:$TAG\n", "no default"),
        Valid("FROM localhost:5000/latest:1\n", "a repository called latest"),
    )
    invalid = (
        Invalid("FROM python:latest\n", None, "report only without resolve = true"),
        Invalid("FROM ghcr.io/org/app:latest AS app\n", None, "any registry"),
        Invalid("ARG TAG=latest\nFROM python:${TAG}\n", None, "an ARG default evaluating to latest"),
        Invalid("FROM --platform=$BUILDPLATFORM golang:latest AS build\nFROM scratch\n", None, "with a platform flag"),
    )

    def applies(self, ref: ImageRef) -> bool:
        floating = self.settings["floating-tags"] or ()
        return ref.digest is None and ref.tag is not None and ref.tag in floating

    def problem(self, image: BaseImage) -> str:
        return f"`{image.text}` uses the floating tag `{image.ref.tag}`: the base image changes under the same name"
