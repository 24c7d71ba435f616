"""Running rules: lint a text, or fix it to a fixpoint with every fix verified."""

from __future__ import annotations

import os
import time
from bisect import bisect_right
from typing import Callable, Iterable, Sequence

import msgspec

from ..shell import scripts_kept
from ..syntax import Dockerfile, first_refusal, parse, text_problem
from .build_context import BuildContext
from .context import Context
from .model import Diagnostic, Edit, FailedFix, FixPolicy, FixResult, apply_edits
from .registry import select as select_rules
from .registry import subcode_filter
from .rule import Rule
from .suppress import Suppressions, suppression_policy
from .verify import verify_edit

#: Fix rounds before giving up on reaching a fixpoint (each round takes every fix that does not
#: collide with another, so real files settle in two or three).
MAX_ROUNDS = 20


def parse_checked(text: str, path: str | None = None) -> Dockerfile:
    """:func:`dfix.parse`, refusing first a text that is not a Dockerfile at all (a binary file)."""
    problem = text_problem(text)
    if problem is not None:
        raise problem.with_path(path)
    return parse(text, path)


def make_rules(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    settings: dict[str, dict] | None = None,
) -> list[Rule]:
    """Instances of the selected rules, configured with per-rule options."""
    settings = settings or {}
    select = None if select is None else list(select)
    ignore, extend_select = list(ignore), list(extend_select)
    rules = []
    for rule_class in select_rules(select, ignore, extend_select):
        rule = rule_class(**settings.get(rule_class.code, {}))
        rule.subcode_filter = subcode_filter(rule_class, select, ignore, extend_select)
        rules.append(rule)
    return rules


def prepare_rules(rules: Sequence[Rule], files: Iterable[tuple[Dockerfile, str | None]]) -> None:
    """Let rules do for many parsed files at once what they would do file by file (see :meth:`Rule.prepare`).

    Only rules that override ``prepare`` are asked; a rule that fails here
    is left to do its work in ``check``.
    """
    eager = [rule for rule in rules if type(rule).prepare is not Rule.prepare]
    if not eager:
        return
    contexts = [Context(tree, path) for tree, path in files]
    for rule in eager:
        try:
            rule.prepare(contexts)
        except Exception:  # noqa: BLE001 - preparing only saves time; check() does the work and reports
            continue


def run_rules(
    tree: Dockerfile,
    rules: Sequence[Rule],
    path: str | None = None,
    *,
    honor_suppressions: bool = True,
    foreign_suppressions: Iterable[str] | None = None,
    build_context: BuildContext | None = None,
    context: Context | None = None,
) -> list[Diagnostic]:
    """Every unsuppressed diagnostic of ``rules`` on ``tree``, in file order.

    ``honor_suppressions=False`` (``--ignore-suppressions``) reports every
    finding as if no suppression comment were there, and so also makes no
    finding about the comments themselves (DF001-DF003): a central policy
    run must neither obey nor delete them. ``foreign_suppressions`` names
    the other tools' dialects honoured (``hadolint``, ``buildkit``,
    ``tally``; None: all). The policy holds for rules that consult
    suppressions themselves too. ``build_context``: the files the build
    sends, for rules that read them (None: not known). ``context``: the
    facts of ``tree`` an earlier lint of it worked out, to go on from
    (made for ``tree``, ``path`` and ``build_context``).
    """
    with suppression_policy(honor_suppressions, foreign_suppressions), scripts_kept():
        if context is None:
            context = Context(tree, path, build_context=build_context)
        suppressions = Suppressions.of(tree)
        suppresses = suppressions.suppresses if suppressions.items else None  # most files have no such comment
        found: list[Diagnostic] = []
        for rule in rules:
            admits = rule.subcode_filter.admits
            for diagnostic in rule.check(context):
                if admits(diagnostic.subcode) and (suppresses is None or not suppresses(diagnostic)):
                    found.append(diagnostic)
        meta = [rule for rule in rules if type(rule).check_suppressions is not Rule.check_suppressions]
        if meta:
            selected = frozenset(rule.code for rule in rules)
            for rule in meta:
                found.extend(rule.check_suppressions(context, suppressions, selected))
    found.sort(key=Diagnostic.sort_key)
    return found


