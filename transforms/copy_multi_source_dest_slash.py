"""DF607 copy-multi-source-dest-slash: several sources copied to a destination without ``/`` (hadolint's DL3021)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Add, Copy


class CopyMultiSourceDestSlash(Rule):
    """``COPY a b dest``: with several sources the destination is a folder; end it with ``/``.

    **What** (hadolint's DL3021, on COPY and ADD alike): more than one
    source and a destination (quotes removed) that does not end with ``/``.

    **Why.** Several files can only land in a folder. Docker's documentation
    requires the trailing ``/`` here and the legacy builder refuses the
    build without it; with it the reader sees at once that ``dest`` is a
    folder.

    **Fix** (unsafe): append ``/`` to the destination. BuildKit does not
    reject the slash-less form up front, and a slash-less destination names
    the target *file* when a wildcard matches one file (``COPY f*.go
    foo2.go`` in BuildKit's own tests), so the slash can change what a
    working build produces. A JSON-form or quoted destination is reported
    only.
    """

    code = "DF607"
    name = "copy-multi-source-dest-slash"
    summary = "`COPY` of several sources to a destination without a trailing `/`"
    safety = Safety.UNSAFE
    aliases = ("DL3021",)

    valid = (
        Valid("FROM debian\nCOPY a b /srv/\n"),
        Valid("FROM debian\nCOPY a /srv\n", "one source may name a file"),
        Valid('FROM debian\nCOPY ["a", "b", "/srv/"]\n'),
    )
    invalid = (
        Invalid(
            "FROM node:20\nCOPY package.json package-lock.json /app\n",
            "FROM node:20\nCOPY package.json package-lock.json /app/\n",
            unsafe=True,
            message="COPY with more than one source needs a destination ending with `/`",
            line=2,
            column=1,
        ),
        Invalid("FROM debian\nADD --chown=1:1 a b $DEST\n", "FROM debian\nADD --chown=1:1 a b $DEST/\n", unsafe=True),
        Invalid('FROM debian\nCOPY ["a", "b", "/srv"]\n', None, "JSON form: reported only"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for instruction in context.tree.instructions:
            if not isinstance(instruction, (Copy, Add)) or len(instruction.arguments) < 3:
                continue
            destination = instruction.arguments[-1]
            if destination.strip("\"'").endswith("/"):
                continue
            message = f"{instruction.instruction} with more than one source needs a destination ending with `/`"
            words = [t for t in instruction.line_tokens if t.type == "WORD"]
            if instruction.is_json or not words or str.__str__(words[-1]) != destination or destination[-1:] in "\"'":
                yield self.diagnostic(instruction, message, note="not fixed: a JSON-form or quoted destination")
                continue
            end = words[-1].end_pos
            yield self.diagnostic(instruction, message, [Edit(end, end, "/")], title="end the destination with /",
                                  assumes="no source is a wildcard meant to match a single file named by the "
                                          "destination")
