"""Suppression comments: dfix's own, hadolint's, and BuildKit's ``# check=skip=``.

Comments go on their own line above what they silence (a trailing ``#`` is
shell or argument text in a Dockerfile, ux.md §6):

* ``# dfix: ignore[DF200, DL3008] -- reason`` or ``# dfix: ignore=DF200,DF201``:
  the next instruction (blank lines and other comments may sit between);
* ``# dfix: ignore-stage[...]`` above a FROM: that whole stage;
* ``# dfix: ignore-file[...]`` anywhere: the whole file; without codes, everything;
* ``# dfix: ignore`` alone: every rule for the next instruction;
* ``# hadolint ignore=DL3008,DL3015``, ``# hadolint global ignore=...``;
* the ``# check=skip=Name,Name`` (or ``skip=all``) parser directive.

Codes may be dfix codes, prefixes, names, or other tools' aliases. This
module does not know the rules: a *code resolver* (a callable mapping one
written code such as ``DL3009`` to the dfix codes it names) is passed to
:func:`parse_comment`, and the engine installs the default one for
:meth:`Suppressions.of` (:func:`use_code_resolver`).

Which comments count is a policy of the run (:class:`SuppressionPolicy`):
``--ignore-suppressions`` (``lint.honor-suppressions = false``) disregards
them all, for central policy where a repository must not silence its own
findings (hadolint#747); ``lint.foreign-suppressions`` chooses which other
tools' directives are honoured. The engine sets the policy around a run
(:func:`suppression_policy`) and :meth:`Suppressions.of` reads it, so a rule
that consults suppressions itself (DF100 keeps suppressed RUNs apart) sees
the same comments as the engine does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import msgspec

from ..patterns import lazy_pattern
from ..syntax import Comment, Dockerfile, From, Instruction
from .model import Diagnostic

ALL = "ALL"

#: One written code (``DF200``, ``DF2``, ``apt-lists-not-removed``, ``DL3009``) to the dfix codes it names; empty for none.
CodeResolver = Callable[[str], frozenset[str]]


def _only_dfix_codes(code: str) -> frozenset[str]:
    return frozenset({code.upper()}) if re.fullmatch(r"DF\d{3}", code, re.IGNORECASE) else frozenset()


_default_resolver: CodeResolver = _only_dfix_codes


def use_code_resolver(resolver: CodeResolver) -> None:
    """The resolver :meth:`Suppressions.of` uses when given none (the engine installs its rule set's)."""
    global _default_resolver
    _default_resolver = resolver

_DFIX = lazy_pattern(
    r"#\s*dfix:\s*(?P<scope>ignore-file|ignore-stage|ignore)\b\s*"
    r"(?:\[(?P<bracket>[^\]]*)\]|=\s*(?P<equals>[A-Za-z0-9_,\- ]+?))?\s*(?:(?:--|#)\s*(?P<reason>.*))?$"
)
_HADOLINT = lazy_pattern(r"#\s*hadolint\s+(?P<global>global\s+)?ignore\s*=\s*(?P<codes>[A-Za-z0-9_, ]+)")


class SuppressionPolicy(msgspec.Struct, frozen=True):
    """Which suppression comments a run honours."""

    #: False: every suppression is disregarded, as if the comments were absent.
    honor: bool = True
    #: Other tools' dialects honoured (``hadolint``, ``buildkit``, ``tally``); None: all of them.
    foreign: frozenset[str] | None = None

    def admits(self, source: str) -> bool:
        """Whether a suppression written in ``source``'s dialect counts (dfix's own always does, when honouring)."""
        if not self.honor:
            return False
        return source == "dfix" or self.foreign is None or source in self.foreign


_policy: ContextVar[SuppressionPolicy] = ContextVar("dfix_suppression_policy", default=SuppressionPolicy())


@contextmanager
def suppression_policy(honor: bool = True, foreign: Iterable[str] | None = None) -> Iterator[SuppressionPolicy]:
    """Run the body under a suppression policy; every :meth:`Suppressions.of` inside it follows the policy."""
    policy = SuppressionPolicy(honor, None if foreign is None else frozenset(foreign))
    token = _policy.set(policy)
    try:
        yield policy
    finally:
        _policy.reset(token)


class Suppression(msgspec.Struct, frozen=True):
    """One suppression comment and what it covers."""

    line: int
    scope: str  # "instruction" | "stage" | "file"
    codes: frozenset[str]  # resolved dfix codes, or {"ALL"}
    unknown: tuple[str, ...] = ()
    source: str = "dfix"  # "dfix" | "hadolint" | "buildkit"
    #: File offsets of the comment line (line ending included).
    start: int = 0
    end: int = 0
    #: Written without any code (``# dfix: ignore``).
    blanket: bool = False


def _split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,]+", text.strip()) if code]


def _resolve(codes: list[str], resolve_code: CodeResolver) -> tuple[frozenset[str], tuple[str, ...]]:
    if not codes:
        return frozenset({ALL}), ()
    resolved: set[str] = set()
    unknown: list[str] = []
    for code in codes:
        if code.upper() == ALL:
            resolved.add(ALL)
            continue
        matched = resolve_code(code)
        if matched:
            resolved |= matched  # a planned rule's code too: it silences nothing yet, and is no typo
        else:
            unknown.append(code)
    return frozenset(resolved), tuple(unknown)


