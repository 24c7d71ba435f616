"""The promises checked after every fix: it parses, and nothing else changed.

A fix may only change the instructions it edits. Every other instruction must
still be there, at its (shifted) place, with the same text and the same
meaning to BuildKit; every instruction the fix wrote must be one BuildKit
knows, with flags it accepts (its parser takes ``APT-GET`` as an instruction
and fails only at build time, so parsing alone proves nothing).
"""

from __future__ import annotations

from bisect import bisect_right

from ..syntax import INSTRUCTION_FLAGS, Dockerfile, Instruction, ParseError, instruction_refusal, parse
from .model import Edit

#: Flags each instruction accepts at build time (None: BuildKit never reads them), from the syntax layer's table.
VALID_FLAGS: dict[str, frozenset[str] | None] = {
    name: None if flags is None else frozenset(flags) for name, flags in INSTRUCTION_FLAGS.items()
}


def instruction_problem(instruction: Instruction) -> str | None:
    """Why BuildKit would reject this instruction before building, if it would (ONBUILD triggers included)."""
    node: Instruction | None = instruction
    while node is not None:
        refusal = instruction_refusal(node)
        if refusal is not None:
            return refusal.message
        node = node.trigger
    return None


class _EditIndex:
    """The edits of one verification, sorted, so each instruction's questions cost a logarithm.

    Does an edit touch this span, and how far do the edits before it shift
    it: asked once per instruction, so a batch of a thousand edits over a
    file of ten thousand instructions stays linear-ish instead of a product.
    """

    def __init__(self, edits: tuple[Edit, ...]) -> None:
        ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
        self.starts = [edit.start for edit in ordered]
        by_end = sorted(ordered, key=lambda edit: edit.end)
        self.end_keys = [edit.end for edit in by_end]
        self.delta_before: list[int] = [0]
        for edit in by_end:
            self.delta_before.append(self.delta_before[-1] + edit.delta)
        # the largest end among edits starting at or before each position (edits may nest)
        self.reach: list[int] = []
        furthest = -1
        for edit in ordered:
            furthest = max(furthest, edit.end)
            self.reach.append(furthest)

    def touches(self, start: int, end: int) -> bool:
        """Some edit has ``edit.start <= end`` and ``start <= edit.end``."""
        index = bisect_right(self.starts, end) - 1
        return index >= 0 and self.reach[index] >= start

    def shift(self, position: int) -> int:
        """The total change in length of the edits that end at or before ``position``."""
        return self.delta_before[bisect_right(self.end_keys, position)]


def verify_edit(before: Dockerfile, after_text: str, edits: tuple[Edit, ...]) -> tuple[Dockerfile | None, str | None]:
    """Parse ``after_text`` and check it against ``before``; returns the new tree or the problem."""
    try:
        after = parse(after_text, before.path, buildkit=before.dialect)
    except ParseError as error:
        return None, f"the result does not parse: {error.message}"
    if after.escape != before.escape:
        return None, "the fix changed the escape character"
    index = _EditIndex(edits)
    by_start = {instruction.span.start: instruction for instruction in after.instructions}
    kept: set[int] = set()
    before_problems: set[str] = set()
    for instruction in before.instructions:
        span = instruction.span
        if index.touches(span.start, span.end):
            problem = instruction_problem(instruction)
            if problem:
                before_problems.add(problem)
            continue
        start = span.start
        moved = by_start.get(start + index.shift(start))
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
