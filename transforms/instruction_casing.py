"""DF608 instruction-casing: instruction keywords not in the file's majority case (BuildKit's ConsistentInstructionCasing)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import From, Instruction, Unknown


class InstructionCasing(Rule):
    """Instruction keywords in mixed case, or in the file's minority case.

    **What** (BuildKit's ConsistentInstructionCasing, counted as BuildKit
    counts): the keywords of every instruction inside a stage, ``FROM``
    included, that are all-lower or all-upper vote for the file's casing
    (a tie goes to upper case); a keyword in mixed case (``Run``) or in the
    other case is reported. As in BuildKit, ARGs before the first FROM and
    the keyword of an ONBUILD's trigger do not vote.

    **Why.** Keywords are case-insensitive, so the mix means nothing; it only
    makes the file harder to read and grep.

    **Fix** (safe): the reported keyword is rewritten in the majority case,
    with the ``AS`` of a FROM and the trigger keyword of an ONBUILD when they
    are in another case. A file whose keywords are consistent is never
    touched, whichever case it uses.
    """

    code = "DF608"
    name = "instruction-casing"
    summary = "instruction keywords in mixed case"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("ConsistentInstructionCasing",)

    valid = (
        Valid("from debian as build\nrun make\ncopy . /src\n", "consistently lower case"),
        Valid("FROM debian\nRUN make\nONBUILD run make\n", "a trigger's keyword does not vote"),
        Valid("arg BASE=debian\nFROM $BASE\nRUN make\n", "ARGs before the first FROM are not counted"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN make\nrun install\nCopy . /src\n",
            "FROM debian\nRUN make\nRUN install\nCOPY . /src\n",
            message="Command 'run' should match the case of the command majority (uppercase)",
            line=3,
            column=1,
        ),
        Invalid(
            "from debian\nrun make\nFROM alpine AS final\nONBUILD RUN x\ncmd [\"x\"]\n",
            "from debian\nrun make\nfrom alpine as final\nonbuild run x\ncmd [\"x\"]\n",
            "the majority is lower case; AS and the trigger follow their keyword",
        ),
        Invalid("from debian\nRUN make\n", "FROM debian\nRUN make\n", "a tie goes to upper case"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        voters = [
            instruction
            for info in context.stages
            for instruction in (info.stage.from_, *info.stage.instructions)
            if not isinstance(instruction, Unknown)
        ]
        lower = sum(1 for i in voters if _keyword(i) == _keyword(i).lower() != _keyword(i).upper())
        upper = sum(1 for i in voters if _keyword(i) == _keyword(i).upper() != _keyword(i).lower())
        majority_lower = lower > upper
        casing = "lowercase" if majority_lower else "uppercase"
        for instruction in voters:
            keyword = _keyword(instruction)
            wanted = keyword.lower() if majority_lower else keyword.upper()
            if keyword == wanted:
                continue
            message = f"Command '{keyword}' should match the case of the command majority ({casing})"
            if not keyword.isascii():
                yield self.diagnostic(instruction, message, note="not fixed: a keyword with non-ASCII letters")
                continue
            yield self.diagnostic(instruction, message, list(_edits(instruction, majority_lower)),
                                  title=f"write `{wanted}`")


def _keyword(instruction: Instruction) -> str:
    return str.__str__(instruction.keyword_token)


def _recase(text: str, lower: bool) -> str:
    return text.lower() if lower else text.upper()


def _edits(instruction: Instruction, lower: bool) -> Iterator[Edit]:
    token = instruction.keyword_token
    yield Edit(token.start_pos, token.end_pos, _recase(str.__str__(token), lower))
    if isinstance(instruction, From) and instruction.stage_name is not None:
        words = [t for t in instruction.line_tokens if t.type == "WORD"]
        if len(words) == 3:
            as_word = words[1]
            text = str.__str__(as_word)
            if text != _recase(text, lower):
                yield Edit(as_word.start_pos, as_word.end_pos, _recase(text, lower))
    trigger = instruction.trigger
    if trigger is not None and trigger.keyword.isascii():
        inner = trigger.keyword_token
        text = str.__str__(inner)
        if text != _recase(text, lower):
            yield Edit(inner.start_pos, inner.end_pos, _recase(text, lower))
