"""DF206 package-upgrade: a blanket package upgrade inside the image (off by default)."""

from __future__ import annotations

from typing import Iterable

from dfix.engine import Context, Invalid, RunView, Valid
from dfix.shell import PackageCommand

from ._packages import Finding, PackageCommandRule

#: The OS package managers whose blanket upgrade the guides warn about (not pip/npm/gem).
OS_FAMILIES = frozenset({"apt", "apk", "rpm", "zypper"})


class PackageUpgrade(PackageCommandRule):
    """Report blanket upgrades of the base image's packages (off by default).

    **What.** ``apt-get upgrade``, ``apt upgrade``, ``apk upgrade``, ``yum``/
    ``dnf``/``microdnf update`` or ``upgrade``, ``zypper update``/``up``/
    ``patch``, with no package named. A release-level jump
    (``dist-upgrade``) is DF207.

    **Why it is off by default.** The guides of the time said "avoid
    ``upgrade``": the base image's maintainers rebuild it with the fixes, and
    an upgrade in every image makes builds depend on the day they ran.
    hadolint has since deleted its rules for this (DL3005, DL3017, DL3031,
    DL3039), calling the advice obsolete: upgrading often brings security
    fixes the base image has not shipped yet. Select it (``DF206`` or one of
    those codes) to keep the old policy.

    No fix: whether to upgrade is a policy choice, not a mechanical one.
    """

    code = "DF206"
    name = "package-upgrade"
    summary = "Blanket package upgrade (`apt-get upgrade`, `apk upgrade`, `yum update`) in the image"
    severity = "info"
    aliases = ("DL3005", "DL3017", "DL3031", "DL3039")
    default_enabled = False

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM alpine\nRUN apk upgrade --no-cache openssl\n", "one package named: a targeted fix"),
        Valid("FROM centos:7\nRUN yum update -y openssl && yum clean all\n", "one package named"),
        Valid("FROM debian\nRUN apt-get dist-upgrade -y\n", "a release-level upgrade is DF207"),
        Valid("FROM node:20\nRUN npm update\n", "not an OS package manager"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n", None,
            message="`apt-get upgrade` upgrades every package of the base image inside this image",
            line=2, column=23,
        ),
        Invalid("FROM alpine:3.20\nRUN apk upgrade --no-cache\n", None),
        Invalid("FROM centos:7\nRUN yum -y update && yum clean all\n", None),
        Invalid("FROM opensuse/leap\nRUN zypper -n patch\n", None),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        for command in commands:
            if command.family in OS_FAMILIES and command.action == "upgrade" and not command.packages:
                spelled = " ".join(word.text for word in (command.program_words[-1], *command.subcommand_words))
                yield Finding(
                    view.span(command.start, command.end),
                    f"`{spelled}` upgrades every package of the base image inside this image",
                    note="the base image's maintainers ship such upgrades; upgrading here makes the image depend on "
                         "the day it was built (a policy choice: this rule is off by default)",
                )
