"""Heredoc marker detection exactly as BuildKit does it (syntax.md §4.2, §10).

BuildKit (``parser.heredocsFromLine``) runs its build-time word lexer
(``frontend/dockerfile/shell/lex.go``) over the *whole* logical line with
quotes and escapes kept (``RawQuotes``, ``RawEscapes``), unset variables kept
verbatim (``SkipUnsetEnv`` with an empty environment) and the escape character
fixed to ``\\``. The lexer's error is ignored: a line that fails to lex has no
heredocs at all. Every resulting word is matched against ``reHeredoc``; for a
match, ``heredocFromMatch`` lexes the rest of the word twice more (quotes
removed, then kept) and accepts it when that gives exactly one word. A lexer
error at that point is fatal for the whole file (P6).

This module is a Python model of that lexer, written from its behaviour, for
both versions dfix cares about:

* ``head=False``: BuildKit v0.12.5 (the PyPI ``dockerfile`` binding);
* ``head=True``: current BuildKit, whose lexer also knows ``${v#p}``,
  ``${v%p}``, ``${v/p/r}``, glues ``<<`` to the blanks after it, and shares one
  word buffer between nested ``${...}`` scans (so the text of a word before a
  ``${v:-w}``-style expansion is dropped).

Characters that stood for undecodable bytes (lone surrogates from
``surrogateescape``) are seen as U+FFFD, as Go's scanner sees them; names and
error messages therefore contain U+FFFD where BuildKit's do.

``start``/``end`` are exact for marker words made of source text. A marker
can also begin inside a ``${v:-w}`` expansion that the line lexer split at a
blank (``RUN <<A ${v:- <<B}`` has markers ``A`` and ``B}``); its span is exact
too unless BuildKit rebuilt that expansion with different text (HEAD drops
escapes in ``w`` and writes ``${v//p/r}`` as ``${v/p/r}``), in which case the
span covers the whole expansion.

Checked against the binding (v0.12.5) by ``tests/test_heredoc_markers.py``;
the HEAD behaviour follows BuildKit's source and syntax.md's HEAD results.
"""

from __future__ import annotations

import re

import msgspec

from ..patterns import lazy_pattern

__all__ = ["HeredocMarker", "HeredocMarkerError", "find_heredoc_markers"]


class HeredocMarker(msgspec.Struct, frozen=True):
    """One heredoc marker (``<<EOF``, ``<<-'END'``) of an instruction line."""

    name: str  # delimiter after quote removal
    fd: int
    chomp: bool  # <<-
    expand: bool
    start: int  # offset of the marker word in the line (code points of the given str)
    end: int


