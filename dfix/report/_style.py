"""Colour: styled text is built as (text, style) pieces and rendered to ANSI with rich only when asked.

Plain output (a pipe, a file, CI, ``NO_COLOR``, machine formats) never
imports rich: a one-file run pays for it only when it prints colours.
"""

from __future__ import annotations

import io

#: Styles by role, so every format colours the same way.
STYLES = {
    "path": "bold",
    "position": "cyan",
    "error": "bold red",
    "warning": "bold yellow",
    "info": "bold blue",
    "style": "bold magenta",
    "fixable": "bold green",
    "gutter": "blue",
    "caret": "bold red",
    "help": "bold cyan",
    "removed": "red",
    "added": "green",
    "hunk": "cyan",
    "header": "bold",
    "dim": "dim",
}


class Styled:
    """Text built piece by piece, each piece with a style of :data:`STYLES` (or none)."""

    __slots__ = ("pieces",)

    def __init__(self) -> None:
        self.pieces: list[tuple[str, str]] = []

    def append(self, text: str, style: str = "") -> None:
        self.pieces.append((text, style))

    def append_text(self, other: "Styled") -> None:
        self.pieces.extend(other.pieces)

    @property
    def plain(self) -> str:
        return "".join(text for text, _style in self.pieces)


def render_text(text: Styled, color: bool) -> str:
    """The plain string, or ANSI-coloured when ``color`` (whatever NO_COLOR or TERM say: the CLI decided)."""
    if not color:
        return text.plain
    from rich.console import Console
    from rich.text import Text

    rich_text = Text()
    for piece, style in text.pieces:
        rich_text.append(piece, style)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        soft_wrap=True,
        width=1 << 16,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(rich_text, end="")
    return buffer.getvalue()
