"""DF600 shell-form-cmd-entrypoint: ``CMD``/``ENTRYPOINT`` in shell form (hadolint's DL3025)."""

from __future__ import annotations

import json
import shlex
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, StageInfo, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import analyze
from dfix.syntax import Cmd, Entrypoint, Healthcheck, Instruction, Shell

from ._start_scripts import first_program_script

#: Text the shell reads as nothing but words: no expansion, glob, redirection, operator, comment or brace.
_PLAIN = lazy_pattern(r"""[A-Za-z0-9_\-./:=,@%+^ \t'"\\]*""")
#: Words the shell gives a meaning of its own at the start of a command: no program of that name runs.
_SHELL_WORDS = frozenset({
    "!", "{", "}", "[[", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in",
    "select", "then", "time", "until", "while", ".", ":", "alias", "bg", "break", "cd", "command", "continue",
    "eval", "exit", "export", "fg", "getopts", "hash", "jobs", "read", "readonly", "return", "set", "shift",
    "source", "trap", "type", "ulimit", "umask", "unalias", "unset", "wait",
})
_ASSIGNMENT = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*=")
#: Official images whose ENTRYPOINT script acts on the CMD's first word (``docker-entrypoint.sh`` initialises
#: the database and drops root only when the CMD starts with ``postgres``; nginx renders its templates only
#: for ``nginx``): a shell-form CMD reaches it as ``/bin/sh -c "..."`` and skips all that, the JSON form would
#: not. (``node``, ``php`` and ``memcached`` only treat a leading ``-flag`` specially: the JSON form is fine there.)
ENTRYPOINT_SCRIPT_IMAGES = frozenset({
    "cassandra", "couchdb", "docker", "elasticsearch", "ghost", "haproxy", "influxdb", "jenkins/jenkins", "kibana",
    "logstash", "mariadb", "mongo", "mysql", "neo4j", "nextcloud", "nginx", "percona", "postgres", "rabbitmq",
    "redis", "solr", "sonarqube", "telegraf", "wordpress", "zookeeper",
})
#: The start of a JSON array the author meant (a quote after ``[``); ``[ -e f ]`` is the shell's test command.
_MEANT_JSON = lazy_pattern("\\[\\s*[\"'`\u201c\u201d\\]]")
_BROKEN_JSON = ("this is not a valid JSON array (single or curly quotes, `;` between items, a `# comment` after it "
                "...), so BuildKit runs the whole text as a shell command: write the JSON array that was meant")


