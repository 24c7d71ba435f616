"""BuildKit's argument scanners, reproduced with the positions dfix needs.

Each function mirrors one helper of BuildKit's ``parser`` package (flag
extraction, ``parseWords``, JSON form, the HEALTHCHECK type split) and returns,
next to BuildKit's value, the offsets of what it consumed, so the lexer can cut
the same text into lossless tokens. See syntax.md §3.
"""

from __future__ import annotations

import json

import msgspec

from .chars import B_SPACE_BYTES, U_SPACE, char_bytes, replace_invalid, to_bytes


class Flag(msgspec.Struct, frozen=True):
    """One ``--flag`` word: its offsets in the scanned text and its decoded value."""

    start: int
    end: int
    value: str


class FlagScan(msgspec.Struct, frozen=True):
    """The result of scanning the flags off the front of an instruction's arguments."""

    flags: tuple[Flag, ...]
    #: Offsets of the bare ``--`` that ended the flags, if any.
    terminator: tuple[int, int] | None
    #: Where the argument text starts (a character offset).
    rest_start: int
    #: The argument text as BuildKit sees it (differs from ``text[rest_start:]``
    #: only when a byte-wise split cut a multi-byte character).
    rest: str


def _char_offsets(text: str) -> tuple[bytes, list[int]]:
    """UTF-8 bytes of ``text`` and, for every byte offset, the index of its character."""
    data = to_bytes(text)
    owner: list[int] = []
    for index, ch in enumerate(text):
        owner.extend([index] * len(char_bytes(ch)))
    owner.append(len(text))
    return data, owner


def scan_flags(text: str, escape: str) -> FlagScan:
    """BuildKit's ``extractBuilderFlags``: byte by byte, B-space separated.

    Non-ASCII bytes come out as Latin-1 code points, exactly as BuildKit's
    ``string(rune(byte))`` does (syntax.md §3.3).
    """
    if text.isascii():
        data = text.encode("ascii")
        owner = None
    else:
        data, owner = _char_offsets(text)
    esc = ord(escape)
    size = len(data)
    flags: list[Flag] = []
    pos = 0
    while True:
        while pos < size and data[pos] in B_SPACE_BYTES:
            pos += 1
        if pos + 1 >= size or data[pos] != 0x2D or data[pos + 1] != 0x2D:
            if pos >= size:
                return _flag_result(text, data, owner, flags, None, size)
            return _flag_result(text, data, owner, flags, None, pos)
        start = pos
        word: list[int] = []
        blank_ok = False
        quote = 0
        while pos < size:
            byte = data[pos]
            if quote:
                if byte == quote:
                    quote = 0
                elif byte == esc:
                    if pos + 1 == size:
                        quote = 0
                    else:
                        pos += 1
                        word.append(data[pos])
                else:
                    word.append(byte)
                pos += 1
                continue
            if byte in B_SPACE_BYTES:
                break
            if byte in (0x27, 0x22):
                quote = byte
                blank_ok = True
            elif byte == esc:
                if pos + 1 < size:
                    pos += 1
                    word.append(data[pos])
            else:
                word.append(byte)
            pos += 1
        value = bytes(word).decode("latin-1")
        if value == "--":
            terminator = (start, pos)
            if pos >= size:
                return _flag_result(text, data, owner, flags, terminator, size)
            return _flag_result(text, data, owner, flags, terminator, pos)
        if blank_ok or value:
            flags.append(Flag(start, pos, value))
        if pos >= size:
            return _flag_result(text, data, owner, flags, None, size)


def _flag_result(text, data, owner, flags, terminator, rest_byte) -> FlagScan:
    if owner is None:
        return FlagScan(tuple(flags), terminator, rest_byte, text[rest_byte:])

    def char_end(byte_end: int) -> int:  # the character holding byte_end-1, inclusive
        return owner[byte_end - 1] + 1 if byte_end else 0

    converted = tuple(Flag(owner[f.start], char_end(f.end), f.value) for f in flags)
    if terminator is not None:
        terminator = (owner[terminator[0]], char_end(terminator[1]))
    if rest_byte and rest_byte < len(data) and owner[rest_byte] == owner[rest_byte - 1]:
        # the split fell inside a character: BuildKit's rest starts with its remaining bytes
        rest_start = char_end(rest_byte)
        rest = data[rest_byte:].decode("utf-8", "surrogateescape")
    else:
        rest_start = owner[rest_byte]
        rest = text[rest_start:]
    return FlagScan(converted, terminator, rest_start, rest)


