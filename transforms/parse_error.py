"""DF000 parse-error: docker build refuses the file before it runs a single step."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import RefusalKind

from ._refusals import RefusalRule


class ParseError(RefusalRule):
    """The file does not parse, or BuildKit refuses it before it builds anything.

    Reported as ``path:line:col: DF000 message`` with BuildKit's own message,
    as ``docker build`` words it. Two kinds, one code, because BuildKit itself
    calls both "dockerfile parse error":

    * the file does not parse at all (``unterminated heredoc <<EOF``, ``ENV
      must have two arguments``), or it is not text (a binary file named
      ``Dockerfile``): the command line reports these, since no rule can read
      such a file;
    * it parses, but BuildKit's second reading refuses it: an unknown
      instruction (``FOO bar``, with BuildKit's "did you mean"), a flag the
      instruction does not take (``COPY --form=build``), a ``--mount`` type or
      option BuildKit does not know, a missing argument (``COPY app``,
      ``HEALTHCHECK --interval=5s`` with no command), a ``HEALTHCHECK``
      interval it cannot read, an ``EXPOSE`` spec it cannot read, a base image
      name Docker's reference grammar refuses (``FROM Ubuntu:14.04``: names
      are lower case), a file with no ``FROM`` at all. This rule reports
      those.

    Always an error. A file the build refuses is never rewritten: any other
    fix would be a change to a file that does not build, and the author's
    first job is the refusal. ``ONBUILD ONBUILD`` (DF618), an instruction
    before the first ``FROM`` (DF619) and an ``EXPOSE`` port outside 0-65535
    (DF613) are refusals too, with codes of their own because hadolint names
    them.

    hadolint's DL1000 is its own parser failing; it is listed as an alias
    so that its suppressions and configuration carry over, but hadolint's
    parser and BuildKit's disagree on many files (both ways).

    Values BuildKit expands from variables before it checks them (``--mount``
    options, ``EXPOSE`` ports, the ``FROM`` image) are judged only when they
    hold no ``$``.
    """

    code = "DF000"
    name = "parse-error"
    summary = "docker build refuses the file before it runs a step"
    aliases = ("DL1000",)
    kinds = frozenset(RefusalKind) - {RefusalKind.ONBUILD_TRIGGER, RefusalKind.BEFORE_FROM, RefusalKind.PORT_RANGE}

    valid = (
        Valid("FROM debian\nRUN true\n"),
        Valid("FROM debian\nRUN --mount=type=cache,target=/root/.cache,sharing=locked pip install x\n"),
        Valid("FROM debian\nRUN --mount=type=$MOUNT_TYPE,target=/x true\n", "a variable: known only at build time"),
        Valid("FROM debian\nCOPY --parents --exclude=*.md --link src/ /app/\n", "flags of current frontends"),
        Valid("FROM debian\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://localhost/\n"),
        Valid("FROM debian\nHEALTHCHECK NONE\n"),
        Valid("ARG BASE=debian\nFROM $BASE\nEXPOSE 80/tcp 8000-8010 ${PORT}\n"),
        Valid("FROM debian\nONBUILD RUN make\n"),
    )
    #: The first three raise ``dfix.ParseError``; the test suite checks that they do.
    invalid = (
        Invalid("FROM debian\nRUN <<EOF\necho never ends\n", None, "unterminated heredoc"),
        Invalid('FROM debian\nENV PATH\n', None, "legacy ENV without a value"),
        Invalid('FROM debian\nCMD ["a", 1]\n', None, "JSON array with a number"),
        Invalid("FROM debian\nFOO bar\n", None, "an unknown instruction", line=2, column=1,
                message="unknown instruction: FOO (did you mean FROM?)"),
        Invalid("FROM debian\nHEALTHCHECK --interval=5s\n", None, "a HEALTHCHECK with no command",
                message="HEALTHCHECK requires at least one argument", line=2, column=1),
        Invalid("FROM debian\nCOPY --form=build /app /app\n", None, "a flag COPY does not take",
                message="unknown flag: --form (did you mean from?)", line=2, column=6),
        Invalid("FROM debian\nRUN --mount=type=cahce,target=/root/.cache pip install x\n", None,
                "an unknown mount type", message='unsupported mount type "cahce" (did you mean cache?)', line=2, column=5),
        Invalid("FROM debian\nRUN --mount=type=cache,targte=/root/.cache pip install x\n", None,
                "an unknown mount option", message="unexpected key 'targte' in 'targte=/root/.cache' (did you mean target?)"),
        Invalid("FROM Ubuntu:14.04\n", None, "an image name Docker cannot parse", line=1, column=6,
                message='failed to parse stage name "Ubuntu:14.04": invalid reference format: '
                        "repository name (library/Ubuntu) must be lowercase"),
        Invalid("ARG VERSION=1\n", None, "no FROM at all", message="dockerfile contains no stages to build", line=1),
        Invalid("FROM debian\nRUN apt-get install curl\nMAINTAINER\n", None, "a fix elsewhere is not applied either",
                also=("DF201",), message="MAINTAINER requires exactly one argument", line=3),
    )
