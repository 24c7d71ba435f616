"""Shared helpers of the package-hygiene rules (DF202, DF204, DF220, DF221, DF624).

Not a rule module (no ``Rule`` subclass here). It answers the questions those
rules share:

* which RUN scripts to look at, and whether a fix may edit them
  (`scripts`): shell-form RUNs (ONBUILD triggers too) are editable through
  `RunScript`; exec-form RUNs (G1) and POSIX heredoc bodies (G2) are
  analysed for a report only; non-POSIX shells and Windows stages (G3) are
  skipped;
* ``--mount`` flags of type ``cache``/``tmpfs`` and whether one covers a
  cache folder (`cache_mount_covers`);
* the environment a command sees: ENV/ARG earlier in the stage or an in-file
  ancestor stage, ``export`` earlier in the same script, prefix assignments
  and ``env`` wrappers (`environment_value`);
* earlier instructions of a stage and its ancestors (`earlier_instructions`),
  for "configured by an earlier drop-in" checks;
* whether an ``rm -r`` in a script deletes a cache folder (`removes_path`);
* one shared fix for all findings of a rule in one RUN (`emit`), so a RUN with
  many commands is fixed in one round of the engine's fix loop.
"""

from __future__ import annotations

import re
import shlex
import weakref
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from dfix.engine import Context
from dfix.engine.context import POSIX_SHELLS
from dfix.engine.runscript import RunScript
from dfix.shell import ShellScript, SimpleCommand, analyze
from dfix.syntax import Arg, Env, Instruction, Run

__all__ = [
    "Script",
    "scripts",
    "CacheDir",
    "cache_mount_covers",
    "earlier_instructions",
    "code_of",
    "environment_value",
    "inline_value",
    "removes_path",
    "command_range",
    "is_trigger",
    "path_covers",
    "Finding",
    "emit",
]

# -- the scripts a rule looks at ----------------------------------------------------------


@dataclass(frozen=True)
class Script:
    """A shell script of a RUN: its model, and the means to edit it (or why not)."""

    run: Run
    model: ShellScript
    #: The editable shell-form script; None when the rule may only report.
    editable: RunScript | None
    #: Why no fix may edit this script (G1 exec form, G2 heredoc), when ``editable`` is None.
    report_only: str | None = None

    @property
    def trigger(self) -> bool:
        """The RUN is an ONBUILD trigger (G5: token-local edits only)."""
        return is_trigger(self.run)


def is_trigger(run: Instruction) -> bool:
    return run.line_info is None


_EXEC_FORM = "exec-form RUN is analysed but never rewritten (G1)"
_HEREDOC = "heredoc RUN: reported only, never edited (G2)"
_BARE_HEREDOC = re.compile(r"\s*<<-?\s*(['\"]?)([^\s'\"<>|&;]+)\1\s*")
_POSIX_SHEBANG = re.compile(r"#!\s*(?:/usr)?/bin/(?:env\s+)?(\S+)")


