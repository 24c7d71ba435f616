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
"""

from .cache import Cache
from .errors import RegistryError
from .reference import Reference, parse_reference
from .resolve import POLICIES, Resolution, Resolver, ResolverSettings, choose_tag, version_key

__all__ = [
    "POLICIES",
    "Cache", "RegistryError", "Reference", "Resolution", "Resolver", "ResolverSettings", "choose_tag", "parse_reference",
    "version_key",
]
