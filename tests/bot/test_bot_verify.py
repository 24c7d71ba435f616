"""``dfix bot --verify``: only fixes that verify are committed; the rest are in the pull request with the evidence.

Real git and the fake forge, as in test_bot_run.py; the builder is the made-up
one of the verification tests (tests/verify/doubles.py), so these tests are
about the bot's decisions. tests/buildable/test_verify_bot.py runs the same
path with buildah.
"""

from __future__ import annotations

import json
from pathlib import Path

from dfix.bot.run import BotOptions, run_repository
from dfix.verify import builders
from tests.verify.doubles import MadeUpBuilder

from .conftest import TOKEN, Remote, make_remote
from .fake_forge import FakeForge
from .test_bot_run import bot, github_args

#: DF202's --no-install-recommends breaks the build (the made-up builder's unzip needs the recommends).
NEEDS_RECOMMENDS = "FROM debian:12\nRUN apt-get update && apt-get install -y zip\nRUN unzip -v\n"
#: Every fix verifies: merged RUNs, lists removed, no recommends.
PLAIN = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"


def verify_options(fake: FakeForge, builder: MadeUpBuilder, **more) -> BotOptions:
    return BotOptions(platform="github", api_url=fake.url, verify_with=builder, overrides={"unsafe-fixes": True}, **more)


def created_body(fake: FakeForge) -> str:
    (create,) = [r for r in fake.requests if (r.method, r.path) == ("POST", "/repos/acme/app/pulls")]
    return create.json["body"]


def test_only_verified_fixes_are_committed_and_the_rest_are_shown_with_the_evidence(tmp_path: Path, github: FakeForge):
    remote = make_remote(tmp_path, files={"Dockerfile": NEEDS_RECOMMENDS, "api/Dockerfile": PLAIN})
    builder = MadeUpBuilder()
    outcome = run_repository(remote.url, verify_options(github, builder), environ={"GITHUB_TOKEN": TOKEN})
    assert outcome.status == "created", outcome.detail

    # The disproved fix is not in the commit; the file's other fix is; the proven file has all its fixes.
    committed = remote.file_at("dfix/autofix", "Dockerfile") + "\n"
    assert "--no-install-recommends" not in committed and "rm -rf /var/lib/apt/lists/*" in committed
    assert "--no-install-recommends" in remote.file_at("dfix/autofix", "api/Dockerfile")
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert sorted(head.stats.files) == ["Dockerfile", "api/Dockerfile"]
    assert "- DF202 apt-no-install-recommends: 1 fix" in str(head.message)  # api/Dockerfile's only

    # Both originals were built (first, then each fixed text), and every image built was removed afterwards.
    assert builder.history[0] == NEEDS_RECOMMENDS and PLAIN in builder.history
    assert len(builder.history) == 5 and builder.built == {}  # original, fixed, without DF202; original, fixed
    assert outcome.detail == ("opened #1; left out: DF202 in Dockerfile "
                              "(disproved: the fixed file does not build (at RUN unzip -v))")

    pr_body = created_body(github)
    assert "**Verified:** each file was built with made-up before and after the fixes" in pr_body
    assert "| `Dockerfile` | DF200, DF202 | disproved |" in pr_body
    assert "| `api/Dockerfile` | DF100, DF200, DF202 | proven |" in pr_body
    assert "<details><summary><code>Dockerfile</code>: disproved: the fixed file does not build (at RUN unzip -v)</summary>" in pr_body
    assert "failing step: RUN unzip -v" in pr_body and "without DF202 the other fixes verify (DF200)" in pr_body
    # The fixes table lists what is committed: DF202 only for api/Dockerfile.
    assert "| `Dockerfile` | [DF202]" not in pr_body and "| `api/Dockerfile` | [DF202]" in pr_body

    rows = {row["path"]: row for row in outcome.as_json()["verification"]}
    assert rows["Dockerfile"]["blamed_fix"] == "DF202" and rows["Dockerfile"]["verified_fixes"] == ["DF200"]
    assert rows["api/Dockerfile"]["status"] == "proven"


def test_the_fingerprint_is_the_verified_change_so_a_second_run_changes_nothing(remote: Remote, github: FakeForge):
    remote.commit({"Dockerfile": NEEDS_RECOMMENDS})
    assert run_repository(remote.url, verify_options(github, MadeUpBuilder()), environ={"GITHUB_TOKEN": TOKEN}).status == "created"
    pushed = remote.sha("dfix/autofix")
    github.requests.clear()
    again = run_repository(remote.url, verify_options(github, MadeUpBuilder()), environ={"GITHUB_TOKEN": TOKEN})
    assert again.status == "unchanged", again.detail
    assert remote.sha("dfix/autofix") == pushed and github.writes() == []


def test_nothing_verified_commits_nothing_and_leaves_the_forge_alone(remote: Remote, github: FakeForge):
    outcome = run_repository(remote.url, verify_options(github, MadeUpBuilder(fail_original=True)),
                             environ={"GITHUB_TOKEN": TOKEN})
    assert outcome.status == "skipped"
    assert outcome.detail == ("no fix verified, so nothing is committed; left out: the fixes of Dockerfile "
                              "(cannot verify: the original does not build (at RUN apt-get update))")
    assert remote.branches() == {"main"} and github.writes() == []
    assert outcome.files == 0 and outcome.fixes == 0
    (row,) = outcome.as_json()["verification"]
    assert row["status"] == "cannot verify" and row["builds"] == {"original": False, "fixed": None}


def test_a_plan_builds_but_pushes_nothing(remote: Remote, github: FakeForge):
    builder = MadeUpBuilder()
    outcome = run_repository(remote.url, verify_options(github, builder, dry_run="plan"), environ={"GITHUB_TOKEN": TOKEN})
    assert outcome.status == "created" and outcome.detail.startswith("would commit 1 file(s) on main")
    assert outcome.detail.endswith("; all fixes verified with made-up")
    assert remote.branches() == {"main"} and github.writes() == []


def test_without_verify_nothing_is_built_and_the_report_has_no_verification(remote: Remote, github: FakeForge, tmp_path: Path):
    report = tmp_path / "report.json"
    result = bot("run", remote.url, "--report", str(report), *github_args(github))
    assert result.exit_code == 0, result.stderr
    (repository,) = json.loads(report.read_text())["repositories"]
    assert "verification" not in repository
    assert "**Verified:**" not in created_body(github)


def test_verify_without_a_builder_is_one_line_and_touches_nothing(remote: Remote, github: FakeForge, monkeypatch):
    monkeypatch.setattr(builders, "_tool_path", lambda name: None)
    result = bot("run", remote.url, "--verify", *github_args(github))
    assert result.exit_code == 2
    assert result.stderr.startswith("dfix: cannot verify: no builder available: buildah is not installed")
    assert remote.branches() == {"main"} and github.requests == []


def test_a_builder_option_without_verify_is_a_usage_error(remote: Remote, github: FakeForge):
    result = bot("run", remote.url, "--builder", "buildah", *github_args(github))
    assert result.exit_code == 2 and "--builder and --builder-storage need --verify" in result.stderr
    assert github.requests == []
