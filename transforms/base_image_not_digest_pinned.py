"""DF302 base-image-not-digest-pinned: a tag can be re-pointed; a digest cannot (off by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dfix.engine import Invalid, Valid
from dfix.syntax import ImageRef

from ._pinning import BaseImage, PinningRule

if TYPE_CHECKING:
    from dfix.registry import Resolution


class BaseImageNotDigestPinned(PinningRule):
    """Pin the base image to a digest (a policy choice: off unless selected).

    Even a precise tag (``python:3.12.7``) is re-pushed for security updates;
    only ``image@sha256:…`` names exactly one image. Skipped: ``scratch``,
    stage names, references with variables that cannot be evaluated.

    Fix: none by default. With ``resolve = true`` dfix looks up the digest
    the tag has today and appends it, keeping the tag for readers
    (``python:3.12.7`` → ``python:3.12.7@sha256:…``; ``policy = "digest"``
    drops the tag). For a multi-platform image the digest is the index's, so
    every platform stays buildable. Unsafe: the build stops receiving the
    tag's updates. Registry problems become a DF004 notice.
    """

    code = "DF302"
    name = "base-image-not-digest-pinned"
    summary = "base image not pinned to a digest"
    default_enabled = False
    finds_tag = False

    valid = (
        Valid("FROM python:3.12@sha256:" + "c" * 64 + "\n"),
        Valid("FROM scratch\n"),
        Valid("FROM python@sha256:" + "c" * 64 + " AS base\nFROM base\n", "a stage name"),
        Valid("ARG IMAGE\nFROM $IMAGE\n", "unknown until build time"),
    )
    invalid = (
        Invalid("FROM python:3.12.7\n", None, "report only without resolve = true"),
        Invalid("FROM python\n", None),
        Invalid("ARG V=3.12\nFROM python:$V\n", None, "through an ARG default"),
    )

    def applies(self, ref: ImageRef) -> bool:
        return ref.digest is None

    def problem(self, image: BaseImage) -> str:
        tag = image.ref.tag or "latest"
        return f"`{image.text}` is not pinned to a digest: the tag `{tag}` can be re-pointed at another image"

    def pinned(self, resolution: Resolution, image: BaseImage) -> tuple[str | None, str]:
        reference = resolution.reference
        kind = "multi-platform index digest" if resolution.multi_platform else "digest"
        cached = f", cached" if resolution.cached else ""
        written = f"{reference.name}:{reference.tag}"
        if self.settings["policy"] == "digest":
            return reference.with_tag(None, resolution.digest), f"{written} has the {kind} {resolution.digest} today{cached}"
        return reference.with_tag(image.ref.tag, resolution.digest), f"{written} has the {kind} {resolution.digest} today{cached}"
