"""``dfix bot run --verify`` with buildah: a repository on a local git remote, the fake forge, real builds.

The repository holds the ``zip-recommends-unzip`` case: the bot's fixes
include ``--no-install-recommends``, which breaks the build. The commit must
hold only the fixes that verify, and the pull request must show the verify
table and the failing step. It runs in the build tests' storage, after the
case tests, so most steps come from their layer cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dfix.verify.builders import Buildah
from tests.bot.conftest import TOKEN, make_remote
from tests.bot.fake_forge import FakeForge
from tests.bot.test_bot_run import bot, github_args

CASE = Path(__file__).resolve().parents[2] / "corpus" / "buildable" / "zip-recommends-unzip"


@pytest.mark.slow
def test_bot_commits_only_the_fixes_a_build_verifies(buildah: Buildah, tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    files = {path.name: path.read_text() for path in CASE.iterdir() if path.is_file()}
    remote = make_remote(tmp_path, files=files)
    with FakeForge("github") as github:
        result = bot(
            "run", remote.url, "--verify", "--builder", "buildah", "--builder-storage", str(buildah.storage),
            "--unsafe-fixes", "--offline", "--cache-dir", str(tmp_path / "dfix-cache"), *github_args(github),
        )
        assert result.exit_code == 0, result.stderr
        assert "created: opened #1" in result.stderr
        assert "; left out: DF202 in Dockerfile (disproved: the fixed file does not build (at RUN zip -q" in result.stderr
        (create,) = [r for r in github.requests if (r.method, r.path) == ("POST", "/repos/acme/app/pulls")]
    committed = remote.file_at("dfix/autofix", "Dockerfile")
    assert "--no-install-recommends" not in committed and "rm -rf /var/lib/apt/lists/*" in committed
    assert committed + "\n" != files["Dockerfile"]
    pr_body = create.json["body"]
    assert "**Verified:** each file was built with buildah before and after the fixes" in pr_body
    assert "| disproved |" in pr_body and "failing step: RUN zip -q" in pr_body
    assert "make: unzip: No such file or directory" in pr_body  # the Makefile's recipe, which no rule reads
    assert "without DF202 the other fixes verify" in pr_body
