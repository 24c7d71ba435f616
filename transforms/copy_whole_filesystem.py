"""DF311 copy-whole-filesystem: ``COPY --from=<stage> / /`` copies another image's whole root filesystem."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.syntax import Copy

from ._stages import stage_references

#: Images published ``FROM scratch`` to be copied whole into a build stage (their documented use).
#: ``tonistiigi/xx``: cross-compilation helper scripts, used as ``COPY --from=xx / /`` by BuildKit, Buildx and Moby.
WHOLE_COPY_IMAGES = frozenset({"tonistiigi/xx", "docker.io/tonistiigi/xx"})


def _is_root(path: str) -> bool:
    return path.strip("\"'") == "/"


def _repository(reference: str) -> str:
    """``tonistiigi/xx`` of ``tonistiigi/xx:${XX_VERSION}`` or ``tonistiigi/xx@sha256:…``."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return (name[:colon] if colon > slash else name).lower()


def _holds_only_artifacts(context: Context, copy: Copy) -> bool:
    """The source is a stage built from ``scratch`` (only what it copied in), or an image made to be copied whole."""
    reference = next((r for r in stage_references(context) if r.instruction is copy and r.kind == "copy"), None)
    if reference is None:
        return False
    if reference.stage is None:
        return _repository(reference.value) in WHOLE_COPY_IMAGES
    return _artifact_stage(context, reference.stage, set())


def _artifact_stage(context: Context, index: int, seen: set[int]) -> bool:
    """Stage ``index`` is built, through in-file stages, from ``scratch`` or a whole-copy image.

    A base written with variables (``FROM binaries-$TARGETOS``) counts when
    every earlier stage its pattern can name is such a stage.
    """
    if index in seen:
        return False
    seen.add(index)
    info = context.stages[index]
    if info.parent is not None:
        return _artifact_stage(context, info.parent, seen)
    image = info.stage.from_.image
    if image is None:
        return False
    if not image.has_variables:
        return image.is_scratch or _repository(image.text) in WHOLE_COPY_IMAGES
    pattern = re.compile("".join(
        "[^/:@]*" if part.startswith("$") else re.escape(part.lower())
        for part in re.split(r"(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)", image.text)
    ) + r"\Z")
    candidates = [stage.index for stage in context.tree.stages[:index] if stage.name and pattern.match(stage.name)]
    if not candidates:
        return _repository(image.text) in WHOLE_COPY_IMAGES
    return all(_artifact_stage(context, candidate, seen) for candidate in candidates)


def _flattens(context: Context, copy: Copy) -> bool:
    """``COPY --from=x / /`` into a stage built ``FROM scratch``: the whole image squashed into one layer, on purpose."""
    info = context.stage_of(copy)
    if info is None:
        return False
    image = info.stage.from_.image
    return info.parent is None and image is not None and image.is_scratch


class CopyWholeFilesystem(Rule):
    """Copy what the image needs from another stage, not its whole filesystem.

    ``COPY --from=build / /`` lays every file of the other stage (its package
    database, caches, compilers, ``/etc/passwd``) over this one: the image
    grows by the whole stage and the multi-stage split buys nothing. Copy the
    build's outputs instead (``COPY --from=build /app/dist /app``). No fix:
    which paths are needed is the author's call. As hadolint, any source
    ``/`` with destination ``/`` counts (``/`` among several sources too).

    Unlike hadolint, not when the source holds nothing but artifacts: a
    stage built ``FROM scratch`` (``FROM scratch AS binaries`` + ``COPY
    --from=build /out/app /``, then ``COPY --from=binaries / /``, BuildKit's
    own pattern, also through ``FROM binaries-$TARGETOS`` when every stage
    that can name is such a stage), or an image published from scratch to
    be copied whole (``tonistiigi/xx``, whose documented use is ``COPY
    --from=xx / /``); and not into a stage built ``FROM scratch``: that
    squashes an image into one layer on purpose (the whole filesystem is
    the point). Reported: one operating system laid over another (``FROM
    dotnet`` + ``COPY --from=node / /``).
    """

    code = "DF311"
    name = "copy-whole-filesystem"
    summary = "`COPY --from` copies a stage's whole filesystem"
    aliases = ("DL3067",)

    valid = (
        Valid("FROM alpine:3 AS build\nFROM alpine:3\nCOPY --from=build /out /out\n"),
        Valid("FROM alpine:3\nCOPY / /\n", "from the build context, not another stage"),
        Valid("FROM alpine:3 AS build\nFROM scratch\nCOPY --from=build / /rootfs\n", "into a folder"),
        Valid("FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch AS binaries\nCOPY --from=build /app /\n"
              "FROM alpine:3\nCOPY --from=binaries / /\n", "a scratch stage holds only artifacts"),
        Valid("ARG XX_VERSION=1.6.1\nFROM --platform=$BUILDPLATFORM tonistiigi/xx:${XX_VERSION} AS xx\n"
              "FROM golang:1.22\nCOPY --from=xx / /\n", "an image made to be copied whole"),
        Valid("FROM scratch AS binaries-linux\nCOPY app /\nFROM scratch AS binaries-darwin\nCOPY app.mac /\n"
              "FROM binaries-$TARGETOS AS binaries\nFROM alpine:3\nCOPY --from=binaries / /usr/bin/\n"
              "FROM alpine:3\nCOPY --from=binaries / /\n", "every stage the variable can name is built from scratch"),
        Valid("FROM debian:12 AS assemble\nRUN make install\nFROM scratch\nCOPY --from=assemble / /\n",
              "squashed into one layer on purpose"),
    )
    invalid = (
        Invalid(
            "FROM node:20-slim AS node\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=node / /\n",
            message="`COPY --from=node / /` copies the whole filesystem of `node`; copy the paths the image needs",
            line=3, column=1,
        ),
        Invalid('FROM alpine:3 AS build\nFROM debian:12\nCOPY --from=build ["/", "/"]\n', None, "JSON form"),
        Invalid("FROM alpine:3\nCOPY --from=docker:27-cli / /\n", None, "an image"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for stage in context.tree.stages:
            for instruction in stage.instructions:
                if not isinstance(instruction, Copy) or instruction.from_stage is None:
                    continue
                destination = instruction.destination
                if destination is None or not _is_root(destination):
                    continue
                if not any(_is_root(source) for source in instruction.sources):
                    continue
                if _holds_only_artifacts(context, instruction) or _flattens(context, instruction):
                    continue
                source = instruction.from_stage
                yield self.diagnostic(
                    instruction,
                    f"`COPY --from={source} / /` copies the whole filesystem of `{source}`; copy the paths the image needs",
                )
