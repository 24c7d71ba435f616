"""Recognise package-manager invocations: manager, subcommand, options, packages.

The package rules (DF2xx) all ask the same questions of a command: which
manager, which action (``apt-get install`` and ``zypper in`` both install;
``apt-get update`` refreshes an index but ``yum update`` upgrades), which
options (``-qqy`` says yes; ``-o Dpkg::Options::=--force-confold`` takes
its argument with it) and which package words, with spans for the fix.
The program knowledge (aliases, which options take an argument) lives in the
tables below; the mechanics are in `dfix.shell.options`.
"""

from __future__ import annotations

import re
from typing import Iterable, Literal, Mapping

import msgspec

from dfix.shell.analysis import analyze, read_once
from dfix.shell.commands import ShellScript, SimpleCommand
from dfix.shell.options import Option, OptionGrammar, find_option, iter_arguments
from dfix.shell.words import Word

from ..patterns import lazy_pattern

__all__ = [
    "Action",
    "PackageCommand",
    "MANAGERS",
    "package_command",
    "package_commands",
    "has_option",
    "option_values",
    "flag_count",
    "is_install",
    "is_remove",
    "is_refresh",
    "is_upgrade",
    "is_clean",
    "PackageSpec",
    "package_spec",
]

Action = Literal[
    "install",  # installs named or manifest-listed packages (also reinstall, add, ci, build-dep)
    "remove",  # remove, purge, del, uninstall
    "refresh",  # refreshes the package index only: apt-get update, apk update, dnf makecache
    "upgrade",  # upgrades installed packages: apt-get upgrade, yum update, apk upgrade
    "dist-upgrade",  # release-level upgrade: dist-upgrade, full-upgrade, dup, distro-sync
    "autoremove",
    "clean",  # cleans caches: apt-get clean, yum clean, npm cache clean, pip cache purge
    "download",  # fetches without installing: pip download/wheel, apt-get download
    "other",  # a known program, any other subcommand (apt-cache-like queries, yarn scripts)
    "unknown",  # the subcommand word is not a literal (`apt-get $ACTION`)
]


class _Manager(msgspec.Struct, frozen=True):
    """What dfix knows about one package-manager program."""

    name: str
    family: str
    grammar: OptionGrammar
    aliases: Mapping[str, str]  # subcommand as written → canonical subcommand
    actions: Mapping[str, Action]  # canonical subcommand → action
    compound: Mapping[str, frozenset[str]] = msgspec.field(default_factory=dict)  # `cache` → {`clean`}
    default_subcommand: str | None = None  # bare `yarn` installs


def _options(short: str = "", long: Iterable[str] = ()) -> OptionGrammar:
    return OptionGrammar(frozenset(short), frozenset(long))


_APT = _options(
    "octa",
    ("--option", "--config-file", "--target-release", "--default-release",
     "--host-architecture", "--solver", "--planner"),
)
_APT_ACTIONS: dict[str, Action] = {
    "install": "install", "reinstall": "install", "build-dep": "install", "satisfy": "install",
    "remove": "remove", "purge": "remove",
    "update": "refresh",
    "upgrade": "upgrade",
    "dist-upgrade": "dist-upgrade", "full-upgrade": "dist-upgrade",
    "autoremove": "autoremove", "autopurge": "autoremove",
    "clean": "clean", "autoclean": "clean",
    "download": "download", "source": "download",
}

_APK = _options(
    "tXp",
    ("--virtual", "--repository", "--root", "--arch", "--cache-dir", "--keys-dir",
     "--repositories-file", "--wait", "--cache-max-age", "--progress-fd", "--timeout"),
)
_APK_ACTIONS: dict[str, Action] = {
    "add": "install", "fix": "install",
    "del": "remove",
    "update": "refresh",
    "upgrade": "upgrade",
    "cache clean": "clean", "cache purge": "clean", "cache download": "download",
    "cache sync": "download",
}

