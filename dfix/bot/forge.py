"""The forge REST APIs the bot needs: find, create, update and close one pull request per branch.

GitHub calls them pull requests, GitLab merge requests; the bot sees one
:class:`PullRequest` shape and one :class:`Forge` interface either way, so
its decisions (ux.md §11: create, update, leave alone, close) are written
once. :func:`locate` turns whatever the user typed (a clone URL, an SSH
remote, ``github.com/owner/name``) into the platform, the API base and the
project path; :func:`open_forge` gives the client for it.

Three rules hold for every call:

* **No token leaks.** Every error message passes through the
  :class:`~dfix.bot.secrets.Redactor`, because API servers and httpx may
  echo request headers back in their errors.
* **Politeness.** A 429, or a 403 that is really a rate limit, waits for
  ``Retry-After`` (at most a minute) and retries a few times; writes are
  serialised process-wide, which is what GitHub asks of integrations to
  avoid secondary rate limits.
* **Errors a user can act on.** :class:`ForgeError` names the method, the
  path, the status and the API's own message; :class:`ForgeAuthError` (bad
  or under-privileged token) tells a bulk run to stop rather than fail the
  same way on every repository.
"""

from __future__ import annotations

import email.utils
import functools
import re
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import quote, urlsplit

import httpx
import msgspec

from dfix._version import __version__

from .secrets import Redactor

USER_AGENT = f"dfix-bot/{__version__}"
GITHUB_API_VERSION = "2022-11-28"
#: The longest a rate limit makes us wait per retry; a bulk run should move on, not stall.
MAX_RETRY_WAIT = 60.0
#: Pages followed at most when listing pull requests for one branch (a loop guard, 100 per page).
MAX_PAGES = 50
PLATFORMS = ("github", "gitlab")

#: Serialises API writes across every forge in the process (``--jobs`` runs repositories in threads).
_WRITE_LOCK = threading.Lock()


# -- data --------------------------------------------------------------------------------


class PullRequest(msgspec.Struct, frozen=True):
    """A GitHub pull request or GitLab merge request, as the bot needs to see it."""

    number: int  #: GitHub PR number / GitLab MR iid
    url: str  #: the web page (html_url / web_url)
    state: str  #: "open" | "closed" | "merged"
    title: str  #: GitLab: without the "Draft: " prefix (see ``draft``), so titles compare across platforms
    body: str  #: GitHub body / GitLab description ("" when null)
    head: str  #: source branch name
    base: str  #: target branch name
    draft: bool = False


class ForgeError(Exception):
    """An API call failed; the message names the call and the API's reason, never the token."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status, or None for network errors.
        self.status = status


class ForgeAuthError(ForgeError):
    """The token was refused (401) or lacks a permission (403): every further call would fail the same way."""


class RepoLocation(msgspec.Struct, frozen=True):
    """Where a repository's API lives."""

    platform: str  #: "github" | "gitlab"
    api_url: str  #: e.g. https://api.github.com, https://gitlab.com/api/v4, https://ghe.example.com/api/v3
    project: str  #: "owner/name" (GitHub) or "group/sub/name" (GitLab full path)


# -- locate ------------------------------------------------------------------------------

