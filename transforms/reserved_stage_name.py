"""DF307 reserved-stage-name: a stage named ``scratch`` or ``context``."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid

from ._stages import rename_edits, stage_name_token, stage_names, stage_references

#: Names BuildKit gives a meaning of its own: the empty image, and the build context.
RESERVED = frozenset({"scratch", "context"})


class ReservedStageName(Rule):
    """Do not name a stage ``scratch`` or ``context``.

    ``scratch`` is the empty base image and ``context`` the build context's
    name for ``--build-context``; a stage with either name makes every later
    ``FROM scratch`` or ``COPY --from=context`` mean that stage instead,
    which readers (and the author, a year later) will not expect. Names
    compare case-insensitively (``AS Scratch`` is ``scratch`` to BuildKit;
    hadolint misses it).

    Fix (unsafe): rename the stage ``<name>-stage`` and every in-file
    reference to it (later ``FROM``, ``COPY --from``, ``RUN --mount=from=``).
    The build is the same, but a stage name is also an interface outside the
    file (``--target``, bake files, CI scripts). No fix when the new name is
    taken, a reference cannot be edited in place, or a ``--from`` uses a
    variable that may name the stage.
    """

    code = "DF307"
    name = "reserved-stage-name"
    summary = "a stage named `scratch` or `context`"
    safety = Safety.UNSAFE
    severity = "error"
    aliases = ("DL3063", "ReservedStageName")

    valid = (
        Valid("FROM scratch AS base\n"),
        Valid("FROM alpine:3 AS scratchpad\n"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3 AS scratch\nRUN echo hi > /hi\nFROM scratch\nCOPY --from=scratch /hi /hi\n",
            "FROM alpine:3 AS scratch-stage\nRUN echo hi > /hi\nFROM scratch-stage\nCOPY --from=scratch-stage /hi /hi\n",
            "later FROM and --from name the stage, so they are renamed with it",
            unsafe=True,
            message='Stage name should not use the same name as reserved stage "scratch"',
            line=1, column=1,
        ),
        Invalid(
            "FROM scratch\nFROM alpine:3 AS Context\n",
            "FROM scratch\nFROM alpine:3 AS Context-stage\n",
            "case-insensitive; an earlier FROM scratch is the empty image and stays",
            unsafe=True,
        ),
        Invalid("FROM alpine:3 AS context\nFROM alpine:3 AS context-stage\n", None, "the new name is taken"),
        Invalid("ARG SRC=context\nFROM alpine:3 AS context\nFROM alpine:3\nCOPY --from=$SRC /a /b\n", None,
                "a variable may name the stage"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        names = stage_names(context)
        for stage in context.tree.stages:
            name = stage.name
            if name not in RESERVED:
                continue
            token = stage_name_token(stage.from_)
            written = str(token) if token is not None else name
            new_name = f"{written}-stage"
            note = None
            edits = None
            if new_name.lower() in names:
                note = f"not fixed: `{new_name}` already names a stage"
            elif any(r.has_variables and r.kind != "from" for r in stage_references(context)):
                note = "not fixed: a `--from` with a variable may name this stage"
            else:
                edits = rename_edits(context, stage.index, new_name)
                if edits is None:
                    note = "not fixed: a reference to the stage is quoted or split across lines"
            yield self.diagnostic(
                stage.from_,
                f'Stage name should not use the same name as reserved stage "{name}"',
                edits,
                title=f"rename the stage `{new_name}`",
                note=note,
                assumes="nothing outside this file (`--target`, bake files, CI scripts) names the stage",
            )
