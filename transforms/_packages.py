"""The package-command family (DF202, DF204, DF220, DF221, DF624): its base class and shared helpers.

The rules read RUNs through the engine's view (`Context.runs`): shell-form
RUNs (ONBUILD triggers too) are editable through the view's script;
exec-form RUNs and POSIX heredoc bodies are analysed for a report
only, with the view's guard as the note; non-POSIX shells are skipped.
Shared here:

* `PackageCommandRule`: the package commands of every RUN a POSIX shell
  reads, and one shared fix for all findings of a rule in one RUN (`emit`);
* ``--mount`` flags of type ``cache``/``tmpfs`` and whether one covers a
  cache folder (`cache_mount_covers`);
* the environment a command sees: ENV/ARG earlier in the stage or an in-file
  ancestor stage, ``export`` earlier in the same script, prefix assignments
  and ``env`` wrappers (`environment_value`);
* earlier instructions of a stage and its ancestors (`earlier_instructions`),
  for "configured by an earlier drop-in" checks;
* whether an ``rm -r`` in a script deletes a cache folder (`removes_path`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Callable, Iterable, Iterator, Sequence

import msgspec

from dfix.engine import Context, Diagnostic, Rule, RunView, Safety
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, package_commands
from dfix.syntax import Arg, Env, Instruction

__all__ = [
    "PackageCommandRule",
    "CacheDir",
    "cache_mount_covers",
    "earlier_instructions",
    "code_of",
    "environment_value",
    "inline_value",
    "known_values",
    "removes_path",
    "path_covers",
    "Finding",
    "emit",
    "never_shipped",
    "UNSHIPPED_NOTE",
]

# -- mounts ------------------------------------------------------------------------------------


class CacheDir(msgspec.Struct, frozen=True):
    """A cache folder: ``home`` relative (``.cache/pip`` under any home) or an absolute path."""

    path: str
    home: bool = False


_HOME_PREFIX = lazy_pattern(r"^(?:~|\$HOME|\$\{HOME\}|/root|/home/[^/]+)(?=/|$)")


def _normal(path: str) -> str:
    path = re.sub(r"/+", "/", path.strip().strip("'\""))
    return path.rstrip("/") or "/"


def _covers(outer: str, inner: str) -> bool:
    return inner == outer or outer == "/" or inner.startswith(outer + "/")


def path_covers(target: str, cache: CacheDir) -> bool:
    """Whether the folder ``target`` contains ``cache`` (``~``, ``$HOME``, ``/root``, ``/home/x`` are homes)."""
    target = _normal(target)
    if cache.home:
        match = _HOME_PREFIX.match(target)
        if match is None:
            return False
        rest = target[match.end():].lstrip("/")
        return not rest or _covers(rest, _normal(cache.path).lstrip("/"))
    return _covers(target, _normal(cache.path))


def cache_mount_covers(view: RunView, caches: Iterable[CacheDir]) -> bool:
    """A ``cache`` or ``tmpfs`` mount of the RUN holds one of ``caches`` (a variable target counts)."""
    caches = tuple(caches)
    for mount in view.mounts:
        if mount.type not in ("cache", "tmpfs") or not mount.raw:
            continue
        if "$" in mount.raw and not _HOME_PREFIX.match(mount.raw):
            return True  # unknown target: give the benefit of the doubt
        if any(path_covers(mount.raw, cache) for cache in caches):
            return True
    return False


# -- what came before --------------------------------------------------------------------------


def earlier_instructions(context: Context, instruction: Instruction) -> Iterator[Instruction]:
    """Instructions of in-file ancestor stages, then of the stage before ``instruction``, in order.

    For an ONBUILD trigger, "before" means before its ONBUILD; triggers
    themselves run downstream, so they are never yielded.
    """
    info = context.stage_of(instruction)
    if info is None:
        return
    chain = []
    while info is not None:
        chain.append(info)
        info = context.stages[info.parent] if info.parent is not None else None
    for index, stage in enumerate(reversed(chain)):
        last = index == len(chain) - 1
        for other in stage.stage.instructions:
            if last and (other is instruction or other.trigger is instruction):
                return
            yield other


#: Why a cache finding in such a stage gets no fix.
UNSHIPPED_NOTE = "not fixed: this build stage never reaches the image, so its cache costs build time only"


def never_shipped(context: Context, instruction: Instruction) -> bool:
    """The stage of ``instruction`` is neither the final image nor the base of another stage.

    Only what a ``COPY --from`` picks out of it ships, so a package cache
    left there costs build time, not image size.
    """
    info = context.stage_of(instruction)
    return info is not None and not context.ships(info)


def code_of(context: Context, instruction: Instruction) -> str:
    """``instruction.code``, cached per `Context` (earlier-instruction scans ask often)."""
    codes: dict[int, str] = context.memo(code_of, dict)
    code = codes.get(id(instruction))
    if code is None:
        code = codes[id(instruction)] = instruction.code
    return code


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def environment_value(context: Context, instruction: Instruction, name: str) -> str | None:
    """The value ENV/ARG give ``name`` for ``instruction`` (stage and ancestors), or None if unset.

    An ``ARG`` without a default yields None (set only by ``--build-arg``).
    The assignments of a stage are indexed once (see `_assignments`), so a
    question costs a logarithm, not a walk back over the file.
    """
    info = context.stage_of(instruction)
    if info is None:
        return None
    order, by_name = context.memo(("environment", id(info)), lambda: _assignments(context, info))
    position = order.get(id(instruction))
    assignments = by_name.get(name)
    if position is None or not assignments:
        return None
    index = bisect_left(assignments, (position,)) - 1  # the last assignment before the instruction
    return assignments[index][2] if index >= 0 else None


def _assignments(context: Context, info) -> tuple[dict[int, int], dict[str, list[tuple[int, int, str | None]]]]:
    """Where each instruction of ``info``'s stage and its ancestors stands, and every ENV/ARG assignment by name.

    ``(position, order, value)`` lists are sorted; an ONBUILD trigger stands
    where its ONBUILD does. A later ARG without a default keeps the value an
    ENV gave (``ARG`` does not unset), as the walk this replaces did.
    """
    chain = []
    while info is not None:
        chain.append(info)
        info = context.stages[info.parent] if info.parent is not None else None
    order: dict[int, int] = {}
    by_name: dict[str, list[tuple[int, int, str | None]]] = {}
    position = 0
    for stage in reversed(chain):
        for other in stage.stage.instructions:
            order[id(other)] = position
            trigger = getattr(other, "trigger", None)
            if trigger is not None:
                order[id(trigger)] = position
            if isinstance(other, Env):
                for key, value in other.pairs:
                    by_name.setdefault(key, []).append((position, len(by_name.get(key, ())), _unquote(value)))
            elif isinstance(other, Arg):
                for key, default in other.pairs:
                    if default is not None:
                        by_name.setdefault(key, []).append((position, len(by_name.get(key, ())), _unquote(default)))
            position += 1
    return order, by_name


_VARIABLE = lazy_pattern(r"\$(?:\{(\w+)\}|(\w+))")


def known_values(context: Context, instruction: Instruction) -> Callable[[str], str]:
    """A function that replaces ``$NAME``/``${NAME}`` in a text by the value ENV or ARG give it before
    ``instruction``, where the file says it (other references stay as they are)."""

    def expand(text: str) -> str:
        if "$" not in text:
            return text

        def value(match: re.Match[str]) -> str:
            found = environment_value(context, instruction, match.group(1) or match.group(2))
            return found if found is not None else match.group(0)

        return _VARIABLE.sub(value, text)

    return expand


def inline_value(model: ShellScript, command: SimpleCommand, name: str) -> str | None:
    """The value of ``name`` given to ``command`` itself: ``NAME=x cmd``, ``env NAME=x cmd``, or an
    ``export NAME=x`` earlier in the script's own shell; ``"$"`` for a non-literal value."""
    for assignment in command.assignments:
        if assignment.name == name:
            return assignment.value if assignment.value is not None else "$"
    value = None
    for other in model.commands:
        if other.start >= command.start:
            break
        if other.name != "export" or not other.is_top_level:
            continue
        for word in other.args:
            text = word.value if word.value is not None else word.text
            key, equals, val = text.partition("=")
            if key == name and equals:
                value = val if word.value is not None else "$"
    return value


