"""DF313 invalid-default-arg-in-from: global ARG defaults give an empty or invalid FROM image (BuildKit's InvalidDefaultArgInFrom)."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.patterns import lazy_pattern

from ._variables import PLATFORM_ARGS, expand, global_args, references

# The grammar of an image reference (distribution/reference), as BuildKit's ParseNormalizedNamed applies it.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = lazy_pattern(
    rf"(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)(?::{_TAG})?(?:@{_DIGEST})?",
    re.ASCII,
)
_IDENTIFIER = lazy_pattern(r"[a-f0-9]{64}")


def is_valid_reference(text: str) -> bool:
    """Whether BuildKit's ``reference.ParseNormalizedNamed`` accepts ``text`` (``scratch`` and stage names included)."""
    if not text or _IDENTIFIER.fullmatch(text):
        return False
    first, slash, rest = text.partition("/")
    has_domain = bool(slash) and (any(c in first for c in ".:") or first == "localhost" or first.lower() != first)
    remainder = rest if has_domain else text
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        return False
    match = _REFERENCE.fullmatch(text if has_domain else f"docker.io/{text}")
    if match is None:
        return False
    named = (match.group("domain") + "/" if match.group("domain") else "") + match.group("path")
    return len(named) <= 255


class InvalidDefaultArgInFrom(Rule):
    """With only the global ARG defaults, a FROM names no valid image.

    **What** (BuildKit's InvalidDefaultArgInFrom): ``ARG TAG`` then
    ``FROM busybox:${TAG}``: without ``--build-arg TAG=...`` the image is
    ``busybox:``, which no registry serves; ``ARG BASE`` + ``FROM $BASE``
    gives an empty name.

    **Why.** A plain ``docker build .`` fails, and tools that read the
    Dockerfile without build arguments (Dependabot, Renovate, scanners,
    ``docker build --check``) cannot tell which image it uses.

    Reported only when dfix evaluates the defaults exactly: a default that
    uses the pattern modifiers (``${V%.*}``, ``${V/x/y}``) is left alone, and
    so is a FROM naming an undeclared ARG (DF312 reports that; BuildKit
    reports both).
    BuildKit's platform arguments take an amd64 Linux host's values.

    **Fix**: none; the default needs a human's choice (``ARG TAG=1.36``).
    """

    code = "DF313"
    name = "invalid-default-arg-in-from"
    summary = "Global ARG defaults give an empty or invalid FROM image"
    severity = "error"
    aliases = ("InvalidDefaultArgInFrom",)

    valid = (
        Valid("ARG TAG=1.36\nFROM busybox:${TAG}\n"),
        Valid("ARG TAG\nFROM busybox:${TAG:-1.36}\n", "a default in the reference itself"),
        Valid("ARG VARIANT=-slim\nFROM python:3.12${VARIANT}\n"),
        Valid("ARG IMAGE=builder\nFROM alpine AS builder\nFROM $IMAGE\n", "a stage name is a valid reference"),
        Valid("ARG V=3.12.1\nFROM python:${V%.*}\n", "a pattern modifier: not evaluated"),
        Valid("FROM --platform=$BUILDPLATFORM golang:1.22-${TARGETOS}\n", "platform arguments have values"),
        Valid("FROM python:$TAG\n", "an undeclared name is DF312's"),
    )
    invalid = (
        Invalid("ARG TAG\nFROM busybox:${TAG}\n",
                message="Default value for ARG busybox:${TAG} results in empty or invalid base image name",
                line=2, column=1),
        Invalid("ARG BASE\nFROM $BASE AS app\n", None, "an empty image name"),
        Invalid("ARG REPO=My/App\nFROM ${REPO}:1\n", None, "upper case in a repository name"),
        Invalid("ARG TAG=\nFROM ubuntu:$TAG\n", None, "an empty default"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        defaults = global_args(context).defaults
        escape = context.tree.escape
        for stage in context.tree.stages:
            instruction = stage.from_
            image = instruction.image_token
            if image is None:
                continue
            text = instruction.value_of(image)
            if "$" not in text or not references(text, escape):
                continue
            declared = global_args(context).names
            found = references(text, escape) or ()
            if any(ref.name in declared and ref.name not in defaults for ref in found):
                continue  # a default dfix could not evaluate
            if any(ref.name not in declared and ref.name not in PLATFORM_ARGS for ref in found):
                continue  # an undeclared name: DF312's finding
            value = expand(text, defaults, escape)
            if value is None or is_valid_reference(value):
                continue
            yield self.diagnostic(
                instruction, f"Default value for ARG {text} results in empty or invalid base image name",
            )
