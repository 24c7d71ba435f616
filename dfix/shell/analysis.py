"""Build the command model (`dfix.shell.commands`) from a tree-sitter-bash tree.

One walk over the tree collects every simple command in source order with its
context, the flattened top-level list and the comments.  tree-sitter-bash has
a few shapes the walk must undo: ``a && b && c`` nests to the left,
``a && b > f`` hangs the redirect on the whole list (the shell gives it to
``b``), ``elif`` conditions carry no field name.  Deep nesting is walked
iteratively where real scripts get deep (long ``&&`` chains); anything deeper
than Python's recursion limit yields a model flagged ``has_error``.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple, TypeVar

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import tree_sitter

from dfix.shell.commands import (
    TOP_LEVEL,
    Assignment,
    Comment,
    Context,
    ListItem,
    Redirect,
    ShellScript,
    SimpleCommand,
)
from dfix.shell.parse import ShellTree, parse_shell
from dfix.shell.words import WORD_NODE_TYPES, Word, word_from_node
from dfix.shell.wrappers import Wrapper, assignment_parts, program_name, strip_wrappers

__all__ = ["analyze", "read_once", "scripts_kept", "simple_commands"]


T = TypeVar("T")

#: What is kept for the whole of one piece of work (see `scripts_kept`), by kind; None outside one.
_kept: ContextVar["dict[str, dict] | None"] = ContextVar("dfix_shell_scripts_kept", default=None)


@contextmanager
def scripts_kept() -> Iterator[None]:
    """Within the block, each distinct script is analysed once, and what is read from it is kept until the block ends.

    The fix loop of one file runs every rule again after each round, on RUNs
    most of which the round did not touch, and several rules read the same
    scripts within one lint; the process-wide caches are small (a long run
    must not keep every script it saw), so a file with more RUN bodies than
    they hold would otherwise be analysed again and again. Models are
    immutable, so handing out the same one is safe. Nested blocks share the
    outermost one's store.
    """
    if _kept.get() is not None:
        yield
        return
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def kept_store(kind: str) -> dict | None:
    """The store for ``kind`` of the enclosing `scripts_kept` block, or None outside one."""
    scope = _kept.get()
    if scope is None:
        return None
    store = scope.get(kind)
    if store is None:
        store = scope[kind] = {}
    return store


def read_once(kind: str, source: object, read: Callable[[], T]) -> T:
    """``read()``, once per ``source`` object in the enclosing `scripts_kept` block (every time outside one).

    For facts read from the command models the block hands out (one object
    per distinct script or command, kept until the block ends): the fix loop
    lints every RUN again after each round and several rules read the same
    facts. The reading is kept with its source, so an id is not reused while
    it is remembered.
    """
    kept = kept_store(kind)
    if kept is None:
        return read()
    reading = kept.get(id(source))
    if reading is not None and reading[0] is source:
        return reading[1]
    value = read()
    kept[id(source)] = (source, value)
    return value


def analyze(script: str) -> ShellScript:
    """Parse ``script`` and build its command model; never raises.

    Cached, because fixes re-analyse the same RUN bodies on every round of
    the fixpoint.  A script nested deeper than Python's recursion limit
    (hundreds of ``$(`` or parentheses) gets ``has_error`` and no items.
    """
    kept = kept_store("models")
    if kept is None:
        return _analyze_cached(script)
    found = kept.get(script)
    if found is None:
        found = kept[script] = _analyze_cached(script)
    return found


@lru_cache(maxsize=512)
def _analyze_cached(script: str) -> ShellScript:
    tree = parse_shell(script)
    walker = _Walker(tree)
    try:
        items = walker.top_level(tree.root)
        has_error = tree.has_error
    except RecursionError:
        items, has_error = (), True
    comments = tuple(sorted(walker.comments, key=lambda comment: comment.start))
    return ShellScript(script, has_error, tuple(walker.commands), items, comments, tree)


def simple_commands(script: str) -> tuple[SimpleCommand, ...]:
    """Every simple command of ``script`` in source order (see `analyze`)."""
    return analyze(script).commands


_SEPARATOR_TOKENS = frozenset({"&&", "||", ";", "&", "|", "|&", ";;", ";&", ";;&", "\n"})
_REDIRECT_TYPES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SIMPLE_TYPES = frozenset(
    {"command", "declaration_command", "unset_command", "test_command",
     "variable_assignment", "variable_assignments"}
)


class _Statement(NamedTuple):
    """A statement to walk, the contexts it runs in, and where its item ends."""

    node: tree_sitter.Node
    context: frozenset[Context]
    end: int


class _Separator(NamedTuple):
    """An operator (``&&``, ``;``, ``|`` ...) or line break between statements."""

    token: str
    start: int


class _Walker:
    """One pass over the tree, collecting commands (in source order) and comments."""

    __slots__ = ("tree", "commands", "comments", "item_index", "redirect_sources")

    def __init__(self, tree: ShellTree) -> None:
        self.tree = tree
        self.commands: list[SimpleCommand] = []
        self.comments: list[Comment] = []
        self.item_index = 0
        # node id → the redirected_statement whose redirects belong to that node
        self.redirect_sources: dict[int, tree_sitter.Node] = {}

    # --- the top-level list -------------------------------------------------

    def top_level(self, program: tree_sitter.Node) -> tuple[ListItem, ...]:
        entries: list[_Statement | _Separator] = []
        for entry in self._statements(program.children, TOP_LEVEL):
            if isinstance(entry, _Separator):
                entries.append(entry)
            else:
                self._flatten(entry, entries)
        items: list[ListItem] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, _Separator):
                continue
            self.item_index = len(items)
            first_command = len(self.commands)
            self._statement(entry.node, entry.context)
            following = entries[index + 1] if index + 1 < len(entries) else None
            separator = following if isinstance(following, _Separator) else None
            items.append(
                ListItem(
                    entry.node.type,
                    self.tree.offset(entry.node.start_byte),
                    entry.end,
                    separator.token if separator else None,  # type: ignore[arg-type]
                    separator.start if separator else None,
                    tuple(self.commands[first_command:]),
                )
            )
        return tuple(items)

    def _flatten(self, entry: _Statement, entries: list[_Statement | _Separator]) -> None:
        """Spread ``list`` and ``pipeline`` nodes into statements and separator tokens."""
        node, context, _ = entry
        kind = node.type
        if kind == "list" or kind == "pipeline":
            inner = context | {Context.PIPELINE} if kind == "pipeline" else context
            for child in _list_children(node):
                if child.is_named:
                    if child.type == "comment":
                        self._comment(child)
                    else:
                        self._flatten(_Statement(child, inner, self.tree.offset(child.end_byte)), entries)
                elif child.type in _SEPARATOR_TOKENS:
                    entries.append(_Separator(child.type, self.tree.offset(child.start_byte)))
        elif kind == "redirected_statement" and self._redirects_last_of_list(node):
            body = node.child_by_field_name("body")
            assert body is not None  # checked by _redirects_last_of_list
            self._flatten(_Statement(body, context, entry.end), entries)
            last = entries[-1]
            if isinstance(last, _Statement):
                entries[-1] = last._replace(end=entry.end)  # `b > f` ends after `f`
        else:
            entries.append(entry)

    def _redirects_last_of_list(self, node: tree_sitter.Node) -> bool:
        """Handle tree-sitter-bash hanging ``a && b > f`` on the list: the shell gives it to ``b``.

        Registers the redirected statement as the redirect source of the
        list's last element, which `_statement` then picks up.
        """
        body = node.child_by_field_name("body")
        if body is None or body.type not in ("list", "pipeline"):
            return False
        last = body
        while last.type in ("list", "pipeline"):
            named = [child for child in _list_children(last) if child.is_named and child.type != "comment"]
            if not named:
                return False
            last = named[-1]
        self.redirect_sources[last.id] = node
        return True

    def _statements(
        self, children: list[tree_sitter.Node], context: frozenset[Context]
    ) -> Iterator[_Statement | _Separator]:
        """Yield the statements of a sequence and the separators between them.

        Comments are recorded on the way; a statement followed by ``&`` gets
        the ``BACKGROUND`` context; two statements with no operator between
        them are separated by a newline.
        """
        tree = self.tree
        previous_end: int | None = None  # end of a statement not yet followed by an operator
        for position, child in enumerate(children):
            kind = child.type
            if kind == "comment":
                self._comment(child)
                continue
            if not child.is_named:
                if kind in _SEPARATOR_TOKENS:
                    previous_end = None
                    yield _Separator(kind, tree.offset(child.start_byte))
                continue
            start, end = tree.span(child)
            if previous_end is not None:
                newline = tree.script.find("\n", previous_end, start)
                yield _Separator("\n", newline if newline >= 0 else start)
            statement_context = context
            if _followed_by_ampersand(children, position):
                statement_context = context | {Context.BACKGROUND}
            previous_end = end
            yield _Statement(child, statement_context, end)

    # --- statements ---------------------------------------------------------

    def _sequence(self, children: list[tree_sitter.Node], context: frozenset[Context]) -> None:
        for entry in self._statements(children, context):
            if isinstance(entry, _Statement):
                self._statement(entry.node, entry.context)

    def _statement(self, node: tree_sitter.Node, context: frozenset[Context]) -> None:
        if self.redirect_sources:
            source = self.redirect_sources.pop(node.id, None)
            if source is not None:
                self._redirected(source, context, body=node)
                return
        kind = node.type
        if kind in _SIMPLE_TYPES:
            self._simple(node, context)
        elif kind == "list":
            self._sequence(_list_children(node), context)
        elif kind == "pipeline":
            self._sequence(node.children, context | {Context.PIPELINE})
        elif kind == "redirected_statement":
            self._redirected(node, context)
        elif kind == "negated_command":
            self._sequence(node.children, context | {Context.NEGATED})
        elif kind == "subshell":
            self._sequence(node.children, context | {Context.SUBSHELL})
        elif kind == "compound_statement":
            if node.child_count and node.children[0].type == "{":
                self._sequence(node.children, context | {Context.BRACE_GROUP})
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
                self._statement(body, context | {Context.FUNCTION})
        elif kind == "do_group" or kind == "ERROR":
            self._sequence(node.children, context)
        elif kind == "comment":
            self._comment(node)
        elif kind in WORD_NODE_TYPES:
            self._substitutions(node, context)

    def _redirected(
        self, node: tree_sitter.Node, context: frozenset[Context], body: tree_sitter.Node | None = None
    ) -> None:
        """A statement with redirections; ``body`` overrides which statement receives them."""
        if body is None:
            body = node.child_by_field_name("body")
            if body is not None and self._redirects_last_of_list(node):
                self._statement(body, context)
                return
        redirects: list[Redirect] = []
        nested: list[tree_sitter.Node] = []
        stray_words: list[Word] = []
        for child in node.children:
            if child.type in _REDIRECT_TYPES:
                self._redirects(child, redirects, nested, stray_words)
        if body is None:
            start, end = self.tree.span(node)
            self._record("command", stray_words, [], redirects, start, end, context)
        elif body.type == "command":
            self._simple(body, context, redirects, stray_words, end_node=node)
        else:
            self._statement(body, context)
        for nested_node in nested:
            self._substitutions(nested_node, context)

    def _if(self, node: tree_sitter.Node, context: frozenset[Context]) -> None:
        # `if`/`elif` is followed by condition statements up to `then`, then
        # the body; tree-sitter does not tag elif conditions with a field.
        in_condition = node.type != "else_clause"
        statements: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "then":
                self._sequence(statements, context | {Context.CONDITION})
                statements = []
                in_condition = False
            elif kind == "elif_clause" or kind == "else_clause":
                self._flush_branch(statements, in_condition, context)
                statements = []
                self._if(child, context)
            elif kind not in ("if", "elif", "else", "fi"):
                statements.append(child)
        self._flush_branch(statements, in_condition, context)

    def _flush_branch(self, statements: list[tree_sitter.Node], in_condition: bool, context: frozenset[Context]) -> None:
        if statements:
            self._sequence(statements, context | {Context.CONDITION if in_condition else Context.BRANCH})

    def _loop(self, node: tree_sitter.Node, context: frozenset[Context], condition_first: bool) -> None:
        condition: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "do_group" or kind == "compound_statement":
                self._statement(child, context | {Context.LOOP})
            elif condition_first and child.is_named:
                condition.append(child)
            elif kind in WORD_NODE_TYPES:
                self._substitutions(child, context)  # `for x in $(ls)`
            elif kind == "comment":
                self._comment(child)
        if condition:
            self._sequence(condition, context | {Context.CONDITION})

    def _case(self, node: tree_sitter.Node, context: frozenset[Context]) -> None:
        for child in node.children:
            if child.type == "case_item":
                body: list[tree_sitter.Node] = []
                seen_paren = False
                for part in child.children:
                    if part.type == ")":
                        seen_paren = True
                    elif seen_paren:
                        body.append(part)
                self._sequence(body, context | {Context.BRANCH})
            elif child.type in WORD_NODE_TYPES:
                self._substitutions(child, context)
            elif child.type == "comment":
                self._comment(child)

    # --- simple commands ----------------------------------------------------

    def _simple(
        self,
        node: tree_sitter.Node,
        context: frozenset[Context],
        outer_redirects: list[Redirect] | None = None,
        outer_words: list[Word] | None = None,
        end_node: tree_sitter.Node | None = None,
    ) -> None:
        """Record one simple command.

        ``outer_redirects`` and ``outer_words`` come from an enclosing
        ``redirected_statement`` (the words are arguments tree-sitter-bash
        hung on a redirect: ``cmd > f a`` passes ``a`` to ``cmd``);
        ``end_node`` then ends the command's span.
        """
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
                    self._redirects(child, redirects, nested, words)
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
        if outer_redirects:
            redirects.extend(outer_redirects)
        if outer_words:
            words.extend(outer_words)
        end = (end_node if end_node is not None else node).end_byte
        self._record(kind, words, assignments, redirects,
                     tree.offset(node.start_byte), tree.offset(end), context)
        for nested_node in nested:
            self._substitutions(nested_node, context)

    def _record(
        self,
        kind: str,
        words: list[Word],
        assignments: list[Assignment],
        redirects: list[Redirect],
        start: int,
        end: int,
        context: frozenset[Context],
    ) -> None:
        """Find the effective program behind any wrappers and append the command."""
        if any(later.start < earlier.start for earlier, later in zip(words, words[1:])):
            words.sort(key=lambda word: word.start)
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
        self.commands.append(
            SimpleCommand(name, tuple(words), name_index, tuple(assignments), wrappers,
                          tuple(redirects), start, end, context, self.item_index)
        )

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
        self,
        node: tree_sitter.Node,
        redirects: list[Redirect],
        nested: list[tree_sitter.Node],
        stray_words: list[Word],
    ) -> None:
        """Append the redirect(s) of ``node``; a heredoc may carry more (``<<EOF > f``).

        Words after the target are the command's arguments, which
        tree-sitter-bash attaches to the redirect; they go to ``stray_words``.
        """
        tree = self.tree
        operator = ""
        descriptor: str | None = None
        target: Word | None = None
        end = tree.offset(node.end_byte)
        inner: list[tree_sitter.Node] = []
        for child in node.children:
            kind = child.type
            if kind == "file_descriptor":
                descriptor = tree.text(child)
            elif not child.is_named:
                if not operator:
                    operator = kind
                    end = tree.offset(child.end_byte)
            elif kind == "heredoc_start":
                delimiter_start, delimiter_end = tree.span(child)
                text = tree.script[delimiter_start:delimiter_end]
                target = Word(text, text.strip("'\""), delimiter_start, delimiter_end)
            elif kind in _REDIRECT_TYPES:
                inner.append(child)
            elif kind == "heredoc_body":
                nested.append(child)  # unquoted heredocs run their $(...)
            elif kind in WORD_NODE_TYPES:
                word = word_from_node(tree, child)
                if word.has_expansion:
                    nested.append(child)
                if target is None:
                    target = word
                    end = word.end
                else:
                    stray_words.append(word)
        if node.type == "heredoc_redirect":
            end = tree.offset(node.end_byte)  # through the body and terminator
        redirects.append(Redirect(operator, descriptor, target, tree.offset(node.start_byte), end))
        for child in inner:
            self._redirects(child, redirects, nested, stray_words)

    # --- nested scripts and comments ----------------------------------------

    def _substitutions(self, node: tree_sitter.Node, context: frozenset[Context]) -> None:
        """Walk the commands inside ``$(...)``, backticks and ``<(...)`` under ``node``."""
        kind = node.type
        if kind == "command_substitution" or kind == "process_substitution":
            self._sequence(node.children, context | {Context.SUBSTITUTION})
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


def _list_children(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The children of a ``list`` with its left-nested sublists spread out.

    tree-sitter-bash parses ``a && b && c`` as ``list(list(a && b) && c)``;
    a long chain would otherwise cost one Python frame per ``&&``.
    """
    if node.type != "list":
        return node.children
    tails: list[list[tree_sitter.Node]] = []
    while node.type == "list" and node.child_count:
        children = node.children
        tails.append(children[1:])
        node = children[0]
    spread = [node]
    for tail in reversed(tails):
        spread.extend(tail)
    return spread
