"""DF308 stage-name-casing: ``FROM … AS BuilderBase``, a stage name that is not lower case."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid

from ._stages import stage_name_token, stage_references


class StageNameCasing(Rule):
    """Write stage names in lower case, as BuildKit reads them.

    BuildKit lower-cases stage names when it parses ``FROM … AS Name`` and
    matches every reference (``FROM``, ``COPY --from``, ``RUN
    --mount=from=``, ``--target``) case-insensitively, so ``AS Builder`` is
    really ``builder``; mixed case only suggests a distinction that does not
    exist. The fix lower-cases the name and the in-file references to that
    stage written in another case: safe, because every lookup already
    ignores case. References split across lines or through variables are
    left as they are (they still resolve).
    """

    code = "DF308"
    name = "stage-name-casing"
    summary = "a stage name that is not lower case"
    safety = Safety.SAFE
    aliases = ("StageNameCasing",)

    valid = (
        Valid("FROM alpine:3 AS builder-base\n"),
        Valid("FROM alpine:3 AS build\nFROM alpine:3\nCOPY --from=Build /a /b\n", "only the name itself is judged"),
    )
    invalid = (
        Invalid(
            "FROM golang:1.22 AS BuilderBase\nRUN go build\n\nFROM BuilderBase AS Test\nRUN go test\n\n"
            "FROM alpine:3\nCOPY --from=BuilderBase /out /out\nRUN --mount=type=bind,from=builderbase,target=/src ls /src\n",
            "FROM golang:1.22 AS builderbase\nRUN go build\n\nFROM builderbase AS test\nRUN go test\n\n"
            "FROM alpine:3\nCOPY --from=builderbase /out /out\nRUN --mount=type=bind,from=builderbase,target=/src ls /src\n",
            "the name and every reference to it",
            message="Stage name 'BuilderBase' should be lowercase",
            line=1, column=1,
        ),
        Invalid(
            "FROM alpine:3 AS Build\nONBUILD COPY --from=Build /a /b\n",
            "FROM alpine:3 AS build\nONBUILD COPY --from=Build /a /b\n",
            "a trigger's --from names a stage of the downstream build",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        references = stage_references(context)
        for stage in context.tree.stages:
            token = stage_name_token(stage.from_)
            if token is None:
                continue
            written = str(token)
            if written == written.lower():
                continue
            lower = written.lower()
            edits = [Edit(token.start_pos, token.end_pos, lower)]
            for reference in references:
                if reference.stage == stage.index and not reference.is_index and reference.where is not None \
                        and reference.value != lower:
                    edits.append(Edit(*reference.where, lower))
            yield self.diagnostic(
                stage.from_,
                f"Stage name '{written}' should be lowercase",
                edits,
                title=f"rename the stage `{lower}`",
            )
