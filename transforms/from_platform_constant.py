"""DF304 from-platform-constant: ``FROM --platform=linux/amd64`` pins a stage to one platform."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._platforms import parse_platform
#: The platform ARGs hadolint accepts in strict mode.
_PLATFORM_ARGS = ("BUILDPLATFORM", "TARGETPLATFORM")


class FromPlatformConstant(Rule):
    """Do not pin a stage to a constant platform.

    ``FROM --platform=linux/amd64 node:20`` builds that stage for amd64 even
    in a multi-platform build: an arm64 image then ships amd64 binaries, and
    a Mac builds it under emulation. Use ``$BUILDPLATFORM`` for stages that
    only produce files (cross-compiling), or leave the flag out.

    By default BuildKit's judgement: only a literal value is reported (one
    with ``$`` is a choice made at build time), and not when the stage's
    name mentions the platform's OS or architecture (``AS build-arm64`` is
    meant for that platform). With ``strict = true``, hadolint's: every
    ``--platform`` that does not use ``$BUILDPLATFORM`` or
    ``$TARGETPLATFORM`` (so ``--platform=$MYPLATFORM`` too). No fix: which
    platform the stage should follow is the author's decision.
    """

    code = "DF304"
    name = "from-platform-constant"
    summary = "`FROM --platform=<constant>`"
    aliases = ("DL3029", "FromPlatformFlagConstDisallowed")
    options = {"strict": False}

    valid = (
        Valid("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"),
        Valid("ARG PLATFORM=linux/amd64\nFROM --platform=$PLATFORM alpine:3\n", "decided at build time"),
        Valid("FROM --platform=linux/arm64 alpine:3 AS build-arm64\n", "the stage is named for its platform"),
        Valid("FROM --platform=linux/x86_64 alpine:3 AS amd64-tools\n", "x86_64 is amd64"),
        Valid("FROM alpine:3\n"),
    )
    invalid = (
        Invalid(
            "FROM --platform=linux/amd64 node:20\n",
            message='FROM --platform flag should not use constant value "linux/amd64"',
            line=1, column=1,
        ),
        Invalid("FROM --platform=linux/arm64 alpine:3 AS build-amd64\n", None, "named for another platform"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        strict = bool(self.settings["strict"])
        for stage in context.tree.stages:
            value = stage.from_.platform
            if value is None:
                continue
            if strict:
                if any(name in value for name in _PLATFORM_ARGS):
                    continue
                yield self.diagnostic(
                    stage.from_,
                    f"`FROM --platform={value}` pins the stage to one platform; "
                    "use `$BUILDPLATFORM`/`$TARGETPLATFORM` or leave the flag out",
                )
                continue
            if "$" in value:
                continue
            platform = parse_platform(value)
            if platform is None:
                continue
            name = stage.name or ""  # lower-cased, as BuildKit compares it
            if platform[0] in name or platform[1] in name:
                continue
            yield self.diagnostic(stage.from_, f'FROM --platform flag should not use constant value "{value}"')