_RPM = _options(
    "cxRde",
    ("--config", "--installroot", "--releasever", "--setopt", "--enablerepo",
     "--disablerepo", "--exclude", "--excludepkgs", "--repo", "--repoid", "--repofrompath",
     "--downloaddir", "--destdir", "--forcearch", "--advisory", "--advisories", "--bz",
     "--cve", "--sec-severity", "--secseverity", "--comment", "--color",
     "--rpmverbosity", "--debuglevel", "--errorlevel", "--platform-id"),
)
_RPM_ALIASES = {
    "in": "install", "rei": "reinstall", "rm": "remove", "erase": "remove",
    "up": "update", "mc": "makecache", "dsync": "distro-sync", "distrosync": "distro-sync",
    "groups install": "group install", "groups remove": "group remove",
    "groups update": "group upgrade", "groups upgrade": "group upgrade",
    "group update": "group upgrade", "check-upgrade": "check-update",
}
_RPM_ACTIONS: dict[str, Action] = {
    "install": "install", "reinstall": "install", "groupinstall": "install",
    "localinstall": "install", "group install": "install", "module install": "install",
    "remove": "remove", "groupremove": "remove", "group remove": "remove",
    "module remove": "remove",
    "update": "upgrade", "upgrade": "upgrade", "update-minimal": "upgrade",
    "upgrade-minimal": "upgrade", "groupupdate": "upgrade", "group upgrade": "upgrade",
    "distro-sync": "dist-upgrade", "system-upgrade": "dist-upgrade",
    "makecache": "refresh", "check-update": "refresh",
    "autoremove": "autoremove",
    "clean": "clean",
    "download": "download",
}
_RPM_COMPOUND = {
    "group": frozenset({"install", "remove", "update", "upgrade", "list", "info"}),
    "groups": frozenset({"install", "remove", "update", "upgrade", "list", "info"}),
    "module": frozenset({"install", "remove", "enable", "disable", "reset", "list"}),
}

_ZYPPER = _options("trc", ("--type", "--repo", "--from", "--root", "--config", "--reposd-dir"))
_ZYPPER_ALIASES = {
    "in": "install", "si": "source-install", "rm": "remove", "ref": "refresh",
    "up": "update", "dup": "dist-upgrade", "cc": "clean", "ar": "addrepo",
    "rr": "removerepo",
}
_ZYPPER_ACTIONS: dict[str, Action] = {
    "install": "install", "source-install": "install",
    "remove": "remove",
    "refresh": "refresh",
    "update": "upgrade", "patch": "upgrade",
    "dist-upgrade": "dist-upgrade",
    "clean": "clean",
}

_PIP = _options(
    "rceiftCdp",
    ("--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url",
     "--find-links", "--trusted-host", "--target", "--prefix", "--root", "--src",
     "--cache-dir", "--platform", "--python-version", "--implementation", "--abi",
     "--only-binary", "--no-binary", "--progress-bar", "--upgrade-strategy", "--log",
     "--log-file", "--proxy", "--retries", "--timeout", "--exists-action", "--cert",
     "--client-cert", "--global-option", "--install-option", "--config-settings",
     "--python", "--report", "--root-user-action", "--use-feature", "--use-deprecated",
     "--dest", "--build", "--directory", "--project", "--config-file"),
)
_PIP_ACTIONS: dict[str, Action] = {
    "install": "install",
    "uninstall": "remove",
    "download": "download", "wheel": "download",
    "cache purge": "clean", "cache remove": "clean",
}
_UV_ACTIONS: dict[str, Action] = {
    "pip install": "install", "pip sync": "install", "sync": "install", "add": "install",
    "pip uninstall": "remove", "remove": "remove",
    "cache clean": "clean", "cache prune": "clean",
}

_NPM = _options(
    "w",
    ("--prefix", "--registry", "--cache", "--workspace", "--omit", "--include", "--tag",
     "--loglevel", "--userconfig", "--globalconfig", "--location", "--install-strategy",
     "--before", "--scope", "--otp"),
)
_NPM_ALIASES = {
    **{alias: "install" for alias in ("i", "in", "ins", "inst", "insta", "instal", "isnt",
                                       "isnta", "isntal", "isntall", "add")},
    **{alias: "ci" for alias in ("clean-install", "ic", "install-clean", "isntall-clean")},
    **{alias: "uninstall" for alias in ("unlink", "remove", "rm", "r", "un")},
    **{alias: "update" for alias in ("up", "upgrade", "udpate")},
}
_NPM_ACTIONS: dict[str, Action] = {
    "install": "install", "ci": "install",
    "uninstall": "remove",
    "update": "upgrade",
    "cache clean": "clean", "cache clear": "clean", "cache rm": "clean",  # npm's aliases (`clear` before npm 5)
}

