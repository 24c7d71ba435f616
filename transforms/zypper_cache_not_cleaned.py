"""DF214 zypper-cache-not-cleaned: ``zypper install`` leaves its package cache in the image."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, ImageEffects, Invalid, Safety, Valid
from dfix.shell import PackageCommand, package_commands

from ._cleanup import CacheCleanupRule, removes

CACHE = "/var/cache/zypp"
CLEANUP = "zypper clean"


def installs(invocation: PackageCommand) -> bool:
    """``zypper install`` / ``zypper in``."""
    return invocation.manager == "zypper" and invocation.subcommand == "install"


def cleans(invocation: PackageCommand) -> bool:
    """``zypper clean`` / ``zypper cc``, with any options."""
    return invocation.manager == "zypper" and invocation.subcommand == "clean"


class ZypperCacheNotCleaned(CacheCleanupRule):
    """Run ``zypper clean`` in the RUN that ran ``zypper install``.

    ``zypper install`` keeps what it downloads under ``/var/cache/zypp``;
    unless the same RUN cleans it, it stays in the layer. The fix appends
    ``&& zypper clean`` after the RUN's last top-level command, in the
    file's style. Safe: ``zypper clean`` only drops downloaded packages.
    ``zypper clean --all`` would also drop the repository metadata, and
    repositories with autorefresh off may then refuse later installs, so
    the fix never offers it.

    Not reported when ``zypper clean``/``cc`` (any options) or an ``rm -rf``
    of ``/var/cache/zypp`` follows the last install, or when a cache or tmpfs
    mount holds ``/var/cache/zypp``. Reported without a fix when an appended
    command would be swallowed or change what fails (a shell comment ending a
    RUN of several lines, ``|| true``, ``&``, ``exit``), and in exec-form or
    heredoc RUNs.
    When the install runs through ``sudo``/``doas``, so does the cleanup.
    """

    code = "DF214"
    name = "zypper-cache-not-cleaned"
    summary = "`zypper install` without `zypper clean` in the same RUN"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=("/var/cache/zypp/*",))
    aliases = ("DL3036",)

    valid = (
        Valid("FROM opensuse/leap\nRUN zypper -n install git && zypper clean\n"),
        Valid("FROM opensuse/leap\nRUN zypper --non-interactive in git && zypper cc -a\n", "`cc` with --all"),
        Valid("FROM opensuse/leap\nRUN zypper -n in git && rm -rf /var/cache/zypp/*\n", "rm of the cache folder counts"),
        Valid(
            "FROM opensuse/leap\nRUN --mount=type=cache,target=/var/cache/zypp zypper -n install git\n",
            "the cache lives in a cache mount",
        ),
        Valid("FROM opensuse/leap\nRUN --mount=type=tmpfs,dst=/var/cache zypper -n install git\n", "tmpfs on a parent folder"),
        Valid("FROM opensuse/leap\nRUN zypper -n refresh\n", "no install"),
        Valid("FROM opensuse/leap\nRUN zypper -n remove git\n"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN zypper install git\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM opensuse/leap\nRUN zypper -n install git\n",
            "FROM opensuse/leap\nRUN zypper -n install git && zypper clean\n",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper --non-interactive refresh && \\\n    zypper --non-interactive in \\\n        git \\\n        make\n",
            "FROM opensuse/leap\nRUN zypper --non-interactive refresh && \\\n    zypper --non-interactive in \\\n        git \\\n        make && \\\n    zypper clean\n",
            "multi-line, trailing `&&`",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper ref \\\n    && zypper -n in git\n",
            "FROM opensuse/leap\nRUN zypper ref \\\n    && zypper -n in git \\\n    && zypper clean\n",
            "multi-line, leading `&&`",
        ),
        Invalid(
            "FROM opensuse/leap\r\nRUN set -eux; zypper -n in git; git --version\r\n",
            "FROM opensuse/leap\r\nRUN set -eux; zypper -n in git; git --version; zypper clean\r\n",
            "a `set -e` list, CRLF",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN sudo zypper -n in git && zypper clean && zypper -n in make\n",
            "FROM opensuse/leap\nRUN sudo zypper -n in git && zypper clean && zypper -n in make && sudo zypper clean\n",
            "through sudo, so the cleanup too; a clean before the last install does not count",
        ),
        Invalid(
            "# escape=`\nFROM opensuse/leap\nRUN zypper -n in git && `\n    git --version\n",
            "# escape=`\nFROM opensuse/leap\nRUN zypper -n in git && `\n    git --version && `\n    zypper clean\n",
            "backtick escape, POSIX shell",
        ),
        Invalid(
            "FROM opensuse/leap\nONBUILD RUN zypper -n in git\n",
            "FROM opensuse/leap\nONBUILD RUN zypper -n in git && zypper clean\n",
            "an ONBUILD trigger's script may be appended to",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN --mount=type=cache,target=/root/.cache zypper -n in git\n",
            "FROM opensuse/leap\nRUN --mount=type=cache,target=/root/.cache zypper -n in git && zypper clean\n",
            "a cache mount elsewhere does not count",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper -n in git # tools\n",
            "FROM opensuse/leap\nRUN zypper -n in git && zypper clean # tools\n",
            "a one-line RUN that ends in a shell comment: the cleanup goes in before the comment",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper -n in \\\n    git # tools\n",
            None,
            "a shell comment ends the last of several lines",
        ),
        Invalid("FROM opensuse/leap\nRUN zypper -n in git || true\n", None, "`|| true` at the end"),
        Invalid('FROM opensuse/leap\nRUN ["zypper", "-n", "in", "git"]\n', None, "exec form"),
        Invalid("FROM opensuse/leap\nRUN <<EOF\nzypper -n in git\nEOF\n", None, "heredoc RUN"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            invocations = package_commands(view.model)
            found = [invocation for invocation in invocations if installs(invocation)]
            if not found:
                continue
            last = found[-1]
            if view.mount_covers(CACHE):
                continue
            if removes(view.model, (CACHE,), after=last.end) or any(
                cleans(invocation) and invocation.start > last.end for invocation in invocations
            ):
                continue
            yield self.cleanup_finding(
                context, view, view.span(last.start, last.end),
                f"`zypper install` without `{CLEANUP}` in the same RUN leaves the package cache in the image",
                CLEANUP, [invocation.command for invocation in found], title="add `zypper clean`",
            )
