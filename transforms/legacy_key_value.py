"""DF602 legacy-key-value: ``ENV key value`` / ``LABEL key value`` (BuildKit's LegacyKeyValueFormat)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Env, Instruction, Label

from ._form import read_word

#: Whitespace that splits ENV/LABEL words (Go's unicode.IsSpace).
_U_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                     "\u2028\u2029\u202f\u205f\u3000")


class LegacyKeyValue(Rule):
    """``ENV key value`` and ``LABEL key value``: write ``key=value``.

    **What** (BuildKit's LegacyKeyValueFormat): an ENV or LABEL in the legacy
    form, where whitespace, not ``=``, separates the one key from its value.

    **Why.** The legacy form takes everything after the key as the value,
    spaces and all, so ``ENV A 1 B 2`` sets one variable ``A`` to ``1 B 2``;
    ``key=value`` says where a value ends and allows several pairs. Docker
    deprecates the legacy form and BuildKit warns about it.

    **Fix** (safe): the separator becomes ``=`` and the value is kept so that
    BuildKit's word lexer reads exactly the same value: a value that is one
    word already (``ENV PYTHONUNBUFFERED 1``, ``ENV K "a b"``) is kept as
    written (so ``ENV K "v"`` gives ``ENV K="v"``, never literal quotes); a
    value with unquoted whitespace and no quotes or escapes is wrapped in
    double quotes (``$`` references still expand there). Continuation lines
    and their indentation inside the value stay as they are. Anything else
    (a quoted key, quotes mixed with bare spaces, escapes) is reported only.
    """

    code = "DF602"
    name = "legacy-key-value"
    summary = "`ENV`/`LABEL` in the legacy `key value` form"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("LegacyKeyValueFormat",)

    valid = (
        Valid("FROM debian\nENV A=1 B=2\nLABEL version=1.0\n"),
        Valid('FROM debian\nENV PATH="/opt/bin:$PATH"\n'),
    )
    invalid = (
        Invalid(
            "FROM debian\nENV LD_LIBRARY_PATH = /usr/local/lib\n",
            None,
            "`ENV KEY = value` sets KEY to `= /usr/local/lib`: a typo to report, not to write down as meant",
        ),
        Invalid(
            "FROM python:3.12\nENV PYTHONUNBUFFERED 1\n",
            "FROM python:3.12\nENV PYTHONUNBUFFERED=1\n",
            message='"ENV key=value" should be used instead of legacy "ENV key value" format',
            line=2,
            column=1,
        ),
        Invalid('FROM debian\nenv K "v"\n', 'FROM debian\nenv K="v"\n', "quotes are kept, not escaped into the value"),
        Invalid(
            "FROM debian\nENV JAVA_OPTS -Xmx1g -Dfile.encoding=UTF-8   $EXTRA\n",
            'FROM debian\nENV JAVA_OPTS="-Xmx1g -Dfile.encoding=UTF-8   $EXTRA"\n',
            "inner whitespace kept, variables still expand",
        ),
        Invalid(
            "FROM debian\nLABEL description  A tool \\\n    for builds  \r\n",
            'FROM debian\nLABEL description="A tool \\\n    for builds"  \r\n',
            "a continued value keeps its lines; trailing blanks are not part of the value",
        ),
        Invalid("FROM debian\nENV MSG 'it''s' here\n", None, "quotes next to bare spaces: reported only"),
        Invalid('FROM debian\nLABEL "com.example.vendor" ACME\n', None, "a quoted key: reported only"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        for instruction in context.tree.instructions:
            if not isinstance(instruction, (Env, Label)) or not instruction.legacy_form:
                continue
            keyword = instruction.instruction
            message = f'"{keyword} key=value" should be used instead of legacy "{keyword} key value" format'
            value = next((t for t in instruction.line_tokens if t.type == "LEGACY_VALUE"), None)
            if value is not None and str.__str__(value).startswith("="):
                yield self.diagnostic(instruction, message,
                                      note="not fixed: the value starts with `=`, which looks like a typo for "
                                           "`key=value` with spaces around `=`; say which was meant")
                continue
            edits = _rewrite(instruction, escape)
            if edits is None:
                yield self.diagnostic(instruction, message,
                                      note="not fixed: the value cannot be written as one `key=value` word "
                                           "that means exactly the same")
            else:
                yield self.diagnostic(instruction, message, edits, title="use key=value")


def _rewrite(instruction: Instruction, escape: str) -> list[Edit] | None:
    """Edits turning ``key value`` into ``key=value`` with the same meaning, or None when none is sure."""
    tokens = instruction.line_tokens
    key = next((t for t in tokens if t.type == "LEGACY_KEY"), None)
    value = next((t for t in tokens if t.type == "LEGACY_VALUE"), None)
    if key is None or value is None:
        return None
    key_text = str.__str__(key)
    if any(char in key_text for char in ("'", '"', "=", escape, "$")):
        return None
    logical = instruction.logical_text(value)
    separator_start, separator_end = key.end_pos, value.start_pos
    if "\n" in instruction.code[separator_start - instruction.span.start : separator_end - instruction.span.start]:
        return None  # the value starts on a later line: joining them would drop what lies between
    if _one_word(logical, escape):
        return [Edit(separator_start, separator_end, "=")]
    if any(char in logical for char in ("'", '"', escape)) or read_word(logical, escape) is None:
        return None
    return [Edit(separator_start, separator_end, '="'), Edit(value.end_pos, value.end_pos, '"')]


def _one_word(text: str, escape: str) -> bool:
    """Whether ENV/LABEL word splitting keeps ``text`` whole (all whitespace quoted or escaped)."""
    quote: str | None = None
    position = 0
    while position < len(text):
        char = text[position]
        if quote is None:
            if char in _U_SPACE:
                return False
            if char == escape:
                position += 2
                continue
            if char in ("'", '"'):
                quote = char
        elif char == quote:
            quote = None
        elif char == escape and quote == '"':
            position += 2
            continue
        position += 1
    return quote is None