class ShellFormCmdEntrypoint(Rule):
    """``CMD``/``ENTRYPOINT`` in shell form: PID 1 is ``/bin/sh -c``, which does not pass on signals.

    **What** (hadolint's DL3025, BuildKit's JSONArgsRecommended): a
    shell-form CMD or ENTRYPOINT. As in BuildKit, not when the stage (or a
    stage it is built from) sets ``SHELL``: shell form is then a deliberate
    choice of shell (hadolint reports those too). A shell-form
    ``HEALTHCHECK CMD`` is reported too, as hadolint does: it starts a shell
    for every check and fails in an image without one.

    **Why.** In shell form the container's main process is ``/bin/sh -c
    "..."``; ``docker stop`` sends SIGTERM to that shell, which (unless it
    happened to ``exec`` the program) does not forward it, so the program is
    killed after the grace period instead of shutting down cleanly.

    **Fix** (unsafe: the process tree and signal delivery change, which is
    the point). Text that needs no shell (plain words and quotes) becomes a
    JSON array (``CMD gunicorn app:app -w 4`` → ``CMD ["gunicorn",
    "app:app", "-w", "4"]``; a leading ``exec`` is dropped, it is what exec
    form does). One simple command that needs the shell (``$PORT``, a
    redirection) gets ``exec `` in front, so the program replaces the shell
    and expansion still happens. Not fixed: lists, pipes and other compound
    commands; a CMD while an ENTRYPOINT in exec form is set in the file (it
    would receive the CMD's words instead of ``/bin/sh -c "..."``), and so
    a CMD on an official image whose ENTRYPOINT script reads them
    (``postgres``, ``redis``, ``nginx`` ...); an
    ENTRYPOINT while the stage sets a CMD (exec form appends the CMD, shell
    form ignored it); heredocs, comments inside the instruction, a non-POSIX
    or non-default shell and files with the backtick escape character. The
    fix assumes the base image's own ENTRYPOINT, if any, treats the new
    arguments like the old ones, and that the container is not started with
    arguments meant to be ignored. Not fixed either when the command is a
    script the build copies from its context whose first line is not ``#!``
    (``/bin/sh -c`` runs such a script, exec form fails to start it), or
    when the context is not there to show that line. A HEALTHCHECK only gets the JSON form
    (its command is not the container's main process, so ``exec`` buys
    nothing there). Text that starts like a JSON array but is not valid
    JSON (single or curly quotes, ``;`` between items, a comment after the
    ``]``) is shell form to BuildKit: reported with that message, not fixed.
    """

    code = "DF600"
    name = "shell-form-cmd-entrypoint"
    summary = "`CMD`/`ENTRYPOINT` in shell form"
    safety = Safety.UNSAFE
    aliases = ("DL3025", "JSONArgsRecommended")

    valid = (
        Valid('FROM python:3.12\nCMD ["gunicorn", "app:app"]\n'),
        Valid('FROM debian\nSHELL ["/bin/bash", "-c"]\nCMD echo "$HOME"\n', "a deliberate SHELL (BuildKit's reading)"),
        Valid('FROM debian AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nCMD run-it\n', "SHELL from the parent stage"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nCOPY start.sh /usr/local/bin/start.sh\nCMD start.sh --port 8080\n",
            None,
            "a script from the build context, not here: whether it has a `#!` line cannot be checked",
        ),
        Invalid(
            'FROM debian:12\nCOPY docker-entrypoint.sh /usr/local/bin/\nCMD "docker-entrypoint.sh"\n',
            None,
            "quoted, the same script",
        ),
        Invalid(
            "FROM debian:12\nCOPY apache-run.sh /usr/bin/apache-run\nCMD /usr/bin/apache-run\n",
            None,
            "a script copied under another name: its source's name tells",
        ),
        Invalid(
            "FROM python:3.12\nCMD gunicorn app:app -w 4\n",
            'FROM python:3.12\nCMD ["gunicorn", "app:app", "-w", "4"]\n',
            unsafe=True,
            message="CMD in shell form runs under `/bin/sh -c`, which does not pass signals on to the program: "
                    "use the JSON (exec) form",
            line=2,
            column=1,
        ),
        Invalid(
            "FROM node:20\nentrypoint exec node 'server.js' \"--title=a \\\"b\\\"\" C:\\\\x\r\n",
            'FROM node:20\nentrypoint ["node", "server.js", "--title=a \\"b\\"", "C:\\\\x"]\r\n',
            "quotes and escapes become JSON strings; `exec` is what exec form does; case and CRLF kept",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12\nCMD gunicorn --bind 0.0.0.0:$PORT app:app\n",
            "FROM python:3.12\nCMD exec gunicorn --bind 0.0.0.0:$PORT app:app\n",
            "needs the shell for $PORT: exec keeps the expansion and replaces the shell",
            unsafe=True,
        ),
        Invalid("FROM debian\nCMD nginx && tail -f /var/log/nginx/access.log\n", None, "a list: reported only"),
        Invalid('FROM debian\nENTRYPOINT ["/entrypoint.sh"]\nCMD postgres -c fsync=off\n', None,
                "the entrypoint would get the CMD's words instead of `/bin/sh -c ...`"),
        Invalid('FROM php:8.3-fpm-alpine\nENTRYPOINT []\nCMD php-fpm\n', 'FROM php:8.3-fpm-alpine\nENTRYPOINT []\nCMD ["php-fpm"]\n',
                "`ENTRYPOINT []` clears the base image's entrypoint: nothing receives the CMD's words", unsafe=True),
        Invalid("FROM postgres:16\nCMD postgres -c fsync=off\n", None,
                "postgres' entrypoint script initialises the database only when the CMD starts with `postgres`"),
        Invalid("FROM debian\nENTRYPOINT java -jar app.jar\nCMD --help\n", None,
                "exec form would append the CMD to the entrypoint"),
        Invalid("FROM debian\nCMD exec gunicorn --bind :$PORT app\n", None, "already execs: nothing left to fix"),
        Invalid('FROM debian\nCMD ["webserver"] # the default\n', None,
                "a comment after the array: current BuildKit runs the line through the shell",
                message="CMD looks like a JSON array but is not one, so BuildKit runs the text as a shell command "
                        "under `/bin/sh -c`"),
        Invalid("FROM debian\nCMD [ '/bin/bash' ]\n", None, "single quotes are not JSON"),
        Invalid("FROM debian\nHEALTHCHECK CMD [ -e /tmp/.lock ] || exit 1\n", None, "the shell's test command"),
        Invalid(
            "FROM debian\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health\n",
            'FROM debian\nHEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost:8080/health"]\n',
            "a health check in JSON form needs no shell in the image",
            unsafe=True,
        ),
        Invalid("FROM debian\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n", None,
                "a health check that needs the shell: reported only"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for instruction in context.tree.instructions:
            if not isinstance(instruction, (Cmd, Entrypoint, Healthcheck)) or instruction.is_json:
                continue
            if isinstance(instruction, Healthcheck) and instruction.type != "CMD":
                continue
            script = instruction.shell_form
            stage = context.stage_of(instruction)
            if script is None or stage is None or _shell_set(context, stage, instruction):
                continue
            if isinstance(instruction, Healthcheck):
                message = ("HEALTHCHECK CMD in shell form starts `/bin/sh -c` for every check and needs a shell in "
                           "the image: use the JSON (exec) form")
            elif _starts_with_exec(script):
                message = (f"{instruction.instruction} in shell form starts `/bin/sh -c` first, whose `exec` then "
                           "hands over to the program: the JSON (exec) form needs no shell")
            else:
                message = (f"{instruction.instruction} in shell form runs under `/bin/sh -c`, which does not pass "
                           "signals on to the program: use the JSON (exec) form")
            if _MEANT_JSON.match(script):
                keyword = "HEALTHCHECK CMD" if isinstance(instruction, Healthcheck) else instruction.instruction
                message = (f"{keyword} looks like a JSON array but is not one, so BuildKit runs the text as a shell "
                           "command under `/bin/sh -c`")
                why_not = _BROKEN_JSON
            else:
                why_not = self._why_not(context, stage, instruction)
            edits = None if why_not else _rewrite(instruction, script)
            if isinstance(edits, str):
                why_not, edits = edits, None
            if edits is None:
                yield self.diagnostic(instruction, message, note=f"not fixed: {why_not}")
                continue
            yield self.diagnostic(
                instruction, message, edits, title="use exec form",
                assumes="the program is meant to be the container's main process and to get its signals; the base "
                        "image's ENTRYPOINT, if any, takes the new arguments like the old ones; the container is "
                        "not started with arguments that shell form ignored",
            )

    @staticmethod
    def _why_not(context: Context, stage: StageInfo, instruction: Instruction) -> str | None:
        if instruction.heredocs or instruction.comment_lines:
            return "a heredoc or a comment inside the instruction"
        if context.tree.escape != "\\":
            return "the file's escape character is a backtick (Windows paths)"
        if not context.is_posix_shell(instruction):
            return "the shell is not a POSIX shell"
        chain = _stage_chain(context, stage)
        if isinstance(instruction, Healthcheck):
            return None
        instructions = [i for info in reversed(chain) for i in info.stage.instructions]
        script = first_program_script(context.build_context, instructions, instruction)
        if script is not None:
            path, text = script
            if text is None:
                return (f"`{path}` is a script from the build context, which is not here to read: exec form starts a "
                        "script only when its first line is `#!`, and `/bin/sh -c` ran it either way")
            if not text.startswith("#!"):
                return f"`{path}` has no `#!` line: exec form could not start it (`/bin/sh -c` runs it as a shell script)"
        if isinstance(instruction, Cmd):
            entrypoints = [i for i in instructions if isinstance(i, Entrypoint)]
            last = entrypoints[-1] if entrypoints else None  # the one in force (`ENTRYPOINT []` clears it)
            if last is not None and last.is_json and last.exec_form:
                return ("an ENTRYPOINT in exec form is set: it would receive the CMD's words instead of "
                        "`/bin/sh -c \"...\"`")
            base = chain[-1].stage.base
            if (not any(isinstance(i, Entrypoint) for info in chain for i in info.stage.instructions)
                    and base is not None and _official_name(base.name) in ENTRYPOINT_SCRIPT_IMAGES):
                return (f"the base image `{base.name}` has an ENTRYPOINT script that reads the CMD's words, which it "
                        "now gets as `/bin/sh -c \"...\"`")
        elif any(isinstance(i, Cmd) for i in stage.stage.instructions):
            return "the stage sets a CMD, which exec form appends to the ENTRYPOINT (shell form ignored it)"
        return None


def _official_name(name: str) -> str:
    """``postgres`` for ``postgres``, ``library/postgres`` and ``docker.io/library/postgres``."""
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name.removeprefix("library/")


def _stage_chain(context: Context, stage: StageInfo) -> list[StageInfo]:
    chain = []
    info: StageInfo | None = stage
    while info is not None:
        chain.append(info)
        info = context.stages[info.parent] if info.parent is not None else None
    return chain


def _shell_set(context: Context, stage: StageInfo, instruction: Instruction) -> bool:
    """Whether a SHELL is in force for ``instruction``: set earlier in its stage or in a stage it is built from."""
    for info in _stage_chain(context, stage):
        for other in info.stage.instructions:
            if other is instruction:
                break
            if isinstance(other, Shell):
                return True
    return False


def _starts_with_exec(script: str) -> bool:
    """The script is one command that replaces the shell (``exec ./app $OPTS``): signals reach the program."""
    model = analyze(script)
    if model.has_error or len(model.items) != 1 or len(model.commands) != 1:
        return False
    command = model.commands[0]
    return command.has_wrapper("exec") or bool(command.words and command.words[0].text == "exec")


def _rewrite(instruction: Instruction, script: str) -> list[Edit] | str:
    """The fix's edits, or why there is none."""
    token = next((t for t in instruction.line_tokens if t.type == "SHELL"), None)
    if token is None:
        return "the command could not be located"
    argv = _plain_argv(script)
    if argv:
        return [Edit(token.start_pos, token.end_pos, json.dumps(argv, ensure_ascii=False, separators=(", ", ": ")))]
    if isinstance(instruction, Healthcheck):
        return "the check needs the shell (expansion, operators or globs)"
    model = analyze(script)
    if model.has_error or model.comments or len(model.items) != 1 or model.items[0].kind != "command":
        return "a list, pipeline or compound command: `exec` would only replace the shell for part of it"
    if len(model.commands) != 1:
        return "a command with a command substitution: `exec` would not cover it"
    command = model.commands[0]
    if command.has_wrapper("exec") or (command.words and command.words[0].text == "exec"):
        return "the command already replaces the shell with `exec`"
    if command.assignments or command.wrappers or command.name is None or command.name in _SHELL_WORDS:
        return "assignments, wrappers or a shell builtin in front of the program"
    offset = instruction.file_offset(token, command.start, insertion=True)
    return [Edit(offset, offset, "exec ")]


def _plain_argv(script: str) -> list[str] | None:
    """The words of ``script`` when the shell would only split and unquote them, else None."""
    if not _PLAIN.fullmatch(script) or "\\\n" in script:
        return None
    try:
        words = shlex.split(script, posix=True)
    except ValueError:
        return None
    if words and words[0] == "exec":
        words = words[1:]
    if not words or words[0] in _SHELL_WORDS or words[0].startswith("-") or _ASSIGNMENT.match(words[0]):
        return None
    return words
