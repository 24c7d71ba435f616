"""DF213 zypper-non-interactive: ``zypper install`` without ``--non-interactive`` stops at a prompt."""

from __future__ import annotations

from typing import Iterable

from dfix.engine import Context, Invalid, RunView, Safety, Valid
from dfix.shell import PackageCommand

from ._packages import Finding, PackageCommandRule

#: Subcommands (canonical spelling) that ask for a confirmation.
_CONFIRMING = frozenset({"install", "source-install", "remove", "patch", "update", "dist-upgrade"})


def non_interactive(command: PackageCommand) -> bool:
    """Global ``-n``/``--non-interactive`` before the subcommand, or ``-y``/``--no-confirm`` after it."""
    if any(option.matches("-n") or option.name == "--non-interactive" for option in command.options_before_subcommand()):
        return True
    limit = command.subcommand_words[-1].end if command.subcommand_words else 0
    return any(
        option.start > limit and (option.matches("-y") or option.name == "--no-confirm") for option in command.options
    )


class ZypperNonInteractive(PackageCommandRule):
    """Add ``--non-interactive`` to ``zypper`` commands that would ask for confirmation.

    **What.** ``zypper install``/``in``, ``remove``/``rm``,
    ``source-install``/``si``, ``patch``, ``update``/``up`` and
    ``dist-upgrade``/``dup`` without the global ``-n``/``--non-interactive``
    (before the subcommand) or the command's ``-y``/``--no-confirm``.

    **Why.** zypper asks "Continue? [y/n/v/...? shows all options] (y)"; a
    build has no terminal, so the answer is end of input and the build fails
    or hangs. hadolint's DL3034 (2.15) agrees on every form it checks; it
    skips ``update`` and ``dist-upgrade``, which prompt just the same, so
    dfix reports those too.

    **Fix** (safe): insert the global `` --non-interactive`` right after
    ``zypper``. Unlike ``-y``, it also answers the other questions zypper may
    ask (a problem resolution, a package conflict) with their default.
    """

    code = "DF213"
    name = "zypper-non-interactive"
    summary = "`zypper install` (and other confirming subcommands) without `--non-interactive`"
    safety = Safety.SAFE
    aliases = ("DL3034",)

    valid = (
        Valid("FROM opensuse/leap\nRUN zypper --non-interactive install curl && zypper clean\n"),
        Valid("FROM opensuse/leap\nRUN zypper -n in curl && zypper clean\n", "the global -n"),
        Valid("FROM opensuse/leap\nRUN zypper install -y curl && zypper clean\n"),
        Valid("FROM opensuse/leap\nRUN zypper in --no-confirm curl && zypper clean\n"),
        Valid("FROM opensuse/leap\nRUN zypper refresh\n", "nothing to confirm"),
        Valid("FROM opensuse/leap\nRUN zypper -q search curl\n"),
    )
    invalid = (
        Invalid(
            "FROM opensuse/leap:15.6\nRUN zypper install curl && zypper clean\n",
            "FROM opensuse/leap:15.6\nRUN zypper --non-interactive install curl && zypper clean\n",
            message="`zypper install` without `--non-interactive` waits for a confirmation no build can give",
            line=2, column=5,
        ),
        Invalid(
            "FROM opensuse/leap:15.6\nRUN zypper --quiet ref && zypper in -l curl\n",
            "FROM opensuse/leap:15.6\nRUN zypper --quiet ref && zypper --non-interactive in -l curl\n",
            "only the confirming command",
        ),
        Invalid(
            "FROM opensuse/tumbleweed\nRUN zypper dup && zypper rm -u vim\n",
            "FROM opensuse/tumbleweed\nRUN zypper --non-interactive dup && zypper --non-interactive rm -u vim\n",
            "every confirming command of the RUN in one fix",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper in -n curl\n",
            "FROM opensuse/leap\nRUN zypper --non-interactive in -n curl\n",
            "after the subcommand `-n` is not the global switch",
        ),
        Invalid('FROM opensuse/leap\nRUN ["zypper", "install", "curl"]\n', None, "exec form: reported, never rewritten"),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        for command in commands:
            if command.manager != "zypper" or command.subcommand not in _CONFIRMING or non_interactive(command):
                continue
            spelled = " ".join(word.text for word in command.subcommand_words)
            message = f"`zypper {spelled}` without `--non-interactive` waits for a confirmation no build can give"
            where = view.span(command.start, command.end)
            blocked = self.report_only(view)
            if blocked is not None:
                yield Finding(where, message, note=f"not fixed: {blocked}")
                continue
            yield Finding(where, message, (view.script.insert(command.program_words[-1].end, " --non-interactive"),),
                          Safety.SAFE, title="add `--non-interactive`")
