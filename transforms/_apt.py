"""What the apt family leaves in an image, shared by DF200 and DF205: the package lists and who reads them."""

from __future__ import annotations

import re

from dfix.engine import Context, RunView
from dfix.shell import PackageCommand, SimpleCommand, package_command
from dfix.syntax import Run

from ._cleanup import earlier_unconditional
from ._packages import earlier_instructions

LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"
#: Actions that never read the package lists. ``remove``/``purge`` are not among them: of a
#: package that is not installed, apt knows only from the lists ("Unable to locate package"
#: without them, a harmless "not installed" with them). Removing packages an earlier step of
#: the file installed reads none (`installed_before`).
_NOT_READING = frozenset({"refresh", "autoremove", "clean"})
#: What makes a package operand more than a plain name: a pattern, or apt's ``pkg-``/``pkg+`` action suffix.
_NOT_A_NAME = re.compile(r"[*?\[\]^$]|[-+]$")


def is_update(command: SimpleCommand) -> bool:
    """``apt-get update``, ``apt update``, ``aptitude update`` (wrappers seen through)."""
    invocation = package_command(command)
    return invocation is not None and invocation.family == "apt" and invocation.action == "refresh"


def reads_lists(command: SimpleCommand, installed: frozenset[str] = frozenset()) -> bool:
    """A command that needs ``/var/lib/apt/lists``: installs, source/build-dep/download, apt-cache queries.

    A ``remove``/``purge`` of packages that are all in ``installed`` (known
    to be installed when it runs) reads none.
    """
    if command.name == "apt-cache":
        return True
    invocation = package_command(command)
    if invocation is None or invocation.family != "apt":
        return False
    if invocation.action == "unknown":
        return True  # `apt-get $ACTION`: assume the worst
    if invocation.subcommand is None:
        return False  # `apt-get --version`
    if invocation.action == "remove" and installed:
        names = _package_names(invocation)
        return names is None or not names <= installed
    return invocation.action not in _NOT_READING


def _package_names(invocation: PackageCommand) -> frozenset[str] | None:
    """The packages an install or remove names, without versions, architectures or releases; None if unknown."""
    names = set()
    for word in invocation.packages:
        value = word.value
        if value is None or _NOT_A_NAME.search(value):
            return None
        names.add(re.split(r"[=:/]", value, maxsplit=1)[0])
    return frozenset(names) if names else None


def _track(installed: set[str], command: SimpleCommand) -> None:
    """Update ``installed`` with what an apt ``command`` installs or removes."""
    invocation = package_command(command)
    if invocation is None or invocation.family != "apt" or invocation.action not in ("install", "remove"):
        return
    names = _package_names(invocation)
    if names is None:
        if invocation.action == "remove":
            installed.clear()  # an unknown removal: nothing is known to be installed any more
        return
    if invocation.action == "install":
        installed.update(names)
    else:
        installed.difference_update(names)


def installed_before(context: Context, view: RunView) -> frozenset[str]:
    """Packages an apt install of the file put in place before ``view`` runs (none for an ONBUILD trigger).

    Read from the RUNs of its stage and of the in-file stages it is built
    on, in order, with what they remove taken away again.
    """
    if view.trigger:
        return frozenset()
    installed: set[str] = set()
    for instruction in earlier_instructions(context, view.run):
        if isinstance(instruction, Run):
            model = context.run_view(instruction).model
            if model is not None:
                for command in model.commands:
                    _track(installed, command)
    return frozenset(installed)


def consumes_lists(view: RunView, context: Context | None = None) -> bool:
    """A later RUN that still needs the lists: it reads them without its own ``update`` first.

    With ``context``, removing packages the file installed earlier does not count as reading.
    """
    if view.mount_covers(LISTS, types=None):
        return False  # its own lists (cache, tmpfs or bind mount)
    model = view.model
    if model is None:
        return re.search(r"(?<![\w/.-])(apt-get|apt-cache|aptitude|apt)\s+[\w-]", view.text) is not None
    installed: set[str] | None = None
    for command in model.commands:
        invocation = package_command(command)
        if invocation is not None and invocation.action == "remove" and installed is None and context is not None:
            installed = set(installed_before(context, view))
            for earlier in model.commands:
                if earlier.start >= command.start:
                    break
                _track(installed, earlier)
        known = frozenset(installed) if installed is not None else frozenset()
        if reads_lists(command, known) and not earlier_unconditional(model, command, is_update):
            return True
        if installed is not None:
            _track(installed, command)
    return False
