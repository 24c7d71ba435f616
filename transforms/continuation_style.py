"""DF625 continuation-style: a line continuation glued to the text before it (``curl\\``)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Instruction, Run


class ContinuationStyle(Rule):
    """A line continuation glued to the word before it (``curl\\``) in a file that mostly writes `` \\``.

    **What**: in a continued instruction, a line whose escape character
    (``\\``, or the backtick under ``# escape=```) follows the text with no
    blank before it, in a file where most continuations have a blank before
    them. A file that consistently glues them (``&&\\`` throughout) is the
    author's style and is left alone, as are runs of blanks before the
    escape (aligned backslashes). Comment lines and heredoc bodies are not
    continuation lines.

    **Why.** The style guides write `` \\`` with a blank before it so the
    continuation stands apart from the last word; glued, it reads as part
    of the word, and it is the spelling that hides a real bug: when the next
    line is not indented, ``curl\\`` + ``wget`` is the one word
    ``curlwget``.

    **Fix** (safe): one space before the escape character, only where the
    next line starts with a blank (so the words were apart anyway) and the
    escape is outside quotes, in an instruction without command
    substitutions or heredocs. Where the next line is not indented, the glued
    word may be what the author meant: reported only.
    """

    code = "DF625"
    name = "continuation-style"
    summary = "a line continuation glued to the word before it"
    safety = Safety.SAFE
    severity = "style"

    valid = (
        Valid("FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n"),
        Valid("FROM debian\nRUN apt-get update &&\\\n    apt-get install -y curl &&\\\n    rm -rf /var/lib/apt/lists/*\n",
              "glued throughout: the author's style"),
        Valid("FROM debian\nRUN apt-get install -y   \\\n        curl          \\\n        git\n", "aligned"),
        Valid("FROM debian\nRUN echo a \\\n# note\\\n  b\n", "a comment line does not continue anything"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl\\\n      git \\\n      make\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl \\\n      git \\\n      make\n",
            message="a line continuation glued to the text before it: put a space before the `\\`",
            line=2,
            column=1,
        ),
        Invalid("FROM debian\nRUN echo a \\\n  b \\\n  c\nRUN echo hello\\\nworld\n", None,
                "the next line is not indented: the words join, maybe on purpose"),
        Invalid("FROM debian\nRUN a && \\\n  b && \\\n  c\nRUN apt-get update &&\\\napt-get install -y curl\n",
                "FROM debian\nRUN a && \\\n  b && \\\n  c\nRUN apt-get update && \\\napt-get install -y curl\n",
                "after a shell operator the next word stands apart anyway"),
        Invalid("FROM debian\nRUN echo a \\\n  b \\\n  c\nRUN echo 'a\\\n  b'\n", None,
                "inside quotes the blank would be content"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        code = context.tree.code
        glued_count = spaced_count = 0
        for instruction in context.tree.instructions:
            if instruction.line_info is not None and instruction.start_line != instruction.end_line:
                for spaced in _continuations(code, instruction, escape):
                    spaced_count += spaced
                    glued_count += not spaced
        if spaced_count <= glued_count:
            return  # no continuation, or glued is the file's style
        for instruction in context.tree.instructions:
            info = instruction.line_info
            if info is None or info.start_line == info.end_line:
                continue
            glued = list(_glued_escapes(code, instruction, escape))
            if not glued:
                continue
            message = f"a line continuation glued to the text before it: put a space before the `{escape}`"
            edits = _edits(code, instruction, escape, glued)
            if isinstance(edits, str):
                yield self.diagnostic(instruction, message, note=f"not fixed: {edits}")
            else:
                yield self.diagnostic(instruction, message, edits, title="a space before the continuation")


def _lines(code: str, instruction: Instruction) -> list[tuple[int, str]]:
    """The instruction's physical lines (heredoc bodies excluded): start offset and text without the line end."""
    start = instruction.span.start
    end = instruction.line_tokens[-1].end_pos
    out = []
    position = start
    for line in code[start:end].split("\n"):
        out.append((position, line.rstrip("\r")))
        position += len(line) + 1
    return [item for item in out if item[0] < end]


def _continuations(code: str, instruction: Instruction, escape: str) -> Iterator[bool]:
    """For each continued line of the instruction: whether a blank comes before its escape."""
    for _, spaced in _escapes(code, instruction, escape):
        yield spaced


def _escapes(code: str, instruction: Instruction, escape: str) -> Iterator[tuple[int, bool]]:
    """File offset of each continuation escape, and whether a blank comes before it."""
    lines = _lines(code, instruction)
    for index, (offset, text) in enumerate(lines[:-1]):
        if index > 0 and text.lstrip().startswith("#"):
            continue
        body = text.rstrip(" \t")
        if not body.endswith(escape) or body.endswith(escape * 2):
            continue
        yield offset + len(body) - 1, len(body) < 2 or body[-2] in (" ", "\t")


def _glued_escapes(code: str, instruction: Instruction, escape: str) -> Iterator[int]:
    """File offsets of continuation escapes with no blank before them."""
    for position, spaced in _escapes(code, instruction, escape):
        if not spaced:
            yield position


def _edits(code: str, instruction: Instruction, escape: str, glued: list[int]) -> list[Edit] | str:
    if escape != "\\":
        return "a file with the backtick escape character"
    logical = instruction.original
    if "$(" in logical or "`" in logical:
        return "a command substitution: quoting inside it is not followed"
    if instruction.heredocs:
        return "an instruction with heredocs"
    lines = _lines(code, instruction)
    edits = []
    for position in glued:
        following = _next_content_line(lines, position)
        if following is None:
            return "nothing follows the continuation"
        if following[:1] not in (" ", "\t") and not _after_operator(instruction, code[position - 1], following):
            return "the next line is not indented, so the two lines' words join: a space would split them"
        if _inside_quotes(code, instruction, position, escape):
            return "the continuation is inside quotes, where a blank would be content"
        edits.append(Edit(position, position, " "))
    return edits


def _after_operator(instruction: Instruction, before: str, following: str) -> bool:
    """In a shell-form RUN, a glued ``&&\\``/``|\\``/``;\\`` before a plain word: the operator already separates."""
    if not isinstance(instruction, Run) or instruction.is_json:
        return False
    first = following[:1]
    return before in "&|;" and (first.isalnum() or first in "_/.-$\"'")


def _next_content_line(lines: list[tuple[int, str]], position: int) -> str | None:
    after = [text for offset, text in lines if offset > position]
    for text in after:
        if text.strip() and not text.lstrip().startswith("#"):
            return text
    return None


def _inside_quotes(code: str, instruction: Instruction, position: int, escape: str) -> bool:
    """Whether ``position`` (a continuation escape) sits inside a quoted string of the instruction's text.

    Scans the physical text up to it, skipping comment lines inside the
    continuation and the continuations themselves.
    """
    quote: str | None = None
    lines = _lines(code, instruction)
    for index, (offset, text) in enumerate(lines):
        if offset > position:
            break
        if index > 0 and text.lstrip().startswith("#"):
            continue  # BuildKit drops comment lines inside a continuation, quotes or not
        column = 0
        limit = min(len(text), position - offset)
        while column < limit:
            char = text[column]
            if quote is None:
                if char == escape:
                    column += 2
                    continue
                if char in ("'", '"'):
                    quote = char
            elif char == quote:
                quote = None
            elif char == escape and quote == '"':
                column += 2
                continue
            column += 1
    return quote is not None