def check(
    text: str,
    *,
    path: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    settings: dict[str, dict] | None = None,
    honor_suppressions: bool = True,
    foreign_suppressions: Iterable[str] | None = None,
    build_context: BuildContext | str | os.PathLike[str] | None = None,
) -> list[Diagnostic]:
    """Lint ``text`` without fixing. Raises :class:`dfix.ParseError` for a file BuildKit refuses.

    ``honor_suppressions`` and ``foreign_suppressions`` as in :func:`run_rules`;
    ``build_context`` as in :func:`fix`.
    """
    tree = parse_checked(text, path)
    return run_rules(
        tree, make_rules(select, ignore, extend_select, settings), path,
        honor_suppressions=honor_suppressions, foreign_suppressions=foreign_suppressions,
        build_context=resolve_build_context(build_context, path),
    )


def resolve_build_context(
    given: BuildContext | str | os.PathLike[str] | None, path: str | None
) -> BuildContext | None:
    """The build context of a run: the one given (a folder is opened), else the folder of the file at ``path``.

    A text with no path, or a path naming no file on disk, has no context.
    """
    if isinstance(given, BuildContext):
        return given
    if given is not None:
        return BuildContext.of_folder(given, path)
    if path is not None and os.path.isfile(path):
        return BuildContext.of_dockerfile(path)
    return None


class _Regions:
    """The stretch of text a fix touches, its edits widened to whole instructions, found by bisection.

    Built once per round, so finding the region of each of a thousand fixes
    costs a logarithm, not a walk over the file.
    """

    def __init__(self, tree: Dockerfile) -> None:
        self.spans = [(instruction.span.start, instruction.span.end) for instruction in tree.instructions]
        self.starts = [start for start, _ in self.spans]

    def of(self, edits: tuple[Edit, ...]) -> tuple[int, int]:
        start = min(edit.start for edit in edits)
        end = max(edit.end for edit in edits)
        for edit in edits:
            index = bisect_right(self.starts, edit.end) - 1
            while index >= 0 and self.spans[index][1] >= edit.start:
                span_start, span_end = self.spans[index]
                start, end = min(start, span_start), max(end, span_end)
                index -= 1
        return start, end


