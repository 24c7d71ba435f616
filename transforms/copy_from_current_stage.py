"""DF310 copy-from-current-stage: ``COPY --from`` (or a mount's ``from=``) names the stage it is in."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._stages import stage_references


class CopyFromCurrentStage(Rule):
    """A stage cannot copy from itself.

    ``COPY --from=build`` inside the stage named ``build`` (or ``--from=N``
    where N is the stage's own index) makes the stage depend on itself:
    BuildKit stops with "circular dependency detected". The same holds for
    ``RUN --mount=from=<own stage>``. Names compare case-insensitively. There
    is no fix: the intended source (an earlier stage, the build context) is
    the author's to say.
    """

    code = "DF310"
    name = "copy-from-current-stage"
    summary = "`COPY --from` names the stage it is in"
    severity = "error"
    aliases = ("DL3023",)

    valid = (
        Valid("FROM alpine:3 AS build\nRUN make\nFROM alpine:3\nCOPY --from=build /out /out\n"),
        Valid("FROM alpine:3 AS build\nONBUILD COPY --from=build /a /b\n", "a trigger runs in another build"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3 AS build\nCOPY --from=build /a /b\n",
            message="`COPY --from=build` names the stage it is in; BuildKit stops with a circular dependency",
            line=2, column=1,
        ),
        Invalid("FROM alpine:3 AS Build\nCOPY --from=BUILD /a /b\n", None, "case-insensitive"),
        Invalid("FROM alpine:3\nFROM alpine:3\nCOPY --from=1 /a /b\n", None, "its own index"),
        Invalid("FROM alpine:3 AS deps\nRUN --mount=type=bind,from=deps,target=/d ls /d\n", None, "a mount"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for reference in stage_references(context):
            if reference.kind == "from" or reference.stage is None:
                continue
            info = context.stage_of(reference.instruction)
            if info is None or info.stage.index != reference.stage:
                continue
            what = "`COPY --from" if reference.kind == "copy" else "`RUN --mount=from"
            yield self.diagnostic(
                reference.instruction,
                f"{what}={reference.value}` names the stage it is in; BuildKit stops with a circular dependency",
            )
