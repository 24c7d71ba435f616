"""DF628 pipe-without-pipefail: a RUN pipeline whose failure before the last ``|`` goes unnoticed."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Form, Invalid, Rule, RunView, Safety, Valid, program_name
from dfix.shell import CHILD_SHELL, ShellScript, SimpleCommand, read_once
from dfix.shell import Context as ShellContext

from ._default_sh import default_sh_dialect
from ._windows import on_windows

#: Commands whose failure upstream of a pipe is what pipefail is for: a download that fails leaves the
#: next command reading nothing (``curl -fsSL URL | tar -xz`` "succeeds" with nothing extracted).
DOWNLOADS = frozenset({"curl", "wget"})
#: Commands that may stand before a ``|`` in a RUN the fix touches: they fail only when something is
#: really wrong. ``yes``, ``grep`` (no match), ``diff``/``cmp`` (a difference), ``find``, ``ls`` (a missing
#: path) and the like fail as a matter of course, so pipefail would fail a build that works today.
QUIET_PRODUCERS = DOWNLOADS | frozenset({
    "cat", "echo", "printf", "gpg", "gunzip", "gzip", "zcat", "xz", "bzip2", "base64", "openssl", "sort", "tr",
    "cut", "sed", "awk", "jq", "tar", "sha256sum", "sha512sum", "md5sum",
})
#: Commands after a ``|`` that may stop reading early, killing the writer with SIGPIPE (a failure under pipefail).
EARLY_READERS = frozenset({"head", "grep", "egrep", "fgrep", "sed", "awk", "less", "more", "read"})


def _shell_sets_pipefail(shell: tuple[str, ...]) -> bool:
    """Whether a SHELL's own arguments turn pipefail on (``["/bin/bash", "-o", "pipefail", "-c"]``, ``-eo``)."""
    args = list(shell[1:])
    return any(
        value == "pipefail" and index > 0 and args[index - 1].startswith("-") and "o" in args[index - 1]
        for index, value in enumerate(args)
    )


def _sets_pipefail(command: SimpleCommand) -> bool:
    """``set -o pipefail``, ``set -euxo pipefail``."""
    if command.name != "set":
        return False
    values = [word.value or "" for word in command.args]
    return any(
        value == "pipefail" and index > 0 and values[index - 1].startswith("-") and "o" in values[index - 1]
        for index, value in enumerate(values)
    )


def _pipelines(model: ShellScript) -> tuple[tuple[SimpleCommand, ...], ...]:
    """The script's pipelines (nested ones too), each as the commands of its stages, in order.

    Read once per script in a lint or fix loop: it walks the whole syntax tree.
    """
    return read_once("pipelines", model, lambda: _read_pipelines(model))


def _read_pipelines(model: ShellScript) -> tuple[tuple[SimpleCommand, ...], ...]:
    found = []
    stack = [model.tree.root]
    while stack:
        node = stack.pop()
        if node.type == "pipeline":
            start, end = model.tree.span(node)
            # the last stage's redirection may lie outside the node (`a | b > f` is `(a | b) > f`)
            stages = [c for c in model.commands if start <= c.start < end]
            found.append((start, stages))
        stack.extend(reversed(node.children))
    return tuple(tuple(stages) for _, stages in sorted(found, key=lambda item: item[0]))


def _first_pipe_in_text(text: str) -> int | None:
    """Where the first ``|`` (not ``||``) outside quotes is: for scripts tree-sitter cannot parse.

    ShellCheck's parser (hadolint's) reads some scripts tree-sitter-bash
    does not (a comment in backticks, `` `# note` ``); their pipes still count.
    """
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "|":
            if text.startswith("||", index):
                index += 2
                continue
            return index
        index += 1
    return None


