"""Guards: a runaway input is reported and skipped, and a fix that takes too long leaves the file as it was."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

import pytest

import dfix
from dfix import process
from dfix.engine import Context, Diagnostic, Edit, FixPolicy, Rule, Safety

from .helpers import FIXABLE, FIXABLE_FIXED, run, write_tree


def test_a_file_over_max_file_size_is_reported_and_skipped(tmp_path: Path) -> None:
    big = FIXABLE + "# " + "x" * 3000 + "\n"
    write_tree(tmp_path, {".dfix.toml": 'max-file-size = "2 kB"\n', "big/Dockerfile": big, "small/Dockerfile": FIXABLE})
    result = run("--write", ".", "--output-format", "concise", cwd=tmp_path)
    assert result.exit_code == 2
    assert "big/Dockerfile:1:1: DF000 skipped: 3.0 KiB is over the 2.0 KiB limit (max-file-size)" in result.stdout
    assert (tmp_path / "big/Dockerfile").read_text() == big
    assert (tmp_path / "small/Dockerfile").read_text() == FIXABLE_FIXED


@pytest.mark.parametrize("value, message", [
    ("0", "must be more than 0"),
    ('"lots"', 'expected a size such as "5 MiB" or 5000000'),
    ("true", "expected a size"),
])
def test_bad_sizes_are_refused(tmp_path: Path, value: str, message: str) -> None:
    write_tree(tmp_path, {".dfix.toml": f"max-file-size = {value}\n", "Dockerfile": FIXABLE})
    result = run("Dockerfile", cwd=tmp_path)
    assert result.exit_code == 2 and message in result.stderr


class _Slow(Rule):
    """A test rule whose every check burns CPU and always has one more fix."""

    code = "DF997"
    name = "slow"
    summary = "slow on purpose"
    safety = Safety.SAFE

    def check(self, context: Context) -> Iterable[Diagnostic]:
        start = time.process_time()
        while time.process_time() - start < 0.02:
            pass
        end = len(context.tree.code)
        yield self.diagnostic(context.tree.instructions[0], "more", [Edit(end, end, "# more\n")])


def test_a_fix_over_its_time_budget_leaves_the_text_as_it_was() -> None:
    result = dfix.fix("FROM scratch\n", rules=[_Slow()], budget=0.05)
    assert result.timed_out and not result.converged
    assert result.text == "FROM scratch\n" and result.applied == ()
    assert [d.code for d in result.diagnostics] == ["DF997"]


def test_the_command_says_too_slow_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {".dfix.toml": "fix-time-budget = 0.05\n", "Dockerfile": "FROM scratch\n"})
    monkeypatch.setattr(process, "_rules_for", lambda task: [_Slow()])
    monkeypatch.setattr(process.Task, "policy", property(lambda task: FixPolicy()))
    result = run("--write", "-j", "1", "Dockerfile", cwd=tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == "FROM scratch\n"
    assert "Dockerfile: warning: too slow to fix (over 0.05 s of CPU, fix-time-budget); left as it was" in result.stderr
