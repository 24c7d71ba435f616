"""The one base of the errors a user can fix: each carries the exit code the command ends with.

A bad setting, a selector that names no rule, a path list that cannot be
read: these end the run with one line on stderr and exit 2 ("dfix could not
do its job"), never a traceback. Catching :class:`DfixError` once at the top
of each command keeps that promise for every error that derives from it.
A file BuildKit refuses is not one of these: it is that file's result
(exit 1), and the run goes on with the other files.
"""

from __future__ import annotations

from typing import ClassVar


class DfixError(Exception):
    """Something the user can fix; ``str(error)`` is the one line they see."""

    #: The process exit code a command ends with when this error stops it.
    exit_code: ClassVar[int] = 2


class UserError(DfixError):
    """A bad combination of options or an input the command cannot use."""
