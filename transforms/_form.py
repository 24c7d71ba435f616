"""Instruction-form helpers: keyword case, line ends, and BuildKit's build-time word lexer.

The form rules (MAINTAINER, legacy ``ENV key value``, relative WORKDIR,
casing ...) rewrite instruction text. A rewrite is only right when the new
text means exactly what the old one meant to BuildKit, and for ENV, LABEL,
WORKDIR, COPY destinations and EXPOSE that meaning is decided at build time
by BuildKit's word lexer (``shell/lex.go``, syntax.md §3.8): quotes and the
escape character are removed, ``$name`` and ``${name...}`` are expanded.
:func:`read_word` reproduces that lexer with variables kept as symbols, so a
rule can ask "is this a literal, and which?" and a test can compare two
texts' meanings; :func:`double_quoted` writes a literal so that it reads back
unchanged.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

import msgspec

from dfix.patterns import lazy_pattern
from dfix.syntax import Instruction, Token

if TYPE_CHECKING:  # pragma: no cover
    from dfix.engine import Context

__all__ = [
    "Variable", "Word", "Workdir", "cased_like", "double_quoted", "is_literal", "keyword_case", "literal_value",
    "newline_of", "read_word", "windows_absolute", "workdirs",
]


class Variable(msgspec.Struct, frozen=True):
    """A variable reference as written (``$HOME``, ``${A:-x}``): its value is only known at build time."""

    text: str


#: What BuildKit's lexer makes of a word: literal text and variable references, in order.
Word = tuple["str | Variable", ...]

_NAME_START = lazy_pattern(r"[A-Za-z_]")
_NAME = lazy_pattern(r"[A-Za-z0-9_]*")


def read_word(text: str, escape: str = "\\") -> Word | None:
    """``text`` as BuildKit's build-time lexer reads one word (``ProcessWord``), or None when it fails.

    Outside quotes the escape character keeps the next character (a trailing
    one is dropped); ``'...'`` is literal; in ``"..."`` the escape only
    escapes ``"``, ``$`` and itself (otherwise it stays); ``$name``,
    ``${...}`` are variables, ``$`` before anything else is literal.
    Unterminated quotes and ``${`` are build errors (None). Adjacent literal
    characters are joined, so two texts mean the same exactly when their
    words are equal.
    """
    out: list[str | Variable] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            out.append("".join(literal))
            literal.clear()

    def take_variable(position: int) -> int | None:
        """Read the ``$...`` at ``position`` (a variable, or a literal ``$``); where it ends, None if unclosed."""
        end = _variable_end(text, position)
        if end is None:
            return None
        if end == position + 1:
            literal.append("$")
        else:
            flush()
            out.append(Variable(text[position:end]))
        return end

    position, size = 0, len(text)
    while position < size:
        char = text[position]
        if char == escape:
            if position + 1 < size:
                literal.append(text[position + 1])
            position += 2
        elif char == "'":
            close = text.find("'", position + 1)
            if close < 0:
                return None
            literal.append(text[position + 1 : close])
            position = close + 1
        elif char == '"':
            position += 1
            while True:
                if position >= size:
                    return None
                char = text[position]
                if char == '"':
                    position += 1
                    break
                if char == escape and position + 1 < size and text[position + 1] in ('"', "$", escape):
                    literal.append(text[position + 1])
                    position += 2
                elif char == "$":
                    end = take_variable(position)
                    if end is None:
                        return None
                    position = end
                else:
                    literal.append(char)
                    position += 1
        elif char == "$":
            end = take_variable(position)
            if end is None:
                return None
            position = end
        else:
            literal.append(char)
            position += 1
    flush()
    return tuple(out)


def _variable_end(text: str, position: int) -> int | None:
    """Where the variable starting with ``$`` at ``position`` ends (``position + 1``: a literal ``$``)."""
    following = text[position + 1 : position + 2]
    if following == "{":
        depth, index = 1, position + 2
        while index < len(text):
            if text.startswith("${", index):
                depth += 1
                index += 2
                continue
            if text[index] == "}":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return None
    if following and _NAME_START.match(following):
        return _NAME.match(text, position + 1).end()
    if following.isdigit():
        return position + 2
    return position + 1


def literal_value(text: str, escape: str = "\\") -> str | None:
    """The value of ``text`` when it holds no variable (and lexes), else None."""
    word = read_word(text, escape)
    if word is None or any(isinstance(piece, Variable) for piece in word):
        return None
    return "".join(word)  # type: ignore[arg-type]


def is_literal(text: str, escape: str = "\\") -> bool:
    return literal_value(text, escape) is not None


def double_quoted(value: str, escape: str = "\\") -> str:
    """``value`` written as a double-quoted word that BuildKit's lexer reads back as exactly ``value``.

    In double quotes only ``"``, ``$`` and the escape character are special;
    each is protected by the escape character, which word splitting (ENV,
    LABEL) also honours inside quotes.
    """
    special = {'"', "$", escape}
    return '"' + "".join(escape + char if char in special else char for char in value) + '"'


def keyword_case(token: Token | str) -> str:
    """``lower`` or ``upper``: how a keyword is written (mixed case counts as upper)."""
    text = str.__str__(token)
    return "lower" if text == text.lower() else "upper"


def cased_like(word: str, keyword: Token | str) -> str:
    """``word`` in the case ``keyword`` is written in: lower, upper, or capitalised (``Copy`` for ``Add``)."""
    text = str.__str__(keyword)
    if text == text.lower():
        return word.lower()
    if text == text.upper():
        return word.upper()
    return word[:1].upper() + word[1:].lower()


def newline_of(instruction: Instruction) -> str:
    """The line end the instruction's own line uses (``\\r\\n`` in a CRLF file)."""
    end = str.__str__(instruction.line_tokens[-1])
    return "\r\n" if end.endswith("\r\n") else "\n"


# -- the working directory ---------------------------------------------------------------------------


class Workdir(msgspec.Struct, frozen=True):
    """The working directory in force before an instruction."""

    #: The absolute path when the file shows it (``None``: it comes from the base image, or a variable).
    path: str | None
    #: Whether a WORKDIR of the stage, or of an in-file stage it is built from, set it.
    set_in_file: bool


def workdirs(context: "Context") -> dict[int, Workdir]:
    """Per instruction (by ``id``), the working directory its stage is in when it runs (computed once)."""
    return context.memo(("form", "workdirs"), lambda: _workdirs(context))


def _workdirs(context: "Context") -> dict[int, Workdir]:
    out: dict[int, Workdir] = {}
    final: dict[int, Workdir] = {}
    escape = context.tree.escape
    for info in context.stages:
        base = info.stage.base
        if info.parent is not None:
            current = final[info.parent]
        elif base is not None and base.is_scratch:
            current = Workdir("/", False)
        else:
            current = Workdir(None, False)
        out[id(info.stage.from_)] = current
        for instruction in info.stage.instructions:
            out[id(instruction)] = current
            if instruction.instruction == "WORKDIR" and instruction.arguments:
                value = literal_value(instruction.arguments[0], escape)
                if value is not None and value.startswith("/"):
                    current = Workdir(posixpath.normpath(value).replace("//", "/"), True)
                elif value is not None and current.path is not None and not windows_absolute(value):
                    current = Workdir(posixpath.normpath(posixpath.join(current.path, value)).replace("//", "/"), True)
                else:
                    current = Workdir(None, True)
        final[info.stage.index] = current
    return out


def windows_absolute(path: str) -> bool:
    return len(path) >= 2 and path[0].isalpha() and path[1] == ":"
