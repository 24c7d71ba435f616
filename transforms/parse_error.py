"""DF000 parse-error: BuildKit refuses the file."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid


class ParseError(Rule):
    """The file does not parse: BuildKit would refuse it before building anything.

    Reported as ``path:line:col: DF000 message`` with BuildKit's own message
    (``unterminated heredoc <<EOF``, ``ENV must have two arguments`` ...).
    Always an error, whatever ``fail-on`` says, and a file that does not
    parse is never rewritten. The command line reports it; the rule itself
    finds nothing in a file that parses.
    """

    code = "DF000"
    name = "parse-error"
    summary = "BuildKit cannot parse the file"
    safety = Safety.NONE
    severity = "error"

    valid = (Valid("FROM debian\nRUN true\n"),)
    #: These raise ``dfix.ParseError``; the test suite checks that they do.
    invalid = (
        Invalid("FROM debian\nRUN <<EOF\necho never ends\n", None, "unterminated heredoc"),
        Invalid('FROM debian\nENV PATH\n', None, "legacy ENV without a value"),
        Invalid('FROM debian\nCMD ["a", 1]\n', None, "JSON array with a number"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        return iter(())
