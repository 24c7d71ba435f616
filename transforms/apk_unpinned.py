"""DF231 apk-unpinned: ``apk add`` of packages without a version (hadolint's DL3018)."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.shell import PackageCommand, Word

from ._unpinned import PinSyntax, UnpinnedRule, contains_any, ends_with_any

#: ``curl=8.5.0-r0``, ``curl~8.5`` (fuzzy), ``'curl>8'``/``'curl<9'`` (ranges); a ``.apk`` file is exact.
#: ``curl@edge`` only names a repository, which is no version.
APK = PinSyntax(
    how="`package=<version>` or `package~<version>`",
    pinned=contains_any("=", "~", ">", "<"),
    exact=ends_with_any(".apk"),
)


class ApkUnpinned(UnpinnedRule):
    """``apk add`` of packages without a version: each rebuild may install something else.

    **What** (hadolint's DL3018): ``apk add`` naming a package without
    ``=version``, ``~version`` or a ``<``/``>`` range; ``.apk`` files count
    as pinned. Arguments of ``-t``/``--virtual`` (the virtual package's
    own name), ``-X``/``--repository`` and ``--root`` are not packages.

    **Why.** Alpine's repositories keep only the current version of each
    package of a release branch, so an unpinned ``apk add`` installs
    whatever is current on the day of the build.

    **Fix:** none (report only). The same pin that makes builds repeatable
    breaks them once Alpine drops that version from the branch (often within
    weeks), so pinning ``apk`` packages is a maintenance commitment the
    author has to choose; ``~`` (same minor version) is the usual middle way.

    **Counting.** One finding per command, naming its unpinned packages;
    hadolint reports once per RUN. dfix also sees through ``sudo``/``env``
    and judges a package list in a variable by the value ENV/ARG give it
    (silent when only ``--build-arg`` sets it, where hadolint reports the
    bare variable).
    """

    code = "DF231"
    name = "apk-unpinned"
    summary = "`apk add` without package versions"
    aliases = ("DL3018",)
    syntax = APK

    valid = (
        Valid("FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0 'bash~5.2'\n"),
        Valid("FROM alpine:3.19\nRUN apk add --no-cache --virtual .build-deps gcc=13.2.1_git20231014-r0\n",
              "the virtual package's name is an option's argument"),
        Valid("FROM alpine:3.19\nRUN apk add --allow-untrusted /tmp/glibc-2.35-r1.apk\n", "a package file"),
        Valid("FROM alpine:3.19\nRUN apk add --no-cache nginx=${NGINX_VERSION}\n", "version from a variable"),
        Valid("FROM alpine:3.19\nRUN apk del curl && apk upgrade\n"),
    )
    invalid = (
        Invalid(
            "FROM alpine:3.19\nRUN apk add --no-cache ca-certificates curl=8.5.0-r0\n",
            message="`apk add` of unpinned package `ca-certificates`: pin each version "
                    "(`package=<version>` or `package~<version>`)",
            line=2, column=5,
        ),
        Invalid("FROM alpine:3.19\nRUN apk add --no-cache -X https://dl-cdn.alpinelinux.org/alpine/edge/testing "
                "hub@testing\n", why="a repository tag is not a version"),
        Invalid("FROM alpine:3.19\nONBUILD RUN apk add --no-cache git\n", why="ONBUILD triggers are read too"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.manager == "apk" and invocation.subcommand == "add":
            return invocation.packages
        return None
