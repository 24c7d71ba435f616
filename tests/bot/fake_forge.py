"""A fake GitHub / GitLab REST API on 127.0.0.1, for the bot's tests.

The bot's forge layer is plain HTTP, so the honest test is a real HTTP
server: it exercises httpx, headers, status codes, pagination and URL
encoding (GitLab's ``group%2Fname``) the way the real APIs would, and no
test reaches the internet. :class:`FakeForge` keeps the state the bot cares
about (pull/merge requests per project, comments, labels, branches) in the
native JSON shape of each platform, records every request it gets, and can
be told to fail the next request (rate limits, bad tokens, outages).

    with FakeForge("gitlab", page_size=2) as fake:
        fake.add_pull("group/app", head="dfix/autofix", base="main")
        location = RepoLocation("gitlab", fake.url, "group/app")
        ...
        assert [r.method for r in fake.writes()] == ["PUT"]
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

GITLAB_PREFIX = "/api/v4"
MERGED_AT = "2024-01-02T03:04:05Z"
#: A GitLab project id for merge requests that come from a fork (see ``add_pull(fork=True)``).
FORK_PROJECT_ID = 9999


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str  #: as sent, percent-encoding kept (``/api/v4/projects/g%2Fn/merge_requests``), no query
    query: dict[str, list[str]]
    headers: dict[str, str]  #: names lower-cased
    json: Any | None  #: the parsed body, or None without one


@dataclass
class _Answer:
    status: int
    body: Any = None  #: JSON-able, a str, or None for no body
    headers: dict[str, str] | None = None


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to ``fake.answer``; HTTP/1.1 so httpx keeps its connection like with a real API."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall each
    fake: "FakeForge"

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = Recorded(
            self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
            {name.lower(): value for name, value in self.headers.items()}, body,
        )
        answer = self.fake.answer(request)
        payload = b"" if answer.body is None else (
            answer.body.encode() if isinstance(answer.body, str) else json.dumps(answer.body).encode()
        )
        self.send_response(answer.status)
        for name, value in (answer.headers or {}).items():
            self.send_header(name, value)
        if answer.body is not None and not isinstance(answer.body, str):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: pytest output is for failures."""


