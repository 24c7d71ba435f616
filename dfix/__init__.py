"""dfix: a Dockerfile auto-fixer that reads every real Dockerfile losslessly.

``dfix.parse(text)`` gives a concrete syntax tree whose ``code`` is the input
byte for byte and whose meaning is BuildKit's; ``dfix.read_dockerfile(path)``
reads a file so that any byte sequence survives the round trip.
"""

from __future__ import annotations

import os

from .syntax import *  # noqa: F403 - the public tree API
from .engine import Diagnostic, FixResult, Safety, check, fix, use_rule_packages
from .syntax import ParseError, parse, parse_instruction
from .syntax import __all__ as _syntax_all

__version__ = "0.1.0"

# The engine finds rules in the packages it is given; dfix's own are the default.
use_rule_packages("dfix.transforms")


def read_dockerfile(path: str | os.PathLike[str]) -> str:
    """Read a Dockerfile as text that round-trips every byte.

    Bytes are decoded as UTF-8 with ``surrogateescape``, so invalid UTF-8,
    a BOM and CRLF line endings all survive; write back with
    :func:`write_text_bytes` (or ``text.encode("utf-8", "surrogateescape")``).
    """
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "surrogateescape")


def encode_dockerfile(text: str) -> bytes:
    """The bytes of text read by :func:`read_dockerfile`."""
    return text.encode("utf-8", "surrogateescape")


__all__ = [
    *_syntax_all, "Diagnostic", "FixResult", "Safety", "check", "fix", "read_dockerfile", "encode_dockerfile",
    "__version__",
]
