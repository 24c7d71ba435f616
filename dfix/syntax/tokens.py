"""The token type of dfix's concrete syntax tree.

Tokens are Lark tokens (so the LALR parser consumes them directly) that carry
their raw text, byte for byte, and their position in the file. Concatenated in
order, the tokens of a tree give back the file it was parsed from.
"""

from __future__ import annotations

from typing import Any

import lark


class Token(lark.Token):
    """A piece of raw text with a type, an offset, and a 1-based line and column.

    ``info`` carries what the lexer already worked out about the token (the
    meaning of an instruction for its keyword, a heredoc's marker for its
    terminator), so the tree never has to scan the text twice.
    """

    __slots__ = ("info",)

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

    def __repr__(self) -> str:
        return f"Token({self.type}, {str.__repr__(self)}, {self.line}:{self.column})"
