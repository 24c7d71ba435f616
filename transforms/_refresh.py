"""Whether a package-index refresh is used: a later command of the same RUN installs from it.

Shared by DF204 (a RUN that only refreshes reports itself) and DF200 (whose
cleanup would make such a RUN download the lists only to delete them).
"""

from __future__ import annotations

from dfix.shell import PackageCommand, SimpleCommand, package_command

__all__ = ["is_refresh", "may_read_lists", "refresh_used"]


#: The refresh subcommands per family (rules.md §0.4).
_REFRESH = {
    "apt": frozenset({"update"}),
    "apk": frozenset({"update"}),
    "rpm": frozenset({"makecache", "check-update"}),
    "zypper": frozenset({"refresh"}),
}
#: Later actions of the same family that use the refreshed index.
_CONSUMERS = frozenset({"install", "upgrade", "dist-upgrade", "download", "other", "unknown"})
#: Programs that may well install packages out of sight: shells and interpreters
#: running scripts, and known package-install wrappers.
_OPAQUE = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "eval", "source", ".", "exec",
    "python", "python2", "python3", "perl", "ruby", "node", "make", "ansible-playbook",
    "install_packages", "apt-fast", "apt-install", "mk-build-deps", "gdebi", "clean-install",
})
#: Read-only apt tools that use the lists.
_APT_READERS = frozenset({"apt-cache", "apt-file", "apt-rdepends", "apt-show-versions"})


def is_refresh(command: PackageCommand) -> bool:
    """``apt-get update``, ``apk update``, ``dnf makecache``, ``zypper refresh`` ..."""
    return command.subcommand in _REFRESH.get(command.family, ())


def _opaque(command: SimpleCommand) -> bool:
    """A command that may install packages without dfix seeing it."""
    if command.name is None:
        return command.name_index is not None  # `$INSTALL ...` (G6)
    if command.name in _OPAQUE or command.name.endswith(".sh"):
        return True
    program = command.program or ""
    return "/" in program and package_command(command) is None and not program.startswith(("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/"))


def may_read_lists(command: SimpleCommand) -> bool:
    """Whether ``command`` may read the apt lists: an apt install, upgrade or query, or a command dfix cannot see into."""
    if _opaque(command) or command.name in _APT_READERS:
        return True
    found = package_command(command)
    return found is not None and found.family == "apt" and found.action in _CONSUMERS and not is_refresh(found)


def refresh_used(commands: tuple[SimpleCommand, ...], refresh: PackageCommand) -> bool:
    """Whether a command after ``refresh`` in ``commands`` installs, upgrades or queries from its index (or may)."""
    for command in commands:
        if command.start <= refresh.start:
            continue
        if _opaque(command):
            return True
        if refresh.family == "apt" and command.name in _APT_READERS:
            return True
        other = package_command(command)
        if other is not None and other.family == refresh.family and other.action in _CONSUMERS and not is_refresh(other):
            return True
    return False
