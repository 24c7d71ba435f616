"""DF107 run-without-lasting-effect: a RUN that only sets its own shell's state, which ends with it."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Form, Invalid, Rule, RunView, Safety, Valid

from ._lasting import STATE_BUILTINS, dockerfile_value, state_only

#: Variables meant for the build's own commands, never for the running container: ``ARG``, not ``ENV``.
BUILD_ONLY_VARIABLES = frozenset({"DEBIAN_FRONTEND"})

#: Variables the shell sets itself, which BuildKit does not know when it expands an ``ENV`` value.
SHELL_VARIABLES = frozenset({
    "HOME", "PWD", "OLDPWD", "HOSTNAME", "UID", "EUID", "PPID", "SHLVL", "IFS", "PS1", "PS2", "PS4", "OPTIND",
    "OPTARG", "LINENO", "RANDOM", "SECONDS", "SHELL", "USER", "LOGNAME", "BASH", "BASHPID", "BASH_VERSION",
    "BASH_SOURCE", "FUNCNAME", "HISTFILE", "MACHTYPE", "OSTYPE", "HOSTTYPE", "GROUPS", "PIPESTATUS",
})


class RunWithoutLastingEffect(Rule):
    """A RUN whose only effect is on its own shell, so no later instruction sees it.

    **What.** A shell-form RUN made only of commands that change the shell
    running them: ``export``, bare assignments (``RUN LD_LIBRARY_PATH=...``),
    ``set``, ``unset``, ``declare``, ``alias``, ``umask``, ``ulimit``,
    ``shopt``, ``trap``, ``source``/``.`` of a file, and ``cd`` together with
    any of these (a RUN that only runs ``cd`` is DF605's, hadolint's DL3003).

    **Why.** Every RUN starts a fresh shell, and that shell ends with the RUN:
    ``RUN export FLASK_APP=app.py`` sets nothing for the RUNs after it, nor
    for the container. The author almost always meant ``ENV``; as written the
    step is dead weight (a cache step that does nothing) that hides the bug.
    Merging it into a neighbour in a subshell would freeze the mistake.

    **Fix** (unsafe): when the RUN only assigns variables (``export A=1``,
    ``A=1 B=2``) with values BuildKit reads exactly as the shell did (plain
    text, quotes, ``$NAME``/``${NAME}`` of variables the build knows), the
    RUN becomes ``ENV`` with the same pairs, in order (a pair that reads a
    variable set by an earlier pair starts a new ``ENV``, so it sees it).
    ``DEBIAN_FRONTEND`` becomes an ``ARG``, since it is meant for the build
    only. It changes the image: the variables now reach every later
    instruction and the running container, which is what the RUN meant to
    do. Not fixed (reported, with the reason): a value the shell computes
    (``$(...)``, backticks, ``${X:-default}``, ``~``, variables only the
    shell sets such as ``$HOME`` or ``$PWD``), ``export`` without a value,
    ``set``/``alias``/``umask``/``trap``/``source`` (no Dockerfile
    instruction sets them for later RUNs; move them into the RUNs that need
    them, or delete the RUN), RUN flags, comments inside the RUN, ONBUILD
    triggers.
    """

    code = "DF107"
    name = "run-without-lasting-effect"
    summary = "A RUN that only sets its own shell's state (export, set, an assignment ...), lost when it ends"
    safety = Safety.UNSAFE

    valid = (
        Valid("FROM debian\nENV FLASK_APP=app.py\n"),
        Valid("FROM debian\nRUN export A=1 && make\n", "the export reaches `make`"),
        Valid("FROM debian\nRUN cd /x\n", "a lone `cd` is DF605's (hadolint's DL3003)"),
        Valid("FROM debian\nRUN set -e; export A=$(date) > /tmp/x\n", "a redirect writes a file"),
        Valid("FROM debian\nRUN export A=$(uname -m)\n", "a command runs in the substitution"),
        Valid('FROM debian\nRUN ["export", "A=1"]\n', "exec form runs a program, not the shell"),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\nRUN export FLASK_APP=app.py\n",
            "FROM python:3.12\nENV FLASK_APP=app.py\n",
            "the classic: meant ENV",
            unsafe=True,
            message="this RUN only sets environment variables of its own shell, which ends with the RUN: "
                    "no later instruction sees them",
        ),
        Invalid(
            "FROM debian\nRUN LD_LIBRARY_PATH=/opt/lib\n",
            "FROM debian\nENV LD_LIBRARY_PATH=/opt/lib\n",
            "a bare assignment",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN export PATH=$PATH:/opt/tool/bin JAVA_OPTS=\"-Xmx1g -Xms1g\"\n",
            'FROM debian\nENV PATH="${PATH}:/opt/tool/bin" JAVA_OPTS="-Xmx1g -Xms1g"\n',
            "references and quoted values, read by BuildKit as the shell read them",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN export TOOL_HOME=/opt/tool && export PATH=$TOOL_HOME/bin:$PATH\n",
            'FROM debian\nENV TOOL_HOME=/opt/tool\nENV PATH="${TOOL_HOME}/bin:${PATH}"\n',
            "a pair that reads an earlier one starts a new ENV",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu\nrun export DEBIAN_FRONTEND=noninteractive\nRUN apt-get update\n",
            "FROM ubuntu\narg DEBIAN_FRONTEND=noninteractive\nRUN apt-get update\n",
            "meant for the build only: ARG, in the file's keyword case",
            unsafe=True,
        ),
        Invalid("FROM debian\nRUN export LANG=${LANG:-C.UTF-8}\n", None, "the shell computes the value"),
        Invalid("FROM debian\nRUN export WORK=$HOME/work\n", None, "`$HOME` is the shell's, not the build's"),
        Invalid("FROM debian\nRUN set -eux\n", None, "`set` has no instruction that makes it last"),
        Invalid("FROM debian\nRUN source /opt/ros/setup.bash\n", None, "what a sourced file sets cannot be read"),
        Invalid("FROM debian\nRUN cd /app && export NODE_ENV=production\n", None, "cd and export together"),
        Invalid("FROM debian\nRUN export A=1 # for later\n", None, "a comment in the RUN would be lost"),
        Invalid("FROM debian\nRUN export\n", None, "`export` alone sets nothing: nothing to turn into ENV"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            if view.model is None or not view.posix or view.form is Form.EXEC:
                continue
            names = state_only(view.model)
            if names is None or set(names) <= {"cd"}:
                continue
            kinds = list(dict.fromkeys("variables" if n == "=" else STATE_BUILTINS[n] for n in names))
            message = (
                f"this RUN only sets {' and '.join(kinds)} of its own shell, which ends with the RUN: "
                "no later instruction sees them"
            )
            replacement, why_not = self._replacement(view)
            if replacement is None:
                yield self.diagnostic(view.run, message, note=f"not fixed: {why_not}")
                continue
            yield self.diagnostic(
                view.run,
                message,
                [replacement],
                title="set them with ENV",
                assumes="the variables were meant to last: ENV sets them for every later instruction and for the "
                        "running container (ARG, for build-only ones, for the later build steps)",
            )

    def _replacement(self, view: RunView) -> tuple[Edit | None, str]:
        """The ENV/ARG text that replaces the RUN, or None and why not."""
        run, model = view.run, view.model
        if view.script is None or view.trigger:
            return None, "an ONBUILD trigger, or a RUN that cannot be edited"
        if run.flags:
            return None, "the RUN has flags"
        if run.comment_lines or model.trailing_comment is not None:
            return None, "a comment inside the RUN would be lost"
        pairs: list[tuple[str, str, frozenset[str]]] = []
        for command in model.commands:
            if command.name is None:
                texts = [assignment.text for assignment in command.assignments]
            elif command.name == "export":
                texts = [word.text for word in command.args]
            else:
                return None, f"`{command.name}` has no Dockerfile instruction that makes it last; move it into " \
                             "the RUNs that need it, or delete this RUN"
            for text in texts:
                name, equals, value = text.partition("=")
                if not equals or not name.isidentifier():
                    return None, f"`{text}` assigns no value"
                converted = dockerfile_value(value)
                if converted is None:
                    return None, f"the shell computes the value of {name} (`{text}`); ENV could not"
                shell_only = converted.references & SHELL_VARIABLES
                if shell_only:
                    return None, f"${min(shell_only)} is set by the shell, not known to ENV"
                pairs.append((name, converted.text, converted.references))
        if not pairs:
            return None, "the RUN sets nothing; delete it"
        return self._edit(view, pairs), ""

    @staticmethod
    def _edit(view: RunView, pairs: list[tuple[str, str, frozenset[str]]]) -> Edit:
        run = view.run
        keyword = run.keyword_token
        lower = str.__str__(keyword).islower()
        code = run.code
        newline = "\r\n" if code.endswith("\r\n") else "\n" if code.endswith("\n") else ""
        lines: list[str] = []
        current: list[str] = []
        current_kind, assigned = "", set()
        for name, value, references in pairs:
            kind = "ARG" if name in BUILD_ONLY_VARIABLES else "ENV"
            if current and (kind != current_kind or references & assigned):
                lines.append(f"{current_kind.lower() if lower else current_kind} {' '.join(current)}")
                current, assigned = [], set()
            current_kind = kind
            current.append(f"{name}={value}")
            assigned.add(name)
        lines.append(f"{current_kind.lower() if lower else current_kind} {' '.join(current)}")
        indent = code[: keyword.start_pos - run.span.start]
        indent = indent if not indent.strip() else ""
        separator = (newline or "\n") + indent
        return Edit(keyword.start_pos, run.span.end, separator.join(lines) + newline)
