"""DF623 variable-in-exec-form: ``$VAR`` in a JSON-form CMD/ENTRYPOINT/RUN/HEALTHCHECK, which nothing expands."""

from __future__ import annotations

import json
import re
import shlex
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Cmd, Entrypoint, Healthcheck, Instruction, Run

#: ``$NAME`` or ``${NAME...}`` as a shell would expand it.
_VARIABLE = lazy_pattern(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")

#: Programs that expand ``$...`` in their arguments themselves: shells (with ``-c``), and interpreters
#: whose inline code uses ``$`` (Perl, PHP, awk, jq, JavaScript templates, envsubst's variable lists).
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_SELF_EXPANDING = frozenset({
    "powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe", "perl", "php", "ruby", "awk", "gawk",
    "mawk", "nawk", "jq", "yq", "node", "nodejs", "deno", "bun", "envsubst", "eval", "su", "runuser", "sudo",
    "tini", "dumb-init", "gosu", "su-exec", "s6-setuidgid", "chroot", "xargs", "find", "make",
})


def _program(argv: tuple[str, ...]) -> str:
    return argv[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if argv else ""


def expands_itself(argv: tuple[str, ...]) -> bool:
    """The program reads ``$`` in its own arguments: a shell running ``-c``, or an interpreter or wrapper of the table."""
    program = _program(argv)
    if program in _SHELLS:
        return any(word.startswith("-") and not word.startswith("--") and "c" in word for word in argv[1:])
    if program == "env":
        index = 1
        while index < len(argv) and (argv[index].startswith("-") or "=" in argv[index]):
            index += 1
        return index < len(argv) and expands_itself(argv[index:])
    return program in _SELF_EXPANDING


class VariableInExecForm(Rule):
    """``$VAR`` in the JSON (exec) form of CMD, ENTRYPOINT, RUN or HEALTHCHECK: passed as literal text.

    **What.** ``CMD ["java", "$JAVA_OPTS", "-jar", "app.jar"]``: the exec
    form runs the program directly, without a shell, and BuildKit does not
    expand these arguments either, so ``java`` receives the six characters
    ``$JAVA_OPTS``.

    **Why.** The container fails at start, or silently ignores the setting
    the author meant to pass (a port, options, a path).

    Not reported when the program expands ``$`` itself: a shell given
    ``-c`` (``["sh", "-c", "exec app --port $PORT"]``), PowerShell and
    ``cmd``, interpreters whose inline code uses ``$`` (Perl, PHP, Ruby, awk,
    jq, Node), ``envsubst`` (its arguments name variables), wrappers that
    hand their arguments on (``su``, ``gosu``, ``tini``, ``xargs`` ...), and a
    CMD whose ENTRYPOINT is a shell with ``-c`` (the CMD is its script) or an
    entrypoint script (which may ``eval`` its arguments; dfix cannot tell).

    **Fix** (unsafe): run the command through a shell that replaces itself
    with the program, so the variables are expanded at start and signals
    still reach the program: ``["sh", "-c", "exec java $JAVA_OPTS -jar
    app.jar"]`` (an ENTRYPOINT ends with ``"$@"`` and a ``$0``, so CMD and
    ``docker run`` arguments still reach the program). An argument that is only a variable stays unquoted (an
    option list splits into its options, an unset one disappears); one that
    mixes text and variables is double-quoted; other arguments are quoted
    where the shell would read them. It changes the command: the variables
    are now expanded (the point), and the image needs ``/bin/sh``. Not
    fixed: a CMD where the stage sets an ENTRYPOINT (the CMD is its
    argument list), HEALTHCHECK (edit it by hand), a literal ``$`` in an
    argument (only the reference itself is known to be meant), a stage
    whose SHELL is not POSIX.
    """

    code = "DF623"
    name = "variable-in-exec-form"
    summary = "A variable in the JSON form of CMD/ENTRYPOINT/RUN/HEALTHCHECK is passed as literal text"
    safety = Safety.UNSAFE
    rewrites = frozenset({"cmd", "entrypoint"})

    valid = (
        Valid('FROM debian\nCMD ["sh", "-c", "exec app --port $PORT"]\n', "a shell expands it"),
        Valid('FROM debian\nENTRYPOINT ["/bin/bash", "-ec", "exec app $OPTS"]\n'),
        Valid('FROM debian\nCMD ["/usr/bin/env", "-i", "A=1", "bash", "-c", "echo $A"]\n', "env hands on to a shell"),
        Valid("FROM debian\nCMD app --port $PORT\n", "shell form"),
        Valid('FROM debian\nCMD ["awk", "{print $NF}"]\n', "awk reads `$NF` itself"),
        Valid('FROM debian\nCMD ["printf", "%s$", "x"]\n', "a `$` that names no variable"),
        Valid('FROM mcr.microsoft.com/windows/servercore\nCMD ["powershell", "-Command", "$env:PATH"]\n'),
        Valid('FROM alpine\nENTRYPOINT ["/bin/ash", "-c"]\nCMD ["${APP_HOME}/bin/start -b 0.0.0.0"]\n',
              "the ENTRYPOINT is a shell that runs the CMD as its script"),
        Valid('FROM debian\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["--listen $ADDR"]\n',
              "an entrypoint script may expand its arguments"),
    )
    invalid = (
        Invalid(
            'FROM eclipse-temurin:21\nCMD ["java", "$JAVA_OPTS", "-jar", "app.jar"]\n',
            'FROM eclipse-temurin:21\nCMD ["sh", "-c", "exec java $JAVA_OPTS -jar app.jar"]\n',
            unsafe=True,
            message="`$JAVA_OPTS` in the JSON form of CMD is passed as literal text: no shell runs to expand it",
            line=2, column=1,
        ),
        Invalid(
            'FROM python:3.12\nENTRYPOINT ["gunicorn", "--bind", "0.0.0.0:${PORT}", "app:app"]\n',
            'FROM python:3.12\nENTRYPOINT ["sh", "-c", "exec gunicorn --bind \\"0.0.0.0:${PORT}\\" app:app \\"$@\\"", "sh"]\n',
            "text and a variable in one argument: double-quoted; CMD and `docker run` arguments still reach the program",
            unsafe=True,
        ),
        Invalid(
            'FROM debian\nRUN ["mkdir", "-p", "$APP_HOME", "it\'s"]\n',
            'FROM debian\nRUN ["sh", "-c", "exec mkdir -p $APP_HOME \'it\'\\"\'\\"\'s\'"]\n',
            "other arguments are quoted for the shell",
            unsafe=True,
        ),
        Invalid('FROM debian\nENTRYPOINT ["/usr/bin/server"]\nCMD ["--port", "$PORT"]\n', None,
                "the CMD is the ENTRYPOINT's argument list"),
        Invalid('FROM debian\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:$PORT/"]\n', None),
        Invalid('FROM debian\nCMD ["echo", "cost: $5 $HOME"]\n', None, "a literal `$` next to the variable"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for instruction in context.tree.walk():
            if not isinstance(instruction, (Cmd, Entrypoint, Run, Healthcheck)):
                continue
            argv = instruction.exec_form
            if not argv or expands_itself(argv):
                continue
            entrypoint = _entrypoint(context, instruction) if isinstance(instruction, Cmd) else None
            if entrypoint is not None and (expands_itself(entrypoint + argv) or _is_script(entrypoint)):
                continue
            found = next((m.group(0) for word in argv for m in _VARIABLE.finditer(word)), None)
            if found is None:
                continue
            keyword = instruction.instruction
            message = f"`{found}` in the JSON form of {keyword} is passed as literal text: no shell runs to expand it"
            why_not = self._why_not(context, instruction, argv)
            if why_not is not None:
                yield self.diagnostic(instruction, message, note=f"not fixed: {why_not}")
                continue
            script = "exec " + " ".join(_shell_word(word) for word in argv)
            words = ["sh", "-c", script]
            if isinstance(instruction, Entrypoint):
                # CMD and `docker run` arguments follow the array: `"$@"` hands them on, after a `$0`.
                words = ["sh", "-c", f'{script} "$@"', "sh"]
            array = ", ".join(_json(word) for word in words)
            tokens = [t for t in instruction.line_tokens if t.type in ("JSON", "JSON_TRAIL")]
            start, end = tokens[0].start_pos, tokens[-1].end_pos
            original = context.tree.code[start:end]
            trail = original[len(original.rstrip()) :]
            yield self.diagnostic(
                instruction, message, [Edit(start, end, f"[{array}]{trail}")], title="run it through `sh -c \"exec ...\"`",
                assumes="the variables were meant to be expanded when the command starts, and the image has /bin/sh",
            )

    @staticmethod
    def _why_not(context: Context, instruction: Instruction, argv: tuple[str, ...]) -> str | None:
        if isinstance(instruction, Healthcheck):
            return "a HEALTHCHECK is edited by hand"
        if instruction.line_info is None:
            return "an ONBUILD trigger runs in another build"
        if not context.is_posix_shell(instruction):
            return "the stage's shell is not a POSIX shell"
        if isinstance(instruction, Cmd) and _entrypoint(context, instruction) is not None:
            return "the stage sets an ENTRYPOINT, which receives this CMD as its arguments"
        for word in argv:
            if _VARIABLE.sub("", word).count("$") or "`" in word:
                return "an argument holds a `$` or backtick that is not a variable reference"
        tokens = [t for t in instruction.line_tokens if t.type in ("JSON", "JSON_TRAIL")]
        if not tokens or "\n" in "".join(str.__str__(t) for t in tokens):
            return "the array spans several lines"
        return None


def _entrypoint(context: Context, instruction: Instruction) -> tuple[str, ...] | None:
    """The ENTRYPOINT in force when the stage runs (its last, else an in-file parent's), as argv; None without one.

    A shell-form ENTRYPOINT is ``/bin/sh -c TEXT`` (and ignores CMD).
    """
    info = context.stage_of(instruction)
    while info is not None:
        entrypoints = [other for other in info.stage.instructions if isinstance(other, Entrypoint)]
        if entrypoints:
            last = entrypoints[-1]
            if last.exec_form is not None:
                return tuple(last.exec_form)
            return ("/bin/sh", "-c", last.shell_form or "")
        info = context.stages[info.parent] if info.parent is not None else None
    return None


def _is_script(argv: tuple[str, ...]) -> bool:
    """An entrypoint script (``docker-entrypoint.sh``, ``/start``): it may expand its arguments itself (``eval``)."""
    name = _program(argv)
    return name.endswith((".sh", ".bash")) or any(word in name for word in ("entrypoint", "start", "run", "init", "launch"))


def _shell_word(word: str) -> str:
    """``word`` as the shell must read it: a lone variable bare, text with variables double-quoted, the rest quoted."""
    if _VARIABLE.fullmatch(word):
        return word
    if _VARIABLE.search(word):
        return '"' + re.sub(r'(["\\`])', r"\\\1", word) + '"'
    return shlex.quote(word)


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
