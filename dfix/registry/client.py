"""An OCI Distribution API client on httpx: HTTPS unless the registry is marked insecure.

Every request goes through :meth:`RegistryClient.request`, which answers a
401 challenge once (``auth.py``) and turns transport failures into
:class:`RegistryError` with a message a user can act on. Plain HTTP is used
only for hosts listed as insecure (``host`` or ``host:port``); for any other
host a plain-HTTP registry fails the TLS handshake and the error says how to
mark it insecure.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import ssl
import sys
import time
from types import ModuleType
from typing import Iterable

from ..patterns import lazy_pattern


def _lazy_module(name: str) -> ModuleType:
    """``name`` loaded on first attribute access (the standard library's ``LazyLoader`` recipe).

    Every run imports the pinning rules, but only one that asks a registry
    needs httpx, whose import costs about a tenth of a second of a one-file
    check.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - a dependency
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


httpx = _lazy_module("httpx")

from .auth import Challenge, CredentialStore, Token, parse_challenge
from .errors import RegistryError
from .reference import host_key

#: Everything a resolver must accept (registry.md §7.1): without the index
#: types a registry answers 404 for OCI indexes, with only the Docker v2 type
#: it silently answers a platform child of a manifest list.
MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT = ", ".join(MANIFEST_TYPES)
_DIGEST = lazy_pattern(r"sha256:[0-9a-f]{64}\Z")
_LINK_NEXT = lazy_pattern(r'<([^>]*)>\s*;[^,]*\brel="?next"?', re.I)
USER_AGENT = "dfix (+https://github.com/dfix) httpx"


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process (building one costs ~0.1 s)."""
    return httpx.create_ssl_context()


def _error_text(response: httpx.Response) -> str:
    """The registry's own words for an error response (JSON ``errors`` or a short text)."""
    try:
        data = response.json()
        errors = data.get("errors") if isinstance(data, dict) else None
        if errors:
            first = errors[0]
            return f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
        if isinstance(data, dict) and (data.get("details") or data.get("message")):
            return str(data.get("details") or data.get("message"))
    except (ValueError, AttributeError, IndexError, httpx.ResponseNotRead):
        pass
    try:
        text = response.text.strip()
    except httpx.ResponseNotRead:
        text = ""
    return text.splitlines()[0][:200] if text else response.reason_phrase


class RegistryClient:
    """Talks to registries; one connection pool, tokens kept per scope."""

    def __init__(
        self,
        *,
        insecure: Iterable[str] = (),
        credentials: CredentialStore | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.insecure = frozenset(self._insecure_key(entry) for entry in insecure if entry)
        self.credentials = credentials if credentials is not None else CredentialStore()
        self.timeout = timeout
        self._transport = transport
        self._http: httpx.Client | None = None
        self._tokens: dict[tuple, Token] = {}
        #: The Authorization header that worked for (host, repository).
        self._authorization: dict[tuple[str, str], str] = {}
        #: Requests sent (tests and benchmarks read it).
        self.requests = 0

    @staticmethod
    def _insecure_key(entry: str) -> str:
        return re.sub(r"^[a-z]+://", "", entry.strip().lower()).rstrip("/")

    def is_insecure(self, host: str) -> bool:
        """Listed as insecure, by ``host:port`` or by host name alone (any port)."""
        host = host.lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return host in self.insecure or name in self.insecure

    def base_url(self, host: str) -> str:
        return f"{'http' if self.is_insecure(host) else 'https'}://{host}"

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
                transport=self._transport,
                verify=_ssl_context(),
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> "RegistryClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------

    def _send(self, method: str, url: str, headers: dict[str, str], params: dict | None = None) -> httpx.Response:
        self.requests += 1
        try:
            return self.http.request(method, url, headers=headers, params=params)
        except httpx.TimeoutException:
            raise RegistryError(f"{method} {url}: no answer within {self.timeout:g} s", "network") from None
        except httpx.ConnectError as error:
            if isinstance(error.__context__, ssl.SSLError) or "SSL" in str(error) or "certificate" in str(error).lower():
                host = httpx.URL(url).netloc.decode("ascii", "replace")
                raise RegistryError(
                    f"TLS handshake with {host} failed ({error}); if this registry serves plain HTTP, "
                    f"mark it insecure (option insecure-registries = [\"{host}\"])",
                    "tls",
                ) from None
            raise RegistryError(f"cannot connect to {httpx.URL(url).netloc.decode('ascii', 'replace')}: {error}", "network") from None
        except httpx.HTTPError as error:
            raise RegistryError(f"{method} {url}: {error}", "network") from None

    def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        repository: str,
        headers: dict[str, str] | None = None,
        params: dict | None = None,
    ) -> httpx.Response:
        """Send a request (``path`` relative to the registry root, or a full URL on the same host)."""
        url = path if path.startswith(("http://", "https://")) else self.base_url(host) + path
        headers = dict(headers or {})
        key = (host, repository)
        if key in self._authorization:
            headers["Authorization"] = self._authorization[key]
        response = self._send(method, url, headers, params)
        if response.status_code != 401:
            return response
        challenge = parse_challenge(response.headers.get("www-authenticate", ""))
        if challenge is None:
            raise RegistryError(f"{host} answered 401 without a WWW-Authenticate challenge", "auth")
        headers["Authorization"] = self._answer(host, repository, challenge)
        response = self._send(method, url, headers, params)
        if response.status_code == 401:
            creds = self.credentials.get(host)
            again = parse_challenge(response.headers.get("www-authenticate", ""))
            detail = f" ({again.params['error']})" if again and again.params.get("error") else ""
            who = f"the credentials from {creds.source}" if creds else "anonymous access"
            raise RegistryError(f"{host} refused {who} for {repository}{detail}", "auth")
        self._authorization[key] = headers["Authorization"]
        return response

    def _answer(self, host: str, repository: str, challenge: Challenge) -> str:
        creds = self.credentials.get(host)
        if challenge.scheme == "basic":
            if creds is None:
                hint = host_key(host)
                raise RegistryError(
                    f"{host} requires a login (Basic realm {challenge.params.get('realm', '?')!r}) and no credentials "
                    f"for {hint!r} were found in {self.credentials.config_path} or DFIX_REGISTRY_*_USERNAME/_PASSWORD",
                    "auth",
                )
            return creds.basic_header()
        if challenge.scheme == "bearer":
            return "Bearer " + self._token(host, repository, challenge, creds)
        raise RegistryError(f"{host} asks for unsupported authentication {challenge.scheme!r}", "auth")

    def _token(self, host: str, repository: str, challenge: Challenge, creds) -> str:
        realm = challenge.params.get("realm")
        if not realm:
            raise RegistryError(f"{host}: Bearer challenge without a realm", "auth")
        realm_url = httpx.URL(realm)
        if realm_url.scheme == "http":
            realm_host = realm_url.netloc.decode("ascii", "replace")
            if not (self.is_insecure(host) or self.is_insecure(realm_host)):
                raise RegistryError(
                    f"{host} sends tokens from plain-HTTP {realm}; mark {realm_host} insecure to allow it", "tls"
                )
        elif realm_url.scheme != "https":
            raise RegistryError(f"{host}: unusable token realm {realm!r}", "auth")
        scope = challenge.params.get("scope") or f"repository:{repository}:pull"
        service = challenge.params.get("service")
        key = (realm, service, scope, creds.username if creds else None)
        token = self._tokens.get(key)
        if token is not None and token.expires > time.time() + 5:
            return token.value
        params = {"scope": scope}
        if service:
            params["service"] = service
        headers = {"Authorization": creds.basic_header()} if creds else {}
        response = self._send("GET", realm, headers, params)
        if response.status_code in (401, 403):
            who = f"the credentials from {creds.source}" if creds else "anonymous access"
            raise RegistryError(
                f"the token server {realm_url.host} refused {who} for {scope}: {_error_text(response)}", "auth"
            )
        if response.status_code != 200:
            raise RegistryError(f"the token server {realm_url.host} answered {response.status_code}: {_error_text(response)}", "auth")
        try:
            data = response.json()
            value = data.get("token") or data.get("access_token")
            lifetime = float(data.get("expires_in") or 60)
        except (ValueError, AttributeError, TypeError):
            value, lifetime = None, 0.0
        if not value:
            raise RegistryError(f"the token server {realm_url.host} sent no token", "auth")
        self._tokens[key] = Token(str(value), time.time() + lifetime)
        return str(value)

    # -- the Distribution API ---------------------------------------------------------------

    def _fail(self, response: httpx.Response, what: str) -> RegistryError:
        status = response.status_code
        text = _error_text(response) if response.request.method != "HEAD" else response.reason_phrase
        if status == 404:
            return RegistryError(f"{what}: not found ({text})", "not-found")
        if status == 429:
            return RegistryError(f"{what}: rate limited by the registry (429 {text}); try later or log in", "rate-limit")
        if status in (401, 403):
            return RegistryError(f"{what}: access denied ({status} {text})", "auth")
        return RegistryError(f"{what}: the registry answered {status} ({text})", "protocol")

    def manifest_digest(self, host: str, repository: str, reference: str) -> tuple[str, str]:
        """``(digest, media type)`` of a tag or digest: HEAD first, GET when HEAD gives no digest."""
        path = f"/v2/{repository}/manifests/{reference}"
        what = f"{host}/{repository}:{reference}" if not reference.startswith("sha256:") else f"{host}/{repository}@{reference}"
        headers = {"Accept": ACCEPT}
        response = self.request("HEAD", host, path, repository=repository, headers=headers)
        digest = response.headers.get("docker-content-digest", "")
        if response.status_code == 200 and _DIGEST.match(digest):
            return digest, response.headers.get("content-type", "").split(";")[0].strip()
        if response.status_code not in (200, 405) and response.status_code < 500:
            raise self._fail(response, what)
        response = self.request("GET", host, path, repository=repository, headers=headers)
        if response.status_code != 200:
            raise self._fail(response, what)
        body_digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
        header = response.headers.get("docker-content-digest", "")
        digest = header if _DIGEST.match(header) else body_digest
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if not media_type:
            try:
                media_type = str(response.json().get("mediaType") or "")
            except (ValueError, AttributeError):
                media_type = ""
        return digest, media_type

    def list_tags(self, host: str, repository: str, *, page_size: int = 1000, max_pages: int = 50) -> list[str]:
        """Every tag, following ``Link: <...>; rel="next"`` (relative to the request URL) on the same host."""
        url = httpx.URL(f"{self.base_url(host)}/v2/{repository}/tags/list")
        params: dict | None = {"n": str(page_size)}
        tags: list[str] = []
        seen_urls: set[str] = set()
        for _ in range(max_pages):
            response = self.request("GET", host, str(url), repository=repository, params=params)
            if response.status_code != 200:
                raise self._fail(response, f"{host}/{repository} tags")
            try:
                data = response.json()
                page = data.get("tags") or []
            except (ValueError, AttributeError):
                raise RegistryError(f"{host}/{repository} tags: the answer is not JSON", "protocol") from None
            tags.extend(str(tag) for tag in page if isinstance(tag, str))
            match = _LINK_NEXT.search(response.headers.get("link", ""))
            if not match:
                break
            following = response.request.url.join(match.group(1))
            if following.netloc != url.netloc or str(following) in seen_urls:
                break  # never carry credentials to another host; never loop
            seen_urls.add(str(following))
            url, params = following, None
        return list(dict.fromkeys(tags))
