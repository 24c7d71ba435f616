"""Base-image lookups over the OCI Distribution API (issue 5: pinning base images).

``Resolver(settings).resolve("python:latest")`` finds the digest a floating
tag points at today and the most specific version tag that shares it; every
answer is cached on disk (``cache.py``). ``RegistryError`` is the one error
this package raises: rules turn it into a DF004 notice, never a crash.

* ``reference.py``: image references as Docker normalizes them (Docker Hub's
  ``docker.io`` → ``registry-1.docker.io``, the ``library/`` prefix).
* ``auth.py``: credentials (``DOCKER_CONFIG``/``~/.docker/config.json``,
  ``DFIX_REGISTRY_<HOST>_USERNAME``/``_PASSWORD``), Basic and Bearer-token
  challenges.
* ``client.py``: an httpx client: HTTPS unless the registry is marked
  insecure, the 401 challenge flow, errors made readable.
* ``cache.py``: one JSON file per answer, atomic writes, a TTL.
* ``resolve.py``: floating tag → digest → most specific version tag.

The resolver and its cache are loaded when first used (module ``__getattr__``):
the pinning rules are loaded by every check, but ask a registry only when
told to, so a check that does not never imports them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import RegistryError
from .reference import POLICIES, Reference, parse_reference

if TYPE_CHECKING:  # pragma: no cover
    from .cache import Cache
    from .resolve import Resolution, Resolver, ResolverSettings, choose_tag, version_key

__all__ = [
    "POLICIES",
    "Cache", "RegistryError", "Reference", "Resolution", "Resolver", "ResolverSettings", "choose_tag", "parse_reference",
    "version_key",
]

#: Where each name loaded on first use lives.
_LAZY = {
    "Cache": ".cache",
    **dict.fromkeys(["Resolution", "Resolver", "ResolverSettings", "choose_tag", "version_key"], ".resolve"),
}


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
