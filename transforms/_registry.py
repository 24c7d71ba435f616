"""The registry notice (DF004 registry-unreachable), shared by the rule and the pinning rules that raise it.

DF004 reports addresses that can never be reached by itself; the pinning
rules (DF300-DF302) add the same notice when a lookup they tried failed. Both
build it from here, so neither rule module imports the other.
"""

from __future__ import annotations

from dfix.engine import Diagnostic
from dfix.registry import RegistryError
from dfix.syntax import Span

UNREACHABLE_CODE = "DF004"
UNREACHABLE_NAME = "registry-unreachable"
#: A notice: a lookup that failed never fails a run.
UNREACHABLE_SEVERITY = "info"


def unreachable_notice(asker: str, image: str, error: RegistryError, where: Span) -> Diagnostic:
    """The DF004 notice for a lookup of ``image`` by rule ``asker`` that failed with ``error``."""
    return Diagnostic(
        UNREACHABLE_CODE, UNREACHABLE_NAME,
        f"{asker} could not look up `{image}`: {error}; the line is left as it is",
        where, None, f"kind: {error.kind}", UNREACHABLE_SEVERITY,
    )
