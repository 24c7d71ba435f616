"""What an instruction means to BuildKit, as the lexer works it out once.

These records ride on tokens (``Token.info``) from the lexer into the tree, so
the typed nodes and the BuildKit view read them instead of re-scanning text.
"""

from __future__ import annotations

import msgspec


#: The 18 instructions BuildKit knows, lower-cased.
KNOWN_INSTRUCTIONS = frozenset(
    "add arg cmd copy entrypoint env expose from healthcheck label maintainer onbuild run shell stopsignal user volume workdir".split()
)

#: Instructions that may carry heredocs (and ONBUILD of them), when not in JSON form.
HEREDOC_INSTRUCTIONS = frozenset({"run", "copy", "add"})


class Meaning(msgspec.Struct, frozen=True):
    """BuildKit's reading of an instruction's keyword, flags and arguments."""

    #: The keyword as written (``rUn``); empty for a lone escape at EOF.
    keyword: str
    #: The keyword lower-cased the way Go does it (``run``).
    name: str
    #: Flags as BuildKit decodes them (``--mount=type=cache,target=/x``).
    flags: tuple[str, ...]
    #: Argument values as BuildKit's parser gives them (ENV/LABEL: flat pairs).
    args: tuple[str, ...]
    #: Exec (JSON) form.
    json: bool = False
    #: ENV/LABEL written in the legacy ``KEY value`` form.
    legacy: bool = False
    #: ONBUILD's trigger.
    trigger: "Meaning | None" = None

    @property
    def known(self) -> bool:
        return self.name in KNOWN_INSTRUCTIONS

    @property
    def may_have_heredocs(self) -> bool:
        """BuildKit's ``canContainHeredoc``: RUN/COPY/ADD (or ONBUILD of one), not JSON."""
        node = self.trigger if self.name == "onbuild" and self.trigger is not None else self
        return node.name in HEREDOC_INSTRUCTIONS and not node.json


class Segment(msgspec.Struct, frozen=True):
    """One physical piece of an instruction's logical line (syntax.md §9.2)."""

    #: Offset of the piece in the logical line.
    logical_start: int
    #: Offset of the piece in the file.
    start: int
    length: int
    #: 1-based line number, and the offset where that line starts.
    line: int
    line_start: int


class LineInfo(msgspec.Struct, frozen=True):
    """Facts about an instruction's physical lines, carried on its END token."""

    #: The joined logical line (BuildKit's ``Original``).
    original: str
    #: The segment map from logical offsets to file offsets.
    segments: tuple[Segment, ...]
    start_line: int
    #: Last line of the instruction itself (heredoc bodies not included).
    end_line: int
    #: Lines dropped as empty inside the continuation (BuildKit warns about them).
    empty_continuation_lines: tuple[int, ...] = ()
    #: Comment lines dropped inside the continuation.
    comment_lines: tuple[int, ...] = ()

    def to_file_offset(self, logical_offset: int) -> int:
        """File offset of the character at ``logical_offset`` in the logical line."""
        segments = self.segments
        low, high = 0, len(segments)
        while low < high:  # the last segment starting at or before the offset
            mid = (low + high) // 2
            if segments[mid].logical_start <= logical_offset:
                low = mid + 1
            else:
                high = mid
        segment = segments[max(low - 1, 0)]
        return segment.start + (logical_offset - segment.logical_start)

    def to_logical_offset(self, file_offset: int) -> int:
        """Logical offset of the file offset of a character kept in the logical line."""
        for segment in self.segments:
            if segment.start <= file_offset <= segment.start + segment.length:
                return segment.logical_start + (file_offset - segment.start)
        raise ValueError(f"offset {file_offset} is not in the instruction's logical line")


class HeredocInfo(msgspec.Struct, frozen=True):
    """A heredoc as BuildKit reads it, carried on its terminator token."""

    name: str
    file_descriptor: int
    chomp: bool
    expand: bool
    #: The marker's offsets in the logical line (``<<-EOF``).
    marker_start: int
    marker_end: int
