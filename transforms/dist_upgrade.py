"""DF207 dist-upgrade: a release-level upgrade of the distribution inside the image."""

from __future__ import annotations

from typing import Iterable

from dfix.engine import Context, Invalid, RunView, Valid
from dfix.shell import PackageCommand

from ._packages import Finding, PackageCommandRule

#: The OS package managers that know a release-level upgrade.
_FAMILIES = frozenset({"apt", "rpm", "zypper"})


class DistUpgrade(PackageCommandRule):
    """Report release-level upgrades inside a build.

    **What.** ``apt-get dist-upgrade``, ``apt full-upgrade``, ``zypper
    dist-upgrade``/``dup``, ``dnf distro-sync``, ``dnf system-upgrade``.

    **Why.** Unlike a plain upgrade, these install and remove packages to
    follow the repositories (with changed sources, they move the image to
    another release), on the day the image is built and behind the back of
    the tag in ``FROM``: use a newer base image instead. hadolint's DL3035 covers ``zypper dist-upgrade``
    only; the apt and dnf forms are the same move.

    No fix: the right base image is the author's choice.
    """

    code = "DF207"
    name = "dist-upgrade"
    summary = "A distribution upgrade (`dist-upgrade`, `zypper dup`, `dnf distro-sync`) inside the image"
    aliases = ("DL3035",)

    valid = (
        Valid("FROM opensuse/leap\nRUN zypper -n up\n", "a package upgrade, not a release jump (DF206)"),
        Valid("FROM debian\nRUN apt-get upgrade -y\n"),
        Valid("FROM debian\nRUN echo apt-get dist-upgrade\n"),
    )
    invalid = (
        Invalid(
            "FROM opensuse/tumbleweed\nRUN zypper --non-interactive dup && zypper clean\n", None,
            message="`zypper dup` may install and remove packages of the base image to follow its repositories: "
                    "use a newer base image instead",
            line=2, column=5,
        ),
        Invalid("FROM ubuntu:22.04\nRUN apt-get update && apt-get -y dist-upgrade\n", None),
        Invalid("FROM debian\nRUN apt full-upgrade -y\n", None),
        Invalid("FROM fedora:39\nRUN dnf -y distro-sync\n", None),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        for command in commands:
            if command.family in _FAMILIES and command.action == "dist-upgrade":
                spelled = " ".join(word.text for word in (command.program_words[-1], *command.subcommand_words))
                yield Finding(
                    view.span(command.start, command.end),
                    f"`{spelled}` may install and remove packages of the base image to follow its repositories: "
                    "use a newer base image instead",
                )
