"""A continued line that reads like an instruction of its own: a line end the author forgot.

BuildKit joins continued lines before it reads keywords, so in

    RUN make && cd /tmp \\
    CMD ["app"]

the ``CMD`` line is words of the RUN's script, not an instruction. The rule
that reports it needs to find it, and every rule that edits a RUN needs to
know it is there: the end of such a RUN is not where its author meant the
script to end, so a command appended to it would land after the swallowed
line.
"""

from __future__ import annotations

from typing import NamedTuple

from ..patterns import lazy_pattern
from .cst import Instruction
from .meaning import KNOWN_INSTRUCTIONS, Segment

#: A continued line that reads like an instruction of its own: an upper-case keyword, then its arguments.
_KEYWORD_LINE = lazy_pattern(
    r"[ \t]*(" + "|".join(sorted(name.upper() for name in KNOWN_INSTRUCTIONS)) + r")[ \t]+\S"
)
#: Nothing but an instruction's keyword and flags (``HEALTHCHECK --interval=5m``, ``ONBUILD``).
_HEAD_ONLY = lazy_pattern(r"[ \t]*\S+([ \t]+--\S+)*[ \t]*")


class SwallowedLine(NamedTuple):
    """The first continued line of an instruction that starts like an instruction of its own."""

    #: The keyword as written (upper case).
    keyword: str
    #: File offsets of the keyword's start and of the end of that line's content.
    start: int
    end: int
    #: The physical line before it, whose escape character continues the instruction.
    before: Segment
    #: The swallowed line itself.
    segment: Segment


def swallowed_line(code: str, instruction: Instruction) -> SwallowedLine | None:
    """The first line ``instruction`` (in the file text ``code``) swallows, or None.

    A keyword that is the instruction's first argument is not swallowed:
    ``HEALTHCHECK --interval=5m \\`` then ``CMD curl …``, or ``ONBUILD \\``
    then ``RUN make``, are what their authors meant.
    """
    info = instruction.line_info
    if info is None or len(info.segments) < 2:
        return None
    for before, segment in zip(info.segments, info.segments[1:]):
        found = _KEYWORD_LINE.match(code, segment.start, segment.start + segment.length)
        if not found or _HEAD_ONLY.fullmatch(info.original, 0, segment.logical_start):
            continue
        return SwallowedLine(found.group(1), found.start(1), segment.start + segment.length, before, segment)
    return None
