"""dfix: a Dockerfile auto-fixer that reads every real Dockerfile losslessly.

``dfix.parse(text)`` gives a concrete syntax tree whose ``code`` is the input
byte for byte and whose meaning is BuildKit's; ``dfix.read_dockerfile(path)``
reads a file so that any byte sequence survives the round trip.

The names below are loaded from their layer when first used (module
``__getattr__``): ``import dfix`` alone loads neither the syntax tree nor the
engine, so ``dfix --version`` and a program that only parses pay for what
they use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__
from .rule_packages import name_default_packages

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Diagnostic, FixResult, Safety, check, fix
    from .syntax import *  # noqa: F403 - the public tree API
    from .syntax import ParseError, encode_dockerfile, parse, parse_instruction, read_dockerfile

# The engine finds rules in the packages it is given; dfix's own are the default.
name_default_packages("dfix.transforms")

#: The engine's names this front offers.
_ENGINE_NAMES = ("Diagnostic", "FixResult", "Safety", "check", "fix")
#: The syntax layer's public names (its ``__all__``; tests/cli/test_startup.py keeps the two equal).
#: Listed here so that telling them from a submodule (``from dfix import report``) imports nothing.
_SYNTAX_NAMES = (
    "Add", "Arg", "BlankLine", "Cmd", "Comment", "Copy", "Directive", "Dockerfile", "Entrypoint", "Env", "Expose",
    "Flag", "From", "Healthcheck", "Heredoc", "ImageRef", "Instruction", "Label", "Maintainer", "Mount", "Onbuild",
    "ParseError", "ParseWarning", "Run", "Shell", "Span", "Stage", "Stopsignal", "Token", "Unknown", "User",
    "Volume", "Workdir", "parse", "parse_instruction", "encode_dockerfile", "read_dockerfile", "text_problem",
    "INSTRUCTION_FLAGS", "Refusal", "RefusalKind", "first_refusal", "instruction_refusal", "refusals",
)

__all__ = [*_SYNTAX_NAMES, *_ENGINE_NAMES, "__version__"]


def __getattr__(name: str) -> object:
    if name in _ENGINE_NAMES:
        value = getattr(importlib.import_module(".engine", __name__), name)
    elif name in _SYNTAX_NAMES:
        value = getattr(importlib.import_module(".syntax", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
