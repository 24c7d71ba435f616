"""The command model of a RUN script: every simple command, and the top-level list.

Rules ask "does this RUN run ``apt-get update``, and where?" wherever the
command sits: after ``&&``, inside ``if``/``for``/``case`` bodies, subshells,
brace groups, pipelines or ``$(...)``.  Fixes ask "where does the top-level
command list end, and does it chain with ``&&`` or with ``;`` under
``set -e``?" to append ``&& rm -rf /var/lib/apt/lists/*`` correctly.  These
immutable types answer both; `dfix.shell.analysis` builds them from the
tree-sitter tree, so no rule ever splits a RUN on ``&&`` by hand.
"""

from __future__ import annotations

import enum
from typing import Iterator, Literal

import msgspec

from dfix.shell.options import Option, OptionGrammar, iter_arguments
from dfix.shell.parse import ShellTree
from dfix.shell.words import Word
from dfix.shell.wrappers import Wrapper

__all__ = [
    "Context",
    "TOP_LEVEL",
    "CHILD_SHELL",
    "CONDITIONAL",
    "Assignment",
    "Redirect",
    "SimpleCommand",
    "ListItem",
    "Comment",
    "ShellScript",
    "Separator",
]


class Context(enum.Enum):
    """A construct a simple command sits in; `SimpleCommand.context` is a set of them.

    ``SUBSHELL``, ``SUBSTITUTION`` and ``PIPELINE`` run in a child shell, so
    their ``cd``/``export``/``exit`` do not leak.  ``CONDITION`` (the test of
    ``if``/``elif``/``while``/``until``) is exempt from ``set -e``;
    ``BRANCH`` (``then``/``else``/``case`` bodies), ``LOOP`` and ``FUNCTION``
    run zero or more times; ``BACKGROUND`` runs concurrently (``&``);
    ``NEGATED`` has its status inverted (``!``).  A set rather than an
    ``enum.Flag`` because Flag arithmetic costs microseconds per operation.
    """

    SUBSHELL = "subshell"
    BRACE_GROUP = "brace-group"
    FUNCTION = "function"
    CONDITION = "condition"
    BRANCH = "branch"
    LOOP = "loop"
    SUBSTITUTION = "substitution"
    PIPELINE = "pipeline"
    BACKGROUND = "background"
    NEGATED = "negated"

    def __repr__(self) -> str:
        return f"Context.{self.name}"


TOP_LEVEL: frozenset[Context] = frozenset()
# Contexts whose commands run in a separate process, so shell state changes stay there.
CHILD_SHELL = frozenset({Context.SUBSHELL, Context.SUBSTITUTION, Context.PIPELINE})
# Contexts whose commands run only under some condition, or not at all.
CONDITIONAL = frozenset({Context.CONDITION, Context.BRANCH, Context.LOOP, Context.FUNCTION})
_NOT_TOP_LEVEL = CHILD_SHELL | CONDITIONAL | {Context.BACKGROUND}
_NOT_THE_SCRIPT_SHELL = CHILD_SHELL | {Context.FUNCTION}


class Assignment(msgspec.Struct, frozen=True):
    """``NAME=value`` before a command (or alone), or given to ``env``/``sudo``.

    ``value`` is the literal value after quote removal (``""`` for ``NAME=``),
    ``None`` when it needs expansion.
    """

    name: str
    value: str | None
    text: str
    start: int
    end: int


class Redirect(msgspec.Struct, frozen=True):
    """A redirection such as ``> file``, ``2>&1``, ``<<EOF`` or ``<<< word``.

    ``operator`` is the operator token (``>``, ``>>``, ``>&``, ``<``, ``<<``,
    ``<<-``, ``<<<``, ``&>`` ...); ``descriptor`` the explicit fd (``"2"``) if
    any; ``target`` the file/fd word or heredoc delimiter.
    """

    operator: str
    descriptor: str | None
    target: Word | None
    start: int
    end: int