_YARN = _options(
    "",
    ("--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex",
     "--registry", "--global-folder", "--link-folder", "--network-concurrency",
     "--https-proxy", "--proxy", "--use-yarnrc"),
)
_YARN_ACTIONS: dict[str, Action] = {
    "install": "install", "add": "install", "global add": "install",
    "remove": "remove", "global remove": "remove",
    "upgrade": "upgrade", "up": "upgrade",
    "cache clean": "clean",
}

_PNPM = _options(
    "CF",
    ("--dir", "--filter", "--store-dir", "--reporter", "--registry", "--virtual-store-dir",
     "--modules-dir", "--config", "--workspace-concurrency", "--network-concurrency",
     "--child-concurrency"),
)
_PNPM_ALIASES = {"i": "install", "rm": "remove", "uninstall": "remove", "un": "remove",
                 "up": "update", "upgrade": "update"}
_PNPM_ACTIONS: dict[str, Action] = {
    "install": "install", "add": "install",
    "remove": "remove",
    "update": "upgrade",
    "store prune": "clean",
}

_GEM = _options(
    "vinsP",
    ("--version", "--install-dir", "--bindir", "--source", "--trust-policy", "--file",
     "--platform", "--http-proxy", "--build-root", "--target-rbconfig"),
)
_GEM_ACTIONS: dict[str, Action] = {
    "install": "install",
    "uninstall": "remove",
    "update": "upgrade",
    "cleanup": "clean",
}


def _manager(name: str, family: str, grammar: OptionGrammar, actions: Mapping[str, Action],
             aliases: Mapping[str, str] | None = None,
             compound: Mapping[str, frozenset[str]] | None = None,
             default_subcommand: str | None = None) -> _Manager:
    return _Manager(name, family, grammar, aliases or {}, actions, compound or {}, default_subcommand)


_CACHE = {"cache": frozenset({"clean", "purge", "download", "sync", "prune", "remove",
                              "verify", "add", "ls", "list", "dir", "info"})}

MANAGERS: dict[str, _Manager] = {
    manager.name: manager
    for manager in (
        _manager("apt-get", "apt", _APT, _APT_ACTIONS),
        _manager("apt", "apt", _APT, _APT_ACTIONS),
        _manager("aptitude", "apt", _APT, _APT_ACTIONS),
        _manager("apk", "apk", _APK, _APK_ACTIONS, compound=_CACHE),
        *(
            _manager(name, "rpm", _RPM, _RPM_ACTIONS, _RPM_ALIASES, _RPM_COMPOUND)
            for name in ("yum", "dnf", "dnf5", "microdnf", "tdnf")
        ),
        _manager("zypper", "zypper", _ZYPPER, _ZYPPER_ACTIONS, _ZYPPER_ALIASES),
        _manager("pip", "pip", _PIP, _PIP_ACTIONS, compound={**_CACHE, "config": frozenset({"set", "unset", "get", "list"})}),
        _manager("uv", "uv", _PIP, _UV_ACTIONS, compound={
            "pip": frozenset({"install", "uninstall", "sync", "compile", "freeze", "list"}),
            **_CACHE,
        }),
        _manager("npm", "npm", _NPM, _NPM_ACTIONS, _NPM_ALIASES, {"cache": _CACHE["cache"] | {"clear", "rm"}}),
        _manager("yarn", "yarn", _YARN, _YARN_ACTIONS,
                 compound={**_CACHE, "global": frozenset({"add", "remove", "upgrade"})},
                 default_subcommand="install"),
        _manager("pnpm", "pnpm", _PNPM, _PNPM_ACTIONS, _PNPM_ALIASES,
                 {"store": frozenset({"prune", "status", "path", "add"})}),
        _manager("gem", "gem", _GEM, _GEM_ACTIONS),
    )
}
"""Every recognised manager by canonical program name (``pip3.11`` and ``python -m pip`` are ``pip``)."""

