"""What rules produce: diagnostics, and fixes made of text edits."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..syntax import Span


SEVERITIES = ("error", "warning", "info", "style")


class Safety(str, enum.Enum):
    """How far a fix may be trusted (rules.md §0.1).

    ``safe``: the built image behaves the same; applied by ``--fix``.
    ``unsafe``: may change what is installed or how it runs; opt-in.
    ``none``: the rule only reports.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str

    def shifted(self, delta: int) -> "Edit":
        return Edit(self.start + delta, self.end + delta, self.replacement)

    @property
    def delta(self) -> int:
        return len(self.replacement) - (self.end - self.start)


def apply_edits(text: str, edits: "tuple[Edit, ...] | list[Edit]") -> str:
    """``text`` with non-overlapping edits applied."""
    out = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[position : edit.start])
        out.append(edit.replacement)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Fix:
    """A rewrite a rule proposes: non-overlapping edits on the text the rule saw."""

    edits: tuple[Edit, ...]
    safety: Safety
    #: What the fix does, in a few words ("add `-y`").
    title: str = ""

    def apply(self, text: str) -> str:
        """The text with every edit applied (edits are in the text's own offsets)."""
        return apply_edits(text, self.edits)

    @property
    def start(self) -> int:
        return min(edit.start for edit in self.edits)

    @property
    def end(self) -> int:
        return max(edit.end for edit in self.edits)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding: which rule, where, what, and how to fix it if a fix exists."""

    code: str
    name: str
    message: str
    span: Span
    fix: Fix | None = None
    #: Extra explanation (why the fix was not offered, what was chosen and why).
    note: str | None = None
    #: ``error``, ``warning``, ``info`` or ``style``.
    severity: str = "warning"

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.safety is not Safety.NONE

    def sort_key(self) -> tuple:
        return (self.span.start, self.code)


@dataclass(frozen=True, slots=True)
class FailedFix:
    """A fix the engine refused because its result broke a promise."""

    diagnostic: Diagnostic
    reason: str


@dataclass(frozen=True)
class FixResult:
    """What :func:`dfix.fix` did to a text."""

    #: The fixed text (the input when nothing applied).
    text: str
    #: The input.
    original: str
    #: Diagnostics whose fixes were applied, in the order they were applied.
    applied: tuple[Diagnostic, ...] = ()
    #: What remains in the fixed text.
    diagnostics: tuple[Diagnostic, ...] = ()
    #: Fixes dropped because their output failed verification.
    failed: tuple[FailedFix, ...] = ()
    #: False when the fix rounds ran out while fixes were still pending (the text is
    #: valid but not final: the fixes left are in ``diagnostics``).
    converged: bool = True

    @property
    def changed(self) -> bool:
        return self.text != self.original
