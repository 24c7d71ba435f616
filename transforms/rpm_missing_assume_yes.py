"""DF211 rpm-missing-assume-yes: ``yum``/``dnf install`` without ``-y`` stops the build at a prompt."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Invalid, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand
from dfix.syntax import Run

from ._packages import Finding, PackageCommandRule, code_of, earlier_instructions

#: Actions that ask "Is this ok [y/N]" before changing the system.
_CONFIRMING = frozenset({"install", "remove", "upgrade", "dist-upgrade", "autoremove"})
#: ``microdnf`` is built for non-interactive use (it never prompted before version 3.8 and ignores
#: ``-y`` there): its findings are ``info``, the fix still harmless.
_QUIET_MANAGERS = frozenset({"microdnf"})
#: ``assumeyes=1`` (or True/yes) written to the yum/dnf configuration earlier answers every prompt.
_CONFIGURED = lazy_pattern(r"assumeyes\s*=\s*(1|true|yes|on)\b", re.IGNORECASE)
_CONFIG_FILE = lazy_pattern(r"/etc/(yum\.conf|dnf/dnf\.conf|yum/|dnf/)")


def assumes_yes(command: PackageCommand) -> bool:
    """``-y``, ``--assumeyes`` (any spelling of it), or ``--setopt=assumeyes=1``."""
    for option in command.options:
        if option.matches("-y") or option.name in ("--assumeyes", "--assume-yes", "--yes"):
            return True
        if option.name == "--setopt" and _CONFIGURED.fullmatch((option.argument or "").replace(" ", "")):
            return True
    return False


def _configured_earlier(context: Context, run: Run) -> bool:
    """An earlier RUN of the stage (or its ancestors) writes ``assumeyes=1`` into the yum/dnf config."""
    for other in earlier_instructions(context, run):
        if isinstance(other, Run):
            code = code_of(context, other)
            if _CONFIGURED.search(code) and _CONFIG_FILE.search(code):
                return True
    return False


class RpmMissingAssumeYes(PackageCommandRule):
    """Add ``-y`` to ``yum``/``dnf``/``tdnf`` commands that would ask for confirmation.

    **What.** ``yum``, ``dnf``, ``dnf5``, ``tdnf`` and ``microdnf`` installs,
    removals, upgrades (``update``/``upgrade``), distro-syncs and autoremoves
    without ``-y``/``--assumeyes`` (or ``--setopt=assumeyes=1``), unless an
    earlier RUN of the stage wrote ``assumeyes=1`` into ``/etc/yum.conf`` or
    ``/etc/dnf/dnf.conf``.

    **Why.** Without ``-y`` the command asks "Is this ok [y/N]"; a build has
    no terminal, reads end of input, and yum/dnf answer "no": the build fails
    with "Operation aborted". hadolint (DL3030 for yum, DL3038 for dnf and
    microdnf) checks only ``install``, ``groupinstall`` and ``localinstall``;
    ``yum update`` and ``yum remove`` prompt as well, so dfix reports them
    too. ``microdnf`` did not prompt before version 3.8 (its ``-y`` did
    nothing), so its findings are ``info``.

    **Fix** (safe): insert `` -y`` right after the subcommand. It only
    answers the prompt. Exec-form and heredoc RUNs are reported,
    not edited.
    """

    code = "DF211"
    name = "rpm-missing-assume-yes"
    summary = "`yum`/`dnf` install, remove or upgrade without `-y`"
    safety = Safety.SAFE
    aliases = ("DL3030", "DL3038")

    valid = (
        Valid("FROM centos:7\nRUN yum install -y httpd && yum clean all\n"),
        Valid("FROM fedora\nRUN dnf --assumeyes install git\n"),
        Valid("FROM fedora\nRUN dnf -qy install git\n", "combined short flags"),
        Valid("FROM fedora\nRUN dnf --setopt=assumeyes=True install git\n"),
        Valid("FROM centos:7\nRUN echo 'assumeyes=1' >> /etc/yum.conf\nRUN yum install httpd\n",
              "answered by the configuration"),
        Valid("FROM centos:7\nRUN yum makecache && yum clean all\n", "nothing to confirm"),
        Valid("FROM centos:7\nRUN yum list installed\n"),
        Valid('FROM centos:7\nRUN ["yum", "install", "-y", "httpd"]\n'),
    )
    invalid = (
        Invalid(
            "FROM centos:7\nRUN yum install httpd && yum clean all\n",
            "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
            message="`yum install` without `-y` waits for a confirmation no build can give",
            line=2, column=5,
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf -q groupinstall 'Development Tools'\n",
            "FROM fedora:40\nRUN dnf -q groupinstall -y 'Development Tools'\n",
        ),
        Invalid(
            "FROM fedora:40\nRUN dnf group install \\\n    'Development Tools'\n",
            "FROM fedora:40\nRUN dnf group install -y \\\n    'Development Tools'\n",
            "a two-word subcommand",
        ),
        Invalid(
            "FROM centos:7\nRUN yum update && yum remove vim-minimal\n",
            "FROM centos:7\nRUN yum update -y && yum remove -y vim-minimal\n",
            "upgrades and removals prompt too (hadolint checks only installs); one fix for the RUN",
        ),
        Invalid(
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install shadow-utils\n",
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y shadow-utils\n",
            "microdnf: reported as info, the fix is harmless",
        ),
        Invalid(
            "FROM centos:7\nONBUILD RUN yum install httpd\n",
            "FROM centos:7\nONBUILD RUN yum install -y httpd\n",
            "token-local edits inside ONBUILD triggers are fine",
        ),
        Invalid('FROM centos:7\nRUN ["yum", "install", "httpd"]\n', None, "exec form: reported, never rewritten"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for diagnostic in super().check(context):
            if diagnostic.message.startswith("`microdnf"):
                diagnostic = msgspec.structs.replace(diagnostic, severity="info")
            yield diagnostic

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        configured: bool | None = None
        for command in commands:
            if command.family != "rpm" or command.action not in _CONFIRMING or assumes_yes(command):
                continue
            if configured is None:
                configured = _configured_earlier(context, view.parent or view.run)
            if configured:
                return
            message = f"`{command.manager} {command.subcommand}` without `-y` waits for a confirmation no build can give"
            where = view.span(command.start, command.end)
            blocked = self.report_only(view)
            if blocked is not None:
                yield Finding(where, message, note=f"not fixed: {blocked}")
                continue
            yield Finding(where, message, (view.script.insert(command.insert_offset, " -y"),), Safety.SAFE,
                          title="add `-y`")