class PipeWithoutPipefail(Rule):
    """A pipeline in a RUN while pipefail is off: only the last command's failure fails the build.

    **What** (hadolint's DL4006): a RUN with a pipe (``|``, also inside
    ``$(...)`` or a subshell) while the stage's ``SHELL`` does not set
    ``-o pipefail``. Not reported where the RUN sets it itself before the
    pipe (``set -o pipefail && curl ... | tar ...``; hadolint reports that
    too), under a shell dfix does not read, in an ONBUILD trigger (the
    SHELL of the build it runs in is unknown), or where every pipe is fed by
    ``yes`` (``yes | sdkmanager --licenses``: ``yes`` always ends with
    SIGPIPE, so pipefail could only fail the build). An exec-form RUN that hands a
    pipeline to ``sh -c`` is reported: no SHELL applies to it.

    **Why.** A pipeline's status is its last command's. In
    ``curl -sSL $URL | tar -xz`` a failed download leaves ``tar`` reading
    nothing; the RUN succeeds and the image is missing what it should hold.

    **Fix** (unsafe), ``set -o pipefail && `` before the RUN's first command,
    only where it is known to work and to matter:

    * the shell that runs the RUN supports it: the stage's ``SHELL`` is bash,
      or the default ``/bin/sh`` of an image known to be Alpine or BusyBox
      (BusyBox ash) or RHEL, Fedora, Amazon Linux or SUSE (bash), by its
      name. Debian's and Ubuntu's ``/bin/sh`` is dash, which rejects
      the option and fails the build, so a RUN there is reported only (set
      ``SHELL ["/bin/bash", "-o", "pipefail", "-c"]`` by hand, which also
      changes shell-form CMD and ENTRYPOINT);
    * a download (``curl``, ``wget``) stands before a ``|``: that failure is
      what pipefail is for;
    * every command before a ``|`` fails only when something is wrong, and
      nothing after one may stop reading early: ``yes | ...``,
      ``grep ... | ...`` (no match), ``... | head`` (the writer gets SIGPIPE)
      work today and would fail the build with pipefail.

    It may change the image: a pipeline that failed unnoticed now stops the
    build, which is the point.
    """

    code = "DF628"
    name = "pipe-without-pipefail"
    summary = "a pipeline without `set -o pipefail`"
    safety = Safety.UNSAFE
    aliases = ("DL4006",)

    valid = (
        Valid("FROM debian:12\nRUN yes | /opt/android/tools/bin/sdkmanager --licenses\n",
              "`yes` always ends with SIGPIPE: pipefail could only fail the build"),
        Valid('FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://x/a.tgz | tar -xz\n'),
        Valid('FROM debian:12\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN curl -fsSL https://x/a.tgz | tar -xz\n'),
        Valid("FROM debian:12\nRUN set -o pipefail && curl -fsSL https://x/a.tgz | tar -xz\n",
              "the RUN sets it itself"),
        Valid("FROM debian:12\nRUN set -euxo pipefail; curl -fsSL https://x/a.tgz | tar -xz\n"),
        Valid("FROM debian:12\nRUN make || echo failed\n", "`||` is not a pipe"),
        Valid("FROM debian:12\nONBUILD RUN curl -fsSL https://x/a.tgz | tar -xz\n", "the downstream SHELL is unknown"),
        Valid('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
              "RUN Get-ChildItem | Select-Object Name\n"),
        Valid("FROM openjdk:8-windowsservercore\nRUN Get-ChildItem | Select-Object Name\n", "Windows, named in the tag"),
        Valid("FROM stefanscherer/node-windows:10\nRUN Get-ChildItem | Select-Object Name\n", "a Windows community image"),
        Valid("# escape=`\nFROM example/builder\nRUN Get-ChildItem | Select-Object Name\n",
              "the backtick escape of Windows files"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3.20\nRUN wget -q https://example.com/helm.tar.gz -O - | tar -xzO linux-amd64/helm > /bin/helm\n",
            "FROM alpine:3.20\nRUN set -o pipefail && wget -q https://example.com/helm.tar.gz -O - | tar -xzO "
            "linux-amd64/helm > /bin/helm\n",
            "the last stage's redirection belongs to the whole pipeline: wget is still its first stage",
            unsafe=True,
        ),
        Invalid(
            'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n',
            'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN set -o pipefail && curl -fsSL https://example.com/a.tgz '
            "| tar -xz -C /opt\n",
            unsafe=True,
            message="only the last command of this pipeline decides whether the RUN fails: set -o pipefail",
            line=3, column=5,
        ),
        Invalid(
            "FROM alpine:3.19\nRUN wget -qO- https://example.com/install.sh | sh\n",
            "FROM alpine:3.19\nRUN set -o pipefail && wget -qO- https://example.com/install.sh | sh\n",
            "BusyBox ash knows pipefail",
            unsafe=True,
        ),
        Invalid(
            "FROM php:7.0-fpm-alpine\nRUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n",
            "FROM php:7.0-fpm-alpine\nRUN set -o pipefail && curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n",
            "an Alpine variant whose release the tag does not show: every Alpine's BusyBox ash knows pipefail",
            unsafe=True,
        ),
        Invalid(
            "FROM centos:7\nRUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n",
            "FROM centos:7\nRUN set -o pipefail && curl -fsSL https://example.com/a.tgz | tar -xz -C /opt\n",
            "CentOS's /bin/sh is bash",
            unsafe=True,
        ),
        Invalid("FROM debian:12\nRUN curl -fsSL https://example.com/a.tgz | tar -xz\n", None,
                "dash, Debian's /bin/sh, rejects `set -o pipefail`: reported only"),
        Invalid('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN yes | pecl install redis && curl -fsSL https://x | sh\n',
                None, "yes always ends with SIGPIPE: pipefail would fail the build"),
        Invalid('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN curl -fsSL https://x/v.txt | head -n1 > /v\n', None,
                "head may stop reading early"),
        Invalid('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN dpkg -l | grep ssl\n', None,
                "no download: nothing for pipefail to catch that matters"),
        Invalid('FROM debian:12\nRUN ["sh", "-c", "curl -fsSL https://x/a.tgz | tar -xz"]\n', None,
                "exec form: no SHELL applies"),
        Invalid("FROM debian:12\nRUN set -eux && \\\n    `# fetch` \\\n    curl -fsSL https://x/a.txz | xz -dc | tar x\n", None,
                "a script tree-sitter cannot read (a comment in backticks) still has its pipe", line=4, column=32),
        Invalid("FROM dockcross/windows-x64:latest\nRUN curl -fsSL https://x/a.tgz | tar -xz\n", None,
                "a Linux image that cross-compiles for Windows is still Linux"),
        Invalid("FROM alpine:3.19\nRUN echo $(curl -fsSL https://x/v | cut -d. -f1)\n", None,
                "a pipe inside a command substitution counts; a pipeline inside it is not the RUN's to fix"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            if model is None or not view.posix or view.trigger:
                continue
            if on_windows(context, view.parent or view.run):
                continue
            pipelines = _pipelines(model)
            unparsed_pipe = _first_pipe_in_text(view.text) if not pipelines and model.has_error else None
            if not pipelines and unparsed_pipe is None:
                continue
            if pipelines and all(all(stage.name == "yes" for stage in stages[:-1]) for stages in pipelines):
                continue  # `yes | installer`: yes always ends with SIGPIPE, so pipefail could only fail the build
            first = next(iter(p[0] for p in pipelines if p), None)
            if view.form is Form.EXEC:
                if not self._exec_runs_shell(view):
                    continue
            elif _shell_sets_pipefail(context.shell_for(view.run)):
                continue
            if first is not None and any(
                _sets_pipefail(c) and c.end <= first.start and c.context.isdisjoint(CHILD_SHELL) for c in model.commands
            ):
                continue
            message = "only the last command of this pipeline decides whether the RUN fails: set -o pipefail"
            if first is not None:
                where = view.span(first.start, first.end)
            elif unparsed_pipe is not None:
                where = view.span(unparsed_pipe, unparsed_pipe + 1)
            else:
                where = view.run.span
            why_not = self._why_not(context, view, pipelines)
            if why_not is not None:
                yield self.diagnostic(where, message, note=f"not fixed: {why_not}")
                continue
            script = view.script
            yield self.diagnostic(
                where, message, [script.insert(model.items[0].start, "set -o pipefail && ")],
                title="set -o pipefail",
                assumes="no command before a `|` in this RUN is expected to fail (a failure there now fails the build)",
            )

    @staticmethod
    def _exec_runs_shell(view: RunView) -> bool:
        argv = view.run.exec_form or ()
        return bool(argv) and program_name(argv[0]) in ("sh", "bash", "ash", "dash") and "pipefail" not in argv

    @staticmethod
    def _why_not(context: Context, view: RunView, pipelines: tuple[tuple[SimpleCommand, ...], ...]) -> str | None:
        if view.script is None:
            return "exec-form and heredoc RUNs are not rewritten; set pipefail in the command itself"
        model = view.model
        if model.has_error or not model.items:
            return "the RUN's shell script does not parse"
        shell = context.shell_for(view.run)
        program = program_name(shell[0]) if shell else ""
        if program != "bash":
            if tuple(shell) != ("/bin/sh", "-c") or default_sh_dialect(context, view.run) is None:
                return ("the shell that runs this RUN may not know `set -o pipefail` (dash, Debian's and Ubuntu's "
                        "/bin/sh, rejects it); set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] where bash exists")
        nested = next((stages for stages in pipelines
                       if any(c.context & (CHILD_SHELL - {ShellContext.PIPELINE}) for c in stages)), None)
        if nested is not None:
            spelled = " | ".join(stage.name or "…" for stage in nested)
            return (f"the RUN also runs a pipeline inside a subshell or command substitution (`{spelled}`), whose "
                    "result pipefail would change too")
        if not any(stage.name in DOWNLOADS for stages in pipelines for stage in stages[:-1]):
            return "no download before a `|`: nothing whose failure pipefail is meant to catch"
        for stages in pipelines:
            if any(stage.name not in QUIET_PRODUCERS for stage in stages[:-1]):
                return "a command before a `|` may fail as a matter of course (grep without a match, yes, diff ...)"
            if any(stage.name in EARLY_READERS for stage in stages[1:]) and not _reads_everything(stages):
                return "a command after a `|` may stop reading early, and the writer's SIGPIPE would fail the build"
        return None


def _reads_everything(stages: list[SimpleCommand]) -> bool:
    """``sed``/``awk`` without an early exit read their whole input; ``head`` and ``grep`` may not."""
    for stage in stages[1:]:
        if stage.name in ("head", "grep", "egrep", "fgrep", "less", "more", "read"):
            return False
        if stage.name in ("sed", "awk") and any("q" in (word.value or "") or "exit" in (word.value or "")
                                                for word in stage.args):
            return False
    return True
