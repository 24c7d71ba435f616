"""Writing to the terminal: exact bytes, colour decisions, comma-separated option values.

Shared by the commands of :mod:`dfix.cli` and :mod:`dfix.bot.cli`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO



def to_bytes(text: str) -> bytes:
    """Text as bytes, writing a file's undecodable bytes (surrogate escapes) back as they were."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def emit(text: str, *, err: bool = False) -> None:
    """Write text exactly (no newline added) to stdout or stderr."""
    if not text:
        return
    stream = (sys.stderr if err else sys.stdout).buffer
    stream.write(to_bytes(text))
    stream.flush()


def stream_is_terminal(stream: IO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_color(choice: str, stream: IO) -> bool:
    """``--color``: ``always``/``never``; ``auto`` honours NO_COLOR, then FORCE_COLOR, then the terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream_is_terminal(stream)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def split_codes(values: Sequence[str]) -> list[str]:
    """``--select A,B --select C`` → ``[A, B, C]``."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]
