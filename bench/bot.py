"""Wall time of ``dfix bot run`` per repository, next to the git and dfix work it is made of.

Builds ``--repos`` bare repositories on disk, each holding ``--files``
Dockerfiles from the dev corpus (a deterministic spread), and times, in the
same run and on the same repositories:

* **baseline**: what a person would script by hand, as subprocesses: a
  shallow ``git clone``, ``dfix --write --unsafe-fixes`` in the clone, then
  ``git commit`` and ``git push`` of a branch;
* **dfix bot**: ``dfix bot run --no-pr --unsafe-fixes`` over the same
  repositories (one process for all of them, from a ``--repos`` file), which
  also fetches, checks the remote branch, adds and removes a worktree;
* **dfix bot, rerun**: the same command again, when every branch is already
  up to date (the cost of a cron run with nothing new).

Prints seconds per repository and the ratio of each to the baseline. No
network and no forge: ``--no-pr`` stops after the push (the forge's API
calls are a handful of small requests per repository).

Usage: ``python bench/bot.py [--repos N] [--files M]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cli import corpus_files  # noqa: E402 - the corpus helper of the CLI bench

GIT_ENV = {
    **os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=GIT_ENV)


def make_repositories(root: Path, count: int, files: list[Path]) -> list[str]:
    """``count`` bare repositories, each with its share of ``files`` as ``svcN/Dockerfile``; their URLs."""
    urls = []
    per_repo = max(1, len(files) // count)
    for index in range(count):
        bare = root / "remotes" / "bench" / f"repo{index}.git"
        seed = root / "seeds" / f"repo{index}"
        git("init", "-q", "--bare", "-b", "main", str(bare))
        git("init", "-q", "-b", "main", str(seed))
        for number, source in enumerate(files[index * per_repo:(index + 1) * per_repo]):
            target = seed / f"svc{number}" / "Dockerfile"
            target.parent.mkdir(parents=True)
            shutil.copyfile(source, target)
        git("add", "-A", cwd=seed)
        git("commit", "-q", "-m", "seed", cwd=seed)
        git("push", "-q", bare.as_uri(), "main", cwd=seed)
        urls.append(bare.as_uri())
    return urls


def by_hand(urls: list[str], work: Path) -> float:
    """Clone, fix, commit and push each repository with plain commands; seconds."""
    started = time.perf_counter()
    for index, url in enumerate(urls):
        clone = work / f"clone{index}"
        git("clone", "-q", "--depth", "20", url, str(clone))
        subprocess.run([sys.executable, "-m", "dfix", "--write", "--unsafe-fixes", "-q", "-j", "1", "--exit-zero", "."],
                       cwd=clone, capture_output=True, env=GIT_ENV)
        git("checkout", "-q", "-b", "by-hand", cwd=clone)
        git("commit", "-q", "-a", "-m", "fixes", "--allow-empty", cwd=clone)
        git("push", "-q", "-f", "origin", "by-hand", cwd=clone)
    return time.perf_counter() - started


def with_bot(repos_file: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dfix", "bot", "run", "--repos", str(repos_file), "--no-pr", "--unsafe-fixes",
                    "--color", "never"], capture_output=True, env=GIT_ENV, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=10)
    parser.add_argument("--files", type=int, default=10, help="Dockerfiles per repository")
    args = parser.parse_args()
    files, _ = corpus_files(args.repos * args.files)
    with tempfile.TemporaryDirectory(prefix="dfix-bench-bot-") as folder:
        root = Path(folder)
        urls = make_repositories(root, args.repos, files)
        repos_file = root / "repos.txt"
        repos_file.write_text("".join(f"{url}\n" for url in urls))
        (root / "work").mkdir()
        baseline = by_hand(urls, root / "work")
        first = with_bot(repos_file)
        rerun = with_bot(repos_file)
    n = args.repos
    print(f"{n} repositories x {args.files} Dockerfiles (dev corpus spread)")
    print(f"{'':28} {'s/repo':>8} {'ratio':>7}")
    for name, seconds in (("baseline (clone+dfix+push)", baseline), ("dfix bot run --no-pr", first),
                          ("dfix bot run, up to date", rerun)):
        print(f"{name:28} {seconds / n:8.3f} {seconds / baseline:7.2f}x")


if __name__ == "__main__":
    main()
