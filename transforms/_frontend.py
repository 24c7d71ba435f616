"""Which Dockerfile frontend a file asks for with ``# syntax=``, and whether it has a feature.

Without the directive the builder's own frontend parses the file, and its
age is unknown: Docker 20.10 shipped one that takes ``ADD --chmod`` but
ignores it for a URL, and secret mounts without ``env=``. With
``# syntax=docker/dockerfile:1`` (or ``:1.10``, ``:1-labs``, ``:latest``) the
build fetches that frontend, whatever the builder, so a fix may rely on
what that version does.
"""

from __future__ import annotations

import re

from dfix.patterns import lazy_pattern

__all__ = ["frontend_at_least"]

#: ``docker/dockerfile`` with an optional tag and digest (``docker.io/`` too).
_FRONTEND = lazy_pattern(r"^(?:docker\.io/)?docker/dockerfile(?::(?P<tag>[\w.-]+))?(?:@sha256:[0-9a-f]+)?$")


def frontend_at_least(syntax: str | None, minor: int) -> bool:
    """The ``# syntax=`` value names the Dockerfile frontend 1.``minor`` or later (a floating ``1``/``latest`` tag too)."""
    if syntax is None:
        return False
    match = _FRONTEND.match(syntax.strip())
    if match is None:
        return False
    tag = (match.group("tag") or "latest").split("-", 1)[0]
    if tag in ("latest", "labs", "1", "master"):
        return True
    numbers = re.match(r"^(\d+)(?:\.(\d+))?", tag)
    if numbers is None:
        return False
    major, version = int(numbers.group(1)), int(numbers.group(2) or 0)
    return major > 1 or (major == 1 and (numbers.group(2) is None or version >= minor))