# -- cleanup -------------------------------------------------------------------------------------


def removes_path(model: ShellScript, after: int, caches: Iterable[CacheDir]) -> bool:
    """An ``rm -r`` after offset ``after`` deletes one of ``caches``, or a folder inside one
    (``rm -rf ~/.npm/_cacache``: generous on purpose, it only silences a report)."""
    caches = tuple(caches)
    for command in model.commands:
        if command.start < after or command.name != "rm":
            continue
        paths: list[str] = []
        recursive = False
        options_open = True
        for word in command.args:
            text = word.value if word.value is not None else word.text
            if options_open and text == "--":
                options_open = False
            elif options_open and text.startswith("--"):
                recursive = recursive or text == "--recursive"
            elif options_open and text.startswith("-") and len(text) > 1:
                recursive = recursive or "r" in text or "R" in text
            else:
                paths.append(text)
        if not recursive:
            continue
        for text in paths:
            path = _normal(text.rstrip("*").rstrip("/") or "/")
            if any(path_covers(path, cache) or _inside(path, cache) for cache in caches):
                return True
    return False


def _inside(path: str, cache: CacheDir) -> bool:
    """``path`` lies in ``cache`` (``rm -rf ~/.npm/_cacache`` cleans the npm cache)."""
    if cache.home:
        match = _HOME_PREFIX.match(path)
        if match is None:
            return False
        rest = path[match.end():].lstrip("/")
        return _covers(_normal(cache.path).lstrip("/"), rest)
    return _covers(_normal(cache.path), path)


