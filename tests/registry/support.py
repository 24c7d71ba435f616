"""A real registry on loopback for the pinning tests: server, image pusher, token server, paging proxy.

``RegistryServer`` runs Debian's ``/usr/bin/docker-registry`` (CNCF
distribution 2.8) with a config written here (registry.md §1, §5): a free
port on 127.0.0.1, storage in a temp folder, ``REGISTRY_*`` scrubbed from its
environment. ``Pusher`` uploads blobs and manifests with plain HTTP API calls.
``TokenServer`` is a Docker Hub style token endpoint (ES256 JWTs whose
``x5c`` header carries a self-signed certificate that the registry trusts as
its ``rootcertbundle``). ``PagingProxy`` adds the ``n``/``last`` tag
pagination with ``Link`` headers that 2.8 lacks.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

REGISTRY_BINARY = "/usr/bin/docker-registry"
USER, PASSWORD = "dfix", "dfix-test-password"
#: Made once with ``crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32))`` (bcrypt cost 5);
#: a constant because Python's ``crypt`` is gone in 3.13 (registry.md §7.12).
HTPASSWD_LINE = f"{USER}:$2b$05$TVJ0QeLYFi6H47jfGpAWluqF2L114rcPAt4/maUA.opRrnLfEfXyi\n"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj: dict) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


# -- the registry -----------------------------------------------------------------------------


class RegistryServer:
    """One ``docker-registry serve`` process; ``auth`` is the config's ``auth:`` YAML (or None)."""

    def __init__(self, folder: Path, auth: str | None = None) -> None:
        self.folder = folder
        self.auth = auth
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def _config(self) -> Path:
        storage = self.folder / "storage"
        text = (
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            f"http:\n  addr: {self.host}\n  secret: dfix-test-not-secret\n"
        )
        if self.auth:
            text += self.auth
        path = self.folder / "config.yml"
        path.write_text(text)
        return path

    def start(self, port: int | None = None) -> "RegistryServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        for attempt in range(5):
            self.port = port or free_port()
            config = self._config()
            log = open(self.folder / "registry.log", "ab")
            self.process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(config)], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )
            log.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break  # lost the port race, or a bad config: retry / report
                try:
                    status = httpx.get(f"{self.url}/v2/", timeout=1).status_code
                    if status in (200, 401):
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.01)
            self.stop()
            if port:
                break
        tail = (self.folder / "registry.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"docker-registry did not start:\n{tail}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            self.process = None


# -- pushing images ------------------------------------------------------------------------------


@dataclass
class Pusher:
    """Pushes with plain Distribution API calls; ``auth`` is an httpx auth or a header dict maker."""

    base: str
    auth: httpx.Auth | None = None
    token_for: object = None  # callable(name) -> bearer token, for token-auth registries
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def _headers(self, name: str) -> dict:
        if self.token_for is not None:
            return {"Authorization": f"Bearer {self.token_for(name)}"}
        return {}

    def blob(self, name: str, data: bytes) -> str:
        digest = sha256(data)
        headers = self._headers(name)
        if self.client.head(f"{self.base}/v2/{name}/blobs/{digest}", headers=headers, auth=self.auth).status_code == 200:
            return digest
        started = self.client.post(f"{self.base}/v2/{name}/blobs/uploads/", headers=headers, auth=self.auth)
        assert started.status_code == 202, started.text
        location = started.headers["location"]
        if location.startswith("/"):
            location = self.base + location
        sep = "&" if "?" in location else "?"
        done = self.client.put(
            f"{location}{sep}{urlencode({'digest': digest})}", content=data,
            headers={**headers, "Content-Type": "application/octet-stream"}, auth=self.auth,
        )
        assert done.status_code == 201, done.text
        return digest

    def manifest(self, name: str, body: bytes, media_type: str, *refs: str) -> str:
        for ref in refs:
            response = self.client.put(
                f"{self.base}/v2/{name}/manifests/{ref}", content=body,
                headers={**self._headers(name), "Content-Type": media_type}, auth=self.auth,
            )
            assert response.status_code == 201, (ref, response.text)
        return sha256(body)

    def image(self, name: str, seed: str, *tags: str, docker: bool = False, platform=("linux", "amd64")) -> tuple[bytes, str]:
        """A one-layer image manifest; returns (body, digest). Pushed by digest, then per tag."""
        config = canonical({"architecture": platform[1], "os": platform[0], "rootfs": {"type": "layers", "diff_ids": []}, "seed": seed})
        layer = f"layer {seed}".encode()
        config_digest, layer_digest = self.blob(name, config), self.blob(name, layer)
        media = DOCKER_MANIFEST if docker else OCI_MANIFEST
        body = canonical({
            "schemaVersion": 2, "mediaType": media,
            "config": {"mediaType": DOCKER_CONFIG_TYPE if docker else OCI_CONFIG, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": DOCKER_LAYER if docker else OCI_LAYER, "digest": layer_digest, "size": len(layer)}],
        })
        digest = self.manifest(name, body, media, sha256(body), *tags)
        return body, digest

    def index(self, name: str, seed: str, *tags: str, docker: bool = False) -> dict:
        """A two-platform index (OCI, or a Docker manifest list); returns the digests."""
        children = {}
        entries = []
        for arch in ("amd64", "arm64"):
            body, digest = self.image(name, f"{seed}-{arch}", docker=docker, platform=("linux", arch))
            children[arch] = digest
            entries.append({
                "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST, "digest": digest, "size": len(body),
                "platform": {"architecture": arch, "os": "linux"},
            })
        media = DOCKER_LIST if docker else OCI_INDEX
        body = canonical({"schemaVersion": 2, "mediaType": media, "manifests": entries})
        return {"index": self.manifest(name, body, media, *tags), **children}


def push_catalogue(pusher: Pusher) -> dict:
    """The test images (see test_pinning.py); returns their digests by name."""
    d = {}
    d["python"] = pusher.index("library/python", "py-3.12.7", "latest", "3", "3.12", "3.12.7", "3.12.7-bookworm", "bookworm")
    d["python-3.13"] = pusher.index("library/python", "py-3.13.0", "3.13", "3.13.0", "3.13.0-bookworm", "rc")
    d["python-slim"] = pusher.index("library/python", "py-3.12.7-slim", "3-slim", "3.12-slim", "3.12.7-slim", "3.12.7-slim-bookworm", "slim")
    d["python-3.12.6"] = pusher.index("library/python", "py-3.12.6", "3.12.6", "3.12.6-bookworm")
    d["python-3.11"] = pusher.index("library/python", "py-3.11.9", "3.11", "3.11.9", "3.11.9-bookworm")
    # the amd64 child of latest, tagged on its own: a platform manifest, not the index
    pusher.manifest("library/python", *_child(pusher, "library/python", "py-3.12.7-amd64"), "3.12.7-bookworm-amd64")
    d["alpine"] = pusher.index("library/alpine", "alpine-3.20.3", "latest", "3", "3.20", "3.20.3", docker=True)
    pusher.index("library/alpine", "alpine-3.19.4", "3.19", "3.19.4", docker=True)
    d["app"] = pusher.image("myorg/app", "app-1.4.2", "latest", "1", "1.4", "1.4.2")[1]
    pusher.image("myorg/app", "app-1.3.0", "1.3", "1.3.0")
    d["legacy"] = pusher.image("myorg/legacy", "legacy-2.0.1", "latest", "2.0.1", docker=True)[1]
    d["nover"] = pusher.image("library/nover", "nover", "latest", "edge")[1]
    return d


def _child(pusher: Pusher, name: str, seed: str) -> tuple[bytes, str]:
    body, _ = pusher.image(name, seed, platform=("linux", "amd64"))
    return body, OCI_MANIFEST


# -- a Docker Hub style token server ------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """``GET /token?service=&scope=``: anonymous pull of ``library/*``; everything with the right Basic login."""

    service = "registry.dfix.test"
    issuer = "dfix-test-token-issuer"

    def __init__(self, folder: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dfix test token issuer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2)).sign(self.key, hashes.SHA256())
        )
        self.cert_path = folder / "rootcert.pem"
        folder.mkdir(parents=True, exist_ok=True)
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._der = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        #: (path+query, Authorization header or None, status) of every request.
        self.requests: list[tuple[dict, str | None, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                status, body = server.answer(query, self.headers.get("Authorization"))
                server.requests.append((query, self.headers.get("Authorization"), status))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def auth_yaml(self) -> str:
        return (
            f"auth:\n  token:\n    realm: {self.realm}\n    service: {self.service}\n"
            f"    issuer: {self.issuer}\n    rootcertbundle: {self.cert_path}\n"
        )

    def start(self) -> "TokenServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, query: dict, authorization: str | None) -> tuple[int, dict]:
        user = None
        if authorization:
            scheme, _, value = authorization.partition(" ")
            given_user, _, given_password = base64.b64decode(value).decode().partition(":")
            if scheme.lower() != "basic" or (given_user, given_password) != (USER, PASSWORD):
                return 401, {"details": "incorrect username or password"}
            user = given_user
        access = []
        for scope in query.get("scope", []):
            for one in scope.split(" "):
                kind, _, rest = one.partition(":")
                name, _, actions = rest.rpartition(":")
                allowed = [a for a in actions.split(",") if a and (user or (a == "pull" and name.startswith("library/")))]
                access.append({"type": kind, "name": name, "actions": allowed})
        return 200, self.token(user or "", access)

    def token(self, subject: str, access: list, lifetime: int = 300) -> dict:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self._der]}
        claims = {
            "iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + lifetime, "nbf": now - 10,
            "iat": now, "jti": uuid.uuid4().hex, "access": access,
        }
        signing_input = f"{_b64url(canonical(header))}.{_b64url(canonical(claims))}"
        r, s = decode_dss_signature(self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        token = f"{signing_input}.{_b64url(signature)}"
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat()
        return {"token": token, "access_token": token, "expires_in": lifetime, "issued_at": issued}


# -- tag pagination in front of 2.8 -------------------------------------------------------------------


class PagingProxy:
    """Forwards to a registry; answers ``/v2/<name>/tags/list`` in sorted pages of ``n`` with a relative ``Link``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.pages: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self, method):
                parts = urlsplit(self.path)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                if parts.path.endswith("/tags/list"):
                    proxy.pages.append(self.path)
                    query = parse_qs(parts.query)
                    upstream = httpx.get(proxy.upstream + parts.path, headers=headers, timeout=10)
                    data = upstream.json()
                    tags = sorted(data.get("tags") or [])
                    last = query.get("last", [""])[0]
                    n = int(query.get("n", ["100"])[0])
                    rest = [t for t in tags if t > last]
                    page = rest[:n]
                    body = json.dumps({"name": data["name"], "tags": page}).encode()
                    self.send_response(upstream.status_code)
                    if len(rest) > n:
                        self.send_header("Link", f'<{parts.path}?{urlencode({"last": page[-1], "n": n})}>; rel="next"')
                else:
                    upstream = httpx.request(method, proxy.upstream + self.path, headers=headers, timeout=10)
                    body = upstream.content
                    self.send_response(upstream.status_code)
                    for key, value in upstream.headers.items():
                        if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "content-encoding"):
                            self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                self._forward("GET")

            def do_HEAD(self):
                self._forward("HEAD")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "PagingProxy":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
