"""Colour: styled text is built with rich and rendered to ANSI only when asked."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

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


def render_text(text: Text, color: bool) -> str:
    """The plain string, or ANSI-coloured when ``color`` (whatever NO_COLOR or TERM say: the CLI decided)."""
    if not color:
        return text.plain
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
    console.print(text, end="")
    return buffer.getvalue()
