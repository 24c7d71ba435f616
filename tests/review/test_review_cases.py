"""The review set: real-shaped cases with the exact text dfix must leave, run through the real pipeline.

Each folder under ``corpus/review`` is one case (see ``corpus/review/README.md``):
its Dockerfile is fixed as ``dfix --write`` would, with the case's rules and
options and the folder as the build context, and the result must equal
``expected.Dockerfile`` (or the input, when there is none). A case also names
the codes that must still be reported, which is how "report, don't fix" is
pinned down.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from dfix.config import ConfigResolver
from dfix.pipeline import plan, run_files

REVIEW = Path(__file__).resolve().parents[2] / "corpus" / "review"
CASES = sorted(path.parent for path in REVIEW.glob("*/*/case.toml"))
KNOWN_KEYS = {"why", "select", "unsafe", "report", "options"}


def _settings(case: Path) -> dict:
    data = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    unknown = set(data) - KNOWN_KEYS
    assert not unknown, f"{case}: unknown keys in case.toml: {sorted(unknown)}"
    assert data.get("why", "").strip(), f"{case}: say why in case.toml"
    assert data.get("select"), f"{case}: name the rules the case is about (select)"
    return data


def outcome(case: Path) -> tuple[str, list[str]]:
    """The text a fix leaves, and the codes still reported, for one case folder."""
    data = _settings(case)
    overrides = {
        "lint.select": list(data["select"]),
        "unsafe-fixes": bool(data.get("unsafe", False)),
        "lint.rules": {code: dict(values) for code, values in data.get("options", {}).items()},
    }
    resolver = ConfigResolver(isolated=True, cwd=case, overrides=overrides)
    (item,) = run_files([plan(str(case / "Dockerfile"), "diff", resolver)], 1)
    result = item.result
    assert result.parse_error is None and result.io_error is None, f"{case}: {result.parse_error or result.io_error}"
    return result.fixed, sorted({diagnostic.code for diagnostic in result.diagnostics})


def test_there_is_a_review_set() -> None:
    assert len(CASES) >= 1


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_review_case(case: Path, tmp_path: Path) -> None:
    data = _settings(case)
    original = (case / "Dockerfile").read_text(encoding="utf-8")
    expected_file = case / "expected.Dockerfile"
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else original
    fixed, reported = outcome(case)
    assert fixed == expected, data["why"]
    missing = sorted(set(data.get("report", ())) - set(reported))
    assert not missing, f"{data['why']} (expected still reported: {missing}; reported: {reported})"
    if expected_file.exists():
        # A second pass over the fixed text, in a copy of the case's folder, changes nothing.
        copy = tmp_path / case.name
        shutil.copytree(case, copy)
        (copy / "Dockerfile").write_text(fixed, encoding="utf-8")
        again, _ = outcome(copy)
        assert again == fixed, "a second pass must change nothing"
