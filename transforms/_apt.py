"""What the apt family leaves in an image, shared by DF200 and DF205: the package lists and who reads them."""

from __future__ import annotations

import re
from enum import Enum

from dfix.engine import Context, RunView, program_name
from dfix.patterns import lazy_pattern
from dfix.shell import ListItem, PackageCommand, SimpleCommand, package_command
from dfix.shell import Context as ShellContext
from dfix.syntax import Run

from ._cleanup import NOT_ALWAYS, deletes, earlier_unconditional
from ._packages import earlier_instructions
from ._refresh import may_read_lists
from ._start_scripts import run_script

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


#: NodeSource's setup scripts (``curl -sL https://deb.nodesource.com/setup_8.x | bash -``): they add the
#: NodeSource repository and run ``apt-get update`` themselves.
_NODESOURCE_SETUP = lazy_pattern(r"deb\.nodesource\.com/setup_", re.I)


def refreshes_lists(command: SimpleCommand) -> bool:
    """``apt-get update``, or a download of NodeSource's setup script piped into the shell that runs it."""
    if is_update(command):
        return True
    return (
        command.name in ("curl", "wget")
        and ShellContext.PIPELINE in command.context
        and any(_NODESOURCE_SETUP.search(word.value or word.text) for word in command.args)
    )


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


def _renews_lists(command: SimpleCommand) -> bool:
    """After ``command`` the lists are not the earlier RUN's: it refreshes them, or deletes them."""
    return refreshes_lists(command) or deletes(command, (LISTS,))


def consumes_lists(view: RunView, context: Context | None = None) -> bool:
    """A later RUN that still needs the lists: it reads them without its own ``update`` (or their removal) first.

    With ``context``, removing packages the file installed earlier does not count as reading.
    """
    return lists_need(view, context) is not None


_READS = "still reads the package lists without its own `apt-get update`"


def lists_need(view: RunView, context: Context | None = None) -> str | None:
    """How a later RUN still needs the lists, said to the user ("still reads the package lists ..."), or None.

    See `consumes_lists`; with ``context``, a script the RUN runs counts too
    (see `_script_may_read_lists`).
    """
    if view.mount_covers(LISTS, types=None):
        return None  # its own lists (cache, tmpfs or bind mount)
    model = view.model
    if model is None:
        found = re.search(r"(?<![\w/.-])(apt-get|apt-cache|aptitude|apt)\s+[\w-]", view.text)
        return _READS if found else None
    commands = model.commands
    installed: set[str] | None = None  # what is installed as each command runs, when a removal asks
    if context is not None and any(_is_removal(command) for command in commands):
        installed = set(installed_before(context, view))
    for command in commands:
        known = frozenset(installed) if installed is not None else frozenset()
        if reads_lists(command, known) and not earlier_unconditional(model, command, _renews_lists):
            return _READS
        if context is not None and not view.trigger and _script_may_read_lists(context, view, command):
            if not earlier_unconditional(model, command, _renews_lists):
                script = run_script(context, view.run, command)[0]  # type: ignore[index]
                return (f"runs `{script}`, a script that may install packages from the package lists, with no "
                        "`apt-get update` before it")
        if installed is not None:
            _track(installed, command)
    return None


#: Names of scripts that install what a project needs (``install_dependencies.sh``, ``setup.sh``,
#: ``bootstrap``): when the file does not show their text, they may install packages from the lists.
_INSTALLER_NAME = lazy_pattern(r"install|deps|depend|setup|bootstrap|provision|prereq|requirement|packages", re.I)


def _script_may_read_lists(context: Context, view: RunView, command: SimpleCommand) -> bool:
    """``command`` runs a script that reads the apt lists, or may: one unseen whose name says it installs.

    The script's text is read from the build context when the build copies
    it from there. A script the file does not show (the context is not here,
    or an earlier step downloaded or wrote it) counts by its name.
    """
    found = run_script(context, view.run, command)
    if found is None:
        return False
    script, model = found
    if model is not None:
        return any(
            reads_lists(inner) and not earlier_unconditional(model, inner, _renews_lists) for inner in model.commands
        )
    return _unseen_installer(script)


