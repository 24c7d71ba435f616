"""Registry credentials and the 401 challenge flow (Basic, and Docker Hub style Bearer tokens).

Credentials, first found wins:

1. ``DFIX_REGISTRY_<HOST>_USERNAME`` / ``_PASSWORD`` (host upper-cased, every
   character other than a letter or digit as ``_``: ``GHCR_IO``, ``127_0_0_1_5000``;
   ``DOCKER_IO`` for Docker Hub);
2. the Docker config (``$DOCKER_CONFIG/config.json``, else
   ``~/.docker/config.json``): ``credHelpers[host]`` or ``credsStore`` (the
   ``docker-credential-<name> get`` program), then ``auths[host]`` with a
   base64 ``auth`` (``user:password``) or ``username``/``password``. Keys are
   matched without scheme or path, so ``https://index.docker.io/v1/`` is Docker Hub.

A 401 names the scheme in ``WWW-Authenticate``. ``Basic``: retry with the
credentials (none known → an error saying where to put them). ``Bearer``: ask
the token server (``realm``) for ``service`` and ``scope`` (anonymously or
with Basic credentials), accept ``token`` or ``access_token``, and keep the
token for its ``expires_in`` (60 s when absent).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import msgspec

from ..patterns import lazy_pattern
from .errors import RegistryError
from .reference import DOCKER_HUB, host_key


class Credentials(msgspec.Struct, frozen=True):
    username: str
    password: str
    #: Where they came from, for messages (never the secret itself).
    source: str = ""

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.password}".encode("utf-8")
        return "Basic " + base64.b64encode(raw).decode("ascii")


def docker_config_path() -> Path:
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def _env_key(host: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", host_key(host).upper())


class CredentialStore:
    """Looks credentials up per registry host (cached for the store's lifetime)."""

    def __init__(self, config_path: str | os.PathLike[str] | None = None, *, helpers: bool = True) -> None:
        self.config_path = Path(config_path) if config_path is not None else docker_config_path()
        self.helpers = helpers
        self._config: dict | None = None
        self._found: dict[str, Credentials | None] = {}

    def _load(self) -> dict:
        if self._config is None:
            try:
                with open(self.config_path, encoding="utf-8") as handle:
                    data = json.load(handle)
                self._config = data if isinstance(data, dict) else {}
            except FileNotFoundError:
                self._config = {}
            except (OSError, ValueError) as error:
                raise RegistryError(f"cannot read the Docker config {self.config_path}: {error}", "auth") from None
        return self._config

    def get(self, host: str) -> Credentials | None:
        key = host_key(host)
        if key not in self._found:
            self._found[key] = self._lookup(key)
        return self._found[key]

    def _lookup(self, key: str) -> Credentials | None:
        env = _env_key(key)
        user, password = os.environ.get(f"DFIX_REGISTRY_{env}_USERNAME"), os.environ.get(f"DFIX_REGISTRY_{env}_PASSWORD")
        if user and password is not None:
            return Credentials(user, password, f"DFIX_REGISTRY_{env}_USERNAME/_PASSWORD")
        config = self._load()
        helpers = config.get("credHelpers") or {}
        helper = None
        if isinstance(helpers, dict):
            helper = next((value for name, value in helpers.items() if host_key(name) == key), None)
        if helper is None and isinstance(config.get("credsStore"), str):
            helper = config["credsStore"]
        if helper and self.helpers:
            found = self._from_helper(helper, key)
            if found is not None:
                return found
        auths = config.get("auths") or {}
        if not isinstance(auths, dict):
            return None
        for name, entry in auths.items():
            if host_key(name) != key or not isinstance(entry, dict):
                continue
            source = f"{self.config_path} auths[{name!r}]"
            if entry.get("auth"):
                try:
                    decoded = base64.b64decode(entry["auth"], validate=False).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    raise RegistryError(f"{source}: `auth` is not base64 of user:password", "auth") from None
                user, colon, password = decoded.partition(":")
                if not colon:
                    raise RegistryError(f"{source}: `auth` does not decode to user:password", "auth")
                return Credentials(user, password, source)
            if entry.get("username") and entry.get("password") is not None:
                return Credentials(str(entry["username"]), str(entry["password"]), source)
        return None

    def _from_helper(self, helper: str, key: str) -> Credentials | None:
        server = "https://index.docker.io/v1/" if key == DOCKER_HUB else key
        program = f"docker-credential-{helper}"
        try:
            done = subprocess.run(
                [program, "get"], input=server, capture_output=True, text=True, timeout=15, check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None  # helper missing or stuck: fall back to `auths`
        if done.returncode != 0:
            return None
        try:
            data = json.loads(done.stdout)
        except ValueError:
            return None
        if not isinstance(data, dict) or not data.get("Secret"):
            return None
        return Credentials(str(data.get("Username") or ""), str(data["Secret"]), program)


# -- challenges -----------------------------------------------------------------------

_PARAM = lazy_pattern(r'\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?')


class Challenge(msgspec.Struct, frozen=True):
    scheme: str  # lower-case: "basic", "bearer"
    params: dict


def parse_challenge(header: str) -> Challenge | None:
    """The first challenge of a ``WWW-Authenticate`` header (registries send one)."""
    header = header.strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if not match or match.end() == position:
            break
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        position = match.end()
    return Challenge(scheme.lower(), params)


class Token(msgspec.Struct):
    value: str
    expires: float
