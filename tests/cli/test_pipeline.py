"""The pipeline the command line and the bot share: one outcome kind per file, writes as it goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dfix import writer
from dfix.config import ConfigResolver
from dfix.pipeline import plan, run_files
from dfix.results import Outcome

from .helpers import BAD, CLEAN, FIXABLE, FIXABLE_FIXED, UNFIXABLE, write_tree


def outcomes(tmp_path: Path, mode: str, names: list[str], *, inside: Path | None = None) -> dict[str, Outcome]:
    resolver = ConfigResolver(isolated=True, cwd=tmp_path, overrides={"lint.select": ["DF201", "DF204"]})
    planned = [plan(str(tmp_path / name), mode, resolver) for name in names]
    return {Path(item.result.path).name: item.result.outcome for item in run_files(planned, 1, inside=inside)}


def test_each_file_gets_one_honest_outcome(tmp_path: Path) -> None:
    write_tree(tmp_path, {"clean": CLEAN, "found": UNFIXABLE, "fixable": FIXABLE, "bad": BAD})
    names = ["clean", "found", "fixable", "bad", "missing"]
    assert outcomes(tmp_path, "diff", names) == {
        "clean": Outcome.CLEAN, "found": Outcome.FINDINGS, "fixable": Outcome.WOULD_CHANGE,
        "bad": Outcome.PARSE_ERROR, "missing": Outcome.UNREADABLE,
    }
    assert (tmp_path / "fixable").read_text() == FIXABLE  # --diff writes nothing
    assert outcomes(tmp_path, "write", ["fixable"]) == {"fixable": Outcome.WRITTEN}
    assert (tmp_path / "fixable").read_text() == FIXABLE_FIXED


def test_a_symlink_out_of_the_tree_is_not_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"Dockerfile": FIXABLE})
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "escape").symlink_to(outside / "Dockerfile")
    assert outcomes(tree, "write", ["escape"], inside=tree) == {"escape": Outcome.OUTSIDE_ROOT}
    assert (outside / "Dockerfile").read_text() == FIXABLE
    # Without a boundary (the command line), the link is written through, as an editor would.
    assert outcomes(tree, "write", ["escape"]) == {"escape": Outcome.WRITTEN}
    assert (outside / "Dockerfile").read_text() == FIXABLE_FIXED


def test_a_failed_write_is_its_own_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"fixable": FIXABLE})

    def refuse(source: str, destination: str) -> None:
        os.unlink(source)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writer.os, "replace", refuse)
    assert outcomes(tmp_path, "write", ["fixable"]) == {"fixable": Outcome.WRITE_FAILED}
    assert (tmp_path / "fixable").read_text() == FIXABLE