class FakeForge:
    """Starts on 127.0.0.1 in a thread; use as a context manager or ``.start()`` / ``.stop()``.

    ``page_size`` caps ``per_page`` so a test can prove pagination with a few
    pull requests; ``token``, when set, is the only one accepted (else 401).
    """

    def __init__(self, platform: str = "github", *, page_size: int = 100, token: str | None = None) -> None:
        if platform not in ("github", "gitlab"):
            raise ValueError(f"unknown platform {platform!r}")
        self.platform, self.page_size, self.token = platform, page_size, token
        self.requests: list[Recorded] = []
        #: Per project, its pull/merge requests as the API returns them, oldest first.
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        #: Per project, the branches that exist (heads of seeded or created pull requests).
        self.branches: dict[str, set[str]] = {}
        self._comments: dict[tuple[str, int], list[str]] = {}
        self._project_ids: dict[str, int] = {}
        self._user_ids: dict[str, int] = {}
        self._failures: list[_Answer] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.root = self.url = ""

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> "FakeForge":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.root + (GITLAB_PREFIX if self.platform == "gitlab" else "")
        # A short poll interval: shutdown() waits for it, once per test.
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-forge", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeForge":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for tests -----------------------------------------------------------------------

    def writes(self) -> list[Recorded]:
        """The requests that change something (everything but GET)."""
        return [request for request in self.requests if request.method != "GET"]

    def add_pull(
        self, project: str, *, head: str, base: str, title: str = "", body: str = "", state: str = "open",
        merged: bool = False, draft: bool = False, fork: bool = False,
    ) -> int:
        """Seed an existing pull/merge request (``fork``: from another repository with the same branch name)."""
        merged = merged or state == "merged"
        with self._lock:
            pull = self._new_pull(project, head, base, title, body, state="closed" if merged else state,
                                  merged=merged, draft=draft, fork=fork)
        return pull[self._key]

    def pull(self, project: str, number: int) -> dict[str, Any]:
        """The stored state of one pull/merge request (the JSON the API returns)."""
        pull = self._find(project, number)
        if pull is None:
            raise KeyError(f"{project} has no pull request {number}")
        return pull

    def pulls_for(self, project: str) -> list[dict[str, Any]]:
        return self.pulls.get(project, [])

    def comments(self, project: str, number: int) -> list[str]:
        """Bodies of the comments (GitHub issue comments, GitLab notes) on a pull request, in order."""
        return self._comments.get((project, number), [])

    def labels(self, project: str, number: int) -> list[str]:
        labels = self.pull(project, number)["labels"]
        return [label["name"] if isinstance(label, dict) else label for label in labels]

    def fail_next(self, status: int, *, headers: dict[str, str] | None = None, body: Any = None) -> None:
        """Answer the next request (queued: call again for the one after) with this, whatever it asks.

        ``body`` may be a function of the :class:`Recorded` request, e.g. to echo a header back
        the way some servers do in their errors.
        """
        with self._lock:
            self._failures.append(_Answer(status, body, headers))

    # -- serving -------------------------------------------------------------------------

    def answer(self, request: Recorded) -> _Answer:
        """The response to ``request``; its body is a copy, so it is sent as it was when answered."""
        with self._lock:
            self.requests.append(request)
            try:
                answer = self._route(request)
            except Exception as error:  # a fake bug must be a readable 500, not a dropped connection
                answer = _Answer(500, {"message": f"fake forge: {type(error).__name__}: {error}"})
            if answer.body is not None and not isinstance(answer.body, str):
                answer.body = json.loads(json.dumps(answer.body))
            return answer

    def _route(self, request: Recorded) -> _Answer:
        if self._failures:
            failure = self._failures.pop(0)
            body = failure.body(request) if callable(failure.body) else failure.body
            return _Answer(failure.status, body, failure.headers)
        if self.token is not None and not self._authorized(request.headers):
            return _Answer(401, {"message": "Bad credentials" if self.platform == "github" else "401 Unauthorized"})
        path = request.path
        if self.platform == "gitlab":
            if not path.startswith(GITLAB_PREFIX + "/"):
                return self._not_found()
            path = path[len(GITLAB_PREFIX):]
        routes = _GITHUB_ROUTES if self.platform == "github" else _GITLAB_ROUTES
        for method, pattern, action in routes:
            match = pattern.match(path)
            if match and method == request.method:
                params = {key: unquote(value) for key, value in match.groupdict().items()}
                return action(self, request, **params)
        return self._not_found()

    def _authorized(self, headers: dict[str, str]) -> bool:
        bearer = {f"Bearer {self.token}", f"token {self.token}"}
        return headers.get("authorization") in bearer or (
            self.platform == "gitlab" and headers.get("private-token") == self.token
        )

    def _not_found(self) -> _Answer:
        return _Answer(404, {"message": "Not Found" if self.platform == "github" else "404 Not Found"})

    def _page(self, request: Recorded, items: list[dict[str, Any]]) -> _Answer:
        """One page of ``items`` with the pagination headers of the platform."""
        default = 30 if self.platform == "github" else 20
        per_page = max(1, min(int(request.query.get("per_page", [default])[0]), self.page_size))
        page = max(1, int(request.query.get("page", ["1"])[0]))
        pages = max(1, -(-len(items) // per_page))
        headers: dict[str, str] = {}

        def link(number: int) -> str:
            query = {**request.query, "page": [str(number)]}
            return f"{self.root}{request.path}?{urlencode(query, doseq=True)}"

        if page < pages:
            headers["Link"] = f'<{link(page + 1)}>; rel="next", <{link(pages)}>; rel="last"'
        if self.platform == "gitlab":
            headers.update({"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                            "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages else ""})
        return _Answer(200, items[(page - 1) * per_page: page * per_page], headers)

    def _new_pull(self, project: str, head: str, base: str, title: str, body: str, *, state: str = "open",
                  merged: bool = False, draft: bool = False, fork: bool = False) -> dict[str, Any]:
        """Store a new pull/merge request in the platform's JSON shape; numbers start at 1 per project."""
        pulls = self.pulls.setdefault(project, [])
        number = len(pulls) + 1
        if not fork:
            self.branches.setdefault(project, set()).add(head)
        if self.platform == "github":
            owner = "fork-owner" if fork else project.split("/")[0]
            pull: dict[str, Any] = {
                "number": number, "html_url": f"{self.root}/{project}/pull/{number}", "state": state,
                "title": title, "body": body, "head": {"ref": head, "label": f"{owner}:{head}"},
                "base": {"ref": base}, "merged_at": MERGED_AT if merged else None, "draft": draft,
                "labels": [], "requested_reviewers": [], "assignees": [],
            }
        else:
            project_id = self._project_ids.setdefault(project, len(self._project_ids) + 1)
            pull = {
                "id": 1000 * project_id + number, "iid": number, "project_id": project_id,
                "source_project_id": FORK_PROJECT_ID if fork else project_id, "target_project_id": project_id,
                "web_url": f"{self.root}/{project}/-/merge_requests/{number}",
                "state": "merged" if merged else ("opened" if state == "open" else state),
                "title": "Draft: " + title if draft and not _is_gitlab_draft(title) else title, "description": body,
                "source_branch": head, "target_branch": base, "draft": draft or _is_gitlab_draft(title),
                "labels": [], "reviewers": [], "assignees": [],
            }
        pulls.append(pull)
        return pull

    # -- GitHub --------------------------------------------------------------------------

    def _gh_list(self, request: Recorded, project: str) -> _Answer:
        state, head, base = (request.query.get(key, [None])[0] for key in ("state", "head", "base"))
        items = [pull for pull in reversed(self.pulls_for(project))
                 if (state in (None, "open") and pull["state"] == "open") or state == "all"
                 or (state == "closed" and pull["state"] == "closed")]
        items = [pull for pull in items if (head is None or pull["head"]["label"] == head)
                 and (base is None or pull["base"]["ref"] == base)]
        return self._page(request, items)

    def _gh_create(self, request: Recorded, project: str) -> _Answer:
        data = request.json if isinstance(request.json, dict) else {}
        missing = [key for key in ("title", "head", "base") if not data.get(key)]
        if missing:
            return _Answer(422, {"message": "Validation Failed",
                                 "errors": [{"field": key, "code": "missing_field"} for key in missing]})
        label = f"{project.split('/')[0]}:{data['head']}"
        if any(pull["state"] == "open" and pull["head"]["label"] == label and pull["base"]["ref"] == data["base"]
               for pull in self.pulls_for(project)):
            return _Answer(422, {"message": "Validation Failed",
                                 "errors": [{"message": f"A pull request already exists for {label}."}]})
        pull = self._new_pull(project, data["head"], data["base"], data["title"], data.get("body") or "",
                              draft=bool(data.get("draft")))
        return _Answer(201, pull)

    def _get(self, request: Recorded, project: str, number: str) -> _Answer:
        pull = self._find(project, int(number))
        return _Answer(200, pull) if pull else self._not_found()

    def _gh_update(self, request: Recorded, project: str, number: str) -> _Answer:
        pull, data = self._find(project, int(number)), request.json or {}
        if pull is None:
            return self._not_found()
        for key in ("title", "body", "state"):
            if key in data:
                pull[key] = data[key]
        if "base" in data:
            pull["base"]["ref"] = data["base"]
        return _Answer(200, pull)

    def _gh_issue_add(self, request: Recorded, project: str, number: str, kind: str) -> _Answer:
        """``labels``, ``assignees`` and ``comments`` on the issue side of a pull request."""
        pull, data = self._find(project, int(number)), request.json or {}
        if pull is None:
            return self._not_found()
        if kind == "comments":
            return self._add_comment(project, int(number), data.get("body", ""))
        if kind == "labels":
            pull["labels"] += [{"name": name} for name in data.get("labels", [])]
            return _Answer(200, pull["labels"])
        pull["assignees"] += [{"login": login} for login in data.get("assignees", [])]
        return _Answer(201, pull)

    def _gh_reviewers(self, request: Recorded, project: str, number: str) -> _Answer:
        pull, logins = self._find(project, int(number)), (request.json or {}).get("reviewers", [])
        if pull is None:
            return self._not_found()
        if not all(_is_user(login) for login in logins):
            return _Answer(422, {"message": "Reviews may only be requested from collaborators. "
                                            "One or more of the users or teams you specified is not a collaborator."})
        pull["requested_reviewers"] += [{"login": login} for login in logins]
        return _Answer(201, pull)

    def _delete_branch(self, request: Recorded, project: str, branch: str) -> _Answer:
        if branch not in self.branches.get(project, set()):
            if self.platform == "github":
                return _Answer(422, {"message": "Reference does not exist"})
            return _Answer(404, {"message": "404 Branch Not Found"})
        self.branches[project].discard(branch)
        return _Answer(204)

    @property
    def _key(self) -> str:
        return "number" if self.platform == "github" else "iid"

    def _find(self, project: str, number: int) -> dict[str, Any] | None:
        return next((pull for pull in self.pulls_for(project) if pull[self._key] == number), None)

    def _add_comment(self, project: str, number: int, body: str) -> _Answer:
        comments = self._comments.setdefault((project, number), [])
        comments.append(body)
        return _Answer(201, {"id": len(comments), "body": body})

    # -- GitLab --------------------------------------------------------------------------

    def _gl_list(self, request: Recorded, project: str) -> _Answer:
        state, source, target = (request.query.get(key, [None])[0] for key in ("state", "source_branch", "target_branch"))
        items = [pull for pull in reversed(self.pulls_for(project))
                 if state in (None, "all", pull["state"]) and source in (None, pull["source_branch"])
                 and target in (None, pull["target_branch"])]
        return self._page(request, items)

    def _gl_create(self, request: Recorded, project: str) -> _Answer:
        data = request.json if isinstance(request.json, dict) else {}
        missing = [key for key in ("source_branch", "target_branch", "title") if not data.get(key)]
        if missing:
            return _Answer(400, {"error": f"{', '.join(missing)} is missing"})
        for pull in self.pulls_for(project):
            if pull["state"] == "opened" and (pull["source_branch"], pull["target_branch"]) == (
                data["source_branch"], data["target_branch"]
            ):
                return _Answer(409, {"message": [
                    f"Another open merge request already exists for this source branch: !{pull['iid']}"]})
        pull = self._new_pull(project, data["source_branch"], data["target_branch"], data["title"],
                              data.get("description") or "")
        self._gl_apply(pull, data)
        return _Answer(201, pull)

    def _gl_update(self, request: Recorded, project: str, number: str) -> _Answer:
        pull = self._find(project, int(number))
        if pull is None:
            return self._not_found()
        data = request.json or {}
        for key in ("title", "description", "target_branch"):
            if key in data:
                pull[key] = data[key]
        pull["draft"] = _is_gitlab_draft(pull["title"])
        event = {"close": "closed", "reopen": "opened"}.get(data.get("state_event", ""))
        if event and pull["state"] != "merged":
            pull["state"] = event
        self._gl_apply(pull, data)
        return _Answer(200, pull)

    def _gl_apply(self, pull: dict[str, Any], data: dict[str, Any]) -> None:
        """Labels (a comma-separated string) and reviewer/assignee ids, on create and update."""
        if "labels" in data:
            pull["labels"] = [label for label in str(data["labels"]).split(",") if label]
        names = {user_id: name for name, user_id in self._user_ids.items()}
        for role in ("reviewer", "assignee"):
            if f"{role}_ids" in data:
                pull[f"{role}s"] = [{"id": user_id, "username": names.get(user_id, f"user{user_id}")}
                                    for user_id in data[f"{role}_ids"]]

    def _gl_note(self, request: Recorded, project: str, number: str) -> _Answer:
        if self._find(project, int(number)) is None:
            return self._not_found()
        return self._add_comment(project, int(number), (request.json or {}).get("body", ""))

    def _gl_users(self, request: Recorded) -> _Answer:
        username = request.query.get("username", [""])[0]
        if not _is_user(username):
            return _Answer(200, [])
        user_id = self._user_ids.setdefault(username, 100 + len(self._user_ids))
        return _Answer(200, [{"id": user_id, "username": username}])


def _is_user(name: str) -> bool:
    """Any name starting with a letter exists; others ("-ghost", "1x") let tests exercise unknown users."""
    return name[:1].isalpha()


def _is_gitlab_draft(title: str) -> bool:
    return bool(re.match(r"\s*(\[draft\]|\(draft\)|draft:|draft\s+-)", title, re.I))


_Action = Callable[..., _Answer]
_REPO = r"/repos/(?P<project>[^/]+/[^/]+)"
_GITHUB_ROUTES: list[tuple[str, re.Pattern[str], _Action]] = [
    ("GET", re.compile(_REPO + r"/pulls\Z"), FakeForge._gh_list),
    ("POST", re.compile(_REPO + r"/pulls\Z"), FakeForge._gh_create),
    ("GET", re.compile(_REPO + r"/pulls/(?P<number>\d+)\Z"), FakeForge._get),
    ("PATCH", re.compile(_REPO + r"/pulls/(?P<number>\d+)\Z"), FakeForge._gh_update),
    ("POST", re.compile(_REPO + r"/pulls/(?P<number>\d+)/requested_reviewers\Z"), FakeForge._gh_reviewers),
    ("POST", re.compile(_REPO + r"/issues/(?P<number>\d+)/(?P<kind>labels|assignees|comments)\Z"), FakeForge._gh_issue_add),
    ("DELETE", re.compile(_REPO + r"/git/refs/heads/(?P<branch>.+)\Z"), FakeForge._delete_branch),
]
_MR = r"/projects/(?P<project>[^/]+)/merge_requests"
_GITLAB_ROUTES: list[tuple[str, re.Pattern[str], _Action]] = [
    ("GET", re.compile(_MR + r"\Z"), FakeForge._gl_list),
    ("POST", re.compile(_MR + r"\Z"), FakeForge._gl_create),
    ("GET", re.compile(_MR + r"/(?P<number>\d+)\Z"), FakeForge._get),
    ("PUT", re.compile(_MR + r"/(?P<number>\d+)\Z"), FakeForge._gl_update),
    ("POST", re.compile(_MR + r"/(?P<number>\d+)/notes\Z"), FakeForge._gl_note),
    ("DELETE", re.compile(r"/projects/(?P<project>[^/]+)/repository/branches/(?P<branch>[^/]+)\Z"), FakeForge._delete_branch),
    ("GET", re.compile(r"/users\Z"), FakeForge._gl_users),
]
