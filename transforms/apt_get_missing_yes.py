"""DF201 apt-get-missing-yes: ``apt-get install`` without ``-y`` stops the build at a prompt."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.shell import package_commands

#: Subcommands that ask for confirmation (hadolint checks only ``install``).
_CONFIRMING = frozenset({"install", "upgrade", "dist-upgrade", "remove", "purge", "autoremove", "build-dep", "reinstall"})
#: Every way to say "yes" (rules.md §0.4); ``-qq`` implies ``-y``.
_YES = ("-y", "--yes", "--assume-yes")


def answers_yes(command) -> bool:
    if any(option.matches(name) for option in command.options for name in _YES):
        return True
    quiet = sum(option.letters.count("q") for option in command.options if not option.name.startswith("--"))
    if quiet >= 2 or any(option.name in ("-q", "--quiet") and option.argument == "2" for option in command.options):
        return True
    return any(
        option.matches("-o") and (option.argument or "").replace(" ", "").lower() in ("apt::get::assume-yes=true", "apt::get::assume-yes=1")
        for option in command.options
    )


class AptGetMissingYes(Rule):
    """Add ``-y`` to ``apt-get`` commands that would ask for confirmation.

    Without ``-y`` (or ``--yes``, ``--assume-yes``, ``-qq``), ``apt-get
    install`` asks "Do you want to continue?"; a build has no terminal, so
    the answer is "no" and the build fails, or depends on ``apt-get``'s
    behaviour when stdin is not a terminal. The fix inserts `` -y`` right
    after the subcommand, which only answers the prompt: safe.
    """

    code = "DF201"
    name = "apt-get-missing-yes"
    summary = "`apt-get install` (and other confirming subcommands) without `-y`"
    safety = Safety.SAFE
    aliases = ("DL3014",)

    valid = (
        Valid("FROM debian\nRUN apt-get install -y curl\n"),
        Valid("FROM debian\nRUN apt-get -qq install curl\n", "-qq implies -y"),
        Valid("FROM debian\nRUN apt-get --assume-yes install curl\n"),
        Valid("FROM debian\nRUN apt-get update && apt-get install -qy git\n", "combined short flags"),
        Valid("FROM debian\nRUN apt-get -o APT::Get::Assume-Yes=true install curl\n"),
        Valid('FROM debian\nRUN ["apt-get", "install", "curl"]\n', "exec form is never rewritten"),
        Valid("FROM debian\nRUN apt-get update\n"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get install curl\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get install curl\n",
            "FROM debian\nRUN apt-get install -y curl\n",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n    DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends \\\n        curl \\\n        git\n",
            "FROM debian\nRUN apt-get update && \\\n    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n        curl \\\n        git\n",
            "multi-line, after a prefix assignment",
        ),
        Invalid(
            "FROM debian\nRUN sudo apt-get -q purge vim\n",
            "FROM debian\nRUN sudo apt-get -q purge -y vim\n",
            "other confirming subcommands, through sudo",
        ),
        Invalid(
            "FROM debian\nRUN if [ -n \"$X\" ]; then apt-get install x; fi\n",
            "FROM debian\nRUN if [ -n \"$X\" ]; then apt-get install -y x; fi\n",
            "inside an if",
        ),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get install curl\n",
            "FROM debian\nONBUILD RUN apt-get install -y curl\n",
            "token-local edits inside ONBUILD triggers are fine",
        ),
        Invalid(
            "FROM debian\r\nRUN apt-get install \\\r\n  curl\r\n",
            "FROM debian\r\nRUN apt-get install -y \\\r\n  curl\r\n",
            "CRLF kept",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.runs():
            script = view.script
            if script is None:
                continue
            for command in package_commands(script.model):
                if command.manager != "apt-get" or command.subcommand not in _CONFIRMING:
                    continue
                if answers_yes(command):
                    continue
                where = view.span(command.start, command.end)
                yield self.diagnostic(
                    where,
                    f"`apt-get {command.subcommand}` without `-y` waits for a confirmation no build can give",
                    [script.insert(command.insert_offset, " -y")],
                    title="add `-y`",
                )
