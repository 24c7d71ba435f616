"""DF605 cd-in-run: ``cd`` in a RUN, whose directory ends with the RUN (hadolint's DL3003)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Form, Invalid, Rule, RunView, Safety, Valid
from dfix.patterns import lazy_pattern

from ._lasting import state_only

#: Scratch directories: a ``cd`` there is meant for a step or two, never as everything's working directory.
TEMPORARY_DIRECTORIES = ("/tmp", "/var/tmp", "/dev/shm")

#: A directory WORKDIR reads exactly as the shell's ``cd`` did: absolute, no quotes, variables, ``~`` or globs.
_PLAIN_ABSOLUTE = lazy_pattern(r"/[A-Za-z0-9_./@%+:,=-]*")


class CdInRun(Rule):
    """``cd`` in a RUN: the directory lasts only until the RUN ends; ``WORKDIR`` makes it last.

    **What** (hadolint's DL3003): a shell-form RUN that runs ``cd``.

    **Why.** Every RUN starts a fresh shell in the stage's working directory.
    ``RUN cd /app`` alone changes nothing for the instructions after it (the
    author meant ``WORKDIR /app``), and a long ``cd a && ... && cd b && ...``
    chain hides which directory each command runs in; ``WORKDIR`` says it
    once, for every later instruction.

    **Fix** (unsafe), only for a RUN that is one ``cd`` to an absolute path
    written plainly (no quotes, variables, ``~``, ``-`` or globs), so that
    ``WORKDIR`` names exactly the directory ``cd`` entered: the RUN becomes
    ``WORKDIR <path>`` (in the file's keyword case). It changes the image:
    every later instruction, and the container's start, run in that
    directory, which is what the RUN meant (``WORKDIR`` also creates it when
    it is missing, where ``cd`` failed). A ``cd`` followed by the commands it
    serves is reported only: a WORKDIR there would also move every later
    instruction (split the RUN by hand, or keep it). So is a ``cd`` into a
    scratch directory (``/tmp``, ``/var/tmp``, ``/dev/shm``), which the
    author meant for the next step or two, not for the container.
    """

    code = "DF605"
    name = "cd-in-run"
    summary = "`cd` in a RUN instead of `WORKDIR`"
    safety = Safety.UNSAFE
    aliases = ("DL3003",)

    valid = (
        Valid("FROM debian\nWORKDIR /app\nRUN make\n"),
        Valid("FROM debian\nRUN make -C /src\n"),
        Valid('FROM debian\nRUN ["cd", "/x"]\n', "exec form runs no shell"),
        Valid("FROM debian\nRUN echo cd /x\n", "`cd` as a word is not a command"),
    )
    invalid = (
        Invalid(
            "FROM node:20\nRUN cd /app\nRUN npm ci\n",
            "FROM node:20\nWORKDIR /app\nRUN npm ci\n",
            "the classic: meant WORKDIR",
            unsafe=True,
            message="this RUN only changes the working directory of its own shell, which ends with the RUN: "
                    "use WORKDIR",
        ),
        Invalid(
            "FROM debian\n  run cd /srv/app/\r\n",
            "FROM debian\n  workdir /srv/app/\r\n",
            "the keyword's case, the indent and the line end are kept",
            unsafe=True,
        ),
        Invalid("FROM debian\nRUN cd /src && make\n", None, "cd serving the commands after it: reported only",
                message="`cd` in a RUN lasts until the RUN ends; WORKDIR sets the directory for later instructions"),
        Invalid("FROM debian\nRUN cd app\n", None, "a relative path: a relative WORKDIR is discouraged (DL3000)"),
        Invalid("FROM debian\nRUN cd ~\n", None, "`~` is the shell's home"),
        Invalid("FROM debian\nRUN cd /tmp\nRUN curl -sSO https://example.com/installer\n", None,
                "a scratch directory is not meant for everything after it"),
        Invalid("FROM debian\nRUN cd $APP_HOME\n", None, "a variable"),
        Invalid("FROM debian\nRUN cd /a && cd /b\n", None, "several cd"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            if model is None or not view.posix or view.form is Form.EXEC:
                continue
            if not any(command.name == "cd" for command in model.commands):
                continue
            state = state_only(model)
            if state == ("cd",):
                yield self._lone_cd(view)
                continue
            if state is not None:
                why_not = "the RUN changes nothing but its own shell's state; say what it means with WORKDIR or ENV"
            elif any(True for _ in context.later_in_stage(view.run)):
                why_not = "the `cd` serves commands in this RUN; a WORKDIR would also move every later instruction"
            else:
                why_not = ("the `cd` serves commands in this RUN; a WORKDIR would also move the directory the "
                           "container, and any image built from this stage, starts in")
            yield self.diagnostic(
                view.run,
                "`cd` in a RUN lasts until the RUN ends; WORKDIR sets the directory for later instructions",
                note=f"not fixed: {why_not}",
            )

    def _lone_cd(self, view: RunView) -> Diagnostic:
        message = "this RUN only changes the working directory of its own shell, which ends with the RUN: use WORKDIR"
        run, command = view.run, view.model.commands[0]
        target = [word.text for word in command.args]
        why_not = None
        if view.script is None or view.trigger:
            why_not = "an ONBUILD trigger, or a RUN that cannot be edited"
        elif run.flags:
            why_not = "the RUN has flags"
        elif run.comment_lines or view.model.trailing_comment is not None:
            why_not = "a comment inside the RUN would be lost"
        elif len(target) != 1 or not _PLAIN_ABSOLUTE.fullmatch(target[0]):
            why_not = "only a plain absolute path names the same directory in WORKDIR as in `cd` (`~`, `-`, " \
                      "variables and quotes read differently there, and a relative WORKDIR is discouraged)"
        elif any(target[0].rstrip("/") == d or target[0].startswith(d + "/") for d in TEMPORARY_DIRECTORIES):
            why_not = f"`{target[0]}` is a scratch directory, rarely meant as the working directory of every " \
                      "later instruction and of the container"
        if why_not is not None:
            return self.diagnostic(run, message, note=f"not fixed: {why_not}")
        keyword = run.keyword_token
        workdir = "workdir" if str.__str__(keyword).islower() else "WORKDIR"
        code = run.code
        newline = "\r\n" if code.endswith("\r\n") else "\n" if code.endswith("\n") else ""
        return self.diagnostic(
            run,
            message,
            [Edit(keyword.start_pos, run.span.end, f"{workdir} {target[0]}{newline}")],
            title="use WORKDIR",
            assumes="the directory was meant to last: WORKDIR sets it for every later instruction and for the "
                    "container's start",
        )