# -- the family ----------------------------------------------------------------------------------


class Finding(msgspec.Struct, frozen=True):
    """A diagnostic in the making; `emit` gives findings of one RUN a shared fix."""

    where: object  # Span or Instruction
    message: str
    edits: tuple | None = None  # None: report only
    safety: object = None  # Safety of the edits
    title: str = ""
    note: str | None = None
    #: What an unsafe fix takes for granted (`Rule.diagnostic`'s ``assumes``).
    assumes: str = ""


def _assumptions(findings: Iterable[Finding]) -> str:
    """The distinct assumptions of the findings whose edits share one fix, in order, each clause once.

    Two installs of one RUN may assume the same thing and one of them keep a
    package too (``nothing ... came only as a recommended package; kept
    explicitly: ...``): the shared clause is said once.
    """
    out: list[str] = []
    for finding in findings:
        for clause in finding.assumes.split("; ") if finding.assumes else ():
            if clause not in out:
                out.append(clause)
    return "; ".join(out)


def emit(rule: Rule, findings: Sequence[Finding]) -> Iterator[Diagnostic]:
    """Diagnostics for the findings of one RUN script.

    The engine applies at most one fix per instruction per round, so a RUN
    with five ``pip install`` commands would need five rounds. Each fixable
    finding therefore carries the edits of every finding of the same RUN
    with the same or a safer class: a safe fix holds all safe edits, an
    unsafe one all edits. The first fix applied fixes the RUN; the others
    are gone on the next round. A fix states the assumptions of every
    finding whose edits it holds.
    """
    safe = tuple(e for f in findings if f.edits and f.safety is Safety.SAFE for e in f.edits)
    every = tuple(e for f in findings if f.edits and f.safety is not Safety.NONE for e in f.edits)
    safe_assumes = _assumptions(f for f in findings if f.edits and f.safety is Safety.SAFE)
    every_assumes = _assumptions(f for f in findings if f.edits and f.safety is not Safety.NONE)
    for finding in findings:
        edits = None
        assumes = ""
        if finding.edits:
            edits, assumes = (safe, safe_assumes) if finding.safety is Safety.SAFE else (every, every_assumes)
        yield rule.diagnostic(finding.where, finding.message, edits, safety=finding.safety, title=finding.title,
                              note=finding.note, assumes=assumes)


class PackageCommandRule(Rule):
    """A rule about the package-manager commands of RUNs, with one shared fix per RUN.

    Subclasses say what is wrong with the package commands of one RUN
    (`findings`); this base reads the RUNs once for the whole family and
    gathers each RUN's findings into diagnostics whose fixes all land in one
    round (`emit`). A RUN that may not be rewritten (exec form, heredoc) is
    still read: its findings carry the guard's note instead of a fix
    (`report_only`).
    """

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            commands = package_commands(view.model)
            if commands:  # most RUNs have no package command, and then nothing to say
                findings = list(self.findings(context, view, commands))
                if findings:
                    yield from emit(self, findings)

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        """What is wrong with ``commands``, the package commands of the RUN ``view`` (never asked without any)."""
        raise NotImplementedError

    @staticmethod
    def report_only(view: RunView) -> str | None:
        """Why a fix may not edit ``view``'s script (None when it may)."""
        return None if view.script is not None else view.guard.note  # type: ignore[union-attr]
