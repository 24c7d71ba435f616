"""The forge REST layer (dfix/bot/forge.py) against a fake GitHub / GitLab on 127.0.0.1.

The bot's correctness hangs on exact API calls (a wrong field silently does
nothing on a real forge), so most tests assert the recorded requests
verbatim: method, path, auth header and JSON body.
"""

from __future__ import annotations

import socket
from typing import Iterator

import httpx
import pytest

import dfix
from dfix.bot.forge import (
    ForgeAuthError, ForgeError, GitHubForge, GitLabForge, PullRequest, RepoLocation, locate, open_forge,
)

from .fake_forge import FakeForge, Recorded

TOKEN = "ghp_s3cretT0kenValue1234567890"
HEAD = "dfix/autofix"
PROJECT = {"github": "octo/app", "gitlab": "group/sub/app"}
#: The path prefix every call for PROJECT starts with.
PREFIX = {"github": "/repos/octo/app", "gitlab": "/api/v4/projects/group%2Fsub%2Fapp"}
PULLS = {"github": "/pulls", "gitlab": "/merge_requests"}


class SleepRecorder:
    """Stands in for time.sleep: rate-limit tests must not wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(params=["github", "gitlab"])
def platform(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fake(platform: str) -> Iterator[FakeForge]:
    with FakeForge(platform, token=TOKEN) as server:
        yield server


def connect(fake: FakeForge, token: str | None = TOKEN, **kwargs) -> GitHubForge | GitLabForge:
    location = RepoLocation(fake.platform, fake.url, PROJECT[fake.platform])
    kwargs.setdefault("sleep", SleepRecorder())
    return open_forge(location, token, **kwargs)  # type: ignore[return-value]


def calls(requests: list[Recorded]) -> list[tuple[str, str, object]]:
    return [(request.method, request.path, request.json) for request in requests]


def auth_headers(platform: str, token: str = TOKEN) -> dict[str, str]:
    if platform == "github":
        return {"authorization": f"Bearer {token}"}
    return {"private-token": token}


# -- locate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "kwargs", "expected"),
    [
        ("https://github.com/o/n.git", {}, ("github", "https://api.github.com", "o/n")),
        ("https://github.com/o/n", {}, ("github", "https://api.github.com", "o/n")),
        ("https://github.com/o/n/", {}, ("github", "https://api.github.com", "o/n")),
        ("git@github.com:o/n.git", {}, ("github", "https://api.github.com", "o/n")),
        ("ssh://git@github.com/o/n.git", {}, ("github", "https://api.github.com", "o/n")),
        ("github.com/o/n", {}, ("github", "https://api.github.com", "o/n")),
        ("  github.com/o/n\n", {}, ("github", "https://api.github.com", "o/n")),
        ("https://x-access-token:abc@github.com/o/n.git", {}, ("github", "https://api.github.com", "o/n")),
        ("https://github.example.com/o/n.git", {}, ("github", "https://github.example.com/api/v3", "o/n")),
        ("git@github.corp.example:o/n.git", {}, ("github", "https://github.corp.example/api/v3", "o/n")),
        ("https://gitlab.com/g/s/n.git", {}, ("gitlab", "https://gitlab.com/api/v4", "g/s/n")),
        ("git@gitlab.example.com:g/s/n.git", {}, ("gitlab", "https://gitlab.example.com/api/v4", "g/s/n")),
        ("ssh://git@gitlab.example.com:2222/g/n.git", {}, ("gitlab", "https://gitlab.example.com/api/v4", "g/n")),
        ("https://gitlab.example.com:8443/g/s/n", {}, ("gitlab", "https://gitlab.example.com:8443/api/v4", "g/s/n")),
        ("http://gitlab.internal/g/n", {}, ("gitlab", "http://gitlab.internal/api/v4", "g/n")),
        ("https://gitlab.com/g/n/-/merge_requests/3", {}, ("gitlab", "https://gitlab.com/api/v4", "g/n")),
        ("gitlab.example.com/g/s/n", {}, ("gitlab", "https://gitlab.example.com/api/v4", "g/s/n")),
        ("https://git.example.com/g/n.git", {"platform": "gitlab"}, ("gitlab", "https://git.example.com/api/v4", "g/n")),
        ("https://git.example.com/o/n", {"platform": "github"}, ("github", "https://git.example.com/api/v3", "o/n")),
        (
            "https://github.com/o/n",
            {"api_url": "http://127.0.0.1:9/api/v3/"},
            ("github", "http://127.0.0.1:9/api/v3", "o/n"),
        ),
        ("/srv/git/o/n.git", {"platform": "github", "api_url": "http://127.0.0.1:9"}, ("github", "http://127.0.0.1:9", "o/n")),
        (
            "file:///srv/git/o/n.git",
            {"platform": "github", "api_url": "http://127.0.0.1:9"},
            ("github", "http://127.0.0.1:9", "o/n"),
        ),
        (
            "/srv/git/n.git",
            {"platform": "gitlab", "api_url": "http://127.0.0.1:9/api/v4", "project": "g/s/n"},
            ("gitlab", "http://127.0.0.1:9/api/v4", "g/s/n"),
        ),
    ],
)
def test_locate_reads_every_remote_form(remote: str, kwargs: dict, expected: tuple[str, str, str]) -> None:
    assert locate(remote, **kwargs) == RepoLocation(*expected)


@pytest.mark.parametrize(
    ("remote", "kwargs", "message"),
    [
        ("https://git.example.com/o/n", {}, "cannot tell whether git.example.com"),
        ("/srv/git/o/n.git", {}, "local repository"),
        ("/srv/git/o/n.git", {"platform": "github"}, "local repository"),
        ("file:///srv/git/o/n.git", {"api_url": "http://127.0.0.1:9"}, "local repository"),
        ("https://github.com/o", {}, "owner/name"),
        ("https://github.com/o/n/pulls", {}, "owner/name"),
        ("https://gitlab.com/n", {}, "group/name"),
        ("", {}, "empty"),
        ("nonsense", {}, "cannot read"),
        ("ftp://github.com/o/n", {}, "unsupported scheme"),
        ("github.com/o/n", {"platform": "bitbucket"}, "unknown platform"),
    ],
)
def test_locate_explains_what_it_cannot_tell(remote: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        locate(remote, **kwargs)


def test_locate_errors_hide_credentials_in_the_url() -> None:
    with pytest.raises(ValueError) as caught:
        locate(f"https://bot:{TOKEN}@git.example.com/o/n.git")
    assert TOKEN not in str(caught.value)
    assert "git.example.com" in str(caught.value)


def test_open_forge_picks_the_platform() -> None:
    with open_forge(RepoLocation("github", "http://127.0.0.1:9", "o/n"), None) as github:
        assert isinstance(github, GitHubForge)
    with open_forge(RepoLocation("gitlab", "http://127.0.0.1:9", "g/n"), None) as gitlab:
        assert isinstance(gitlab, GitLabForge)
    with pytest.raises(ValueError, match="unknown platform"):
        open_forge(RepoLocation("gitea", "http://127.0.0.1:9", "o/n"), None)


# -- find --------------------------------------------------------------------------------


def test_find_follows_pagination_to_the_open_pull_request(platform: str) -> None:
    project = PROJECT[platform]
    with FakeForge(platform, page_size=2) as fake:
        fake.add_pull(project, head=HEAD, base="main", title="first", state="closed")
        fake.add_pull(project, head="feature", base="main", title="someone else's")
        fake.add_pull(project, head=HEAD, base="main", title="current", body="the body")
        fake.add_pull(project, head=HEAD, base="main", title="old", merged=True)
        fake.add_pull(project, head=HEAD, base="main", title="newest closed", state="closed")
        fake.add_pull(project, head="other", base="main", state="closed")

        pr = connect(fake).find_pull_request(HEAD)

    assert pr is not None
    assert (pr.number, pr.state, pr.title, pr.body, pr.head, pr.base) == (3, "open", "current", "the body", HEAD, "main")
    first, second = fake.requests
    filter_key, filter_value = ("head", f"octo:{HEAD}") if platform == "github" else ("source_branch", HEAD)
    assert (first.method, first.path) == ("GET", PREFIX[platform] + PULLS[platform])
    assert first.query == {filter_key: [filter_value], "state": ["all"], "per_page": ["100"]}
    assert second.query["page"] == ["2"] and second.path == first.path
    assert fake.writes() == []


def test_find_returns_the_newest_closed_one_when_none_is_open(platform: str) -> None:
    project = PROJECT[platform]
    with FakeForge(platform, page_size=2) as fake:
        fake.add_pull(project, head=HEAD, base="main", state="closed", title="older")
        fake.add_pull(project, head=HEAD, base="main", state="closed", title="newer")
        fake.add_pull(project, head="feature", base="main")
        pr = connect(fake).find_pull_request(HEAD)
    assert pr is not None and (pr.number, pr.state, pr.title) == (2, "closed", "newer")


def test_find_tells_merged_from_closed(platform: str) -> None:
    project = PROJECT[platform]
    with FakeForge(platform) as fake:
        number = fake.add_pull(project, head=HEAD, base="main", title="merged one", merged=True)
        pr = connect(fake).find_pull_request(HEAD)
    assert pr == PullRequest(
        number, fake.pull(project, number)["html_url" if platform == "github" else "web_url"],
        "merged", "merged one", "", HEAD, "main",
    )


def test_find_returns_none_without_a_match(platform: str) -> None:
    project = PROJECT[platform]
    with FakeForge(platform) as fake:
        fake.add_pull(project, head="feature", base="main")
        fake.add_pull(project, head=HEAD, base="develop")
        forge = connect(fake)
        assert forge.find_pull_request(HEAD, base="main") is None
        found = forge.find_pull_request(HEAD)
    assert found is not None and found.base == "develop"
    base_key = "base" if platform == "github" else "target_branch"
    assert fake.requests[0].query[base_key] == ["main"] and base_key not in fake.requests[1].query


def test_find_ignores_a_fork_with_the_same_branch_name(platform: str) -> None:
    project = PROJECT[platform]
    with FakeForge(platform) as fake:
        fake.add_pull(project, head=HEAD, base="main", fork=True)
        assert connect(fake).find_pull_request(HEAD) is None


def test_find_follows_gitlab_x_next_page_without_link() -> None:
    """Some GitLab proxies drop ``Link``; ``X-Next-Page`` alone must do."""

    def drop_link(response: httpx.Response) -> None:
        response.headers.pop("link", None)

    project = PROJECT["gitlab"]
    with FakeForge("gitlab", page_size=1) as fake, httpx.Client(event_hooks={"response": [drop_link]}) as client:
        fake.add_pull(project, head=HEAD, base="main")
        fake.add_pull(project, head=HEAD, base="main", state="closed")
        fake.add_pull(project, head=HEAD, base="main", state="closed")
        pr = connect(fake, client=client).find_pull_request(HEAD)
    assert pr is not None and pr.number == 1
    assert [request.query.get("page") for request in fake.requests] == [None, ["2"], ["3"]]


def test_pagination_never_sends_the_token_to_another_host(platform: str, fake: FakeForge) -> None:
    fake.fail_next(200, headers={"Link": '<http://elsewhere.invalid/steal?page=2>; rel="next"'}, body=[])
    with pytest.raises(ForgeError, match="another host"):
        connect(fake).find_pull_request(HEAD)
    assert len(fake.requests) == 1


# -- create ------------------------------------------------------------------------------


def test_github_create_sends_exactly_these_requests() -> None:
    with FakeForge("github", token=TOKEN) as fake:
        forge = connect(fake)
        pr = forge.create_pull_request(
            head=HEAD, base="main", title="chore(docker): apply dfix fixes (2 files)", body="Body",
            labels=["dfix", "docker"], reviewers=["alice"], assignees=["bob"],
        )
    assert pr == PullRequest(
        1, f"{fake.root}/octo/app/pull/1", "open", "chore(docker): apply dfix fixes (2 files)", "Body", HEAD, "main",
    )
    assert calls(fake.requests) == [
        ("POST", "/repos/octo/app/pulls", {
            "title": "chore(docker): apply dfix fixes (2 files)", "head": HEAD, "base": "main", "body": "Body", "draft": False,
        }),
        ("POST", "/repos/octo/app/issues/1/labels", {"labels": ["dfix", "docker"]}),
        ("POST", "/repos/octo/app/pulls/1/requested_reviewers", {"reviewers": ["alice"]}),
        ("POST", "/repos/octo/app/issues/1/assignees", {"assignees": ["bob"]}),
    ]
    for request in fake.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["user-agent"] == f"dfix-bot/{dfix.__version__}"
    assert fake.labels("octo/app", 1) == ["dfix", "docker"]
    assert forge.warnings == []


def test_github_create_draft_without_extras_is_one_request() -> None:
    with FakeForge("github") as fake:
        pr = connect(fake).create_pull_request(head=HEAD, base="main", title="T", body="B", draft=True)
    assert pr.draft and pr.state == "open"
    assert calls(fake.requests) == [
        ("POST", "/repos/octo/app/pulls", {"title": "T", "head": HEAD, "base": "main", "body": "B", "draft": True}),
    ]


def test_github_refused_reviewer_is_a_warning_not_a_lost_pull_request() -> None:
    with FakeForge("github") as fake:
        forge = connect(fake)
        pr = forge.create_pull_request(head=HEAD, base="main", title="T", body="B", reviewers=["-ghost"])
    assert pr.number == 1 and len(fake.pulls_for("octo/app")) == 1
    assert len(forge.warnings) == 1 and "reviewers" in forge.warnings[0] and "collaborators" in forge.warnings[0]


def test_gitlab_create_sends_exactly_these_requests() -> None:
    with FakeForge("gitlab", token=TOKEN) as fake:
        forge = connect(fake)
        pr = forge.create_pull_request(
            head=HEAD, base="main", title="T", body="Body", draft=True,
            labels=["dfix", "docker"], reviewers=["alice", "9nobody"],
        )
    assert pr == PullRequest(1, f"{fake.root}/group/sub/app/-/merge_requests/1", "open", "T", "Body", HEAD, "main", draft=True)
    assert [(r.method, r.path, r.query) for r in fake.requests[:2]] == [
        ("GET", "/api/v4/users", {"username": ["alice"]}),
        ("GET", "/api/v4/users", {"username": ["9nobody"]}),
    ]
    alice = fake.requests[0]
    assert calls(fake.writes()) == [
        ("POST", "/api/v4/projects/group%2Fsub%2Fapp/merge_requests", {
            "source_branch": HEAD, "target_branch": "main", "title": "Draft: T", "description": "Body",
            "labels": "dfix,docker", "reviewer_ids": [100],
        }),
    ]
    for request in fake.requests:
        assert request.headers["private-token"] == TOKEN
        assert "authorization" not in request.headers
        assert request.headers["user-agent"] == f"dfix-bot/{dfix.__version__}"
    assert alice.query == {"username": ["alice"]}
    assert fake.labels("group/sub/app", 1) == ["dfix", "docker"]
    assert fake.pull("group/sub/app", 1)["reviewers"] == [{"id": 100, "username": "alice"}]
    assert forge.warnings == ["reviewer 9nobody: no such GitLab user; not added"]


def test_gitlab_create_without_extras_looks_up_no_users() -> None:
    with FakeForge("gitlab") as fake:
        connect(fake).create_pull_request(head=HEAD, base="main", title="T", body="", assignees=["bob"])
    assert calls(fake.requests)[-1] == ("POST", "/api/v4/projects/group%2Fsub%2Fapp/merge_requests", {
        "source_branch": HEAD, "target_branch": "main", "title": "T", "description": "", "assignee_ids": [100],
    })
    assert [request.query for request in fake.requests[:-1]] == [{"username": ["bob"]}]


def test_create_when_one_is_open_already_says_so(platform: str, fake: FakeForge) -> None:
    fake.add_pull(PROJECT[platform], head=HEAD, base="main")
    with pytest.raises(ForgeError) as caught:
        connect(fake).create_pull_request(head=HEAD, base="main", title="T", body="B")
    assert not isinstance(caught.value, ForgeAuthError)
    assert caught.value.status == (422 if platform == "github" else 409)
    assert "already exists" in str(caught.value)
    assert f"POST {PREFIX[platform]}{PULLS[platform]}" in str(caught.value)


# -- update, close, comment, delete ------------------------------------------------------


def test_update_sends_only_the_given_fields(platform: str, fake: FakeForge) -> None:
    project = PROJECT[platform]
    number = fake.add_pull(project, head=HEAD, base="main", title="old", body="old body")
    forge = connect(fake)
    pr = forge.find_pull_request(HEAD)
    assert pr is not None
    assert forge.update_pull_request(pr) is pr
    updated = forge.update_pull_request(pr, title="new", body="new body", base="develop")
    retitled = forge.update_pull_request(updated, title="newer")

    assert (updated.title, updated.body, updated.base) == ("new", "new body", "develop")
    assert (retitled.title, retitled.body) == ("newer", "new body")
    path = f"{PREFIX[platform]}{PULLS[platform]}/{number}"
    if platform == "github":
        expected = [("PATCH", path, {"title": "new", "body": "new body", "base": "develop"}), ("PATCH", path, {"title": "newer"})]
    else:
        expected = [
            ("PUT", path, {"title": "new", "description": "new body", "target_branch": "develop"}),
            ("PUT", path, {"title": "newer"}),
        ]
    assert calls(fake.writes()) == expected
    assert all(request.headers.items() >= auth_headers(platform).items() for request in fake.requests)


def test_gitlab_update_keeps_a_draft_a_draft() -> None:
    with FakeForge("gitlab") as fake:
        fake.add_pull("group/sub/app", head=HEAD, base="main", title="T", draft=True)
        forge = connect(fake)
        pr = forge.find_pull_request(HEAD)
        assert pr is not None and pr.draft and pr.title == "T"
        updated = forge.update_pull_request(pr, title="T2")
    assert fake.writes()[0].json == {"title": "Draft: T2"}
    assert (updated.title, updated.draft) == ("T2", True)


def test_close_comments_then_closes(platform: str, fake: FakeForge) -> None:
    project = PROJECT[platform]
    number = fake.add_pull(project, head=HEAD, base="main", title="T")
    forge = connect(fake)
    pr = forge.find_pull_request(HEAD)
    assert pr is not None
    closed = forge.close_pull_request(pr, comment="No longer needed: the Dockerfiles are clean.")

    assert closed.state == "closed" and closed.number == number
    path = f"{PREFIX[platform]}{PULLS[platform]}/{number}"
    if platform == "github":
        expected = [
            ("POST", f"/repos/octo/app/issues/{number}/comments", {"body": "No longer needed: the Dockerfiles are clean."}),
            ("PATCH", path, {"state": "closed"}),
        ]
    else:
        expected = [
            ("POST", f"{path}/notes", {"body": "No longer needed: the Dockerfiles are clean."}),
            ("PUT", path, {"state_event": "close"}),
        ]
    assert calls(fake.writes()) == expected
    assert fake.comments(project, number) == ["No longer needed: the Dockerfiles are clean."]


def test_close_without_comment_is_one_write(platform: str, fake: FakeForge) -> None:
    number = fake.add_pull(PROJECT[platform], head=HEAD, base="main")
    forge = connect(fake)
    pr = forge.find_pull_request(HEAD)
    assert pr is not None
    assert forge.close_pull_request(pr).state == "closed"
    assert [request.method for request in fake.writes()] == ["PATCH" if platform == "github" else "PUT"]
    assert fake.comments(PROJECT[platform], number) == []


def test_comment(platform: str, fake: FakeForge) -> None:
    number = fake.add_pull(PROJECT[platform], head=HEAD, base="main")
    forge = connect(fake)
    pr = forge.find_pull_request(HEAD)
    assert pr is not None
    assert forge.comment(pr, "Someone pushed to this branch; here is the new diff summary.") is None
    path = {
        "github": f"/repos/octo/app/issues/{number}/comments",
        "gitlab": f"{PREFIX[platform]}/merge_requests/{number}/notes",
    }[platform]
    assert calls(fake.writes()) == [("POST", path, {"body": "Someone pushed to this branch; here is the new diff summary."})]
    assert fake.writes()[0].headers.items() >= auth_headers(platform).items()


def test_delete_branch_and_a_branch_already_gone(platform: str, fake: FakeForge) -> None:
    project = PROJECT[platform]
    fake.add_pull(project, head=HEAD, base="main")
    forge = connect(fake)
    forge.delete_branch(HEAD)
    forge.delete_branch(HEAD)  # 422 (GitHub) / 404 (GitLab): already gone is fine
    path = "/repos/octo/app/git/refs/heads/dfix/autofix" if platform == "github" else (
        "/api/v4/projects/group%2Fsub%2Fapp/repository/branches/dfix%2Fautofix"
    )
    assert calls(fake.requests) == [("DELETE", path, None)] * 2
    assert HEAD not in fake.branches[project]


def test_delete_branch_failure_still_raises(platform: str, fake: FakeForge) -> None:
    fake.fail_next(500, body={"message": "boom"})
    with pytest.raises(ForgeError, match="500"):
        connect(fake).delete_branch(HEAD)


# -- politeness and errors ---------------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(platform: str, fake: FakeForge) -> None:
    fake.add_pull(PROJECT[platform], head=HEAD, base="main")
    fake.fail_next(429, headers={"Retry-After": "2"}, body={"message": "slow down"})
    sleep = SleepRecorder()
    pr = connect(fake, sleep=sleep).find_pull_request(HEAD)
    assert pr is not None and pr.number == 1
    assert sleep.calls == [2.0]
    assert len(fake.requests) == 2 and fake.requests[0].path == fake.requests[1].path


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": "3600"}, 60.0),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999999999"}, 60.0),
    ],
)
def test_403_rate_limit_is_waited_out_capped_at_a_minute(headers: dict[str, str], slept: float) -> None:
    with FakeForge("github") as fake:
        fake.fail_next(403, headers=headers, body={"message": "You have exceeded a secondary rate limit."})
        sleep = SleepRecorder()
        forge = connect(fake, sleep=sleep)
        assert forge.find_pull_request(HEAD) is None
    assert sleep.calls == [slept]


def test_rate_limit_gives_up_after_max_retries(platform: str, fake: FakeForge) -> None:
    for _ in range(3):
        fake.fail_next(429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    sleep = SleepRecorder()
    with pytest.raises(ForgeError) as caught:
        connect(fake, sleep=sleep, max_retries=2).find_pull_request(HEAD)
    assert not isinstance(caught.value, ForgeAuthError)
    assert sleep.calls == [1.0, 1.0] and len(fake.requests) == 3
    assert caught.value.status == 429 and "still rate limited after 2 retries" in str(caught.value)


def test_bad_token_is_an_auth_error(platform: str, fake: FakeForge) -> None:
    wrong = "glpat-wrongWrongWrong"
    with pytest.raises(ForgeAuthError) as caught:
        connect(fake, token=wrong).find_pull_request(HEAD)
    message = str(caught.value)
    assert caught.value.status == 401
    assert ("Bad credentials" if platform == "github" else "401 Unauthorized") in message
    assert "token was refused" in message and wrong not in message


def test_403_without_rate_limit_is_an_auth_error(platform: str, fake: FakeForge) -> None:
    fake.fail_next(403, body={"message": "Resource not accessible by integration"})
    sleep = SleepRecorder()
    with pytest.raises(ForgeAuthError, match="Resource not accessible by integration") as caught:
        connect(fake, sleep=sleep).create_pull_request(head=HEAD, base="main", title="T", body="B")
    assert caught.value.status == 403 and sleep.calls == []


def test_server_error_names_the_call_and_the_reason(platform: str, fake: FakeForge) -> None:
    fake.fail_next(500, body={"message": "Server Error"})
    with pytest.raises(ForgeError) as caught:
        connect(fake).find_pull_request(HEAD)
    assert type(caught.value) is ForgeError and caught.value.status == 500
    name = "GitHub" if platform == "github" else "GitLab"
    expected = f"{name} API GET {PREFIX[platform]}{PULLS[platform]} answered 500 Internal Server Error: Server Error"
    assert str(caught.value) == expected  # the path without its query, the API's own reason


def test_plain_text_error_body_is_shown(platform: str, fake: FakeForge) -> None:
    fake.fail_next(502, body="Bad gateway from the proxy\n<html>…")
    with pytest.raises(ForgeError, match="502 Bad Gateway: Bad gateway from the proxy$"):
        connect(fake).find_pull_request(HEAD)


def test_gitlab_validation_message_dict_is_readable() -> None:
    with FakeForge("gitlab") as fake:
        fake.fail_next(400, body={"message": {"title": ["can't be blank"], "target_branch": ["is invalid"]}})
        with pytest.raises(ForgeError, match="title can't be blank; target_branch is invalid"):
            connect(fake).create_pull_request(head=HEAD, base="main", title="", body="")


def test_a_page_that_is_not_json_is_a_forge_error(platform: str, fake: FakeForge) -> None:
    fake.fail_next(200, body="<html>captive portal</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(ForgeError, match="answered 200 without the expected JSON list"):
        connect(fake).find_pull_request(HEAD)
    fake.fail_next(201, body={"unexpected": True})
    with pytest.raises(ForgeError, match="answered a pull request without a number"):
        connect(fake).create_pull_request(head=HEAD, base="main", title="T", body="B")


def test_an_invalid_api_url_is_a_forge_error() -> None:
    with open_forge(RepoLocation("github", "http://[::1", "octo/app"), TOKEN) as forge:
        with pytest.raises(ForgeError, match="could not be sent"):
            forge.find_pull_request(HEAD)


def test_errors_never_contain_the_token(platform: str, fake: FakeForge) -> None:
    """A server that echoes the credentials back in its error must not leak them through us."""
    header = "authorization" if platform == "github" else "private-token"
    fake.fail_next(400, body=lambda request: {"message": f"bad request with {header}: {request.headers[header]}"})
    fake.fail_next(401, body=lambda request: {"message": f"token {request.headers[header]} is revoked"})
    forge = connect(fake)
    with pytest.raises(ForgeError) as first:
        forge.find_pull_request(HEAD)
    with pytest.raises(ForgeAuthError) as second:
        forge.find_pull_request(HEAD)
    for caught in (first, second):
        assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
        assert "***" in str(caught.value)


def test_network_error_is_a_forge_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    forge = open_forge(RepoLocation("github", f"http://127.0.0.1:{port}", "octo/app"), TOKEN)
    with forge, pytest.raises(ForgeError, match=r"GitHub API GET /repos/octo/app/pulls failed") as caught:
        forge.find_pull_request(HEAD)
    assert TOKEN not in str(caught.value) and caught.value.status is None


def test_a_token_that_cannot_be_sent_does_not_leak() -> None:
    bad = TOKEN + "\nX-Injected: 1"
    forge = open_forge(RepoLocation("github", "http://127.0.0.1:9", "octo/app"), bad)
    with forge, pytest.raises(ForgeError) as caught:
        forge.find_pull_request(HEAD)
    assert TOKEN not in str(caught.value)


def test_no_credentials_are_sent_without_a_token(platform: str) -> None:
    with FakeForge(platform) as fake:
        fake.add_pull(PROJECT[platform], head=HEAD, base="main")
        forge = connect(fake, token=None)
        pr = forge.find_pull_request(HEAD)
        assert pr is not None
        forge.comment(pr, "hello")
    for request in fake.requests:
        assert "authorization" not in request.headers and "private-token" not in request.headers
        assert request.headers["user-agent"] == f"dfix-bot/{dfix.__version__}"


def test_unknown_route_is_a_404_forge_error(platform: str, fake: FakeForge) -> None:
    location = RepoLocation(platform, fake.url + "/nope", PROJECT[platform])
    with open_forge(location, TOKEN) as forge, pytest.raises(ForgeError, match="404") as caught:
        forge.find_pull_request(HEAD)
    assert type(caught.value) is ForgeError
