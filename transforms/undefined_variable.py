"""DF616 undefined-variable: a variable BuildKit expands that nothing defines (BuildKit's UndefinedVar)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Arg, Env, Instruction

from ._variables import (
    BASE_IMAGE_ENV, PLATFORM_ARGS, UNIVERSAL_ENV, Definition, base_env_is_known, base_may_define, expanded_uses,
    global_args, glued_name, is_name, near_miss, positional, references, stage_instructions,
)


class UndefinedVariable(Rule):
    """A ``$VAR`` in an instruction BuildKit expands (ENV, COPY, WORKDIR, LABEL ...) that no ARG or ENV defines.

    **What** (BuildKit's UndefinedVar): ``ENV PATH=$PAHT:/opt/bin``, or
    ``WORKDIR $APP_HOME`` before ``ENV APP_HOME=/app``. BuildKit expands
    these words itself, with the stage's ARGs and ENV (and its base image's
    ENV), and an unknown name becomes an empty string. Shell-form RUN, CMD
    and ENTRYPOINT are the shell's business and are not checked, as in
    BuildKit; a global ARG the stage did not re-declare is DF617's.

    **Why.** ``ENV PATH=$PAHT:/opt/bin`` leaves the image with
    ``PATH=:/opt/bin``: every later command fails to find its tools.

    **Precision.** BuildKit knows the base image's ENV; dfix does not (it
    reads no registry), and a base image may well define ``$JAVA_HOME`` or
    ``$NODE_VERSION``. So the finding is made only where dfix knows enough:

    * the stage is built on ``scratch`` or a plain OS image (``debian``,
      ``ubuntu``, ``alpine`` ...), whose only variable is ``PATH``: any other
      undefined name is reported;
    * on any other base, a name used before the stage defines it
      (``WORKDIR $APP_HOME`` then ``ENV APP_HOME=/app``), or a near miss of a
      name the stage defines (``$APP_HOEM`` for ``$APP_HOME``, ``$PAHT``):
      names the common official images set themselves are never reported,
      nor a variable that an ENV extends (``ENV PYTHONPATH=/x:$PYTHONPATH``,
      here or in the later definition: the author expects the base may set
      it), nor ``ARG X=${X}``.

    ``${NAME:-default}`` and the other forms that handle the unset case are
    deliberate and not reported (BuildKit reports them).

    **Fix** (unsafe): rename a near miss to the defined name (within two
    edits, the only candidate). It changes the value the instruction gets,
    to the one the author meant. A name used before its definition is
    reported only (move the definition up, or the use down).
    """

    code = "DF616"
    name = "undefined-variable"
    summary = "A variable BuildKit expands that no ARG or ENV defines"
    safety = Safety.UNSAFE
    aliases = ("UndefinedVar",)
    #: A misspelt name is renamed wherever BuildKit expands it.
    rewrites = frozenset({"env", "label", "arg", "copy", "add", "workdir", "user", "volume", "expose", "stopsignal"})

    valid = (
        Valid("FROM debian\nENV APP_HOME=/app\nWORKDIR $APP_HOME\n"),
        Valid("FROM debian\nENV PATH=/opt/bin:$PATH\n", "PATH is always set"),
        Valid("FROM eclipse-temurin:21\nENV PATH=$JAVA_HOME/bin:$PATH\n", "the base image sets JAVA_HOME"),
        Valid("FROM myorg/base\nCOPY app $APP_DIR/\n", "an unknown base image may set it"),
        Valid("FROM debian\nWORKDIR ${APP_HOME:-/app}\n", "the unset case is handled"),
        Valid("FROM debian\nRUN echo $UNDEFINED\n", "the shell's business"),
        Valid("FROM debian\nARG VERSION\nLABEL version=$VERSION\n"),
        Valid("FROM debian\nENV A='$B'\n", "single-quoted"),
        Valid("FROM debian AS base\nENV APP=/srv\nFROM base\nWORKDIR $APP\n", "ENV of the parent stage"),
        Valid("FROM tensorflow/tensorflow:2.15.0\nENV PYTHONPATH=/srv/lib:$PYTHONPATH\n",
              "extending a variable an unknown base may set"),
        Valid("FROM tomcat:9\nARG PUBLIC_PORT=${PUBLIC_PORT}\n", "the build argument, or empty either way"),
        Valid("FROM debian:12\nENV A=/opt B=$A/bin\n", "set by an earlier pair of the same ENV: DF615's finding"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nENV PATH=$PAHT:/opt/tool/bin\n",
            "FROM debian:12\nENV PATH=$PATH:/opt/tool/bin\n",
            "a typo of PATH",
            unsafe=True,
            message="Usage of undefined variable `$PAHT` (did you mean `$PATH`?)",
            line=2, column=1,
        ),
        Invalid(
            "FROM python:3.12\nENV APP_HOME=/srv/app\nWORKDIR ${APP_HOEM}\n",
            "FROM python:3.12\nENV APP_HOME=/srv/app\nWORKDIR ${APP_HOME}\n",
            "a near miss of a name the stage defines",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12\nWORKDIR $APP_HOME\nENV APP_HOME=/srv/app\n", None,
            "used before it is defined",
            message="Usage of undefined variable `$APP_HOME`: it is defined only later, on line 3",
        ),
        Invalid("FROM alpine:3.20\nCOPY app.conf $CONF_DIR/\n", None, "a plain OS image sets no CONF_DIR"),
        Invalid(
            'FROM debian:12\nARG VERSION=1.2 TAG=a\nLABEL version="$VERSION_$TAG"\n',
            'FROM debian:12\nARG VERSION=1.2 TAG=a\nLABEL version="${VERSION}_$TAG"\n',
            "an unbraced name swallowed the `_` after it",
            unsafe=True,
            message="Usage of undefined variable `$VERSION_` (did you mean `${VERSION}_`?)",
        ),
        Invalid("FROM debian:buster-slim\nENV PATH $GOPATH/bin:$PATH\n", None,
                "GOPATH is another variable, not a typo of PATH"),
        Invalid("FROM arm64v8/ubuntu:22.04\nLABEL build-date=$BUILD_DATE\n", None, "an architecture's official image"),
        Invalid("FROM centos:7\nENV CPATH /usr/local/include:$CPATH\n", None,
                "extends itself on a plain OS image: no `$PATH` suggestion",
                message="Usage of undefined variable `$CPATH`: nothing sets it before this ENV extends it, so its value "
                        "starts with an empty entry"),
        Invalid("FROM scratch\nCOPY --chown=$APP_UID app /app\n", None, "scratch sets nothing but PATH"),
        Invalid("FROM ubuntu:22.04\nENV PYTHONPATH=$PYTHONPATH:/opt/lib\n", None,
                message="Usage of undefined variable `$PYTHONPATH`: nothing sets it before this ENV extends it, so its "
                        "value starts with an empty entry"),
        Invalid("FROM debian:12\nENV DIR=/opt/tool-${VERSION} VERSION=1.2\n", None,
                message="Usage of undefined variable `$VERSION`: this ENV sets it in another pair, but every value of "
                        "one ENV is expanded before any is set"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        globals_ = global_args(context).names | frozenset(PLATFORM_ARGS)
        escape = context.tree.escape
        for located in stage_instructions(context):
            instruction, scope = located.instruction, located.scope
            uses = [use for use in expanded_uses(instruction, escape)
                    if not use.reference.guarded and not positional(use.reference.name)]
            if not uses:
                continue
            defined = scope.defined_before(located.position)
            known = base_env_is_known(context, scope)
            own = {key for key, _ in instruction.pairs} if isinstance(instruction, (Arg, Env)) else set()
            reported: set[str] = set()
            for use in uses:
                name = use.reference.name
                if name in reported or name in defined or name in globals_ or base_may_define(name, context, scope):
                    continue
                if isinstance(instruction, Arg) and name in own:
                    continue  # `ARG X=${X}`: the build argument, or empty either way
                if _set_by_earlier_pair(instruction, use):
                    continue  # `ENV A=1 B=$A`: DF615's finding
                extends_itself = isinstance(instruction, Env) and name in own
                if extends_itself and not known:
                    continue  # `ENV PYTHONPATH=/x:$PYTHONPATH` on an unknown base: the base may well set it
                candidates = frozenset(n for n in defined if is_name(n)) | {"PATH"}
                glued = None if use.reference.braced or extends_itself else glued_name(name, candidates)
                if glued is not None:
                    yield self._glued(instruction, uses, name, glued)
                    reported.add(name)
                    continue
                well_known = name in BASE_IMAGE_ENV or name in UNIVERSAL_ENV
                suggestion = None if extends_itself or well_known else near_miss(name, candidates)
                later = scope.defined_later(name, located.position + 1)
                if later is not None and not known and _extends_itself(later, context.tree.escape):
                    later = None  # a later `ENV X=...:$X` also treats X as possibly set by the base
                if suggestion is None and later is None and not known:
                    continue
                reported.add(name)
                if later is not None:
                    yield self.diagnostic(
                        instruction,
                        f"Usage of undefined variable `${name}`: it is defined only later, on line "
                        f"{later.instruction.start_line}",
                        note="not fixed: move the definition above its first use",
                    )
                    continue
                message = f"Usage of undefined variable `${name}`"
                if suggestion is None:
                    yield self.diagnostic(instruction, message + _detail(instruction, name))
                    continue
                edits = [Edit(*other.name_span(instruction), suggestion)
                         for other in uses if other.reference.name == name]
                yield self.diagnostic(
                    instruction, f"{message} (did you mean `${suggestion}`?)", edits,
                    title=f"use `${suggestion}`", assumes=f"`{name}` is a misspelling of `{suggestion}`",
                )


    def _glued(self, instruction: Instruction, uses, name: str, glued: str) -> Diagnostic:
        rest = name[len(glued) :]
        edits = []
        for use in uses:
            if use.reference.name == name and not use.reference.braced:
                start, end = use.name_span(instruction)
                edits.append(Edit(start - 1, end, f"${{{glued}}}{rest}"))
        return self.diagnostic(
            instruction, f"Usage of undefined variable `${name}` (did you mean `${{{glued}}}{rest}`?)", edits,
            title=f"brace `${{{glued}}}`",
            assumes=f"`{rest}` is text after `${glued}`, which an unbraced name swallows",
        )


def _set_by_earlier_pair(instruction: Instruction, use) -> bool:
    """``ENV A=1 B=$A``: an earlier pair of the same ENV sets the name (DF615 reports that)."""
    if not isinstance(instruction, Env):
        return False
    pair_tokens = [token for token in instruction.line_tokens if token.type == "PAIR"]
    index = next((i for i, token in enumerate(pair_tokens) if token is use.token), None)
    if index is None:
        return False
    return use.reference.name in {key for key, _ in instruction.pairs[:index]}


def _extends_itself(definition: Definition, escape: str) -> bool:
    """``ENV X=...$X...``: the definition reads the name it sets."""
    value = definition.value or ""
    return any(ref.name == definition.name for ref in references(value, escape) or ())


def _detail(instruction: Instruction, name: str) -> str:
    """Why the name is empty here, when the instruction itself shows it."""
    if isinstance(instruction, Env):
        keys = [key for key, _ in instruction.pairs]
        if name in keys:
            values = dict(instruction.pairs)
            if any(ref in values[name] for ref in (f"${name}", f"${{{name}}}")):
                return ": nothing sets it before this ENV extends it, so its value starts with an empty entry"
            return ": this ENV sets it in another pair, but every value of one ENV is expanded before any is set"
    return ""
