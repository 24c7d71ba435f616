"""``--diff`` states what each applied unsafe fix assumes, on stderr, once per file and rule."""

from __future__ import annotations

from typing import Iterable

import pytest

from dfix import process
from dfix.engine import Context, Diagnostic, Edit, FixPolicy, Rule, Safety

from .helpers import run, write_tree

TEXT = "FROM node:20\nCOPY . .\nRUN npm ci\n"
CAVEAT = "package.json has no postinstall script that reads the sources"


class _Assuming(Rule):
    """A test rule with one unsafe fix that states its caveat."""

    code = "DF998"
    name = "assuming"
    summary = "an unsafe fix with a caveat"
    safety = Safety.UNSAFE

    def check(self, context: Context) -> Iterable[Diagnostic]:
        run = context.tree.instructions[-1]
        yield self.diagnostic(run, "install before copy", [Edit(run.span.start, run.span.start, "# moved\n")],
                              assumes=CAVEAT)


def test_diff_prints_the_caveat_on_stderr(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"Dockerfile": TEXT})
    monkeypatch.setattr(process, "_rules_for", lambda task: [_Assuming()])
    monkeypatch.setattr(process.Task, "policy", property(lambda task: FixPolicy.of(unsafe=task.unsafe_fixes)))
    result = run("--diff", "--unsafe-fixes", "-j", "1", str(tmp_path / "Dockerfile"))
    assert "+# moved" in result.stdout
    assert f"{tmp_path / 'Dockerfile'}: note: DF998 (unsafe fix) assumes {CAVEAT}\n" in result.stderr
    assert CAVEAT not in result.stdout  # the patch stays a patch


