"""DF309 copy-from-undefined-stage: ``COPY --from=X`` where X is no stage, so BuildKit pulls an image called X."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._stages import stage_names, stage_references


class CopyFromUndefinedStage(Rule):
    """``COPY --from`` should name a stage of the file (or an image, spelled as one).

    BuildKit reads ``--from=X`` as a stage when a stage is named X
    (case-insensitively), as a stage index when X is a number, and otherwise
    as an image reference: ``COPY --from=buidler`` (a typo) pulls the image
    ``docker.io/library/buidler:latest`` and fails, or worse, succeeds; and
    ``COPY --from=composer`` (meant as the image) pulls whatever ``latest``
    is that day, so the message asks for a tag when no stage name is close.
    Reported: a bare name (no ``:``, ``/`` or ``@``, no variables) that no
    stage carries, with the closest stage name as a suggestion; a stage index
    past the last stage. A name with a registry, tag or digest is an image
    and DF303 judges it. The name may also be a named build context
    (``docker buildx build --build-context X=…``), which the file cannot
    show, hence no fix.

    Unlike hadolint, a stage defined *later* in the file counts: BuildKit
    registers every stage before it resolves ``--from`` and builds such a
    file; and names compare case-insensitively, as BuildKit compares them
    (hadolint flags ``--from=build`` for ``AS Build``).
    """

    code = "DF309"
    name = "copy-from-undefined-stage"
    summary = "`COPY --from` names no stage of the file"
    aliases = ("DL3022",)

    valid = (
        Valid("FROM alpine:3 AS build\nFROM alpine:3\nCOPY --from=build /a /b\n"),
        Valid("FROM alpine:3 AS Build\nFROM alpine:3\nCOPY --from=build /a /b\n", "case-insensitive"),
        Valid("FROM alpine:3\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n", "an image with a tag"),
        Valid("FROM alpine:3\nCOPY --from=ghcr.io/org/tool /tool /tool\n", "an image with a registry"),
        Valid("FROM alpine:3\nCOPY --from=0 /a /b\n", "a stage index"),
        Valid("ARG SRC=build\nFROM alpine:3\nCOPY --from=${SRC} /a /b\n", "a variable"),
        Valid("FROM alpine:3\nCOPY --from=later /a /b\nFROM alpine:3 AS later\n", "BuildKit resolves later stages"),
    )
    invalid = (
        Invalid(
            "FROM golang:1.22 AS builder\nRUN go build\nFROM alpine:3\nCOPY --from=buidler /app /app\n",
            message="`COPY --from=buidler` names no stage (did you mean `builder`?); "
                    "unless the build passes `--build-context buidler=…`, BuildKit pulls the image `buidler`",
            line=4, column=1,
        ),
        Invalid("FROM alpine:3\nCOPY --from=2 /a /b\n", None, "an index past the last stage"),
        Invalid(
            "FROM golang:1.22 AS license-set\nRUN make\nFROM scratch AS license-update\nCOPY --from=set /out /\n", None,
            "a part of a stage name (a real slip in Buildx's vendored tools)",
            message="`COPY --from=set` names no stage (did you mean `license-set`?); "
                    "unless the build passes `--build-context set=…`, BuildKit pulls the image `set`",
        ),
        Invalid(
            "FROM php:8.3-fpm\nCOPY --from=composer /usr/bin/composer /usr/bin/composer\n", None,
            "an untagged image",
            message="`COPY --from=composer` names no stage, so BuildKit pulls the image `composer:latest` "
                    "(or a `--build-context composer=…`); if the image is meant, give it a tag",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        names = stage_names(context)
        count = len(context.tree.stages)
        for reference in stage_references(context):
            if reference.kind != "copy" or reference.stage is not None or reference.has_variables:
                continue
            value = reference.value
            if reference.is_index:
                yield self.diagnostic(
                    reference.instruction,
                    f"`COPY --from={value}` names stage {value}, but the file has {count} "
                    f"(indexes 0 to {count - 1})",
                )
                continue
            if any(character in value for character in ":/@"):
                continue
            close = _suggestion(value.lower(), list(names))
            if close:
                message = (f"`COPY --from={value}` names no stage (did you mean `{close}`?); unless the build "
                           f"passes `--build-context {value}=…`, BuildKit pulls the image `{value}`")
            else:
                message = (f"`COPY --from={value}` names no stage, so BuildKit pulls the image `{value}:latest` "
                           f"(or a `--build-context {value}=…`); if the image is meant, give it a tag")
            yield self.diagnostic(reference.instruction, message)


def _suggestion(value: str, names: list[str]) -> str | None:
    """The stage name ``value`` most likely meant: a close spelling, else the one stage it is a part of (``set`` → ``license-set``)."""
    import difflib  # only a COPY --from naming no stage needs it

    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    if close:
        return close[0]
    containing = [name for name in names if value in re.split(r"[-_.]", name)]
    return containing[0] if len(containing) == 1 else None
