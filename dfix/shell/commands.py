"""The command model of a RUN script: every simple command, and the top-level list.

Rules ask "does this RUN run ``apt-get update``, and where?" wherever the
command sits: after ``&&``, inside ``if``/``for``/``case`` bodies, subshells,
brace groups, pipelines or ``$(...)``.  Fixes ask "where does the top-level
command list end, and does it chain with ``&&`` or with ``;`` under
``set -e``?" to append ``&& rm -rf /var/lib/apt/lists/*`` correctly.  Both
answers come from one walk over the tree-sitter tree, so no rule ever splits a
RUN on ``&&`` by hand.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Literal

import tree_sitter

from dfix.shell.options import Option
from dfix.shell.parse import ShellTree, parse_shell
from dfix.shell.words import EXPANSION_NODE_TYPES, WORD_NODE_TYPES, Word, word_from_node
from dfix.shell.wrappers import Wrapper, assignment_parts, program_name, strip_wrappers

__all__ = [
    "Context",
    "Assignment",
    "Redirect",
    "SimpleCommand",
    "ListItem",
    "Comment",
    "ShellScript",
    "analyze",
    "simple_commands",
]


class Context(enum.Flag):
    """Where a simple command sits; a command may be in several at once.

    ``SUBSHELL``, ``SUBSTITUTION`` and ``PIPELINE`` run in a child shell, so
    their ``cd``/``export``/``exit`` do not leak.  ``CONDITION`` (the test of
    ``if``/``elif``/``while``/``until``) is exempt from ``set -e``;
    ``BRANCH`` (``then``/``else``/``case`` bodies), ``LOOP`` and ``FUNCTION``
    run zero or more times; ``BACKGROUND`` runs concurrently (``&``);
    ``NEGATED`` has its status inverted (``!``).
    """

    NONE = 0
    SUBSHELL = enum.auto()
    BRACE_GROUP = enum.auto()
    FUNCTION = enum.auto()
    CONDITION = enum.auto()
    BRANCH = enum.auto()
    LOOP = enum.auto()
    SUBSTITUTION = enum.auto()
    PIPELINE = enum.auto()
    BACKGROUND = enum.auto()
    NEGATED = enum.auto()


# Contexts whose commands run in a separate process, so shell state changes stay there.
CHILD_SHELL = Context.SUBSHELL | Context.SUBSTITUTION | Context.PIPELINE
# Contexts whose commands run only under some condition, or not at all.
CONDITIONAL = Context.CONDITION | Context.BRANCH | Context.LOOP | Context.FUNCTION


@dataclass(frozen=True, slots=True)
class Assignment:
    """``NAME=value`` before a command (or alone), or given to ``env``/``sudo``.

    ``value`` is the literal value after quote removal (``""`` for ``NAME=``),
    ``None`` when it needs expansion.
    """

    name: str
    value: str | None
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redirect:
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


@dataclass(frozen=True, slots=True)
class SimpleCommand:
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
    context: Context
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
        return not (self.context & (CHILD_SHELL | CONDITIONAL | Context.BACKGROUND))

    def has_wrapper(self, name: str) -> bool:
        return any(wrapper.name == name for wrapper in self.wrappers)

    def wrapper_options(self) -> Iterator[Option]:
        for wrapper in self.wrappers:
            yield from wrapper.options


Separator = Literal["&&", "||", ";", "&", "|", "|&", "\n"]


@dataclass(frozen=True, slots=True)
class ListItem:
    """One element of the script's top-level command list.

    The top level is flattened over ``&&``, ``||``, ``;``, ``&``, pipes and
    newlines: ``set -e; a && b | c`` gives four items.  ``kind`` is the
    tree-sitter node type (``command``, ``subshell``, ``if_statement``,
    ``redirected_statement``, ``negated_command`` ...).  ``separator`` is the
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


