"""The tree as BuildKit's parser reports it: commands, and BuildKit's AST dump.

``commands()`` gives, per instruction, the fields of PyPI ``dockerfile``'s
``Command`` (which binds BuildKit's Go parser), computed from the CST; dfix's
conformance tests compare the two. ``dump()`` prints BuildKit's own
``Node.Dump()`` format, the one of BuildKit's parser test files.
"""

from __future__ import annotations

from typing import NamedTuple

from .chars import go_lower, go_quote
from .cst import Dockerfile, Instruction
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


def command(instruction: Instruction) -> Command:
    meaning = instruction.meaning
    trigger = meaning.trigger
    shown = trigger if trigger is not None else meaning
    return Command(
        cmd=meaning.keyword,
        sub_cmd=trigger.keyword if trigger is not None else None,
        json=shown.json,
        original=instruction.original,
        start_line=instruction.start_line,
        end_line=instruction.end_line,
        flags=meaning.flags,
        value=shown.args,
        heredocs=tuple(Heredoc(h.name, h.file_descriptor, h.content) for h in instruction.heredocs),
    )


def commands(tree: Dockerfile) -> list[Command]:
    return [command(instruction) for instruction in tree.instructions]


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


def dump(tree: Dockerfile) -> str:
    """BuildKit's ``Node.Dump()`` of the whole file, one ``(instruction ...)`` a line."""
    head = tree.dialect == "latest"
    return "".join("(" + _dump_node(i.meaning, head) + ")\n" for i in tree.instructions)
