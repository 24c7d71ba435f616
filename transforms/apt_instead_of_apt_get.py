"""DF203 apt-instead-of-apt-get: ``apt`` is the interactive front end; scripts use ``apt-get``/``apt-cache``."""

from __future__ import annotations

from typing import Iterable

from dfix.engine import Context, Invalid, RunView, Safety, Valid
from dfix.shell import CHILD_SHELL, PackageCommand, package_commands
from dfix.shell import Context as ShellContext
from ._cleanup import removes
from ._docker_clean import ships_docker_clean
from ._packages import Finding, PackageCommandRule

#: ``apt <subcommand>`` -> (program, subcommand as written for it): the same operation, for scripts.
MAPPING: dict[str, tuple[str, str]] = {
    **{same: ("apt-get", same) for same in (
        "update", "install", "remove", "purge", "autoremove", "autopurge", "clean", "autoclean", "source",
        "build-dep", "download", "satisfy",
    )},
    "reinstall": ("apt-get", "install --reinstall"),
    "full-upgrade": ("apt-get", "dist-upgrade"),
    "dist-upgrade": ("apt-get", "dist-upgrade"),
    **{query: ("apt-cache", query) for query in ("show", "search", "policy", "depends", "rdepends", "showsrc")},
}
#: Subcommands with no exact script equivalent, and why.
UNMAPPED: dict[str, str] = {
    "upgrade": "`apt upgrade` also installs new dependencies; the nearest is `apt-get upgrade --with-new-pkgs`",
    "list": "`apt list` has no apt-get form (`dpkg-query -l` or `apt-cache policy` answer other questions)",
    "edit-sources": "`apt edit-sources` opens an editor",
}
#: Subcommands that download ``.deb`` files: ``apt`` deletes them after installing, ``apt-get`` leaves
#: that to the ``docker-clean`` hook the official Debian and Ubuntu images ship.
_DOWNLOADING = frozenset({"install", "reinstall", "full-upgrade", "dist-upgrade", "build-dep", "satisfy"})
_APT_CACHE = "/var/cache/apt"


def _cleans_downloads(view: RunView, command: PackageCommand) -> bool:
    """The RUN deletes the downloaded packages after ``command``: ``apt-get clean`` or ``rm -rf /var/cache/apt``."""
    model = view.model
    if removes(model, (_APT_CACHE, _APT_CACHE + "/archives"), after=command.end):
        return True
    return any(
        other.command.start > command.end and other.family == "apt" and other.subcommand == "clean"
        for other in package_commands(view.model)
    )