class HeredocMarkerError(Exception):
    """P6: a lexer error inside a heredoc marker word; ``message`` is BuildKit's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# Character classes

#: Go's ``unicode.IsSpace``.
_U_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_U_SPACE_RE_CLASS = re.escape("".join(sorted(_U_SPACE)))

#: ``isSpecialParam`` ('0' is reached through the digit branch first).
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
#: HEAD's ``processPossibleHeredoc`` keeps these after ``<<`` in the word.
_HEREDOC_BLANKS = " \t\r"
_EOF_RUNE = "\ufffd"  # string(rune(scanner.EOF)) in Go

_SURROGATE = lazy_pattern("[\ud800-\udfff]")
_ANY_SPACE = lazy_pattern("[" + _U_SPACE_RE_CLASS + "]")
_SPACE_OR_NOT = lazy_pattern("([^" + _U_SPACE_RE_CLASS + "]+)|[" + _U_SPACE_RE_CLASS + "]+")
_DOUBLE_QUOTED_SPECIAL = lazy_pattern(r'["$\\]')
# Characters processStopOn treats specially, by (stop character, head).
_SPECIAL_CHARS = {
    (stop, head): re.compile("[" + re.escape("$'\"\\" + ("<" if head else "") + (stop or "")) + "]")
    for stop in (None, "}", "/")
    for head in (False, True)
}
_NEEDS_FULL_LEXER = lazy_pattern(r"""['"$\\]""")

# reHeredoc. Go's \d and \s are ASCII ([0-9], [\t\n\f\r ]); `$` is end of text.
_RE_V0125 = lazy_pattern(r"([0-9]*)<<(-?)([^<]*)", re.DOTALL)
_RE_HEAD = lazy_pattern(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)", re.DOTALL)

# Word splitting when the line has no quote, `$` or backslash (the common
# case): every character goes through addChar, so words are maximal runs of
# non-U-space characters; HEAD additionally glues `<<` to the blanks after it.
_FAST_WORD_V0125 = lazy_pattern("[^" + _U_SPACE_RE_CLASS + "]+")
_FAST_WORD_HEAD = lazy_pattern("(?:<<[ \t\r]*|[^" + _U_SPACE_RE_CLASS + "])+")

# A marker's rest that lexes to itself (less a leading BOM) as one word.
_PLAIN_REST = lazy_pattern("[^'\"$\\\\" + _U_SPACE_RE_CLASS + "]+")

_UINT64_MAX = 2**64 - 1

_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def _go_quote(text: str) -> str:
    """Go's ``%q`` (``strconv.Quote``) of a valid UTF-8 string."""
    out = ['"']
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable():  # same categories as Go's IsPrint: L M N P S + ' '
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        else:
            code = ord(ch)
            if code < 0x20 or code == 0x7F:
                out.append("\\x%02x" % code)
            elif 0xD800 <= code <= 0xDFFF:
                out.append("\\ufffd")
            elif code < 0x10000:
                out.append("\\u%04x" % code)
            else:
                out.append("\\U%08x" % code)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------
# The lexer model


class _LexError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Buf:
    """The word being built (``wordsStruct.word`` / HEAD's shared ``wordsBuffer``)."""

    __slots__ = ("parts", "start", "end")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.start = -1
        self.end = -1

    def reset(self) -> None:
        self.parts = []
        self.start = -1
        self.end = -1


class _Words:
    """``wordsStruct``: splits what the lexer produces into words, with source spans."""

    __slots__ = ("buf", "out", "in_word")

    def __init__(self, buf: _Buf) -> None:
        self.buf = buf
        self.out: list[tuple[str, int, int]] = []
        self.in_word = False

    def _flush(self) -> None:
        buf = self.buf
        self.out.append(("".join(buf.parts), buf.start, buf.end))
        buf.reset()

    def add_raw(self, text: str, start: int, end: int) -> None:
        # addRawChar / addRawString
        if text:
            buf = self.buf
            if not buf.parts:
                buf.start = start
            buf.parts.append(text)
            buf.end = end
        self.in_word = True

    def add_char(self, ch: str, start: int, end: int) -> None:
        if ch in _U_SPACE:
            if self.in_word and self.buf.parts:
                self._flush()
                self.in_word = False
        else:
            self.add_raw(ch, start, end)

    def add_plain(self, text: str, start: int) -> None:
        """``addChar`` for each character of ``text`` (which starts at ``start``)."""
        if _ANY_SPACE.search(text) is None:
            self.add_raw(text, start, start + len(text))
            return
        for m in _SPACE_OR_NOT.finditer(text):
            if m.lastindex:  # a run of non-space characters
                self.add_raw(m.group(), start + m.start(), start + m.end())
            elif self.in_word and self.buf.parts:  # only the first space of a run matters
                self._flush()
                self.in_word = False

    def add_string(self, text: str, start: int, end: int) -> None:
        # The expansion result goes through addChar, so it is split at U-space.
        if len(text) == end - start:
            self.add_plain(text, start)
        else:  # rebuilt text differs from the source: every piece spans it all
            for ch in text:
                self.add_char(ch, start, end)

    def finish(self) -> list[tuple[str, int, int]]:
        if self.buf.parts:
            self._flush()
            self.in_word = False
        return self.out


class _Lexer:
    """``shell.Lex`` with ``SkipUnsetEnv`` and an empty environment, escape ``\\``."""

    __slots__ = ("s", "n", "i", "raw_quotes", "raw_escapes", "head", "shared")

    def __init__(self, text: str, *, raw_quotes: bool, raw_escapes: bool, head: bool) -> None:
        self.s = text
        self.n = len(text)
        # text/scanner skips a byte-order mark at the very start of its input.
        self.i = 1 if text[:1] == "\ufeff" else 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.head = head
        self.shared = _Buf()

    def words(self) -> list[tuple[str, int, int]]:
        return self._stop_on(None, self.raw_escapes)[1]

    def _next(self) -> str | None:
        i = self.i
        if i >= self.n:
            return None
        self.i = i + 1
        return self.s[i]

    # processStopOn
    def _stop_on(self, stop: str | None, raw_escapes: bool) -> tuple[str, list[tuple[str, int, int]]]:
        if not self.head:  # v0.12.5: one buffer per scan, sw.rawEscapes unchanged
            return self._scan(stop, _Words(_Buf()))
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        self.shared.reset()  # HEAD: sw.wordsBuffer.Reset(), shared with the caller
        try:
            return self._scan(stop, _Words(self.shared))
        finally:
            self.raw_escapes = saved

    def _scan(self, stop: str | None, words: _Words) -> tuple[str, list[tuple[str, int, int]]]:
        s = self.s
        n = self.n
        head = self.head
        special = _SPECIAL_CHARS[stop, head]
        out: list[str] = []
        while self.i < n:
            i = self.i
            found = special.search(s, i)
            j = found.start() if found is not None else n
            if j > i:  # ordinary characters: each goes through addChar
                run = s[i:j]
                out.append(run)
                words.add_plain(run, i)
                self.i = i = j
                if j >= n:
                    break
            ch = s[i]
            if ch == stop:
                self.i = i + 1
                return "".join(out), words.finish()
            if ch == "$":
                tmp = self._dollar()
                out.append(tmp)
                words.add_string(tmp, i, self.i)
            elif ch == "'":
                tmp = self._single_quote()
                out.append(tmp)
                words.add_raw(tmp, i, self.i)
            elif ch == '"':
                tmp = self._double_quote()
                out.append(tmp)
                words.add_raw(tmp, i, self.i)
            elif ch == "<" and head:
                tmp = self._possible_heredoc()
                out.append(tmp)
                words.add_raw(tmp, i, self.i)
            else:
                self.i = i + 1
                if ch == "\\":
                    if self.raw_escapes:
                        words.add_raw("\\", i, i + 1)
                        out.append("\\")
                    if self.i >= n:
                        break  # a trailing escape is dropped
                    ch = s[self.i]
                    self.i += 1
                    words.add_raw(ch, self.i - 1, self.i)
                else:
                    words.add_char(ch, i, i + 1)
                out.append(ch)
        if stop is not None:
            raise _LexError("unexpected end of statement while looking for matching " + stop)
        return "".join(out), words.finish()

    def _single_quote(self) -> str:
        self.i += 1
        out = ["'"] if self.raw_quotes else []
        end = self.s.find("'", self.i)
        if end < 0:
            self.i = self.n
            raise _LexError("unexpected end of statement while looking for matching single-quote")
        out.append(self.s[self.i : end])
        self.i = end + 1
        if self.raw_quotes:
            out.append("'")
        return "".join(out)

    def _double_quote(self) -> str:
        s = self.s
        n = self.n
        self.i += 1
        out = ['"'] if self.raw_quotes else []
        while True:
            i = self.i
            if i >= n:
                raise _LexError("unexpected end of statement while looking for matching double-quote")
            found = _DOUBLE_QUOTED_SPECIAL.search(s, i)
            if found is None:
                self.i = n
                raise _LexError("unexpected end of statement while looking for matching double-quote")
            j = found.start()
            if j > i:
                out.append(s[i:j])
                self.i = i = j
            ch = s[i]
            if ch == '"':
                self.i = i + 1
                if self.raw_quotes:
                    out.append('"')
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self.i = i + 1
            if ch == "\\":
                if self.raw_escapes:
                    out.append("\\")
                if self.i >= n:
                    continue  # ignored; the loop then reports the missing quote
                nxt = s[self.i]
                if nxt == '"' or nxt == "$" or nxt == "\\":
                    ch = nxt
                    self.i += 1
            out.append(ch)

    def _name(self) -> str:
        s = self.s
        n = self.n
        start = i = self.i
        if i < n:
            ch = s[i]
            if ch.isdecimal():  # unicode.IsDigit: a run of digits is the whole name
                i += 1
                while i < n and s[i].isdecimal():
                    i += 1
                self.i = i
                return s[start:i]
            if ch in _SPECIAL_PARAMS:
                self.i = i + 1
                return ch
        while i < n:
            ch = s[i]
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            i += 1
        self.i = i
        return s[start:i]

    def _sub_word(self, stop: str, raw_escapes: bool, missing: str) -> str:
        try:
            return self._stop_on(stop, raw_escapes)[0]
        except _LexError:
            if self.i >= self.n:
                raise _LexError(missing) from None
            raise

    # processDollar (SkipUnsetEnv, nothing is set: everything is rebuilt as text)
    def _dollar(self) -> str:
        s = self.s
        n = self.n
        self.i += 1
        if self.i >= n or s[self.i] != "{":
            return "$" + self._name()
        self.i += 1
        if self.i >= n:
            raise _LexError("syntax error: missing '}'")
        if s[self.i] in "{}:":
            raise _LexError("syntax error: bad substitution")
        name = self._name()
        ch = self._next()
        chs = ch if ch is not None else _EOF_RUNE
        if ch == "}":
            return "${" + name + "}"
        if not self.head:
            if ch == ":":
                ch = self._next()
                chs += ch if ch is not None else _EOF_RUNE
            elif ch is None or ch not in "+-?":
                raise _LexError("unsupported modifier (" + chs + ") in substitution")
            word = self._sub_word("}", self.raw_escapes, "syntax error: missing '}'")
            return "${" + name + chs + word + "}"
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            ch = self._next()
            chs += ch if ch is not None else _EOF_RUNE
        elif ch == "/":
            if self.i < n and s[self.i] == "/":
                self.i += 1
            pattern = self._sub_word("/", True, "syntax error: missing '/' in ${}")
            replacement = self._sub_word("}", True, "syntax error: missing '}'")
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        elif ch is None or ch not in "+-?#%":
            raise _LexError("unsupported modifier (" + chs + ") in substitution")
        raw_escapes = ch == "#" or ch == "%"
        if null_is_unset and raw_escapes:
            raise _LexError("unsupported modifier (" + chs + ") in substitution")
        word = self._sub_word("}", raw_escapes, "syntax error: missing '}'")
        return "${" + name + chs + word + "}"

    # HEAD's processPossibleHeredoc
    def _possible_heredoc(self) -> str:
        s = self.s
        n = self.n
        i = self.i + 1
        if i >= n or s[i] != "<":
            self.i = i
            return "<"
        start = i - 1
        i += 1
        while i < n and s[i] in _HEREDOC_BLANKS:
            i += 1
        self.i = i
        return s[start:i]


# --------------------------------------------------------------------------
# heredocFromMatch / heredocsFromLine


def _process_rest(rest: str, *, raw_quotes: bool, head: bool) -> list[tuple[str, int, int]]:
    try:
        return _Lexer(rest, raw_quotes=raw_quotes, raw_escapes=False, head=head).words()
    except _LexError as err:
        raise HeredocMarkerError("failed to process " + _go_quote(rest) + ": " + err.message) from None


def _name_from_rest(rest: str, head: bool) -> tuple[str, bool] | None:
    words = _process_rest(rest, raw_quotes=False, head=head)
    if len(words) != 1:
        return None
    raw = _process_rest(rest, raw_quotes=True, head=head)
    if len(raw) != 1:
        raise HeredocMarkerError("internal lexing of heredoc produced inconsistent results: " + rest)
    word = words[0][0]
    raw_word = raw[0][0]
    expand = word.count("'") + word.count('"') == raw_word.count("'") + raw_word.count('"')
    return word, expand


def _fd(digits: str) -> int:
    if not digits:
        return 0  # strconv.ParseUint("") fails: 0
    digits = digits.lstrip("0")
    if len(digits) > 20:
        return _UINT64_MAX
    return min(int(digits or "0"), _UINT64_MAX)


def _split_words(text: str, head: bool) -> list[tuple[str, int, int]] | None:
    """The line's words as the detection lexer gives them; None if it fails."""
    if _NEEDS_FULL_LEXER.search(text) is None:
        # Nothing here can fail or be rebuilt: words are plain slices.
        pos = 1 if text[:1] == "\ufeff" else 0
        pattern = _FAST_WORD_HEAD if head else _FAST_WORD_V0125
        return [(m.group(), m.start(), m.end()) for m in pattern.finditer(text, pos)]
    try:
        return _Lexer(text, raw_quotes=True, raw_escapes=True, head=head).words()
    except _LexError:
        return None


def find_heredoc_markers(line: str, *, head: bool = True) -> tuple[HeredocMarker, ...]:
    """Markers of `line` (the whole logical line, keyword and flags included), in order; () when none or when the lexer fails anywhere on the line. Raises HeredocMarkerError for P6."""
    if "<<" not in line:
        return ()
    text = _SURROGATE.sub("\ufffd", line) if not line.isascii() else line
    words = _split_words(text, head)
    if not words:
        return ()
    regex = _RE_HEAD if head else _RE_V0125
    markers: list[HeredocMarker] = []
    for word, start, end in words:
        if "<<" not in word:
            continue
        match = regex.fullmatch(word)
        if match is None:
            continue
        digits, dash, rest = match.groups()
        if not rest:
            continue
        if _PLAIN_REST.fullmatch(rest) is not None:
            # Lexing such a rest gives it back unchanged (less a leading BOM).
            name = rest[1:] if rest[0] == "\ufeff" else rest
            if not name:
                continue
            expand = True
        else:
            found = _name_from_rest(rest, head)
            if found is None:
                continue
            name, expand = found
        markers.append(HeredocMarker(name, _fd(digits), dash == "-", expand, start, end))
    return tuple(markers)
