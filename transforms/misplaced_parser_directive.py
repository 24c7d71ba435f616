"""DF630 misplaced-parser-directive: a ``# syntax=``/``# escape=``/``# check=`` line where it has no effect."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Comment, Directive, Instruction

#: A comment written as a parser directive (BuildKit's pattern, leading whitespace allowed), with a known key.
_DIRECTIVE_LIKE = lazy_pattern(r"\s*#\s*(syntax|escape|check)\s*=\s*(\S.*?)\s*$", re.IGNORECASE | re.DOTALL)

#: What moving each directive to the top would change, said to whoever applies the fix.
_ASSUMES = {
    "syntax": "the frontend it names is the one the file was written for; the build will fetch and use that "
              "frontend instead of the builder's built-in one",
    "check": "the check settings it names are meant; the build will follow them (`error=true` makes a "
             "check's warning fail the build)",
}


class MisplacedParserDirective(Rule):
    """Report parser directives that are not at the top of the file, and move them there.

    BuildKit reads ``# syntax=``, ``# escape=`` and ``# check=`` only in the
    unbroken run of directive lines that opens the file. Anything else
    first (a comment, a blank line, an instruction) ends that run for good,
    and a directive after it is a plain comment, silently ignored: the
    frontend the author chose is not used, the escape character is not
    changed, the checks are not skipped. A common way in is a licence or
    description comment added above an existing ``# syntax=`` line.

    The fix moves the line to the top of the file. Unsafe: the directive
    then takes effect, which is the point but changes the build (another
    frontend, other check settings); the caveat says which. Not fixed: an
    ``# escape=`` line (switching the escape character would re-read every
    continuation line of a file written without it; the author must decide),
    a directive whose key the file already sets at the top (two would make
    BuildKit refuse the file), and any but the first misplaced line of a key.
    """

    code = "DF630"
    name = "misplaced-parser-directive"
    summary = "a parser directive below the top of the file, where BuildKit ignores it"
    safety = Safety.UNSAFE

    valid = (
        Valid("# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\nFROM debian:12\n"),
        Valid("  # Syntax = docker/dockerfile:1.7\nFROM debian:12\n", "spaces and case are allowed"),
        Valid("FROM debian:12\n# the syntax= line above is not needed\nRUN true\n", "prose that mentions a directive"),
        Valid("# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"),
    )
    invalid = (
        Invalid(
            "# Build the API image\n# syntax=docker/dockerfile:1\nFROM debian:12\n",
            "# syntax=docker/dockerfile:1\n# Build the API image\nFROM debian:12\n",
            "a description comment above the directive",
            unsafe=True,
            message="`# syntax=docker/dockerfile:1` is not at the top of the file, so BuildKit reads it as a plain comment and ignores it",
            line=2,
            column=1,
        ),
        Invalid(
            "\n# check=skip=JSONArgsRecommended\nFROM debian:12\nCMD make run\n",
            "# check=skip=JSONArgsRecommended\n\nFROM debian:12\nCMD make run\n",
            "a blank line first",
            unsafe=True,
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian:12\n# syntax=docker/dockerfile:1.7\nRUN true\n", None,
            "the key is already set at the top",
        ),
        Invalid("FROM mcr.microsoft.com/windows/servercore:ltsc2022\n# escape=`\nRUN dir c:\\\n", None,
                "an escape directive is reported only"),
        Invalid(
            "# hi\n# syntax=docker/dockerfile:1\nFROM debian:12\n",
            "# hi\n# syntax=docker/dockerfile:1\nFROM debian:12\n",
            "not moved without --unsafe-fixes",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        tree = context.tree
        at_top = {item.key for item in tree.items if isinstance(item, Directive)}
        top = tree.bom.end_pos if tree.bom is not None else 0
        moved: set[str] = set()
        for item in tree.items:
            if not isinstance(item, Comment):
                continue
            match = _DIRECTIVE_LIKE.fullmatch(str.__str__(item.token).rstrip("\r\n"))
            if match is None:
                continue
            key = match.group(1).lower()
            line = str.__str__(item.token)
            shown = line.strip()
            quoted = f"`` {shown} ``" if "`" in shown else f"`{shown}`"
            message = f"{quoted} is not at the top of the file, so BuildKit reads it as a plain comment and ignores it"
            span = item.span
            if key in at_top:
                yield self.diagnostic(span, message, note=f"not fixed: the file already sets `{key}` at the top")
            elif key == "escape":
                yield self.diagnostic(
                    span, message,
                    note="not fixed: a new escape character would change how every continued line reads; "
                         "move it to the first line yourself if the file is written for it",
                )
            elif key in moved:
                yield self.diagnostic(span, message, note=f"not fixed: an earlier `{key}` line is the one to move")
            else:
                moved.add(key)
                ending = line[len(line.rstrip("\r\n")):] or _newline_of(tree.code)
                edits = [Edit(top, top, line.lstrip() if line.endswith(ending) else line.lstrip() + ending),
                         Edit(span.start, span.end, "")]
                yield self.diagnostic(
                    span, message, edits, title="move it to the top of the file", assumes=_ASSUMES[key]
                )


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
