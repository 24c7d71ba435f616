"""DF626 misleading-description-comment: a comment right above ``FROM … AS name`` or ``ARG NAME`` that does not describe it."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Arg, Comment, From, Instruction


class MisleadingDescriptionComment(Rule):
    """Start a stage's or an ARG's description comment with its name, or set the comment apart.

    ``docker buildx build --call=outline`` and ``--call=targets`` describe
    each stage and build argument with a comment right above its ``FROM …
    AS name`` or ``ARG NAME`` that starts with the name (``# builder
    compiles the binary``). BuildKit's check (experimental there) reports a
    comment in that place that does not start with the name: either it was
    meant as a description and the outline silently drops it, or it is a
    heading that merely sits there. Which one is the author's to say; the
    fix takes the second reading.

    What counts as "right above" is BuildKit's parser, not its
    documentation: the comments since the previous instruction, blank lines
    included (the docs suggest a blank line as the separator, but the parser
    keeps the comment across it); a bare ``#`` line ends the description.
    Hence the fix ends the comment block with a bare ``#`` line:
    safe, a comment changes nothing in the build or the outline, and
    BuildKit's check is satisfied. A comment that shares a word with the
    name (``# Server user`` above ``ARG USER_NAME``, ``# production stage``
    above ``AS production-stage``) was meant as a description: it is
    reported without a fix, asking for a reword (``# USER_NAME server
    user``), since a ``#`` would bury it for good. Parser directives do not
    count; a comment starting with any of an ARG's names is fine.

    Off by default, as in BuildKit: it is a convention for files built with
    ``--call=outline``, and on the Docker Hub corpus one file in twenty has
    such a comment.
    """

    code = "DF626"
    name = "misleading-description-comment"
    summary = "a comment above `FROM … AS name` or `ARG NAME` that does not describe it"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("InvalidDefinitionDescription",)
    default_enabled = False

    valid = (
        Valid("# builder compiles the binary\nFROM golang:1.22 AS builder\n"),
        Valid("# VERSION of the app\nARG VERSION=1\nFROM alpine:3\n"),
        Valid("# Build stage\n#\nFROM golang:1.22 AS builder\n", "a bare # ends the description"),
        Valid("# Build stage\nFROM golang:1.22\n", "an unnamed stage has no description"),
        Valid("FROM alpine:3\n# Install packages\nRUN true\n", "only FROM and ARG are described"),
        Valid("# baz describes one of them\nARG foo=1 baz=2\nFROM alpine:3\n"),
    )
    invalid = (
        Invalid(
            "# Build stage\nFROM golang:1.22 AS builder\nRUN go build\n",
            "# Build stage\n#\nFROM golang:1.22 AS builder\nRUN go build\n",
            message="Comment for FROM should follow the format: `# builder <description>`",
            line=2, column=1,
        ),
        Invalid(
            "FROM alpine:3\n# pinned versions\n\nARG A=1 B=2\n",
            "FROM alpine:3\n# pinned versions\n#\n\nARG A=1 B=2\n",
            "a blank line does not end it in BuildKit's parser",
            message="Comment for ARG should follow the format: `# <arg_key> <description>`",
        ),
        Invalid(
            "# The application's jar file\nARG JAR_FILE=target/app.jar\nFROM eclipse-temurin:21\n", None,
            "a description in the wrong format: reworded by the author, not buried",
        ),
        Invalid(
            "FROM alpine:3\r\n  # indented heading\r\n  ARG V=1\r\n",
            "FROM alpine:3\r\n  # indented heading\r\n#\r\n  ARG V=1\r\n",
            "the file's line ending; not indented (BuildKit would read an indented `#` as text)",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        tree = context.tree
        for instruction in tree.instructions:
            if isinstance(instruction, From):
                keys = [instruction.stage_name] if instruction.stage_name else []
                kind = "FROM"
            elif isinstance(instruction, Arg):
                keys = [name for name, _ in instruction.pairs]
                kind = "ARG"
            else:
                continue
            if not keys:
                continue
            comments = tree.comments_before(instruction)
            if not comments:
                continue
            first_word = comments[-1].split(" ")[0]
            if first_word in keys:
                continue
            example = keys[0] if len(keys) == 1 else "<arg_key>"
            described = _described(comments[-1], keys)
            note = None
            if described:
                note = (f"not fixed: the comment seems to describe `{described}`; start it with the name "
                        f"(`# {described} …`) so the outline shows it")
            yield self.diagnostic(
                instruction,
                f"Comment for {kind} should follow the format: `# {example} <description>`",
                None if described else _separator(context, instruction),
                title="end the comment with a bare `#` line",
                note=note,
            )


def _described(comment: str, keys: list[str]) -> str | None:
    """The key a comment seems to describe: one sharing a word with it (``# Server user`` and ``USER_NAME``)."""
    words = set(re.findall(r"[a-z0-9]{3,}", comment.lower()))
    for key in keys:
        parts = {part for part in re.split(r"[-_.]", key.lower()) if len(part) >= 3}
        if parts & words:
            return key
    return None


def _separator(context: Context, instruction: Instruction) -> list[Edit]:
    """A bare ``#`` line right after the last comment line above ``instruction``, in the file's line ending.

    After the comment, not after the blank lines that may follow it: the
    ``#`` then reads as the end of that comment block. Never indented:
    BuildKit reads a comment's text from the second character of the raw
    line, so ``  #`` leaves ``#`` behind and does not end the description.
    """
    last: Comment | None = None
    for item in context.tree.items:
        if item is instruction:
            break
        if isinstance(item, Instruction):
            last = None
        elif isinstance(item, Comment):
            last = item
    text = context.tree.code
    newline = "\r\n" if text.find("\r\n") >= 0 else "\n"
    if last is None:  # pragma: no cover - only called when comments precede the instruction
        return []
    end = last.span.end
    if not text[:end].endswith("\n"):  # a comment on the file's last line cannot precede an instruction
        return []
    return [Edit(end, end, f"#{newline}")]