_PIP_PROGRAM = lazy_pattern(r"pip(?:-?\d+(?:\.\d+)*)?")  # pip3, pip3.11, pip-3.6 (CentOS)
_PYTHON_PROGRAM = lazy_pattern(r"python(?:\d+(?:\.\d+)*)?")
# `python [options] -m pip`: options of CPython 3.12 that take an argument.
_PYTHON = OptionGrammar(frozenset("cmWXQ"), frozenset({"--check-hash-based-pycs"}), permute=False)


class PackageCommand(msgspec.Struct, frozen=True):
    """One package-manager invocation.

    ``program_words`` are the words that name the manager (``pip3``, or
    ``python3 -m pip``, or wrappers excluded ``apt-get``); ``subcommand`` is
    the canonical spelling (``zypper in`` → ``install``, ``npm i`` →
    ``install``, ``dnf group install`` → ``group install``), ``None`` when
    there is none or it is not a literal; ``subcommand_words`` are the words
    as written.  ``options`` are all options in order, wherever written
    (``apt-get -y install`` and ``apt-get install -y`` alike), each with its
    argument; ``operands`` are the remaining words (package specs for
    install-like actions, ``all`` in ``yum clean all``).
    """

    manager: str
    family: str
    subcommand: str | None
    action: Action
    program_words: tuple[Word, ...]
    subcommand_words: tuple[Word, ...]
    options: tuple[Option, ...]
    operands: tuple[Word, ...]
    command: SimpleCommand

    @property
    def packages(self) -> tuple[Word, ...]:
        """The package words of an install/remove/upgrade/download; empty otherwise."""
        if self.action in ("install", "remove", "upgrade", "dist-upgrade", "download", "autoremove"):
            return self.operands
        return ()

    @property
    def insert_offset(self) -> int:
        """Where a new option goes: right after the subcommand (or the program words)."""
        if self.subcommand_words:
            return self.subcommand_words[-1].end
        return self.program_words[-1].end

    @property
    def start(self) -> int:
        return self.command.start

    @property
    def end(self) -> int:
        return self.command.end

    def options_before_subcommand(self) -> tuple[Option, ...]:
        """Global options (``zypper -n install``, ``pip --no-cache-dir install``)."""
        if not self.subcommand_words:
            return ()
        limit = self.subcommand_words[0].start
        return tuple(option for option in self.options if option.start < limit)


    @property
    def specs(self) -> tuple[tuple[Word, "PackageSpec | None"], ...]:
        """Each package word with its spec (None for a word that is not a literal)."""
        return tuple(
            (word, package_spec(self.family, word.value) if word.value is not None else None) for word in self.packages
        )


# -- package specs ---------------------------------------------------------------------------------


class PackageSpec(msgspec.Struct, frozen=True):
    """A package word as its manager reads it: the package's ``name`` and what follows it.

    ``version`` is the text after the name with the pinning separator
    dropped (``curl=8.5`` and ``flask==3.0`` and ``left-pad@1.3`` give the
    versions ``8.5``, ``3.0``, ``1.3``; ``flask>=3`` gives ``>=3``; apt's
    ``curl/bookworm`` gives the release ``/bookworm``); None when the word is
    the name alone. pip names are normalised (PEP 503: ``Flask_Login`` is
    ``flask-login``); a pip word with ``/`` or ``:`` (a path, a URL, a VCS
    reference) is its own name, and rpm words are never split (``name-1.2``
    cannot be told from a name with a dash).
    """

    text: str
    name: str
    version: str | None = None


_PIN_SEPARATORS = ("==", "=", "@", ":")


def _spec(text: str, cut: int, name: str | None = None) -> PackageSpec:
    rest = text[cut:]
    for separator in _PIN_SEPARATORS:
        if rest.startswith(separator):
            rest = rest[len(separator):]
            break
    return PackageSpec(text, text[:cut] if name is None else name, rest or None)


def _split_at(text: str, pattern: str) -> PackageSpec:
    match = re.search(pattern, text)
    return _spec(text, match.start() if match else len(text))


