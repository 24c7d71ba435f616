"""The token type of dfix's concrete syntax tree.

Tokens are strings that carry their raw text, byte for byte, their type (a
terminal of the grammar, which the LALR parser reads) and their position in
the file. Concatenated in order, the tokens of a tree give back the file it
was parsed from. They behave as Lark's tokens do (two tokens of different
types are unequal even when their text is the same), without importing Lark.
"""

from __future__ import annotations

from typing import Any


class Token(str):
    """A piece of raw text with a type, an offset, and a 1-based line and column.

    ``info`` carries what the lexer already worked out about the token (the
    meaning of an instruction for its keyword, a heredoc's marker for its
    terminator), so the tree never has to scan the text twice.
    """

    __slots__ = ("type", "start_pos", "value", "line", "column", "end_line", "end_column", "end_pos", "info")

    type: str
    start_pos: int
    value: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    end_pos: int
    info: Any

    @classmethod
    def make(cls, type: str, text: str, start: int, line: int, column: int, info: Any = None) -> "Token":
        token = str.__new__(cls, text)
        token.type = type
        token.value = text
        token.start_pos = start
        token.line = line
        token.column = column
        token.end_line = None
        token.end_column = None
        token.end_pos = start + len(text)
        token.info = info
        return token

    def __reduce__(self):
        return (Token.make, (self.type, self.value, self.start_pos, self.line, self.column, self.info))

    def __deepcopy__(self, memo):
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"Token({self.type}, {str.__repr__(self)}, {self.line}:{self.column})"
