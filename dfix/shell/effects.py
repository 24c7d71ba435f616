"""Which shell state a script changes, so RUN merges can refuse or isolate it.

Every RUN starts a fresh ``/bin/sh``: a ``cd``, ``export``, ``set -e``,
``trap`` or ``exit`` in one RUN cannot reach the next.  Joining two RUNs with
``&&`` (DF100, DF204) removes that wall, so the merge must know what each side
leaks: it then wraps each side in ``( ... )`` or refuses.  Background jobs
(``&``) and a trailing ``# comment`` (which would swallow the appended side,
G9) cannot be fixed by a subshell and make the merge refuse.
"""

from __future__ import annotations

import enum

from dfix.shell.analysis import analyze
from dfix.shell.commands import CHILD_SHELL, Context, ShellScript

__all__ = ["Effect", "state_effects", "ISOLATABLE_EFFECTS"]


class Effect(str, enum.Enum):
    """A way a script can influence what runs after it in the same shell."""

    CD = "cd"
    PUSHD = "pushd"
    POPD = "popd"
    EXPORT = "export"
    DECLARE = "declare"  # declare/typeset/readonly/local
    ASSIGNMENT = "assignment"  # bare `X=1`, read, let, mapfile
    UNSET = "unset"
    SET = "set"
    SHOPT = "shopt"
    UMASK = "umask"
    ULIMIT = "ulimit"
    SOURCE = "source"  # source and `.`
    ALIAS = "alias"  # alias and unalias
    TRAP = "trap"
    EVAL = "eval"
    EXEC = "exec"
    EXIT = "exit"
    RETURN = "return"
    FUNCTION = "function"  # a function definition
    BACKGROUND = "background"  # a job started with `&`
    TRAILING_COMMENT = "trailing-comment"
    SYNTAX_ERROR = "syntax-error"

    def __str__(self) -> str:
        return self.value


# Effects that wrapping the script in `( ... )` contains completely.
ISOLATABLE_EFFECTS = frozenset(Effect) - {
    Effect.BACKGROUND,
    Effect.TRAILING_COMMENT,
    Effect.SYNTAX_ERROR,
}

_BUILTIN_EFFECTS: dict[str, Effect] = {
    "cd": Effect.CD,
    "pushd": Effect.PUSHD,
    "popd": Effect.POPD,
    "export": Effect.EXPORT,
    "declare": Effect.DECLARE,
    "typeset": Effect.DECLARE,
    "readonly": Effect.DECLARE,
    "local": Effect.DECLARE,
    "read": Effect.ASSIGNMENT,
    "let": Effect.ASSIGNMENT,
    "mapfile": Effect.ASSIGNMENT,
    "readarray": Effect.ASSIGNMENT,
    "unset": Effect.UNSET,
    "set": Effect.SET,
    "shopt": Effect.SHOPT,
    "umask": Effect.UMASK,
    "ulimit": Effect.ULIMIT,
    "source": Effect.SOURCE,
    ".": Effect.SOURCE,
    "alias": Effect.ALIAS,
    "unalias": Effect.ALIAS,
    "trap": Effect.TRAP,
    "eval": Effect.EVAL,
    "exec": Effect.EXEC,
    "exit": Effect.EXIT,
    "return": Effect.RETURN,
}

# A job in the background, a child shell or a substitution changes only its own process.
_NOT_LEAKING = CHILD_SHELL | {Context.BACKGROUND}


def state_effects(script: str | ShellScript) -> frozenset[Effect]:
    """The effects of ``script`` that reach the rest of its shell, or anything appended to it.

    Effects inside ``( ... )``, ``$(...)``, pipelines and ``&`` jobs stay in
    their child process and are not reported (the job itself is, as
    ``background``).  Commands in conditions, branches, loops and function
    bodies are counted: they may run.  ``Effect`` members are strings, so
    ``"cd" in state_effects(s)`` works.
    """
    model = analyze(script) if isinstance(script, str) else script
    effects: set[Effect] = set()
    for command in model.commands:
        context = command.context
        if Context.BACKGROUND in context:
            effects.add(Effect.BACKGROUND)
        if not context.isdisjoint(_NOT_LEAKING):
            continue
        if command.has_wrapper("exec"):
            effects.add(Effect.EXEC)
        if command.name is not None:
            effect = _BUILTIN_EFFECTS.get(command.name)
            if effect is not None:
                effects.add(effect)
        elif command.name_index is None and command.assignments and not command.words:
            effects.add(Effect.ASSIGNMENT)  # `X=1` on its own sets a shell variable
    if _defines_function(model):
        effects.add(Effect.FUNCTION)
    if model.trailing_comment is not None:
        effects.add(Effect.TRAILING_COMMENT)
    if model.has_error:
        effects.add(Effect.SYNTAX_ERROR)
    return frozenset(effects)


def _defines_function(model: ShellScript) -> bool:
    """A function definition outside child shells (an empty body defines one too)."""
    return any(
        item.kind == "function_definition" for item in model.items
    ) or any(
        Context.FUNCTION in command.context and command.context.isdisjoint(_NOT_LEAKING)
        for command in model.commands
    )
