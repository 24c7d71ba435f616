"""DF204 update-without-install: a RUN that only refreshes a package index."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.shell import package_command

from ._refresh import is_refresh, refresh_used


class UpdateWithoutInstall(Rule):
    """Report a RUN that refreshes a package index without installing from it.

    ``RUN apt-get update`` on its own line caches the downloaded index in
    that layer. The build cache then reuses the layer for as long as the line
    is unchanged, so a later ``RUN apt-get install`` works from an index that
    can be weeks old: outdated versions, or 404s for packages the mirror has
    since dropped. Checked: ``apt-get update``, ``apt update``, ``aptitude
    update``, ``apk update``, ``yum``/``dnf``/``microdnf`` ``makecache`` or
    ``check-update``, ``zypper refresh``, when no later command of the same
    family in the same RUN installs, upgrades, downloads or queries packages.
    Not reported when a later command of the RUN may install out of sight (a
    view, an interpreter, a variable command name, ``install_packages``).

    No fix here: the usual repair is to merge the RUN with the next one that
    installs (DF100 consecutive-run does that, with its own guards), or to
    delete the refresh when nothing in the stage installs (unsafe: a child
    stage or ONBUILD trigger may consume the index).
    """

    code = "DF204"
    name = "update-without-install"
    summary = "a RUN refreshes a package index but installs nothing from it"
    safety = Safety.NONE
    severity = "warning"
    aliases = ("CKV_DOCKER_5", "DS-0017")

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM debian\nRUN apt update && apt-get install -y curl\n", "apt and apt-get are one family"),
        Valid("FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get upgrade -y\n", "an upgrade"),
        Valid("FROM alpine\nRUN apk update && apk add curl\n"),
        Valid("FROM alpine\nRUN apk add --update curl\n", "refresh as part of the install"),
        Valid("FROM fedora\nRUN dnf makecache && dnf install -y curl\n"),
        Valid("FROM centos:7\nRUN yum makecache fast && yum -y update\n"),
        Valid("FROM opensuse/leap\nRUN zypper --non-interactive refresh && zypper --non-interactive in curl\n"),
        Valid("FROM debian\nRUN apt-get update && apt-cache policy curl\n", "queries the index"),
        Valid("FROM debian\nRUN apt-get update && ./install-deps.sh\n", "a script may install"),
        Valid("FROM debian\nRUN apt-get update && curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\n", "piped installer"),
        Valid("FROM debian\nRUN apt-get update && $INSTALL curl\n", "variable command name"),
        Valid("FROM debian\nRUN if true; then apt-get update && apt-get install -y x; fi\n"),
        Valid('FROM debian\nRUN ["sh", "-c", "apt-get update && apt-get install -y curl"]\n', "exec form through sh -c"),
        Valid(
            "FROM debian\nRUN python3 <<EOF\nimport os\nos.system('apt-get update')\nEOF\n",
            "a heredoc for another interpreter is not shell",
        ),
        Valid("FROM debian\nRUN <<EOF\n#!/usr/bin/env python3\nprint('apt-get update')\nEOF\n", "a non-shell shebang"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get update\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid("FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n", None, "the classic split"),
        Invalid("FROM debian\nRUN apt-get install -y curl && apt-get update\n", None, "the install comes first"),
        Invalid("FROM alpine\nRUN apk update\n"),
        Invalid("FROM fedora\nRUN dnf makecache\n"),
        Invalid("FROM opensuse/leap\nRUN zypper ref\n"),
        Invalid("FROM debian\nRUN apt-get update && apk add curl\n", None, "another manager's install does not count"),
        Invalid("FROM debian\r\nRUN set -eux; \\\r\n    sudo apt-get -q update; \\\r\n    echo done\r\n", None, "CRLF, sudo, set -eux"),
        Invalid("FROM debian\nONBUILD RUN apt-get update\n", None, "ONBUILD trigger"),
        Invalid('FROM debian\nRUN ["apt-get", "update"]\n', None, "exec form"),
        Invalid("# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get update\nEOF\n", None, "heredoc"),
        Invalid("FROM debian\nRUN bash -ex <<EOF\napt-get update\nEOF\n", None, "a heredoc fed to a shell"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            commands = view.model.commands
            for command in commands:
                refresh = package_command(command)
                if refresh is None or not is_refresh(refresh) or refresh_used(commands, refresh):
                    continue
                spelled = " ".join(w.value or w.text for w in refresh.program_words + refresh.subcommand_words)
                yield self.diagnostic(
                    view.span(command.start, command.end),
                    f"`{spelled}` without an install in the same RUN: the index is cached with this layer "
                    "and goes stale in the build cache; refresh and install in one RUN",
                    note="merge it with the RUN that installs (DF100)",
                )
