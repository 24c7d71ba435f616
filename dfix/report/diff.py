"""Unified diffs that ``git apply`` and ``patch -p1`` take byte for byte.

Lines are split on ``\\n`` only (as Git does), so a ``\\r\\n`` ending stays
part of its line and a lone ``\\r``, form feed or U+2028 never starts a new
one (``str.splitlines`` would). A last line without a newline is followed by
``\\ No newline at end of file``. The text is the ``surrogateescape`` text
the file was read as, so invalid UTF-8 survives: write the patch with
``encode("utf-8", "surrogateescape")``.
"""

from __future__ import annotations

import difflib
import os

from ..patterns import lazy_pattern
from ..results import FileResult
from ._model import posix
from ._style import STYLES, Styled, render_text

NO_NEWLINE = "\\ No newline at end of file\n"

_LINE = lazy_pattern(r"[^\n]*\n|[^\n]+")
# Characters that make Git quote a path in a patch header (C-style, in double quotes).
_NEEDS_QUOTING = lazy_pattern(r'["\\\x00-\x1f\x7f]')
_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on ``\\n`` only."""
    return _LINE.findall(text)


def _range(start: int, stop: int) -> str:
    """A hunk range as ``diff -u`` writes it (``start,length``; ``start`` alone for one line)."""
    beginning = start + 1
    length = stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def header_path(path: str) -> str:
    """The path as it follows ``a/``/``b/``: relative, ``/``-separated, no ``./``.

    An absolute path below the working directory is made relative to it (the
    patch applies from there); any other absolute path is kept as is.
    """
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            relative = path
        if not relative.startswith(".."):
            path = relative
    return posix(path)


def _quoted(name: str) -> str:
    """Git's C-style quoting for a header name that needs it."""
    if not _NEEDS_QUOTING.search(name):
        return name
    out = []
    for char in name:
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def unified_diff(old: str, new: str, path: str, *, context: int = 3) -> list[tuple[str, str]]:
    """The patch as ``(kind, line)`` pairs; kinds: header, hunk, context, removed, added, marker."""
    if old == new:
        return []
    a, b = split_lines(old), split_lines(new)
    name = header_path(path)
    # As Git does: a name with a space ends with a tab, so `patch` knows where it ends.
    tab = "\t" if " " in name else ""
    out: list[tuple[str, str]] = [
        ("header", f"--- {_quoted('a/' + name)}{tab}\n"),
        ("header", f"+++ {_quoted('b/' + name)}{tab}\n"),
    ]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(max(context, 0)):
        first, last = group[0], group[-1]
        out.append(("hunk", f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines = [("context", " ", line) for line in a[i1:i2]]
            else:
                lines = [("removed", "-", line) for line in a[i1:i2]] + [("added", "+", line) for line in b[j1:j2]]
            for kind, prefix, line in lines:
                if line.endswith("\n"):
                    out.append((kind, prefix + line))
                else:
                    out.append((kind, prefix + line + "\n"))
                    out.append(("marker", NO_NEWLINE))
    return out


def render_diff(result: FileResult, *, context: int = 3, color: bool = False) -> str:
    """The unified diff ``original`` → ``fixed`` of one file; empty when nothing changed.

    Headers are ``--- a/<path>`` / ``+++ b/<path>`` with the path as given
    (relative), so ``git apply`` and ``patch -p1`` take the output from the
    directory the paths are relative to. The string can hold surrogate
    escapes (invalid UTF-8 in the file): write it with
    ``encode("utf-8", "surrogateescape")`` and every byte comes back.
    ``color`` adds ANSI colours for a terminal (then it is not a patch).
    """
    if result.original is None or result.fixed is None or result.original == result.fixed:
        return ""
    lines = unified_diff(result.original, result.fixed, result.path, context=context)
    if not color:
        return "".join(line for _, line in lines)
    text = Styled()
    styles = {"header": STYLES["header"], "hunk": STYLES["hunk"], "removed": STYLES["removed"],
              "added": STYLES["added"], "marker": STYLES["dim"]}
    for kind, line in lines:
        text.append(line, styles.get(kind, ""))
    return render_text(text, True)