class SimpleCommand(msgspec.Struct, frozen=True):
    """One simple command, with wrappers and prefix assignments seen through.

    ``words`` are the command's words as written (wrappers included; no
    assignments or redirects); ``name_index`` points at the effective program
    word, so ``args`` are its arguments.  ``name`` is that word's basename
    (``/usr/bin/apt-get`` → ``apt-get``), or ``None`` when it is not a literal
    (``$PIP install``; guard G6) or absent (``FOO=1``, ``> file``).
    Builtins with their own grammar (``export``, ``unset``, ``[``/``[[``) are
    simple commands here too, named after their keyword.

    ``start``/``end`` span the whole command including prefix assignments and
    redirections; ``item_index`` is the top-level `ListItem` that contains it.
    """

    name: str | None
    words: tuple[Word, ...]
    name_index: int | None
    assignments: tuple[Assignment, ...]
    wrappers: tuple[Wrapper, ...]
    redirects: tuple[Redirect, ...]
    start: int
    end: int
    context: frozenset[Context]
    item_index: int

    @property
    def name_word(self) -> Word | None:
        """The effective program word, as written."""
        return None if self.name_index is None else self.words[self.name_index]

    @property
    def args(self) -> tuple[Word, ...]:
        """The words after the effective program word."""
        return () if self.name_index is None else self.words[self.name_index + 1 :]

    @property
    def program(self) -> str | None:
        """The program as written after quote removal (``/usr/bin/apt-get``)."""
        word = self.name_word
        return None if word is None else word.value

    @property
    def argv(self) -> tuple[str | None, ...]:
        """Values of the program word and its arguments (``None`` for non-literals)."""
        return () if self.name_index is None else tuple(w.value for w in self.words[self.name_index :])

    @property
    def is_top_level(self) -> bool:
        """Runs unconditionally in the RUN's own shell (ignoring ``&&``/``||`` short-circuits)."""
        return self.context.isdisjoint(_NOT_TOP_LEVEL)

    def options(self, grammar: OptionGrammar = OptionGrammar()) -> tuple[Option, ...]:
        """The program's options, read with ``grammar`` (by default no option takes an argument)."""
        if self.name_index is None:
            return ()
        return tuple(item for _, item in iter_arguments(self.words, grammar, self.name_index + 1)
                     if isinstance(item, Option))

    def operands(self, grammar: OptionGrammar = OptionGrammar()) -> tuple[Word, ...]:
        """The program's non-option arguments, read with ``grammar``."""
        if self.name_index is None:
            return ()
        return tuple(item for _, item in iter_arguments(self.words, grammar, self.name_index + 1)
                     if not isinstance(item, Option))

    def has_wrapper(self, name: str) -> bool:
        """Whether ``name`` (``sudo``, ``env``, ``exec`` ...) wraps the program."""
        return any(wrapper.name == name for wrapper in self.wrappers)

    def wrapper_options(self) -> Iterator[Option]:
        """Options given to the wrappers (``-u root`` in ``sudo -u root apt-get``)."""
        for wrapper in self.wrappers:
            yield from wrapper.options


Separator = Literal["&&", "||", ";", "&", "|", "|&", "\n"]


class ListItem(msgspec.Struct, frozen=True):
    """One element of the script's top-level command list.

    The top level is flattened over ``&&``, ``||``, ``;``, ``&``, pipes and
    newlines: ``set -e; a && b | c`` gives four items.  ``kind`` is the
    tree-sitter node type (``command``, ``subshell``, ``if_statement``,
    ``redirected_statement``, ``negated_command`` ...; for ``a && b > f`` the
    last item is ``b > f``, of kind ``command``).  ``separator`` is the
    operator written after the item (``"\n"`` when only a line break
    separates it from the next; a trailing ``;`` or ``&`` is kept), ``None``
    when nothing follows; ``separator_start`` is where it is written.  Text
    inserted at ``end`` lands right after the item.
    """

    kind: str
    start: int
    end: int
    separator: Separator | None
    separator_start: int | None
    commands: tuple[SimpleCommand, ...]


class Comment(msgspec.Struct, frozen=True):
    """A shell comment; ``text`` includes the ``#``."""

    text: str
    start: int
    end: int


class ShellScript(msgspec.Struct, frozen=True):
    """Everything dfix knows about one shell script (a RUN body)."""

    text: str
    has_error: bool
    commands: tuple[SimpleCommand, ...]
    items: tuple[ListItem, ...]
    comments: tuple[Comment, ...]
    #: Compares by its script, which is ``text``.
    tree: ShellTree

    @property
    def code_end(self) -> int:
        """End of the last top-level item: where text appended to the script goes."""
        return self.items[-1].end if self.items else 0

    @property
    def trailing_comment(self) -> Comment | None:
        """A comment that ends the script: text appended after it would be swallowed (G9)."""
        if not self.comments:
            return None
        last = self.comments[-1]
        return last if last.end >= len(self.text.rstrip()) and last.start >= self.code_end else None

    @property
    def chaining(self) -> Literal["single", "and", "sequence", "mixed"]:
        """How the top-level commands are joined.

        ``and``: only ``&&``/``||`` (and pipes); ``sequence``: only ``;`` or
        newlines; ``mixed``: both; ``single``: one item.  Background ``&``
        counts as sequencing.
        """
        separators = {item.separator for item in self.items[:-1]}
        sequential = bool(separators & {";", "\n", "&"})
        chained = bool(separators & {"&&", "||"})
        if sequential and chained:
            return "mixed"
        if sequential:
            return "sequence"
        if chained:
            return "and"
        return "single"

    @property
    def tail_separator(self) -> Separator | None:
        """The operator joining the last top-level item to the one before it.

        An appended command usually should follow the same style: in
        ``set -eux; apt-get update && apt-get install -y x`` it is ``&&``.
        """
        return self.items[-2].separator if len(self.items) > 1 else None

    @property
    def errexit(self) -> bool:
        """Whether ``set -e`` (or ``-o errexit``) is in force at the end of the top level."""
        enabled = False
        for command in self.commands:
            if command.name == "set" and command.context.isdisjoint(_NOT_THE_SCRIPT_SHELL):
                enabled = _errexit_after(command, enabled)
        return enabled

    def commands_named(self, *names: str) -> tuple[SimpleCommand, ...]:
        """Commands whose effective program basename is one of ``names``."""
        return tuple(command for command in self.commands if command.name in names)


def _errexit_after(command: SimpleCommand, enabled: bool) -> bool:
    args = command.args
    for index, word in enumerate(args):
        value = word.value or ""
        if len(value) < 2 or value[0] not in "-+":
            continue
        turn_on = value[0] == "-"
        if value[1:] == "o" and index + 1 < len(args):
            if args[index + 1].value == "errexit":
                enabled = turn_on
        elif value[1] != "-" and "e" in value[1:]:
            enabled = turn_on
    return enabled
