"""DF202 apt-no-install-recommends: ``apt-get install`` also installs every recommended package."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Invalid, RunView, Safety, Valid
from dfix.shell import PackageCommand
from dfix.syntax import Add, Copy, Run

from ._packages import Finding, PackageCommandRule, code_of, earlier_instructions

#: ``APT::Install-Recommends "false";`` (or ``APT { Install-Recommends "0"; }``) in a drop-in.
_DROP_IN = re.compile(r"""Install-Recommends["'\\\s=:]*(false|0|no|off|without|disable)\b""", re.IGNORECASE)
#: ``-o APT::Install-Recommends=<any value>``: off, or explicitly on (a deliberate choice).
_OPTION = re.compile(r"""\s*["']?APT::Install-Recommends["']?\s*=.*""", re.IGNORECASE | re.DOTALL)


def _decided_on_command(command: PackageCommand) -> bool:
    """The command says what it wants: recommends off, or explicitly on (a deliberate choice)."""
    for option in command.options:
        if option.matches("--no-install-recommends") or option.name == "--install-recommends":
            return True
        if option.matches("-o") or option.name == "--option":
            if option.argument is None:
                if option.has_argument:
                    return True  # `-o "$APT_OPTS"`: unknown, give the benefit of the doubt
                continue
            if _OPTION.fullmatch(option.argument):
                return True
    return False


def _disabled_by_drop_in(context: Context, view: RunView, command: PackageCommand) -> bool:
    """An earlier RUN (or the same one, before the command) wrote a drop-in turning recommends off."""
    if _DROP_IN.search(view.model.text[: command.start]):
        return True
    for other in earlier_instructions(context, view.run):
        if isinstance(other, Run) and _DROP_IN.search(code_of(context, other)):
            return True
        if isinstance(other, (Copy, Add)) and "apt.conf" in (other.destination or ""):
            if any("recommend" in source.lower() for source in other.sources):
                return True  # COPY 99no-recommends /etc/apt/apt.conf.d/
    return False


class AptNoInstallRecommends(PackageCommandRule):
    """Add ``--no-install-recommends`` to ``apt-get install`` (opt-in).

    By default apt installs every package the requested ones *recommend*:
    documentation, optional helpers, often whole toolchains — commonly a
    third or more of the layer. Checked: ``apt-get install`` and ``apt
    install`` (through ``sudo``, ``env``, prefix assignments), unless the
    command has ``--no-install-recommends`` or ``-o
    APT::Install-Recommends=false|0|no|off`` (an explicit
    ``--install-recommends`` or ``-o APT::Install-Recommends=true`` is a
    deliberate choice: not reported either, and an inserted option placed
    before it would lose anyway), or an earlier RUN of
    the stage or an in-file ancestor stage (or the same RUN, before the
    command) wrote an apt.conf.d drop-in with ``APT::Install-Recommends
    "false"`` (or ``"0"``), or copied a file named like ``*recommends*``
    into ``apt.conf.d``.

    Fix: insert `` --no-install-recommends`` right after ``install``.
    **Unsafe**: it changes what is installed, and recommended packages can be
    needed at run time (classically, HTTPS breaks because
    ``ca-certificates`` only arrived as a recommendation). Reported only in
    exec-form RUNs (G1) and heredoc RUNs (G2); nothing is checked under a
    non-POSIX SHELL (G3).
    """

    code = "DF202"
    name = "apt-no-install-recommends"
    summary = "`apt-get install` without `--no-install-recommends`"
    safety = Safety.UNSAFE
    severity = "info"
    aliases = ("DL3015",)

    valid = (
        Valid("FROM debian\nRUN apt-get install -y --no-install-recommends curl\n"),
        Valid("FROM debian\nRUN apt-get --no-install-recommends -y install curl\n", "the option before the subcommand"),
        Valid("FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n"),
        Valid("FROM debian\nRUN apt-get -o 'APT::Install-Recommends=0' install -y curl\n"),
        Valid("FROM debian\nRUN apt-get -oAPT::Install-Recommends=no install -y curl\n", "attached option argument"),
        Valid(
            "FROM debian\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norecommends\n"
            "RUN apt-get update && apt-get install -y curl\n",
            "an earlier apt.conf.d drop-in",
        ),
        Valid(
            "FROM debian\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norec && \\\n"
            "    apt-get update && apt-get install -y curl\n",
            "a drop-in written earlier in the same RUN",
        ),
        Valid(
            "FROM debian AS base\nCOPY 99no-recommends /etc/apt/apt.conf.d/\nFROM base\nRUN apt-get install -y curl\n",
            "a copied drop-in in an ancestor stage",
        ),
        Valid(
            "FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=true curl\n",
            "recommends explicitly on: a deliberate choice",
        ),
        Valid("FROM debian\nRUN apt-get update && apt-get upgrade -y && apt-get remove -y vim\n", "not install"),
        Valid("FROM debian\nRUN aptitude install -y curl\n", "aptitude has its own recommends setting"),
        Valid("FROM debian\nRUN apt-cache policy curl\n"),
        Valid("FROM debian\nRUN sh -c 'apt-get install -y curl'\n", "nested interpreters are not descended into (G7)"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get install -y curl\n',
            "not a POSIX shell (G3)",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt install curl\n",
            "FROM debian\nRUN apt install --no-install-recommends curl\n",
            "apt as well as apt-get",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n"
            "        curl \\\n        git; \\\n    sudo apt-get -q install -y make\n",
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y \\\n"
            "        curl \\\n        git; \\\n    sudo apt-get -q install --no-install-recommends -y make\n",
            "multi-line with set -eux, an assignment prefix and sudo; both commands in one pass",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\r\nRUN apt-get update && apt-get install \\\r\n    -y curl\r\n",
            "FROM debian\r\nRUN apt-get update && apt-get install --no-install-recommends \\\r\n    -y curl\r\n",
            "CRLF, subcommand at the end of a line",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Options::=--force-confold curl\n",
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y -o Dpkg::Options::=--force-confold curl\n",
            "through env, with another -o option",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99x\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99x\n",
            "a drop-in written later does not count",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get install -y curl\n",
            "FROM debian\nONBUILD RUN apt-get install --no-install-recommends -y curl\n",
            "token-local edit in an ONBUILD trigger (G5)",
            unsafe=True,
        ),
        Invalid('FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n', None, "exec form: reported only (G1)"),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
            None,
            "heredoc RUN: reported only (G2)",
        ),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        for command in commands:
            if command.manager not in ("apt-get", "apt") or command.subcommand != "install":
                continue
            if _decided_on_command(command) or _disabled_by_drop_in(context, view, command):
                continue
            where = view.span(command.start, command.end)
            message = f"`{command.manager} install` without `--no-install-recommends` also installs recommended packages"
            if view.script is None:
                yield Finding(where, message, note=self.report_only(view))
                continue
            edit = view.script.insert(command.insert_offset, " --no-install-recommends")
            yield Finding(where, message, (edit,), Safety.UNSAFE, "add `--no-install-recommends`")
