"""DF204 update-without-install: a RUN that only refreshes a package index."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, RunView, Safety, Valid
from dfix.shell import package_command
from dfix.syntax import BlankLine, Comment, Dockerfile, Instruction, Run

from ._apt import refreshed_later
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

    **Fix (safe):** delete a RUN that only runs ``apt-get update`` (or ``apt
    update``) when a later RUN of the stage refreshes the lists itself before
    anything could read them. The lists that RUN downloads are then never
    read: every later install refreshes first (often after DF205 added the
    refresh), so the stage ends with the same lists, or none when they are
    removed, and the image loses a layer of stale lists (tens of MB). Not
    fixed when, before that later refresh, a command may read the lists (an
    install, ``apt-cache``, a script or interpreter, a variable command
    name); when that refresh is conditional (after ``||``, inside ``if``) or
    reads only some sources (``-o``, ``-c``); when the RUN has a mount, runs
    anything else, or is an ONBUILD trigger; when it carries a shell comment
    (``RUN apt-get update # 20160629``: a key the author bumps to refresh the
    lists and rebuild what follows); when no later RUN of the stage
    refreshes (a child stage or downstream image may use the lists); and for
    other package managers. Otherwise the usual repair is to merge the RUN
    with the next one that installs (DF100 consecutive-run does that).
    """

    code = "DF204"
    name = "update-without-install"
    summary = "a RUN refreshes a package index but installs nothing from it"
    safety = Safety.SAFE
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
        Invalid(
            "FROM debian\nRUN apt-get update # 20160629\nRUN apt-get update && apt-get install -y curl\n",
            None,
            "a comment on the RUN may be a cache-bust key the author bumps: the RUN stays",
        ),
        Invalid('FROM debian\nRUN ["apt-get", "update"]\n', None, "exec form"),
        Invalid("# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get update\nEOF\n", None, "heredoc"),
        Invalid("FROM debian\nRUN bash -ex <<EOF\napt-get update\nEOF\n", None, "a heredoc fed to a shell"),
        Invalid(
            "FROM debian\n# lists\nRUN apt-get update -y\n\n# tools\n"
            "RUN apt-get update && apt-get install -y g++ && rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\n\n# tools\n"
            "RUN apt-get update && apt-get install -y g++ && rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n",
            "every install refreshes first: the lists of the lone refresh are never read; its own comment goes too",
        ),
        Invalid(
            "FROM debian\n\n# Update the lists\nRUN apt-get update\n\n# tools\n"
            "RUN apt-get update && apt-get install -y git\n",
            "FROM debian\n\n# tools\n"
            "RUN apt-get update && apt-get install -y git\n",
            "a paragraph of its own: one of the blank lines around it goes too",
        ),
        Invalid(
            "FROM debian\n# system packages\nRUN apt-get update\nRUN apt-get update && apt-get install -y git\n",
            "FROM debian\n# system packages\nRUN apt-get update && apt-get install -y git\n",
            "a comment above more than the RUN stays",
        ),
        Invalid(
            "FROM ubuntu:22.04\r\nRUN DEBIAN_FRONTEND=noninteractive sudo apt-get -qq update\r\n"
            "RUN echo 'deb http://ppa.example/ubuntu jammy main' > /etc/apt/sources.list.d/x.list\r\n"
            "ENV LANG=C.UTF-8\r\n"
            "RUN set -e; apt-get -q update; apt-get install -y x\r\n",
            "FROM ubuntu:22.04\r\n"
            "RUN echo 'deb http://ppa.example/ubuntu jammy main' > /etc/apt/sources.list.d/x.list\r\n"
            "ENV LANG=C.UTF-8\r\n"
            "RUN set -e; apt-get -q update; apt-get install -y x\r\n",
            "commands that do not read the lists may come between (CRLF)",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get update && apt-get install -y git\n",
            None,
            "an install reads the lists before the later refresh",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN ./install-deps.sh\nRUN apt-get update && apt-get install -y git\n",
            None,
            "a script may read the lists before the later refresh",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-cache policy git && apt-get update && apt-get install -y git\n",
            None,
            "a query in the later RUN comes before its refresh",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get update || true && apt-get install -y git\n",
            None,
            "the later refresh may fail and leave the old lists in use",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN if [ -n \"$X\" ]; then apt-get update; fi && apt-get install -y git\n",
            None,
            "the later refresh is conditional",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\n"
            "RUN apt-get update -o Dir::Etc::sourcelist=sources.list.d/x.list && apt-get install -y git\n",
            None,
            "the later refresh reads only one source",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && echo done\nRUN apt-get update && apt-get install -y git\n",
            None,
            "the RUN does something besides refreshing",
        ),
        Invalid(
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n"
            "RUN apt-get update && apt-get install -y git\n",
            None,
            "a mount",
        ),
        Invalid(
            "FROM debian AS base\nRUN apt-get update\nFROM base\nRUN apt-get update && apt-get install -y git\n",
            None,
            "the later refresh is in another stage: a child stage or image may read the lists",
        ),
        Invalid("FROM debian\nRUN apt-get update\n", None, "nothing later refreshes: the image keeps the lists"),
        Invalid(
            "FROM alpine:3.20\nRUN apk update\nRUN apk update && apk add curl\n",
            None,
            "only apt's lists are removed",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            commands = view.model.commands
            removal = _removal(context, view)
            for command in commands:
                refresh = package_command(command)
                if refresh is None or not is_refresh(refresh) or refresh_used(commands, refresh):
                    continue
                spelled = " ".join(w.value or w.text for w in refresh.program_words + refresh.subcommand_words)
                message = (
                    f"`{spelled}` without an install in the same RUN: the index is cached with this layer "
                    "and goes stale in the build cache; refresh and install in one RUN"
                )
                where = view.span(command.start, command.end)
                marker = view.model.trailing_comment
                if removal is not None and marker is not None:
                    key = marker.text.strip()
                    note = (f"not removed: its comment (`{key}`) may be the key the author changes to refresh the "
                            "lists and rebuild the steps after it (a cache bust)")
                    yield self.diagnostic(where, message, note=note)
                    removal = None
                    continue
                if removal is None:
                    yield self.diagnostic(where, message, note="merge it with the RUN that installs (DF100)")
                    continue
                later, edit = removal
                yield self.diagnostic(
                    where, message, (edit,),
                    title=f"remove the RUN: the RUN on line {later.start_line} refreshes the lists before any use",
                )
                removal = None  # one fix per RUN; the RUN's other refreshes go with it


def _removal(context: Context, view: RunView) -> tuple[Instruction, Edit] | None:
    """The later RUN that makes ``view``'s refresh useless, and the edit deleting ``view``'s RUN; None when unsafe."""
    later = refreshed_later(context, view)
    return None if later is None else (later, _deletion(context.tree, view.run))


def _deletion(tree: Dockerfile, run: Run) -> Edit:
    """The edit deleting ``run``, with the comment lines right above it when the two stand alone as a paragraph.

    ``# Update the lists`` above a ``RUN apt-get update`` followed by a blank
    line speaks of that RUN only, and would be left describing nothing; a
    comment followed by more instructions speaks of them too and stays. When
    blank lines were on both sides, one goes with the paragraph.
    """
    items = tree.items
    index = next(position for position, item in enumerate(items) if item is run)
    first = index
    after = items[index + 1] if index + 1 < len(items) else None
    if after is None or isinstance(after, BlankLine):
        while first > 0 and isinstance(items[first - 1], Comment):
            first -= 1
    start, end = items[first].span.start, run.span.end
    before = items[first - 1] if first > 0 else None
    if isinstance(after, BlankLine) and (before is None or isinstance(before, BlankLine)):
        end = after.span.end
    return Edit(start, end, "")

