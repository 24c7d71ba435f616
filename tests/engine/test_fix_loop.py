"""The fix loop: fixes that do not collide apply in one round, and the loop reaches its fixpoint.

A busy RUN (a docker-library style list of eight ``apt-get install``
commands) used to take one fix per instruction per round and ran out of
rounds; these tests pin what a round takes and what happens when rounds run
out anyway.
"""

from __future__ import annotations

from typing import Iterable

import pytest

import dfix
from dfix.engine import Context, Diagnostic, Edit, Rule, Safety
from dfix.engine import runner

BUSY = (
    "FROM debian:12\n"
    "RUN apt-get update\n"
    "RUN "
    + " && \\\n    ".join(f"apt-get install p{i} a{i} b{i} a{i}" for i in range(8))
    + " && \\\n    pip install x && pip install y\n"
)

BUSY_FIXED = (
    "FROM debian:12\n"
    "RUN apt-get update && \\\n"
    + "".join(f"    apt-get install --no-install-recommends -y p{i} a{i} b{i} && \\\n" for i in range(8))
    + "    pip install --no-cache-dir x && pip install --no-cache-dir y && \\\n"
    "    rm -rf /var/lib/apt/lists/*\n"
)


def test_busy_run_reaches_the_fixpoint() -> None:
    result = dfix.fix(BUSY, unsafe=True)
    assert result.text == BUSY_FIXED
    assert result.converged
    assert result.failed == ()
    assert not [d for d in result.diagnostics if d.fix is not None and d.fix.safety is not Safety.NONE]
    again = dfix.fix(result.text, unsafe=True)
    assert again.text == result.text and not again.applied


