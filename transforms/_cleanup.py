"""Shared helpers of the cache-cleanup rules (DF200, DF210, DF212, DF214).

The four rules ask the same questions of a RUN, so they live here once:

* which RUN form is it (shell, exec, heredoc) and what shell model does it
  have (`RunView`, `run_views`): exec form is analysed but never rewritten
  (G1), heredoc bodies are analysed only when a POSIX shell reads them and
  are never rewritten by these rules (G2);
* which ``--mount`` flags does it carry, and does a cache/tmpfs mount cover a
  path (`mounts`, `mount_covers`): BuildKit reads the flag value as one CSV
  record of ``key=value`` fields, ``type`` defaults to ``bind`` and
  ``dst``/``destination`` are aliases of ``target``;
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
import shlex
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from dfix.engine import Context, Edit
from dfix.engine.context import POSIX_SHELLS
from dfix.engine.runscript import RunScript
from dfix.shell import Context as ShellContext
from dfix.shell import ShellScript, SimpleCommand, analyze
from dfix.syntax import Add, Copy, Instruction, Run

# -- RUN forms ----------------------------------------------------------------------

#: Why a RUN of this form is reported without a fix.
G1_NOTE = "exec-form RUN has no shell to append a command to; dfix never rewrites it (G1)"
G2_NOTE = "heredoc RUN: dfix does not rewrite heredoc bodies for this rule (G2)"

#: `RUN <<EOF`, `RUN bash -e <<EOF`: the heredoc body is the script.
_SHELL_FED_HEREDOC = re.compile(
    r"\s*(?:(?:\S*/)?(?:sh|bash|ash|dash|zsh|ksh|mksh)(?:\s+-[A-Za-z]+)*\s+)?"
    r"(?:<<-?\s*(['\"]?)[^\s'\"<>;&|]+\1\s*)+$"
)
_SHEBANG = re.compile(r"#!\s*(\S+)(?:\s+(\S+))?")


@dataclass(frozen=True)
class RunView:
    """One RUN (or ONBUILD RUN trigger) as the cleanup rules see it.

    ``form`` is ``shell`` (editable through ``script``), ``exec`` or
    ``heredoc`` (analysed only); ``model`` is the shell model, None when the
    text is not POSIX shell (a PowerShell SHELL, a ``python3 <<EOF`` body):
    then ``text`` is all there is, for a conservative regex test.
    """

    run: Run
    form: str
    model: ShellScript | None
    script: RunScript | None
    trigger: bool
    text: str

    @property
    def no_fix_note(self) -> str | None:
        """Why this RUN's form forbids a rewrite, if it does."""
        if self.form == "exec":
            return G1_NOTE
        if self.form == "heredoc":
            return G2_NOTE
        return None


def _heredoc_text(run: Run, heredocs) -> tuple[ShellScript | None, str]:
    line = run.shell or ""
    if _SHELL_FED_HEREDOC.match(line):
        body = "\n".join(heredoc.content for heredoc in heredocs)
        shebang = _SHEBANG.match(body)
        if shebang:
            program = shebang.group(1).rsplit("/", 1)[-1]
            if program == "env" and shebang.group(2):
                program = shebang.group(2).rsplit("/", 1)[-1]
            if program not in POSIX_SHELLS:
                return None, body
        return analyze(body), body
    full = line + "\n" + "".join(f"{heredoc.content}{heredoc.name}\n" for heredoc in heredocs)
    return analyze(full), full


def _exec_text(argv: tuple[str, ...]) -> str:
    if argv and argv[0].replace("\\", "/").rsplit("/", 1)[-1] in POSIX_SHELLS:
        for index, word in enumerate(argv[1:], 1):
            if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
                return argv[index + 1] if index + 1 < len(argv) else ""
            if not word.startswith("-"):
                break
    return " ".join(shlex.quote(word) for word in argv)


def view_of(context: Context, run: Run, parent: Instruction | None = None) -> RunView:
    """The view of ``run``; ``parent`` is the ONBUILD holding it when it is a trigger.

    Cached on the context (one parse), so the four rules build each view once.
    """
    cache = context.__dict__.setdefault("_cleanup_views", {})
    view = cache.get(id(run))
    if view is None:
        view = cache[id(run)] = _view(context, run, parent)
    return view


def _view(context: Context, run: Run, parent: Instruction | None) -> RunView:
    trigger = run.line_info is None
    heredocs = run.heredocs or (parent.heredocs if parent is not None else ())
    if run.is_json:
        argv = run.exec_form or ()
        text = _exec_text(argv)
        return RunView(run, "exec", analyze(text), None, trigger, text)
    if not context.is_posix_shell(run):
        return RunView(run, "shell", None, None, trigger, run.code)
    if heredocs:
        model, text = _heredoc_text(run, heredocs)
        return RunView(run, "heredoc", model, None, trigger, text)
    script = RunScript.of(run, context.tree.escape)
    if script is None:
        return RunView(run, "shell", None, None, trigger, run.code)
    return RunView(run, "shell", script.model, script, trigger, script.text)