def split_words(text: str, escape: str) -> list[tuple[int, int, str]]:
    """BuildKit's ``parseWords`` (ENV, LABEL, ARG): U-space separated, quotes kept.

    Returns ``(start, end, word)``; the word keeps quotes and escapes, has a
    trailing lone escape dropped, and undecodable bytes as U+FFFD.
    """
    words: list[tuple[int, int, str]] = []
    size = len(text)
    pos = 0
    while pos < size:
        if text[pos] in U_SPACE:
            pos += 1
            continue
        start = pos
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < size:
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
                    word.append(ch)
                elif ch == escape and quote != "'":
                    if pos + 1 == size:
                        quote = ""
                    else:
                        word.append(ch)
                        pos += 1
                        word.append(text[pos])
                else:
                    word.append(ch)
                pos += 1
                continue
            if ch in U_SPACE:
                break
            if ch == "'" or ch == '"':
                quote = ch
                blank_ok = True
                word.append(ch)
            elif ch == escape:
                if pos + 1 < size:
                    word.append(ch)
                    pos += 1
                    word.append(text[pos])
            else:
                word.append(ch)
            pos += 1
        if blank_ok or word:
            words.append((start, pos, replace_invalid("".join(word))))
    return words


class NotStringArray(ValueError):
    """A JSON array holding something other than strings (BuildKit refuses it)."""

    message = "when using JSON array syntax, arrays must be comprised of strings only"


def _go_float(number: str) -> float:
    value = float(number)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")  # Go's decoder fails: shell form
    return value


def _no_constants(name: str):
    raise ValueError(f"invalid JSON literal {name}")


_DECODER = json.JSONDecoder(parse_float=_go_float, parse_int=_go_float, parse_constant=_no_constants)


def parse_json_array(text: str, whole: bool) -> tuple[list[str], int] | None:
    """BuildKit's ``parseJSON`` on argument text that is already trimmed.

    Returns the strings and the offset where the array ends, or ``None`` when
    the text is not a JSON array (BuildKit then falls back silently). With
    ``whole`` (current BuildKit) nothing but the array may be there; v0.12.5
    ignores anything after it. Raises :class:`NotStringArray`.
    """
    if not text.startswith("["):
        return None
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if whole and text[end:].strip(" \t\r\n"):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise NotStringArray(NotStringArray.message)
    return [replace_invalid(item) for item in value], end


def split_healthcheck_type(text: str) -> tuple[int, int, str, str]:
    """BuildKit's ``parseHealthConfig`` split, byte-wise: the type, then the command.

    Returns the character offsets of the end of the type and of the start of the
    command, the type as BuildKit sees it, and the command text.
    """
    if text.isascii():
        sep = next((i for i, ch in enumerate(text) if ord(ch) in B_SPACE_BYTES), len(text))
        nxt = sep
        while nxt < len(text) and ord(text[nxt]) in B_SPACE_BYTES:
            nxt += 1
        return sep, nxt, text[:sep], text[nxt:]
    data, owner = _char_offsets(text)
    sep = next((i for i, byte in enumerate(data) if byte in B_SPACE_BYTES), len(data))
    nxt = sep
    while nxt < len(data) and data[nxt] in B_SPACE_BYTES:
        nxt += 1
    type_end = owner[sep - 1] + 1 if sep else 0
    command_start = max(type_end, owner[nxt] if nxt < len(data) else len(text))
    if nxt < len(data) and nxt and owner[nxt] == owner[nxt - 1]:
        command_start = max(type_end, owner[nxt] + 1)
    return (
        type_end,
        command_start,
        data[:sep].decode("utf-8", "surrogateescape"),
        data[nxt:].decode("utf-8", "surrogateescape"),
    )
