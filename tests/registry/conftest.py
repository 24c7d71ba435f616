"""Fixtures: real registries on loopback (no auth, Basic, Bearer token), isolated cache and Docker config.

Every test here runs against Debian's ``docker-registry`` started on
127.0.0.1; nothing reaches the internet. Without the binary the tests skip
with a reason, except under ``CI=true``, where they fail: a missing install
step must not give a green run that tested nothing (registry.md §6).
"""

from __future__ import annotations

import base64
import functools
import json
import os
from pathlib import Path

import httpx
import pytest

from .support import HTPASSWD_LINE, PASSWORD, REGISTRY_BINARY, USER, Pusher, RegistryServer, TokenServer, push_catalogue


def _require_binary() -> None:
    if not os.access(REGISTRY_BINARY, os.X_OK):
        message = f"{REGISTRY_BINARY} is missing (apt-get install docker-registry; .ci/run does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the user's cache, Docker credentials, proxies or DFIX_* settings."""
    monkeypatch.setenv("DFIX_CACHE_DIR", str(tmp_path / "dfix-cache"))
    docker_config = tmp_path / "docker-config"
    docker_config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config))
    for key in list(os.environ):
        if key.startswith("DFIX_REGISTRY_") or key == "DFIX_OFFLINE" or key.lower().endswith("_proxy"):
            monkeypatch.delenv(key)
    return docker_config


@pytest.fixture()
def docker_config(_isolated):
    """Write ``config.json`` into the test's DOCKER_CONFIG folder: ``docker_config({"auths": ...})``."""

    def write(data: dict) -> Path:
        path = _isolated / "config.json"
        path.write_text(json.dumps(data))
        return path

    return write


def auth_entry(user: str = USER, password: str = PASSWORD) -> dict:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """A registry without auth holding the catalogue of test images (support.push_catalogue)."""
    _require_binary()
    server = RegistryServer(tmp_path_factory.mktemp("registry")).start()
    try:
        server.digests = push_catalogue(Pusher(server.url))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def basic_registry(tmp_path_factory):
    """A registry behind htpasswd (bcrypt) Basic auth holding ``team/app``."""
    _require_binary()
    folder = tmp_path_factory.mktemp("basic-registry")
    htpasswd = folder / "htpasswd"
    htpasswd.write_text(HTPASSWD_LINE)
    server = RegistryServer(folder, f"auth:\n  htpasswd:\n    realm: dfix-test-realm\n    path: {htpasswd}\n").start()
    try:
        assert httpx.get(f"{server.url}/v2/").status_code == 401
        pusher = Pusher(server.url, auth=httpx.BasicAuth(USER, PASSWORD))
        server.digests = {
            "app": pusher.image("team/app", "team-2.1.0", "latest", "2", "2.1", "2.1.0")[1],
            "python": pusher.index("library/python", "py-3.12.7", "latest", "3.12", "3.12.7")["index"],
        }
        pusher.image("team/app", "team-2.0.0", "2.0", "2.0.0")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory):
    """A registry with Docker Hub style token auth; ``.tokens`` is its token server (requests recorded)."""
    _require_binary()
    folder = tmp_path_factory.mktemp("token-registry")
    tokens = TokenServer(folder / "token").start()
    server = RegistryServer(folder, tokens.auth_yaml()).start()
    try:

        @functools.lru_cache(maxsize=None)
        def push_token(name: str) -> str:
            answer = httpx.get(
                tokens.realm, params={"service": tokens.service, "scope": f"repository:{name}:pull,push"},
                auth=(USER, PASSWORD),
            )
            return answer.json()["token"]

        pusher = Pusher(server.url, token_for=push_token)
        server.digests = {
            "python": pusher.index("library/python", "py-3.12.7", "latest", "3", "3.12", "3.12.7", "3.12.7-bookworm")["index"],
            "private": pusher.image("private/app", "private-5.0.1", "latest", "5", "5.0", "5.0.1")[1],
        }
        pusher.index("library/python", "py-3.13.0", "3.13", "3.13.0")
        server.tokens = tokens
        tokens.requests.clear()
        yield server
    finally:
        server.stop()
        tokens.stop()


@pytest.fixture()
def fresh_registry(tmp_path):
    """A registry of its own (the test may stop it) holding ``library/python`` (latest = 3.12.7-bookworm)."""
    _require_binary()
    server = RegistryServer(tmp_path / "own-registry").start()
    try:
        pusher = Pusher(server.url)
        server.digests = {"python": pusher.index("library/python", "py-3.12.7", "latest", "3", "3.12", "3.12.7", "3.12.7-bookworm")}
        pusher.index("library/python", "py-3.13.0", "3.13", "3.13.0")
        yield server
    finally:
        server.stop()