def parse_comment(comment: Comment, resolve_code: CodeResolver | None = None) -> Suppression | None:
    """The suppression a comment line holds, if any; ``resolve_code`` reads its codes (default: the engine's)."""
    resolve_code = resolve_code or _default_resolver
    text = comment.code.strip()
    match = _DFIX.match(text)
    if match:
        scope = {"ignore": "instruction", "ignore-stage": "stage", "ignore-file": "file"}[match["scope"]]
        written = _split_codes(match["bracket"] or match["equals"] or "")
        codes, unknown = _resolve(written, resolve_code)
        token = comment.token
        return Suppression(token.line, scope, codes, unknown, "dfix", token.start_pos, token.end_pos, not written)
    match = _HADOLINT.match(text)
    if match:
        codes, unknown = _resolve(_split_codes(match["codes"]), resolve_code)
        if not codes:
            return None
        token = comment.token
        scope = "file" if match["global"] else "instruction"
        return Suppression(token.line, scope, codes, unknown, "hadolint", token.start_pos, token.end_pos)
    return None


def _buildkit_skips(tree: Dockerfile, resolve_code: CodeResolver) -> Suppression | None:
    value = tree.directive("check")
    if value is None:
        # 0.12.5 does not know the directive; honour it anyway when it heads the file
        for item in tree.items:
            if isinstance(item, Comment):
                match = re.match(r"#\s*check\s*=\s*(.*)$", item.code.strip())
                if match:
                    value = match.group(1)
                break
    if not value:
        return None
    for part in value.split(";"):
        key, _, names = part.partition("=")
        if key.strip().lower() == "skip":
            codes, unknown = _resolve([name for name in _split_codes(names) if name.lower() != "all"], resolve_code)
            if names.strip().lower() == "all":
                codes = frozenset({ALL})
            return Suppression(1, "file", codes, unknown, "buildkit")
    return None


class Suppressions(msgspec.Struct):
    """Every suppression of a file, and a test of whether one covers a diagnostic."""

    tree: Dockerfile
    items: list[Suppression] = msgspec.field(default_factory=list)
    #: instruction start offset -> suppressions that cover it
    _by_instruction: dict[int, list[Suppression]] = msgspec.field(default_factory=dict)
    #: (stage start offset, stage end offset, suppressions)
    _stages: list[tuple[int, int, list[Suppression]]] = msgspec.field(default_factory=list)
    _file: list[Suppression] = msgspec.field(default_factory=list)
    _starts: list[int] = msgspec.field(default_factory=list)
    _instructions: list[Instruction] = msgspec.field(default_factory=list)
    used: set[int] = msgspec.field(default_factory=set)

    @classmethod
    def of(
        cls, tree: Dockerfile, policy: SuppressionPolicy | None = None, resolve_code: CodeResolver | None = None
    ) -> "Suppressions":
        """The suppressions of ``tree`` that ``policy`` (default: the run's, see :func:`suppression_policy`) honours.

        ``resolve_code`` reads the codes the comments name (default: the
        engine's rule set, see :func:`use_code_resolver`).

        A comment the policy disregards is not a suppression at all: it
        silences nothing and DF001-DF003 do not judge it.
        """
        policy = policy or _policy.get()
        self = cls(tree)
        if not policy.honor:
            return self
        pending: list[Suppression] = []
        stage_pending: list[Suppression] = []
        resolve_code = resolve_code or _default_resolver
        skips = _buildkit_skips(tree, resolve_code)
        if skips is not None and policy.admits(skips.source):
            self.items.append(skips)
            self._file.append(skips)
        current_stage: list | None = None
        for item in tree.items:
            if isinstance(item, Comment):
                suppression = parse_comment(item, resolve_code)
                if suppression is None or not policy.admits(suppression.source):
                    continue
                self.items.append(suppression)
                if suppression.scope == "file":
                    self._file.append(suppression)
                elif suppression.scope == "stage":
                    stage_pending.append(suppression)
                else:
                    pending.append(suppression)
            elif isinstance(item, Instruction):
                span = item.span
                self._starts.append(span.start)
                self._instructions.append(item)
                if pending:
                    self._by_instruction[span.start] = pending
                    pending = []
                if isinstance(item, From):
                    if current_stage is not None:
                        current_stage[1] = span.start
                    current_stage = [span.start, len(tree.code) + 1, stage_pending]
                    self._stages.append(current_stage)  # type: ignore[arg-type]
                    stage_pending = []
        # Only stages that carry a suppression are asked about: a file of many stages and few comments
        # then costs each finding nothing here.
        self._stages = [stage for stage in self._stages if stage[2]]
        return self

    def _covering(self, diagnostic: Diagnostic) -> list[Suppression]:
        offset = diagnostic.span.start
        found = list(self._file)
        index = bisect_right(self._starts, offset) - 1
        if index >= 0:
            instruction = self._instructions[index]
            if offset < instruction.span.end:
                found += self._by_instruction.get(instruction.span.start, [])
        for start, end, suppressions in self._stages:
            if start <= offset < end:
                found += suppressions
        return found

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        """Whether a suppression covers the diagnostic (and mark that suppression used)."""
        hit = False
        subcode = diagnostic.subcode
        for suppression in self._covering(diagnostic):
            codes = suppression.codes
            if ALL in codes or diagnostic.code in codes or (subcode is not None and subcode in codes):
                self.used.add(id(suppression))
                hit = True
        return hit

    def is_used(self, suppression: Suppression) -> bool:
        return id(suppression) in self.used

    def file_ignores_everything(self) -> bool:
        return any(ALL in s.codes for s in self._file)
