"""The LALR(1) parser loop over tables built ahead of time (no Lark at run time).

The tables of ``grammar/dockerfile.lark`` are computed by Lark in
:mod:`dfix.syntax.lalr_build` and shipped as ``_lalr_tables.py``; this module
only runs them. Loading them costs a module import; building them with Lark
would cost about 100 ms per process (Lark's import and its table
construction). When the grammar shipped next to the package is not the one
the tables were built from (someone edited it and did not regenerate), the
tables are built in memory from the shipped grammar instead: slower, never
wrong.

Reductions behave as Lark's with a tree-building transformer applied while
parsing: a rule named ``_x`` (and Lark's helpers for ``*``/``?``) is inlined
into its parent's children, every other rule calls the builder's method of
its name with its children.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

import msgspec


class GrammarError(RuntimeError):
    """The token stream does not fit the grammar: a defect of the lexer, never of the input."""


class Tables(msgspec.Struct, frozen=True):
    """Parse tables as data: see :func:`dfix.syntax.lalr_build.build_tables`."""

    start_state: int
    end_state: int
    #: ``actions[state][symbol]``: ``n >= 0`` shift or go to state ``n``, ``-(r + 1)`` reduce by rule ``r``.
    actions: tuple[dict[str, int], ...]
    #: ``rules[r] = (origin, length, inline)``.
    rules: tuple[tuple[str, int, bool], ...]


class _Inline(list):
    """The children of an inlined rule, spliced into the parent's children on its reduction."""

    __slots__ = ()


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The shipped tables when they were built from the shipped grammar, else tables built now."""
    from . import _lalr_tables as shipped, lalr_build

    grammar = lalr_build.grammar_text()
    if shipped.GRAMMAR == grammar:
        return Tables(shipped.START_STATE, shipped.END_STATE, shipped.ACTIONS, shipped.RULES)
    built = lalr_build.build_tables(grammar)
    return Tables(built["start_state"], built["end_state"], built["actions"], built["rules"])


class Parser:
    """Runs :class:`Tables` over a token stream, building values with ``builder``'s methods."""

    def __init__(self, tables: Tables, builder: object) -> None:
        self.tables = tables
        callbacks: list[Callable[[list], Any] | None] = []
        for origin, _length, inline in tables.rules:
            if inline:
                callbacks.append(None)
                continue
            method = getattr(builder, origin, None)
            if method is None:
                raise GrammarError(f"the tree builder has no method for grammar rule {origin!r}")
            callbacks.append(method)
        self._callbacks = tuple(callbacks)

    def parse(self, tokens: Iterable[Any]) -> Any:
        """The value of the start rule for ``tokens`` (objects with a ``type``), followed by the end."""
        actions = self.tables.actions
        rules = self.tables.rules
        callbacks = self._callbacks
        end_state = self.tables.end_state
        states = [self.tables.start_state]
        values: list = []

        def reduce(rule_number: int) -> None:
            origin, length, _inline = rules[rule_number]
            if length:
                children = values[-length:]
                del values[-length:]
                del states[-length:]
            else:
                children = []
            if any(type(child) is _Inline for child in children):
                # A left-recursive list (``items: items item``) arrives as the list so far plus one
                # item: grow that list in place (nothing else holds it), or every reduction would
                # copy it and a file of n instructions would cost n squared.
                first = children[0]
                spliced: list = first if type(first) is _Inline else [first]
                for child in children[1:]:
                    if type(child) is _Inline:
                        spliced.extend(child)
                    else:
                        spliced.append(child)
                children = spliced
            callback = callbacks[rule_number]
            if callback is None:
                values.append(children if type(children) is _Inline else _Inline(children))
            else:
                values.append(callback(list(children) if type(children) is _Inline else children))
            states.append(actions[states[-1]][origin])

        for token in tokens:
            kind = token.type
            while True:
                action = actions[states[-1]].get(kind)
                if action is None:
                    raise GrammarError(f"unexpected {kind} token {str(token)!r} at line {token.line}")
                if action >= 0:
                    states.append(action)
                    values.append(token)
                    break
                reduce(-action - 1)
        while True:
            action = actions[states[-1]].get("$END")
            if action is None or action >= 0:
                raise GrammarError("unexpected end of the token stream")
            reduce(-action - 1)
            if states[-1] == end_state:
                return values[-1]
