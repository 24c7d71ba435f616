"""DF230 apt-unpinned: ``apt-get install`` of packages without a version (hadolint's DL3008)."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.shell import PackageCommand, Word

from ._unpinned import PinSyntax, UnpinnedRule, contains_any, ends_with_any

#: ``curl=8.5.0-2`` (also ``curl=8.5*``); ``curl/bookworm-backports`` names a release, which hadolint
#: accepts as a pin too; a ``.deb`` path names one exact file. ``vim-`` asks apt to remove ``vim``.
APT = PinSyntax(
    how="`package=<version>`",
    pinned=contains_any("=", "/"),
    exact=ends_with_any(".deb"),
    skip=lambda text: len(text) > 1 and text.endswith("-"),
)

#: The apt subcommand that installs what it names (``reinstall`` keeps the installed version; ``build-dep``
#: and ``source`` name source packages).
_INSTALLS = frozenset({"install"})


class AptUnpinned(UnpinnedRule):
    """``apt-get install`` of packages without ``=version``: each rebuild may install something else.

    **What** (hadolint's DL3008): ``apt-get install`` (also ``apt install``,
    ``aptitude install``) naming a package without
    ``=version``. ``package/release`` and ``.deb`` files count as pinned, as
    in hadolint; arguments of ``-t``/``--target-release`` and ``-o`` are not
    packages.

    **Why.** Without a version the image gets whatever the mirror serves on
    the day of the build, so two builds of the same file differ, and a
    cached layer hides an update until the cache is dropped.

    **Fix:** none (report only). An offline fixer cannot know the version
    to write, and writing today's version freezes today's repository state
    (Debian mirrors drop old versions, so a pin also breaks builds later):
    that trade is the author's to make. Suppress it where rebuilding onto
    current packages is the point.

    **Counting.** One finding per command, naming its unpinned packages;
    hadolint reports once per RUN. Where they differ on real files:

    * dfix sees through ``sudo``, ``env`` and absolute program paths
      (``/usr/bin/apt-get``), and reads ``apt install``; hadolint does not;
    * a package list in a variable (``apt-get install -y $PACKAGES``) is
      judged by the ENV/ARG value the stage gives it; when the value comes
      only from ``--build-arg`` or the base image, dfix cannot know it and
      stays silent, where hadolint always reports the bare variable.
    """

    code = "DF230"
    name = "apt-unpinned"
    summary = "`apt-get install` without package versions"
    aliases = ("DL3008",)
    syntax = APT

    valid = (
        Valid("FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5\n"),
        Valid("FROM debian:12\nRUN apt-get install -y -t bookworm-backports golang-go=2:1.21~2\n",
              "the target release is an option's argument"),
        Valid("FROM debian:12\nRUN apt-get install -y nginx/bookworm-backports ./local.deb\n",
              "a release and a package file count as pinned, as in hadolint"),
        Valid("FROM debian:12\nRUN apt-get install -y curl=${CURL_VERSION}\n", "the version comes from a variable"),
        Valid("FROM debian:12\nRUN apt-get install -y $PACKAGES\n",
              "a list set only by a build argument is unknown"),
        Valid("FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n", "an upgrade names no packages"),
        Valid("FROM debian:12\nRUN apt-get install -y vim-tiny=2:9.0.1378-2 vim-\n", "`vim-` removes vim"),
        Valid("FROM debian:12\nRUN apt-get install -y -o Dpkg::Options::=--force-confold tzdata=2024a-0+deb12u1\n"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5 ca-certificates git\n",
            message="`apt-get install` of unpinned packages `ca-certificates`, `git`: pin each version "
                    "(`package=<version>`)",
            line=2, column=23,
        ),
        Invalid("FROM ubuntu:22.04\nRUN sudo DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata\n",
                why="seen through sudo and a prefix assignment"),
        Invalid("FROM ubuntu:22.04\nRUN apt install -y curl\n", why="`apt` installs the same way"),
        Invalid('FROM debian:12\nENV BUILD_DEPS="gcc make=4.3-4.1"\nRUN apt-get install -y $BUILD_DEPS\n',
                message="`apt-get install` of unpinned package `gcc (from $BUILD_DEPS)`: pin each version "
                        "(`package=<version>`)"),
        Invalid("FROM debian:12\nONBUILD RUN apt-get install -y curl\n", why="an ONBUILD trigger installs too"),
        Invalid('FROM debian:12\nRUN ["apt-get", "install", "-y", "curl"]\n', why="exec form"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.family == "apt" and invocation.subcommand in _INSTALLS:
            return invocation.packages
        return None
