"""Editing a RUN's shell script through the syntax layer's position map, in the file's style.

Rules find things in the *logical* script (what BuildKit hands to the shell:
continuations joined, inner comment lines dropped) and must edit the
*physical* file. ``RunScript`` pairs a shell-form RUN with its shell model,
turns script offsets into file edits, and writes new commands the way the
file already writes them: on the same line for a one-line RUN, else as a new
continuation line with the same indent and the same placement of ``&&``
(end of line or start of the next), the file's escape character and its
line endings (rules.md G4, G9; syntax.md §9.2).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property

import msgspec

from ..patterns import lazy_pattern
from ..shell import ShellScript, analyze
from ..syntax import Run
from ..syntax.tokens import Token
from .model import Edit

_LEADING_OPERATOR = lazy_pattern(r"[ \t]*(&&|\|\||;)")
_TRAILING_OPERATOR = lazy_pattern(r"(&&|\|\||;)[ \t]*$")


def _deeper_of_same_kind(indent: str, than: str) -> bool:
    """``indent`` is made of the same character as ``than`` (tabs or spaces) and is longer."""
    return bool(indent) and set(indent) == set(than) and len(set(indent)) == 1 and len(indent) > len(than)


class HouseStyle(msgspec.Struct, frozen=True):
    """How the file's own multi-line RUNs lay out their commands.

    A RUN that says nothing itself (one line, or only a package list on its
    continuation lines) gets new lines in the file's style: a tab-indented
    ``set -eux; \\`` file gets tabs, not four spaces, and a file that puts
    ``&&`` first on its lines gets that too.
    """

    #: None when no RUN of the file shows one.
    indent: str | None = None
    operator_first: bool = False

    @classmethod
    def of(cls, scripts: "Iterable[RunScript]") -> "HouseStyle":
        """The most common command indent and operator placement among ``scripts`` (default: none, ``&& \\``)."""
        indents: Counter[str] = Counter()
        placements: Counter[bool] = Counter()
        for script in scripts:
            indent = script.own_indent()
            if indent:
                indents[indent] += 1
            placement = script.own_operator_first()
            if placement is not None:
                placements[placement] += 1
        default = cls()
        return cls(
            indents.most_common(1)[0][0] if indents else default.indent,
            placements.most_common(1)[0][0] if placements else default.operator_first,
        )


class RunScript(msgspec.Struct, frozen=True, dict=True):
    """A shell-form RUN, its script token, and its shell model."""

    run: Run
    token: Token
    escape: str
    #: The file's style, for what this RUN does not show itself: asked for only when a fix writes a
    #: line, since working it out reads every RUN of the file.
    house_of: Callable[[], HouseStyle] = HouseStyle

    @classmethod
    def of(cls, run: Run, escape: str, house_of: Callable[[], HouseStyle] | None = None) -> "RunScript | None":
        """None for exec form, an empty RUN, or a RUN with heredocs (their bodies are edited elsewhere)."""
        if run.is_json or run.heredocs:
            return None
        token = run.script_token
        if token is None:
            return None
        return cls(run, token, escape, house_of or HouseStyle)

    @cached_property
    def house(self) -> HouseStyle:
        return self.house_of()

    @cached_property
    def text(self) -> str:
        return self.run.shell or ""

    @cached_property
    def model(self) -> ShellScript:
        return analyze(self.text)

    # -- positions --------------------------------------------------------------------

    def offset(self, script_offset: int, *, insertion: bool = False) -> int:
        """File offset of a script offset (see ``Instruction.file_offset``)."""
        return self.run.file_offset(self.token, script_offset, insertion=insertion)

    def insert(self, script_offset: int, text: str) -> Edit:
        """Insert ``text`` at a point of the script."""
        position = self.offset(script_offset, insertion=True)
        return Edit(position, position, text)

    def replace(self, start: int, end: int, text: str) -> Edit:
        """Replace ``script[start:end]``; the range must not span a continuation."""
        return Edit(self.offset(start), self.offset(end, insertion=True), text)

    def spans_continuation(self, start: int, end: int) -> bool:
        """Whether ``script[start:end]`` crosses a line break in the file."""
        if end <= start:
            return False
        return self.offset(end, insertion=True) - self.offset(start) != end - start

    def file_range(self, start: int, end: int) -> tuple[int, int]:
        """File offsets of ``script[start:end]``."""
        return self.offset(start), self.offset(end, insertion=True)

    # -- style ---------------------------------------------------------------------------

    @property
    def multiline(self) -> bool:
        info = self.run.line_info or self.run.outer_line_info
        return info is not None and len(info.segments) > 1

    @cached_property
    def _lines(self) -> list[str]:
        """The logical text of each physical line of the RUN (the first holds the keyword)."""
        info = self.run.line_info or self.run.outer_line_info
        if info is None:
            return []
        first, *rest = info.segments
        return [info.original[first.logical_start : first.logical_start + first.length]] + [
            info.original[s.logical_start : s.logical_start + s.length] for s in rest if s.length
        ]

    @property
    def _continuation_lines(self) -> list[str]:
        return self._lines[1:]

    def own_operator_first(self) -> bool | None:
        """Whether this RUN's continuation lines start with ``&&``; None when its lines do not say.

        Lines that neither start with an operator nor follow a line ending in
        one (``curl \\`` in a package list) say nothing about the style.
        """
        lines = self._lines
        leading = sum(1 for line in lines[1:] if _LEADING_OPERATOR.match(line))
        trailing = sum(1 for line in lines[:-1] if _TRAILING_OPERATOR.search(line))
        if leading == trailing == 0:
            return None
        return leading > trailing

    @property
    def operator_first(self) -> bool:
        """Continuation lines start with ``&&`` (``\\`` + newline + ``    && cmd`` style), as the RUN or else the file does."""
        own = self.own_operator_first()
        return self.house.operator_first if own is None else own

    def own_indent(self) -> str | None:
        """The indent of this RUN's command lines; None when no continuation line starts a command.

        That is the last continuation line that starts a command (after an
        operator, at the start of the line or the end of the previous one),
        so a package list indented deeper does not set the indent.
        """
        lines = self._continuation_lines
        own = self.own_operator_first()
        if not lines or own is None:
            return None
        if own:
            starts = [line for line in lines if _LEADING_OPERATOR.match(line)]
        else:
            starts = [line for previous, line in zip(self._lines, lines) if _TRAILING_OPERATOR.search(previous)]
        if not starts:
            return None
        last = starts[-1]
        return last[: len(last) - len(last.lstrip(" \t"))] or None

    @property
    def indent(self) -> str:
        """The indent of the RUN's command lines: its own, else the file's (see :class:`HouseStyle`)."""
        house = self.house.indent
        lines = self._continuation_lines
        if not lines:
            return house or "    "
        if self.operator_first:
            starts = [line for line in lines if _LEADING_OPERATOR.match(line)]
        else:
            starts = [line for previous, line in zip(self._lines, lines) if _TRAILING_OPERATOR.search(previous)]
        last = starts[-1] if starts else lines[-1]
        indent = last[: len(last) - len(last.lstrip(" \t"))]
        if not starts and house and _deeper_of_same_kind(indent, house):
            return house  # a package list indented deeper: commands go at the file's command indent
        if self.operator_first:
            return indent
        return indent or house or "    "

    @property
    def newline(self) -> str:
        end = self.run.line_tokens[-1]
        return "\r\n" if str.__str__(end).endswith("\r\n") else "\n"

    @property
    def separator(self) -> str:
        """How a command appended to this script is joined: ``&&``, or ``;`` in a ``;`` list under ``set -e``.

        Without ``set -e`` a ``;`` would make the appended command's status the
        RUN's, hiding a failing last command (``a; b; cleanup`` succeeds when
        ``b`` fails), so such lists get ``&&`` too.
        """
        model = self.model
        if model.errexit and (
            model.chaining == "sequence" or (model.chaining == "mixed" and model.tail_separator == ";")
        ):
            return ";"
        return "&&"

    # -- appending ---------------------------------------------------------------------------

    def append_blocker(self) -> str | None:
        """Why a command cannot be appended after the script, if it cannot (G9 and friends)."""
        model = self.model
        if model.has_error:
            return "the RUN's shell script does not parse"
        if not model.items:
            return "the RUN has no command"
        if model.trailing_comment is not None and self.multiline:
            # on one line the command goes in before the comment (`a && b # note`); on the last of several it
            # would take the comment from the line it explains
            return "the RUN ends in a shell comment that would swallow an appended command"
        last = model.items[-1]
        if last.separator == "&":
            return "the RUN ends with a background job"
        tail = self.text[last.start : last.end]
        if re.search(r"\|\|\s*(true|:)\s*$", tail) or (len(model.items) > 1 and model.items[-2].separator == "||"):
            return "the RUN ends in `|| ...`, so an appended command would change what fails"
        if any(c.name == "exit" for c in last.commands):
            return "the RUN ends with `exit`"
        return None

    def append(self, command: str) -> Edit:
        """An edit that appends ``command`` after the script's last top-level command."""
        separator = self.separator
        lead = "" if separator == ";" else " "  # `a; b`, `a && b`
        position = self.model.items[-1].end
        if not self.multiline:
            return self.insert(position, f"{lead}{separator} {command}")
        if self.operator_first:
            text = f" {self.escape}{self.newline}{self.indent}{separator} {command}"
        else:
            text = f"{lead}{separator} {self.escape}{self.newline}{self.indent}{command}"
        return self.insert(position, text)
