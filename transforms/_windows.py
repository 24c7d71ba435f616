"""Whether a stage is built on Windows, where RUN text is PowerShell or cmd, not POSIX shell.

The engine knows the Windows bases by their repository (``.../windows/servercore``,
``nanoserver``). Real files also name them in other ways: a tag
(``openjdk:8-windowsservercore``), an insider repository
(``mcr.microsoft.com/windowsservercore-insider``), a community image
(``stefanscherer/node-windows``, ``stefanscherer/chocolatey``), or only the
backtick escape directive, which Windows Dockerfiles use so that ``\\`` stays
a path separator. Rules that read RUN text as shell ask this too, so that
PowerShell pipes and ``$env:X`` are never reported as shell.
"""

from __future__ import annotations

import re

from dfix.engine import Context
from dfix.patterns import lazy_pattern
from dfix.syntax import Instruction

#: What only Windows images carry in their reference: a Server Core or Nano Server name (in the repository
#: or the tag), chocolatey, or a repository that ends in ``windows`` (``node-windows``). Not a ``windows``
#: elsewhere: ``dockcross/windows-x64`` is a Linux image that cross-compiles for Windows.
_WINDOWS_WORDS = lazy_pattern(r"servercore|nanoserver|chocolatey|windows(?=[:@]|$)", re.IGNORECASE)


def on_windows(context: Context, instruction: Instruction) -> bool:
    """The instruction's stage is built on a Windows base (through in-file stages), or the escape is a backtick."""
    if context.tree.escape == "`":
        return True
    info = context.stage_of(instruction)
    while info is not None:
        if info.windows:
            return True
        image = info.stage.from_.image
        if image is not None and _WINDOWS_WORDS.search(image.text):
            return True
        info = context.stages[info.parent] if info.parent is not None else None
    return False