def _shell_name(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _exec_form_script(argv: Sequence[str]) -> str | None:
    """The shell text an exec-form RUN amounts to (``sh -c SCRIPT`` gives SCRIPT)."""
    if not argv:
        return None
    if _shell_name(argv[0]) in POSIX_SHELLS:
        for index in range(1, len(argv)):
            word = argv[index]
            if not word.startswith("-"):
                break
            if "c" in word[1:] and not word.startswith("--") and index + 1 < len(argv):
                return argv[index + 1]
    return shlex.join(argv)


def _heredoc_bodies(run: Run) -> Iterator[str]:
    """The POSIX shell scripts a heredoc RUN runs: a bare ``<<EOF`` body, or one fed to ``sh``."""
    line = run.shell or ""
    bare = _BARE_HEREDOC.fullmatch(line)
    if bare is not None and run.heredocs:
        body = run.heredocs[0].content
        shebang = _POSIX_SHEBANG.match(body)
        if body.startswith("#!") and (shebang is None or _shell_name(shebang.group(1)) not in POSIX_SHELLS):
            return  # python, node ... (the shebang picks the interpreter)
        yield body
        return
    yield line
    # `bash -ex <<EOF`: a shell with no script operand reads its script from the heredoc
    # (the command line alone has no heredoc body, so its redirects are not modelled).
    if not any(c.name in POSIX_SHELLS and not [w for w in c.args if not w.is_option] for c in analyze(line).commands):
        return
    for heredoc in run.heredocs:
        if re.search(rf"<<-?\s*(['\"]?){re.escape(heredoc.name)}\1", line):
            yield heredoc.content


def scripts(context: Context) -> tuple[Script, ...]:
    """Every RUN script under a POSIX shell, ONBUILD triggers included, with how it may be fixed.

    Computed once per `Context` (each of the hygiene rules asks).
    """
    cached = _SCRIPTS.get(context)
    if cached is None:
        cached = _SCRIPTS[context] = tuple(_scripts(context))
    return cached


_SCRIPTS: "weakref.WeakKeyDictionary[Context, tuple[Script, ...]]" = weakref.WeakKeyDictionary()


def _scripts(context: Context) -> Iterator[Script]:
    for run in context.tree.walk():
        if not isinstance(run, Run):
            continue
        info = context.stage_of(run)
        if info is not None and info.windows:
            continue  # G3: a Windows base
        if run.is_json:
            text = _exec_form_script(run.exec_form or ())
            if text:
                yield Script(run, analyze(text), None, _EXEC_FORM)
            continue
        if not context.is_posix_shell(run):
            continue  # G3
        if run.heredocs:
            for body in _heredoc_bodies(run):
                yield Script(run, analyze(body), None, _HEREDOC)
            continue
        editable = RunScript.of(run, context.tree.escape)
        if editable is not None:
            yield Script(run, editable.model, editable)


def command_range(context: Context, script: Script, start: int, end: int):
    """The span to report for ``script[start:end]``: exact when editable, else the RUN."""
    if script.editable is None:
        return script.run.span
    return context.span(*script.editable.file_range(start, end))


# -- mounts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CacheDir:
    """A cache folder: ``home`` relative (``.cache/pip`` under any home) or an absolute path."""

    path: str
    home: bool = False


_HOME_PREFIX = re.compile(r"^(?:~|\$HOME|\$\{HOME\}|/root|/home/[^/]+)(?=/|$)")


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


def cache_mount_covers(run: Run, caches: Iterable[CacheDir]) -> bool:
    """A ``cache`` or ``tmpfs`` mount of the RUN holds one of ``caches`` (a variable target counts)."""
    caches = tuple(caches)
    for mount in run.mount_specs:
        if mount.type not in ("cache", "tmpfs") or not mount.target:
            continue
        if "$" in mount.target and not _HOME_PREFIX.match(mount.target):
            return True  # unknown target: give the benefit of the doubt
        if any(path_covers(mount.target, cache) for cache in caches):
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


_CODES: "weakref.WeakKeyDictionary[Context, dict[int, str]]" = weakref.WeakKeyDictionary()


def code_of(context: Context, instruction: Instruction) -> str:
    """``instruction.code``, cached per `Context` (earlier-instruction scans ask often)."""
    codes = _CODES.get(context)
    if codes is None:
        codes = _CODES[context] = {}
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
    """
    value: str | None = None
    for other in earlier_instructions(context, instruction):
        if isinstance(other, Env):
            for key, val in other.pairs:
                if key == name:
                    value = _unquote(val)
        elif isinstance(other, Arg):
            for key, default in other.pairs:
                if key == name and default is not None:
                    value = _unquote(default)
    return value


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


# -- one fix per RUN -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A diagnostic in the making; `emit` gives findings of one RUN a shared fix."""

    where: object  # Span or Instruction
    message: str
    edits: tuple | None = None  # None: report only
    safety: object = None  # Safety of the edits
    title: str = ""
    note: str | None = None


def emit(rule, findings: Sequence[Finding]) -> Iterator:
    """Diagnostics for the findings of one RUN script.

    The engine applies at most one fix per instruction per round, so a RUN
    with five ``pip install`` commands would need five rounds. Each fixable
    finding therefore carries the edits of every finding of the same RUN
    with the same or a safer class: a safe fix holds all safe edits, an
    unsafe one all edits. The first fix applied fixes the RUN; the others
    are gone on the next round.
    """
    from dfix.engine import Safety

    safe = tuple(e for f in findings if f.edits and f.safety is Safety.SAFE for e in f.edits)
    every = tuple(e for f in findings if f.edits and f.safety is not Safety.NONE for e in f.edits)
    for finding in findings:
        edits = None
        if finding.edits:
            edits = safe if finding.safety is Safety.SAFE else every
        yield rule.diagnostic(finding.where, finding.message, edits, safety=finding.safety, title=finding.title,
                              note=finding.note)
