"""The hand-written lexer: Dockerfile text to lossless tokens for the Lark grammar.

A grammar alone cannot see what decides a Dockerfile's structure: the escape
character chosen by a ``# escape=`` directive, comment and blank lines inside
a continued instruction, and heredoc bodies whose terminator is named on the
opening line (syntax.md §8.1). This lexer follows BuildKit's line scanner
exactly (§1, §2, §4), cuts every instruction's joined logical line into
keyword, flags and arguments the way BuildKit's argument parsers do (§3), and
maps each piece back to the physical text, so the tokens concatenate to the
input byte for byte.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

import msgspec

from ..patterns import lazy_pattern
from .chars import A_SPACE_RUN, U_SPACE, go_lower, go_quote, leading_u_space, strip_u, to_bytes
from .errors import ParseError
from .heredoc_markers import HeredocMarkerError, find_heredoc_markers
from .meaning import HeredocInfo, LineInfo, Meaning, Segment
from .tokens import Token
from .words import NotStringArray, parse_json_array, scan_flags, split_healthcheck_type, split_words

#: The longest physical line BuildKit's scanner reads, in bytes (LF excluded).
MAX_LINE_BYTES = 65535

KEYWORD_TOKENS = {
    name: "KW_" + name.upper()
    for name in (
        "add arg cmd copy entrypoint env expose from healthcheck label maintainer "
        "onbuild run shell stopsignal user volume workdir"
    ).split()
}

_SHELL_FORM = frozenset({"run", "cmd", "entrypoint", "shell"})
_LIST_OR_JSON = frozenset({"add", "copy", "volume"})
_LIST = frozenset({"from", "expose"})
_STRING = frozenset({"maintainer", "stopsignal", "user", "workdir"})
_KEY_VALUE = frozenset({"env", "label"})

_V0_12_5_DIRECTIVE = lazy_pattern(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_HEAD_DIRECTIVE = lazy_pattern(
    "#" + f"[{U_SPACE}]*([a-zA-Z][a-zA-Z0-9]*)[{U_SPACE}]*=[{U_SPACE}]*(.+?)[{U_SPACE}]*\\Z".replace("\n", "\\n")
)


class Dialect(msgspec.Struct, frozen=True):
    """Which BuildKit the semantic view follows (syntax.md §10).

    ``latest`` is what current ``docker build`` uses; ``0.12.5`` is the
    parser inside PyPI's ``dockerfile`` binding, dfix's test oracle.
    """

    name: str
    head: bool

    @property
    def directives(self) -> frozenset[str]:
        return frozenset({"syntax", "escape", "check"}) if self.head else frozenset({"syntax", "escape"})

    @property
    def directive_pattern(self) -> re.Pattern[str]:
        return _HEAD_DIRECTIVE if self.head else _V0_12_5_DIRECTIVE


LATEST = Dialect("latest", True)
V0_12_5 = Dialect("0.12.5", False)
DIALECTS = {"latest": LATEST, "head": LATEST, "0.12.5": V0_12_5, "v0.12.5": V0_12_5}


class _Piece(msgspec.Struct):
    """A content token in logical-line coordinates, before it is mapped to the file."""

    type: str
    start: int
    end: int
    info: object = None
    separator: str = "WS"


class _Line:
    """One physical line: where it starts, where its content and its end-of-line start."""

    __slots__ = ("number", "start", "content_end", "end")

    def __init__(self, number: int, start: int, content_end: int, end: int) -> None:
        self.number = number
        self.start = start
        self.content_end = content_end
        self.end = end


#: What Go's ``unicode.IsSpace`` counts as space (``strings.TrimSpace``): ASCII space, tab, line
#: feed, vertical tab, form feed, carriage return, NEL, NBSP and the Unicode space separators.
GO_UNICODE_SPACES = (
    " \t\n\v\f\r\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class Lexer:
    """Turns one file's text into the token stream of ``grammar/dockerfile.lark``."""

    def __init__(self, text: str, dialect: Dialect = LATEST) -> None:
        self.text = text
        self.dialect = dialect
        self.escape = "\\"
        self.tokens: list[Token] = []
        self.instruction_count = 0
        self._body_start = 1 if text.startswith("\ufeff") else 0
        self._limit = self._first_overlong_line()

    # -- physical lines ---------------------------------------------------

    def _first_overlong_line(self) -> int | None:
        """Offset of the first line BuildKit's scanner cannot read, if any."""
        text = self.text
        if len(text) <= MAX_LINE_BYTES // 4:  # no character takes more than 4 bytes
            return None
        start = self._body_start
        while start < len(text):
            newline = text.find("\n", start)
            end = len(text) if newline < 0 else newline
            if end - start > MAX_LINE_BYTES // 4 and len(to_bytes(text[start:end])) > MAX_LINE_BYTES:
                return start
            start = end + 1
        return None

    def _lines(self) -> Iterator[_Line]:
        text = self.text
        size = len(text)
        start = self._body_start
        number = 1
        limit = self._limit
        while start < size:
            if start == limit:
                return
            newline = text.find("\n", start)
            end = size if newline < 0 else newline + 1
            content_end = size if newline < 0 else newline
            while content_end > start and text[content_end - 1] == "\r":
                content_end -= 1
            yield _Line(number, start, content_end, end)
            number += 1
            start = end

    # -- the file ---------------------------------------------------------

    def run(self) -> list[Token]:
        """Lex the whole file, raising :class:`ParseError` where BuildKit would."""
        text = self.text
        tokens = self.tokens
        if self._body_start:
            tokens.append(Token.make("BOM", "\ufeff", 0, 1, 1))
        lines = self._lines()
        in_directives = True
        seen_directives: set[str] = set()
        last_line = 0
        for line in lines:
            last_line = line.number
            content = text[line.start : line.content_end]
            stripped_at = leading_u_space(content)
            if in_directives:
                match = self.dialect.directive_pattern.match(content, stripped_at)
                key = match.group(1).lower() if match else None
                if key in self.dialect.directives:
                    if key in seen_directives:
                        raise ParseError(f"only one {key} parser directive can be used", line.number, stripped_at + 1)
                    seen_directives.add(key)
                    if key == "escape":
                        value = match.group(2)
                        if value not in ("`", "\\"):
                            raise ParseError(
                                f"invalid escape token '{value}' does not match ` or \\", line.number, match.start(2) + 1
                            )
                        self.escape = value
                    tokens.append(self._line_token("DIRECTIVE", line, (key, match.group(2))))
                    continue
                in_directives = False
            if stripped_at == len(content):
                tokens.append(self._line_token("BLANK", line))
            elif content[stripped_at] == "#":
                tokens.append(self._line_token("COMMENT", line))
            else:
                last_line = self._instruction(line, stripped_at, lines)
        if self._limit is not None:
            if not self.instruction_count:
                raise ParseError("file with no instructions", last_line + 1)
            raise ParseError("dockerfile line greater than max allowed size of 65535", last_line + 1)
        if not self.instruction_count:
            raise ParseError("file with no instructions", max(last_line, 1))
        return tokens

    def _line_token(self, type: str, line: _Line, info: object = None) -> Token:
        return Token.make(type, self.text[line.start : line.end], line.start, line.number, 1, info)

    # -- one instruction --------------------------------------------------

    def _continues(self, content: str) -> tuple[bool, int]:
        """BuildKit's continuation test: does the line go on, and where its text ends."""
        escape = self.escape
        trimmed = content.rstrip(" \t")
        if trimmed.endswith(escape) and (len(trimmed) == 1 or trimmed[-2] != escape):
            return True, len(trimmed) - 1
        return False, len(content)

    def _instruction(self, first: _Line, lead: int, lines: Iterator[_Line]) -> int:
        """Lex the instruction starting on ``first``; returns the last line it consumed."""
        text = self.text
        self.instruction_count += 1
        content = text[first.start + lead : first.content_end]
        continues, length = self._continues(content)
        segments = [Segment(0, first.start + lead, length, first.number, first.start)]
        logical_parts = [content[:length]]
        logical_length = length
        empty_lines: list[int] = []
        comment_lines: list[int] = []
        last = first
        while continues:
            line = next(lines, None)
            if line is None:
                break
            last = line
            content = text[line.start : line.content_end]
            stripped_at = leading_u_space(content)
            if stripped_at == len(content):
                empty_lines.append(line.number)
                continue
            if content[stripped_at] == "#":
                comment_lines.append(line.number)
                continue
            continues, length = self._continues(content)
            segments.append(Segment(logical_length, line.start, length, line.number, line.start))
            logical_parts.append(content[:length])
            logical_length += length
        logical = self._logical = "".join(logical_parts)
        line_info = LineInfo(
            logical, tuple(segments), first.number, last.number, tuple(empty_lines), tuple(comment_lines)
        )

        pieces: list[_Piece] = []
        body_start = leading_u_space(logical)
        body_end = len(logical.rstrip(U_SPACE))
        try:
            if body_start < body_end:
                meaning = self._body(logical, body_start, body_end, pieces)
            else:
                meaning = Meaning("", "", (), ("",))
        except (NotStringArray, _ArgumentError) as error:
            raise ParseError(str(error), first.number, lead + 1) from None

        markers: tuple = ()
        if meaning.may_have_heredocs and "<<" in logical:
            try:
                markers = find_heredoc_markers(logical, head=self.dialect.head)
            except HeredocMarkerError as error:
                raise ParseError(error.message, first.number, lead + 1) from None

        self._emit(first, last, line_info, pieces)
        last_line = last.number
        for marker in markers:
            last_line = self._heredoc(marker, lines, line_info)
        return last_line

    def _heredoc(self, marker, lines: Iterator[_Line], line_info: LineInfo) -> int:
        """Lex one heredoc's body and terminator line; returns the terminator's line number."""
        text = self.text
        body: _Line | None = None
        for line in lines:
            candidate = text[line.start : line.content_end]
            if marker.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == marker.name:
                if body is not None:
                    self.tokens.append(Token.make("HEREDOC_BODY", text[body.start : line.start], body.start, body.number, 1))
                info = HeredocInfo(marker.name, marker.fd, marker.chomp, marker.expand, marker.start, marker.end)
                self.tokens.append(Token.make("HEREDOC_END", text[line.start : line.end], line.start, line.number, 1, info))
                return line.number
            if body is None:
                body = line
        segment = self._segment_for(line_info, marker.start)
        column = line_info.to_file_offset(marker.start) - segment.line_start + 1
        raw = line_info.original[marker.start : marker.end]
        raise ParseError(f"unterminated heredoc {raw}", segment.line, column)

    @staticmethod
    def _segment_for(line_info: LineInfo, logical_offset: int) -> Segment:
        segments = line_info.segments
        if len(segments) == 1:
            return segments[0]
        index = bisect_right([s.logical_start for s in segments], logical_offset) - 1
        return segments[max(index, 0)]

    # -- keyword, flags, arguments ------------------------------------------

    def _body(self, logical: str, start: int, end: int, pieces: list[_Piece]) -> Meaning:
        """Cut ``logical[start:end]`` (trimmed) into keyword, flags and arguments."""
        split = A_SPACE_RUN.search(logical, start, end)
        keyword_end = split.start() if split else end
        keyword = logical[start:keyword_end]
        name = go_lower(keyword)
        keyword_piece = _Piece(KEYWORD_TOKENS.get(name, "KW_UNKNOWN"), start, keyword_end)
        pieces.append(keyword_piece)
        if split is None:
            meaning = self._arguments(name, keyword, (), "", end, end, pieces)
            keyword_piece.info = meaning
            return meaning
        remainder_start = split.end()
        scan = scan_flags(logical[remainder_start:end], self.escape if self.dialect.head else "\\")
        for flag in scan.flags:
            pieces.append(_Piece("FLAG", remainder_start + flag.start, remainder_start + flag.end, flag.value, "FWS"))
        if scan.terminator is not None:
            pieces.append(
                _Piece("FLAG_END", remainder_start + scan.terminator[0], remainder_start + scan.terminator[1], None, "FWS")
            )
        rest_start = remainder_start + scan.rest_start
        args_start = leading_u_space(logical, rest_start) if rest_start < end else end
        args_start = min(args_start, end)
        meaning = self._arguments(
            name, keyword, tuple(f.value for f in scan.flags), strip_u(scan.rest), args_start, end, pieces
        )
        keyword_piece.info = meaning
        return meaning

    def _arguments(
        self, name: str, keyword: str, flags: tuple[str, ...], args: str, start: int, end: int, pieces: list[_Piece]
    ) -> Meaning:
        """Parse the argument text by the grammar BuildKit picks for ``name`` (§3.4)."""
        first_arg = len(pieces)
        if name in _SHELL_FORM:
            meaning = self._json_or_shell(name, keyword, flags, args, start, end, pieces)
        elif name in _LIST_OR_JSON:
            decoded = parse_json_array(args, self.dialect.head)
            if decoded is not None:
                values, json_end = decoded
                self._json_pieces(start, json_end, end, pieces)
                meaning = Meaning(keyword, name, flags, tuple(values), json=True)
            else:
                meaning = Meaning(keyword, name, flags, self._list_pieces(args, start, pieces))
        elif name in _LIST:
            meaning = Meaning(keyword, name, flags, self._list_pieces(args, start, pieces))
        elif name in _STRING:
            if args:
                pieces.append(_Piece("TEXT", start, end))
            meaning = Meaning(keyword, name, flags, (args,) if args else ())
        elif name in _KEY_VALUE:
            meaning = self._key_values(name, keyword, flags, args, start, end, pieces)
        elif name == "arg":
            words = split_words(args, self.escape)
            for word_start, word_end, _ in words:
                pieces.append(_Piece("WORD", start + word_start, start + word_end))
            meaning = Meaning(keyword, name, flags, tuple(word for _, _, word in words))
        elif name == "healthcheck":
            meaning = self._healthcheck(keyword, flags, args, start, end, pieces)
        elif name == "onbuild":
            # BuildKit's ONBUILD node holds one empty value whose child is the trigger.
            trigger = self._body(self._logical, start, end, pieces) if args else None
            meaning = Meaning(keyword, name, flags, ("",) if trigger else (), trigger=trigger)
        else:
            if start < end:
                pieces.append(_Piece("IGNORED", start, end))
            meaning = Meaning(keyword, name, flags, ("",))
        if len(pieces) > first_arg:
            pieces[first_arg].separator = "AWS"
        return meaning

    def _json_or_shell(self, name, keyword, flags, args, start, end, pieces) -> Meaning:
        if not args:
            return Meaning(keyword, name, flags, ())
        decoded = parse_json_array(args, self.dialect.head)
        if decoded is not None:
            values, json_end = decoded
            self._json_pieces(start, json_end, end, pieces)
            return Meaning(keyword, name, flags, tuple(values), json=True)
        pieces.append(_Piece("SHELL", start, end))
        return Meaning(keyword, name, flags, (args,))

    @staticmethod
    def _json_pieces(start: int, json_end: int, end: int, pieces: list[_Piece]) -> None:
        pieces.append(_Piece("JSON", start, start + json_end))
        if start + json_end < end:
            pieces.append(_Piece("JSON_TRAIL", start + json_end, end))

    @staticmethod
    def _list_pieces(args: str, start: int, pieces: list[_Piece]) -> tuple[str, ...]:
        """``parseStringsWhitespaceDelimited``: split on A-space runs."""
        if not args:
            return ()
        words = A_SPACE_RUN.split(args)
        for match_start, word in zip(_word_offsets(args), words):
            pieces.append(_Piece("WORD", start + match_start, start + match_start + len(word)))
        return tuple(words)

    def _key_values(self, name, keyword, flags, args, start, end, pieces) -> Meaning:
        """``parseNameVal`` for ENV and LABEL, both forms (§3.6)."""
        words = split_words(args, self.escape)
        if not words:
            return Meaning(keyword, name, flags, ())
        if "=" not in words[0][2]:
            split = A_SPACE_RUN.search(args)
            if split is None:
                raise _ArgumentError(f"{name.upper()} must have two arguments")
            pieces.append(_Piece("LEGACY_KEY", start, start + split.start()))
            pieces.append(_Piece("LEGACY_VALUE", start + split.end(), end))
            return Meaning(keyword, name, flags, (args[: split.start()], args[split.end() :]), legacy=True)
        values: list[str] = []
        for word_start, word_end, word in words:
            if "=" not in word:
                raise _ArgumentError(
                    f"Syntax error - can't find = in {go_quote(word)}. Must be of the form: name=value"
                )
            key, value = word.split("=", 1)
            values += (key, value)
            pieces.append(_Piece("PAIR", start + word_start, start + word_end))
        return Meaning(keyword, name, flags, tuple(values))

    def _healthcheck(self, keyword, flags, args, start, end, pieces) -> Meaning:
        """``parseHealthConfig``: a type word (cut byte-wise), then JSON-or-shell."""
        if not args:
            return Meaning(keyword, "healthcheck", flags, ())
        type_end, command_start, type_word, command = split_healthcheck_type(args)
        pieces.append(_Piece("HC_TYPE", start, start + type_end))
        # parseMaybeJSON looks for the JSON array past any Unicode space (Go's TrimSpace: NBSP,
        # U+2003 ...), while a shell-form command keeps them as written.
        lead = len(command) - len(command.lstrip(GO_UNICODE_SPACES))
        if lead and parse_json_array(command[lead:], self.dialect.head) is not None:
            command, command_start = command[lead:], command_start + lead
        command_meaning = self._json_or_shell("cmd", keyword, flags, command, start + command_start, end, pieces)
        return Meaning(
            keyword, "healthcheck", flags, (type_word,) + command_meaning.args, command_meaning.json
        )

    # -- from logical pieces to file tokens ---------------------------------

    def _emit(self, first: _Line, last: _Line, line_info: LineInfo, pieces: list[_Piece]) -> None:
        """Map the pieces to file offsets and append them, with separators, as tokens."""
        text = self.text
        tokens = self.tokens
        segments = line_info.segments
        single = len(segments) == 1
        logical_starts = [s.logical_start for s in segments] if not single else None

        def locate(offset: int) -> tuple[int, Segment]:
            if single:
                segment = segments[0]
            else:
                segment = segments[bisect_right(logical_starts, offset) - 1]
            return segment.start + offset - segment.logical_start, segment

        end_of_instruction = last.end
        if not pieces:
            tokens.append(Token.make("KW_UNKNOWN", "", first.start, first.number, 1, Meaning("", "", (), ("",))))
            tokens.append(Token.make("END", text[first.start : end_of_instruction], first.start, first.number, 1, line_info))
            return
        position, segment = locate(pieces[0].start)
        if position > first.start:
            tokens.append(Token.make("LEAD", text[first.start : position], first.start, first.number, 1))
        previous_end = previous_segment = previous_logical_end = None
        for piece in pieces:
            if previous_end is None:
                start = position
            elif piece.start == previous_logical_end:
                # adjacent in the logical line: whatever lies between belongs to this token
                start, segment = previous_end, previous_segment
            else:
                start, segment = locate(piece.start)
                tokens.append(
                    Token.make(
                        piece.separator,
                        text[previous_end:start],
                        previous_end,
                        previous_segment.line,
                        previous_end - previous_segment.line_start + 1,
                    )
                )
            last_char, last_segment = locate(piece.end - 1)
            end = last_char + 1
            tokens.append(
                Token.make(piece.type, text[start:end], start, segment.line, start - segment.line_start + 1, piece.info)
            )
            previous_end, previous_segment, previous_logical_end = end, last_segment, piece.end
        tokens.append(
            Token.make(
                "END",
                text[previous_end:end_of_instruction],
                previous_end,
                previous_segment.line,
                previous_end - previous_segment.line_start + 1,
                line_info,
            )
        )


class _ArgumentError(ValueError):
    """An argument parser refused the instruction (ENV/LABEL forms)."""


def _word_offsets(args: str) -> Iterator[int]:
    """Start offsets of the words ``A_SPACE_RUN.split(args)`` returns."""
    yield 0
    for match in A_SPACE_RUN.finditer(args):
        yield match.end()
