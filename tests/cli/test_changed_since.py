"""``--changed-since REF``: only the Dockerfiles git reports changed, in real repositories made per test."""

from __future__ import annotations

import os
from pathlib import Path

import git
import pytest

from dfix.discover import ChangedSinceError, _git_root, changed_files

from .helpers import CLEAN, FIXABLE, FIXABLE_FIXED, run, run_module, write_tree

EDITED = CLEAN.replace("curl", "curl wget")


def make_repo(root: Path, files: dict[str, str]) -> git.Repo:
    """A repository at ``root`` whose first commit (tagged ``base``) holds ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "dfix tests")
        config.set_value("user", "email", "tests@dfix.invalid")
        config.set_value("commit", "gpgsign", "false")
    write_tree(root, files)
    commit_all(repo, "base")
    repo.create_tag("base")
    return repo


def commit_all(repo: git.Repo, message: str) -> None:
    repo.git.add(A=True)
    repo.git.commit("-q", "--no-verify", "-m", message)


def shown(*args: str, cwd: Path) -> list[str]:
    """The files ``--show-files`` would process, as POSIX paths."""
    result = run("--show-files", *args, cwd=cwd)
    assert result.exit_code == 0, result.output
    return [Path(line).as_posix() for line in result.stdout.splitlines()]


@pytest.fixture
def repo(tmp_path: Path) -> git.Repo:
    return make_repo(tmp_path / "repo", {
        "committed/Dockerfile": CLEAN,
        "staged/Dockerfile": CLEAN,
        "unstaged/Dockerfile": CLEAN,
        "untouched/Dockerfile": CLEAN,
        "deleted/Dockerfile": CLEAN,
        "removed/Dockerfile": CLEAN,
        ".gitignore": "ignored/\n",
        "README.md": "readme\n",
    })


def root_of(repo: git.Repo) -> Path:
    return Path(repo.working_tree_dir)


def test_committed_staged_unstaged_and_untracked_changes_count(repo: git.Repo) -> None:
    root = root_of(repo)
    (root / "committed" / "Dockerfile").write_text(EDITED)
    commit_all(repo, "edit")
    (root / "staged" / "Dockerfile").write_text(EDITED)
    repo.git.add("staged/Dockerfile")
    write_tree(root, {"new-staged/Dockerfile": CLEAN})
    repo.git.add("new-staged/Dockerfile")
    (root / "unstaged" / "Dockerfile").write_text(EDITED)
    write_tree(root, {"untracked/Dockerfile": CLEAN, "ignored/Dockerfile": CLEAN, "README.md": "changed\n"})
    expected = [
        "committed/Dockerfile", "new-staged/Dockerfile", "staged/Dockerfile", "unstaged/Dockerfile",
        "untracked/Dockerfile",
    ]
    assert shown("--changed-since", "base", cwd=root) == expected
    # git's own ignore rules apply even where discovery's are turned off
    assert shown("--changed-since", "base", "--no-respect-gitignore", cwd=root) == expected
    assert "ignored/Dockerfile" in shown("--no-respect-gitignore", cwd=root)


def test_deleted_files_are_skipped_not_missing(repo: git.Repo) -> None:
    root = root_of(repo)
    repo.git.rm("-q", "deleted/Dockerfile")
    commit_all(repo, "delete")
    (root / "removed" / "Dockerfile").unlink()  # deleted in the work tree only
    (root / "unstaged" / "Dockerfile").write_text(EDITED)
    result = run("--show-files", "--changed-since", "base", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"unstaged{os.sep}Dockerfile\n", "")


def test_named_paths_still_limit_the_set(repo: git.Repo) -> None:
    root = root_of(repo)
    for name in ("committed", "unstaged"):
        (root / name / "Dockerfile").write_text(EDITED)
    assert shown("--changed-since", "base", "unstaged", cwd=root) == ["unstaged/Dockerfile"]
    assert shown("--changed-since", "base", "committed/Dockerfile", "untouched", cwd=root) == ["committed/Dockerfile"]
    assert shown("--changed-since", "base", "untouched/Dockerfile", cwd=root) == []


def test_a_changed_file_named_explicitly_is_checked_whatever_its_name(repo: git.Repo) -> None:
    root = root_of(repo)
    write_tree(root, {"docker/build.df": CLEAN, "docker/old.df": CLEAN})
    commit_all(repo, "add build.df")
    repo.git.tag("with-df")
    (root / "docker" / "build.df").write_text(EDITED)
    assert shown("--changed-since", "with-df", cwd=root) == []  # not a Dockerfile name: discovery skips it
    named = shown("--changed-since", "with-df", "docker/build.df", "docker/old.df", cwd=root)
    assert named == ["docker/build.df"]


def test_commits_on_the_other_side_of_the_fork_do_not_count(repo: git.Repo) -> None:
    root = root_of(repo)
    main_branch = repo.active_branch.name
    repo.git.checkout("-q", "-b", "feature")
    (root / "committed" / "Dockerfile").write_text(EDITED)
    commit_all(repo, "feature work")
    repo.git.checkout("-q", main_branch)
    (root / "untouched" / "Dockerfile").write_text(EDITED)
    commit_all(repo, "main moves on")
    repo.git.checkout("-q", "feature")
    assert shown("--changed-since", main_branch, cwd=root) == ["committed/Dockerfile"]
    # a plain `git diff main` would also list the file main changed since the fork
    assert "untouched/Dockerfile" in repo.git.diff("--name-only", main_branch).splitlines()


@pytest.mark.parametrize("ref", ["HEAD~1", "base", "refs/tags/base", "HEAD^"])
def test_any_git_revision_syntax(repo: git.Repo, ref: str) -> None:
    root = root_of(repo)
    (root / "committed" / "Dockerfile").write_text(EDITED)
    commit_all(repo, "edit")
    assert shown("--changed-since", ref, cwd=root) == ["committed/Dockerfile"]
    sha = repo.commit("base").hexsha
    assert shown("--changed-since", sha[:10], cwd=root) == ["committed/Dockerfile"]


def test_run_from_a_subfolder_with_odd_file_names(repo: git.Repo) -> None:
    root = root_of(repo)
    write_tree(root, {"svc/my app/Dockerfile": CLEAN, "svc/ünï/Dockerfile": CLEAN, "svc/same/Dockerfile": CLEAN})
    commit_all(repo, "services")
    repo.git.tag("services")
    (root / "svc" / "my app" / "Dockerfile").write_text(EDITED)
    (root / "svc" / "ünï" / "Dockerfile").write_text(EDITED)
    (root / "committed" / "Dockerfile").write_text(EDITED)  # outside the folder searched
    assert shown("--changed-since", "services", cwd=root / "svc") == ["my app/Dockerfile", "ünï/Dockerfile"]
    assert shown("--changed-since", "services", "..", cwd=root / "svc") == [
        "../committed/Dockerfile", "../svc/my app/Dockerfile", "../svc/ünï/Dockerfile",
    ]


def test_only_changed_files_are_checked_and_fixed(repo: git.Repo) -> None:
    root = root_of(repo)
    (root / "untouched" / "Dockerfile").write_text(FIXABLE)
    commit_all(repo, "fixable, committed")
    repo.git.tag("later")
    (root / "unstaged" / "Dockerfile").write_text(FIXABLE)
    checked = run("--output-format", "concise", "--changed-since", "later", cwd=root)
    assert checked.exit_code == 1
    assert [line.split(":")[0] for line in checked.stdout.splitlines()] == [f"unstaged{os.sep}Dockerfile"]
    assert run("--write", "--changed-since", "later", cwd=root).exit_code == 0
    assert (root / "unstaged" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert (root / "untouched" / "Dockerfile").read_text() == FIXABLE


def test_nothing_changed_is_a_warning_and_exit_0(repo: git.Repo) -> None:
    result = run("--changed-since", "HEAD", cwd=root_of(repo))
    assert result.exit_code == 0
    assert "warning: no Dockerfiles changed since HEAD" in result.stderr
    assert run("--changed-since", "HEAD", "-q", cwd=root_of(repo)).stderr == ""


def test_missing_named_paths_are_still_exit_2(repo: git.Repo) -> None:
    result = run("--show-files", "--changed-since", "base", "nope/Dockerfile", cwd=root_of(repo))
    assert result.exit_code == 2
    assert "nope/Dockerfile: error: no such file or directory" in result.stderr


def test_with_files_from(repo: git.Repo) -> None:
    root = root_of(repo)
    (root / "unstaged" / "Dockerfile").write_text(EDITED)
    (root / "committed" / "Dockerfile").write_text(EDITED)
    (root / "list.txt").write_text("unstaged/Dockerfile\nuntouched/Dockerfile\n")
    assert shown("--changed-since", "base", "--files-from", "list.txt", cwd=root) == ["unstaged/Dockerfile"]


def test_several_repositories_are_each_asked(tmp_path: Path) -> None:
    one = make_repo(tmp_path / "one", {"Dockerfile": CLEAN})
    two = make_repo(tmp_path / "two", {"Dockerfile": CLEAN, "old/Dockerfile": CLEAN})
    (root_of(one) / "Dockerfile").write_text(EDITED)
    (root_of(two) / "old" / "Dockerfile").write_text(EDITED)
    assert shown("--changed-since", "base", "one", "two", cwd=tmp_path) == ["one/Dockerfile", "two/old/Dockerfile"]


# -- errors: one line, exit 2 ----------------------------------------------------------


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2
    assert result.stderr.startswith("dfix: error: --changed-since: ")
    assert result.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_repository(tmp_path: Path) -> None:
    if _git_root(str(tmp_path)) is not None:
        pytest.skip("the temporary folder is itself inside a git repository")
    write_tree(tmp_path, {"Dockerfile": CLEAN})
    assert_one_line_error(run("--changed-since", "HEAD", cwd=tmp_path), ". is not in a git repository")
    assert_one_line_error(run("--changed-since", "HEAD", "Dockerfile", cwd=tmp_path), "Dockerfile is not in a git")


def test_a_named_path_outside_the_repository(repo: git.Repo, tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "elsewhere", {"Dockerfile": CLEAN})
    if _git_root(str(outside)) is not None:
        pytest.skip("the temporary folder is itself inside a git repository")
    result = run("--changed-since", "base", ".", str(outside), cwd=root_of(repo))
    assert_one_line_error(result, "is not in a git repository")


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~99", "base:README.md", "HEAD^{tree}"])
def test_unknown_revision(repo: git.Repo, ref: str) -> None:
    assert_one_line_error(run("--changed-since", ref, cwd=root_of(repo)), f"unknown git revision {ref!r}")


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-p", " "])
def test_a_revision_that_would_be_an_option_never_reaches_git(repo: git.Repo, ref: str) -> None:
    assert_one_line_error(run(f"--changed-since={ref}", cwd=root_of(repo)), "is not a git revision")


def test_a_repository_without_commits(tmp_path: Path) -> None:
    git.Repo.init(tmp_path)
    write_tree(tmp_path, {"Dockerfile": CLEAN})
    assert_one_line_error(run("--changed-since", "HEAD", cwd=tmp_path), "unknown git revision 'HEAD'")


def test_a_broken_repository(tmp_path: Path) -> None:
    write_tree(tmp_path, {".git": "gitdir: /nonexistent/dfix-tests\n", "Dockerfile": CLEAN})
    assert_one_line_error(run("--changed-since", "HEAD", cwd=tmp_path), "holds a .git that git cannot open")


def test_git_failing_is_one_line(repo: git.Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dfix.discover._fork_point", lambda repo, commit: "0" * 40)
    result = run("--changed-since", "base", cwd=root_of(repo))
    assert_one_line_error(result, "git failed in ", "fatal: bad object 0000000000")


def test_stdin_is_a_usage_error(repo: git.Repo) -> None:
    for args in (["-"], ["--stdin-filename", "Dockerfile"]):
        result = run("--changed-since", "base", *args, input=CLEAN, cwd=root_of(repo))
        assert result.exit_code == 2
        assert "--changed-since cannot be combined with stdin" in result.stderr


# -- the function itself ----------------------------------------------------------------


def test_changed_files_gives_real_paths(repo: git.Repo) -> None:
    root = root_of(repo)
    (root / "unstaged" / "Dockerfile").write_text(EDITED)
    found = changed_files("base", [str(root)])
    assert found == {os.path.realpath(root / "unstaged" / "Dockerfile")}
    assert changed_files("base", [str(root / "nope"), "-"]) == frozenset()  # missing paths and stdin: not asked
    with pytest.raises(ChangedSinceError, match="unknown git revision"):
        changed_files("nope", [str(root)])


# -- as a real process -------------------------------------------------------------------


def test_as_a_process(repo: git.Repo, tmp_path: Path) -> None:
    root = root_of(repo)
    (root / "unstaged" / "Dockerfile").write_text(FIXABLE)
    (root / "untouched" / "Dockerfile").write_text(FIXABLE)
    commit_all(repo, "both fixable")
    (root / "unstaged" / "Dockerfile").write_text(FIXABLE + "# edited\n")
    done = run_module("--diff", "--changed-since", "HEAD", cwd=root)
    assert done.returncode == 1
    assert done.stdout.startswith(b"--- a/unstaged/Dockerfile\n+++ b/unstaged/Dockerfile\n")
    assert b"untouched" not in done.stdout + done.stderr
    failed = run_module("--changed-since", "no-such-ref", cwd=root)
    assert failed.returncode == 2
    assert failed.stderr.startswith(b"dfix: error: --changed-since: unknown git revision 'no-such-ref'")
    assert b"Traceback" not in failed.stderr
    if _git_root(str(tmp_path / "outside")) is None:
        write_tree(tmp_path / "outside", {"Dockerfile": CLEAN})
        outside = run_module("--changed-since", "HEAD", cwd=tmp_path / "outside")
        assert outside.returncode == 2
        assert outside.stderr == b"dfix: error: --changed-since: . is not in a git repository\n"
