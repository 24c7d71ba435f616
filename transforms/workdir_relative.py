"""DF603 workdir-relative: a relative ``WORKDIR`` (hadolint's DL3000, BuildKit's WorkdirRelativePath)."""

from __future__ import annotations

import posixpath
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Workdir

from ._form import literal_value, windows_absolute, workdirs

#: A path WORKDIR reads as itself: no quotes, variables, escapes or spaces.
_PLAIN_PATH = lazy_pattern(r"/[A-Za-z0-9_./@%+:,=-]*")


class WorkdirRelative(Rule):
    """A relative ``WORKDIR`` depends on the directory before it; write the absolute path.

    **What** (hadolint's DL3000; BuildKit's WorkdirRelativePath): a WORKDIR
    whose path (quotes removed) neither starts with ``/`` nor with a
    variable, nor is a Windows drive path. BuildKit reports only a stage's
    first WORKDIR when it is relative; dfix reports every relative one, as
    hadolint does, because the fix makes each of them explicit.

    **Why.** ``WORKDIR app`` means "``app`` under wherever the base image
    left us": the result changes when the base image changes its WORKDIR,
    and a reader cannot tell where later instructions run.

    **Fix** (safe): when the directory before it is known from the file (an
    earlier absolute WORKDIR of the stage or of the in-file stage it is built
    from, or ``FROM scratch``, which starts at ``/``), the path is resolved
    as BuildKit resolves it (``WORKDIR /srv`` then ``WORKDIR app/../web`` →
    ``WORKDIR /srv/web``). Otherwise it comes from the base image and the
    finding is reported only; so is a path with variables or characters
    that would need quoting.
    """

    code = "DF603"
    name = "workdir-relative"
    summary = "`WORKDIR` with a relative path"
    safety = Safety.SAFE
    aliases = ("DL3000", "WorkdirRelativePath")

    valid = (
        Valid("FROM debian\nWORKDIR /app\n"),
        Valid("FROM debian\nWORKDIR $HOME/app\n", "variable-led: its value is known at build time only"),
        Valid('FROM debian\nWORKDIR "/app"\n'),
        Valid("FROM mcr.microsoft.com/windows/servercore\nWORKDIR C:\\\\app\n"),
    )
    invalid = (
        Invalid(
            "FROM node:20\nWORKDIR /srv\nWORKDIR app/../web/\nRUN make\n",
            "FROM node:20\nWORKDIR /srv\nWORKDIR /srv/web\nRUN make\n",
            message='relative WORKDIR "app/../web/" depends on the directory before it: use an absolute path',
            line=3,
            column=1,
        ),
        Invalid("FROM scratch\nworkdir  app  \r\n", "FROM scratch\nworkdir  /app  \r\n", "scratch starts at /"),
        Invalid(
            "FROM debian AS base\nWORKDIR /opt\nFROM base\nWORKDIR tool\n",
            "FROM debian AS base\nWORKDIR /opt\nFROM base\nWORKDIR /opt/tool\n",
            "the parent stage's directory",
        ),
        Invalid("FROM node:20\nWORKDIR app\n", None, "the base image's WORKDIR is unknown: reported only"),
        Invalid("FROM debian\nWORKDIR /srv\nWORKDIR my app\n", None, "a path that would need quoting"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        before = workdirs(context)
        for instruction in context.tree.instructions:
            if not isinstance(instruction, Workdir) or not instruction.value:
                continue
            written = instruction.value
            bare = written.strip("\"'")
            if bare.startswith(("$", "/")) or windows_absolute(bare):
                continue
            message = f'relative WORKDIR "{written}" depends on the directory before it: use an absolute path'
            previous = before.get(id(instruction))
            value = literal_value(written, escape)
            stage = context.stage_of(instruction)
            why_not = None
            if value is None:
                why_not = "the path holds variables"
            elif previous is None or previous.path is None:
                why_not = "the directory before it comes from the base image"
            elif stage is not None and stage.windows:
                why_not = "a Windows stage"
            if why_not is None:
                resolved = posixpath.normpath(posixpath.join(previous.path, value))
                if resolved.startswith("//"):
                    resolved = "/" + resolved.lstrip("/")
                if not _PLAIN_PATH.fullmatch(resolved):
                    why_not = "the absolute path would need quoting"
            if why_not is not None:
                yield self.diagnostic(instruction, message, note=f"not fixed: {why_not}")
                continue
            token = next(t for t in instruction.line_tokens if t.type == "TEXT")
            yield self.diagnostic(instruction, message, [Edit(token.start_pos, token.end_pos, resolved)],
                                  title=f"WORKDIR {resolved}")
