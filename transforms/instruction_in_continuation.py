"""DF631 instruction-in-continuation: a line continuation swallows the next instruction."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import analyze
from dfix.syntax import Instruction, Run, swallowed_line

#: The keyword and flags in front of a RUN's script.
_RUN_HEAD = lazy_pattern(r"[ \t]*[Rr][Uu][Nn]([ \t]+--\S+)*[ \t]+")
#: What a shell line cannot end with and be complete: an operator that waits for more.
_OPEN_END = ("&&", "||", "|", "\\", "(", "{", " then", " do", " else", " in")


class InstructionInContinuation(Rule):
    """A line continuation joins the next instruction to this one: a forgotten line end.

    **What.** A continued line (the line before it ends with the escape
    character) that starts with an upper-case instruction keyword and its
    arguments: ``RUN make && true \\`` followed by ``RUN apt-get purge -y
    gcc``.

    **Why.** BuildKit joins continued lines before it reads keywords, so the
    second line is not an instruction at all: its words are arguments of
    the command before (here of ``true``), and what it was meant to do never
    happens. The build succeeds, and the image silently keeps what the
    author meant to remove, or lacks what they meant to add.

    **Fix** (unsafe: the swallowed instruction now runs, which is the
    point), for a RUN only: delete the escape character (and the spaces
    before it) at the end of the line before, when the script up to there
    is complete (it parses and does not end with ``&&``, ``|`` or another
    operator that waits for more). Other instructions, and a script that
    would be left incomplete, are reported only.
    """

    code = "DF631"
    name = "instruction-in-continuation"
    summary = "a line continuation swallows the next instruction"
    safety = Safety.UNSAFE
    severity = "warning"

    valid = (
        Valid("FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\nRUN make\n"),
        Valid("FROM debian\nRUN USER=app make && \\\n    ARGS=1 make install\n", "an assignment, not a keyword"),
        Valid("FROM debian\nRUN <<EOF\nRUN inside a heredoc is content\nEOF\n", "a heredoc body is not a continuation"),
        Valid("FROM debian\nHEALTHCHECK --interval=5m \\\n  CMD curl -f http://localhost/\n", "HEALTHCHECK's own CMD"),
        Valid("FROM debian\nONBUILD \\\n  RUN make\n", "ONBUILD's trigger"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get install -y gcc && make && true \\\nRUN apt-get purge -y gcc\n",
            "FROM debian\nRUN apt-get install -y gcc && make && true\nRUN apt-get purge -y gcc\n",
            "the purge was an argument of `true`",
            unsafe=True,
            message="this line is part of the RUN on line 2, not a RUN of its own: the `\\` ending line 2 "
                    "continues it",
            line=3,
            column=1,
        ),
        Invalid(
            "FROM debian\r\nRUN make && \\\r\n    make install \\\r\n\r\nCOPY conf /etc/app/\r\n",
            "FROM debian\r\nRUN make && \\\r\n    make install\r\n\r\nCOPY conf /etc/app/\r\n",
            "CRLF, an empty line in between (BuildKit drops it)",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN make && \\\n    make install \\\n\n# configuration\nCOPY app.conf /etc/app/\n",
            "FROM debian\nRUN make && \\\n    make install\n\n# configuration\nCOPY app.conf /etc/app/\n",
            "the blank line and comment between them stay: they separate the RUN from the COPY",
            unsafe=True,
            also=("DF610",),
        ),
        Invalid(
            'FROM debian\nRUN apt-get update && apt-get install -y curl \\\nCMD ["curl", "--version"]\n',
            'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n'
            'CMD ["curl", "--version"]\n',
            "no other rule edits the RUN while it swallows the CMD line: the lists cleanup would have been "
            "appended after the CMD line and made it a shell-form command",
            unsafe=True,
            also=("DF200",),
        ),
        Invalid(
            "FROM debian\nRUN make && \\\nRUN make install\n",
            None,
            "the script up to there ends with `&&`: removing the continuation would leave it incomplete",
        ),
        Invalid(
            "FROM debian\nCOPY app.conf /etc/app/ \\\nCOPY start.sh /usr/local/bin/\n",
            None,
            "a COPY: reported only (it copies files named COPY and app.conf into /usr/local/bin/)",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        code = context.tree.code
        for instruction in context.tree.instructions:
            swallowed = swallowed_line(code, instruction)
            if swallowed is None:
                continue  # only the first is reported: the rest is read again once it is mended
            keyword, before = swallowed.keyword, swallowed.before
            where = context.span(swallowed.start, swallowed.end)
            article = "an" if keyword[0] in "AEIOU" else "a"
            message = (f"this line is part of the {instruction.instruction} on line {before.line}, not {article} "
                       f"{keyword} of its own: the `{context.tree.escape}` ending line {before.line} continues it")
            edit = _line_end(context, instruction, before, swallowed.segment.logical_start)
            if edit is None:
                yield self.diagnostic(where, message, note=f"not fixed: {_why_not(instruction)}")
            else:
                yield self.diagnostic(where, message, [edit], title=f"end the {instruction.instruction} on line "
                                      f"{before.line}", assumes=f"the `{keyword}` line was meant to run as an "
                                      "instruction of its own")


def _why_not(instruction: Instruction) -> str:
    if not isinstance(instruction, Run):
        return "only a RUN is split by the fix"
    return "the script up to that line is not complete on its own; end the instruction by hand"


def _line_end(context: Context, instruction: Instruction, before, logical_end: int) -> Edit | None:
    """The edit deleting the continuation at the end of the ``before`` line, when the RUN is complete there."""
    if not isinstance(instruction, Run) or instruction.is_json or instruction.heredocs:
        return None
    info = instruction.line_info
    head = _RUN_HEAD.match(info.original)
    if head is None:
        return None
    script = info.original[head.end() : logical_end].rstrip()
    if not script or script.endswith(_OPEN_END) or analyze(script).has_error:
        return None
    code = context.tree.code
    escape_at = before.start + before.length
    if code[escape_at : escape_at + 1] != context.tree.escape:
        return None
    line_end = escape_at + 1
    while code[line_end : line_end + 1] in (" ", "\t"):
        line_end += 1
    content = code[before.start : escape_at]
    start = before.start + len(content.rstrip(" \t"))
    return Edit(start, line_end, "")