def test_one_rules_fixes_in_one_instruction_apply_in_one_round(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "FROM debian:12\nRUN " + " && \\\n    ".join(f"apt-get install p{i}" for i in range(8)) + "\n"
    monkeypatch.setattr(runner, "MAX_ROUNDS", 1)
    result = dfix.fix(text, select=["DF201"])
    assert [d.code for d in result.applied] == ["DF201"] * 8
    assert result.text.count("apt-get install -y p") == 8
    assert result.converged


def test_another_rules_fix_in_an_edited_instruction_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """DF202 and DF624 both edit this RUN: the second waits for a round that sees the first's edit."""
    text = "FROM debian:12\nRUN apt-get update && apt-get install -y b a b && rm -rf /var/lib/apt/lists/*\n"
    monkeypatch.setattr(runner, "MAX_ROUNDS", 1)
    one = dfix.fix(text, select=["DF202", "DF624"], unsafe=True)
    assert [d.code for d in one.applied] == ["DF202"]
    assert not one.converged
    monkeypatch.setattr(runner, "MAX_ROUNDS", 2)
    two = dfix.fix(text, select=["DF202", "DF624"], unsafe=True)
    assert two.text == (
        "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y b a && rm -rf /var/lib/apt/lists/*\n"
    )
    assert two.converged


class _Restless(Rule):
    """A test rule whose fix never settles: it always wants one more comment line."""

    code = "DF999"
    name = "restless"
    summary = "always wants one more comment"
    safety = Safety.SAFE

    def check(self, context: Context) -> Iterable[Diagnostic]:
        end = len(context.tree.code)
        first = context.tree.instructions[0]
        yield self.diagnostic(first, "one more", [Edit(end, end, "# more\n")])


def test_running_out_of_rounds_is_said_once_not_per_finding() -> None:
    result = dfix.fix("FROM scratch\n", rules=[_Restless()])
    assert not result.converged
    assert result.failed == ()  # not a verification failure per finding
    assert result.text.count("# more\n") == runner.MAX_ROUNDS
    assert [d.code for d in result.diagnostics] == ["DF999"]


def test_the_cli_warns_once_per_file_that_did_not_settle(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from dfix import process
    from dfix.results import FileResult

    monkeypatch.setattr(process, "_rules_for", lambda task: [_Restless()])
    task = process.Task(path=str(tmp_path / "Dockerfile"), mode="diff", codes=("DF999",), fixable=("DF999",), text="FROM scratch\n")
    result: FileResult = process.process(task).result
    settle = [w for w in result.warnings if "did not settle" in w]
    assert len(settle) == 1
    assert settle[0].startswith(f"{task.path}: warning: the fixes did not settle after {runner.MAX_ROUNDS} rounds")
    assert result.failed_fixes == ()


# -- what a round takes: the interval index against the plain pairwise rule ------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_interval = st.tuples(st.integers(0, 60), st.integers(0, 8)).map(lambda pair: (pair[0], pair[0] + pair[1]))
_proposal = st.tuples(st.sampled_from(["DF1", "DF2", "DF3"]), st.lists(_interval, min_size=1, max_size=3), _interval)


def _touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(_proposal, max_size=25))
def test_round_takes_what_pairwise_comparison_takes(proposals) -> None:
    """A fix is taken when its edits touch no taken edit and its region touches no other rule's region."""
    taken = runner._Round()
    taken_edits: list[tuple[int, int]] = []
    taken_regions: list[tuple[str, tuple[int, int]]] = []
    for code, spans, region in proposals:
        edits = tuple(Edit(start, end, "x") for start, end in spans)
        expected = not any(_touch(span, other) for span in spans for other in taken_edits) and not any(
            other_code != code and _touch(region, other) for other_code, other in taken_regions
        )
        assert taken.admits(code, edits, region) == expected
        if expected:
            taken.take(code, edits, region)
            taken_edits.extend(spans)
            taken_regions.append((code, region))


def test_a_round_of_many_fixes_is_not_quadratic() -> None:
    """Ten thousand non-touching fixes: each admission looks at its neighbours, not at every fix taken."""
    taken = runner._Round()
    calls = 0
    original = runner._Blocks._touching

    def counting(self, start, end):
        nonlocal calls
        found = original(self, start, end)
        calls += 1 + len(found)
        return found

    runner._Blocks._touching = counting
    try:
        for index in range(10_000):
            edits = (Edit(index * 10, index * 10 + 2, "x"),)
            assert taken.admits("DF1", edits, (index * 10, index * 10 + 5))
            taken.take("DF1", edits, (index * 10, index * 10 + 5))
    finally:
        runner._Blocks._touching = original
    assert calls < 5 * 10_000


# -- which rules run between rounds ----------------------------------------------------------


class _Counting(Rule):
    """A report-only test rule that counts the texts it is run on and reports each RUN."""

    code = "DF998"
    name = "counting"
    summary = "reports every RUN"
    seen: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.seen = []

    def check(self, context: Context) -> Iterable[Diagnostic]:
        self.seen.append(context.tree.code)
        for instruction in context.tree.instructions:
            if instruction.keyword == "RUN":
                yield self.diagnostic(instruction, f"RUN at line {instruction.start_line}")


TWO_ROUNDS = "FROM debian:12\nRUN apt-get update && apt-get install b a b\n"


def test_a_report_only_rule_runs_on_the_first_and_the_last_text_only() -> None:
    """Its findings never steer the loop, so the rounds in between do without it; the result still has them."""
    counting = _Counting()
    rules = [*runner.make_rules(["DF200", "DF201", "DF202", "DF624"]), counting]
    result = dfix.fix(TWO_ROUNDS, unsafe=True, rules=rules)
    assert len(result.applied) >= 3  # several rounds of fixes
    assert counting.seen == [TWO_ROUNDS, result.text]
    assert [d.message for d in result.diagnostics if d.code == "DF998"] == ["RUN at line 2"]
    assert result.diagnostics == tuple(sorted(result.diagnostics, key=Diagnostic.sort_key))
    assert list(result.diagnostics) == runner.run_rules(dfix.parse(result.text), rules)


def test_a_file_with_a_suppression_comment_is_linted_whole_each_round() -> None:
    """The rules about suppression comments judge them by every rule's findings, every round."""
    text = "FROM debian:12\n# dfix: ignore[DF230]\n" + TWO_ROUNDS.split("\n", 1)[1]
    counting = _Counting()
    rules = [*runner.make_rules(["DF001", "DF200", "DF201", "DF202", "DF230", "DF624"]), counting]
    result = dfix.fix(text, unsafe=True, rules=rules)
    assert counting.seen[0] == text and counting.seen[-1] == result.text
    assert len(counting.seen) >= 3  # every round's text too, not only the first and the last
    assert "# dfix: ignore[DF230]" in result.text  # still used: DF001 saw DF230's finding each round
    assert not [d for d in result.diagnostics if d.code == "DF230"]


def test_a_rule_whose_safety_is_none_cannot_make_a_fix() -> None:
    class _Sneaky(_Counting):
        def check(self, context: Context) -> Iterable[Diagnostic]:
            yield self.diagnostic(context.tree.instructions[0], "sneaky", [Edit(0, 0, "# x\n")], safety=Safety.SAFE)

    with pytest.raises(ValueError, match="declares safety none"):
        list(_Sneaky().check(Context(dfix.parse("FROM scratch\n"))))


def test_without_unsafe_fixes_a_rule_whose_fixes_are_unsafe_runs_first_and_last_only() -> None:
    class _CountingUnsafe(_Counting):
        code = "DF997"
        name = "counting-unsafe"
        safety = Safety.UNSAFE

    counting = _CountingUnsafe()
    rules = [*runner.make_rules(["DF200", "DF201"]), counting]
    result = dfix.fix(TWO_ROUNDS, rules=rules)
    assert len(result.applied) >= 2
    assert counting.seen == [TWO_ROUNDS, result.text]
    unsafe_run = _CountingUnsafe()
    dfix.fix(TWO_ROUNDS, unsafe=True, rules=[*runner.make_rules(["DF200", "DF201"]), unsafe_run])
    assert len(unsafe_run.seen) > 2  # with --unsafe-fixes its findings may be fixes: every round
