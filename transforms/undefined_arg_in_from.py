"""DF312 undefined-arg-in-from: a variable in FROM that no global ARG declares (BuildKit's UndefinedArgInFrom)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import From, Token

from ._variables import PLATFORM_ARGS, Reference, global_args, near_miss, references


class UndefinedArgInFrom(Rule):
    """A variable in ``FROM`` (image or ``--platform``) that no ARG before the first FROM declares.

    **What** (BuildKit's UndefinedArgInFrom): ``FROM python:${PY_VERSION}``
    with no ``ARG PY_VERSION`` at the top of the file. Only global ARGs and
    BuildKit's platform arguments (``BUILDPLATFORM``, ``TARGETARCH`` ...) are
    visible in FROM; an undeclared name is always empty there, and a
    ``--build-arg PY_VERSION=...`` is ignored. The check also reads
    ``${NAME:-default}``: with the name undeclared, the default is all the
    build can ever use.

    **Why.** The base image is not the one the line names (``python:``
    fails; ``${REGISTRY}/app`` silently drops the registry), and the build
    argument CI passes has no effect.

    **Fix** (unsafe): when a declared global ARG is within two edits of the
    name (``PY_VERSOIN`` for ``PY_VERSION``), the reference is renamed to
    it; otherwise ``ARG NAME`` (no default) is declared before the first
    FROM, after the last global ARG. Either changes which build argument the
    line reads: a ``--build-arg NAME`` that was ignored now takes effect,
    which the line meant. A name used by several FROM lines is declared once.
    """

    code = "DF312"
    name = "undefined-arg-in-from"
    summary = "A variable in FROM that no global ARG declares"
    safety = Safety.UNSAFE
    aliases = ("UndefinedArgInFrom",)
    rewrites = frozenset({"from"})

    valid = (
        Valid("ARG TAG=3.12\nFROM python:${TAG}\n"),
        Valid("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:3.20\n", "a platform argument"),
        Valid("ARG BASE\nFROM $BASE\n", "declared without a default (DF313's concern)"),
        Valid("ARG TAG=1\nFROM alpine\nFROM debian:$TAG\n", "a global ARG serves every FROM"),
        Valid("FROM alpine\nRUN echo $UNDECLARED\n", "not in FROM"),
    )
    invalid = (
        Invalid(
            "ARG PY_VERSION=3.12\nFROM python:${PY_VERSOIN}-slim\n",
            "ARG PY_VERSION=3.12\nFROM python:${PY_VERSION}-slim\n",
            "a near miss of a declared ARG is renamed",
            unsafe=True,
            message="FROM argument `PY_VERSOIN` is not declared (did you mean `PY_VERSION`?)",
            line=2, column=1,
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nARG REGISTRY=docker.io\nFROM $REGISTRY/library/python:$TAG\n",
            "# syntax=docker/dockerfile:1\nARG REGISTRY=docker.io\nARG TAG\nFROM $REGISTRY/library/python:$TAG\n",
            "no near miss: the name is declared after the global ARGs",
            unsafe=True,
            message="FROM argument `TAG` is not declared",
        ),
        Invalid(
            "FROM node:${NODE:-20}\r\nRUN npm ci\r\n",
            "ARG NODE\r\nFROM node:${NODE:-20}\r\nRUN npm ci\r\n",
            "with a default: the default is all the build can use",
            unsafe=True,
        ),
        Invalid(
            "ARG BUILDPLATFORM_OS=linux\nFROM --platform=${TARGETPLATFROM} alpine\n",
            "ARG BUILDPLATFORM_OS=linux\nARG TARGETPLATFROM\nFROM --platform=${TARGETPLATFROM} alpine\n",
            "--platform is read too; a platform argument is not an ARG the file declares, so it is not suggested",
            unsafe=True,
        ),
        Invalid("ARG Base=alpine\nFROM $BASE\n", "ARG Base=alpine\nFROM $Base\n", "letter case", unsafe=True),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        declared = global_args(context).names
        known = declared | frozenset(PLATFORM_ARGS)
        escape = context.tree.escape
        reported: set[str] = set()
        for stage in context.tree.stages:
            instruction = stage.from_
            found: list[tuple[Token, Reference, int]] = []
            image = instruction.image_token
            if image is not None:
                text = instruction.value_of(image)
                found += [(image, ref, 0) for ref in references(text, escape) or ()]
            for flag in instruction.flags:
                if flag.name == "platform" and flag.value:
                    text = instruction.value_of(flag.token)
                    offset = text.find("=") + 1
                    found += [(flag.token, ref, offset) for ref in references(text[offset:], escape) or ()]
            undeclared: dict[str, list[tuple[Token, Reference, int]]] = {}
            for token, ref, offset in found:
                if ref.name not in known and (ref.name[:1].isalpha() or ref.name.startswith("_")):
                    undeclared.setdefault(ref.name, []).append((token, ref, offset))
            for name, uses in undeclared.items():
                suggestion = near_miss(name, declared)
                message = f"FROM argument `{name}` is not declared"
                if suggestion is not None:
                    message += f" (did you mean `{suggestion}`?)"
                    edits = [
                        Edit(instruction.file_offset(token, offset + ref.start + (2 if ref.braced else 1)),
                             instruction.file_offset(token, offset + ref.start + (2 if ref.braced else 1) + len(name),
                                                     insertion=True),
                             suggestion)
                        for token, ref, offset in uses
                    ]
                    yield self.diagnostic(
                        instruction, message, edits, title=f"use `{suggestion}`",
                        assumes=f"`{name}` is a misspelling of the declared `{suggestion}`",
                    )
                    continue
                if name in reported:
                    yield self.diagnostic(instruction, message, note="not fixed: declared once, at its first use")
                    continue
                reported.add(name)
                yield self.diagnostic(
                    instruction, message, [self._declare(context, name)], title=f"declare `ARG {name}`",
                    assumes=f"`{name}` is meant to be passed with --build-arg (it now takes effect in FROM)",
                )

    @staticmethod
    def _declare(context: Context, name: str) -> Edit:
        tree = context.tree
        code = tree.code
        newline = "\r\n" if "\r\n" in code else "\n"
        last_arg = tree.global_args[-1] if tree.global_args else None
        first_from = tree.stages[0].from_
        keyword_case = str.__str__(first_from.keyword_token)
        arg = "arg" if keyword_case.islower() else "ARG"
        if last_arg is not None:
            end = last_arg.span.end
            if code[end - 1 : end] != "\n":
                return Edit(end, end, f"{newline}{arg} {name}")
            return Edit(end, end, f"{arg} {name}{newline}")
        start = first_from.span.start
        return Edit(start, start, f"{arg} {name}{newline}")
