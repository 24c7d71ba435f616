"""DF610 empty-continuation-line: blank lines inside a continued instruction (BuildKit's NoEmptyContinuation)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import swallowed_line


class EmptyContinuationLine(Rule):
    """A blank line inside a continued instruction: deprecated, and a future error.

    **What** (BuildKit's NoEmptyContinuation): an empty or whitespace-only
    line while an instruction continues (after a line ending in the escape
    character). Heredoc bodies are content, not continuation lines.

    **Why.** BuildKit drops such a line and goes on with the instruction, so
    it does not end the instruction as it seems to: ``RUN a \\``, a blank
    line, then ``RUN b`` is the single instruction ``RUN a RUN b``. Docker
    deprecated this and plans to make it an error.

    **Fix** (safe): delete the blank lines; BuildKit already ignores them, so
    the instruction reads the same. Comment lines inside the instruction
    stay (they are dropped the same way, and are allowed). With the option
    ``replace-with-comment = true`` each blank line becomes a bare ``#`` line
    instead, which keeps the author's visual groups.
    """

    code = "DF610"
    name = "empty-continuation-line"
    summary = "a blank line inside a continued instruction"
    safety = Safety.SAFE
    aliases = ("NoEmptyContinuation",)
    options = {"replace-with-comment": False}

    valid = (
        Valid("FROM debian\nRUN apt-get update && \\\n    # comment lines are fine\n    apt-get install -y curl\n"),
        Valid("FROM debian\nRUN <<EOF\necho a\n\necho b\nEOF\n", "a heredoc body is content"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n\n    apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n",
            message="Empty continuation line",
            line=3,
            column=1,
        ),
        Invalid(
            "FROM debian\nRUN make && \\\n    make install \\\n\n# configuration\nCOPY app.conf /etc/app/\n",
            None,
            "the blank line separates the RUN from the COPY its continuation swallows: it stays",
        ),
        Invalid(
            "FROM debian\r\nRUN a \\\r\n  \t\r\n# note\r\n\r\n  b\r\n",
            "FROM debian\r\nRUN a \\\r\n# note\r\n  b\r\n",
            "whitespace-only lines too, CRLF kept",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        starts = _line_starts(context.tree.code)
        for instruction in context.tree.instructions:
            info = instruction.line_info
            if info is None or not info.empty_continuation_lines:
                continue
            # A continuation that swallows an instruction (DF631) runs on past where its author meant the
            # instruction to end: the blank lines from there on separate that instruction from the next.
            swallowed = swallowed_line(context.tree.code, instruction)
            meant_end = swallowed.before.line if swallowed is not None else None
            edits = [self._edit(context.tree.code, starts, number) for number in info.empty_continuation_lines
                     if number < len(starts) and (meant_end is None or number < meant_end)]
            first = info.empty_continuation_lines[0]
            span = context.span(starts[first - 1], starts[min(first, len(starts) - 1)])
            if edits:
                yield self.diagnostic(span, "Empty continuation line", edits, title="delete the blank lines")
            else:
                yield self.diagnostic(span, "Empty continuation line", note=(
                    f"not fixed: the blank lines come after line {meant_end}, where a line continuation makes the "
                    f"`{swallowed.keyword}` line that follows part of this {instruction.instruction}; once that "
                    "is mended they separate two instructions"))


    def _edit(self, code: str, starts: list[int], number: int) -> Edit:
        start, end = starts[number - 1], starts[number]
        if not self.settings["replace-with-comment"]:
            return Edit(start, end, "")
        line = code[start:end]
        ending = line[len(line.rstrip("\r\n")):]
        return Edit(start, end, "#" + ending)


def _line_starts(text: str) -> list[int]:
    """Offsets where each line starts, and the end of the text last (lines end at LF only)."""
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    if starts[-1] != len(text):
        starts.append(len(text))
    return starts
