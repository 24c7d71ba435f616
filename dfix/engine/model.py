"""What rules produce: diagnostics, and fixes made of text edits."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping

import msgspec

from ..syntax import Span


class Severity(enum.StrEnum):
    """How much a finding matters, most severe first; ``fail-on`` is a threshold on this order.

    A ``StrEnum``, so configuration, JSON and comparisons with plain strings
    keep working; :meth:`at_least` is the one place the order is decided.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    STYLE = "style"

    @property
    def rank(self) -> int:
        """0 for ``error`` up to 3 for ``style`` (lower is more severe)."""
        return _SEVERITY_ORDER.index(self)

    def at_least(self, threshold: "Severity | str") -> bool:
        """Whether this severity is ``threshold`` or more severe."""
        return self.rank <= Severity(threshold).rank

    @classmethod
    def of(cls, value: "Severity | str") -> "Severity":
        """``value`` as a severity; an unknown word counts as ``warning`` (a rule's default)."""
        try:
            return cls(value)
        except ValueError:
            return cls.WARNING


_SEVERITY_ORDER = tuple(Severity)
#: The severity names, most severe first.
SEVERITIES = tuple(str(level) for level in Severity)


class Safety(enum.StrEnum):
    """How far a fix may be trusted, ordered ``none`` < ``unsafe`` < ``safe``.

    ``safe``: the built image behaves the same; applied by ``--fix``.
    ``unsafe``: may change what is installed or how it runs; opt-in.
    ``none``: the rule only reports (a suggestion shown, never applied).
    A run applies the fixes at or above its threshold (:class:`FixPolicy`).
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"

    @property
    def rank(self) -> int:
        return _SAFETY_ORDER.index(self)

    def at_least(self, threshold: "Safety") -> bool:
        """Whether a fix of this safety applies in a run whose threshold is ``threshold``."""
        return self is not Safety.NONE and self.rank >= threshold.rank


_SAFETY_ORDER = (Safety.NONE, Safety.UNSAFE, Safety.SAFE)


class Edit(msgspec.Struct, frozen=True):
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


class Fix(msgspec.Struct, frozen=True):
    """A rewrite a rule proposes: non-overlapping edits on the text the rule saw."""

    edits: tuple[Edit, ...]
    safety: Safety
    #: What the fix does, in a few words ("add `-y`").
    title: str = ""
    #: What an unsafe fix takes for granted that the file cannot show ("package.json has no
    #: postinstall script"): shown wherever the fix is offered or applied, so the user sees the caveat.
    assumes: str = ""

    def apply(self, text: str) -> str:
        """The text with every edit applied (edits are in the text's own offsets)."""
        return apply_edits(text, self.edits)

    def applies(self, threshold: Safety) -> bool:
        """Whether a run applying fixes at ``threshold`` or safer takes this one."""
        return bool(self.edits) and self.safety.at_least(threshold)

    @property
    def start(self) -> int:
        return min(edit.start for edit in self.edits)

    @property
    def end(self) -> int:
        return max(edit.end for edit in self.edits)


class Diagnostic(msgspec.Struct, frozen=True):
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
    #: The finer code of a rule that reports another tool's findings (ShellCheck's ``SC2086`` for
    #: DF629): selectable, ignorable and suppressible like a rule's code (see ``subcodes``).
    subcode: str | None = None

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


class FixPolicy(msgspec.Struct, frozen=True):
    """Which fixes one file's run applies: decided once per file, from that file's settings.

    The fix loop, the report's ``[*]`` marks and the summary's "fixable with
    --write" counts all ask this one object, so a file is never fixed under
    one answer and reported under another.
    """

    #: ``--unsafe-fixes``: the threshold drops from ``safe`` to ``unsafe``.
    unsafe: bool = False
    #: Codes of the rules allowed to fix (``fixable``/``unfixable``); None: every rule.
    fixable: frozenset[str] | None = None
    #: Per-rule safety of its fixes (``extend-safe-fixes``/``extend-unsafe-fixes``), code -> safety.
    safety: Mapping[str, Safety] = msgspec.field(default_factory=dict)

    @classmethod
    def of(
        cls, unsafe: bool = False, fixable: Collection[str] | None = None, safety: Mapping[str, Safety] | None = None
    ) -> "FixPolicy":
        return cls(unsafe, None if fixable is None else frozenset(fixable), dict(safety or {}))

    @property
    def threshold(self) -> Safety:
        return Safety.UNSAFE if self.unsafe else Safety.SAFE

    def with_unsafe(self) -> "FixPolicy":
        """The same policy with ``--unsafe-fixes`` (what "fixable with --unsafe-fixes" counts)."""
        return msgspec.structs.replace(self, unsafe=True)

    def fix_of(self, diagnostic: "Diagnostic") -> "Fix | None":
        """The diagnostic's fix at the safety configured for its rule (a fix that only suggests stays so)."""
        fix = diagnostic.fix
        if fix is None or fix.safety is Safety.NONE:
            return fix
        safety = self.safety.get(diagnostic.code)
        return fix if safety is None or safety is fix.safety else msgspec.structs.replace(fix, safety=safety)

    def may_apply(self, code: str, best: Safety) -> bool:
        """Whether this run may apply any fix of rule ``code``, whose fixes are ``best`` at most (its class safety)."""
        if best is Safety.NONE or (self.fixable is not None and code not in self.fixable):
            return False
        return self.safety.get(code, best).at_least(self.threshold)

    def applies(self, diagnostic: "Diagnostic") -> bool:
        """Whether this run applies the diagnostic's fix."""
        fix = self.fix_of(diagnostic)
        if fix is None or (self.fixable is not None and diagnostic.code not in self.fixable):
            return False
        return fix.applies(self.threshold)


class FailedFix(msgspec.Struct, frozen=True):
    """A fix the engine refused because its result broke a promise."""

    diagnostic: Diagnostic
    reason: str


class FixResult(msgspec.Struct, frozen=True):
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
    #: True when fixing ran over its time budget: ``text`` is then the input, unchanged.
    timed_out: bool = False

    @property
    def changed(self) -> bool:
        return self.text != self.original
