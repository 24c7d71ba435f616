"""DF609 from-as-casing: ``FROM ... as name`` with ``AS`` in another case than ``FROM`` (BuildKit's FromAsCasing)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid


class FromAsCasing(Rule):
    """``FROM image as name`` (or ``from image AS name``): write ``AS`` in the case of ``FROM``.

    **What** (BuildKit's FromAsCasing): a FROM whose keyword is all upper or
    all lower case while its ``AS`` is not in that case. A FROM in mixed case
    is left to DF608, as BuildKit does.

    **Why.** ``AS`` is part of the instruction's syntax; writing it in the
    keyword's case reads as one instruction rather than an image argument.

    **Fix** (safe): ``AS`` is rewritten in the case of ``FROM``.
    """

    code = "DF609"
    name = "from-as-casing"
    summary = "`FROM` and `AS` in different cases"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("FromAsCasing",)

    valid = (
        Valid("FROM debian AS build\nfrom debian as run\n"),
        Valid("From debian as build\n", "a mixed-case FROM is DF608's"),
    )
    invalid = (
        Invalid(
            "FROM golang:1.22 as build\nRUN make\n",
            "FROM golang:1.22 AS build\nRUN make\n",
            message="'as' and 'FROM' keywords' casing do not match",
            line=1,
            column=1,
        ),
        Invalid("from debian As build\n", "from debian as build\n"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            instruction = info.stage.from_
            words = [t for t in instruction.line_tokens if t.type == "WORD"]
            if len(words) != 3 or instruction.stage_name is None:
                continue
            keyword = str.__str__(instruction.keyword_token)
            as_word = str.__str__(words[1])
            if keyword == keyword.lower():
                wanted = as_word.lower()
            elif keyword == keyword.upper():
                wanted = as_word.upper()
            else:
                continue
            if as_word == wanted:
                continue
            yield self.diagnostic(instruction, f"'{as_word}' and '{keyword}' keywords' casing do not match",
                                  [Edit(words[1].start_pos, words[1].end_pos, wanted)], title=f"write `{wanted}`")
