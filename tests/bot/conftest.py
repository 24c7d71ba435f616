"""Real git for the bot's tests: bare repositories on disk as remotes, clones, pushes over file:// URLs.

``remote_repo`` makes ``<tmp>/remotes/acme/app.git`` (so the project on
the fake forge is ``acme/app``) with a first commit; tests read the
remote's refs and commits afterwards to check what the bot pushed.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import git
import pytest

from .fake_forge import FakeForge

#: A Dockerfile with two fixes dfix applies by default (DF100 merges the RUNs, DF200 removes apt lists).
NEEDS_FIXES = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nCMD [\"bash\"]\n"
CLEAN = "FROM debian:12\nCMD [\"bash\"]\n"
HUMAN = git.Actor("Ada Human", "ada@example.com")
TOKEN = "ghp_S3cretTokenValue0123456789abcdef"


@pytest.fixture(autouse=True)
def quiet_git_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No global git config or token of the machine leaks into a test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "DFIX_GITHUB_TOKEN", "GITLAB_TOKEN", "DFIX_GITLAB_TOKEN", "DFIX_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Remote:
    """A bare repository standing in for the hosted one, and a seeding clone to push "human" commits from."""

    bare: Path
    seed: git.Repo

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    @property
    def project(self) -> str:
        return "/".join(self.bare.with_suffix("").parts[-2:])

    def repo(self) -> git.Repo:
        return git.Repo(self.bare)

    def commit(self, files: dict[str, str | None], message: str = "update", *, branch: str = "main") -> str:
        """Commit ``files`` (None deletes) as a human on ``branch`` and push it; the new commit."""
        seed = self.seed
        seed.git.fetch("origin")
        if branch in [h.name for h in seed.heads]:
            seed.git.checkout(branch)
            seed.git.reset("--hard", f"origin/{branch}")
        else:
            seed.git.checkout("-B", branch, f"origin/{branch}")
        for name, text in files.items():
            path = Path(seed.working_tree_dir) / name
            if text is None:
                seed.index.remove([name], working_tree=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            seed.index.add([name])
        sha = seed.index.commit(message, author=HUMAN, committer=HUMAN).hexsha
        seed.git.push("origin", f"HEAD:refs/heads/{branch}")
        return sha

    def sha(self, branch: str) -> str | None:
        try:
            return self.repo().commit(f"refs/heads/{branch}").hexsha
        except (git.BadName, ValueError):
            return None

    def branches(self) -> set[str]:
        return {head.name for head in self.repo().heads}

    def file_at(self, branch: str, path: str) -> str:
        return self.repo().git.show(f"refs/heads/{branch}:{path}")


def make_remote(root: Path, project: str = "acme/app", files: dict[str, str] | None = None,
                message: str = "Add the service") -> Remote:
    bare = root / "remotes" / f"{project}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = git.Repo.clone_from(bare.as_uri(), root / "seeds" / project)
    remote = Remote(bare, seed)
    for name, text in (files if files is not None else {"Dockerfile": NEEDS_FIXES}).items():
        path = Path(seed.working_tree_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        seed.index.add([name])
    seed.index.commit(message, author=HUMAN, committer=HUMAN)
    seed.git.push("origin", "HEAD:refs/heads/main")
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=bare, check=True)
    return remote


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    return make_remote(tmp_path)


@pytest.fixture
def github() -> FakeForge:
    with FakeForge("github") as fake:
        yield fake


@pytest.fixture
def gitlab() -> FakeForge:
    with FakeForge("gitlab") as fake:
        yield fake


def bot_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()}
    env.update(extra)
    return env
