"""``--files-from FILE`` and ``@FILE`` arguments: paths listed in a file, one a line (ux.md §4, as libcst)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dfix.discover import PathListError, expand_argument_files, read_path_list

from .helpers import CLEAN, FIXABLE, FIXABLE_FIXED, run, run_module, write_tree


def shown(result) -> list[str]:
    return [Path(line).as_posix() for line in result.stdout.splitlines()]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {
        "a/Dockerfile": CLEAN,
        "b/Dockerfile": FIXABLE,
        "c/Dockerfile": CLEAN,
        "docker/build.df": FIXABLE,
        "Dockerfile": FIXABLE,
    })


# -- reading a list -------------------------------------------------------------------------


def test_a_list_skips_blank_lines_and_comments_and_strips_each_line(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_bytes(
        b"\xef\xbb\xbf# changed in this PR\r\na/Dockerfile\r\n\r\n   \n  # indented comment\n  b/Dockerfile  \nc d/e\n"
    )
    assert read_path_list(str(listed)) == ["a/Dockerfile", "b/Dockerfile", "c d/e"]


def test_an_unreadable_list_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PathListError, match="nope.txt: cannot read the list of paths: No such file or directory"):
        read_path_list(str(tmp_path / "nope.txt"))
    with pytest.raises(PathListError, match="cannot read the list of paths"):
        read_path_list(str(tmp_path))


def test_at_arguments_expand_in_place(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("x\ny\n")
    (tmp_path / "two.txt").write_text("@one.txt\n")  # a listed path is a path: not expanded again
    one, two = str(tmp_path / "one.txt"), str(tmp_path / "two.txt")
    assert expand_argument_files(["a", f"@{one}", "b", f"@{two}", "@", "./@c"]) == ["a", "x", "y", "b", "@one.txt", "@", "./@c"]


# -- the command ---------------------------------------------------------------------------


def test_files_from_checks_exactly_the_listed_paths(project: Path) -> None:
    (project / "list.txt").write_text("# the files to check\nb/Dockerfile\n\ndocker/build.df\n")
    result = run("--show-files", "--files-from", "list.txt", cwd=project)
    assert (result.exit_code, shown(result)) == (0, ["b/Dockerfile", "docker/build.df"])  # any name, as if named
    checked = run("--output-format", "concise", "--files-from", "list.txt", cwd=project)
    assert checked.exit_code == 1
    assert [Path(line.split(":")[0]).as_posix() for line in checked.stdout.splitlines()] == [
        "b/Dockerfile", "docker/build.df",
    ]


def test_at_file_is_the_same_as_files_from_and_mixes_with_paths(project: Path) -> None:
    (project / "list.txt").write_text("b/Dockerfile\na\n")
    at = run("--show-files", "c/Dockerfile", "@list.txt", "Dockerfile", cwd=project)
    assert shown(at) == ["c/Dockerfile", "b/Dockerfile", "a/Dockerfile", "Dockerfile"]  # folders are searched
    option = run("--show-files", "c/Dockerfile", "Dockerfile", "--files-from", "list.txt", cwd=project)
    assert sorted(shown(option)) == sorted(shown(at))  # listed paths come after the named ones


def test_several_lists_and_duplicates(project: Path) -> None:
    write_tree(project, {"one.txt": "a/Dockerfile\nb/Dockerfile\n", "two.txt": "b/Dockerfile\n./a/Dockerfile\n"})
    result = run("--show-files", "--files-from", "one.txt", "--files-from", "two.txt", "@one.txt", cwd=project)
    assert shown(result) == ["a/Dockerfile", "b/Dockerfile"]


def test_write_through_a_list(project: Path) -> None:
    (project / "list.txt").write_text("b/Dockerfile\n")
    assert run("--write", "@list.txt", cwd=project).exit_code == 0
    assert (project / "b" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert (project / "Dockerfile").read_text() == FIXABLE  # not listed, not touched


def test_listed_paths_resolve_against_the_current_folder(project: Path) -> None:
    write_tree(project, {"lists/changed.txt": "b/Dockerfile\n"})
    assert shown(run("--show-files", "@lists/changed.txt", cwd=project)) == ["b/Dockerfile"]
    assert shown(run("--show-files", f"@{project / 'lists' / 'changed.txt'}", cwd=project)) == ["b/Dockerfile"]


def test_missing_listed_paths_are_reported_like_missing_named_paths(project: Path) -> None:
    (project / "list.txt").write_text("b/Dockerfile\ngone/Dockerfile\n@nested.txt\n")
    result = run("--output-format", "concise", "--files-from", "list.txt", cwd=project)
    assert result.exit_code == 2
    assert f"gone{os.sep}Dockerfile: error: no such file or directory" in result.stderr
    assert "@nested.txt: error: no such file or directory" in result.stderr
    assert "DF201" in result.stdout  # the files that exist are still checked
    at = run("--output-format", "concise", "@list.txt", cwd=project)
    assert (at.exit_code, at.stdout) == (result.exit_code, result.stdout)


@pytest.mark.parametrize("args", [["--files-from", "nope.txt"], ["@nope.txt"], ["Dockerfile", "@nope.txt"]])
def test_a_missing_list_is_one_line_and_exit_2(project: Path, args: list[str]) -> None:
    result = run(*args, cwd=project)
    assert result.exit_code == 2
    assert result.stderr == "dfix: error: nope.txt: cannot read the list of paths: No such file or directory\n"
    assert result.stdout == ""


def test_an_empty_list_means_no_files_not_the_current_folder(project: Path) -> None:
    (project / "empty.txt").write_text("# nothing changed\n")
    for args in (["--files-from", "empty.txt"], ["@empty.txt"]):
        result = run(*args, cwd=project)
        assert result.exit_code == 0
        assert "warning: no Dockerfiles found" in result.stderr
    assert run("--files-from", "empty.txt", "--stdin-filename", "x", cwd=project, input=FIXABLE).exit_code == 0


def test_a_file_whose_name_starts_with_at(project: Path) -> None:
    write_tree(project, {"@odd": FIXABLE})
    assert shown(run("--show-files", "./@odd", cwd=project)) == ["@odd"]
    result = run("--show-files", "@", cwd=project)  # a lone @ is a path, and missing
    assert result.exit_code == 2 and "@: error: no such file or directory" in result.stderr


def test_help_mentions_both_forms() -> None:
    help_text = " ".join(run("check", "--help").stdout.split())
    assert "--files-from FILE" in help_text and "@FILE" in help_text


def test_as_a_process(project: Path) -> None:
    (project / "list.txt").write_text("b/Dockerfile\nmissing/Dockerfile\n")
    done = run_module("--diff", "@list.txt", cwd=project)
    assert done.returncode == 2
    assert done.stdout.startswith(b"--- a/b/Dockerfile\n+++ b/b/Dockerfile\n")
    assert f"missing{os.sep}Dockerfile: error: no such file or directory".encode() in done.stderr
    no_list = run_module("--files-from", "nope.txt", cwd=project)
    assert no_list.returncode == 2
    assert no_list.stderr == b"dfix: error: nope.txt: cannot read the list of paths: No such file or directory\n"