def _pip_spec(text: str) -> PackageSpec:
    if "/" in text or ":" in text:
        return PackageSpec(text, text)  # a path, a URL, a VCS reference
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
    if match is None:
        return PackageSpec(text, text)
    return _spec(text, match.end(), re.sub(r"[-_.]+", "-", match.group(0)).lower())


def _npm_spec(text: str) -> PackageSpec:
    at = text.find("@", 1)  # `@scope/name@1.2`
    return _spec(text, len(text) if at < 0 else at)


_SPEC_READERS = {
    "apt": lambda text: _split_at(text, r"[=/]"),
    "apk": lambda text: _split_at(text, r"[=~<>@]"),
    "rpm": lambda text: PackageSpec(text, text),
    "zypper": lambda text: _split_at(text, r"[=<>]"),
    "pip": _pip_spec,
    "uv": _pip_spec,
    "npm": _npm_spec,
    "yarn": _npm_spec,
    "pnpm": _npm_spec,
    "gem": lambda text: _split_at(text, r":"),
}


def package_spec(family: str, text: str) -> PackageSpec:
    """How a manager of ``family`` (``PackageCommand.family``) reads the package word ``text``."""
    reader = _SPEC_READERS.get(family)
    return reader(text) if reader is not None else PackageSpec(text, text)


def package_command(command: SimpleCommand) -> PackageCommand | None:
    """The package-manager invocation ``command`` is, or ``None``.

    Inside a `scripts_kept` block (every lint and fix is one) each command
    object is read once: about ten rules ask for the same commands of the
    same RUN, and the shell layer hands out one object per command of a
    script text for the whole block. Each reading is kept with its command,
    so an id is not reused while it is remembered.
    """
    return read_once("package commands", command, lambda: _read_package_command(command))


def _read_package_command(command: SimpleCommand) -> PackageCommand | None:
    name = command.name
    program_index = command.name_index
    if name is None or program_index is None:
        return None
    first_argument = program_index + 1
    manager = MANAGERS.get(name)
    if manager is None:
        if _PYTHON_PROGRAM.fullmatch(name):
            pip_arguments = _python_module_pip(command.words, first_argument)
            if pip_arguments is None:
                return None
            first_argument = pip_arguments
        elif not _PIP_PROGRAM.fullmatch(name):
            return None
        manager = MANAGERS["pip"]
    return _parse_invocation(manager, command, program_index, first_argument)


def package_commands(script: str | ShellScript) -> tuple[PackageCommand, ...]:
    """Every package-manager invocation in ``script``, in source order.

    Inside a `scripts_kept` block each model is read once (like each command
    in `package_command`): a lint asks for the package commands of every RUN
    about forty times, once per rule of the family.
    """
    model = analyze(script) if isinstance(script, str) else script
    return read_once("package lists", model, lambda: _read_package_commands(model))


def _read_package_commands(model: ShellScript) -> tuple[PackageCommand, ...]:
    found = []
    for command in model.commands:
        invocation = package_command(command)
        if invocation is not None:
            found.append(invocation)
    return tuple(found)


def _python_module_pip(words: tuple[Word, ...], start: int) -> int | None:
    """Index of pip's first argument in ``python [opts] -m pip ...``, else ``None``."""
    for index, item in iter_arguments(words, _PYTHON, start):
        if not isinstance(item, Option):
            return None  # a script file: `python setup.py install`
        if item.letters.endswith("m"):
            if item.argument != "pip":
                return None
            return index + len(item.words)
        if item.letters.endswith("c"):
            return None
    return None


def _parse_invocation(
    manager: _Manager, command: SimpleCommand, program_index: int, first_argument: int
) -> PackageCommand:
    words = command.words
    options: list[Option] = []
    operands: list[Word] = []
    for _, item in iter_arguments(words, manager.grammar, first_argument):
        if isinstance(item, Option):
            options.append(item)
        else:
            operands.append(item)
    subcommand_words: tuple[Word, ...] = ()
    subcommand: str | None = manager.default_subcommand
    action: Action = "other"
    if operands:
        first = operands[0]
        if first.value is None:
            subcommand, action = None, "unknown"
            subcommand_words = (first,)
            operands = operands[1:]
        else:
            subcommand_words = (first,)
            spelled = manager.aliases.get(first.value, first.value)
            second_words = manager.compound.get(spelled)
            if second_words and len(operands) > 1 and operands[1].value in second_words:
                subcommand_words = (first, operands[1])
                spelled = f"{spelled} {operands[1].value}"
            subcommand = manager.aliases.get(spelled, spelled)
            operands = operands[len(subcommand_words):]
    if subcommand is not None:
        action = manager.actions.get(subcommand, "other")
    program_words = words[program_index:first_argument]
    return PackageCommand(manager.name, manager.family, subcommand, action, program_words,
                          subcommand_words, tuple(options), tuple(operands), command)


