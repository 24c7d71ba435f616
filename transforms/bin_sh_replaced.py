"""DF627 bin-sh-replaced: ``ln -s /bin/bash /bin/sh`` in a RUN, where SHELL says it for the build."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Form, Invalid, Rule, RunView, Safety, Valid, normal_path
from dfix.shell import SimpleCommand

#: Where ``/bin/sh`` lives (``/usr/bin/sh`` is the same file on merged-/usr systems).
BIN_SH = frozenset({"/bin/sh", "/usr/bin/sh"})
#: The only link the fix turns into ``SHELL``: bash at the path every bash image has it.
_BASH = frozenset({"/bin/bash", "/usr/bin/bash"})


def _link(command: SimpleCommand) -> tuple[str, str] | None:
    """``(source, destination)`` of an ``ln`` whose destination is ``/bin/sh``, or None."""
    if command.name != "ln":
        return None
    words = [word.value for word in command.args]
    if any(value is None for value in words):
        return None
    options = [w for w in words if w.startswith("-") and w != "-"]
    if any(o in ("-t", "--target-directory") or o.startswith("--target-directory=") for o in options):
        return None
    operands = [w for w in words if not (w.startswith("-") and w != "-")]
    if len(operands) != 2:
        return None
    source, destination = operands
    if normal_path(destination) not in BIN_SH:
        return None
    return source, destination


class BinShReplaced(Rule):
    """``/bin/sh`` replaced by another shell with ``ln``: use ``SHELL`` for the build's RUNs.

    **What** (hadolint's DL4005): a RUN that links a shell onto ``/bin/sh``
    (``ln -sf /bin/bash /bin/sh``), usually so that later RUNs get bash.

    **Why.** ``SHELL ["/bin/bash", "-c"]`` says that in the Dockerfile, for
    every later RUN (and shell-form CMD/ENTRYPOINT), without changing what
    ``/bin/sh`` is in the image: the system's own scripts, and everything the
    container runs with ``#!/bin/sh``, expect the distribution's shell.

    **Fix** (unsafe), only for a RUN that does nothing but the link (and
    ``rm /bin/sh`` before it), linking bash at its usual path, under the
    default SHELL, outside ONBUILD: the RUN becomes
    ``SHELL ["/bin/bash", "-c"]``. Later RUNs run under bash as before; what
    changes is the container: ``/bin/sh`` stays the distribution's shell, so
    a script of the image that relied on ``sh`` being bash would break. Any
    other RUN is reported only (``semgrep`` swaps it even there).

    hadolint reports every ``ln`` that names ``/bin/sh`` at all, also as the
    source (``ln -s /bin/sh /usr/local/bin/sh`` replaces nothing); dfix only
    a link whose destination is ``/bin/sh``.
    """

    code = "DF627"
    name = "bin-sh-replaced"
    summary = "`/bin/sh` replaced by another shell"
    safety = Safety.UNSAFE
    aliases = ("DL4005",)

    valid = (
        Valid('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN echo "${BASH_VERSION}"\n'),
        Valid("FROM debian:12\nRUN ln -s /bin/sh /usr/local/bin/sh\n", "/bin/sh is the source, not replaced"),
        Valid("FROM debian:12\nRUN ln -sf /usr/bin/python3 /usr/bin/python\n"),
        Valid('FROM debian:12\nRUN ["ln", "-sf", "/bin/bash", "/bin/sh"]\n', "exec form is not read"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\nRUN source /etc/profile && make\n",
            'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN source /etc/profile && make\n',
            unsafe=True,
            message="this RUN replaces /bin/sh with /bin/bash for everything in the image; "
                    "SHELL sets the shell of the build's RUNs",
            line=2, column=5,
        ),
        Invalid(
            "FROM ubuntu:22.04\nrun rm /bin/sh && ln -s /bin/bash /bin/sh\n",
            'FROM ubuntu:22.04\nshell ["/bin/bash", "-c"]\n',
            "with the rm before it; the keyword's case is kept",
            unsafe=True,
        ),
        Invalid("FROM debian:12\nRUN apt-get update && ln -sf /bin/bash /bin/sh\n", None,
                "the RUN does more: reported only"),
        Invalid("FROM alpine:3.19\nRUN ln -sf /bin/ash /bin/sh\n", None, "not bash"),
        Invalid('FROM debian:12\nSHELL ["/bin/sh", "-eux", "-c"]\nRUN ln -sf /bin/bash /bin/sh\n', None,
                "a SHELL with flags of its own is in force"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            if view.form is Form.EXEC or view.model is None:
                continue
            for command in view.model.commands:
                link = _link(command)
                if link is None:
                    continue
                source, destination = link
                yield self._finding(context, view, command, source, destination)

    def _finding(self, context: Context, view: RunView, command: SimpleCommand, source: str, destination: str) -> Diagnostic:
        message = (f"this RUN replaces {destination} with {source} for everything in the image; "
                   "SHELL sets the shell of the build's RUNs")
        span = view.span(command.start, command.end)
        why_not = self._why_not(context, view, source)
        if why_not is not None:
            return self.diagnostic(span, message, note=f"not fixed: {why_not}")
        run = view.run
        keyword = run.keyword_token
        shell = "shell" if str.__str__(keyword).islower() else "SHELL"
        code = run.code
        newline = "\r\n" if code.endswith("\r\n") else "\n" if code.endswith("\n") else ""
        return self.diagnostic(
            span, message, [Edit(keyword.start_pos, run.span.end, f'{shell} ["{source}", "-c"]{newline}')],
            title="use SHELL",
            assumes="nothing the container runs needs /bin/sh to be bash (scripts with #!/bin/sh keep the "
                    "distribution's shell)",
        )

    @staticmethod
    def _why_not(context: Context, view: RunView, source: str) -> str | None:
        if view.script is None or view.trigger:
            return "an ONBUILD trigger, or a RUN that cannot be edited"
        if normal_path(source) not in _BASH:
            return "only bash at its usual path is known to be what SHELL would name"
        run = view.run
        if run.flags or run.comment_lines or view.model.trailing_comment is not None:
            return "the RUN has flags or comments that would be lost"
        if tuple(context.shell_for(run)) != ("/bin/sh", "-c"):
            return "a SHELL of the file's own is in force"
        others = [c for c in view.model.commands if _link(c) is None]
        if any(not _removes_bin_sh(c) for c in others):
            return "the RUN does more than the link"
        return None


def _removes_bin_sh(command: SimpleCommand) -> bool:
    """``rm [-f] /bin/sh``: what comes before ``ln -s`` where ``ln`` lacks ``-f``."""
    if command.name != "rm":
        return False
    words = [word.value or "" for word in command.args]
    operands = [w for w in words if not w.startswith("-")]
    flags = [w for w in words if w.startswith("-")]
    return bool(operands) and all(normal_path(o) in BIN_SH for o in operands) and all(
        re.fullmatch(r"-[f]+|--force", f) for f in flags)