#: ``[user@]host:path`` (scp-like SSH), but not ``scheme://``.
_SCP_REMOTE = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[A-Za-z0-9.-]+):(?!//)(?P<path>[^\s]+)$")
_REMOTE_SCHEMES = {"http", "https", "ssh", "git", "git+ssh", "ssh+git"}


def _shown(remote_url: str) -> str:
    """The remote as it may appear in a message: credentials in ``https://user:token@host`` removed."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@\s]+@", r"\1", remote_url, flags=re.I)


def _is_local(remote_url: str) -> bool:
    if remote_url.startswith(("file://", "/", "./", "../", "~")):
        return True
    try:
        return Path(remote_url).exists()
    except OSError:
        return False


def _split_remote(remote_url: str) -> tuple[str, str, str]:
    """(scheme, host[:port] for the web, path) of a remote; scheme is "" unless the remote was http(s)."""
    if "://" in remote_url:
        parts = urlsplit(remote_url)
        scheme = parts.scheme.lower()
        if scheme not in _REMOTE_SCHEMES or not parts.hostname:
            raise ValueError(f"cannot read the repository URL {_shown(remote_url)!r} (unsupported scheme {scheme!r})")
        if scheme in ("http", "https"):
            netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
            return scheme, netloc.lower(), parts.path
        return "", parts.hostname.lower(), parts.path  # an SSH port says nothing about the web port
    scp = _SCP_REMOTE.match(remote_url)
    if scp:
        return "", scp["host"].lower(), scp["path"]
    host, _, path = remote_url.partition("/")
    if not path or ("." not in host and not host.startswith("localhost")):
        raise ValueError(
            f"cannot read {_shown(remote_url)!r} as a repository: expected a clone URL, "
            "git@host:owner/name or host/owner/name"
        )
    return "", host.lower(), path


def _project_path(path: str, platform: str) -> str:
    """``owner/name`` from a URL path: no ``.git``, no slashes at the ends, no GitLab ``/-/…`` page suffix."""
    path = path.strip("/")
    if platform == "gitlab":
        path = path.split("/-/", 1)[0]
    path = re.sub(r"\.git/?$", "", path).strip("/")
    segments = [segment for segment in path.split("/") if segment]
    return "/".join(segments)


def _check_project(project: str, platform: str, remote_url: str) -> str:
    segments = project.split("/")
    if platform == "github" and len(segments) != 2:
        raise ValueError(f"{_shown(remote_url)!r}: a GitHub repository is owner/name, not {project!r}")
    if len(segments) < 2 or not all(segments):
        raise ValueError(f"{_shown(remote_url)!r}: a GitLab project is group/name (or group/sub/name), not {project!r}")
    return project


def _infer_platform(host: str, remote_url: str) -> str:
    if "github" in host:
        return "github"
    if "gitlab" in host:
        return "gitlab"
    raise ValueError(
        f"cannot tell whether {host} ({_shown(remote_url)}) is GitHub or GitLab; give the platform (--platform github|gitlab)"
    )


def _default_api_url(platform: str, scheme: str, host: str) -> str:
    if platform == "github" and host in ("github.com", "www.github.com"):
        return "https://api.github.com"
    root = f"{scheme or 'https'}://{host}"
    return root + ("/api/v3" if platform == "github" else "/api/v4")


def locate(
    remote_url: str, *, platform: str | None = None, api_url: str | None = None, project: str | None = None
) -> RepoLocation:
    """The platform, API base and project path of a repository, from its clone URL or ``host/owner/name``.

    Accepts ``https://github.com/o/n.git``, ``git@github.com:o/n.git``,
    ``ssh://git@host/g/s/n.git``, ``https://gitlab.example.com/g/s/n`` and the
    short ``github.com/o/n``. The platform comes from the host name
    (``github``/``gitlab`` in it) unless ``platform`` says; the API base is
    ``https://api.github.com`` for github.com, ``https://HOST/api/v3`` for
    GitHub Enterprise, ``https://HOST/api/v4`` for GitLab, unless ``api_url``
    says. A local path or ``file://`` URL names no host, so it needs both
    ``platform`` and ``api_url``; its project is its last two path segments
    unless ``project`` says (deeper GitLab groups need ``project``).

    Raises ValueError with a message for the user when it cannot tell.
    """
    remote_url = remote_url.strip()
    if not remote_url:
        raise ValueError("empty repository URL")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (expected github or gitlab)")
    if _is_local(remote_url):
        if platform is None or api_url is None:
            raise ValueError(
                f"{_shown(remote_url)!r} is a local repository: give both the platform (--platform) and the API URL (--api-url)"
            )
        local = remote_url[len("file://"):] if remote_url.startswith("file://") else remote_url
        found = project or "/".join(_project_path(local, "github").split("/")[-2:])
        return RepoLocation(platform, api_url.rstrip("/"), _check_project(found, platform, remote_url))
    scheme, host, path = _split_remote(remote_url)
    platform = platform or _infer_platform(host, remote_url)
    found = project or _project_path(path, platform)
    return RepoLocation(
        platform,
        (api_url or _default_api_url(platform, scheme, host)).rstrip("/"),
        _check_project(found, platform, remote_url),
    )


# -- the HTTP layer ----------------------------------------------------------------------


def _api_message(response: httpx.Response) -> str:
    """The API's own reason: GitHub ``message`` plus ``errors[].message``; GitLab ``message`` (str, list or dict) or ``error``."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return text.splitlines()[0][:200] if text else ""
    if not isinstance(data, dict):
        return str(data)[:200]
    message = data.get("message", data.get("error", ""))
    if isinstance(message, list):
        message = "; ".join(str(item) for item in message)
    elif isinstance(message, dict):
        message = "; ".join(f"{key} {_words(value)}" for key, value in message.items())
    errors = [error for error in data.get("errors") or [] if isinstance(error, dict)]
    details = [str(error.get("message") or error.get("code")) for error in errors if error.get("message") or error.get("code")]
    return f"{message} ({'; '.join(details)})" if details else str(message)


def _words(value: Any) -> str:
    """GitLab validation messages are ``{"title": ["can't be blank"]}``."""
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def _retry_delay(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying, or None when the response is not a rate limit.

    429 always is; a 403 is when it says how long to wait or that no requests
    are left (GitHub's primary and secondary limits both answer 403).
    """
    headers = response.headers
    retry_after = headers.get("retry-after")
    exhausted = headers.get("x-ratelimit-remaining") == "0"
    if response.status_code != 429 and not (response.status_code == 403 and (retry_after or exhausted)):
        return None
    delay = _seconds_from_retry_after(retry_after) if retry_after else None
    if delay is None and exhausted and headers.get("x-ratelimit-reset", "").isdigit():
        delay = int(headers["x-ratelimit-reset"]) - time.time()
    if delay is None:
        delay = MAX_RETRY_WAIT  # GitHub: "wait at least one minute" when it does not say
    return max(0.0, min(delay, MAX_RETRY_WAIT))


def _seconds_from_retry_after(value: str) -> float | None:
    """``Retry-After`` is seconds or an HTTP date; None when it is neither."""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: building one costs ~0.1 s, and a bulk run opens a forge per repository."""
    return httpx.create_ssl_context()


def _raw_path(url: httpx.URL) -> str:
    """The path as sent (``%2F`` kept, query dropped), for messages."""
    return url.raw_path.decode("ascii", "replace").split("?", 1)[0]


class Forge:
    """One repository's pull requests on its forge; subclasses speak GitHub or GitLab.

    Use :func:`open_forge` to get one. A forge made without a client owns the
    one it creates: close it with :meth:`close` or a ``with`` block.
    """

    platform: str = ""
    #: The platform's name in messages.
    display_name: str = ""

    def __init__(
        self,
        location: RepoLocation,
        token: str | None,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        max_retries: int = 3,
    ) -> None:
        self.location = location
        self._token = token
        self._redact = Redactor((token,) if token else ())
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(
            timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True, verify=_ssl_context()
        )
        self._sleep = sleep
        self.max_retries = max_retries
        #: Problems that did not stop a call (a reviewer that could not be requested…), for the bot to report.
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> "Forge":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the interface -------------------------------------------------------------------

    def find_pull_request(self, head: str, base: str | None = None) -> PullRequest | None:
        """The bot's pull request for branch ``head`` (into ``base`` when given), in any state.

        An open one wins (the newest if several); else the newest closed or
        merged one, so the bot can tell "closed means ignore" from "merged".
        Follows pagination: a long-lived bot branch collects many.
        """
        found = self._list_pull_requests(head, base)
        return _preferred(pr for pr in found if pr.head == head and (base is None or pr.base == base))

    def create_pull_request(
        self,
        *,
        head: str,
        base: str,
        title: str,
        body: str,
        draft: bool = False,
        labels: Sequence[str] = (),
        reviewers: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> PullRequest:
        """Open a pull request, then apply labels, reviewers and assignees.

        Once the pull request exists, a refused label, reviewer or assignee
        goes to :attr:`warnings` instead of raising: failing would hide the
        pull request that was created (only an auth error still raises).
        """
        raise NotImplementedError

    def update_pull_request(
        self, pr: PullRequest, *, title: str | None = None, body: str | None = None, base: str | None = None
    ) -> PullRequest:
        """Change only the given fields; no request at all when none is given."""
        raise NotImplementedError

    def close_pull_request(self, pr: PullRequest, comment: str | None = None) -> PullRequest:
        """Close (after saying why in ``comment``, so the humans watching know)."""
        raise NotImplementedError

    def comment(self, pr: PullRequest, text: str) -> None:
        """Add a comment, e.g. when a human pushed to the bot branch and it must not be force-pushed."""
        raise NotImplementedError

    def delete_branch(self, branch: str) -> None:
        """Delete a branch through the API; a branch that is already gone is fine."""
        raise NotImplementedError

    # -- for subclasses ------------------------------------------------------------------

    def _list_pull_requests(self, head: str, base: str | None) -> Iterator[PullRequest]:
        raise NotImplementedError

    def _auth_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT}
        if self._token:
            headers.update(self._auth_headers())
        return headers

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.location.api_url + path

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, ok: Sequence[int] = ()
    ) -> httpx.Response:
        """Send one call, waiting out rate limits; any other status >= 400 not in ``ok`` raises."""
        if method == "GET":
            return self._send_with_retries(method, path, params, json, ok)
        with _WRITE_LOCK:
            return self._send_with_retries(method, path, params, json, ok)

    def _send_with_retries(
        self, method: str, path: str, params: dict[str, Any] | None, json: Any, ok: Sequence[int]
    ) -> httpx.Response:
        url = self._url(path)
        for attempt in range(self.max_retries + 1):
            response = self._send(method, url, params, json)
            delay = _retry_delay(response)
            if delay is None or attempt == self.max_retries:
                break
            self._sleep(delay)
        if response.status_code >= 400 and response.status_code not in ok:
            raise self._error(method, response, retried=delay is not None)
        return response

    def _send(self, method: str, url: str, params: dict[str, Any] | None, json: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, params=params, json=json, headers=self._headers())
        except httpx.HTTPError as error:
            where = f"{method} {_raw_path(httpx.URL(url))}"
            raise ForgeError(self._redact(f"{self.display_name} API {where} failed: {error}")) from None
        except (ValueError, httpx.InvalidURL) as error:  # an invalid header value (a token with a newline), a bad --api-url
            raise ForgeError(self._redact(f"{self.display_name} API {method} request could not be sent: {error}")) from None

    def _error(self, method: str, response: httpx.Response, *, retried: bool) -> ForgeError:
        status = response.status_code
        reason = _api_message(response)
        text = f"{self.display_name} API {method} {_raw_path(response.request.url)} answered {status} {response.reason_phrase}"
        text += f": {reason}" if reason else ""
        if retried:
            return ForgeError(self._redact(f"{text} (still rate limited after {self.max_retries} retries)"), status=status)
        if status in (401, 403):
            hint = "the token was refused" if status == 401 else "the token lacks a permission for this"
            return ForgeAuthError(self._redact(f"{text}; {hint}"), status=status)
        return ForgeError(self._redact(text), status=status)

    def _data(self, response: httpx.Response, expected: type[dict] | type[list]) -> Any:
        """The JSON body, checked to be an object or a list: a proxy's HTML page must not crash the bot."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, expected):
            where = f"{response.request.method} {_raw_path(response.request.url)}"
            kind = "object" if expected is dict else "list"
            text = f"{self.display_name} API {where} answered {response.status_code} without the expected JSON {kind}"
            raise ForgeError(self._redact(text), status=response.status_code)
        return data

    def _pull_request(self, method: str, path: str, payload: dict[str, Any]) -> PullRequest:
        """Send a write whose answer is a pull request, and read it."""
        response = self._request(method, path, json=payload)
        return self._read(response, self._data(response, dict))

    def _read(self, response: httpx.Response, data: dict[str, Any]) -> PullRequest:
        try:
            return self._parse(data)
        except (KeyError, TypeError, ValueError):
            where = f"{response.request.method} {_raw_path(response.request.url)}"
            raise ForgeError(f"{self.display_name} API {where} answered a pull request without a number") from None

    @staticmethod
    def _parse(data: dict[str, Any]) -> PullRequest:
        raise NotImplementedError

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[tuple[httpx.Response, dict[str, Any]]]:
        """Every object of a list call, with the response it came in.

        Follows ``Link: rel="next"``, or GitLab's ``X-Next-Page`` when a proxy dropped ``Link``.
        """
        url, query = self._url(path), dict(params)
        for _ in range(MAX_PAGES):
            response = self._request("GET", url, params=query)
            yield from ((response, item) for item in self._data(response, list) if isinstance(item, dict))
            next_url = response.links.get("next", {}).get("url")
            if next_url:
                url, query = self._same_origin(next_url), None
            elif response.headers.get("x-next-page", "").strip():
                query = dict(query or {}, page=response.headers["x-next-page"].strip())
            else:
                return

    def _same_origin(self, url: str) -> str:
        """Refuse to send the token to a host the ``Link`` header names but the user did not."""
        mine, theirs = httpx.URL(self.location.api_url), httpx.URL(url)
        if (mine.scheme, mine.host, mine.port) != (theirs.scheme, theirs.host, theirs.port):
            raise ForgeError(self._redact(f"{self.display_name} API pagination pointed to another host: {theirs.host}"))
        return url

    def _warn_on_error(self, what: str, call: Callable[[], Any]) -> None:
        """Run ``call``; a non-auth :class:`ForgeError` becomes a warning (see :meth:`create_pull_request`)."""
        try:
            call()
        except ForgeAuthError:
            raise
        except ForgeError as error:
            self.warnings.append(f"{what}: {error}")


def _preferred(pull_requests: Iterator[PullRequest]) -> PullRequest | None:
    """The open one with the highest number, else the closed or merged one with the highest number."""
    candidates = list(pull_requests)
    if not candidates:
        return None
    return max(candidates, key=lambda pr: (pr.state == "open", pr.number))


# -- GitHub ------------------------------------------------------------------------------


class GitHubForge(Forge):
    """GitHub and GitHub Enterprise Server (REST API version 2022-11-28)."""

    platform = "github"
    display_name = "GitHub"

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": GITHUB_API_VERSION}

    @property
    def _repo(self) -> str:
        return f"/repos/{self.location.project}"

    @staticmethod
    def _parse(data: dict[str, Any]) -> PullRequest:
        state = "merged" if data.get("merged_at") else str(data.get("state") or "")
        return PullRequest(
            number=int(data["number"]),
            url=str(data.get("html_url") or ""),
            state=state,
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            head=str((data.get("head") or {}).get("ref") or ""),
            base=str((data.get("base") or {}).get("ref") or ""),
            draft=bool(data.get("draft")),
        )

    def _list_pull_requests(self, head: str, base: str | None) -> Iterator[PullRequest]:
        owner = self.location.project.split("/", 1)[0]
        params: dict[str, Any] = {"head": f"{owner}:{head}", "state": "all", "per_page": 100}
        if base is not None:
            params["base"] = base
        for response, data in self._paginate(f"{self._repo}/pulls", params):
            yield self._read(response, data)

    def create_pull_request(
        self,
        *,
        head: str,
        base: str,
        title: str,
        body: str,
        draft: bool = False,
        labels: Sequence[str] = (),
        reviewers: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> PullRequest:
        payload = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        pr = self._pull_request("POST", f"{self._repo}/pulls", payload)
        issue = f"{self._repo}/issues/{pr.number}"
        if labels:
            self._warn_on_error("labels", lambda: self._request("POST", f"{issue}/labels", json={"labels": list(labels)}))
        if reviewers:
            path = f"{self._repo}/pulls/{pr.number}/requested_reviewers"
            self._warn_on_error("reviewers", lambda: self._request("POST", path, json={"reviewers": list(reviewers)}))
        if assignees:
            payload = {"assignees": list(assignees)}
            self._warn_on_error("assignees", lambda: self._request("POST", f"{issue}/assignees", json=payload))
        return pr

    def update_pull_request(
        self, pr: PullRequest, *, title: str | None = None, body: str | None = None, base: str | None = None
    ) -> PullRequest:
        changes = {key: value for key, value in (("title", title), ("body", body), ("base", base)) if value is not None}
        if not changes:
            return pr
        return self._pull_request("PATCH", f"{self._repo}/pulls/{pr.number}", changes)

    def close_pull_request(self, pr: PullRequest, comment: str | None = None) -> PullRequest:
        if comment:
            self.comment(pr, comment)
        return self._pull_request("PATCH", f"{self._repo}/pulls/{pr.number}", {"state": "closed"})

    def comment(self, pr: PullRequest, text: str) -> None:
        self._request("POST", f"{self._repo}/issues/{pr.number}/comments", json={"body": text})

    def delete_branch(self, branch: str) -> None:
        # The ref is the path: its slashes stay slashes (refs/heads/dfix/autofix).
        self._request("DELETE", f"{self._repo}/git/refs/heads/{quote(branch, safe='/')}", ok=(404, 422))


# -- GitLab ------------------------------------------------------------------------------

#: Title prefixes GitLab reads as "draft" (and ``WIP:``, which older versions used).
_GITLAB_DRAFT = re.compile(r"^\s*(?:\[draft\]|\(draft\)|draft:|draft\s+-|\[wip\]|wip:)\s*", re.I)
_GITLAB_STATES = {"opened": "open", "closed": "closed", "merged": "merged", "locked": "closed"}


class GitLabForge(Forge):
    """GitLab.com and self-managed GitLab (REST API v4)."""

    platform = "gitlab"
    display_name = "GitLab"

    def _auth_headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": str(self._token)}

    @property
    def _project(self) -> str:
        return "/projects/" + quote(self.location.project, safe="")

    @staticmethod
    def _parse(data: dict[str, Any]) -> PullRequest:
        title = str(data.get("title") or "")
        draft = bool(data.get("draft", data.get("work_in_progress")))
        return PullRequest(
            number=int(data["iid"]),
            url=str(data.get("web_url") or ""),
            state=_GITLAB_STATES.get(str(data.get("state")), str(data.get("state") or "")),
            title=_GITLAB_DRAFT.sub("", title, count=1) if draft else title,
            body=str(data.get("description") or ""),
            head=str(data.get("source_branch") or ""),
            base=str(data.get("target_branch") or ""),
            draft=draft,
        )

    def _list_pull_requests(self, head: str, base: str | None) -> Iterator[PullRequest]:
        params: dict[str, Any] = {"source_branch": head, "state": "all", "per_page": 100}
        if base is not None:
            params["target_branch"] = base
        for response, data in self._paginate(f"{self._project}/merge_requests", params):
            # A fork's merge request into this project may use the same branch name; it is not ours.
            if data.get("source_project_id", data.get("target_project_id")) == data.get("target_project_id"):
                yield self._read(response, data)

    def _user_ids(self, usernames: Sequence[str], role: str) -> list[int]:
        """GitLab wants user ids; unknown users are skipped with a warning, not fatal."""
        ids: list[int] = []
        for username in usernames:
            try:
                response = self._request("GET", "/users", params={"username": username})
                users = [user for user in self._data(response, list) if isinstance(user, dict) and "id" in user]
            except ForgeAuthError:
                raise
            except ForgeError as error:
                self.warnings.append(f"{role} {username}: {error}")
                continue
            if users:
                ids.append(int(users[0]["id"]))
            else:
                self.warnings.append(f"{role} {username}: no such GitLab user; not added")
        return ids

    def create_pull_request(
        self,
        *,
        head: str,
        base: str,
        title: str,
        body: str,
        draft: bool = False,
        labels: Sequence[str] = (),
        reviewers: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> PullRequest:
        payload: dict[str, Any] = {
            "source_branch": head,
            "target_branch": base,
            "title": f"Draft: {title}" if draft and not _GITLAB_DRAFT.match(title) else title,
            "description": body,
        }
        if labels:
            payload["labels"] = ",".join(labels)
        reviewer_ids = self._user_ids(reviewers, "reviewer")
        if reviewer_ids:
            payload["reviewer_ids"] = reviewer_ids
        assignee_ids = self._user_ids(assignees, "assignee")
        if assignee_ids:
            payload["assignee_ids"] = assignee_ids
        return self._pull_request("POST", f"{self._project}/merge_requests", payload)

    def update_pull_request(
        self, pr: PullRequest, *, title: str | None = None, body: str | None = None, base: str | None = None
    ) -> PullRequest:
        changes: dict[str, Any] = {}
        if title is not None:
            # The draft flag lives in the title: keep a draft a draft.
            changes["title"] = f"Draft: {title}" if pr.draft and not _GITLAB_DRAFT.match(title) else title
        if body is not None:
            changes["description"] = body
        if base is not None:
            changes["target_branch"] = base
        if not changes:
            return pr
        return self._pull_request("PUT", f"{self._project}/merge_requests/{pr.number}", changes)

    def close_pull_request(self, pr: PullRequest, comment: str | None = None) -> PullRequest:
        if comment:
            self.comment(pr, comment)
        return self._pull_request("PUT", f"{self._project}/merge_requests/{pr.number}", {"state_event": "close"})

    def comment(self, pr: PullRequest, text: str) -> None:
        self._request("POST", f"{self._project}/merge_requests/{pr.number}/notes", json={"body": text})

    def delete_branch(self, branch: str) -> None:
        self._request("DELETE", f"{self._project}/repository/branches/{quote(branch, safe='')}", ok=(404,))


_FORGES: dict[str, type[Forge]] = {"github": GitHubForge, "gitlab": GitLabForge}


def open_forge(
    location: RepoLocation,
    token: str | None,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    max_retries: int = 3,
) -> Forge:
    """The forge client for ``location``; ``sleep`` is injectable so tests need not wait out rate limits."""
    try:
        cls = _FORGES[location.platform]
    except KeyError:
        raise ValueError(f"unknown platform {location.platform!r} (expected github or gitlab)") from None
    return cls(location, token, client=client, sleep=sleep, max_retries=max_retries)


__all__ = [
    "Forge", "ForgeAuthError", "ForgeError", "GitHubForge", "GitLabForge", "PullRequest", "RepoLocation", "locate", "open_forge",
]
