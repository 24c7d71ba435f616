"""Parse RUN shell text with tree-sitter-bash and translate its byte offsets to `str` offsets.

tree-sitter reads UTF-8 bytes and reports byte offsets, while the rest of dfix
indexes Python strings (Dockerfiles are decoded with ``surrogateescape``, so a
script may hold non-ASCII text and lone surrogates standing for undecodable
bytes).  Everything above this module sees only `str` offsets; this is the one
place that knows about bytes.

A syntax error is a flag on the result, never an exception: real RUN bodies are
often sloppy, and rules still want the commands tree-sitter could recover.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

import msgspec

if TYPE_CHECKING:  # pragma: no cover
    import tree_sitter

__all__ = ["ShellTree", "parse_shell", "BASH_LANGUAGE", "bash_parser"]


@lru_cache(maxsize=1)
def bash_parser() -> "tree_sitter.Parser":
    """The process's one bash parser, made when the first RUN needs the shell layer.

    Building a Parser costs far more than parsing a typical RUN body, and a
    file without a shell-form RUN never needs one. Parser.parse is not
    re-entrant across threads, which dfix does not need (the engine is
    single-threaded per process).
    """
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def __getattr__(name: str):
    if name == "BASH_LANGUAGE":  # the language, for callers that build their own queries
        return bash_parser().language
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ShellTree(msgspec.Struct, frozen=True):
    """A parsed script: the tree-sitter tree plus the byte→str offset map.

    ``byte_to_str`` is ``None`` when the script is ASCII-only (offsets are then
    identical, which is the common case and costs nothing); otherwise it has
    one entry per byte of the encoded script plus one for its end.
    """

    script: str
    tree: tree_sitter.Tree
    has_error: bool
    byte_to_str: Sequence[int] | None = None

    def __eq__(self, other: object) -> bool:
        # The tree and the offset map follow from the script: equal scripts are equal trees.
        return type(other) is ShellTree and other.script == self.script

    def __hash__(self) -> int:
        return hash(self.script)

    def __repr__(self) -> str:
        return f"ShellTree(script={self.script!r}, has_error={self.has_error!r})"

    @property
    def root(self) -> tree_sitter.Node:
        """The ``program`` node."""
        return self.tree.root_node

    def offset(self, byte_offset: int) -> int:
        """Map a byte offset of the encoded script to an offset in ``script``.

        A byte in the middle of a multi-byte character maps to that character.
        """
        if self.byte_to_str is None:
            return byte_offset
        return self.byte_to_str[byte_offset]

    def span(self, node: tree_sitter.Node) -> tuple[int, int]:
        """The ``(start, end)`` of ``node`` as offsets into ``script``."""
        start, end = node.byte_range
        table = self.byte_to_str
        if table is None:
            return start, end
        return table[start], table[end]

    def text(self, node: tree_sitter.Node) -> str:
        """The source text of ``node`` exactly as it appears in ``script``."""
        start, end = self.span(node)
        return self.script[start:end]


def parse_shell(script: str) -> ShellTree:
    """Parse ``script`` (the logical text BuildKit hands to ``/bin/sh -c``).

    Never raises on bad shell: ``has_error`` is set when tree-sitter had to
    insert ERROR or MISSING nodes.
    """
    data, errors = _encode(script)
    tree = bash_parser().parse(data)
    table = None if len(data) == len(script) else _byte_to_str_table(script, errors)
    return ShellTree(script, tree, tree.root_node.has_error, table)


def _encode(script: str) -> tuple[bytes, str]:
    """Encode as tree-sitter expects; keep the error handler for the offset map.

    ``surrogateescape`` round-trips the lone surrogates dfix's own decoding
    produces; any other lone surrogate (only possible from a caller that built
    the string by hand) is encoded with ``surrogatepass`` so parsing still works.
    """
    try:
        return script.encode("utf-8", "surrogateescape"), "surrogateescape"
    except UnicodeEncodeError:
        return script.encode("utf-8", "surrogatepass"), "surrogatepass"


def _byte_to_str_table(script: str, errors: str) -> list[int]:
    """One str offset per byte; only built for scripts with non-ASCII text."""
    table: list[int] = []
    append = table.append
    for index, char in enumerate(script):
        if char < "\x80":
            append(index)
        else:
            table.extend([index] * len(char.encode("utf-8", errors)))
    table.append(len(script))
    return table
