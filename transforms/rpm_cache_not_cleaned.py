"""DF212 rpm-cache-not-cleaned: yum/dnf/microdnf installs leave their cache in the image."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, ImageEffects, Invalid, RunScript, RunView, Safety, Valid
from dfix.shell import PackageCommand, has_option, package_commands

from ._cleanup import CacheCleanupRule, first_consumer, removes, where

#: The cache folders each tool writes, and the ones a `rm -rf` of which counts as its cleanup.
#: (On RHEL 8+ ``yum`` is dnf and writes /var/cache/dnf; ``dnf`` on Fedora 41+ is dnf5.)
CACHE_DIRS: dict[str, tuple[str, ...]] = {
    "yum": ("/var/cache/yum", "/var/cache/dnf"),
    "dnf": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"),
    "dnf5": ("/var/cache/libdnf5",),
    "microdnf": ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"),
    "tdnf": ("/var/cache/tdnf",),
}
#: What the fix appends after ``<tool> clean all``.
_ALSO_REMOVE = {"yum": "/var/cache/yum", "dnf": "/var/cache/dnf"}
_FILLING = frozenset({"install", "upgrade", "dist-upgrade"})


def fills_cache(invocation: PackageCommand) -> bool:
    """install/reinstall/groupinstall/localinstall/module install, update/upgrade, distro-sync."""
    return invocation.family == "rpm" and invocation.action in _FILLING


def cleans_all(invocation: PackageCommand, tool: str) -> bool:
    """``<tool> clean all``."""
    return invocation.manager == tool and invocation.subcommand == "clean" and any(
        word.value == "all" for word in invocation.operands
    )


def cache_only(invocation: PackageCommand) -> bool:
    """``-C``/``--cacheonly``: runs from the cache alone, so it needs what the fix deletes."""
    if invocation.family != "rpm":
        return False
    if has_option(invocation, "-C", "--cacheonly"):
        return True
    return any(
        option.matches("--setopt") and (option.argument or "").replace(" ", "").lower() in ("cacheonly=1", "cacheonly=true", "cacheonly=all", "cacheonly=metadata")
        for option in invocation.options
    )


def uses_cache_only(view: RunView) -> bool:
    if view.model is None:
        return re.search(r"(?<![\w-])(-C|--cacheonly)\b", view.text) is not None and re.search(
            r"(?<![\w/.-])(yum|dnf5?|microdnf|tdnf)\s", view.text
        ) is not None
    return any(cache_only(invocation) for invocation in package_commands(view.model))


class RpmCacheNotCleaned(CacheCleanupRule):
    """Clean the yum/dnf/microdnf/tdnf cache in the RUN that installed packages.

    ``yum install``, ``dnf install`` (also reinstall, groupinstall,
    update/upgrade ...) download repository metadata and packages into
    ``/var/cache/yum``, ``/var/cache/dnf`` or ``/var/cache/libdnf5``; unless
    the same RUN cleans it, it stays in the layer. The fix appends ``&&
    <tool> clean all`` after the RUN's last top-level command (for ``yum``
    and ``dnf`` also ``rm -rf /var/cache/yum`` resp. ``/var/cache/dnf``,
    which ``clean all`` leaves partly behind), in the file's style.

    Safe: metadata is downloaded again on demand, so later installs keep
    working. Not reported when a ``<tool> clean all`` or an ``rm -rf`` of
    the tool's cache folder follows the last install, or when a cache or
    tmpfs mount holds that folder. Reported without a fix when a later RUN
    (stage, stages built ``FROM`` it, ONBUILD triggers) runs ``-C``/
    ``--cacheonly``, which needs the cache; when an appended command would be
    swallowed or change what fails (a shell comment ending a RUN of several lines, ``|| true``,
    ``&``, ``exit``); and in exec-form or heredoc RUNs. When the
    install runs through ``sudo``/``doas`` (a non-root ``USER``), so does the
    cleanup; ONBUILD triggers get the append without reasoning about the
    downstream build.
    """

    code = "DF212"
    name = "rpm-cache-not-cleaned"
    summary = "yum/dnf/microdnf install without `<tool> clean all` in the same RUN"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=("/var/cache/yum/*", "/var/cache/dnf/*", "/var/lib/dnf/*"))
    aliases = ("DL3032", "DL3040")

    valid = (
        Valid("FROM centos:7\nRUN yum install -y httpd && yum clean all\n"),
        Valid("FROM fedora:40\nRUN dnf -y install git && dnf clean all && rm -rf /var/cache/dnf\n"),
        Valid("FROM fedora:40\nRUN dnf -y install git && rm -rf /var/cache/dnf/*\n", "rm of the cache folder counts"),
        Valid("FROM fedora:41\nRUN dnf5 -y install git && rm -rf /var/cache/libdnf5*\n"),
        Valid("FROM centos:7\nRUN yum install -y a && rm -rf /var/cache/{yum,dnf}\n", "brace expansion"),
        Valid("FROM registry.access.redhat.com/ubi9-minimal\nRUN microdnf install -y git && microdnf clean all\n"),
        Valid("FROM photon\nRUN tdnf install -y git && tdnf clean all\n"),
        Valid(
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf -y install git\n",
            "the cache lives in a cache mount",
        ),
        Valid("FROM centos:7\nRUN --mount=type=tmpfs,target=/var/cache yum -y install git\n", "tmpfs on a parent folder"),
        Valid(
            "FROM rockylinux:9\nRUN --mount=type=cache,target=/var/cache/dnf yum -y install git\n",
            "yum is dnf on EL8+: a cache mount on its folder counts",
        ),
        Valid("FROM centos:7\nRUN yum -y remove git\n", "remove does not fill the cache"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN yum install -y git\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM centos:7\nRUN yum install -y httpd\n",
            "FROM centos:7\nRUN yum install -y httpd && yum clean all && rm -rf /var/cache/yum\n",
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf -y upgrade && \\\n    dnf -y install \\\n        git \\\n        make\n",
            "FROM fedora:40\nRUN dnf -y upgrade && \\\n    dnf -y install \\\n        git \\\n        make && \\\n    dnf clean all && rm -rf /var/cache/dnf\n",
            "multi-line, trailing `&&`",
        ),
        Invalid(
            "FROM registry.access.redhat.com/ubi9-minimal\nRUN microdnf install -y git \\\n    && microdnf update -y\n",
            "FROM registry.access.redhat.com/ubi9-minimal\nRUN microdnf install -y git \\\n    && microdnf update -y \\\n    && microdnf clean all\n",
            "multi-line, leading `&&`",
        ),
        Invalid(
            "FROM fedora:41\r\nRUN dnf5 -y install git\r\n",
            "FROM fedora:41\r\nRUN dnf5 -y install git && dnf5 clean all\r\n",
            "dnf5, CRLF",
        ),
        Invalid(
            "FROM photon\nRUN set -eux; tdnf install -y git; tdnf info git\n",
            "FROM photon\nRUN set -eux; tdnf install -y git; tdnf info git; tdnf clean all\n",
            "a `set -e` list",
        ),
        Invalid(
            "FROM centos:7\nRUN sudo yum groupinstall -y 'Development Tools' && yum clean packages\n",
            "FROM centos:7\nRUN sudo yum groupinstall -y 'Development Tools' && yum clean packages && sudo yum clean all && sudo rm -rf /var/cache/yum\n",
            "through sudo, so the cleanup too; `clean packages` leaves the metadata",
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf install -y git && yum clean all\n",
            "FROM fedora:40\nRUN dnf install -y git && yum clean all && dnf clean all && rm -rf /var/cache/dnf\n",
            "a different tool's clean does not count",
        ),
        Invalid(
            "# escape=`\nFROM centos:7\nRUN yum install -y git && `\n    yum install -y make\n",
            "# escape=`\nFROM centos:7\nRUN yum install -y git && `\n    yum install -y make && `\n    yum clean all && rm -rf /var/cache/yum\n",
            "backtick escape, POSIX shell",
        ),
        Invalid(
            "FROM centos:7\nRUN --mount=type=cache,target=/root/.cache yum install -y git\n",
            "FROM centos:7\nRUN --mount=type=cache,target=/root/.cache yum install -y git && yum clean all && rm -rf /var/cache/yum\n",
            "a cache mount elsewhere does not count",
        ),
        Invalid(
            "FROM centos:7\nONBUILD RUN yum install -y git\n",
            "FROM centos:7\nONBUILD RUN yum install -y git && yum clean all && rm -rf /var/cache/yum\n",
            "an ONBUILD trigger's script may be appended to",
        ),
        Invalid(
            "FROM centos:7\nRUN yum install -y git\nRUN yum -C list installed\n",
            None,
            "a later RUN runs from the cache alone",
        ),
        Invalid(
            "FROM fedora:40 AS base\nRUN dnf install -y git\n\nFROM base\nRUN dnf --cacheonly list --installed\n",
            None,
            "a child stage runs from the cache alone",
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf install -y git # tools\n",
            "FROM fedora:40\nRUN dnf install -y git && dnf clean all && rm -rf /var/cache/dnf # tools\n",
            "a one-line RUN that ends in a shell comment: the cleanup goes in before the comment",
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf install -y \\\n    git # tools\n",
            None,
            "a shell comment ends the last of several lines",
        ),
        Invalid("FROM fedora:40\nRUN dnf install -y git || true\n", None, "`|| true` at the end"),
        Invalid('FROM fedora:40\nRUN ["dnf", "install", "-y", "git"]\n', None, "exec form"),
        Invalid("FROM fedora:40\nRUN <<EOF\ndnf install -y git\nEOF\n", None, "heredoc RUN"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            invocations = package_commands(view.model)
            installs: dict[str, PackageCommand] = {}
            for invocation in invocations:
                if fills_cache(invocation):
                    installs[invocation.manager] = invocation  # the last one per tool
            for tool, last in installs.items():
                tool_installs = [i.command for i in invocations if i.manager == tool and fills_cache(i)]
                directories = CACHE_DIRS[tool]
                if view.mount_covers(*directories):
                    continue
                if removes(view.model, directories, after=last.end) or any(
                    cleans_all(invocation, tool) and invocation.start > last.end for invocation in invocations
                ):
                    continue
                yield self._diagnostic(context, view, tool, last, tool_installs)

    def _diagnostic(self, context: Context, view: RunView, tool: str, last: PackageCommand, commands) -> Diagnostic:
        cleanup = f"{tool} clean all"

        def consumer() -> str | None:
            found = first_consumer(context, view.run, uses_cache_only)
            return None if found is None else f"the RUN at {where(context, found)} runs from the cache alone (`-C`/`--cacheonly`)"

        def appended(prefix: str, script: RunScript) -> str:
            text = prefix + cleanup
            if tool in _ALSO_REMOVE:
                text = f"{text} {script.separator} {prefix}rm -rf {_ALSO_REMOVE[tool]}"
            return text

        return self.cleanup_finding(
            context, view, view.span(last.start, last.end),
            f"`{tool} {last.subcommand}` without `{cleanup}` in the same RUN leaves the {tool} cache in the image",
            cleanup, commands, title=f"add `{tool} clean all`", consumer=consumer, appended=appended,
        )
