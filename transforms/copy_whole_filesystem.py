"""DF311 copy-whole-filesystem: ``COPY --from=<stage> / /`` copies another image's whole root filesystem."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.syntax import Copy


def _is_root(path: str) -> bool:
    return path.strip("\"'") == "/"


class CopyWholeFilesystem(Rule):
    """Copy what the image needs from another stage, not its whole filesystem.

    ``COPY --from=build / /`` lays every file of the other stage (its package
    database, caches, compilers, ``/etc/passwd``) over this one: the image
    grows by the whole stage and the multi-stage split buys nothing. Copy the
    build's outputs instead (``COPY --from=build /app/dist /app``). No fix:
    which paths are needed is the author's call. As hadolint, any source
    ``/`` with destination ``/`` counts (``/`` among several sources too).
    """

    code = "DF311"
    name = "copy-whole-filesystem"
    summary = "`COPY --from` copies a stage's whole filesystem"
    aliases = ("DL3067",)

    valid = (
        Valid("FROM alpine:3 AS build\nFROM alpine:3\nCOPY --from=build /out /out\n"),
        Valid("FROM alpine:3\nCOPY / /\n", "from the build context, not another stage"),
        Valid("FROM alpine:3 AS build\nFROM scratch\nCOPY --from=build / /rootfs\n", "into a folder"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3 AS build\nRUN make\nFROM scratch\nCOPY --from=build / /\n",
            message="`COPY --from=build / /` copies the whole filesystem of `build`; copy the paths the image needs",
            line=4, column=1,
        ),
        Invalid('FROM alpine:3 AS build\nFROM scratch\nCOPY --from=build ["/", "/"]\n', None, "JSON form"),
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
                source = instruction.from_stage
                yield self.diagnostic(
                    instruction,
                    f"`COPY --from={source} / /` copies the whole filesystem of `{source}`; copy the paths the image needs",
                )
