"""Regular expressions compiled when first used: many are defined, few are needed by one run.

Every rule module is imported by a check of one file, and the rules define
their patterns at the top of their modules: compiling all of them costs more
CPU than checking a typical file, while such a check uses about one in eight.
:func:`lazy_pattern` takes what :func:`re.compile` takes and gives an object
that answers like the compiled pattern; the first call of any of its methods
compiles it and puts the compiled pattern's own methods on the object, so
every later call goes straight to :mod:`re` at no extra cost.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern", "lazy_pattern"]

#: The methods of ``re.Pattern`` that a lazy pattern answers (each compiles it on first use).
_METHODS = ("match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """A pattern's source and flags, compiled by the first method called on it (see the module docstring)."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        #: The source, as ``re.Pattern.pattern`` gives it.
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[Any]:
        """The compiled pattern; from now on the methods of this object are the compiled pattern's."""
        pattern = re.compile(self.pattern, self._flags)
        for name in _METHODS:
            setattr(self, name, getattr(pattern, name))  # an instance attribute hides the method below
        self.compiled = lambda: pattern  # type: ignore[method-assign]
        return pattern

    def match(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().match(*args, **kwargs)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().search(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().fullmatch(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().subn(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().split(*args, **kwargs)

    def findall(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().findall(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().finditer(*args, **kwargs)

    @property
    def flags(self) -> int:
        return self.compiled().flags

    @property
    def groups(self) -> int:
        return self.compiled().groups

    @property
    def groupindex(self) -> Any:
        return self.compiled().groupindex

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.pattern, self._flags))

    def __repr__(self) -> str:
        return f"lazy_pattern({self.pattern!r}{f', {self._flags}' if self._flags else ''})"


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done when the pattern is first used (see the module docstring)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value] - it answers as re.Pattern does
