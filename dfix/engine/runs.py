"""One view of each RUN: what shell script it runs, and whether a fix may edit it.

Every rule that reads RUNs asks the same questions: is it shell, exec or
heredoc form; does a POSIX shell read it; what shell model does it run; may a
fix rewrite it, and if not, what should the user be told; which ``--mount``
targets does it carry. `RunView` answers them once per RUN and `Context.runs`
caches the answers per parse, so the answers agree between rules.

Forms and guards:

* shell form under a POSIX shell: the script is editable (`RunView.script`);
* exec form: BuildKit runs the argv without a shell, so the script is
  ``sh -c``'s operand when the argv runs a POSIX shell, else the argv quoted
  as a command line; analysed, never rewritten;
* heredoc: the body is the script when the command line feeds it to a shell
  (``RUN <<EOF``, ``RUN bash -e <<EOF``) and a shebang does not pick another
  interpreter; otherwise the command line with its heredocs as redirects;
  analysed, never rewritten;
* a non-POSIX shell in force (a PowerShell ``SHELL``, a Windows base): no
  model at all, only the raw text for a conservative test;
* an ONBUILD trigger runs in an unknown downstream build: its own words may
  be edited, but rules that reason about the rest of the build skip it.
* a shell-form RUN whose line continuation swallows an instruction (a ``CMD``
  line after a trailing ``\\``): analysed, never rewritten until that is
  mended, since its script does not end where its author meant it to.
"""

from __future__ import annotations

import re
import shlex
from enum import Enum
from functools import cached_property
from typing import Iterable, Protocol, Sequence

import msgspec

from ..patterns import lazy_pattern
from ..shell import ShellScript, analyze
from ..syntax import Dockerfile, Heredoc, Instruction, Run, Span, swallowed_line
from .runscript import HouseStyle, RunScript



class _StageFacts(Protocol):
    windows: bool


class FileFacts(Protocol):
    """What a RUN view asks of the file around it (the engine's ``Context`` answers; no import cycle)."""

    @property
    def tree(self) -> "Dockerfile": ...

    def stage_of(self, instruction: Instruction) -> "_StageFacts | None": ...

    def is_posix_shell(self, instruction: Instruction) -> bool: ...

    def span(self, start: int, end: int) -> Span: ...

    @property
    def house_style(self) -> HouseStyle: ...

#: Shells whose syntax dfix's shell layer understands (matched on the basename).
POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})


class Form(str, Enum):
    """How a RUN gives its command to BuildKit."""

    SHELL = "shell"
    EXEC = "exec"
    HEREDOC = "heredoc"


class Guard(msgspec.Struct, frozen=True):
    """Why a fix may not rewrite a RUN, with what the user is told.

    ``note`` is for a fix that edits words of the script in place;
    ``append_note`` for one that appends a command to it.
    """

    name: str
    note: str
    append_note: str

    def __str__(self) -> str:
        return self.name


EXEC_FORM = Guard(
    "exec form",
    "exec-form RUN: it runs without a shell, so dfix reads it but never rewrites it",
    "exec-form RUN: there is no shell to append a command to, so dfix never rewrites it",
)
HEREDOC = Guard(
    "heredoc",
    "heredoc RUN: reported only, dfix does not edit heredoc bodies",
    "heredoc RUN: dfix does not rewrite heredoc bodies for this rule",
)
NON_POSIX_SHELL = Guard(
    "non-POSIX shell",
    "the RUN runs under a shell dfix does not read",
    "the RUN runs under a shell dfix does not read",
)
EMPTY = Guard("empty", "the RUN is empty", "the RUN is empty")


def swallowed_guard(keyword: str) -> Guard:
    """The guard of a RUN whose line continuation swallows a ``keyword`` line meant as an instruction."""
    return Guard(
        "swallowed instruction",
        f"a line continuation makes the `{keyword}` line below part of this RUN's script; dfix edits the RUN "
        "once that line is an instruction again",
        f"a line continuation makes the `{keyword}` line below part of this RUN's script, so a command appended "
        "to the RUN would run after it; dfix edits the RUN once that line is an instruction again",
    )


ONBUILD_TRIGGER = Guard(
    "ONBUILD trigger",
    "ONBUILD trigger: it runs in a build dfix cannot see, so only its own words are edited",
    "ONBUILD trigger: it runs in a build dfix cannot see, so dfix appends no command to it",
)


# -- mounts ------------------------------------------------------------------------------------