@dataclass(frozen=True, slots=True)
class Comment:
    """A shell comment; ``text`` includes the ``#``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ShellScript:
    """Everything dfix knows about one shell script (a RUN body)."""

    text: str
    has_error: bool
    commands: tuple[SimpleCommand, ...]
    items: tuple[ListItem, ...]
    comments: tuple[Comment, ...]
    tree: ShellTree = field(compare=False, repr=False)

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
            if command.name == "set" and not command.context & (CHILD_SHELL | Context.FUNCTION):
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


@lru_cache(maxsize=512)
def analyze(script: str) -> ShellScript:
    """Parse ``script`` and build its command model (cached: fixes re-parse to a fixpoint)."""
    tree = parse_shell(script)
    walker = _Walker(tree)
    items = walker.top_level(tree.root)
    comments = tuple(sorted(walker.comments, key=lambda comment: comment.start))
    return ShellScript(script, tree.has_error, tuple(walker.commands), items, comments, tree)


def simple_commands(script: str) -> tuple[SimpleCommand, ...]:
    """Every simple command of ``script`` in source order (see `analyze`)."""
    return analyze(script).commands


_SEPARATOR_TOKENS = frozenset({"&&", "||", ";", "&", "|", "|&", ";;", ";&", ";;&", "\n"})
_REDIRECT_TYPES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SIMPLE_TYPES = frozenset(
    {"command", "declaration_command", "unset_command", "test_command",
     "variable_assignment", "variable_assignments"}
)


class _Walker:
    """One pass over the tree, collecting commands (in source order) and comments."""

    __slots__ = ("tree", "commands", "comments", "item_index")

    def __init__(self, tree: ShellTree) -> None:
        self.tree = tree
        self.commands: list[SimpleCommand] = []
        self.comments: list[Comment] = []
        self.item_index = 0

    # --- the top-level list -------------------------------------------------

    def top_level(self, program: tree_sitter.Node) -> tuple[ListItem, ...]:
        entries: list[tuple[tree_sitter.Node, Context] | tuple[str, int]] = []
        for node, context in self._statements(program.children, Context.NONE):
            if isinstance(node, str):
                entries.append((node, context))  # separator token, its start
            else:
                self._flatten(node, context, entries)
        items: list[ListItem] = []
        index = 0
        while index < len(entries):
            node, context = entries[index]
            index += 1
            if isinstance(node, str):
                continue  # a stray separator (only after a syntax error)
            self.item_index = len(items)
            first_command = len(self.commands)
            self._statement(node, context)
            separator: str | None = None
            separator_start: int | None = None
            if index < len(entries) and isinstance(entries[index][0], str):
                separator, separator_start = entries[index]  # type: ignore[assignment]
                index += 1
            start, end = self.tree.span(node)
            items.append(
                ListItem(node.type, start, end, separator, separator_start,  # type: ignore[arg-type]
                         tuple(self.commands[first_command:]))
            )
        return tuple(items)

    def _flatten(self, node: tree_sitter.Node, context: Context, entries: list) -> None:
        """Spread ``list`` and ``pipeline`` nodes into items and separator tokens."""
        kind = node.type
        if kind == "list" or kind == "pipeline":
            inner = context | Context.PIPELINE if kind == "pipeline" else context
            for child in node.children:
                if child.is_named:
                    if child.type == "comment":
                        self._comment(child)
                    else:
                        self._flatten(child, inner, entries)
                elif child.type in _SEPARATOR_TOKENS:
                    entries.append((child.type, self.tree.offset(child.start_byte)))
        else:
            entries.append((node, context))

    def _statements(
        self, children: list[tree_sitter.Node], context: Context
    ) -> Iterator[tuple[tree_sitter.Node | str, Context | int]]:
        """Yield the statements of a sequence (and its separators), marking ``&`` jobs.

        Comments are recorded on the way. A statement that is directly
        followed by another one (no operator) is separated by a newline.
        """
        previous_statement = False
        for position, child in enumerate(children):
            kind = child.type
            if kind == "comment":
                self._comment(child)
                continue
            if not child.is_named:
                if kind in _SEPARATOR_TOKENS:
                    previous_statement = False
                    yield kind, self.tree.offset(child.start_byte)
                continue
            if previous_statement:
                yield "\n", self.tree.offset(child.start_byte)
            statement_context = context
            if _followed_by_ampersand(children, position):
                statement_context = context | Context.BACKGROUND
            previous_statement = True
            yield child, statement_context

    # --- statements ---------------------------------------------------------

    def _sequence(self, children: list[tree_sitter.Node], context: Context) -> None:
        for node, statement_context in self._statements(children, context):
            if not isinstance(node, str):
                self._statement(node, statement_context)  # type: ignore[arg-type]

    def _statement(self, node: tree_sitter.Node, context: Context) -> None:
        kind = node.type
        if kind in _SIMPLE_TYPES:
            self._simple(node, context, ())
        elif kind == "list":
            self._sequence(node.children, context)
        elif kind == "pipeline":
            self._sequence(node.children, context | Context.PIPELINE)
        elif kind == "redirected_statement":
            self._redirected(node, context)
        elif kind == "negated_command":
            self._sequence(node.children, context | Context.NEGATED)
        elif kind == "subshell":
            self._sequence(node.children, context | Context.SUBSHELL)
        elif kind == "compound_statement":
            if node.child_count and node.children[0].type == "{":
                self._sequence(node.children, context | Context.BRACE_GROUP)
        elif kind == "if_statement" or kind == "elif_clause" or kind == "else_clause":
            self._if(node, context)
        elif kind == "while_statement":
            self._loop(node, context, condition_first=True)
        elif kind == "for_statement" or kind == "c_style_for_statement" or kind == "select_statement":
            self._loop(node, context, condition_first=False)
        elif kind == "case_statement":
            self._case(node, context)
        elif kind == "function_definition":
            body = node.child_by_field_name("body")
            if body is not None:
                self._statement(body, context | Context.FUNCTION)
        elif kind == "do_group" or kind == "ERROR":
            self._sequence(node.children, context)
        elif kind == "comment":
            self._comment(node)
        elif kind in WORD_NODE_TYPES:
            self._substitutions(node, context)

    def _redirected(self, node: tree_sitter.Node, context: Context) -> None:
        body = node.child_by_field_name("body")
        redirects: list[Redirect] = []
        nested: list[tree_sitter.Node] = []
        for child in node.children:
            if child.type in _REDIRECT_TYPES:
                self._redirects(child, redirects, nested)
        if body is None:
            start, end = self.tree.span(node)
            self.commands.append(SimpleCommand(None, (), None, (), (), tuple(redirects),
                                               start, end, context, self.item_index))
        elif body.type == "command":
            self._simple(body, context, tuple(redirects), outer=node)
        else:
            self._statement(body, context)
        for nested_node in nested:
            self._substitutions(nested_node, context)

    def _if(self, node: tree_sitter.Node, context: Context) -> None:
        # `if`/`elif` is followed by condition statements up to `then`, then
        # the body; tree-sitter does not tag elif conditions with a field.
        in_condition = node.type != "else_clause"
        statements: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "then":
                self._sequence(statements, context | Context.CONDITION)
                statements = []
                in_condition = False
            elif kind == "elif_clause" or kind == "else_clause":
                self._flush_branch(statements, in_condition, context)
                statements = []
                self._if(child, context)
            elif kind not in ("if", "elif", "else", "fi"):
                statements.append(child)
        self._flush_branch(statements, in_condition, context)

    def _flush_branch(self, statements: list[tree_sitter.Node], in_condition: bool, context: Context) -> None:
        if statements:
            self._sequence(statements, context | (Context.CONDITION if in_condition else Context.BRANCH))

    def _loop(self, node: tree_sitter.Node, context: Context, condition_first: bool) -> None:
        condition: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "do_group" or kind == "compound_statement":
                self._statement(child, context | Context.LOOP)
            elif condition_first and child.is_named:
                condition.append(child)
            elif kind in WORD_NODE_TYPES:
                self._substitutions(child, context)  # `for x in $(ls)`
            elif kind == "comment":
                self._comment(child)
        if condition:
            self._sequence(condition, context | Context.CONDITION)

    def _case(self, node: tree_sitter.Node, context: Context) -> None:
        for child in node.children:
            if child.type == "case_item":
                body: list[tree_sitter.Node] = []
                seen_paren = False
                for part in child.children:
                    if part.type == ")":
                        seen_paren = True
                    elif seen_paren:
                        body.append(part)
                self._sequence(body, context | Context.BRANCH)
            elif child.type in WORD_NODE_TYPES:
                self._substitutions(child, context)
            elif child.type == "comment":
                self._comment(child)

    # --- simple commands ----------------------------------------------------

    def _simple(
        self,
        node: tree_sitter.Node,
        context: Context,
        outer_redirects: tuple[Redirect, ...],
        outer: tree_sitter.Node | None = None,
    ) -> None:
        kind = node.type
        tree = self.tree
        words: list[Word] = []
        assignments: list[Assignment] = []
        redirects: list[Redirect] = []
        nested: list[tree_sitter.Node] = []
        if kind == "command":
            for child in node.children:
                child_kind = child.type
                if child_kind == "command_name":
                    name_node = child.children[0] if child.child_count else child
                    word = word_from_node(tree, name_node)
                    words.append(word)
                    if word.has_expansion:
                        nested.append(name_node)
                elif child_kind == "variable_assignment":
                    assignments.append(self._assignment(child))
                    nested.append(child)
                elif child_kind in _REDIRECT_TYPES:
                    self._redirects(child, redirects, nested)
                elif child_kind in WORD_NODE_TYPES:
                    word = word_from_node(tree, child)
                    words.append(word)
                    if word.has_expansion:
                        nested.append(child)
                elif child_kind == "comment":
                    self._comment(child)
        elif kind == "variable_assignment":
            assignments.append(self._assignment(node))
            nested.append(node)
        elif kind == "variable_assignments":
            for child in node.children:
                if child.type == "variable_assignment":
                    assignments.append(self._assignment(child))
                    nested.append(child)
        else:  # declaration_command, unset_command, test_command
            self._builtin_words(node, words, nested)
        redirects.extend(outer_redirects)

        wrappers: tuple[Wrapper, ...] = ()
        name_index: int | None = None
        name: str | None = None
        if words:
            if kind == "command":
                wrappers, name_index = strip_wrappers(words)
                for wrapper in wrappers:
                    for wrapper_word in wrapper.words[1:]:
                        parts = assignment_parts(wrapper_word)
                        if parts is not None:
                            assignments.append(
                                Assignment(parts[0], parts[1], wrapper_word.text,
                                           wrapper_word.start, wrapper_word.end)
                            )
            else:
                name_index = 0
            if name_index is not None:
                name = program_name(words[name_index])
        start, end = tree.span(outer if outer is not None else node)
        self.commands.append(
            SimpleCommand(name, tuple(words), name_index, tuple(assignments), wrappers,
                          tuple(redirects), start, end, context, self.item_index)
        )
        for nested_node in nested:
            self._substitutions(nested_node, context)

    def _builtin_words(self, node: tree_sitter.Node, words: list[Word], nested: list[tree_sitter.Node]) -> None:
        """Words of ``export``/``unset``/``[``: keyword tokens count as literal words."""
        tree = self.tree
        for child in node.children:
            kind = child.type
            if kind in WORD_NODE_TYPES:
                word = word_from_node(tree, child)
                words.append(word)
                if word.has_expansion:
                    nested.append(child)
            elif kind == "variable_assignment":
                assignment = self._assignment(child)
                value = None if assignment.value is None else f"{assignment.name}={assignment.value}"
                words.append(Word(assignment.text, value, assignment.start, assignment.end,
                                  value is None))
                nested.append(child)
            elif not child.is_named:
                if kind in ("(", ")"):
                    continue
                start, end = tree.span(child)
                text = tree.script[start:end]
                words.append(Word(text, text, start, end))
            elif child.child_count:  # unary/binary/parenthesized test expressions
                self._builtin_words(child, words, nested)

    def _assignment(self, node: tree_sitter.Node) -> Assignment:
        tree = self.tree
        start, end = tree.span(node)
        text = tree.script[start:end]
        name_node = node.child_by_field_name("name")
        name = tree.text(name_node) if name_node is not None else text.partition("=")[0]
        value_node = node.child_by_field_name("value")
        value: str | None
        if value_node is None:
            value = ""
        elif value_node.type in WORD_NODE_TYPES:
            value = word_from_node(tree, value_node).value
        else:
            value = None  # arrays
        return Assignment(name, value, text, start, end)

    def _redirects(
        self, node: tree_sitter.Node, redirects: list[Redirect], nested: list[tree_sitter.Node]
    ) -> None:
        """Append the redirect(s) of ``node``; a heredoc may carry more (``<<EOF > f``)."""
        tree = self.tree
        operator = ""
        descriptor: str | None = None
        target: Word | None = None
        inner: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "file_descriptor":
                descriptor = tree.text(child)
            elif not child.is_named:
                operator = operator or kind
            elif kind == "heredoc_start":
                start, end = tree.span(child)
                text = tree.script[start:end]
                target = Word(text, text.strip("'\""), start, end)
            elif kind in _REDIRECT_TYPES:
                inner.append(child)
            elif kind == "heredoc_body":
                nested.append(child)  # unquoted heredocs run their $(...)
            elif target is None and kind in WORD_NODE_TYPES:
                target = word_from_node(tree, child)
                if target.has_expansion:
                    nested.append(child)
        start, end = tree.span(node)
        redirects.append(Redirect(operator, descriptor, target, start, end))
        for child in inner:
            self._redirects(child, redirects, nested)

    # --- nested scripts and comments ----------------------------------------

    def _substitutions(self, node: tree_sitter.Node, context: Context) -> None:
        """Walk the commands inside ``$(...)``, backticks and ``<(...)`` under ``node``."""
        kind = node.type
        if kind == "command_substitution" or kind == "process_substitution":
            self._sequence(node.children, context | Context.SUBSTITUTION)
            return
        for child in node.children:
            if child.child_count:
                self._substitutions(child, context)

    def _comment(self, node: tree_sitter.Node) -> None:
        start, end = self.tree.span(node)
        self.comments.append(Comment(self.tree.script[start:end], start, end))


def _followed_by_ampersand(children: list[tree_sitter.Node], position: int) -> bool:
    for index in range(position + 1, len(children)):
        kind = children[index].type
        if kind != "comment":
            return kind == "&"
    return False