#: Installers whose text is known: NodeSource's setup scripts refresh the lists themselves, and the Google
#: Cloud SDK's ``install.sh`` installs nothing with apt.
_KNOWN_NOT_APT = lazy_pattern(r"nodesource|google-cloud-sdk/install\.sh$", re.I)


def _unseen_installer(script: str) -> bool:
    """A shell script named as an installer, not a tool of the image (``/usr/local/bin/docker-php-ext-install``).

    Scripts in another language (``install.r``, ``setup.py``, an ``expect``
    script), files with another suffix (NodeSource's ``setup_10.x``) and
    installers known not to read the lists do not count.
    """
    name = program_name(script)
    if script.startswith("/usr/") and not name.endswith((".sh", ".bash")):
        return False
    if _KNOWN_NOT_APT.search(script):
        return False
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix not in ("sh", "bash"):
        return False
    return _INSTALLER_NAME.search(name) is not None


def _is_removal(command: SimpleCommand) -> bool:
    invocation = package_command(command)
    return invocation is not None and invocation.family == "apt" and invocation.action == "remove"


# -- a refresh the next one makes useless ----------------------------------------------------


def refreshed_later(context: Context, view: RunView) -> Run | None:
    """The later RUN of the stage that refreshes the lists before anything reads them, when ``view`` only refreshes.

    ``view`` must be an editable RUN without flags (not an ONBUILD trigger)
    whose commands are all apt refreshes; then a later RUN that refreshes
    every source unconditionally, with nothing before it able to read the
    lists, makes ``view`` a layer of stale lists nobody uses. None otherwise.
    """
    if view.script is None or view.trigger or view.run.flags or not view.model.commands:
        return None
    if not all(is_update(command) for command in view.model.commands):
        return None  # the RUN does something besides refreshing the apt lists
    for later in context.later_in_stage(view.run):
        if not isinstance(later, Run):
            continue
        use = _first_list_use(context.run_view(later))
        if use is _ListUse.REFRESHES:
            return later
        if use is _ListUse.MAY_READ:
            return None
    return None


class _ListUse(Enum):
    """What a RUN does first with the apt lists."""

    REFRESHES = "refreshes every source, whatever happened before"
    MAY_READ = "may read them"
    NONE = "neither"


#: Options of ``apt-get update`` that refresh only some sources or read another configuration.
_PARTIAL_REFRESH = lazy_pattern(r"-(o|c).*|--option.*|--config-file.*")


def _first_list_use(view: RunView) -> _ListUse:
    """What ``view`` does first with the apt lists."""
    if view.model is None:
        return _ListUse.MAY_READ  # a RUN dfix cannot read may do anything
    items = view.model.items
    for command in view.model.commands:
        if is_update(command):
            return _ListUse.REFRESHES if _full_unconditional(command, items) else _ListUse.MAY_READ
        if may_read_lists(command):
            return _ListUse.MAY_READ
    return _ListUse.NONE


def _full_unconditional(command: SimpleCommand, items: tuple[ListItem, ...]) -> bool:
    """The refresh runs whenever its RUN succeeds, and refreshes every source."""
    if command.context & _NOT_ALWAYS:
        return False
    index = command.item_index
    if index > 0 and items[index - 1].separator == "||":
        return False
    if items[index].separator == "||":
        return False
    return not any(_PARTIAL_REFRESH.fullmatch(word.value or word.text) for word in command.args)


#: Where a refresh may not run, or may fail unseen: the cleanup kit's contexts, negated, in a substitution.
_NOT_ALWAYS = NOT_ALWAYS | {ShellContext.NEGATED, ShellContext.SUBSTITUTION}
