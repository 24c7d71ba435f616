"""DF233 zypper-unpinned: ``zypper install`` of packages without a version (hadolint's DL3037)."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.shell import PackageCommand, Word, option_values

from ._unpinned import PinSyntax, UnpinnedRule, contains_any, ends_with_any

#: ``curl=8.0.1``, ``'curl>=8'``, ``'curl<9'``; an ``.rpm`` file names one exact package.
ZYPPER = PinSyntax(
    how="`package=<version>`",
    pinned=contains_any("=", "<", ">"),
    exact=ends_with_any(".rpm"),
)


class ZypperUnpinned(UnpinnedRule):
    """``zypper install`` of packages without a version: each rebuild may install something else.

    **What** (hadolint's DL3037): ``zypper install``/``in`` naming a package
    without ``=``, ``>=``, ``<=``, ``>`` or ``<``; ``.rpm`` files count as
    pinned. Words installed as another type (``-t pattern devel_basis``,
    ``-t patch``, ``-t product``) are not packages and are not reported
    (hadolint reports them).

    **Fix:** none (report only): the version is the author's choice.

    One finding per command, naming its unpinned packages (hadolint: one per RUN).
    """

    code = "DF233"
    name = "zypper-unpinned"
    summary = "`zypper install` without package versions"
    aliases = ("DL3037",)
    syntax = ZYPPER

    valid = (
        Valid("FROM opensuse/leap:15.5\nRUN zypper --non-interactive install curl=8.0.1 'git>=2.35'\n"),
        Valid("FROM opensuse/leap:15.5\nRUN zypper -n in -t pattern devel_basis\n", "a pattern is not a package"),
        Valid("FROM opensuse/leap:15.5\nRUN zypper -n in /tmp/foo-1.0-1.x86_64.rpm\n"),
    )
    invalid = (
        Invalid(
            "FROM opensuse/leap:15.5\nRUN zypper -n in -y curl tar && zypper clean\n",
            message="`zypper in` of unpinned packages `curl`, `tar`: pin each version (`package=<version>`)",
            line=2, column=5,
        ),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.manager != "zypper" or invocation.subcommand != "install":
            return None
        if any(kind not in (None, "package") for kind in option_values(invocation, "-t", "--type")):
            return ()
        return invocation.packages
