"""DF604 copy-relative-dest-no-workdir: ``COPY``/``ADD`` to a relative path before any WORKDIR (hadolint's DL3045)."""

from __future__ import annotations

import posixpath
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Add, Copy

from ._form import literal_value, windows_absolute, workdirs

#: A destination COPY reads as itself: no quotes, variables, escapes or spaces.
_PLAIN_PATH = lazy_pattern(r"[A-Za-z0-9_./@%+:,=-]+")


class CopyRelativeDestNoWorkdir(Rule):
    """``COPY``/``ADD`` to a relative destination while no WORKDIR is set: where it lands depends on the base image.

    **What** (hadolint's DL3045): a COPY or ADD whose destination (quotes
    removed) does not start with ``/``, a variable or a Windows drive, in a
    stage where no WORKDIR was set (in the stage or the in-file stages it is
    built from). hadolint checks COPY only; ADD has the same problem.

    **Why.** A relative destination is resolved against the working
    directory, which then comes from the base image: ``COPY app.py .`` puts
    the file in ``/`` on one base and in ``/usr/src/app`` on another.

    **Fix** (safe) only where the directory is known without the base image:
    a stage that starts ``FROM scratch`` works in ``/``, so the destination
    becomes absolute there (``.`` → ``/``, ``bin/`` → ``/bin/``, a trailing
    ``/`` kept). Elsewhere it is reported only (set a WORKDIR, or write the
    absolute path you mean).
    """

    code = "DF604"
    name = "copy-relative-dest-no-workdir"
    summary = "`COPY`/`ADD` to a relative destination before any `WORKDIR`"
    safety = Safety.SAFE
    aliases = ("DL3045",)

    valid = (
        Valid("FROM debian\nWORKDIR /app\nCOPY . .\n"),
        Valid("FROM debian\nCOPY app.py /srv/app.py\n"),
        Valid("FROM debian\nCOPY app.py $APP_HOME/\n", "variable-led"),
        Valid("FROM debian AS base\nWORKDIR /app\nFROM base\nCOPY . .\n", "WORKDIR set in the parent stage"),
        Valid('FROM debian\nCOPY a "/srv/"\n'),
    )
    invalid = (
        Invalid("FROM python:3.12\nCOPY app.py .\n", None,
                "the base image decides where it lands: reported only",
                message="COPY to the relative destination `.` while no WORKDIR is set: it depends on the base "
                        "image's working directory",
                line=2, column=1),
        Invalid(
            "FROM scratch\nCOPY --from=build /out/app bin/\nADD conf .\n",
            "FROM scratch\nCOPY --from=build /out/app /bin/\nADD conf /\n",
            "scratch starts in /",
        ),
        Invalid('FROM scratch\nCOPY ["a", "b"]\n', None, "JSON form: reported only"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        before = workdirs(context)
        for instruction in context.tree.instructions:
            if not isinstance(instruction, (Copy, Add)) or len(instruction.arguments) < 2:
                continue
            workdir = before.get(id(instruction))
            if workdir is None or workdir.set_in_file:
                continue
            written = instruction.arguments[-1]
            bare = written.strip("\"'")
            if bare.startswith(("/", "$")) or windows_absolute(bare):
                continue
            message = (f"{instruction.instruction} to the relative destination `{written}` while no WORKDIR is set: "
                       "it depends on the base image's working directory")
            value = literal_value(written, escape)
            stage = context.stage_of(instruction)
            if (workdir.path is None or value is None or instruction.is_json or instruction.heredocs
                    or (stage is not None and stage.windows)):
                yield self.diagnostic(instruction, message,
                                      note="not fixed: only a stage built FROM scratch shows its working directory")
                continue
            absolute = posixpath.normpath(posixpath.join(workdir.path, value))
            if absolute.startswith("//"):
                absolute = "/" + absolute.lstrip("/")
            if value.endswith("/") and not absolute.endswith("/"):
                absolute += "/"  # a trailing slash says "into this folder": keep it
            token = [t for t in instruction.line_tokens if t.type == "WORD"][-1]
            if not _PLAIN_PATH.fullmatch(absolute):
                yield self.diagnostic(instruction, message, note="not fixed: the absolute path would need quoting")
                continue
            yield self.diagnostic(instruction, message, [Edit(token.start_pos, token.end_pos, absolute)],
                                  title=f"copy to {absolute}")
