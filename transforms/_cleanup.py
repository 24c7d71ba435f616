"""The cache-cleanup family (DF200, DF210, DF212, DF214): its base class and shared helpers.

The four rules read RUNs through the engine's view (`Context.runs`: form,
shell model, editable script or guard, mount targets) and ask the same
questions of it, answered here once:

* `CacheCleanupRule.cleanup_finding`: the cascade that decides whether a
  cleanup command may be appended to a RUN, or what the user is told
  instead (the RUN's form, ``sudo``/``gosu``, a trailing ``|| true`` or
  comment, a later RUN that still reads the cache);
* does the script delete a directory after some point (`removes`): ``rm``
  with ``-r``/``-f`` in any spelling, ``find DIR ... -delete``;
* which later RUNs could read what a fix deletes (`consumer_runs`): later
  instructions of the stage, every stage built ``FROM`` it, and every ONBUILD
  trigger of those stages (they run in an unknown downstream build);
* how to delete one top-level command of a RUN with its separator without
  leaving an empty continuation line or swallowing a comment (`delete_item`).

The module name starts with ``_`` so the rule registry has nothing to find
here (it only collects `Rule` subclasses anyway).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from dfix.engine import Context, Diagnostic, Edit, Rule, RunScript, RunView, normal_path, under
from dfix.patterns import lazy_pattern
from dfix.shell import Context as ShellContext
from dfix.shell import ShellScript, SimpleCommand
from dfix.syntax import Add, Copy, Instruction, Run, Span

# -- deletions ---------------------------------------------------------------------------

_BRACES = lazy_pattern(r"\{([^{}]*,[^{}]*)\}")


def _expand_braces(pattern: str) -> list[str]:
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    out = []
    for choice in match.group(1).split(","):
        out.extend(_expand_braces(pattern[: match.start()] + choice + pattern[match.end() :]))
    return out


def clears(pattern: str | None, directory: str) -> bool:
    """Deleting ``pattern`` empties or removes ``directory``.

    ``/var/lib/apt/lists``, ``/var/lib/apt/lists/``, ``/var/lib/apt/lists/*``,
    ``/var/lib/apt/*``, ``/var/lib/apt`` and ``/var/cache/yum*`` all clear
    ``/var/lib/apt/lists`` (resp. ``/var/cache/yum``); ``lists/*.gz`` does not.
    """
    if not pattern:
        return False
    for choice in _expand_braces(pattern):
        text = re.sub(r"/+", "/", choice)
        if text.endswith("/*"):
            base = text[:-2]
        elif text.endswith("*") and not any(c in text[:-1] for c in "*?["):
            prefix = text[:-1]
            if prefix.startswith("/") and (directory.startswith(prefix) or under(directory, prefix.rstrip("/") or "/")):
                return True
            continue
        else:
            base = text
        if any(c in base for c in "*?["):
            continue
        normal = normal_path(base or "/")
        if normal is not None and under(directory, normal):
            return True
    return False


def _rm_forces(command: SimpleCommand) -> bool:
    for option in command.options():
        if option.name in ("--recursive", "--force"):
            return True
        if not option.name.startswith("--") and set(option.letters) & set("rRf"):
            return True
    return False


def removes(model: ShellScript, directories: Iterable[str], after: int = 0) -> bool:
    """Whether a command at or after ``after`` deletes one of ``directories`` (or their content)."""
    wanted = tuple(directories)
    return any(command.start >= after and deletes(command, wanted) for command in model.commands)


def deletes(command: SimpleCommand, directories: tuple[str, ...]) -> bool:
    """Whether ``command`` (a forced ``rm``, or ``find … -delete``/``-exec rm``) deletes one of ``directories``."""
    if command.name == "rm" and _rm_forces(command):
        return any(clears(word.value, directory) for word in command.operands() for directory in directories)
    if command.name == "find":
        values = [word.value for word in command.args]
        if "-delete" in values or any(
            value == "-exec" and index + 1 < len(values) and (values[index + 1] or "").rsplit("/", 1)[-1] == "rm"
            for index, value in enumerate(values)
        ):
            paths = [value for value in values if value and not value.startswith("-")][:1]
            return any(clears(path, directory) for path in paths for directory in directories)
    return False


# -- later consumers ------------------------------------------------------------------------

#: Contexts in which an earlier command may not have run when a later one runs.
NOT_ALWAYS = frozenset(
    {ShellContext.CONDITION, ShellContext.BRANCH, ShellContext.LOOP, ShellContext.FUNCTION, ShellContext.BACKGROUND}
)
#: Contexts in which appending after the script is not "right after this command" (DF200).
NESTED = NOT_ALWAYS | {ShellContext.SUBSHELL, ShellContext.SUBSTITUTION}


def consumer_runs(context: Context, run: Run) -> list[RunView]:
    """RUNs that run after ``run`` on top of its filesystem.

    Later instructions of its stage, every stage built ``FROM`` it (directly
    or not), and every ONBUILD RUN trigger of those stages, wherever written:
    triggers run in a downstream build, after all of this.
    """
    info = context.stage_of(run)
    if info is None:
        return []
    out: list[RunView] = []
    seen: set[int] = {id(run)}

    def add(candidate: Instruction | None, parent: Instruction | None = None) -> None:
        if isinstance(candidate, Run) and id(candidate) not in seen:
            seen.add(id(candidate))
            out.append(context.run_view(candidate, parent))

    for instruction in context.later_in_stage(run):
        add(instruction)
    children = context.children_of(info)
    for child in children:
        for instruction in child.stage.instructions:
            add(instruction)
    for stage in (info, *children):
        for instruction in stage.stage.instructions:
            add(instruction.trigger, instruction)
    return out


def first_consumer(context: Context, run: Run, consumes: Callable[[RunView], bool]) -> Run | None:
    """The first RUN after ``run`` (see `consumer_runs`) for which ``consumes`` holds."""
    return next((view.run for view in consumer_runs(context, run) if consumes(view)), None)


def where(context: Context, run: Run) -> str:
    """``line N`` of a RUN, or of the ONBUILD holding a trigger."""
    return f"line {context.span(run.span.start, run.span.end).line}"


def earlier_unconditional(model: ShellScript, command: SimpleCommand, test: Callable[[SimpleCommand], bool]) -> bool:
    """Whether a command before ``command`` that always runs satisfies ``test``."""
    return any(
        other.start < command.start and other.context.isdisjoint(NOT_ALWAYS) and test(other)
        for other in model.commands
    )


def copies_into(instruction: Instruction, directory: str) -> bool:
    """A COPY/ADD whose destination is at or under ``directory``."""
    if not isinstance(instruction, (Copy, Add)):
        return False
    destination = instruction.destination
    normal = normal_path(destination) if destination else None
    return normal is not None and under(normal, directory)


# -- deleting a top-level command ------------------------------------------------------------

_SEQUENCE = frozenset({";", "\n"})


def _same_kind(first: str | None, second: str | None) -> bool:
    if first == "&&" and second == "&&":
        return True
    return first in _SEQUENCE and second in _SEQUENCE


def delete_item(context: Context, script: RunScript, index: int) -> Edit | None:
    """An edit deleting top-level item ``index`` of ``script`` with one separator, or None.

    The item goes with the separator after it (or, for the last item, the one
    before it), so ``a && b && c`` loses ``b && `` and keeps its style on
    every line: ``apk update && \\`` + newline + ``    apk add x`` becomes
    ``apk add x`` on the first line, ``set -x \\`` + ``    && apk update \\`` +
    ``    && apk add x`` loses its middle line. Refused (None) when the item
    is the only one, when a separator is ``||``, ``|`` or ``&``, when removing
    it would join commands with a different operator than before (``a; b && c``
    minus ``b`` is neither ``a; c`` nor ``a && c`` on every path), or when the
    text to delete holds a comment or blank line of the continuation.
    """
    items = script.model.items
    if len(items) < 2 or not 0 <= index < len(items):
        return None
    item = items[index]
    if index + 1 < len(items):
        own = item.separator
        if own not in ("&&", ";", "\n"):
            return None
        if index > 0 and not _same_kind(items[index - 1].separator, own):
            return None
        start = script.offset(item.start)
        end = script.offset(items[index + 1].start)
    else:
        previous = items[index - 1]
        if previous.separator not in ("&&", ";", "\n") or item.separator not in (None, ";"):
            return None
        if index > 1 and not _same_kind(items[index - 2].separator, previous.separator):
            return None
        start = script.offset(previous.end, insertion=True)
        end = script.offset(item.end, insertion=True)
    if end <= start:
        return None
    physical = context.tree.code[start:end]
    lines = physical.splitlines(keepends=True)
    for line in lines[1:]:
        if not line.endswith(("\n", "\r")):
            continue  # the indent before the next command
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return None
    return Edit(start, end, "")


# -- privileges ------------------------------------------------------------------------------

#: Wrappers that run their program as root; an appended cleanup needs the same.
_ELEVATING = frozenset({"sudo", "doas"})
#: Wrappers that switch to a user named in their arguments.
_SWITCHING = frozenset({"gosu", "su-exec"})


def privilege(commands: Iterable[SimpleCommand]) -> tuple[str, str | None]:
    """The prefix (``sudo ``) an appended cleanup needs to run as ``commands`` did, or why none fits.

    A RUN under a non-root ``USER`` installs with ``sudo apt-get ...``; a
    cleanup appended without ``sudo`` would fail there and break the build.
    """
    prefix = ""
    for command in commands:
        for wrapper in command.wrappers:
            if wrapper.name in _SWITCHING:
                return "", f"the command runs as another user through `{wrapper.name}`; add the cleanup by hand"
            if wrapper.name in _ELEVATING:
                if any(option.matches("-u") or option.name == "--user" for option in wrapper.options):
                    return "", f"the command runs as another user through `{wrapper.name} -u`; add the cleanup by hand"
                prefix = f"{wrapper.name} "
    return prefix, None


# -- the family ------------------------------------------------------------------------------


class CacheCleanupRule(Rule):
    """A rule whose fix cleans a package manager's cache in the RUN that filled it.

    Subclasses find the commands that fill the cache; this base reads the
    RUNs and decides, in one order for the whole family, whether the fix may
    append the cleanup and what the user is told when it may not.
    """

    def cleanup_finding(
        self,
        context: Context,
        view: RunView,
        span: Span,
        message: str,
        cleanup: str,
        commands: Iterable[SimpleCommand],
        *,
        title: str,
        blocked: Callable[[], str | None] | None = None,
        consumer: Callable[[], str | None] | None = None,
        appended: Callable[[str, RunScript], str] | None = None,
    ) -> Diagnostic:
        """The finding for a RUN that leaves a cache: with a fix appending ``cleanup``, or a note why not.

        In order: the RUN's form (exec form, heredoc); ``blocked``, the
        rule's own reason; the user ``commands`` run as (``sudo`` is
        repeated, ``gosu``/``sudo -u`` refuse); whether anything can be
        appended at all; then, outside ONBUILD triggers, ``consumer``: a
        later RUN that still needs the cache. ``appended`` builds the text
        to append from the privilege prefix and the script (default: the
        prefix and ``cleanup``).
        """
        note = view.guard.append_note if view.guard is not None else None
        if note is None and blocked is not None:
            note = blocked()
        prefix, problem = privilege(commands)
        if note is None:
            note = problem
        script = view.script
        if note is None and script is not None:
            blocker = script.append_blocker()
            if blocker is not None:
                note = f"{blocker}; add `{cleanup}` by hand"
        if note is None and not view.trigger and consumer is not None:
            note = consumer()
        if note is not None or script is None:
            return self.diagnostic(span, message, note=note)
        text = appended(prefix, script) if appended is not None else prefix + cleanup
        return self.diagnostic(span, message, [script.append(text)], title=title)