# --- matchers -------------------------------------------------------------------


def _as_package_command(target: PackageCommand | SimpleCommand) -> PackageCommand | None:
    return target if isinstance(target, PackageCommand) else package_command(target)


def _is(target: PackageCommand | SimpleCommand, actions: tuple[Action, ...],
        manager: str | None, family: str | None) -> bool:
    invocation = _as_package_command(target)
    return (
        invocation is not None
        and invocation.action in actions
        and (manager is None or invocation.manager == manager)
        and (family is None or invocation.family == family)
    )


def is_install(target: PackageCommand | SimpleCommand, manager: str | None = None,
               family: str | None = None) -> bool:
    """``apt-get install``, ``apk add``, ``pip install``, ``npm ci``, bare ``yarn`` ...

    ``manager`` is a program (``"apt-get"``, ``"apt"``, ``"pip"``);
    ``family`` groups spellings (``"apt"`` covers apt-get, apt, aptitude;
    ``"rpm"`` covers yum, dnf, dnf5, microdnf, tdnf).
    """
    return _is(target, ("install",), manager, family)


def is_remove(target: PackageCommand | SimpleCommand, manager: str | None = None,
              family: str | None = None) -> bool:
    """``remove``/``purge``/``del``/``uninstall`` (not ``autoremove``)."""
    return _is(target, ("remove",), manager, family)


def is_refresh(target: PackageCommand | SimpleCommand, manager: str | None = None,
               family: str | None = None) -> bool:
    """Index refresh only: ``apt-get update``, ``apk update``, ``dnf makecache``, ``zypper ref``."""
    return _is(target, ("refresh",), manager, family)


def is_upgrade(target: PackageCommand | SimpleCommand, manager: str | None = None,
               family: str | None = None) -> bool:
    """Upgrades of installed packages, including release-level ones (``dist-upgrade``)."""
    return _is(target, ("upgrade", "dist-upgrade"), manager, family)


def is_clean(target: PackageCommand | SimpleCommand, manager: str | None = None,
             family: str | None = None) -> bool:
    """Cache cleaning: ``apt-get clean``, ``yum clean all``, ``npm cache clean``, ``pip cache purge``."""
    return _is(target, ("clean",), manager, family)


def has_option(target: PackageCommand | SimpleCommand, *names: str) -> bool:
    """Does the command carry any of ``names``?  Combined short flags count (``-qqy`` has ``-y``).

    For a plain `SimpleCommand` no option is known to take an argument, so
    use a `PackageCommand` (or ``SimpleCommand.options(grammar)``) when that matters.
    """
    return find_option(_options_of(target), *names) is not None


def option_values(target: PackageCommand | SimpleCommand, *names: str) -> tuple[str | None, ...]:
    """The arguments of every occurrence of ``names`` (``None`` where not a literal).

    ``option_values(cmd, "-o", "--option")`` on
    ``apt-get -o APT::Install-Recommends=false install x`` gives
    ``("APT::Install-Recommends=false",)``.
    """
    return tuple(
        option.argument
        for option in _options_of(target)
        if option.has_argument and any(option.matches(name) for name in names)
    )


def flag_count(target: PackageCommand | SimpleCommand, letter: str) -> int:
    """How often the short flag ``letter`` is given (``-qq`` and ``-q -q`` are 2)."""
    return sum(option.letters.count(letter) for option in _options_of(target)
               if not option.name.startswith("--"))


def _options_of(target: PackageCommand | SimpleCommand) -> tuple[Option, ...]:
    if isinstance(target, PackageCommand):
        return target.options
    invocation = package_command(target)
    return invocation.options if invocation is not None else target.options()
