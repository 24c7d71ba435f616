"""The promises checked after every fix: it parses, and nothing else changed.

A fix may only change the instructions it edits. Every other instruction must
still be there, at its (shifted) place, with the same text and the same
meaning to BuildKit; every instruction the fix wrote must be one BuildKit
knows, with flags it accepts (its parser takes ``APT-GET`` as an instruction
and fails only at build time, so parsing alone proves nothing).
"""

from __future__ import annotations

from ..syntax import Dockerfile, Instruction, ParseError, parse
from .model import Edit

#: Flags each instruction accepts at build time (current BuildKit, syntax.md §6.3).
VALID_FLAGS: dict[str, frozenset[str] | None] = {
    "add": frozenset({"chown", "chmod", "checksum", "link", "keep-git-dir", "unpack", "exclude"}),
    "copy": frozenset({"from", "chown", "chmod", "link", "parents", "exclude"}),
    "from": frozenset({"platform"}),
    "run": frozenset({"mount", "network", "security", "device"}),
    "healthcheck": frozenset({"interval", "timeout", "start-period", "start-interval", "retries"}),
    "arg": None,  # never checked by BuildKit
    "stopsignal": None,
}


def instruction_problem(instruction: Instruction) -> str | None:
    """Why BuildKit would reject this instruction before building, if it would."""
    meaning = instruction.meaning
    while True:
        if not meaning.known:
            return f"unknown instruction {meaning.keyword!r}"
        allowed = VALID_FLAGS.get(meaning.name, frozenset())
        if allowed is not None and not (meaning.name == "healthcheck" and meaning.args[:1] == ("NONE",)):
            for flag in meaning.flags:
                name = flag[2:].split("=", 1)[0]
                if name not in allowed:
                    return f"{meaning.name.upper()} does not accept --{name}"
        if meaning.trigger is None:
            return None
        meaning = meaning.trigger


def _touches(instruction: Instruction, edits: tuple[Edit, ...]) -> bool:
    span = instruction.span
    return any(edit.start <= span.end and span.start <= edit.end for edit in edits)


def verify_edit(before: Dockerfile, after_text: str, edits: tuple[Edit, ...]) -> tuple[Dockerfile | None, str | None]:
    """Parse ``after_text`` and check it against ``before``; returns the new tree or the problem."""
    try:
        after = parse(after_text, before.path, buildkit=before.dialect)
    except ParseError as error:
        return None, f"the result does not parse: {error.message}"
    if after.escape != before.escape:
        return None, "the fix changed the escape character"
    by_start = {instruction.span.start: instruction for instruction in after.instructions}
    kept: set[int] = set()
    before_problems: set[str] = set()
    for instruction in before.instructions:
        if _touches(instruction, edits):
            problem = instruction_problem(instruction)
            if problem:
                before_problems.add(problem)
            continue
        start = instruction.span.start
        shift = sum(edit.delta for edit in edits if edit.end <= start)
        moved = by_start.get(start + shift)
        if moved is None or moved.code != instruction.code or moved.meaning != instruction.meaning:
            return None, f"the fix changed line {instruction.start_line} ({instruction.instruction}), which it did not mean to"
        kept.add(id(moved))
    for instruction in after.instructions:
        if id(instruction) in kept:
            continue
        problem = instruction_problem(instruction)
        if problem and problem not in before_problems:
            return None, f"the fix wrote an instruction BuildKit rejects: {problem}"
    return after, None
