"""DF200 apt-lists-not-removed: ``apt-get update`` leaves the package lists in the image."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, ImageEffects, Invalid, Safety, Valid
from dfix.shell import SimpleCommand, package_command

from ._apt import CLEANUP, LISTS, consumes_lists, lists_need, refreshes_lists
from ._cleanup import NESTED, CacheCleanupRule, first_consumer, removes, where
from ._refresh import refresh_used

#: Mount targets that hold the lists: a cache or tmpfs there keeps them out of the image.
_LIST_PATHS = (LISTS,)


def _distclean(command: SimpleCommand) -> bool:
    invocation = package_command(command)
    return invocation is not None and invocation.family == "apt" and invocation.subcommand in ("distclean", "dist-clean")


class AptListsNotRemoved(CacheCleanupRule):
    """Remove ``/var/lib/apt/lists`` in the RUN that ran ``apt-get update``.

    ``apt-get update`` downloads the package lists (tens of megabytes) into
    ``/var/lib/apt/lists``; unless the same RUN deletes them, they stay in
    that layer for good. NodeSource's setup script piped into a shell
    (``curl -sL https://deb.nodesource.com/setup_20.x | bash -``) runs
    ``apt-get update`` too, and counts as one. The fix appends ``&& rm -rf /var/lib/apt/lists/*``
    after the RUN's last top-level command, in the file's style (same line,
    or a new continuation line with the RUN's indent and ``&&`` placement,
    its escape character and line endings; ``;`` in a ``set -e`` list).

    Reported only for stages that reach the final image or are the base of
    another stage (a builder stage that is only copied from does not ship
    its lists), and not when a cache or tmpfs mount holds the lists.

    Safe with a guard: deleting the lists changes only the package index,
    unless something later reads it. So the fix is withheld (reported
    without a fix, with a note) when a later RUN of the stage, of a stage
    built ``FROM`` it, or an ONBUILD trigger runs ``apt-get install`` (or
    source/build-dep/download, ``apt-cache``) without its own ``update``
    first, or runs a script that does (read from the build context) or may
    (one the file does not show, named as an installer: ``./install_deps.sh``);
    when the RUN installs nothing from the lists (``RUN apt-get update`` on
    its own: downloading the lists only to delete them would be a step that
    does nothing, DF204's finding); when the ``update`` runs inside
    ``if``/a loop/a function/a subshell; when an appended command would be swallowed or change what
    fails (a shell comment ending a RUN of several lines, ``|| true``, ``&``,
    ``exit``; on a one-line RUN the command goes in before the comment); and in
    exec-form or heredoc RUNs. An ONBUILD trigger's own script may
    be appended to, with no reasoning about the unknown downstream build.
    When the update runs through ``sudo``/``doas`` (a non-root ``USER``), the
    appended ``rm`` does too; through ``gosu``/``su-exec`` or ``sudo -u``
    there is no fix.
    """

    code = "DF200"
    name = "apt-lists-not-removed"
    summary = "`apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same RUN"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=("/var/lib/apt/lists/*",))
    aliases = ("DL3009",)

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"),
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl && rm -fr /var/lib/apt/lists\n", "-fr, no glob"),
        Valid(
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -r -f /var/lib/apt/lists/\n",
            "separate -r -f and a trailing slash",
        ),
        Valid("FROM debian\nRUN apt update && apt install -y curl && rm --recursive --force /var/lib/apt/lists/*\n"),
        Valid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl && find /var/lib/apt/lists -type f -delete\n",
            "find ... -delete counts",
        ),
        Valid(
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y curl\n",
            "the lists live in a cache mount",
        ),
        Valid(
            "FROM debian\nRUN --mount=type=cache,dst=/var/lib/apt/lists apt-get update && apt-get install -y curl\n",
            "dst is an alias of target",
        ),
        Valid(
            "FROM debian\nRUN --mount=type=tmpfs,destination=/var/lib/apt apt-get update && apt-get install -y curl\n",
            "a tmpfs mount",
        ),
        Valid(
            "FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\n\nFROM scratch\nCOPY --from=build /out /out\n",
            "a builder stage that is only copied from does not ship its lists",
        ),
        Valid(
            "FROM debian AS build\nONBUILD RUN apt-get update && apt-get install -y gcc\n\nFROM scratch\nCOPY --from=build /out /out\n",
            "an ONBUILD trigger of a stage that is never shipped never runs",
        ),
        Valid("FROM debian\nRUN apt-get install -y curl\n", "no update"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get update\n',
            "not a POSIX shell",
        ),
        Valid("FROM debian\nRUN echo apt-get update\n", "only an argument"),
        Valid(
            "FROM debian\nRUN python3 <<EOF\nimport subprocess\nsubprocess.run(['apt-get', 'update'])\nEOF\n",
            "a heredoc fed to python is not shell",
        ),
        Valid(
            "FROM debian\nRUN <<EOF\n#!/usr/bin/env python3\nprint('apt-get update')\nEOF\n",
            "a heredoc with a non-shell shebang",
        ),
        Valid(
            "FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
            "the removal after the update is what counts",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        ),
        Invalid(
            "FROM node:20\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs\n",
            "FROM node:20\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs "
            "&& rm -rf /var/lib/apt/lists/*\n",
            "NodeSource's setup script downloads the lists (it runs `apt-get update`)",
            message="NodeSource's setup script, which runs `apt-get update`, without `rm -rf /var/lib/apt/lists/*` in "
            "the same RUN leaves the package lists in the image",
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\n"
            "RUN curl -fsSL https://example.com/deps.tar.gz | tar -xzC /opt\nWORKDIR /opt/deps\n"
            "RUN ./install_dependencies.sh\n",
            None,
            "a later RUN runs a script the file does not show, named as an installer: it may install from the lists",
            message="`apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same RUN leaves the package lists "
            "in the image",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y make\nCOPY install.sh /src/\nRUN sh /src/install.sh\n",
            "FROM debian\nRUN apt-get update && apt-get install -y make && rm -rf /var/lib/apt/lists/*\n"
            "COPY install.sh /src/\nRUN sh /src/install.sh\n",
            "the script, read from the build context, installs nothing with apt",
            context={"install.sh": "#!/bin/sh\nset -e\nmake -C /src install\n"},
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y make\nCOPY install.sh /src/\nRUN sh /src/install.sh\n",
            None,
            "the script, read from the build context, installs from the lists without a refresh",
            context={"install.sh": "#!/bin/sh\nset -e\napt-get install -y libssl-dev\nmake -C /src install\n"},
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl git\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl git && \\\n    rm -rf /var/lib/apt/lists/*\n",
            "multi-line, trailing `&&`",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update \\\n  && apt-get install -y \\\n       curl \\\n       git\n",
            "FROM debian\nRUN apt-get update \\\n  && apt-get install -y \\\n       curl \\\n       git \\\n  && rm -rf /var/lib/apt/lists/*\n",
            "multi-line, leading `&&`",
        ),
        Invalid(
            "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\n",
            "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get install -y curl && \\\r\n    rm -rf /var/lib/apt/lists/*\r\n",
            "CRLF kept",
        ),
        Invalid(
            "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install -y curl\n",
            "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install -y curl && `\n    rm -rf /var/lib/apt/lists/*\n",
            "backtick escape, POSIX shell: continuation uses the file's escape",
        ),
        Invalid(
            "# escape=`\nFROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN apt-get update && apt-get install -y curl\n",
            "# escape=`\nFROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "a backtick escape with a POSIX SHELL is still POSIX",
        ),
        Invalid(
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y curl\n",
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y curl; \\\n    rm -rf /var/lib/apt/lists/*\n",
            "a `set -e` list continues with `;`",
        ),
        Invalid(
            "FROM debian\nRUN sudo -E env DEBIAN_FRONTEND=noninteractive apt-get update && sudo apt-get install -y curl\n",
            "FROM debian\nRUN sudo -E env DEBIAN_FRONTEND=noninteractive apt-get update && sudo apt-get install -y curl && sudo rm -rf /var/lib/apt/lists/*\n",
            "through sudo and env: the cleanup runs with sudo too (a non-root USER needs it)",
        ),
        Invalid(
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get update && apt-get install -y curl\n",
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "through env",
        ),
        Invalid(
            "FROM debian\nRUN gosu root apt-get update && gosu root apt-get install -y curl\n",
            None,
            "run as another user: no fix",
        ),
        Invalid(
            "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl\n",
            "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "a cache mount on /var/cache/apt does not hold the lists",
        ),
        Invalid(
            "FROM debian AS base\nRUN apt-get update && apt-get install -y curl\n\nFROM base\nCMD [\"curl\"]\n",
            "FROM debian AS base\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n\nFROM base\nCMD [\"curl\"]\n",
            "a base stage of another stage",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n",
            "the later install refreshes its own lists",
        ),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get update && apt-get install -y curl\n",
            "FROM debian\nONBUILD RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "an ONBUILD trigger's own script may be appended to",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\n",
            None,
            "a later RUN installs without its own update: it still needs the lists",
        ),
        Invalid(
            "FROM debian AS base\nRUN apt-get update\n\nFROM base\nRUN apt-cache policy curl\n",
            None,
            "a child stage reads the lists",
        ),
        Invalid(
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y python3\nRUN apt-get remove -y build-essential\n",
            None,
            "removing a package that may not be installed needs the lists (without them apt cannot locate it)",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y gnupg wget && wget -qO- https://example.com/key | "
            "gpg --dearmor > /usr/share/keyrings/example.gpg\nRUN apt-get purge -y --auto-remove gnupg wget\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y gnupg wget && wget -qO- https://example.com/key | "
            "gpg --dearmor > /usr/share/keyrings/example.gpg && rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get purge -y --auto-remove gnupg wget\n",
            "removing packages the file installed reads no lists: apt finds them in its own records",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
            "RUN rm -rf /var/lib/apt/lists/* && apt-get purge -y --auto-remove $BUILD_DEPS\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
            "RUN rm -rf /var/lib/apt/lists/* && apt-get purge -y --auto-remove $BUILD_DEPS\n",
            "the later RUN deletes the lists before its purge: it cannot read them",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl\nONBUILD RUN apt-get install -y git\n",
            None,
            "an ONBUILD trigger would read the lists downstream",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN if true; then apt-get update; fi && apt-get install -y git\n",
            None,
            "the later update is conditional, so the install may read the old lists",
        ),
        Invalid(
            "FROM debian\nRUN if [ -n \"$X\" ]; then apt-get update && apt-get install -y curl; fi\n",
            None,
            "the update sits inside an if",
        ),
        Invalid(
            "FROM debian\nRUN f() { apt-get update && apt-get install -y \"$@\"; } && f curl\n",
            None,
            "the update sits inside a function",
        ),
        Invalid(
            "FROM debian\nRUN for i in 1 2 3; do apt-get update && break; done && apt-get install -y curl\n",
            None,
            "the update sits inside a loop",
        ),
        Invalid(
            "FROM debian AS base\nRUN apt-get update && apt-get install -y dpkg-dev\n\nFROM base\nRUN apt-get source --download-only hello\n",
            None,
            "`apt-get source` in a child stage reads the lists",
        ),
        Invalid(
            "FROM debian\nRUN (apt-get update && apt-get install -y curl)\n",
            None,
            "the update sits inside a subshell",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl # tools\n",
            "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # tools\n",
            "a one-line RUN that ends in a shell comment: the cleanup goes in before the comment",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl # tools\n",
            None,
            "the comment ends the last of several lines: moved to a new line it would explain the cleanup",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y curl || true\n",
            None,
            "`|| true` at the end",
        ),
        Invalid("FROM debian\nRUN apt-get update && exit 0\n", None, "ends with exit"),
        Invalid("FROM debian\nRUN apt-get update &\n", None, "ends with a background job"),
        Invalid(
            "FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n",
            None,
            "heredoc RUN: reported, never rewritten",
        ),
        Invalid('FROM debian\nRUN ["apt-get", "update"]\n', None, "exec form is never rewritten"),
        Invalid(
            "FROM debian\nRUN apt-get update -y\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            None,
            "an update nothing installs from: the cleanup would leave a RUN that does nothing",
        ),
        Invalid(
            'FROM debian\nRUN ["/bin/sh", "-c", "apt-get update && apt-get install -y curl"]\n',
            None,
            "exec form through sh -c: analysed, not rewritten",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            updates = [command for command in model.commands if refreshes_lists(command)]
            if not updates:
                continue
            run = view.run
            if view.mount_covers(*_LIST_PATHS):
                continue
            last = max(updates, key=lambda command: command.start)
            if removes(model, (LISTS,), after=last.end) or any(
                _distclean(command) and command.start > last.end for command in model.commands
            ):
                continue
            info = context.stage_of(run)
            if info is None or not context.ships(info):
                continue  # never shipped (an ONBUILD trigger there never runs downstream either)

            def nested(updates=updates, last=last, model=model) -> str | None:
                if any(not command.context.isdisjoint(NESTED) for command in updates):
                    return "the update runs inside an `if`, a loop, a function or a subshell; append the cleanup there by hand"
                refresh = package_command(last)
                if refresh is not None and not refresh_used(model.commands, refresh):
                    return ("this RUN installs nothing from the lists it downloads: deleting them after the update "
                            "would leave a step that does nothing; remove the update, or move it into the RUN that "
                            "installs")
                return None

            def consumer(run=run) -> str | None:
                found = first_consumer(context, run, lambda later: consumes_lists(later, context))
                if found is None:
                    return None
                return f"the RUN at {where(context, found)} {lists_need(context.run_view(found), context)}"

            yield self.cleanup_finding(
                context, view, view.span(last.start, last.end),
                f"{_spelled(last)} without `{CLEANUP}` in the same RUN leaves the package lists in the image",
                CLEANUP, updates, title="remove the apt lists", blocked=nested, consumer=consumer,
            )


def _spelled(command: SimpleCommand) -> str:
    if command.name in ("curl", "wget"):
        return "NodeSource's setup script, which runs `apt-get update`,"
    invocation = package_command(command)
    return f"`{invocation.manager if invocation is not None else 'apt-get'} update`"
