"""The tree as BuildKit's parser reports it: commands, and BuildKit's AST dump.

``command()`` gives, for one instruction, the fields of PyPI ``dockerfile``'s
``Command`` (which binds BuildKit's Go parser), computed from the
instruction's meaning; dfix's conformance tests compare the two. ``dump()``
prints BuildKit's own ``Node.Dump()`` format, the one of BuildKit's parser
test files. Both read meanings, not tree nodes, so the tree can offer them
(``Dockerfile.buildkit_commands()``, ``Dockerfile.dump()``) without the two
modules importing each other.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from .chars import go_lower, go_quote
from .meaning import Meaning


class Heredoc(NamedTuple):
    """A heredoc as BuildKit's parser reports it."""

    name: str
    file_descriptor: int
    content: str


class Command(NamedTuple):
    """One instruction with the fields of the ``dockerfile`` binding's ``Command``.

    For ONBUILD, ``sub_cmd``, ``json`` and ``value`` describe the trigger and
    ``flags`` are ONBUILD's own, as in the binding. ``original`` is BuildKit's
    logical line; ``heredocs`` are BuildKit's, ONBUILD's included.
    """

    cmd: str
    sub_cmd: str | None
    json: bool
    original: str
    start_line: int
    end_line: int
    flags: tuple[str, ...]
    value: tuple[str, ...]
    heredocs: tuple[Heredoc, ...]


def command(meaning: Meaning, original: str, start_line: int, end_line: int, heredocs: Iterable[Heredoc]) -> Command:
    """One instruction as the binding reports it, from its meaning and where it sits."""
    trigger = meaning.trigger
    shown = trigger if trigger is not None else meaning
    return Command(
        cmd=meaning.keyword,
        sub_cmd=trigger.keyword if trigger is not None else None,
        json=shown.json,
        original=original,
        start_line=start_line,
        end_line=end_line,
        flags=meaning.flags,
        value=shown.args,
        heredocs=tuple(heredocs),
    )


def _dump_node(meaning: Meaning, head: bool) -> str:
    out = go_lower(meaning.keyword)
    if meaning.flags:
        out += " [" + " ".join(go_quote(flag) for flag in meaning.flags) + "]"
    if meaning.trigger is not None:
        return out + " (" + _dump_node(meaning.trigger, head) + ")"
    values = list(meaning.args)
    if head and meaning.name in ("env", "label"):
        separator = "" if meaning.legacy else "="
        values = [v for i in range(0, len(values), 2) for v in (values[i], values[i + 1], separator)]
    for value in values:
        out += " " + go_quote(value)
    return out.strip()


def dump(meanings: Iterable[Meaning], *, latest: bool) -> str:
    """BuildKit's ``Node.Dump()`` of a whole file's instructions, one ``(instruction ...)`` a line.

    ``latest`` is whether the file was read as today's BuildKit reads it
    (which prints ENV and LABEL pairs with their ``=``).
    """
    return "".join("(" + _dump_node(meaning, latest) + ")\n" for meaning in meanings)
