"""Which ``pip`` a command runs when the stage's pip is Debian's or Ubuntu's own, from before pip 6.

pip 6.0 (December 2014) added the wheel and HTTP cache and, with it,
``--no-cache-dir``; older pips reject the option (``no such option:
--no-cache-dir``) and cache nothing. Debian up to 8 (jessie: 1.5.6) and
Ubuntu before 16.04 (trusty: 1.5.4) ship such a pip as ``python-pip`` and
``python3-pip``; Debian 9 ships 9.0.1, Ubuntu 16.04 ships 8.1.1.

The release is read from the base image's reference (see the releases kit:
``node:4`` and ``node:6`` were jessie for part of their life only, so a fix
there is left to the user). A virtualenv made there (``virtualenv``,
``python3 -m venv``) bundles the same old pip.
"""

from __future__ import annotations

import posixpath
import re

from dfix.engine import Context
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, package_commands
from dfix.syntax import Run

from ._packages import earlier_instructions
from ._releases import old_release

__all__ = ["distro_pip_before_6", "OldPip"]

#: Programs that run the distribution's pip (a virtualenv's own pip is another matter).
_DISTRO_PIP = lazy_pattern(r"pip[23]?(\.\d+)?|python[23]?(\.\d+)?")
#: A requirement naming pip itself: ``pip``, ``pip==20.3.4``, ``'pip<21'``.
_PIP_ITSELF = lazy_pattern(r"pip(\s*[<>=!~].*)?", re.IGNORECASE)


class OldPip:
    """The answer for one pip command: which release's old pip runs it, and whether that is certain."""

    def __init__(self, release: str, certain: bool, doubt: str = "") -> None:
        #: "Debian 8" ...
        self.release = release
        #: False when the pip that runs may be the release's own or a newer one.
        self.certain = certain
        #: Why it is not certain, said to the user.
        self.doubt = doubt


def distro_pip_before_6(context: Context, run: Run, command: PackageCommand, model) -> OldPip | None:
    """The old distribution pip that runs ``command``, or None when it is pip 6 or later (or unknown).

    The stage installs ``python-pip`` or ``python3-pip`` with apt on an old
    release, and nothing upgrades pip before the command. An upgrade earlier
    in the same RUN leaves it uncertain: the shell may run the old copy it
    already found.
    """
    if not _DISTRO_PIP.fullmatch(posixpath.basename(command.program_words[0].value or "")):
        return None  # (a virtualenv's pip, /venv/bin/pip, is the one the release's virtualenv bundles)
    info = context.stage_of(run)
    if info is None:
        return None
    base = context.root_stage(info).stage.base
    found = old_release(base.text if base is not None else None)
    if found is None:
        return None
    release, base_certain = found
    installed = False
    for instruction in earlier_instructions(context, run):
        view = context.run_view(instruction) if isinstance(instruction, Run) else None
        if view is None or view.model is None:
            continue
        if installed and _GET_PIP.search(view.text):
            return None  # get-pip.py or easy_install brought a new pip, in a RUN before this one
        for earlier in package_commands(view.model):
            if _installs_distro_pip(earlier):
                installed = True
            elif installed and _upgrades_pip(earlier):
                return None  # a new pip, in a RUN before this one
    upgraded = False
    for earlier in package_commands(model):
        if earlier.start >= command.start:
            break
        if _installs_distro_pip(earlier):
            installed = True
        elif installed and _upgrades_pip(earlier):
            upgraded = True
    if not installed:
        return None
    if _GET_PIP.search(model.text[: command.start]):
        upgraded = True
    if upgraded:
        return OldPip(release, False, "the shell may not see the pip the RUN upgraded earlier")
    if not base_certain:
        return OldPip(release, False, f"`{base.text}` was built on {release} for part of its life")
    return OldPip(release, True)


#: Other ways a build puts a new pip in place.
_GET_PIP = lazy_pattern(r"get-pip|easy_install(\s+-\S+)*\s+pip\b")


#: Packages that bring the release's own pip: directly, or bundled into every virtualenv they make.
_PIP_PACKAGES = frozenset({
    "python-pip", "python3-pip", "python-virtualenv", "python3-virtualenv", "virtualenv", "python3-venv",
    "python3.4-venv",
})


def _installs_distro_pip(command: PackageCommand) -> bool:
    return command.family == "apt" and command.action == "install" and any(
        (word.value or "") in _PIP_PACKAGES for word in command.operands
    )


def _upgrades_pip(command: PackageCommand) -> bool:
    """``pip install -U pip``, ``pip install pip==20.3.4`` and the like."""
    return command.manager == "pip" and command.subcommand == "install" and any(
        _PIP_ITSELF.fullmatch(word.value or "") for word in command.operands
    )
