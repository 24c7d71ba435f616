"""The character classes BuildKit's parser uses, which differ from Python's.

BuildKit mixes several notions of whitespace (syntax.md, "Whitespace sets"):
Go's ``unicode.IsSpace`` on runes (U-space), the ASCII class ``[\\t\\v\\f\\r ]``
(A-space), ``unicode.IsSpace`` applied to single UTF-8 *bytes* (B-space), and
``[ \\t]`` after a continuation escape. Python's ``str.isspace`` is none of them.
"""

from __future__ import annotations

import re

from ..patterns import lazy_pattern

#: Go's ``unicode.IsSpace`` (Python's ``isspace`` also accepts U+001C-U+001F).
U_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
U_SPACE_CLASS = "[" + re.escape(U_SPACE) + "]"
#: BuildKit's ``reWhitespace``.
A_SPACE = "\t\v\f\r "
A_SPACE_RUN = lazy_pattern(r"[\t\v\f\r ]+")
#: ``unicode.IsSpace(rune(b))`` for a single byte ``b``.
B_SPACE_BYTES = frozenset(b"\t\n\v\f\r \x85\xa0")

_LEADING_U_SPACE = lazy_pattern(U_SPACE_CLASS + "*")
_TRAILING_U_SPACE = lazy_pattern(U_SPACE_CLASS + "*$")


def lstrip_u(text: str) -> str:
    """``strings.TrimLeftFunc(text, unicode.IsSpace)``."""
    return text.lstrip(U_SPACE)


def strip_u(text: str) -> str:
    """``strings.TrimSpace``."""
    return text.strip(U_SPACE)


def leading_u_space(text: str, start: int = 0) -> int:
    """Offset of the first character at or after ``start`` that is not U-space."""
    return _LEADING_U_SPACE.match(text, start).end()


def to_bytes(text: str) -> bytes:
    """The UTF-8 bytes of ``text``, undecodable bytes restored.

    Text read with ``surrogateescape`` holds U+DC80-U+DCFF for bytes that
    were not UTF-8; those become the bytes again. Any other lone surrogate
    (which no file read can produce, but a ``str`` may hold) is written the
    way Go would see it: as its three-byte encoding.
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return b"".join(char_bytes(ch) for ch in text)


def char_bytes(ch: str) -> bytes:
    """The bytes of one character, as :func:`to_bytes` writes them."""
    try:
        return ch.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return ch.encode("utf-8", "surrogatepass")


def go_lower(text: str) -> str:
    """Go's rune-wise ``strings.ToLower`` where it matters for keywords.

    Python lower-cases U+0130 to two code points; Go gives plain ``i``.
    """
    return text.replace("\u0130", "i").lower()


def replace_invalid(text: str) -> str:
    """Turn lone surrogates (undecodable bytes, or bad JSON escapes) into U+FFFD.

    BuildKit rebuilds some values rune by rune, which replaces invalid UTF-8.
    """
    if text.isascii():
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote`` (``%q``), used in one BuildKit error message."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() and not 0xD800 <= code <= 0xDFFF:
            out.append(ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[ch])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