class AptInsteadOfAptGet(PackageCommandRule):
    """Use ``apt-get``/``apt-cache`` instead of ``apt`` in a Dockerfile.

    **What** (hadolint's DL3027): ``apt`` run as a command (``apt-get``,
    ``apt-cache``, ``apt-key``, ``aptitude`` and paths such as
    ``/var/lib/apt`` are other things).

    **Why.** ``apt`` is the front end for people at a terminal: its output
    and behaviour may change between releases ("WARNING: apt does not have a
    stable CLI interface. Use with caution in scripts."), and it draws
    progress bars into build logs. ``apt-get`` and ``apt-cache`` are the
    stable interfaces for scripts.

    **Fix.** ``apt update|install|remove|purge|autoremove|clean|autoclean|
    source|build-dep`` become ``apt-get`` with the same subcommand, ``apt
    reinstall X`` becomes ``apt-get install --reinstall X``, ``apt
    full-upgrade`` becomes ``apt-get dist-upgrade``, and ``apt show|search|
    policy|depends|rdepends`` become ``apt-cache``; options and packages stay
    as written. Safe, with one exception: ``apt`` deletes the ``.deb`` files
    it downloads, ``apt-get`` leaves them in ``/var/cache/apt/archives`` for
    the ``docker-clean`` hook of the official Debian and Ubuntu images to
    delete. So where the base image is not known to be of that lineage (or
    an earlier RUN touches the hook) and the RUN does not clean
    ``/var/cache/apt`` after the command, the fix of an installing command is
    unsafe: the downloaded packages may then stay in the layer.

    Reported without a fix: ``apt upgrade`` (it also installs new
    dependencies; ``apt-get upgrade --with-new-pkgs`` is the nearest), ``apt
    list``, an ``apt`` whose output another command reads (a pipe or a
    ``$(...)``: ``apt-cache`` prints differently), a subcommand that is not a
    literal, and RUNs that are not edited (exec form, heredoc).
    """

    code = "DF203"
    name = "apt-instead-of-apt-get"
    summary = "`apt` used in a script instead of `apt-get`/`apt-cache`"
    safety = Safety.SAFE
    aliases = ("DL3027",)

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM debian\nRUN apt-cache policy curl && apt-key list\n"),
        Valid("FROM debian\nRUN rm -rf /var/lib/apt/lists/*\n", "a path, not the command"),
        Valid("FROM debian\nRUN echo apt install curl\n", "an argument"),
        Valid("FROM debian\nRUN aptitude update\n"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "the official image ships docker-clean: safe",
            message="`apt update` is meant for people at a terminal; scripts use `apt-get update`",
            line=2, column=5,
        ),
        Invalid(
            "FROM ubuntu:24.04\nRUN apt reinstall -y ca-certificates && apt full-upgrade -y\n",
            "FROM ubuntu:24.04\nRUN apt-get install --reinstall -y ca-certificates && apt-get dist-upgrade -y\n",
        ),
        Invalid(
            "FROM debian:12\nRUN apt show curl\n",
            "FROM debian:12\nRUN apt-cache show curl\n",
        ),
        Invalid(
            "FROM example.com/base:1\nRUN apt-get update && apt install -y curl && apt-get clean\n",
            "FROM example.com/base:1\nRUN apt-get update && apt-get install -y curl && apt-get clean\n",
            "an unknown base, but the RUN deletes the downloaded packages itself: safe",
        ),
        Invalid(
            "FROM example.com/base:1\nRUN apt-get update && apt install -y curl\n",
            "FROM example.com/base:1\nRUN apt-get update && apt-get install -y curl\n",
            "an unknown base may lack docker-clean: the downloaded packages could stay, unsafe",
            unsafe=True,
        ),
        Invalid("FROM debian:12\nRUN apt update && apt upgrade -y\n",
                "FROM debian:12\nRUN apt-get update && apt upgrade -y\n",
                "`apt upgrade` has no exact apt-get form: reported, left as written"),
        Invalid("FROM debian:12\nRUN apt list --installed | grep ssl\n", None, "`apt list`"),
        Invalid("FROM debian:12\nRUN apt show curl | grep Version\n", None, "its output is read: no fix"),
        Invalid('FROM debian:12\nRUN ["apt", "install", "-y", "curl"]\n', None, "exec form: reported, never rewritten"),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterable[Finding]:
        run = view.parent or view.run
        docker_clean: bool | None = None
        for command in commands:
            if command.manager != "apt":
                continue
            program = command.program_words[-1]
            subcommand = command.subcommand
            mapped = MAPPING.get(subcommand or "")
            target = f"{mapped[0]} {mapped[1]}" if mapped else "apt-get"
            where = view.span(command.start, command.end)
            message = (f"`apt {subcommand}` is meant for people at a terminal; scripts use `{target}`"
                       if subcommand else "`apt` is meant for people at a terminal; scripts use `apt-get`/`apt-cache`")
            why_not = self._why_not(view, command, mapped)
            if why_not is not None:
                yield Finding(where, message, note=f"not fixed: {why_not}")
                continue
            edits = [view.script.replace(program.end - len("apt"), program.end, mapped[0])]
            if mapped[1] != subcommand or command.subcommand_words[0].text != subcommand:
                word = command.subcommand_words[0]
                edits.append(view.script.replace(word.start, word.end, mapped[1]))
            safety, assumes = Safety.SAFE, ""
            if subcommand in _DOWNLOADING and not _cleans_downloads(view, command):
                if docker_clean is None:
                    docker_clean = ships_docker_clean(context, run)
                if not docker_clean:
                    safety = Safety.UNSAFE
                    assumes = ("the base image deletes downloaded packages (the docker-clean hook of the official "
                               "Debian and Ubuntu images): apt-get keeps them in /var/cache/apt where apt did not")
            yield Finding(where, message, tuple(edits), safety, title=f"use `{mapped[0]}`", assumes=assumes)

    @staticmethod
    def _why_not(view: RunView, command: PackageCommand, mapped: tuple[str, str] | None) -> str | None:
        if view.script is None:
            return view.guard.note  # type: ignore[union-attr]
        subcommand = command.subcommand
        if subcommand is None:
            return "the subcommand is not written out"
        if mapped is None:
            return UNMAPPED.get(subcommand, f"`apt {subcommand}` has no exact apt-get or apt-cache form")
        program = command.program_words[-1]
        word = command.subcommand_words[0]
        if program.value != program.text or not program.text.endswith("apt") or word.value != word.text:
            return "the command is quoted or spelled through a variable"
        if not command.command.context.isdisjoint(CHILD_SHELL - {ShellContext.SUBSHELL}):
            return "another command reads its output, and apt-get/apt-cache print differently"
        if any(redirect.operator in (">", ">>", "&>", ">|") and redirect.descriptor in (None, "1")
               for redirect in command.command.redirects):
            return "its output is saved to a file, and apt-get/apt-cache print differently"
        return None
