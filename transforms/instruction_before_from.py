"""DF619 instruction-before-from: an instruction other than ``ARG`` before the first ``FROM``."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import RefusalKind

from ._refusals import RefusalRule


class InstructionBeforeFrom(RefusalRule):
    """Report instructions other than ``ARG`` that come before the first ``FROM``.

    Only ``ARG`` may precede the first ``FROM`` (its value can then be used in
    ``FROM`` lines); anything else has no stage to belong to, and BuildKit
    refuses the file with "no build stage in current context". Reported on
    every such instruction, as hadolint does (DL3061); a file with no
    ``FROM`` at all is also reported once as DF000 ("dockerfile contains no
    stages to build"). No fix: whether the line belongs in the first stage or
    the file is missing its ``FROM`` is the author's to say.
    """

    code = "DF619"
    name = "instruction-before-from"
    summary = "an instruction other than `ARG` before the first `FROM`"
    aliases = ("DL3061",)
    kinds = frozenset({RefusalKind.BEFORE_FROM})

    valid = (
        Valid("# syntax=docker/dockerfile:1\n# the base\nARG BASE=debian\nARG TAG\nFROM $BASE:$TAG\nRUN true\n"),
    )
    invalid = (
        Invalid("LABEL maintainer=me\nFROM debian\n", None, message="no build stage in current context", line=1, column=1),
        Invalid("ARG V=1\nENV V=$V\nRUN echo\nFROM debian\n", None, "each one is reported"),
    )
