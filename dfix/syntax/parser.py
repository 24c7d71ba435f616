"""Parsing: the lexer's tokens through the Lark grammar into the typed tree.

The grammar (``grammar/dockerfile.lark``, shipped as ``dfix.grammar``) is
compiled once per process into an LALR parser whose callbacks build the CST
nodes while parsing, so no intermediate parse tree is made.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark.lexer import Lexer as LarkLexer

from . import cst
from .errors import ParseError
from .lexer import DIALECTS, Dialect, Lexer
from .tokens import Token


#: Recursion room while parsing: ONBUILD chains recurse a few frames per level.
_RECURSION_LIMIT = 20_000


class _PreLexed(LarkLexer):
    """Hands Lark the tokens dfix's own lexer already made."""

    def __init__(self, lexer_conf) -> None:  # noqa: D107 - Lark's interface
        pass

    def lex(self, data):  # type: ignore[override]
        return iter(data)


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


class _Builder(lark.Transformer):
    """Lark callbacks that assemble CST nodes (applied inline by the LALR parser)."""

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


def _table_cache() -> str | bool:
    """Where Lark keeps the compiled parse tables between runs (False: build them every time).

    Building the LALR tables costs about 50 ms, loading them about 4 ms: most
    of a one-file run started from an editor or pre-commit. The file lives in
    the user's own cache folder, never in a shared temporary folder (Lark
    unpickles it). Lark stores a hash of the grammar and its options with the
    tables and rebuilds them when either changed. ``DFIX_NO_PARSER_CACHE=1``
    turns the cache off.
    """
    if os.environ.get("DFIX_NO_PARSER_CACHE"):
        return False
    try:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("dfix", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(folder / f"parser-tables-lark-{lark.__version__}.pickle")


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    grammar = resources.files("dfix.grammar").joinpath("dockerfile.lark").read_text(encoding="utf-8")
    return lark.Lark(
        grammar, parser="lalr", lexer=_PreLexed, transformer=_Builder(), maybe_placeholders=False, cache=_table_cache()
    )


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
        items = _lark().parse(tokens)
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
    """
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
        items = _lark().parse(lexer.run())
        return items[-1]
    return instructions[0]
