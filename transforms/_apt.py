"""What the apt family leaves in an image, shared by DF200 and DF205: the package lists and who reads them."""

from __future__ import annotations

import re

from dfix.engine import RunView
from dfix.shell import SimpleCommand, package_command

from ._cleanup import earlier_unconditional

LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"
#: Subcommands of the apt family that do not read the lists.
#: Actions that never read the package lists. ``remove``/``purge`` are not among them: of a
#: package that is not installed, apt knows only from the lists ("Unable to locate package"
#: without them, a harmless "not installed" with them), and a Dockerfile cannot show which it is.
_NOT_READING = frozenset({"refresh", "autoremove", "clean"})


def is_update(command: SimpleCommand) -> bool:
    """``apt-get update``, ``apt update``, ``aptitude update`` (wrappers seen through)."""
    invocation = package_command(command)
    return invocation is not None and invocation.family == "apt" and invocation.action == "refresh"


def reads_lists(command: SimpleCommand) -> bool:
    """A command that needs ``/var/lib/apt/lists``: installs, source/build-dep/download, apt-cache queries."""
    if command.name == "apt-cache":
        return True
    invocation = package_command(command)
    if invocation is None or invocation.family != "apt":
        return False
    if invocation.action == "unknown":
        return True  # `apt-get $ACTION` (G6): assume the worst
    if invocation.subcommand is None:
        return False  # `apt-get --version`
    return invocation.action not in _NOT_READING


def consumes_lists(view: RunView) -> bool:
    """A later RUN that still needs the lists: it reads them without its own ``update`` first."""
    if view.mount_covers(LISTS, types=None):
        return False  # its own lists (cache, tmpfs or bind mount)
    model = view.model
    if model is None:
        return re.search(r"(?<![\w/.-])(apt-get|apt-cache|aptitude|apt)\s+[\w-]", view.text) is not None
    return any(
        reads_lists(command) and not earlier_unconditional(model, command, is_update)
        for command in model.commands
    )
