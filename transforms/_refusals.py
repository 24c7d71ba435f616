"""The rules that report what ``docker build`` refuses before running a step (the syntax layer finds them).

Each rule reports the refusals of its kinds with BuildKit's own message, at
the instruction BuildKit names. None of them has a fix: the build's own
message says what is wrong, and which way to mend it (drop the flag? add a
``FROM``?) is the author's call. A file with any refusal is not fixed at all
(the engine's rule), so these findings never sit next to rewrites of a file
that cannot build.
"""

from __future__ import annotations

from typing import ClassVar, Iterator

from dfix.engine import Context, Diagnostic, Rule, Safety
from dfix.syntax import refusals

#: The note every refusal carries: the file is not fixed while the build refuses it.
NOT_FIXED = "not fixed: docker build stops here before it runs a step, and dfix leaves such a file as it is"


class RefusalRule(Rule):
    """A rule that reports the build's refusals of some kinds (``dfix.syntax.refusals``)."""

    #: The refusal kinds this rule reports.
    kinds: ClassVar[frozenset[str]] = frozenset()
    safety = Safety.NONE
    severity = "error"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for refusal in refusals(context.tree):
            if refusal.kind in self.kinds:
                yield self.diagnostic(refusal.span, refusal.message, note=NOT_FIXED)
