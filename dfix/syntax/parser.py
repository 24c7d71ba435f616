"""Parsing: the lexer's tokens through the grammar's LALR tables into the typed tree.

The grammar (``grammar/dockerfile.lark``, shipped as ``dfix.grammar``) is
compiled ahead of time into LALR tables (:mod:`dfix.syntax.lalr`) whose
reductions build the CST nodes while parsing, so no intermediate parse tree
is made and Lark is not imported at run time.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from . import cst
from .errors import ParseError
from .lalr import Parser, tables
from .lexer import DIALECTS, Dialect, Lexer
from .tokens import Token


#: Recursion room while parsing: ONBUILD chains recurse a few frames per level.
_RECURSION_LIMIT = 20_000


class _Body:
    """What a ``from``/``run``/... rule produced: its class, tokens and trigger."""

    __slots__ = ("cls", "tokens", "trigger")

    def __init__(self, cls: type[cst.Instruction], tokens: list, trigger: "_Body | None") -> None:
        self.cls = cls
        self.tokens = tokens
        self.trigger = trigger


def _body_callback(cls: type[cst.Instruction]):
    def build(children: list) -> _Body:
        if children and isinstance(children[-1], _Body):
            trigger = children.pop()
            return _Body(cls, children + trigger.tokens, trigger)
        return _Body(cls, children, None)

    return build


class _Builder:
    """Reduction callbacks that assemble CST nodes (applied by the LALR parser as it reduces)."""

    def start(self, children: list):
        return children

    def directive(self, children: list) -> cst.Directive:
        return cst.Directive(children[0])

    def comment(self, children: list) -> cst.Comment:
        return cst.Comment(children[0])

    def blank(self, children: list) -> cst.BlankLine:
        return cst.BlankLine(children[0])

    def heredoc(self, children: list) -> cst.Heredoc:
        if len(children) == 1:
            return cst.Heredoc(None, children[0])
        return cst.Heredoc(children[0], children[1])

    def instruction(self, children: list) -> cst.Instruction:
        tokens: list[Token] = []
        heredocs: list[cst.Heredoc] = []
        body = None
        for child in children:
            if isinstance(child, _Body):
                body = child
                tokens.extend(child.tokens)
            elif isinstance(child, cst.Heredoc):
                heredocs.append(child)
            else:
                tokens.append(child)
        line_tokens = tuple(tokens)
        return body.cls(line_tokens, tuple(heredocs), _trigger(body.trigger, line_tokens[-1].info))


def _trigger(body: "_Body | None", line_info) -> cst.Instruction | None:
    if body is None:
        return None
    return body.cls(tuple(body.tokens), (), _trigger(body.trigger, line_info), line_info)


for _name, _cls in {**cst.INSTRUCTION_CLASSES, "unknown": cst.Unknown}.items():
    setattr(_Builder, _name, staticmethod(_body_callback(_cls)))


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(tables(), _Builder())


def warm_up() -> None:
    """Load the parse tables now (before forking workers, which then share them)."""
    _parser()


def _dialect(buildkit: str) -> Dialect:
    try:
        return DIALECTS[buildkit]
    except KeyError:
        raise ValueError(f"unknown BuildKit version {buildkit!r}; use one of: latest, 0.12.5") from None


def parse(text: str, path: str | None = None, *, buildkit: str = "latest") -> cst.Dockerfile:
    """Parse Dockerfile text into a lossless tree: ``parse(text).code == text``.

    ``buildkit`` picks the parser whose reading the tree's meaning follows:
    ``latest`` (current BuildKit, the default) or ``0.12.5``. Raises
    :class:`ParseError` exactly where that BuildKit refuses the file, and
    nothing else, for any input.
    """
    dialect = _dialect(buildkit)
    if not isinstance(text, str):
        raise TypeError(f"parse() takes str, not {type(text).__name__}; use dfix.read_dockerfile() for files")
    limit = sys.getrecursionlimit()
    try:
        # ONBUILD triggers nest (``ONBUILD ONBUILD ... RUN``); BuildKit takes
        # any depth, so give the recursive steps room for a few thousand.
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
        lexer = Lexer(text, dialect)
        tokens = lexer.run()
        items = _parser().parse(tokens)
    except ParseError as error:
        raise error.with_path(path) from None
    except RecursionError:
        raise ParseError("input nests too deeply to parse", 1, 1, path) from None
    finally:
        sys.setrecursionlimit(limit)
    bom = None
    if items and isinstance(items[0], Token):
        bom = items.pop(0)
    return cst.Dockerfile(tuple(items), bom, lexer.escape, dialect.name, path)


def parse_instruction(text: str, *, escape: str = "\\", buildkit: str = "latest") -> cst.Instruction:
    """Build one instruction node from its text (``"RUN apt-get update"``).

    The one way fixes make new nodes: the text goes through the real parser,
    so the node is valid by construction. A missing final newline is fine.
    Raises :class:`ParseError` for text that is not exactly one instruction.
    Nodes are immutable, so the same text gives the same node: a rule that
    builds its fix on every lint (the fix loop lints after each round) parses
    each new instruction once.
    """
    return _parse_instruction(text, escape, buildkit)


@lru_cache(maxsize=256)
def _parse_instruction(text: str, escape: str, buildkit: str) -> cst.Instruction:
    prefix = "# escape=`\n" if escape == "`" else ""
    tree = parse(prefix + text, buildkit=buildkit)
    instructions = tree.instructions
    others = [item for item in tree.items if not isinstance(item, (cst.Instruction, cst.Directive))]
    if len(instructions) != 1:
        raise ParseError(f"expected exactly one instruction, found {len(instructions)}", 1, 1)
    if others:
        line = others[0].token.line - (1 if prefix else 0)
        raise ParseError("expected exactly one instruction and nothing else (a comment or blank line is there)", line, 1)
    if prefix:
        # re-parse without the directive so the node's offsets start at 0
        lexer = Lexer(text, _dialect(buildkit))
        lexer.escape = escape
        items = _parser().parse(lexer.run())
        return items[-1]
    return instructions[0]
