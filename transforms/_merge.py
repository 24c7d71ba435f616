"""Joining consecutive shell-form RUNs into one: the plan, its guards, and its edits.

Used by DF100 (consecutive-run) and meant for DF204 (update-without-install),
which merges an index refresh into the next RUN's install. A merge is planned
for a list of adjacent RUNs (only comment and blank lines between them) and is
either a `MergePlan` (edits that turn them into one RUN) or a `Refusal` (why
no mechanical merge is right).

What a merge must preserve (rules.md §3 item 2): every RUN starts a fresh
``/bin/sh -c``, so one RUN's ``cd``/``export``/``set``/``trap``/``exit``
cannot reach the next, and a failing RUN stops the build. The join is
``a && b``, and it is planned only where that is exact as written:

* a side that leaks shell state and has something after it (``cd``,
  ``export``, ``set``, ``exit`` ... see `Side.leaks`) is refused. Wrapping it
  in ``( ... )`` would be exact, but it freezes what is usually the author's
  mistake (a ``cd`` or ``export`` meant to last) and invites a reviewer to
  "simplify" the subshell into a change of behaviour; a RUN made only of such
  state is a finding of its own (it has no lasting effect);
* a later side made of several lists (``x; y``, ``x || y``) is refused:
  ``a && x; y`` would run ``y`` even when ``a`` failed, hiding the failure;
* under a SHELL with ``-e``, a side before ``&&`` must end in a simple
  command: shells ignore ``-e`` inside a compound command before ``&&``.

Refused as well: background jobs (``&``) and daemons started before the
end (``service x start``): a RUN's leftover processes die with it, merged
they would run on; a shell syntax error; a trailing ``# comment`` that looks
like a suppression or directive (other trailing comments are moved onto a
comment line of their own, G9); a RUN whose last command is followed, on
later lines, by more than a ``;``, continuations and comment lines.

Whether a merge is *worth* making is not decided here: see
`transforms/_merge_purpose.py`.

The edits keep every line of every RUN. Per join, one edit replaces the text
from the end of the earlier RUN's last command (dropping a trailing ``;``,
a trailing comment, the line end, blank and comment lines between, and the
later RUN's ``RUN`` keyword and flags) up to the later RUN's script with
`` && \\`` + line end + the comment lines (re-indented) + the indent; in
operator-first files `` \\`` + line end + comments + indent + ``&& ``.
Insertions add comment lines above the merged RUN.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Sequence

import msgspec

from dfix.engine import ONBUILD_TRIGGER, Context, Edit, RunScript, RunView, Safety
from dfix.patterns import lazy_pattern
from dfix.shell import ISOLATABLE_EFFECTS, Effect, ShellScript, has_option, package_commands, package_spec, state_effects
from dfix.shell import Context as ShellContext
from dfix.syntax import Comment, Dockerfile, Instruction, Mount, Run

__all__ = [
    "MergePlan",
    "Refusal",
    "Side",
    "adjacent",
    "command_count",
    "flag_key",
    "is_directive_comment",
    "mergeable_pair",
    "plan_merge",
    "shell_errexit",
    "update_then_install",
]

#: Comments that mean something to a tool (suppressions, ``# hadolint shell=``): never moved into a RUN.
_DIRECTIVE_COMMENT = lazy_pattern(r"#\s*(dfix\s*:|hadolint\b|check\s*=|syntax\s*=|escape\s*=)", re.IGNORECASE)

#: Builtins and idioms that change the shell's state but that `state_effects` does not report.
_EXTRA_STATEFUL = frozenset({"getopts", "hash", "enable", "shift", "wait", "disown", "bind", "complete", "fc", "history"})
_DEFAULT_ASSIGN = lazy_pattern(r"\$\{#?[A-Za-z_][A-Za-z0-9_]*:?[=]")
_ARITHMETIC = lazy_pattern(r"\(\((.*?)\)\)")
_ARITHMETIC_ASSIGN = lazy_pattern(r"(?<![=!<>])=(?!=)|\+\+|--")

#: Top-level item kinds that are a simple command (a pipeline is flattened into its commands).
_SIMPLE_KINDS = frozenset(
    {"command", "declaration_command", "unset_command", "test_command", "variable_assignment",
     "variable_assignments", "redirected_statement", "negated_command"}
)
_LEADING_OPERATOR = lazy_pattern(r"[ \t]*(&&|\|\||;)")
_TRAILING_OPERATOR = lazy_pattern(r"(&&|\|\||;|\|)[ \t]*$")
_CHILD_SHELL = frozenset({ShellContext.SUBSHELL, ShellContext.PIPELINE, ShellContext.SUBSTITUTION})
_SIMPLE_CONTEXTS = frozenset({ShellContext.PIPELINE, ShellContext.NEGATED, ShellContext.SUBSTITUTION})

#: Programs that leave a process running after they return (best effort; the merge refuses them before the end).
_START_WORDS = frozenset({"start", "restart", "reload", "force-reload", "try-restart", "reload-or-restart", "graceful"})
_ALWAYS_DAEMON = frozenset({"setsid", "daemonize", "dockerd", "containerd", "mysqld_safe"})


# -- small facts -----------------------------------------------------------------------------


def flag_key(run: Run) -> tuple:
    """RUN flags compared for a merge: the ``--mount`` list in order, the others as a set."""
    flags = run.flags
    return (
        tuple(flag.text for flag in flags if flag.name == "mount"),
        tuple(sorted(flag.text for flag in flags if flag.name != "mount")),
    )


def command_count(model: ShellScript) -> int:
    """Commands with a literal name anywhere in the script, as hadolint counts them for DL3059.

    (hadolint's ``presentCommands``: every simple command, nested ones
    included; ``[``/``[[`` tests are not simple commands to ShellCheck.)
    """
    return sum(1 for command in model.commands if command.name is not None and command.name not in ("[", "[["))


def shell_errexit(shell: Sequence[str]) -> bool:
    """Whether a SHELL's options turn ``errexit`` on (``-e``, ``-eo pipefail``, ``-o errexit``)."""
    args = list(shell[1:])
    for index, arg in enumerate(args):
        if arg.startswith("-") and not arg.startswith("--"):
            letters = arg[1:]
            if "e" in letters:
                return True
            if letters.endswith("o") and index + 1 < len(args) and args[index + 1] == "errexit":
                return True
    return False


def is_directive_comment(text: str) -> bool:
    return bool(_DIRECTIVE_COMMENT.match(text.strip()))


def update_then_install(first: ShellScript, second: ShellScript) -> bool:
    """``first`` refreshes a package index that ``second`` then installs from (``apt-get update`` + ``apt-get install``)."""
    refreshed: set[str] = set()
    for command in package_commands(first):
        if command.action == "refresh":
            refreshed.add(command.family)
        elif command.action in ("install", "upgrade", "dist-upgrade"):
            refreshed.discard(command.family)
    if not refreshed:
        return False
    return any(
        command.family in refreshed and command.action in ("install", "upgrade", "dist-upgrade")
        for command in package_commands(second)
    )


def adjacent(context: Context, first: Instruction, second: Instruction) -> bool:
    """``second`` follows ``first`` with only comment and blank lines between them."""
    instructions = context.tree.instructions
    index = _instruction_index(context).get(id(first))
    return index is not None and index + 1 < len(instructions) and instructions[index + 1] is second


def _instruction_index(context: Context) -> dict[int, int]:
    """Each instruction's place among the file's instructions (one map per parse, not a scan per pair)."""
    return context.memo(_instruction_index, lambda: {id(i): n for n, i in enumerate(context.tree.instructions)})


def _item_index(context: Context) -> dict[int, int]:
    """Each item's place among the file's items (instructions, comments, blank lines)."""
    return context.memo(_item_index, lambda: {id(item): n for n, item in enumerate(context.tree.items)})


def mergeable_pair(context: Context, first: Instruction, second: Instruction) -> str | None:
    """Why ``first`` and ``second`` are not candidates for a merge at all, or None if they are.

    Candidates: shell-form RUNs without heredocs, in one stage with
    only comment/blank lines between them (so no ONBUILD, G5), under the same
    POSIX SHELL, with equal flags, whose scripts parse and hold a command.
    """
    if not (isinstance(first, Run) and isinstance(second, Run)):
        return "not two RUN instructions"
    for run in (first, second):
        view = context.run_view(run)
        if view.script is None or view.trigger:
            return f"not an editable shell-form RUN: {view.guard or ONBUILD_TRIGGER}"
        model = view.script.model
        if model.has_error or not model.items:
            return "the script does not parse or has no command"
    stage = context.stage_of(first)
    if stage is None or stage is not context.stage_of(second):
        return "not in one stage"
    if flag_key(first) != flag_key(second):
        return "different flags"
    if context.shell_for(first) != context.shell_for(second):
        return "different SHELL"
    if not adjacent(context, first, second):
        return "not adjacent"
    return None


# -- one side of a merge -----------------------------------------------------------------------


class Side(msgspec.Struct, frozen=True, dict=True):
    """One RUN of a merge: its script, and what the merge needs to know about it."""

    run: Run
    script: RunScript

    @classmethod
    def of(cls, view: RunView) -> "Side | None":
        if view.script is None or view.trigger:
            return None
        return cls(view.run, view.script)

    @property
    def model(self) -> ShellScript:
        return self.script.model

    @cached_property
    def effects(self) -> frozenset[Effect]:
        return state_effects(self.model)

    @cached_property
    def extra_leaks(self) -> tuple[str, ...]:
        """State changes `state_effects` does not report (``getopts``, ``${X:=v}``, ``((i++))`` ...)."""
        found = [c.name for c in self.model.commands
                 if c.name in _EXTRA_STATEFUL and c.context.isdisjoint(_CHILD_SHELL)]
        found += ["printf -v" for c in self.model.commands
                  if c.name == "printf" and any((w.value or "").startswith("-v") for w in c.args)]
        text = self.model.text
        if _DEFAULT_ASSIGN.search(text):
            found.append("${name:=value}")
        if any(_ARITHMETIC_ASSIGN.search(match.group(1)) for match in _ARITHMETIC.finditer(text)):
            found.append("((assignment))")
        return tuple(found)

    @property
    def leaks(self) -> tuple[str, ...]:
        """Shell state this side leaves behind for what follows it in the same shell."""
        return tuple(sorted(str(e) for e in self.effects & ISOLATABLE_EFFECTS)) + self.extra_leaks

    @property
    def hides_failure(self) -> bool:
        """Appended after ``a &&``, this script would run part of itself even when ``a`` failed.

        ``a && x; y`` runs ``y`` and ``a && x || y`` runs ``y`` after ``a``
        fails, and ``y``'s status then hides that failure.
        """
        return any(item.separator in (";", "\n", "&", "||") for item in self.model.items[:-1])

    @cached_property
    def complex_substitution(self) -> bool:
        """A ``$(...)``/backtick/``<(...)`` holding more than one simple command or pipeline."""
        stack = [self.model.tree.root]
        while stack:
            node = stack.pop()
            if node.type in ("command_substitution", "process_substitution"):
                statements = [child for child in node.named_children if child.type != "comment"]
                if len(statements) != 1:
                    return True
                statement = statements[0]
                if statement.type == "pipeline":
                    if any(child.type not in ("command", "redirected_statement")
                           for child in statement.named_children if child.type != "comment"):
                        return True
                elif statement.type not in ("command", "redirected_statement"):
                    return True
            stack.extend(node.children)
        return False

    def _simple(self, item) -> bool:
        return item.kind in _SIMPLE_KINDS and all(c.context <= _SIMPLE_CONTEXTS for c in item.commands)

    @property
    def last_item_simple(self) -> bool:
        items = self.model.items
        return bool(items) and self._simple(items[-1]) and not self.complex_substitution

    @cached_property
    def daemon(self) -> str | None:
        """A command that starts a service that outlives it (best effort)."""
        for command in self.model.commands:
            name = command.name
            if name is None:
                continue
            args = [word.value or "" for word in command.args]
            program = command.program or ""
            if name in _ALWAYS_DAEMON:
                return name
            if name in ("service", "rc-service", "invoke-rc.d", "systemctl", "pg_ctl", "pg_ctlcluster",
                        "apachectl", "apache2ctl") or "/init.d/" in program:
                if any(arg in _START_WORDS for arg in args) or (name.startswith("apache") and "-k" in args):
                    return " ".join([name, *args[:2]])
            if name == "start-stop-daemon" and any(arg in ("-S", "--start") for arg in args):
                return name
            if name == "supervisord" and not any(arg in ("-n", "--nodaemon") for arg in args):
                return name
            if name == "nginx" and not any(arg[:2] in ("-t", "-T", "-v", "-V", "-s", "-h", "-?") for arg in args):
                if not any("daemon off" in arg for arg in args):
                    return name
            if name == "redis-server" and "--daemonize" in args and "yes" in args:
                return name
            if name == "mongod" and "--fork" in args:
                return name
            if name == "memcached" and "-d" in args:
                return name
        return None

    # -- file positions --------------------------------------------------------------------------

    @property
    def end_token(self):
        return self.run.line_tokens[-1]

    @property
    def newline(self) -> str:
        return self.script.newline

    @cached_property
    def code_end(self) -> int:
        """File offset where this side's last top-level command ends (before ``;`` or a comment)."""
        return self.script.offset(self.model.code_end, insertion=True)

    @property
    def tail(self) -> str:
        """The text between the code's end and the END token (``;``, blanks, a trailing comment)."""
        return self.run.code[self.code_end - self.run.span.start : self.end_token.start_pos - self.run.span.start]

    @cached_property
    def tail_comments(self) -> list[tuple[str, str]] | None:
        """Comment lines after the last command (``a \\``, ``# note``, ``;``), as (text, line end).

        None when the tail holds more than a ``;``, blanks, continuations and
        comment lines, or a shell comment on a later line than the code.
        """
        tail = self.tail
        if "\n" not in tail:
            return []
        if self.trailing_comment is not None:
            return None
        allowed = re.compile(r"[ \t;\r" + re.escape(self.script.escape) + r"]*")
        comments: list[tuple[str, str]] = []
        for index, line in enumerate(tail.splitlines(keepends=True)):
            body = line.rstrip("\r\n")
            if index and body.strip(" \t").startswith("#"):
                comments.append((body.strip(" \t"), line[len(body):]))
            elif not allowed.fullmatch(body):
                return None
        return comments

    @property
    def trailing_comment(self) -> str | None:
        comment = self.model.trailing_comment
        return None if comment is None else comment.text.rstrip()

    @cached_property
    def continuation_style(self) -> tuple[bool, str | None]:
        """(operator first, the indent of continuation lines that start a command) of a multi-line RUN."""
        info = self.run.line_info
        segments = [s for s in info.segments] if info is not None else []
        if len(segments) < 2:
            return False, None
        texts = [info.original[s.logical_start : s.logical_start + s.length] for s in segments]
        leading: list[str] = []  # continuation lines that start with `&&` (operator first)
        trailing: list[str] = []  # continuation lines after a line ending in `&& \`
        for previous, text in zip(texts, texts[1:]):
            if not text.strip():
                continue
            indent = text[: len(text) - len(text.lstrip(" \t"))]
            if _LEADING_OPERATOR.match(text):
                leading.append(indent)
            elif _TRAILING_OPERATOR.search(previous):
                trailing.append(indent)
        if not leading and not trailing:
            return False, None
        operator_first = len(leading) > len(trailing)
        indent = (leading if operator_first else trailing)[0]
        return operator_first, indent or (None if not operator_first else "")


# -- plans --------------------------------------------------------------------------------------


class Refusal(msgspec.Struct, frozen=True):
    """Why the RUNs cannot be merged mechanically; ``run`` is the one that blocks."""

    reason: str
    run: Run | None = None

    def __bool__(self) -> bool:  # a refusal is falsy, a plan truthy
        return False


class MergePlan(msgspec.Struct, frozen=True):
    """Edits that turn ``runs`` into one RUN, and how the result was reached."""

    runs: tuple[Run, ...]
    edits: tuple[Edit, ...]
    safety: Safety
    note: str | None = None


def _mount_carries_state(mount: Mount) -> bool:
    """A tmpfs or read-write bind mount: its content is fresh in every RUN, but shared once merged."""
    if mount.type == "tmpfs":
        return True
    if mount.type == "bind":
        truthy = ("true", "1")
        return (
            (mount.get("rw") or "false").lower() in truthy
            or (mount.get("readwrite") or "false").lower() in truthy
            or (mount.get("readonly") or mount.get("ro") or "true").lower() in ("false", "0")
        )
    return False


def _side_cache(context: Context) -> dict[int, "Side | None"]:
    """Sides by RUN, kept on the context (one parse): a chain is planned once per length."""
    cache = getattr(context, "_merge_sides", None)
    if cache is None:
        cache = {}
        context._merge_sides = cache  # type: ignore[attr-defined]
    return cache


def plan_merge(
    context: Context,
    runs: Sequence[Run],
    *,
    max_commands: int = 0,
) -> MergePlan | Refusal:
    """Plan the merge of adjacent shell-form RUNs (in file order) into the first.

    ``max_commands`` (0 = no limit) caps the merged RUN's command count.
    The caller has checked adjacency, flags and SHELL (see `mergeable_pair`).
    """
    tree = context.tree
    cache = _side_cache(context)
    sides: list[Side] = []
    for run in runs:
        if id(run) not in cache:
            cache[id(run)] = Side.of(context.run_view(run))
        side = cache[id(run)]
        if side is None:
            return Refusal("exec form or heredoc RUNs are never merged", run)
        if side.model.has_error:
            return Refusal("the RUN's shell script does not parse", run)
        if not side.model.items:
            return Refusal("the RUN has no command", run)
        sides.append(side)
    if len(sides) < 2:
        return Refusal("nothing to merge")
    if max_commands and sum(command_count(side.model) for side in sides) > max_commands:
        return Refusal(f"the merged RUN would have more than {max_commands} commands (option max-merged-commands)", runs[-1])

    shell_e = shell_errexit(context.shell_for(runs[0]))
    count = len(sides)
    for index, side in enumerate(sides):
        last, first = index == count - 1, index == 0
        if Effect.BACKGROUND in side.effects:
            return Refusal("it starts a background job (`&`), which a separate RUN stops when it ends", side.run)
        if not last and side.daemon:
            return Refusal(
                f"`{side.daemon}` leaves a process running, which a separate RUN stops when it ends", side.run
            )
        if not last and side.leaks:
            return Refusal(
                f"it changes the shell's state ({', '.join(side.leaks)}), which ends with its RUN; merged, "
                "the commands after it would see the change",
                side.run,
            )
        if not first and side.hides_failure:
            return Refusal(
                "its commands are joined by `;` or `||`, so after `&&` part of it would run even when the RUN "
                "above failed",
                side.run,
            )
        if not last:
            if shell_e and not side.last_item_simple:
                return Refusal(
                    "the SHELL runs with `-e`, which a shell ignores inside a compound command before `&&`", side.run
                )
            if side.tail_comments is None:
                return Refusal("the RUN's last command is followed by more lines", side.run)
            comment = side.trailing_comment
            if comment is not None and is_directive_comment(comment):
                return Refusal("the RUN ends in a comment that looks like a directive", side.run)

    stale = _stale_program(sides, _base_repository(context, runs[0]))
    if stale is not None:
        return stale

    mounts = [m for m in runs[0].mount_specs if _mount_carries_state(m)]
    safety = Safety.UNSAFE if mounts else Safety.SAFE
    note = None
    if mounts:
        note = "a tmpfs or read-write bind mount starts empty/unchanged in each RUN, but is shared once merged"
    edits = _edits(tree, sides, _item_index(context), context.house_style.indent)
    return MergePlan(tuple(runs), tuple(edits), safety, note)


#: Package managers that can install a new copy of themselves, and the program names that copy answers to.
_SELF_UPGRADES = {"pip": ("pip", lazy_pattern(r"pip[0-9.]*")), "npm": ("npm", lazy_pattern(r"npm|npx"))}
#: Base images whose manager an upgrade replaces where it is (``/usr/local/bin``, ``/opt/conda/bin``; Alpine
#: installs Python's programs under ``/usr``), by repository.
_UPGRADED_IN_PLACE = {
    "pip": frozenset({"python", "pypy", "miniconda", "miniconda3", "anaconda3", "miniforge3", "mambaforge", "alpine"}),
    "npm": frozenset({"node"}),
}


def _base_repository(context: Context, run: Run) -> str | None:
    """The last part of the repository of the image the RUN's stage is built on (through in-file stages)."""
    info = context.stage_of(run)
    image = context.root_stage(info).stage.base if info is not None else None
    if image is None or image.has_variables:
        return None
    return image.repository.rsplit("/", 1)[-1].lower()


def _stale_program(sides: Sequence[Side], base: str | None) -> Refusal | None:
    """A manager upgrades itself, and a later RUN runs it by the name the shell remembers.

    A shell looks a program up in ``PATH`` once and remembers where it found
    it. ``pip3 install --upgrade pip`` installs a new ``pip3`` in
    ``/usr/local/bin``, ahead of the distro's ``/usr/bin/pip3``: the next RUN,
    a new shell, finds the new one; merged, the commands after it run the old
    one (with pip 10 to 19, ``ImportError: cannot import name 'main'``). On
    the images that ship the manager where an upgrade puts it (``python``,
    conda's, ``node``) the remembered path stays right.
    """
    ran: set[str] = set()
    for index, side in enumerate(sides):
        ran.update(c.name for c in side.model.commands if c.name and "/" not in c.name)
        upgraded: set[str] = set()
        for invocation in package_commands(side.model):
            own = _SELF_UPGRADES.get(invocation.family)
            if own is None or invocation.action not in ("install", "upgrade") or base in _UPGRADED_IN_PLACE[invocation.family]:
                continue
            if invocation.family == "npm" and not has_option(invocation, "-g", "--global"):
                continue
            name, programs = own
            if any(package_spec(invocation.family, w.value).name.lower() == name for w in invocation.packages if w.value):
                upgraded.update(program for program in ran if programs.fullmatch(program))
        if not upgraded:
            continue
        for later in sides[index + 1 :]:
            hit = next((c.name for c in later.model.commands if c.name in upgraded), None)
            if hit is not None:
                return Refusal(
                    f"it upgrades `{hit}`, which the next RUN runs: a new RUN looks the program up again and "
                    "finds the new one, while in the same shell the commands after the upgrade would run the old "
                    "one (the shell remembers where it found it)",
                    side.run,
                )
    return None


# -- edits --------------------------------------------------------------------------------------


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _line(text: str, starts: list[int], number: int) -> str:
    """Physical line ``number`` (1-based) with its line end."""
    start = starts[number - 1]
    end = starts[number] if number < len(starts) else len(text)
    return text[start:end]


def _split_newline(line: str) -> tuple[str, str]:
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def _edits(tree: Dockerfile, sides: list[Side], position: dict[int, int], house_indent: str | None) -> list[Edit]:
    """The merge's edits; ``position``: each item's index in ``tree.items``; ``house_indent``: the file's command indent."""
    text = tree.code
    escape = tree.escape
    starts: list[int] | None = None
    operator_first, indent = False, None
    for side in sides:
        if side.script.multiline:
            operator_first, indent = side.continuation_style
            break
    first_run = sides[0].run
    lead = str.__str__(first_run.line_tokens[0]) if first_run.line_tokens[0].type == "LEAD" else ""
    lead = re.match(r"[ \t]*", lead.rsplit("\n", 1)[-1]).group()  # a lone-escape first line is no indent
    if indent is None:
        # No side shows a command indent: the file's own, else four spaces, under the RUN's own lead.
        indent = lead + (house_indent or "    ")
    above: list[str] = []  # comment lines that go above the merged RUN
    edits: list[Edit] = []
    items = tree.items

    def comment_line(comment: str, newline: str) -> str:
        return f"{indent}{comment}{newline}"

    for index, side in enumerate(sides):
        last = index == len(sides) - 1
        relocate = None if last else side.trailing_comment
        run = side.run
        last_segment = run.line_info.segments[-1]
        on_script_line = last_segment.line_start <= side.script.token.start_pos
        if relocate is not None:
            # a comment line of its own, just above the line the comment was on
            if index == 0 and last_segment.line == run.start_line:
                above.append(f"{lead}{relocate}{side.newline}")
            elif index == 0 or not on_script_line:
                line_start = last_segment.line_start
                line_text = text[line_start : last_segment.start + last_segment.length]
                own_indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
                edits.append(Edit(line_start, line_start, f"{own_indent}{relocate}{side.newline}"))
            # else: the previous join writes it (the line starts inside the text it replaces)
        if last:
            continue

        following = sides[index + 1]
        joined: list[str] = [f" {escape}" if operator_first else f" && {escape}"]
        joined.append(side.newline)
        for body, newline in side.tail_comments or ():
            if is_directive_comment(body):
                above.append(f"{lead}{body}{newline or side.newline}")
            else:
                joined.append(comment_line(body, newline or side.newline))
        # comment lines between the two RUNs (directives go above the merged RUN)
        for item in items[position[id(run)] + 1 : position[id(following.run)]]:
            if isinstance(item, Comment):
                body, newline = _split_newline(str.__str__(item.token))
                body = body.strip(" \t")
                if is_directive_comment(body):
                    above.append(f"{lead}{body}{newline or side.newline}")
                else:
                    joined.append(comment_line(body, newline or side.newline))
        # comment lines inside the next RUN before its script (`RUN --mount=... \`, `# note`, `cmd`)
        script_line = following.script.token.line
        prefix_comments = [n for n in following.run.comment_lines if n < script_line]
        if prefix_comments:
            starts = starts or _line_starts(text)
            for number in prefix_comments:
                body, newline = _split_newline(_line(text, starts, number))
                body = body.strip(" \t")
                if is_directive_comment(body):
                    above.append(f"{lead}{body}{newline or side.newline}")
                else:
                    joined.append(comment_line(body, newline or side.newline))
        next_relocate = None if index + 1 == len(sides) - 1 else following.trailing_comment
        if next_relocate is not None and following.run.line_info.segments[-1].line_start <= following.script.token.start_pos:
            joined.append(comment_line(next_relocate, following.newline))
        joined.append(indent)
        if operator_first:
            joined.append("&& ")
        edits.append(Edit(side.code_end, following.script.token.start_pos, "".join(joined)))

    if above:
        start = first_run.span.start
        edits.append(Edit(start, start, "".join(above)))
    return _combine(edits)


def _combine(edits: list[Edit]) -> list[Edit]:
    """Sort, and fold insertions at one point into a single edit (in the order they were made)."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    out: list[Edit] = []
    for _, edit in ordered:
        if out and out[-1].start == out[-1].end == edit.start == edit.end:
            out[-1] = Edit(edit.start, edit.end, out[-1].replacement + edit.replacement)
        elif out and edit.start < out[-1].end:
            raise ValueError("overlapping merge edits")  # pragma: no cover - a bug
        else:
            out.append(edit)
    return out