def run_views(context: Context) -> Iterator[RunView]:
    """Every RUN and ONBUILD RUN trigger of the file whose text is POSIX shell (G3)."""
    for instruction in context.tree.instructions:
        if isinstance(instruction, Run):
            view = view_of(context, instruction)
            if view.model is not None:
                yield view
        trigger = instruction.trigger
        if isinstance(trigger, Run):
            view = view_of(context, trigger, instruction)
            if view.model is not None:
                yield view


# -- mounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mount:
    """One ``--mount`` flag: its type and target (None when not a literal absolute path)."""

    type: str
    target: str | None


def _normal(path: str) -> str | None:
    if not path.startswith("/") or "$" in path:
        return None
    path = re.sub(r"/+", "/", path)
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def mounts(run: Run) -> tuple[Mount, ...]:
    """The RUN's ``--mount`` flags with their targets normalised (None when not a literal absolute path)."""
    return tuple(Mount(spec.type, _normal(spec.target) if spec.target else None) for spec in run.mount_specs)


def under(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or inside it."""
    return path == directory or directory == "/" or path.startswith(directory.rstrip("/") + "/")


def mount_covers(run: Run, *paths: str, types: Iterable[str] | None = ("cache", "tmpfs")) -> bool:
    """Whether a mount (of ``types``; any type with None) has one of ``paths`` at or under its target."""
    wanted = None if types is None else set(types)
    for mount in mounts(run):
        if mount.target is None or (wanted is not None and mount.type not in wanted):
            continue
        if any(under(path, mount.target) for path in paths):
            return True
    return False


# -- deletions ---------------------------------------------------------------------------

_BRACES = re.compile(r"\{([^{}]*,[^{}]*)\}")


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
        normal = _normal(base or "/")
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
    for command in model.commands:
        if command.start < after:
            continue
        if command.name == "rm" and _rm_forces(command):
            if any(clears(word.value, directory) for word in command.operands() for directory in wanted):
                return True
        elif command.name == "find":
            values = [word.value for word in command.args]
            if "-delete" in values or any(
                value == "-exec" and index + 1 < len(values) and (values[index + 1] or "").rsplit("/", 1)[-1] == "rm"
                for index, value in enumerate(values)
            ):
                paths = [value for value in values if value and not value.startswith("-")][:1]
                if any(clears(path, directory) for path in paths for directory in wanted):
                    return True
    return False


# -- later consumers ------------------------------------------------------------------------

#: Contexts in which an earlier command may not have run when a later one runs.
NOT_ALWAYS = frozenset(
    {ShellContext.CONDITION, ShellContext.BRANCH, ShellContext.LOOP, ShellContext.FUNCTION, ShellContext.BACKGROUND}
)
#: Contexts in which appending after the script is not "right after this command" (DF200).
NESTED = NOT_ALWAYS | {ShellContext.SUBSHELL, ShellContext.SUBSTITUTION}


def consumer_runs(context: Context, run: Run) -> list[tuple[Run, Instruction | None]]:
    """RUNs that run after ``run`` on top of its filesystem, with their ONBUILD parent if triggers.

    Later instructions of its stage, every stage built ``FROM`` it (directly
    or not), and every ONBUILD RUN trigger of those stages, wherever written:
    triggers run in a downstream build, after all of this.
    """
    info = context.stage_of(run)
    if info is None:
        return []
    out: list[tuple[Run, Instruction | None]] = []
    seen: set[int] = {id(run)}

    def add(candidate: Instruction, parent: Instruction | None) -> None:
        if isinstance(candidate, Run) and id(candidate) not in seen:
            seen.add(id(candidate))
            out.append((candidate, parent))

    for instruction in context.later_in_stage(run):
        add(instruction, None)
    children = context.children_of(info)
    for child in children:
        for instruction in child.stage.instructions:
            add(instruction, None)
    for stage in (info, *children):
        for instruction in stage.stage.instructions:
            if instruction.trigger is not None:
                add(instruction.trigger, instruction)
    return out


def first_consumer(
    context: Context,
    run: Run,
    consumes: Callable[[RunView], bool],
) -> Run | None:
    """The first RUN after ``run`` (see `consumer_runs`) for which ``consumes`` holds."""
    for candidate, parent in consumer_runs(context, run):
        if consumes(view_of(context, candidate, parent)):
            return candidate
    return None


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
    normal = _normal(destination) if destination else None
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
