"""``dfix bot`` end to end: real git (bare remotes, clones, pushes over file://) and a fake forge on 127.0.0.1.

Every test checks the remote's refs and commits as git sees them, and the
exact requests the forge received.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from dfix.cli import main

from .conftest import CLEAN, NEEDS_FIXES, TOKEN, Remote, make_remote
from .fake_forge import FakeForge

MERGED = ("FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n"
          "    rm -rf /var/lib/apt/lists/*\nCMD [\"bash\"]\n")


def bot(*args: str, env: dict[str, str] | None = None):
    """``dfix bot ARGS`` in process; stdout and stderr apart."""
    return CliRunner().invoke(main, ["bot", *args], env={"GITHUB_TOKEN": TOKEN, **(env or {})}, catch_exceptions=False)


def github_args(fake: FakeForge, *more: str) -> list[str]:
    return ["--platform", "github", "--api-url", fake.url, "--color", "never", *more]


def gitlab_args(fake: FakeForge, *more: str) -> list[str]:
    return ["--platform", "gitlab", "--api-url", fake.url, "--color", "never", *more]


def requests(fake: FakeForge) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


LIST = ("GET", "/repos/acme/app/pulls")


# -- the first run -------------------------------------------------------------------------------------


def test_first_run_pushes_one_commit_and_opens_the_pull_request(remote: Remote, github: FakeForge) -> None:
    base = remote.sha("main")
    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr

    # The branch: one commit on top of main, by the bot, touching only the fixed file.
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert [p.hexsha for p in head.parents] == [base]
    assert (head.author.name, head.author.email) == ("dfix-bot", "dfix-bot@users.noreply.github.com")
    assert list(head.stats.files) == ["Dockerfile"]
    assert remote.file_at("dfix/autofix", "Dockerfile") + "\n" == MERGED
    lines = str(head.message).splitlines()
    assert lines[0] == "Apply dfix fixes to 1 Dockerfile"
    assert lines[2:4] == ["- DF100 consecutive-run: 1 fix", "- DF200 apt-lists-not-removed: 1 fix"]
    assert lines[5].startswith("Dfix-Fingerprint: sha256:")
    assert remote.sha("main") == base  # the base is never pushed to

    # The forge: look up, create, label; exactly these requests, with the token.
    assert requests(github) == [LIST, ("POST", "/repos/acme/app/pulls"), ("POST", "/repos/acme/app/issues/1/labels")]
    lookup, create, labels = github.requests
    assert lookup.query == {"head": ["acme:dfix/autofix"], "state": ["all"], "per_page": ["100"], "base": ["main"]} \
        or lookup.query == {"head": ["acme:dfix/autofix"], "state": ["all"], "per_page": ["100"]}
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in github.requests)
    assert set(create.json) == {"title", "head", "base", "body", "draft"}
    assert (create.json["title"], create.json["head"], create.json["base"], create.json["draft"]) == (
        "Apply dfix fixes to 1 Dockerfile", "dfix/autofix", "main", False)
    pr_body = create.json["body"]
    assert "| `Dockerfile` | [DF100](https://dfix.dev/rules/DF100) consecutive-run |" in pr_body
    assert "| `Dockerfile` | [DF200](https://dfix.dev/rules/DF200) apt-lists-not-removed |" in pr_body
    assert "`dfix rule DF100`" in pr_body
    assert f"fingerprint={lines[5].split(': ')[1]} base={base} -->" in pr_body
    assert labels.json == {"labels": ["dfix"]}
    assert "created" in result.stderr and "opened #1" in result.stderr


def test_running_twice_opens_one_pull_request_and_changes_nothing(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    pushed = remote.sha("dfix/autofix")
    github.requests.clear()

    again = bot("run", remote.url, *github_args(github))
    assert again.exit_code == 0, again.stderr
    assert remote.sha("dfix/autofix") == pushed
    assert requests(github) == [LIST]  # only the look-up
    assert len(github.pulls_for("acme/app")) == 1
    assert "unchanged" in again.stderr and "#1 is up to date" in again.stderr


def test_a_new_commit_on_base_rebases_the_branch_and_updates_the_pull_request(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    first = remote.sha("dfix/autofix")
    new_base = remote.commit({"README.md": "hello\n"}, "docs: add a readme")
    github.requests.clear()

    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert head.hexsha != first and [p.hexsha for p in head.parents] == [new_base]
    assert list(head.stats.files) == ["Dockerfile"]
    assert requests(github) == [LIST, ("PATCH", "/repos/acme/app/pulls/1")]
    patch = github.requests[1].json
    assert set(patch) == {"title", "body", "base"} and f"base={new_base} -->" in patch["body"]
    assert len(github.pulls_for("acme/app")) == 1
    assert github.pull("acme/app", 1)["body"] == patch["body"]
    assert "updated" in result.stderr


def test_new_fixes_update_the_branch_and_the_fingerprint(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    before = github.pull("acme/app", 1)["body"]
    remote.commit({"api/Dockerfile": NEEDS_FIXES}, "Add the API image")
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert sorted(head.stats.files) == ["Dockerfile", "api/Dockerfile"]
    after = github.pull("acme/app", 1)["body"]
    assert after != before and "`api/Dockerfile`" in after
    assert str(head.message).startswith("Apply dfix fixes to 2 Dockerfiles\n")


# -- nothing to fix --------------------------------------------------------------------------------------


def test_nothing_to_fix_makes_no_branch_no_commit_and_no_pull_request(tmp_path: Path, github: FakeForge) -> None:
    remote = make_remote(tmp_path, files={"Dockerfile": CLEAN})
    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert remote.branches() == {"main"}
    assert github.writes() == []
    assert "nothing to fix" in result.stderr


def test_an_open_pull_request_no_longer_needed_is_closed_and_its_branch_deleted(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    remote.commit({"Dockerfile": MERGED}, "Apply the fixes by hand")
    github.requests.clear()

    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert requests(github) == [LIST, ("POST", "/repos/acme/app/issues/1/comments"), ("PATCH", "/repos/acme/app/pulls/1")]
    assert github.requests[2].json == {"state": "closed"}
    assert "no longer needed" in github.comments("acme/app", 1)[0]
    assert remote.branches() == {"main"}
    assert "closed" in result.stderr


# -- respecting people ---------------------------------------------------------------------------------


def test_a_closed_pull_request_with_the_same_change_is_not_proposed_again(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    github.pull("acme/app", 1)["state"] = "closed"
    github.requests.clear()

    skipped = bot("run", remote.url, *github_args(github))
    assert skipped.exit_code == 0 and "skipped" in skipped.stderr and "closed unmerged" in skipped.stderr
    assert github.writes() == []

    recreated = bot("run", remote.url, *github_args(github, "--recreate-closed"))
    assert recreated.exit_code == 0, recreated.stderr
    assert [r.path for r in github.writes()][:1] == ["/repos/acme/app/pulls"]
    assert len(github.pulls_for("acme/app")) == 2


def test_a_branch_someone_else_pushed_to_is_not_force_pushed(remote: Remote, github: FakeForge) -> None:
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    human = remote.commit({"NOTES.md": "my change\n"}, "Tweak the fix", branch="dfix/autofix")
    remote.commit({"README.md": "hello\n"}, "docs: readme")
    github.requests.clear()

    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert remote.sha("dfix/autofix") == human
    assert requests(github) == [LIST, ("POST", "/repos/acme/app/issues/1/comments")]
    assert "not dfix's" in github.comments("acme/app", 1)[0]
    assert "skipped" in result.stderr


# -- modes -----------------------------------------------------------------------------------------------


def test_dry_run_touches_nothing_remote(remote: Remote, github: FakeForge) -> None:
    result = bot("run", remote.url, "--dry-run=diff", *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert remote.branches() == {"main"}
    assert github.writes() == []
    assert "would be created" in result.stderr and "would commit 1 file(s)" in result.stderr
    assert result.stdout.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")

    plan = bot("plan", remote.url, *github_args(github))
    assert plan.exit_code == 0 and plan.stdout == "" and github.writes() == []


def test_no_pr_only_pushes_the_branch(remote: Remote, github: FakeForge) -> None:
    result = bot("run", remote.url, "--no-pr", *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert remote.sha("dfix/autofix") is not None
    assert github.requests == []
    assert "pushed" in result.stderr
    again = bot("run", remote.url, "--no-pr", *github_args(github))
    assert "up to date" in again.stderr


def test_exit_non_zero_on_changes_gates_a_plan(remote: Remote, github: FakeForge, tmp_path: Path) -> None:
    assert bot("plan", remote.url, "--exit-non-zero-on-changes", *github_args(github)).exit_code == 1
    clean = make_remote(tmp_path / "clean", files={"Dockerfile": CLEAN})
    assert bot("plan", clean.url, "--exit-non-zero-on-changes", *github_args(github)).exit_code == 0


# -- configuration ------------------------------------------------------------------------------------


def test_the_repository_config_is_used_and_can_opt_out(tmp_path: Path, github: FakeForge) -> None:
    remote = make_remote(tmp_path, files={"Dockerfile": NEEDS_FIXES, ".dfix.toml": '[lint]\nignore = ["DF200"]\n'})
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    message = str(remote.repo().commit("refs/heads/dfix/autofix").message)
    assert "DF100" in message and "DF200" not in message

    opted_out = make_remote(tmp_path / "o", files={"Dockerfile": NEEDS_FIXES, ".dfix.toml": "[bot]\nenabled = false\n"})
    result = bot("run", opted_out.url, *github_args(github))
    assert result.exit_code == 0 and "opts out" in result.stderr
    assert opted_out.branches() == {"main"}
    overriding = bot("run", opted_out.url, "--override-repo-config", *github_args(github))
    assert "opts out" in overriding.stderr and opted_out.branches() == {"main"}

    # --override-repo-config: the repository's rule selection no longer applies
    assert bot("run", remote.url, "--override-repo-config", "--branch", "all", *github_args(github)).exit_code == 0
    assert "DF200" in str(remote.repo().commit("refs/heads/all").message)


def test_bot_settings_from_the_repository_and_the_command_line(tmp_path: Path, github: FakeForge) -> None:
    remote = make_remote(tmp_path, files={
        "Dockerfile": NEEDS_FIXES,
        ".dfix.toml": '[bot]\nbranch = "bots/dfix"\nlabels = ["docker"]\ndraft = true\n',
    })
    result = bot("run", remote.url, "--label", "chore", "--reviewer", "octocat", "--author", "Fixer <fixer@example.com>",
                 "--title", "Docker fixes ({fixes})", "--signoff", *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert remote.branches() == {"main", "bots/dfix"}
    head = remote.repo().commit("refs/heads/bots/dfix")
    assert head.author.email == "fixer@example.com"
    assert str(head.message).rstrip().endswith("Signed-off-by: Fixer <fixer@example.com>")
    create = github.writes()[0].json
    assert (create["title"], create["head"], create["draft"]) == ("Docker fixes (2)", "bots/dfix", True)
    assert [r.json for r in github.writes()[1:]] == [{"labels": ["docker", "chore"]}, {"reviewers": ["octocat"]}]


def test_conventional_history_gets_a_conventional_subject(tmp_path: Path, github: FakeForge) -> None:
    remote = make_remote(tmp_path, message="feat: first image")
    remote.commit({"README.md": "x\n"}, "docs(readme): explain")
    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    assert remote.repo().commit("refs/heads/dfix/autofix").summary == "chore(docker): apply dfix fixes (1 file)"


# -- GitLab ---------------------------------------------------------------------------------------------


def test_gitlab_merge_request(tmp_path: Path, gitlab: FakeForge) -> None:
    remote = make_remote(tmp_path, project="group/app")
    result = bot("run", remote.url, *gitlab_args(gitlab), env={"GITLAB_TOKEN": "glpat-AbCdEf0123456789"})
    assert result.exit_code == 0, result.stderr
    assert [(r.method, r.path) for r in gitlab.requests] == [
        ("GET", "/api/v4/projects/group%2Fapp/merge_requests"),
        ("POST", "/api/v4/projects/group%2Fapp/merge_requests"),
    ]
    assert all(r.headers["private-token"] == "glpat-AbCdEf0123456789" for r in gitlab.requests)
    create = gitlab.requests[1].json
    assert (create["source_branch"], create["target_branch"], create["labels"]) == ("dfix/autofix", "main", "dfix")
    assert "fingerprint=sha256:" in create["description"]
    assert remote.sha("dfix/autofix") is not None
    assert "glpat-AbCdEf0123456789" not in result.stdout + result.stderr


# -- local checkouts and refusals ----------------------------------------------------------------------


def test_a_local_checkout_is_left_as_it_was(remote: Remote, github: FakeForge, tmp_path: Path) -> None:
    checkout = git.Repo.clone_from(remote.url, tmp_path / "work")
    before = (checkout.head.commit.hexsha, checkout.active_branch.name)
    result = bot("run", checkout.working_tree_dir, *github_args(github, "--project", "acme/app"))
    assert result.exit_code == 0, result.stderr
    assert (checkout.head.commit.hexsha, checkout.active_branch.name) == before
    assert not checkout.is_dirty(untracked_files=True)
    assert (Path(checkout.working_tree_dir) / "Dockerfile").read_text() == NEEDS_FIXES
    assert checkout.commit("dfix/autofix").hexsha == remote.sha("dfix/autofix")  # the local branch, for a look
    assert checkout.git.worktree("list").count("\n") == 0  # the temporary worktree is gone


def test_refusals_have_clear_messages(remote: Remote, github: FakeForge, tmp_path: Path) -> None:
    checkout = git.Repo.clone_from(remote.url, tmp_path / "work")
    top = Path(checkout.working_tree_dir)
    (top / "Dockerfile").write_text(NEEDS_FIXES + "# edited\n")
    dirty = bot("run", str(top), *github_args(github))
    assert dirty.exit_code == 2 and "uncommitted changes (Dockerfile)" in dirty.stderr
    checkout.git.checkout("--", "Dockerfile")

    checkout.git.checkout("--detach")
    detached = bot("run", str(top), *github_args(github))
    assert detached.exit_code == 2 and "HEAD is detached" in detached.stderr and "--base" in detached.stderr
    assert bot("run", str(top), "--base", "main", *github_args(github)).exit_code == 0

    missing = bot("run", remote.url, "--base", "release", *github_args(github))
    assert missing.exit_code == 2 and "base branch 'release' does not exist" in missing.stderr
    assert "Traceback" not in dirty.stderr + detached.stderr + missing.stderr


def test_a_failing_repository_does_not_stop_a_bulk_run(tmp_path: Path, github: FakeForge) -> None:
    first = make_remote(tmp_path, project="acme/one")
    second = make_remote(tmp_path, project="acme/two")
    repos = tmp_path / "repos.txt"
    repos.write_text(f"# the fleet\n{first.url}\n{(tmp_path / 'nowhere.git').as_uri()}\n\n{second.url}\n")
    report = tmp_path / "report.json"
    result = bot("run", "--repos", str(repos), "--report", str(report), *github_args(github))
    assert result.exit_code == 3, result.stderr
    statuses = [(r["repository"].rsplit("/", 1)[-1], r["status"]) for r in json.loads(report.read_text())["repositories"]]
    assert statuses == [("one.git", "created"), ("nowhere.git", "error"), ("two.git", "created")]
    assert first.sha("dfix/autofix") and second.sha("dfix/autofix")
    assert "cannot clone" in result.stderr


def test_max_prs_limits_new_pull_requests(tmp_path: Path, github: FakeForge) -> None:
    first = make_remote(tmp_path, project="acme/one")
    second = make_remote(tmp_path, project="acme/two")
    result = bot("run", first.url, second.url, "--max-prs", "1", *github_args(github))
    assert result.exit_code == 0, result.stderr
    assert len(github.pulls_for("acme/one")) == 1 and github.pulls_for("acme/two") == []
    assert "--max-prs reached" in result.stderr


def test_a_refused_token_stops_the_run(tmp_path: Path) -> None:
    first = make_remote(tmp_path, project="acme/one")
    second = make_remote(tmp_path, project="acme/two")
    with FakeForge("github", token="the-right-token") as fake:
        result = bot("run", first.url, second.url, *github_args(fake))
    assert result.exit_code == 2
    assert "refused the token" in result.stderr and "not reached" in result.stderr
    assert len(fake.requests) == 1


def test_pagination_finds_the_bots_pull_request_among_many(remote: Remote, tmp_path: Path) -> None:
    with FakeForge("github", page_size=2) as fake:
        for number in range(4):
            fake.add_pull("acme/app", head=f"feature-{number}", base="main", state="closed")
        assert bot("run", remote.url, *github_args(fake)).exit_code == 0
        fake.requests.clear()
        again = bot("run", remote.url, *github_args(fake))
        assert again.exit_code == 0 and "up to date" in again.stderr
        assert fake.writes() == []


# -- secrets -------------------------------------------------------------------------------------------


def test_the_token_appears_nowhere(remote: Remote, tmp_path: Path) -> None:
    """Not in stdout, stderr, the report, the commit or the pull request, even when the forge echoes it back."""
    report = tmp_path / "report.json"
    with FakeForge("github") as fake:
        env = {"GITHUB_TOKEN": TOKEN}
        command = [sys.executable, "-m", "dfix", "bot", "run", remote.url, "--report", str(report),
                   *github_args(fake)]
        done = subprocess.run(command, capture_output=True, text=True, env={**__import__("os").environ, **env})
        assert done.returncode == 0, done.stderr
        fake.fail_next(500, body=lambda request: {"message": f"boom for {request.headers.get('authorization')}"})
        remote.commit({"README.md": "x\n"})
        failed = subprocess.run(command, capture_output=True, text=True, env={**__import__("os").environ, **env})
        assert failed.returncode == 2
        assert "***" in failed.stderr
        bodies = json.dumps([r.json for r in fake.requests])
    commit = remote.repo().commit("refs/heads/dfix/autofix")
    everything = done.stdout + done.stderr + failed.stdout + failed.stderr + report.read_text() + bodies
    everything += str(commit.message) + str(commit.author) + remote.repo().git.log("--all", "-p")
    assert TOKEN not in everything


def test_git_authenticates_with_the_token_through_askpass_only(remote: Remote, github: FakeForge) -> None:
    """Over HTTP with Basic auth (git's own http-backend): the push carries the token; no URL or config holds it."""
    from .git_http import GitHttpServer

    with GitHttpServer(remote.bare.parent.parent, username="x-access-token", token=TOKEN) as server:
        url = f"{server.url}/acme/app.git"
        result = bot("run", url, *github_args(github, "--project", "acme/app"))
        assert result.exit_code == 0, result.stderr
        assert remote.sha("dfix/autofix") is not None
        assert any(a and a.startswith("Basic ") for a in server.authorizations)
        assert TOKEN not in result.stdout + result.stderr

        wrong = bot("run", url, "--branch", "other", *github_args(github, "--project", "acme/app"),
                    env={"GITHUB_TOKEN": "ghp_wrongwrongwrong"})
        assert wrong.exit_code == 2 and "cannot clone" in wrong.stderr
        assert "ghp_wrongwrongwrong" not in wrong.stdout + wrong.stderr


def test_ticking_the_rebase_box_regenerates_the_pull_request(remote: Remote, github: FakeForge) -> None:
    from dfix.bot.message import REBASE_BOX

    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    pull = github.pull("acme/app", 1)
    pull["body"] = pull["body"].replace(f"- [ ] {REBASE_BOX}", f"- [x] {REBASE_BOX}")
    github.requests.clear()

    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert head.parents[0].hexsha == remote.sha("main") and "Dfix-Fingerprint" in str(head.message)
    assert requests(github) == [LIST, ("PATCH", "/repos/acme/app/pulls/1")]
    assert f"- [ ] {REBASE_BOX}" in github.pull("acme/app", 1)["body"]


def test_here_runs_on_the_current_checkout(remote: Remote, github: FakeForge, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = git.Repo.clone_from(remote.url, tmp_path / "ci-checkout")
    monkeypatch.chdir(checkout.working_tree_dir)
    result = bot("run", "--here", *github_args(github, "--project", "acme/app"))
    assert result.exit_code == 0, result.stderr
    assert remote.sha("dfix/autofix") is not None and len(github.pulls_for("acme/app")) == 1
    assert bot("run", *github_args(github)).exit_code == 2  # no target at all is a usage error


def test_assignees_and_refused_reviewers_are_reported_not_fatal(remote: Remote, github: FakeForge) -> None:
    result = bot("run", remote.url, "--assignee", "octocat", "--reviewer", "1-not-a-user", *github_args(github))
    assert result.exit_code == 0, result.stderr
    paths = [(r.method, r.path, r.json) for r in github.writes()]
    assert ("POST", "/repos/acme/app/issues/1/assignees", {"assignees": ["octocat"]}) in paths
    assert "created" in result.stderr and "not applied: reviewers: " in result.stderr


def test_the_lease_protects_a_push_that_races_a_human(remote: Remote, github: FakeForge,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone pushes to the bot's branch after the bot looked: the force-push is refused, their commit stays."""
    from dfix.bot.gitops import Git

    assert bot("run", remote.url, *github_args(github)).exit_code == 0
    remote.commit({"README.md": "new base\n"}, "docs: readme")
    real_push = Git.push
    raced: list[str] = []

    def push_after_a_human(self, branch, sha, *, expected):
        raced.append(remote.commit({"NOTES.md": "mine\n"}, "Human commit", branch=branch))
        return real_push(self, branch, sha, expected=expected)

    monkeypatch.setattr(Git, "push", push_after_a_human)
    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 2
    assert "git push failed" in result.stderr and "stale info" in result.stderr
    assert remote.sha("dfix/autofix") == raced[0]


def test_gitlab_rerun_updates_the_same_merge_request_and_closes_it_when_done(tmp_path: Path, gitlab: FakeForge) -> None:
    remote = make_remote(tmp_path, project="group/app")
    env = {"GITLAB_TOKEN": "glpat-AbCdEf0123456789"}
    assert bot("run", remote.url, *gitlab_args(gitlab), env=env).exit_code == 0
    gitlab.requests.clear()
    assert "up to date" in bot("run", remote.url, *gitlab_args(gitlab), env=env).stderr
    assert gitlab.writes() == []

    new_base = remote.commit({"README.md": "x\n"})
    assert bot("run", remote.url, *gitlab_args(gitlab), env=env).exit_code == 0
    update = gitlab.writes()[-1]
    assert (update.method, update.path) == ("PUT", "/api/v4/projects/group%2Fapp/merge_requests/1")
    assert set(update.json) == {"title", "description", "target_branch"} and f"base={new_base}" in update.json["description"]

    remote.commit({"Dockerfile": MERGED}, "Fix by hand")
    gitlab.requests.clear()
    result = bot("run", remote.url, *gitlab_args(gitlab), env=env)
    assert result.exit_code == 0 and "closed" in result.stderr
    assert [(r.method, r.path, r.json) for r in gitlab.writes()] == [
        ("POST", "/api/v4/projects/group%2Fapp/merge_requests/1/notes", {"body": gitlab.writes()[0].json["body"]}),
        ("PUT", "/api/v4/projects/group%2Fapp/merge_requests/1", {"state_event": "close"}),
    ]
    assert remote.branches() == {"main"}
    assert len(gitlab.pulls_for("group/app")) == 1


def test_symlinked_dockerfiles_are_committed_as_their_target_and_never_followed_out(tmp_path: Path,
                                                                                    github: FakeForge) -> None:
    outside = tmp_path / "outside.Dockerfile"
    outside.write_text(NEEDS_FIXES)
    remote = make_remote(tmp_path, files={"docker/real.Dockerfile": NEEDS_FIXES})
    seed = remote.seed
    top = Path(seed.working_tree_dir)
    (top / "Dockerfile").symlink_to("docker/real.Dockerfile")
    (top / "escape.Dockerfile").symlink_to(outside)
    seed.index.add(["Dockerfile", "escape.Dockerfile"])
    seed.index.commit("links")
    seed.git.push("origin", "HEAD:refs/heads/main")

    result = bot("run", remote.url, *github_args(github))
    assert result.exit_code == 0, result.stderr
    head = remote.repo().commit("refs/heads/dfix/autofix")
    assert list(head.stats.files) == ["docker/real.Dockerfile"]
    assert outside.read_text() == NEEDS_FIXES
    body = github.pull("acme/app", 1)["body"]
    assert "outside the repository" in body
    assert "| `escape.Dockerfile` | 0 | not fixed: outside-root |" in body
    assert "DF000" not in body  # what became of a file is not dressed up as a rule finding
