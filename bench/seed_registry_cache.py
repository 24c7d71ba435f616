"""Seed dfix's registry cache with made-up, deterministic answers, so the pinning rules can run offline.

The pinning rules (DF300 base-image-untagged, DF301 base-image-latest, DF302
base-image-not-digest-pinned) ask a registry what a floating tag is today.
There is no network in CI, so the benches and tests that prove those fixes
on real Dockerfiles (issue 5) seed a cache folder first and then run dfix
with ``offline = true`` and ``cache-dir`` pointing at it: every answer comes
from the cache, and a lookup the cache cannot answer is a DF004 notice, never
a network request.

What gets seeded is found by the rules themselves: ``PinningRule.lookups``
walks the same ``base_images`` (stage names, ``scratch``, ARG defaults
evaluated) and the same ``applies``/``lookup_text`` as ``check``. The answers
are written by dfix's own ``Resolver``, which is handed a
:class:`FabricatedRegistry` instead of the HTTP client: it resolves every
reference once, online against the fake, and its cache writes are exactly the
entries (keys, values, format) an offline run reads back, including the
digest comparisons of the version-tag walk, which is deterministic.

The fake registry answers every repository alike:

* tags ``latest 0.9 1 1.1 1.2 1.2.2 1.2.3 1.2.3-seeded 2.0.0-rc1``;
* ``latest``, ``1``, ``1.2``, ``1.2.3`` and ``1.2.3-seeded`` share one
  multi-platform index digest, ``sha256(<host>/<repository>)``; every other
  tag has its own (``sha256(<host>/<repository>:<tag>)``);

so ``python`` and ``python:latest`` pin to ``python:1.2.3-seeded`` (the most
specific version tag sharing the digest, found by the resolver's walk
``1`` → ``1.2`` → ``1.2.3`` → its suffixed variant). The suffix ``seeded``
names no distribution, so the base-image facts of the user rules (DF400,
DF401) read the pinned tag as they would read a plain version.

Usage as a script: ``python bench/seed_registry_cache.py CACHE_DIR [PATHS...]``
(folders are searched for ``Dockerfile``); it prints what it seeded.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import msgspec

import dfix
from dfix.engine import Context, make_rules
from dfix.registry import RegistryError, Resolver

#: The pinning rules' codes; DF302 is off by default (a policy choice).
PINNING_CODES = ("DF300", "DF301", "DF302")
DEFAULT_PINNING = ("DF300", "DF301")
#: What the fake registry lists for every repository.
TAGS = ("latest", "0.9", "1", "1.1", "1.2", "1.2.2", "1.2.3", "1.2.3-seeded", "2.0.0-rc1")
#: The tags that share ``latest``'s digest.
SHARING = frozenset({"latest", "1", "1.2", "1.2.3", "1.2.3-seeded"})
#: The tag ``latest`` resolves to.
PINNED_TAG = "1.2.3-seeded"
INDEX = "application/vnd.oci.image.index.v1+json"


def fabricated_digest(host: str, repository: str, tag: str) -> str:
    key = f"{host}/{repository}" if tag in SHARING else f"{host}/{repository}:{tag}"
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class FabricatedRegistry:
    """Stands in for ``dfix.registry.client.RegistryClient``: deterministic answers, no network."""

    def __init__(self) -> None:
        self.requests = 0

    def manifest_digest(self, host: str, repository: str, reference: str) -> tuple[str, str]:
        self.requests += 1
        # any tag exists (DF302 asks about written ones, python:3.12), each with its own digest
        return fabricated_digest(host, repository, reference), INDEX

    def list_tags(self, host: str, repository: str) -> list[str]:
        self.requests += 1
        return list(TAGS)

    def close(self) -> None:
        pass


def pinning_settings(cache_dir: str | Path, codes: Iterable[str] = DEFAULT_PINNING, **options: object) -> dict[str, dict]:
    """``settings`` for ``dfix.fix``/``make_rules``: the pinning rules resolve, offline, from ``cache_dir``."""
    return {code: {"resolve": True, "offline": True, "cache-dir": str(cache_dir), **options} for code in codes}


def lookups(text: str, settings: dict[str, dict], path: str | None = None) -> list[tuple[str, str, bool]]:
    """``(rule code, reference, finds_tag)`` for every lookup the pinning rules in ``settings`` make on ``text``.

    A text BuildKit refuses has none (dfix does not fix it either).
    """
    try:
        tree = dfix.parse(text, path)
    except dfix.ParseError:
        return []
    context = Context(tree, path)
    rules = make_rules(select=[code for code in settings if code in PINNING_CODES], settings=settings)
    return [(rule.code, ref, rule.finds_tag) for rule in rules for ref in rule.lookups(context)]


@dataclass
class SeedReport:
    """What :func:`seed` did."""

    #: Distinct ``(rule code, reference)`` pairs resolved.
    resolved: int = 0
    #: Cache entries the resolver wrote (requests to the fake registry).
    entries: int = 0
    #: References the resolver refuses before any lookup (``Ubuntu``: no upper case in repositories), with why.
    refused: dict[str, str] = field(default_factory=dict)
    #: What each resolved reference pins to under the default policy.
    pinned: dict[str, str] = field(default_factory=dict)


def seed(cache_dir: str | Path, wanted: Iterable[tuple[str, str, bool]], settings: dict[str, dict]) -> SeedReport:
    """Resolve every ``(code, reference, finds_tag)`` against the fake registry, caching in ``cache_dir``.

    Each rule's own resolver settings are used (offline switched off, so the
    answers are fetched from the fake and cached), so the cache keys and the
    version-tag walk are exactly those of the offline run.
    """
    report = SeedReport()
    registry = FabricatedRegistry()
    rules = {rule.code: rule for rule in make_rules(select=list(settings), settings=settings) if rule.code in PINNING_CODES}
    resolvers: dict[object, Resolver] = {}
    for code, reference, finds_tag in sorted(set(wanted)):
        rule = rules[code]
        resolver_settings = msgspec.structs.replace(rule.resolver_settings(), offline=False, cache_dir=str(cache_dir))
        resolver = resolvers.get(resolver_settings)
        if resolver is None:
            resolver = resolvers[resolver_settings] = Resolver(resolver_settings, client=registry)  # type: ignore[arg-type]
        try:
            resolution = resolver.resolve(reference, find_tag=finds_tag)
        except RegistryError as error:
            report.refused[reference] = str(error)
            continue
        report.resolved += 1
        report.pinned[reference] = resolution.pinned("tag") or resolution.pinned("digest") or reference
    report.entries = registry.requests
    return report


def seed_for_files(
    cache_dir: str | Path, paths: Iterable[str | Path], settings: dict[str, dict] | None = None, jobs: int = 1
) -> SeedReport:
    """Seed ``cache_dir`` for everything the pinning rules in ``settings`` (default DF300, DF301) look up in ``paths``."""
    settings = settings or pinning_settings(cache_dir)
    args = [(str(path), settings) for path in paths]
    if jobs > 1 and len(args) > 50:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:  # no fork: see hadolint_compare.pool_of
            found = pool.map(_lookups_of_file, args, chunksize=32)
    else:
        found = [_lookups_of_file(arg) for arg in args]
    return seed(cache_dir, (item for items in found for item in items), settings)


def _lookups_of_file(arg: tuple[str, dict[str, dict]]) -> list[tuple[str, str, bool]]:
    path, settings = arg
    return lookups(dfix.read_dockerfile(path), settings, path)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache_dir")
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--select", default=",".join(DEFAULT_PINNING), help="pinning rules to seed for (DF300,DF301,DF302)")
    parser.add_argument("--jobs", type=int, default=1)
    options = parser.parse_args(argv)
    files: list[Path] = []
    for path in options.paths:
        files.extend(sorted(path.rglob("Dockerfile")) if path.is_dir() else [path])
    codes = [code.strip() for code in options.select.split(",") if code.strip()]
    report = seed_for_files(options.cache_dir, files, pinning_settings(options.cache_dir, codes), options.jobs)
    print(f"{len(files)} files: {report.resolved} references resolved, {report.entries} cache entries written "
          f"to {options.cache_dir}, {len(report.refused)} refused")
    for reference, why in sorted(report.refused.items()):
        print(f"  refused {reference}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
