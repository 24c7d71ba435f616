"""Shell words: their text as written, their value after quote removal, their span.

A fix edits the text as written (``start``/``end``); a rule compares the value
(``"curl"`` and ``'curl'`` and ``cu"rl"`` all install curl).  The value is only
known when the word is a plain literal: anything that the shell expands at run
time (``$VAR``, ``$(...)``, backticks, ``$((...))``, ``<(...)``, ``$'...'``)
makes it ``None``, and rules must then treat the word as unknown (guard G6).

tree-sitter-bash has already split the script into words and quoted parts;
this module only undoes the quoting of those parts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from ..patterns import lazy_pattern

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import tree_sitter

from dfix.shell.parse import ShellTree

__all__ = ["Word", "word_from_node", "WORD_NODE_TYPES", "EXPANSION_NODE_TYPES"]

# Node types that the shell runs or expands when it evaluates the word.
EXPANSION_NODE_TYPES = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "arithmetic_expansion",
        "process_substitution",
    }
)

# Node types that can stand as one argument of a command.
WORD_NODE_TYPES = frozenset(
    {
        "word",
        "number",
        "string",
        "raw_string",
        "concatenation",
        "ansi_c_string",
        "translated_string",
        "brace_expression",
        "extglob_pattern",
        "test_operator",
        "regex",
        "variable_name",
    }
    | EXPANSION_NODE_TYPES
)

_GLOB_CHARACTERS = frozenset("*?[")

# A backslash and the character it quotes. Inside double quotes a backslash
# only quotes ``$ ` " \`` and newline; before anything else it stays literal
# (POSIX 2.2.3).
_ESCAPED_PAIR = lazy_pattern(r"\\(.)", re.DOTALL)
_DOUBLE_QUOTED_ESCAPE = lazy_pattern(r'\\([$`"\\\n])')


class Word(msgspec.Struct, frozen=True):
    """One shell word.

    ``text`` is the source text, ``script[start:end]``.  ``value`` is the
    word after quote removal, or ``None`` when run-time expansion is involved
    (then ``is_literal`` is false).  ``has_expansion`` marks ``$VAR``,
    ``${...}``, ``$(...)``, backticks, ``$((...))`` and ``<(...)``;
    ``has_glob`` marks unquoted ``*``, ``?``, ``[`` and brace expansion, which
    the shell may turn into several words (the value then keeps the pattern).
    Tilde expansion is not modelled: ``~/x`` keeps its ``~``.
    """

    text: str
    value: str | None
    start: int
    end: int
    has_expansion: bool = False
    has_glob: bool = False

    @property
    def is_literal(self) -> bool:
        """True when the value is known without running anything."""
        return self.value is not None

    @property
    def is_option(self) -> bool:
        """True when the word looks like an option (``-x``, ``--long``), quoted or not."""
        shown = self.value if self.value is not None else self.text
        return len(shown) > 1 and shown[0] == "-"

    def __str__(self) -> str:
        return self.text


def word_from_node(tree: ShellTree, node: tree_sitter.Node) -> Word:
    """Build the `Word` for a word-like node of ``tree``."""
    start, end = tree.span(node)
    text = tree.script[start:end]
    kind = node.type
    if kind == "word" or kind == "number":  # most words: a bare unquoted token
        value, glob = _unquoted_value(text)
        return Word(text, value, start, end, False, glob)
    folded = _Folded()
    _fold(tree, node, folded)
    value = "".join(folded.parts) if folded.literal else None
    return Word(text, value, start, end, folded.expansion, folded.glob)


class _Folded:
    """Accumulator for quote removal over a word's parts."""

    __slots__ = ("parts", "literal", "expansion", "glob")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.literal = True
        self.expansion = False
        self.glob = False


def _fold(tree: ShellTree, node: tree_sitter.Node, out: _Folded) -> None:
    kind = node.type
    if kind in EXPANSION_NODE_TYPES:
        out.literal = False
        out.expansion = True
        return
    if kind == "word" or kind == "number":
        value, glob = _unquoted_value(tree.text(node))
        out.parts.append(value)
        out.glob = out.glob or glob
        return
    if kind == "raw_string":
        out.parts.append(tree.text(node)[1:-1])
        return
    if kind == "string":
        for child in node.children:
            child_kind = child.type
            if child_kind == "string_content":
                out.parts.append(_double_quoted_value(tree.text(child)))
            elif child_kind in EXPANSION_NODE_TYPES:
                out.literal = False
                out.expansion = True
            elif child.is_named:
                # Anything else inside quotes (e.g. an ERROR) makes the value unknown.
                out.literal = False
        return
    if kind == "concatenation":
        for child in node.children:
            if child.type == "word" and tree.text(child) == "{":
                out.glob = True  # brace expansion: {a,b} → two words
            _fold(tree, child, out)
        return
    if kind in ("extglob_pattern", "test_operator", "regex", "variable_name"):
        out.parts.append(tree.text(node))
        return
    if kind == "brace_expression":
        out.glob = True
    # ansi_c_string ($'...'), translated_string ($"..."), brace_expression,
    # ERROR and anything unforeseen: the value is not worth guessing.
    out.literal = False
    if node.child_count and any(
        child.type in EXPANSION_NODE_TYPES for child in node.children
    ):
        out.expansion = True


def _unquoted_value(text: str) -> tuple[str, bool]:
    """Remove backslash quoting from an unquoted word; also report unescaped globs."""
    if "\\" not in text:
        return text, not _GLOB_CHARACTERS.isdisjoint(text)
    unescaped_glob = not _GLOB_CHARACTERS.isdisjoint(_ESCAPED_PAIR.sub("", text))
    return _ESCAPED_PAIR.sub(_escaped_character, text), unescaped_glob


def _double_quoted_value(text: str) -> str:
    """Remove the backslashes that double quotes give a meaning to (POSIX 2.2.3)."""
    if "\\" not in text:
        return text
    return _DOUBLE_QUOTED_ESCAPE.sub(_escaped_character, text)


def _escaped_character(match: re.Match[str]) -> str:
    # backslash-newline is a line continuation: both characters disappear
    character = match.group(1)
    return "" if character == "\n" else character
