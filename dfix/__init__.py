"""dfix: a Dockerfile auto-fixer that reads every real Dockerfile losslessly.

``dfix.parse(text)`` gives a concrete syntax tree whose ``code`` is the input
byte for byte and whose meaning is BuildKit's; ``dfix.read_dockerfile(path)``
reads a file so that any byte sequence survives the round trip.
"""

from __future__ import annotations

from ._version import __version__
from .syntax import *  # noqa: F403 - the public tree API
from .engine import Diagnostic, FixResult, Safety, check, fix, use_rule_packages
from .syntax import ParseError, encode_dockerfile, parse, parse_instruction, read_dockerfile
from .syntax import __all__ as _syntax_all

# The engine finds rules in the packages it is given; dfix's own are the default.
use_rule_packages("dfix.transforms")

__all__ = [
    *_syntax_all, "Diagnostic", "FixResult", "Safety", "check", "fix", "__version__",
]
