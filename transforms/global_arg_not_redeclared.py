"""DF617 global-arg-not-redeclared: a stage reads a global ARG it never re-declared, which is empty there."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Instruction, Run

from ._variables import (
    PLATFORM_ARGS, Located, base_may_define, expanded_uses, global_args, stage_instructions,
)


_EXPANSION = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=+?])?|([A-Za-z_][A-Za-z0-9_]*))")


@lru_cache(maxsize=1024)
def shell_references(script: str) -> tuple[str, ...]:
    """Names the shell expands in ``script`` without a fallback: ``$NAME`` and ``${NAME}`` outside single quotes.

    ``${NAME:-x}``, ``${NAME-x}``, ``${NAME:=x}``, ``${NAME:+x}``, ``${NAME?x}`` ... handle the unset case
    themselves and are left out. Kept for the scripts last read: the fix loop
    reads every RUN again after each round, and most did not change.
    """
    if "$" not in script:
        return ()
    names: list[str] = []
    quote = ""
    index = 0
    while index < len(script):
        char = script[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote == "'":
            if char == "'":
                quote = ""
        elif char == "'" and not quote:
            quote = "'"
        elif char == '"':
            quote = "" if quote == '"' else '"'
        elif char == "$":
            match = _EXPANSION.match(script, index)
            if match:
                if not match.group(2):
                    names.append(match.group(1) or match.group(3))
                index = match.end()
                continue
        index += 1
    return tuple(names)


def _set_by_script(name: str, script: str) -> bool:
    """The script itself may give ``name`` a value (an assignment, ``for``, ``read``, ``export`` ...): any bare mention."""
    return re.search(rf"(?<![$\w{{]){re.escape(name)}(?!\w)", script) is not None


class GlobalArgNotRedeclared(Rule):
    """A stage reads a global ARG (declared before the first FROM) without ``ARG NAME`` of its own: it is empty there.

    **What.** ``ARG VERSION=1.4`` at the top serves the FROM lines only.
    Inside a stage, ``$VERSION`` is empty until the stage says ``ARG
    VERSION`` (which then takes the global default). BuildKit's platform
    arguments (``TARGETARCH`` ...) behave the same way. Read in RUN (where
    BuildKit's own UndefinedVar does not look: the shell expands it to an
    empty string) and in the instructions BuildKit expands (COPY, ENV,
    WORKDIR, LABEL ...).

    **Why.** ``RUN curl -fsSLO .../tool-$VERSION.tar.gz`` downloads
    ``tool-.tar.gz``; ``WORKDIR /opt/$VERSION`` is ``/opt/``. The build may
    even pass, with the wrong result.

    Not reported: a stage that defines the name itself (ARG or ENV, or an
    ENV of an in-file stage it is built FROM), a RUN script that mentions
    the name other than as ``$NAME`` (it may set it), ``${NAME:-default}``
    and other forms that handle the unset case, CMD/ENTRYPOINT (they run in
    the container, where no ARG exists), and a name the stage's base image
    commonly sets itself (``NODE_VERSION`` in ``node``, ``JAVA_HOME`` ...)
    unless the base is ``scratch`` or a plain OS image.

    **Fix** (unsafe): insert ``ARG NAME`` right after the stage's FROM. It
    changes what the stage reads: the global default (or ``--build-arg``)
    instead of an empty string, which is what the line meant.
    """

    code = "DF617"
    name = "global-arg-not-redeclared"
    summary = "A stage reads a global ARG without re-declaring it, so it is empty there"
    safety = Safety.UNSAFE

    valid = (
        Valid("ARG VERSION=1.4\nFROM debian\nARG VERSION\nRUN echo $VERSION\n"),
        Valid("ARG VERSION=1.4\nFROM debian:$VERSION\n", "FROM reads global ARGs"),
        Valid("ARG V=1\nFROM debian\nRUN V=2; echo $V\n", "the script sets it"),
        Valid("ARG V=1\nFROM debian\nRUN echo '$V'\n", "single-quoted"),
        Valid("ARG V=1\nFROM debian\nRUN echo ${V:-none}\n", "the unset case is handled"),
        Valid("ARG V=1\nFROM debian\nCMD echo $V\n", "runs in the container, where no ARG exists"),
        Valid("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}\nRUN echo $NODE_VERSION\n",
              "the node image sets NODE_VERSION itself"),
        Valid("ARG V=1\nFROM debian AS base\nENV V=2\nFROM base\nRUN echo $V\n", "an ENV of the parent stage"),
        Valid('ARG V=1\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
              "RUN Write-Host $V\n", "PowerShell's `$V` is its own variable"),
    )
    invalid = (
        Invalid(
            "ARG VERSION=1.4\nFROM debian:12\nRUN curl -fsSLO https://example.com/tool-$VERSION.tar.gz\n",
            "ARG VERSION=1.4\nFROM debian:12\nARG VERSION\nRUN curl -fsSLO https://example.com/tool-$VERSION.tar.gz\n",
            unsafe=True,
            message="`$VERSION` is a global ARG that this stage does not re-declare: it is empty here "
                    "(add `ARG VERSION` to the stage)",
            line=3, column=1,
        ),
        Invalid(
            "ARG APP=/srv/app\nFROM python:3.12 AS build\nWORKDIR ${APP}\nFROM python:3.12\nCOPY --from=build ${APP} ${APP}\n",
            "ARG APP=/srv/app\nFROM python:3.12 AS build\nARG APP\nWORKDIR ${APP}\nFROM python:3.12\nARG APP\n"
            "COPY --from=build ${APP} ${APP}\n",
            "each stage needs its own declaration",
            unsafe=True,
        ),
        Invalid(
            "from --platform=$BUILDPLATFORM golang:1.22\r\nrun GOARCH=$TARGETARCH go build ./...\r\n",
            "from --platform=$BUILDPLATFORM golang:1.22\r\narg TARGETARCH\r\nrun GOARCH=$TARGETARCH go build ./...\r\n",
            "a platform argument; keyword case and CRLF kept",
            unsafe=True,
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        globals_ = global_args(context).names | frozenset(PLATFORM_ARGS)
        escape = context.tree.escape
        seen: set[tuple[int, str]] = set()
        for located in stage_instructions(context):
            for name in self._global_uses(context, located, globals_, escape):
                scope = located.scope
                key = (scope.info.stage.index, name)
                if key in seen:
                    continue
                if name in scope.defined_before(located.position) or base_may_define(name, context, scope):
                    continue
                seen.add(key)
                yield self.diagnostic(
                    located.instruction,
                    f"`${name}` is a global ARG that this stage does not re-declare: it is empty here "
                    f"(add `ARG {name}` to the stage)",
                    [self._declare(context, scope.info.stage.from_, name)],
                    title=f"declare `ARG {name}` in the stage",
                    assumes=f"the stage meant the global `{name}` (its default, or --build-arg)",
                )

    @staticmethod
    def _global_uses(context: Context, located: Located, globals_: frozenset[str], escape: str) -> list[str]:
        instruction = located.instruction
        if isinstance(instruction, Run):
            script = instruction.shell_form
            if script is None or not context.is_posix_shell(instruction):
                return []  # exec form expands nothing; PowerShell's `$NAME` is its own variable, not the environment
            return [name for name in dict.fromkeys(shell_references(script))
                    if name in globals_ and not _set_by_script(name, script)]
        return [use.reference.name for use in expanded_uses(instruction, escape)
                if use.reference.name in globals_ and not use.reference.guarded]

    @staticmethod
    def _declare(context: Context, from_: Instruction, name: str) -> Edit:
        code = from_.code
        keyword = str.__str__(from_.keyword_token)
        arg = "arg" if keyword.islower() else "ARG"
        newline = "\r\n" if code.endswith("\r\n") else "\n"
        end = from_.span.end
        if not code.endswith("\n"):
            return Edit(end, end, f"{newline}{arg} {name}")
        return Edit(end, end, f"{arg} {name}{newline}")
