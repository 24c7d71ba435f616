"""DF601 maintainer-deprecated: ``MAINTAINER`` is deprecated; a label says the same (hadolint's DL4000)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, StageInfo, Valid
from dfix.syntax import Label, Maintainer

from ._form import cased_like, double_quoted, literal_value


class MaintainerDeprecated(Rule):
    """``MAINTAINER`` is deprecated: say who maintains the image with a label.

    **What** (hadolint's DL4000, BuildKit's MaintainerDeprecated): every
    ``MAINTAINER`` instruction.

    **Why.** ``MAINTAINER`` only fills the image's legacy ``Author`` field,
    which the OCI image format and most tools ignore; Docker deprecated it in
    favour of a label, which ``docker inspect``, registries and scanners show.

    **Fix** (safe; the image's metadata changes by design: the ``Author``
    field is no longer set, the label is). ``MAINTAINER Jane <j@x.org>``
    becomes ``LABEL maintainer="Jane <j@x.org>"`` in the keyword's case.
    ``MAINTAINER`` text is taken literally while a LABEL value goes through
    BuildKit's word lexer, so ``"``, ``$`` and the escape character are
    escaped: the label holds exactly the text the author wrote. When the
    stage (or a stage it is built ``FROM``) already sets that label, the
    ``MAINTAINER`` line is just deleted: a new label there would override the
    one the author chose. Option ``authors-key`` names the label
    (``org.opencontainers.image.authors`` is BuildKit's suggestion).
    A MAINTAINER with a comment line inside its continuation is reported only.
    """

    code = "DF601"
    name = "maintainer-deprecated"
    summary = "`MAINTAINER` is deprecated"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("DL4000", "MaintainerDeprecated")
    options = {"authors-key": "maintainer"}

    valid = (
        Valid('FROM debian\nLABEL maintainer="Jane <jane@example.org>"\n'),
        Valid("FROM debian\n# MAINTAINER Jane\n", "a comment"),
    )
    invalid = (
        Invalid(
            "FROM debian\nMAINTAINER Jane Doe <jane@example.org>\nRUN make\n",
            'FROM debian\nLABEL maintainer="Jane Doe <jane@example.org>"\nRUN make\n',
            message="MAINTAINER is deprecated: set the `maintainer` label instead",
            line=2,
            column=1,
        ),
        Invalid(
            'FROM debian\nmaintainer  "The $TEAM team" \\ c:\\x  \r\n',
            'FROM debian\nlabel maintainer="\\"The \\$TEAM team\\" \\\\ c:\\\\x"  \r\n',
            "MAINTAINER text is literal: quotes, `$` and backslashes are escaped; case, indent and CRLF kept",
        ),
        Invalid(
            "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver\nMAINTAINER a`b \"c\"\n",
            '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver\nLABEL maintainer="a``b `"c`""\n',
            "the escape character of the file is the one that protects",
        ),
        Invalid(
            'FROM debian\nMAINTAINER Jane\nLABEL maintainer="team@example.org"\n',
            'FROM debian\nLABEL maintainer="team@example.org"\n',
            "the label is already set: the MAINTAINER line goes",
        ),
        Invalid(
            'FROM debian AS base\nLABEL "maintainer"=team\nFROM base\nMAINTAINER Jane\nRUN make\n',
            'FROM debian AS base\nLABEL "maintainer"=team\nFROM base\nRUN make\n',
            "inherited from the parent stage",
        ),
        Invalid("FROM debian\nMAINTAINER Jane \\\n# the team\n  Doe\n", None,
                "a comment inside the continuation would be lost"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        key = str(self.settings["authors-key"])
        escape = context.tree.escape
        message = f"MAINTAINER is deprecated: set the `{key}` label instead"
        for instruction in context.tree.instructions:
            if not isinstance(instruction, Maintainer) or instruction.value is None:
                continue
            stage = context.stage_of(instruction)
            if instruction.comment_lines:
                yield self.diagnostic(instruction, message,
                                      note="not fixed: a comment inside the instruction would be lost")
                continue
            start = instruction.keyword_token.start_pos
            end = instruction.line_tokens[-1].start_pos
            if stage is not None and _sets_label(context, stage, key, escape):
                line_start = instruction.span.start
                yield self.diagnostic(instruction, message, [Edit(line_start, instruction.span.end, "")],
                                      title=f"delete MAINTAINER (the `{key}` label is already set)")
                continue
            label = cased_like("LABEL", instruction.keyword_token)
            text = f"{label} {key}={double_quoted(instruction.value, escape)}"
            yield self.diagnostic(instruction, message, [Edit(start, end, text)], title=f"use LABEL {key}=...")


def _sets_label(context: Context, stage: StageInfo, key: str, escape: str) -> bool:
    """Whether the stage, or an in-file stage it is built from, sets the label ``key``."""
    info: StageInfo | None = stage
    while info is not None:
        for instruction in info.stage.instructions:
            if isinstance(instruction, Label) and any(literal_value(name, escape) == key for name, _ in instruction.pairs):
                return True
        info = context.stages[info.parent] if info.parent is not None else None
    return False
