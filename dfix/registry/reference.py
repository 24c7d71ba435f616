"""Image references, normalized as Docker does (distribution's ``reference/normalize.go``).

``python`` is ``docker.io/library/python:latest``; a first path component is a
registry host only when it holds ``.`` or ``:`` or is ``localhost``. Docker
Hub's API lives at ``registry-1.docker.io``. A *default registry* (a test
registry, a mirror) can stand in for Docker Hub: unqualified names then go
there, still with the ``library/`` prefix for single-component names.
"""

from __future__ import annotations

import re

import msgspec

from ..patterns import lazy_pattern
from .errors import RegistryError

DOCKER_HUB = "docker.io"
#: How a floating reference can be pinned: to a version tag, to its digest, or to both.
POLICIES = ("tag", "digest", "tag+digest")
DOCKER_HUB_API = "registry-1.docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})

# distribution's reference grammar (reference/regexp.go)
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = lazy_pattern(rf"{_COMPONENT}(?:/{_COMPONENT})*\Z")
_TAG = lazy_pattern(r"[\w][\w.-]{0,127}\Z")
_DIGEST = lazy_pattern(r"sha256:[0-9a-f]{64}\Z")
_HOST = lazy_pattern(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?\Z")


def is_hub(host: str) -> bool:
    return host.lower() in _HUB_ALIASES


class Reference(msgspec.Struct, frozen=True):
    """A normalized reference: where to ask (``host``) and what (``repository``, ``tag``/``digest``)."""

    #: The API host with its port (``registry-1.docker.io``, ``ghcr.io``, ``127.0.0.1:5000``).
    host: str
    #: The repository path on that host (``library/python``).
    repository: str
    tag: str | None = None
    digest: str | None = None
    #: The name as written (``python``, ``ghcr.io/o/app``), for messages and rewritten references.
    name: str = ""

    @property
    def is_hub(self) -> bool:
        return self.host == DOCKER_HUB_API

    @property
    def effective_tag(self) -> str:
        """The tag a pull uses: ``latest`` when neither tag nor digest is given."""
        return self.tag or "latest"

    def with_tag(self, tag: str | None, digest: str | None = None) -> str:
        """The reference text (in the user's spelling of the name) with ``tag`` and ``digest``."""
        text = self.name
        if tag:
            text += f":{tag}"
        if digest:
            text += f"@{digest}"
        return text

    def __str__(self) -> str:
        return self.with_tag(self.tag, self.digest)


def parse_reference(text: str, default_registry: str | None = None) -> Reference:
    """Split and normalize ``text``; raises :class:`RegistryError` for a name no registry serves."""
    rest = text.strip()
    digest = None
    if "@" in rest:
        rest, _, digest = rest.partition("@")
        if not _DIGEST.match(digest):
            raise RegistryError(f"invalid digest {digest!r} in {text!r} (expected sha256: and 64 hex digits)", "reference")
    name = rest
    tag = None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        name, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.match(tag):
            raise RegistryError(f"invalid tag {tag!r} in {text!r}", "reference")
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, repository = first, remainder
        if not _HOST.match(host):
            raise RegistryError(f"invalid registry host {host!r} in {text!r}", "reference")
        if is_hub(host):
            host = DOCKER_HUB_API
            if "/" not in repository:
                repository = f"library/{repository}"
    else:
        host, repository = (default_registry or DOCKER_HUB_API), name
        if is_hub(host):
            host = DOCKER_HUB_API
        if "/" not in repository:
            repository = f"library/{repository}"
    if not _REPOSITORY.match(repository):
        raise RegistryError(
            f"invalid repository name {repository!r} in {text!r} (lower-case letters, digits and separators only)",
            "reference",
        )
    return Reference(host, repository, tag, digest, name)


def host_key(host: str) -> str:
    """A credentials/config key for a host: scheme and path dropped, Docker Hub's aliases as ``docker.io``."""
    host = re.sub(r"^[a-z]+://", "", host.strip(), flags=re.I).split("/", 1)[0].lower()
    return DOCKER_HUB if is_hub(host) else host
