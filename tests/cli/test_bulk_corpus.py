"""Bulk runs over real Dockerfiles: discovery, idempotence, untouched files, git apply, and a SIGKILL mid-run.

A deterministic sample of the dev corpus (every ``STEP``-th file by path,
about 700 files) is copied into a tree with decoys discovery must leave
alone: a README, a ``Dockerfile.j2`` template, a ``node_modules/Dockerfile``,
files ignored by ``.gitignore`` (a whole corpus folder, and one more file).
All decoys hold fixable text, so touching one would show.

Every run is ``--isolated``: the whole default rule set, whatever
configuration the environment holds.

The run killed with SIGKILL documents the data-safety promise: every file is
either its old or its new version (never partial), and at most one
temporary file (the one being written at the moment of the kill, dfix writes
from one process) is left behind. Skipped without the shared corpus.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from dfix.writer import TEMP_SUFFIX

from .helpers import FIXABLE, module_env, run_module

pytestmark = pytest.mark.corpus

#: Every STEP-th corpus file (10,005 files sorted by path): about 700 files, about a minute of
#: runs on two cores (the whole module, measured on a busy 2-core machine: 2.3 min with STEP = 10).
STEP = 14
#: Options of every run: default rules whatever the environment's config, no progress output.
RUN = ("--isolated", "--progress", "none")
#: A fixed mtime for every file before a run, so "untouched" is easy to see.
PAST_NS = 1_500_000_000_000_000_000


@dataclass(frozen=True)
class Sample:
    """The original tree, what discovery must find in it, and what it must leave alone."""

    root: Path
    discovered: tuple[str, ...]
    left_alone: tuple[str, ...]


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    for path in target.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(PAST_NS, PAST_NS))
    return target


def state(root: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file, by relative path."""
    return {
        path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in root.rglob("*") if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def temp_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.endswith(TEMP_SUFFIX)]


@pytest.fixture(scope="module")
def sample(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    dev = corpus / "dockerhub-dev"
    files = sorted(dev.rglob("Dockerfile"))[::STEP]
    root = tmp_path_factory.mktemp("bulk") / "original"
    for source in files:
        target = root / source.relative_to(dev)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    relative = [source.relative_to(dev).as_posix() for source in files]
    # .gitignore: one whole top-level folder of the corpus, and one single file
    folders = sorted({name.split("/")[0] for name in relative})
    ignored_folder = folders[len(folders) // 2]
    ignored_file = next(name for name in relative if not name.startswith(ignored_folder + "/"))
    decoys = {
        "README.md": "# Dockerfile\nRUN apt-get install curl\n",
        "templates/Dockerfile.j2": FIXABLE,
        "node_modules/pkg/Dockerfile": FIXABLE,
        "ignored-by-git/Dockerfile": FIXABLE,
    }
    for name, text in decoys.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".gitignore").write_text(f"/{ignored_folder}/\n/{ignored_file}\nignored-by-git/\n")
    ignored = [name for name in relative if name.startswith(ignored_folder + "/") or name == ignored_file]
    discovered = tuple(name for name in relative if name not in ignored)
    left_alone = (*ignored, *decoys, ".gitignore")
    return Sample(root, discovered, tuple(left_alone))


@dataclass(frozen=True)
class Fixed:
    """The sample after ``dfix --write``."""

    root: Path
    before: dict[str, tuple[str, int]]
    after: dict[str, tuple[str, int]]
    done: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def fixed(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Fixed:
    root = copy_tree(sample.root, tmp_path_factory.mktemp("fixed") / "tree")
    before = state(root)
    done = run_module("--write", *RUN, ".", cwd=root, timeout=900)
    return Fixed(root, before, state(root), done)


def test_write_fixes_the_discovered_files_and_touches_nothing_else(sample: Sample, fixed: Fixed, corpus_stats) -> None:
    assert fixed.done.returncode in (0, 1), fixed.done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in fixed.done.stderr
    assert f"{len(sample.discovered)} files scanned".encode() in fixed.done.stderr
    changed = [name for name in sample.discovered if fixed.after[name][0] != fixed.before[name][0]]
    unchanged = [name for name in sample.discovered if fixed.after[name][0] == fixed.before[name][0]]
    assert changed, "no file was fixed"
    for name in sample.left_alone:
        assert fixed.after[name] == fixed.before[name], f"{name} is outside the discovered set but changed"
    for name in unchanged:
        assert fixed.after[name][1] == PAST_NS, f"{name} did not change but was rewritten"
    assert set(fixed.after) == set(fixed.before)  # no temporary or stray files
    corpus_stats.setdefault("cli --write sample", {}).update(files=len(sample.discovered), changed=len(changed))


def test_after_write_diff_prints_nothing_and_report_agrees(fixed: Fixed) -> None:
    diff = run_module("--diff", *RUN, ".", cwd=fixed.root, timeout=900)
    assert diff.stdout == b"", diff.stdout[:2000].decode(errors="replace")
    report = run_module(*RUN, "-q", ".", cwd=fixed.root, timeout=900)
    assert report.returncode == diff.returncode
    assert state(fixed.root) == fixed.after  # neither run wrote anything


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_apply_of_the_diff_gives_what_write_wrote(sample: Sample, fixed: Fixed, tmp_path: Path) -> None:
    patched = copy_tree(sample.root, tmp_path / "patched")
    subprocess.run(["git", "init", "-q", "."], cwd=patched, check=True)
    diff = run_module("--diff", *RUN, ".", cwd=patched, timeout=900)
    assert diff.returncode == 1  # the sample has fixable warnings
    (tmp_path / "fixes.patch").write_bytes(diff.stdout)
    subprocess.run(["git", "apply", str(tmp_path / "fixes.patch")], cwd=patched, check=True, capture_output=True)
    after = state(patched)
    assert {name: digest for name, (digest, _) in after.items()} == {
        name: digest for name, (digest, _) in fixed.after.items()
    }


def test_a_run_killed_mid_way_leaves_every_file_old_or_new(sample: Sample, fixed: Fixed, tmp_path: Path) -> None:
    killed = copy_tree(sample.root, tmp_path / "killed")
    paths = [killed / name for name in sample.discovered]
    process = subprocess.Popen(
        [sys.executable, "-m", "dfix", "--write", *RUN, "-q", "."],
        cwd=killed, env=module_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches the workers too
    )
    try:
        # Kill as soon as writing has begun (about a second after start-up on a
        # quiet machine), so the kill lands among the writes.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if any(path.stat().st_mtime_ns != PAST_NS for path in paths):
                break
            time.sleep(0.02)
        time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    original = state(sample.root)
    after = state(killed)
    written = 0
    for name in sample.discovered:
        digest = after[name][0]
        assert digest in (original[name][0], fixed.after[name][0]), f"{name} is neither its old nor its new version"
        written += digest != original[name][0]
    for name in sample.left_alone:
        assert after[name][0] == original[name][0]
    leftovers = temp_files(killed)
    assert len(leftovers) <= 1, leftovers  # at most the file being written when the kill came
    assert written > 0
