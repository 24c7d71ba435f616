"""Floating tag → digest → the most specific version tag with the same digest.

``Resolver.resolve("python:latest")`` asks the registry for the digest
``latest`` points at (HEAD with the four manifest types, so a multi-platform
image gives its *index* digest), lists the repository's tags, and compares
digests of candidate tags to find the most specific version tag that is the
same image today (``3.12.7-bookworm``).

Which candidates (``choose_tag``), within ``max-lookups`` digest comparisons:

1. Tags that look like versions (``3``, ``3.12``, ``v1.2.3``, ``3.12.7-bookworm``:
   numbers, an optional ``-suffix``). A floating tag that is itself a version
   (``3``, ``3-alpine``) starts the walk at its own numbers and suffix.
2. A walk down the version tree with the floating tag's suffix (none for
   ``latest``): among tags one level deeper than what matched so far (``3`` →
   ``3.x`` → ``3.12.x``), newest first, at most 6 per level, until one shares
   the digest; then one level deeper again. Official images tag every level,
   so this costs a few lookups instead of one per tag. A named floating tag
   (``alpine``) that finds nothing without a suffix is retried with itself as
   the suffix (``3-alpine`` ...).
3. Suffixed variants of the deepest match (``3.12.7-bookworm``,
   ``3.12.7-slim`` ...), shortest suffix first; the longest that matches wins
   (it says the most: version and distribution).

Each comparison is one cached HEAD. The count of comparisons, not of network
requests, is bounded, so a run from the cache chooses exactly what the
online run chose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

import msgspec

from ..patterns import lazy_pattern
from .cache import Cache
from .errors import RegistryError
from .reference import POLICIES, Reference, parse_reference

if TYPE_CHECKING:  # pragma: no cover
    from .auth import CredentialStore
    from .client import RegistryClient

_VERSION = lazy_pattern(r"v?(\d+(?:\.\d+)*)(?:[-_](.+))?\Z")
_PRERELEASE = lazy_pattern(r"(?i)^(rc|alpha|beta|pre|dev|snapshot|nightly|a\d|b\d|canary|edge|test)")
#: Digest comparisons per level of the version walk.
PER_LEVEL = 6


class Version(msgspec.Struct, frozen=True):
    tag: str
    numbers: tuple[int, ...]
    suffix: str

    @property
    def prerelease(self) -> bool:
        return bool(_PRERELEASE.match(self.suffix))


def version_key(tag: str) -> Version | None:
    """``Version`` for a tag that looks like a version, else None (``latest``, ``bookworm``, ``3.13.0rc1``)."""
    match = _VERSION.match(tag)
    if not match:
        return None
    numbers = tuple(int(part) for part in match.group(1).split("."))
    if len(numbers) == 1 and numbers[0] >= 10_000_000:
        return None  # a date or build number (20240101), not a version line
    return Version(tag, numbers, match.group(2) or "")


class TagChoice(msgspec.Struct, frozen=True):
    #: The most specific tag sharing the digest, or None.
    tag: str | None
    #: Every compared tag that shares it, most specific first.
    sharing: tuple[str, ...]
    #: Tags whose digest was compared.
    checked: int


def _specificity(version: Version) -> tuple:
    return (len(version.numbers), bool(version.suffix), len(version.suffix), version.numbers)


def choose_tag(
    floating: str,
    tags: Iterable[str],
    same: Callable[[str], bool],
    *,
    budget: int = 40,
) -> TagChoice:
    """The most specific version tag for which ``same(tag)`` holds (see the module docstring)."""
    versions = [v for v in (version_key(t) for t in dict.fromkeys(tags) if t != floating) if v is not None]
    results: dict[str, bool] = {}

    def check(version: Version) -> bool | None:
        if version.tag in results:
            return results[version.tag]
        if len(results) >= budget:
            return None
        results[version.tag] = bool(same(version.tag))
        return results[version.tag]

    own = version_key(floating)
    if own is not None:
        starts = [(own.numbers, own.suffix)]
    elif floating == "latest":
        starts = [((), "")]
    else:
        starts = [((), ""), ((), floating)]

    deepest: Version | None = None
    for prefix, suffix in starts:
        while True:
            pool = [
                v for v in versions
                if v.suffix == suffix and len(v.numbers) > len(prefix) and v.numbers[: len(prefix)] == prefix
            ]
            if not pool:
                break
            depth = min(len(v.numbers) for v in pool)
            level = sorted((v for v in pool if len(v.numbers) == depth), key=lambda v: v.numbers, reverse=True)
            hit = None
            for version in level[:PER_LEVEL]:
                answer = check(version)
                if answer is None:
                    break
                if answer:
                    hit = version
                    break
            if hit is None:
                break
            deepest, prefix = hit, hit.numbers
        if deepest is not None:
            break

    base = deepest or own
    if base is not None:
        variants = sorted(
            (
                v for v in versions
                if v.numbers == base.numbers and v.suffix != base.suffix and v.suffix.startswith(base.suffix)
                and not v.prerelease
            ),
            key=lambda v: (len(v.suffix), v.suffix),
        )
        for version in variants:
            if check(version) is None:
                break

    matched = sorted((v for v in versions if results.get(v.tag)), key=_specificity, reverse=True)
    return TagChoice(matched[0].tag if matched else None, tuple(v.tag for v in matched), len(results))


# -- the resolver ----------------------------------------------------------------------------


class ResolverSettings(msgspec.Struct, frozen=True):
    """What a resolver may do (the pinning rules' options map onto these)."""

    #: Answer from the cache only (entries of any age); a miss is an ``offline`` error.
    offline: bool = False
    #: Hosts (``host`` or ``host:port``) reached over plain HTTP.
    insecure_registries: tuple[str, ...] = ()
    #: Seconds a cached answer stays fresh.
    cache_ttl: float = 6 * 3600
    #: Cache folder (None: ``$DFIX_CACHE_DIR`` or the platform's user cache folder).
    cache_dir: str | None = None
    #: The registry for unqualified names (None: Docker Hub).
    default_registry: str | None = None
    #: Digest comparisons to find a version tag.
    max_lookups: int = 40
    #: Seconds per request.
    timeout: float = 10.0


class Resolution(msgspec.Struct, frozen=True):
    """What a floating reference is today."""

    #: The reference asked about (its ``tag`` is the one looked up, ``latest`` when none was written).
    reference: Reference
    #: The digest of that tag (the index digest for a multi-platform image).
    digest: str
    media_type: str
    #: The most specific version tag sharing the digest (None: none found).
    tag: str | None = None
    sharing: tuple[str, ...] = ()
    checked: int = 0
    total_tags: int = 0
    #: Every answer came from the cache; ``age`` is the oldest one's age in seconds.
    cached: bool = False
    age: float = 0.0

    @property
    def multi_platform(self) -> bool:
        return "index" in self.media_type or "manifest.list" in self.media_type

    def pinned(self, policy: str) -> str | None:
        """The reference rewritten by ``policy``; None when ``tag`` needs a version tag and none was found."""
        if policy == "digest":
            return self.reference.with_tag(None, self.digest)
        if policy == "tag+digest":
            return self.reference.with_tag(self.tag or self.reference.effective_tag, self.digest)
        if policy == "tag":
            return self.reference.with_tag(self.tag) if self.tag else None
        raise ValueError(f"unknown policy {policy!r} (expected one of {', '.join(POLICIES)})")

    def explain(self) -> str:
        """Why this choice, in one clause: same digest, how many tags share it, how much was looked at."""
        short = self.digest[:19] + "…"
        kind = "multi-platform index " if self.multi_platform else ""
        parts = [f"same {kind}digest {short}"]
        if self.tag:
            parts.append(f"the most specific of {len(self.sharing)} version tag{'s' if len(self.sharing) != 1 else ''} found sharing it")
            parts.append(f"{self.checked} of {self.total_tags} tags compared")
        if self.cached:
            parts.append(f"cached {_age(self.age)} ago")
        return ", ".join(parts)


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


class Resolver:
    """Resolves references with a disk cache, and an in-memory one for the run."""

    def __init__(
        self,
        settings: ResolverSettings | None = None,
        *,
        client: RegistryClient | None = None,
        cache: Cache | None = None,
        credentials: CredentialStore | None = None,
    ) -> None:
        self.settings = settings or ResolverSettings()
        self.cache = cache if cache is not None else Cache(self.settings.cache_dir, self.settings.cache_ttl)
        self._client = client
        self._credentials = credentials
        self._memo: dict[str, tuple[object, float | None]] = {}
        self._resolutions: dict[tuple[str, bool], Resolution | RegistryError] = {}

    @property
    def client(self) -> RegistryClient:
        if self._client is None:
            # The HTTP client (httpx, TLS) is loaded only when an answer is not in the cache.
            from .client import RegistryClient

            self._client = RegistryClient(
                insecure=self.settings.insecure_registries,
                credentials=self._credentials,
                timeout=self.settings.timeout,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def reference(self, text: str) -> Reference:
        return parse_reference(text, self.settings.default_registry)

    # -- cached primitives --------------------------------------------------------------------

    def _cached(self, key: str, fetch: Callable[[], object], what: str) -> tuple[object, float | None]:
        """``(value, age)``; age is None for a fresh network answer."""
        if key in self._memo:
            return self._memo[key]
        if self.settings.offline:
            entry = self.cache.get(key, stale_ok=True)
            if entry is None:
                raise RegistryError(f"offline, and {what} is not in the cache ({self.cache.folder})", "offline")
            found = (entry.value, entry.age())
        else:
            entry = self.cache.get(key)
            if entry is not None:
                found = (entry.value, entry.age())
            else:
                value = fetch()
                self.cache.put(key, value)
                found = (value, None)
        self._memo[key] = found
        return found

    def digest(self, reference: Reference, tag: str | None = None) -> tuple[str, str, float | None]:
        """``(digest, media type, cache age)`` of ``tag`` (default: the reference's effective tag)."""
        tag = tag or reference.effective_tag
        key = f"digest {reference.host}/{reference.repository}:{tag}"
        value, age = self._cached(
            key,
            lambda: list(self.client.manifest_digest(reference.host, reference.repository, tag)),
            f"the digest of {reference.with_tag(tag)}",
        )
        digest, media_type = value  # type: ignore[misc]
        return str(digest), str(media_type), age

    def tags(self, reference: Reference) -> tuple[list[str], float | None]:
        key = f"tags {reference.host}/{reference.repository}"
        value, age = self._cached(
            key, lambda: self.client.list_tags(reference.host, reference.repository), f"the tag list of {reference.name}"
        )
        return [str(tag) for tag in value], age  # type: ignore[union-attr]

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, reference: str | Reference, *, find_tag: bool = True) -> Resolution:
        """The digest of the reference's tag and (``find_tag``) the most specific version tag sharing it."""
        if isinstance(reference, str):
            reference = self.reference(reference)
        key = (f"{reference.host}/{reference.repository}:{reference.effective_tag}", find_tag)
        known = self._resolutions.get(key)
        if isinstance(known, RegistryError):
            raise known
        if known is not None:
            return known
        try:
            result = self._resolve(reference, find_tag)
        except RegistryError as error:
            self._resolutions[key] = error
            raise
        self._resolutions[key] = result
        return result

    def _resolve(self, reference: Reference, find_tag: bool) -> Resolution:
        floating = reference.effective_tag
        looked_up = Reference(reference.host, reference.repository, floating, None, reference.name)
        digest, media_type, age = self.digest(looked_up)
        ages = [age]
        if not find_tag:
            return Resolution(looked_up, digest, media_type, cached=age is not None, age=age or 0.0)
        tags, tags_age = self.tags(looked_up)
        ages.append(tags_age)

        def same(tag: str) -> bool:
            try:
                other, _, other_age = self.digest(looked_up, tag)
            except RegistryError as error:
                if error.kind == "not-found":  # listed but gone since: not a match
                    return False
                raise
            ages.append(other_age)
            return other == digest

        choice = choose_tag(floating, tags, same, budget=self.settings.max_lookups)
        cached = all(a is not None for a in ages)
        return Resolution(
            looked_up, digest, media_type, choice.tag, choice.sharing, choice.checked, len(tags),
            cached=cached, age=max((a for a in ages if a is not None), default=0.0),
        )