def normal_path(path: str) -> str | None:
    """``path`` with ``//``, ``.`` and ``..`` resolved; None when not a literal absolute path."""
    if not path.startswith("/") or "$" in path:
        return None
    parts: list[str] = []
    for part in re.sub(r"/+", "/", path).split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def under(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or inside it (both normalised)."""
    return path == directory or directory == "/" or path.startswith(directory.rstrip("/") + "/")


class MountTarget(msgspec.Struct, frozen=True):
    """One ``RUN --mount``: its type, its target as written, and that target normalised.

    ``path`` is None when the target is missing or not a literal absolute
    path (``$HOME/.cache``, ``relative``).
    """

    type: str
    raw: str | None
    path: str | None

    def covers(self, path: str) -> bool:
        """Whether the literal absolute ``path`` is at or under this mount's target."""
        return self.path is not None and under(path, self.path)


#: Mount types whose content never reaches the image.
TRANSIENT_MOUNTS = ("cache", "tmpfs")


# -- reading the script ------------------------------------------------------------------------

#: `RUN <<EOF`, `RUN bash -e <<EOF`: the heredoc body is the script.
_SHELL_FED_HEREDOC = lazy_pattern(
    r"\s*(?:(?:\S*/)?(?:sh|bash|ash|dash|zsh|ksh|mksh)(?:\s+-[A-Za-z]+)*\s+)?"
    r"(?:<<-?\s*(['\"]?)[^\s'\"<>;&|]+\1\s*)+$"
)
_SHEBANG = lazy_pattern(r"#!\s*(\S+)(?:\s+(\S+))?")


def program_name(word: str) -> str:
    """The basename of a program path (``/bin/sh`` → ``sh``, ``C:\\\\bin\\\\sh`` → ``sh``)."""
    return word.replace("\\", "/").rsplit("/", 1)[-1]


def exec_script(argv: tuple[str, ...]) -> str:
    """The shell text an exec-form RUN amounts to: ``sh -c``'s operand, or the argv as a command line."""
    if argv and program_name(argv[0]) in POSIX_SHELLS:
        for index, word in enumerate(argv[1:], 1):
            if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
                return argv[index + 1] if index + 1 < len(argv) else ""
            if not word.startswith("-"):
                break
    return " ".join(shlex.quote(word) for word in argv)


def _heredoc_script(line: str, heredocs: Sequence[Heredoc]) -> tuple[str, bool]:
    """The text a heredoc RUN runs, and whether a POSIX shell reads it."""
    if _SHELL_FED_HEREDOC.match(line):
        body = "\n".join(heredoc.content for heredoc in heredocs)
        shebang = _SHEBANG.match(body)
        if shebang:
            program = program_name(shebang.group(1))
            if program == "env" and shebang.group(2):
                program = program_name(shebang.group(2))
            if program not in POSIX_SHELLS:
                return body, False
        return body, True
    return line + "\n" + "".join(f"{heredoc.content}{heredoc.name}\n" for heredoc in heredocs), True


class RunView:
    """One RUN (or ONBUILD RUN trigger) as every rule sees it. Built by `Context.runs`.

    ``form`` says how the RUN is written; ``text`` is what its shell runs
    (for a non-POSIX shell, the instruction's own text, for a conservative
    search); ``model`` is the shell model of ``text`` when a POSIX shell
    reads it; ``script`` is the editable script, or None with ``guard``
    saying why no fix may rewrite the RUN; ``mounts`` are its ``--mount``
    targets.
    """

    form: Form
    posix: bool
    text: str
    guard: Guard | None

    def __init__(self, context: FileFacts, run: Run, parent: Instruction | None = None) -> None:
        self._context = context
        #: The RUN node (for a trigger, the trigger node inside its ONBUILD).
        self.run = run
        #: The ONBUILD holding ``run`` when it is a trigger, else None.
        self.parent = parent
        self.mounts = tuple(
            MountTarget(spec.type, spec.target, normal_path(spec.target) if spec.target else None)
            for spec in run.mount_specs
        )
        heredocs = run.heredocs or (parent.heredocs if parent is not None else ())
        script: RunScript | None = None
        if run.is_json:
            self.form = Form.EXEC
            info = context.stage_of(run)
            self.posix = info is None or not info.windows
            self.text = exec_script(run.exec_form or ())
            self.guard = EXEC_FORM
        elif not context.is_posix_shell(run):
            self.form = Form.HEREDOC if heredocs else Form.SHELL
            self.posix, self.text, self.guard = False, run.code, NON_POSIX_SHELL
        elif heredocs:
            self.form = Form.HEREDOC
            self.text, self.posix = _heredoc_script(run.shell or "", heredocs)
            self.guard = HEREDOC
        else:
            self.form = Form.SHELL
            script = RunScript.of(run, context.tree.escape, lambda: context.house_style)
            self.posix = script is not None
            self.text = script.text if script is not None else run.code
            self.guard = None if script is not None else EMPTY
            swallowed = swallowed_line(context.tree.code, run) if script is not None else None
            if swallowed is not None:
                # where the script ends is not where its author meant it to: read it, edit nothing
                script, self.guard = None, swallowed_guard(swallowed.keyword)
        #: The editable script: shell form under a POSIX shell, not empty; None with ``guard`` set.
        self.script = script

    @property
    def trigger(self) -> bool:
        """The RUN is an ONBUILD trigger: it runs in an unknown downstream build."""
        return self.run.line_info is None

    @cached_property
    def model(self) -> ShellScript | None:
        """The shell model of what the RUN runs; None when no POSIX shell reads it."""
        if not self.posix:
            return None
        if self.script is not None:
            return self.script.model
        return analyze(self.text)

    def span(self, start: int, end: int) -> Span:
        """Where to report ``text[start:end]``: exactly when the script is editable, else the whole RUN."""
        if self.script is None:
            return self.run.span
        return self._context.span(*self.script.file_range(start, end))

    def mount_covers(self, *paths: str, types: Iterable[str] | None = TRANSIENT_MOUNTS) -> bool:
        """Whether a mount (of ``types``; any type with None) holds one of the literal ``paths``."""
        wanted = None if types is None else frozenset(types)
        return any(
            mount.covers(path)
            for mount in self.mounts
            if wanted is None or mount.type in wanted
            for path in paths
        )

    def __repr__(self) -> str:
        return f"RunView({self.run.code[:40]!r}, {self.form.value}, guard={self.guard})"