class _Blocks:
    """Disjoint closed intervals, each with a label, kept sorted: does a new interval touch one, and whose?

    Adding an interval merges it with the blocks it touches, which callers
    only allow when they share its label, so a block keeps one label and the
    union of what was added is exactly what is kept. A question costs a
    logarithm plus the blocks it touches: a round that takes a thousand fixes
    stays linear instead of comparing every fix with every other.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.labels: list[str | None] = []

    def _touching(self, start: int, end: int) -> range:
        """Indexes of the blocks with ``block.start <= end`` and ``start <= block.end``."""
        last = bisect_right(self.starts, end) - 1
        first = last
        while first >= 0 and self.ends[first] >= start:
            first -= 1
        return range(first + 1, last + 1)

    def labels_touching(self, start: int, end: int) -> set[str | None]:
        return {self.labels[index] for index in self._touching(start, end)}

    def add(self, start: int, end: int, label: str | None) -> None:
        touching = self._touching(start, end)
        if touching:
            start = min(start, self.starts[touching.start])
            end = max(end, self.ends[touching.stop - 1])
            del self.starts[touching.start : touching.stop]
            del self.ends[touching.start : touching.stop]
            del self.labels[touching.start : touching.stop]
        index = bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        self.labels.insert(index, label)


class _Round:
    """What one round has taken so far, in the offsets of the text the round started from.

    Fixes of one rule were all computed on the same text, so where their edits
    do not touch they apply together, even inside one instruction (eight
    `apt-get install` commands of one RUN each get their `-y` in one round).
    A fix of another rule waits for the next round once its instructions
    were edited this round: it was computed without seeing that edit, and
    seeing it may change what it should do (a merge that now takes in a
    newly inserted RUN, a cleanup that now has a new last command). Two
    edits touch when they overlap or meet (two insertions at one point).
    """

    def __init__(self) -> None:
        self.edits = _Blocks()
        self.regions = _Blocks()

    def admits(self, code: str, edits: tuple[Edit, ...], region: tuple[int, int]) -> bool:
        if any(self.edits.labels_touching(edit.start, edit.end) for edit in edits):
            return False
        return self.regions.labels_touching(*region) <= {code}

    def take(self, code: str, edits: tuple[Edit, ...], region: tuple[int, int]) -> None:
        for edit in edits:
            self.edits.add(edit.start, edit.end, None)
        self.regions.add(*region, code)


def _one_at_a_time(
    chosen: list[Diagnostic], current: str, tree: Dockerfile, applied: list[Diagnostic], failed: list[FailedFix],
    refused: set[tuple], out_of_time,
) -> tuple[str, Dockerfile]:
    """Verify a round's fixes one by one (the round's offsets shifted by those taken); returns the text and tree."""
    accepted: list[Edit] = []  # in the round's original offsets
    working, working_tree = current, tree
    for diagnostic in chosen:
        if out_of_time():
            break
        shifted = tuple(
            edit.shifted(sum(a.delta for a in accepted if a.end <= edit.start)) for edit in diagnostic.fix.edits
        )
        candidate_text = apply_edits(working, shifted)
        new_tree, problem = verify_edit(working_tree, candidate_text, shifted)
        if problem is not None:
            failed.append(FailedFix(diagnostic, problem))
            refused.add(_diagnostic_key(diagnostic, current))
            continue
        working, working_tree = candidate_text, new_tree
        accepted.extend(diagnostic.fix.edits)
        applied.append(diagnostic)
    return working, working_tree


def _diagnostic_key(diagnostic: Diagnostic, text: str) -> tuple:
    span = diagnostic.span
    return (diagnostic.code, diagnostic.message, text[span.start : span.end])


def fix(
    text: str,
    select: Iterable[str] | None = None,
    unsafe: bool = False,
    *,
    path: str | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    settings: dict[str, dict] | None = None,
    rules: Sequence[Rule] | None = None,
    fixable: Iterable[str] | None = None,
    honor_suppressions: bool = True,
    foreign_suppressions: Iterable[str] | None = None,
    first: tuple[Dockerfile, Sequence[Diagnostic]] | None = None,
    policy: FixPolicy | None = None,
    budget: float | None = None,
    build_context: BuildContext | str | os.PathLike[str] | None = None,
) -> FixResult:
    """Fix ``text`` to a fixpoint and return what happened.

    Each round runs the rules on a fresh parse and takes their fixes in code
    order: every fix whose edits neither overlap nor touch an edit already
    taken, and whose instructions no other rule edited this round (see
    :class:`_Round`), so no fix works on stale offsets or stale facts. It
    verifies each (it parses, it changes nothing it did not mean to, it
    writes only instructions BuildKit accepts). A fix that fails is dropped
    and reported in ``failed``; the text is never made worse. Unsafe fixes
    apply only with ``unsafe=True``; ``fixable`` (rule codes) limits which
    rules may fix at all (findings of the others are still reported).
    ``honor_suppressions`` and ``foreign_suppressions`` as in
    :func:`run_rules` (with ``honor_suppressions=False`` no suppression
    silences a fix, and DF001 removes no comment). ``first``: the tree of
    ``text`` and what ``rules`` found in it, when the caller has already
    checked the text (the first round then starts from them instead of
    running every rule again). Raises :class:`dfix.ParseError` when the
    input itself does not parse. When the rounds run out with fixes still
    pending, the result says so once (``converged`` is false) and the pending
    findings stay in ``diagnostics``. A file ``docker build`` refuses before
    running a step (an unknown instruction, a flag it does not take ...) is
    not fixed at all: its findings are returned as they are. ``budget``: CPU seconds the whole loop
    may take; past that the input is returned unchanged with ``timed_out``
    set and the findings of the input (a fix that takes minutes is not one a
    user waits for, and a half-fixed file is worse than none). ``build_context``: the files the
    build sends (a :class:`BuildContext` or a folder); by default the
    folder of the file at ``path``, and none for a text without one.
    """
    result, unfinished = fix_in_two_steps(
        text, select, unsafe, path=path, ignore=ignore, extend_select=extend_select, settings=settings,
        rules=rules, fixable=fixable, honor_suppressions=honor_suppressions,
        foreign_suppressions=foreign_suppressions, first=first, policy=policy, budget=budget,
        build_context=build_context,
    )
    return result if unfinished is None else unfinished.finish(result)


class Unfinished(msgspec.Struct, frozen=True):
    """The rules a fix has yet to run on the text it ended with (see :func:`fix_in_two_steps`)."""

    tree: Dockerfile
    path: str | None
    rules: tuple[Rule, ...]
    run: Callable[[Dockerfile, Sequence[Rule]], list[Diagnostic]]

    def finish(self, result: FixResult) -> FixResult:
        """``result`` with what those rules find in its text."""
        found = [*result.diagnostics, *self.run(self.tree, self.rules)]
        found.sort(key=Diagnostic.sort_key)
        return msgspec.structs.replace(result, diagnostics=tuple(found))


@scripts_kept()  # a RUN a round leaves alone is not analysed again in the next
def fix_in_two_steps(
    text: str,
    select: Iterable[str] | None = None,
    unsafe: bool = False,
    *,
    path: str | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    settings: dict[str, dict] | None = None,
    rules: Sequence[Rule] | None = None,
    fixable: Iterable[str] | None = None,
    honor_suppressions: bool = True,
    foreign_suppressions: Iterable[str] | None = None,
    first: tuple[Dockerfile, Sequence[Diagnostic]] | None = None,
    policy: FixPolicy | None = None,
    budget: float | None = None,
    build_context: BuildContext | str | os.PathLike[str] | None = None,
) -> tuple[FixResult, Unfinished | None]:
    """:func:`fix` (the same options), but the rules that only report on the final text are left to the caller.

    Those rules (ShellCheck among them, see :class:`_RoundLinter`) run once
    on the fixed text; a caller fixing many files can first let them work on
    all the fixed texts at once (:func:`prepare_rules` on each
    :attr:`Unfinished.tree`: one ShellCheck process instead of one per file),
    then :meth:`Unfinished.finish` each result. ``Unfinished`` is None when
    nothing is left to run.
    """
    context = resolve_build_context(build_context, path)
    if rules is None:
        rules = make_rules(select, ignore, extend_select, settings)
    if policy is None:
        policy = FixPolicy.of(unsafe, fixable)
    tree = parse_checked(text, path) if first is None else first[0]
    current = text
    applied: list[Diagnostic] = []
    failed: list[FailedFix] = []
    refused: set[tuple] = set()
    foreign = None if foreign_suppressions is None else frozenset(foreign_suppressions)  # read once per round

    facts: list[Context] = []  # of the last tree linted: the lint of the rules left for the end goes on from them

    def run(tree: Dockerfile, some: Sequence[Rule]) -> list[Diagnostic]:
        if not facts or facts[0].tree is not tree:
            facts[:] = [Context(tree, path, build_context=context)]
        return run_rules(tree, some, path, honor_suppressions=honor_suppressions, foreign_suppressions=foreign,
                         build_context=context, context=facts[0])

    linter = _RoundLinter(rules, policy, run, lambda tree: _has_suppressions(tree, honor_suppressions, foreign))
    diagnostics = run(tree, rules) if first is None else list(first[1])
    if first_refusal(tree) is not None:
        # docker build refuses the file before it runs a step: nothing to improve until that is mended
        return FixResult(text, text, (), tuple(diagnostics)), None
    deadline = None if budget is None else time.process_time() + budget
    initial = tuple(diagnostics)

    def out_of_time() -> bool:
        return deadline is not None and time.process_time() > deadline

    for _ in range(MAX_ROUNDS):
        if out_of_time():
            return FixResult(text, text, (), initial, tuple(failed), converged=False, timed_out=True), None
        candidates = [d for d in diagnostics if policy.applies(d) and _diagnostic_key(d, current) not in refused]
        if not candidates:
            break
        candidates.sort(key=lambda d: (d.code, d.fix.start))
        regions = _Regions(tree)
        taken = _Round()
        chosen: list[Diagnostic] = []
        for diagnostic in candidates:
            edits = diagnostic.fix.edits
            region = regions.of(edits)
            if not taken.admits(diagnostic.code, edits, region):
                continue  # next round, on the text the other fix made
            if all(current[edit.start : edit.end] == edit.replacement for edit in edits):
                failed.append(FailedFix(diagnostic, "the fix changes nothing"))
                refused.add(_diagnostic_key(diagnostic, current))
                continue
            taken.take(diagnostic.code, edits, region)
            chosen.append(diagnostic)
        # The round's fixes are verified together, with one parse; only when that fails are they
        # verified one at a time, to tell which fix breaks the file (a parse per fix made a
        # thousand-fix file quadratic).
        working, working_tree = current, tree
        if chosen:
            batch = tuple(edit for diagnostic in chosen for edit in diagnostic.fix.edits)
            batch_text = apply_edits(current, batch)
            batch_tree, problem = verify_edit(tree, batch_text, batch)
            if problem is None:
                working, working_tree = batch_text, batch_tree
                applied.extend(chosen)
            else:
                working, working_tree = _one_at_a_time(
                    chosen, current, tree, applied, failed, refused, out_of_time,
                )
        if out_of_time():
            return FixResult(text, text, (), initial, tuple(failed), converged=False, timed_out=True), None
        if working == current:
            continue  # every candidate failed verification; they are refused now
        current, tree = working, working_tree
        if out_of_time():
            return FixResult(text, text, (), initial, tuple(failed), converged=False, timed_out=True), None
        diagnostics = linter.between_rounds(tree)
    else:
        converged = not any(policy.applies(d) and _diagnostic_key(d, current) not in refused for d in diagnostics)
        result = FixResult(current, text, tuple(applied), tuple(diagnostics), tuple(failed), converged=converged)
        return result, linter.unfinished(tree, path)
    return FixResult(current, text, tuple(applied), tuple(diagnostics), tuple(failed)), linter.unfinished(tree, path)


def _has_suppressions(tree: Dockerfile, honor: bool, foreign: Iterable[str] | None) -> bool:
    """Whether the run honours any suppression comment (or ``# check=skip=``) in ``tree``."""
    with suppression_policy(honor, foreign):
        return bool(Suppressions.of(tree).items)


class _RoundLinter:
    """The fix loop's lints: every rule on the first text and the last, only the rules that can fix in between.

    A round's findings matter to the loop only for the fixes the run may
    apply. A rule whose safety is ``none`` (about a third of them, ShellCheck
    among them) never has one, nor has a rule whose fixes are unsafe in a
    run without ``--unsafe-fixes``, or one the run may not fix with; their
    findings are wanted once, on the text the loop ends with.

    Rules do not read each other's findings, with one exception: the rules
    about suppression comments judge a comment by what every other rule
    found, so a file with a suppression the run honours is linted whole
    each round.
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        policy: FixPolicy,
        run: Callable[[Dockerfile, Sequence[Rule]], list[Diagnostic]],
        has_suppressions: Callable[[Dockerfile], bool],
    ) -> None:
        self.rules = rules
        self.fixing = [rule for rule in rules if policy.may_apply(rule.code, rule.safety)]
        fixing = {id(rule) for rule in self.fixing}
        self.rest = [rule for rule in rules if id(rule) not in fixing]
        self.run = run
        self.has_suppressions = has_suppressions
        #: The tree whose last lint ran only ``fixing``.
        self.partial: Dockerfile | None = None

    def between_rounds(self, tree: Dockerfile) -> list[Diagnostic]:
        if not self.rest or self.has_suppressions(tree):
            self.partial = None
            return self.run(tree, self.rules)
        self.partial = tree
        return self.run(tree, self.fixing)

    def unfinished(self, tree: Dockerfile, path: str | None) -> Unfinished | None:
        """What the last lint, of ``tree``, left out; None when it ran every rule."""
        if self.partial is not tree:
            return None
        return Unfinished(tree, path, tuple(self.rest), self.run)
