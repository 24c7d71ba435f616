"""RUNs whose only effect ends with them: shell state that the next RUN never sees.

Every RUN starts a fresh ``/bin/sh -c``, so a RUN made only of ``cd``,
``export``, ``set``, bare assignments, ``alias``, ``source`` ... changes
nothing the image or a later instruction can see. Authors write them meaning
``WORKDIR``/``ENV``; DF605 (``cd``) and DF107 (the rest) report them, and
offer the instruction that makes the state last where it is exactly the
state the RUN set.

This module answers, once for both rules: is a script *only* shell state
(`state_only`), and what Dockerfile value does a shell word's value become
(`dockerfile_value`).
"""

from __future__ import annotations

import msgspec

from dfix.patterns import lazy_pattern
from dfix.shell import ShellScript

__all__ = ["STATE_BUILTINS", "EnvValue", "dockerfile_value", "state_only"]

#: Shell builtins whose whole effect is on the shell running them, and what that effect is (for messages).
STATE_BUILTINS: dict[str, str] = {
    "cd": "the working directory",
    "pushd": "the working directory",
    "popd": "the working directory",
    "export": "environment variables",
    "declare": "shell variables",
    "typeset": "shell variables",
    "readonly": "shell variables",
    "local": "shell variables",
    "unset": "shell variables",
    "set": "shell options",
    "shopt": "shell options",
    "umask": "the file-creation mask",
    "ulimit": "resource limits",
    "alias": "aliases",
    "unalias": "aliases",
    "trap": "traps",
    "hash": "the command cache",
    "source": "what a sourced file sets",
    ".": "what a sourced file sets",
}

#: Top-level list items that can be a state builtin or a bare assignment (a redirect would write a file).
_STATE_ITEMS = frozenset({"command", "declaration_command", "unset_command", "variable_assignment",
                          "variable_assignments"})


def state_only(model: ShellScript) -> tuple[str, ...] | None:
    """The state builtins a script runs (``"="`` for a bare assignment) when that is all it does, else None.

    "All": every command anywhere in the script is a `STATE_BUILTINS` entry
    or a bare ``NAME=value`` without a command substitution, the top level is
    a plain list of them (no ``if``, loop, subshell, pipeline or redirect),
    and the script parses. ``source`` counts as state only: a sourced file
    that writes files is beyond what dfix can read, which is why its RUNs are
    reported, never rewritten.
    """
    if model.has_error or not model.items or not model.commands:
        return None
    if any(item.kind not in _STATE_ITEMS for item in model.items):
        return None
    names: list[str] = []
    for command in model.commands:
        if command.context or command.redirects or command.wrappers:
            return None
        if command.name is None:
            if command.words or not command.assignments:
                return None
            names.append("=")
        elif command.name in STATE_BUILTINS and not command.assignments:
            names.append(command.name)
        else:
            return None
    return tuple(names)


class EnvValue(msgspec.Struct, frozen=True):
    """A shell value as a Dockerfile ``ENV``/``WORKDIR`` value, and the variables it reads."""

    text: str
    references: frozenset[str]


_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = lazy_pattern(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Characters a Dockerfile value may hold without quotes or escapes (BuildKit's word lexer and the shell agree).
_PLAIN = lazy_pattern(r"[A-Za-z0-9_./:@%+,=-]*")


def dockerfile_value(text: str) -> EnvValue | None:
    """``text`` (a shell word as written) as a Dockerfile value with the same result, or None.

    Quotes are undone as the shell undoes them; ``$NAME`` and ``${NAME}``
    stay references (BuildKit expands them from the same ENV and ARG values
    the RUN's shell had); anything else the shell would expand or that
    BuildKit reads differently (``$(...)``, backticks, ``${X:-d}``, ``~``,
    globs, backslashes, quotes inside the value) gives None. The result is
    bare when plain literal text, else in double quotes (a reference too, so
    that a value holding spaces stays one value, as in the shell).
    """
    parts: list[str] = []  # literal text and ${NAME} references, in order
    references: set[str] = set()
    literal: list[str] = []
    index, quote = 0, None

    def reference(at: int) -> int | None:
        braced = _BRACED.match(text, at + 1)
        match = braced or _NAME.match(text, at + 1)
        if match is None:
            return None
        name = match.group(1) if braced else match.group(0)
        parts.append("".join(literal))
        literal.clear()
        parts.append("${" + name + "}")
        references.add(name)
        return match.end()

    while index < len(text):
        char = text[index]
        if quote == "'":
            if char == "'":
                quote = None
            else:
                literal.append(char)
            index += 1
            continue
        if char == "'" and quote is None:
            quote = "'"
            index += 1
            continue
        if char == '"':
            quote = None if quote == '"' else '"'
            index += 1
            continue
        if char == "$":
            after = reference(index)
            if after is None:
                return None
            index = after
            continue
        if char in "\\`\"" or (quote is None and (char in "*?[~" or char.isspace())):
            return None
        literal.append(char)
        index += 1
    if quote is not None:
        return None
    parts.append("".join(literal))
    body = "".join(parts)
    plain_literals = all(_PLAIN.fullmatch(part) for part in parts if not part.startswith("${"))
    if plain_literals and not references:
        return EnvValue(body, frozenset(references))
    if any(ch in part for part in parts if not part.startswith("${") for ch in '"\\$`\n\r\t'):
        return None
    return EnvValue(f'"{body}"', frozenset(references))
