"""File discovery (ux.md §7): names, skipped folders, ignore files, explicit paths, symlinks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dfix.discover import collect_inputs, find_dockerfiles, is_dockerfile_name

from .helpers import CLEAN, FIXABLE, run, write_tree


def relative(paths, root: Path) -> list[str]:
    return [Path(os.path.relpath(path, root)).as_posix() for path in paths]


@pytest.mark.parametrize(
    "name",
    ["Dockerfile", "dockerfile", "DOCKERFILE", "Dockerfile.dev", "api.Dockerfile", "x.dockerfile", "Containerfile",
     "Containerfile.arm64", "img.containerfile", "CONTAINERFILE.prod"],
)
def test_dockerfile_names(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name",
    ["Dockerfile.in", "Dockerfile.j2", "Dockerfile.jinja2", "Dockerfile.tmpl", "Dockerfile.md", "Dockerfile~",
     "Dockerfile.bak", "Dockerfile.orig", "Dockerfile.swp", ".dockerignore", "Dockerfile.dockerignore",
     "app.containerignore", "Dockerfile.yaml", "Dockerfile.sh", "Makefile", "dockerfiles", "README.md",
     "docker-compose.yml"],
)
def test_not_dockerfile_names(name: str) -> None:
    assert not is_dockerfile_name(name)


def test_walk_is_recursive_sorted_enters_hidden_folders_and_skips_vendored_ones(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "Dockerfile": CLEAN,
        "services/api/Dockerfile.prod": CLEAN,
        "services/api/worker.dockerfile": CLEAN,
        "services/web/Web.Dockerfile": CLEAN,
        "services/web/containerfile": CLEAN,
        ".devcontainer/Dockerfile": CLEAN,
        "services/api/Dockerfile.j2": CLEAN,
        "node_modules/pkg/Dockerfile": CLEAN,
        ".git/Dockerfile": CLEAN,
        ".venv/Dockerfile": CLEAN,
        "venv/Dockerfile": CLEAN,
        ".tox/Dockerfile": CLEAN,
        ".hg/Dockerfile": CLEAN,
        ".dfix_cache/Dockerfile": CLEAN,
        "docs/notes.txt": CLEAN,
    })
    (tmp_path / "folder.Dockerfile").mkdir()  # a directory with a Dockerfile name is not a file
    assert relative(find_dockerfiles(str(tmp_path)), tmp_path) == [
        ".devcontainer/Dockerfile",
        "Dockerfile",
        "services/api/Dockerfile.prod",
        "services/api/worker.dockerfile",
        "services/web/Web.Dockerfile",
        "services/web/containerfile",
    ]


def test_gitignore_and_ignore_files_are_honoured_at_every_depth(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".gitignore": "build/\n*.generated.Dockerfile\n!keep.generated.Dockerfile\n",
        "a/.ignore": "Dockerfile.local\n",
        "a/b/.gitignore": "Dockerfile\n",
        "Dockerfile": CLEAN,
        "build/Dockerfile": CLEAN,
        "x.generated.Dockerfile": CLEAN,
        "keep.generated.Dockerfile": CLEAN,
        "a/Dockerfile": CLEAN,
        "a/Dockerfile.local": CLEAN,
        "a/b/Dockerfile": CLEAN,
        "a/b/Dockerfile.prod": CLEAN,
    })
    found = relative(find_dockerfiles(str(tmp_path)), tmp_path)
    assert found == ["Dockerfile", "a/Dockerfile", "a/b/Dockerfile.prod", "keep.generated.Dockerfile"]
    everything = relative(find_dockerfiles(str(tmp_path), respect_gitignore=False), tmp_path)
    assert len(everything) == 8


def test_ignore_files_of_the_folders_above_apply_to_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {".gitignore": "*.old.Dockerfile\n", "sub/Dockerfile": CLEAN, "sub/x.old.Dockerfile": CLEAN})
    monkeypatch.chdir(tmp_path)
    assert collect_inputs(["sub"]).files == (os.path.join("sub", "Dockerfile"),)


def test_an_ignored_folder_named_explicitly_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {".gitignore": "build/\n", "build/Dockerfile": CLEAN})
    monkeypatch.chdir(tmp_path)
    assert collect_inputs(["."]).files == ()
    assert collect_inputs(["build"]).files == (os.path.join("build", "Dockerfile"),)


def test_git_info_exclude_applies_inside_a_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("secret/\n")
    write_tree(tmp_path, {"Dockerfile": CLEAN, "secret/Dockerfile": CLEAN})
    assert relative(find_dockerfiles(str(tmp_path)), tmp_path) == ["Dockerfile"]


def test_explicit_files_are_processed_whatever_their_name_or_ignore_status(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "*.df\n", "build.df": CLEAN})
    inputs = collect_inputs([str(tmp_path / "build.df")])
    assert inputs.files == (str(tmp_path / "build.df"),)
    result = run(str(tmp_path / "build.df"))  # and the command reads it as a Dockerfile
    assert result.exit_code == 0
    assert "1 file scanned" in result.stderr and "failed to parse" not in result.stderr


def test_excludes_prune_folders_and_files_and_force_exclude_covers_explicit_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": CLEAN, "third_party/Dockerfile": CLEAN, "x.Dockerfile": CLEAN})

    def excluded(path: str) -> bool:
        return "third_party" in path or path.endswith("x.Dockerfile")

    assert relative(collect_inputs([str(tmp_path)], is_excluded=excluded).files, tmp_path) == ["Dockerfile"]
    explicit = str(tmp_path / "x.Dockerfile")
    assert collect_inputs([explicit], is_excluded=excluded).files == (explicit,)
    assert collect_inputs([explicit], is_excluded=excluded, force_exclude=True).files == ()


def test_symlinked_folders_are_not_followed_and_duplicates_are_dropped(tmp_path: Path) -> None:
    write_tree(tmp_path, {"real/Dockerfile": CLEAN})
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "loop").symlink_to(tmp_path, target_is_directory=True)
    inputs = collect_inputs([str(tmp_path), str(tmp_path / "real" / "Dockerfile")])
    assert relative(inputs.files, tmp_path) == ["real/Dockerfile"]


def test_missing_paths_are_collected_not_raised(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": CLEAN})
    inputs = collect_inputs([str(tmp_path / "nope"), str(tmp_path), "-"])
    assert inputs.missing == (str(tmp_path / "nope"),)
    assert inputs.files == (os.path.normpath(str(tmp_path / "Dockerfile")), "-")


def test_command_reports_discovered_paths_relative_to_the_current_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "ignored/\n", "svc/Dockerfile": FIXABLE, "ignored/Dockerfile": FIXABLE})
    result = run("--output-format", "concise", "-j", "1", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{os.path.join('svc', 'Dockerfile')}:2:5: DF201 [*]")
    assert "ignored" not in result.stdout


def test_no_respect_gitignore_flag(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "ignored/\n", "ignored/Dockerfile": FIXABLE})
    assert run(".", cwd=tmp_path).exit_code == 0
    assert run(".", "--no-respect-gitignore", cwd=tmp_path).exit_code == 1


def test_show_files_lists_what_would_be_processed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"b/Dockerfile": CLEAN, "a/Dockerfile": FIXABLE, "a/Dockerfile.j2": FIXABLE})
    result = run("--show-files", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [os.path.join("a", "Dockerfile"), os.path.join("b", "Dockerfile")]
