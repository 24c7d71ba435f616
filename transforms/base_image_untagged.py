"""DF300 base-image-untagged: ``FROM image`` with neither tag nor digest builds from ``latest``."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import ImageRef

from ._pinning import BaseImage, PinningRule


class BaseImageUntagged(PinningRule):
    """Give the base image a tag: ``FROM python`` means whatever ``latest`` is that day.

    An untagged ``FROM`` pulls ``latest``, so two builds of the same file
    weeks apart can start from different operating systems or language
    versions. Skipped: ``scratch``, earlier stage names (case-insensitive),
    digest-pinned references (``python@sha256:…``), references with variables
    that cannot be evaluated; ``$ARG``/``${ARG}`` is evaluated with a literal
    global ARG default. A registry port (``host:5000/app``) is not a tag.

    Fix: none by default. With the option ``resolve = true`` dfix asks the
    registry (OCI Distribution API, cached on disk) which digest ``latest``
    has today and which version tags share it, and rewrites the reference by
    ``policy``: ``tag`` (default) the most specific version tag
    (``python`` → ``python:3.12.7-bookworm``), ``digest``
    (``python@sha256:…``) or ``tag+digest``. The finding says what was
    chosen and why. Unsafe: the image is the same today, but the build stops
    following ``latest``. An ARG default is edited only when the ARG feeds
    nothing else (see ``transforms/_pinning.py``). Registry problems become a
    DF004 notice and the line is left alone.
    """

    code = "DF300"
    name = "base-image-untagged"
    summary = "`FROM image` without a tag or digest (implicitly `latest`)"
    aliases = ("DL3006",)

    valid = (
        Valid("FROM python:3.12\n"),
        Valid("FROM python@sha256:" + "a" * 64 + "\n", "a digest pins it"),
        Valid("FROM scratch\n"),
        Valid("FROM debian:12 AS Builder\nFROM builder\nRUN true\n", "a stage name, case-insensitive"),
        Valid("FROM localhost:5000/app:1.0\n", "registry port and a tag"),
        Valid("ARG BASE=python:3.12\nFROM $BASE\n", "the ARG default has a tag"),
        Valid("ARG BASE\nFROM ${BASE}\n", "no default: only known at build time"),
        Valid("FROM ${BASE:-python}\n", "modifier forms are not evaluated"),
    )
    invalid = (
        Invalid("FROM python\n", None, "report only without resolve = true"),
        Invalid("FROM localhost:5000/app\nRUN true\n", None, "a registry port is not a tag"),
        Invalid("ARG BASE=python\nFROM ${BASE} AS build\n", None, "the ARG default is untagged"),
        Invalid("FROM debian:12 AS base\nFROM Ubuntu\n", None, "not a stage name"),
    )

    def applies(self, ref: ImageRef) -> bool:
        return ref.tag is None and ref.digest is None

    def problem(self, image: BaseImage) -> str:
        return f"`{image.text}` has no tag, so it builds from whatever `latest` is on the day of the build"
