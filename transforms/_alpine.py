"""Which Alpine release a base image reference shows, for fixes that need a newer ``apk``.

``apk add --no-cache`` arrived in apk-tools 2.6.6, first shipped with Alpine
3.3 (January 2016). apk-tools 2.6.0 (Alpine 3.2) ignores options it does not
know, so on ``alpine:3.2`` a ``--update`` swapped for ``--no-cache`` simply
disappears and the install then runs without a package index. A fix that
relies on a newer apk is therefore only safe where the base image's
reference proves the release; this module reads that proof from the
reference alone (no registry is asked).

What counts as proof, checked against how the images are published:

* the official ``alpine`` image (also under an architecture namespace such
  as ``arm64v8/alpine``): its tag is the release (``3.18``, ``3.9.4``); ``3``,
  ``latest``, ``edge``, a date-stamped edge snapshot (``20230901``), no tag,
  or a digest alone follow the newest release;
* an Alpine 3 release written the way official images write it, in any
  tag: ``python:3.12-alpine3.19``, ``golang:1.10-alpine3.7``; and the
  release tags of community Alpine images (``gliderlabs/alpine:3.4``,
  ``frolvlad/alpine-glibc:alpine-3.8``, ``multiarch/alpine:armhf-v3.7``).
  ``zabbix/zabbix-proxy-mysql:alpine-4.2.5`` names the application's
  version, not Alpine's: a separated number elsewhere proves nothing;
* an official image's ``-alpine`` variant without a release
  (``node:20-alpine``, ``ruby:alpine``): Docker's official images gained
  Alpine variants in 2016, on Alpine 3.3 or newer, and a tag is rebuilt on
  newer releases for as long as it is maintained; likewise the ``latest``
  (or no) tag of an official image built on Alpine only (``docker``).

Anything else is unknown: a tag that is a build argument, an image that is
Alpine-based without saying which release (``mhart/alpine-node:6``,
``docker:1.9-dind``, a private base), ``scratch``.
"""

from __future__ import annotations

import re

import msgspec

from dfix.engine import Context
from dfix.patterns import lazy_pattern
from dfix.syntax import ImageRef, Instruction

from ._base_images import facts_for

__all__ = ["AlpineRelease", "alpine_release", "base_release", "NO_CACHE_SINCE"]

#: The first Alpine release whose apk knows ``--no-cache`` (apk-tools 2.6.6).
NO_CACHE_SINCE = (3, 3)

#: Docker Hub namespaces that hold the official images built for one architecture.
_ARCH_NAMESPACES = frozenset({"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "ppc64le", "riscv64", "s390x", "mips64le", "library"})
#: Community images whose tag is an Alpine release number (``gliderlabs/alpine:3.4``).
_RELEASE_TAGGED = frozenset({
    "gliderlabs/alpine", "lsiobase/alpine", "nimmis/alpine", "blacklabelops/alpine", "appcelerator/alpine",
    "dsop/alpine-base", "frolvlad/alpine-glibc",
})

#: ``alpine3.19`` as official tags write it (Alpine 3 only: ``alpine4.2`` is some other version).
_RELEASE_IN_TAG = lazy_pattern(r"alpine(3)\.(\d+)(?!\d)", re.IGNORECASE)
#: ``alpine-3.8`` in the tags of the community Alpine images.
_SEPARATED_RELEASE = lazy_pattern(r"alpine[-_]v?(\d+)\.(\d+)", re.IGNORECASE)
_ARCH_RELEASE_TAG = lazy_pattern(r"(?:^|-)v(\d+)\.(\d+)(?:$|[-.])")
_RELEASE_TAG = lazy_pattern(r"^v?(\d+)(?:\.(\d+))?(?:\.\d+)*(?:$|-)")
_SNAPSHOT_TAG = lazy_pattern(r"^\d{8}$")


class AlpineRelease(msgspec.Struct, frozen=True):
    """What a reference says about the Alpine release it runs.

    ``version`` is ``(3, 18)`` when the reference names the release;
    ``newest`` is set when it follows the newest release instead (``latest``,
    ``edge``, an official ``-alpine`` tag without a number).
    """

    version: tuple[int, int] | None = None
    newest: bool = False

    def at_least(self, version: tuple[int, int]) -> bool | None:
        """True or False when the reference proves it; None when it cannot say."""
        if self.version is not None:
            return self.version >= version
        return True if self.newest else None


UNKNOWN = AlpineRelease()


def _official_name(image: ImageRef) -> str | None:
    """The repository of an official Docker Hub image (``alpine``, ``arm64v8/alpine`` → ``alpine``), else None."""
    if image.registry not in (None, "docker.io", "index.docker.io", "registry-1.docker.io"):
        return None
    parts = image.repository.lower().split("/")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[0] in _ARCH_NAMESPACES:
        return parts[1]
    return None


def alpine_release(image: ImageRef | None) -> AlpineRelease:
    """The Alpine release ``image`` proves (see the module docstring); `UNKNOWN` when it proves none."""
    if image is None or image.has_variables or image.is_scratch:
        return UNKNOWN
    tag = (image.tag or "").lower()
    named = _RELEASE_IN_TAG.search(tag)
    if named:
        return AlpineRelease(version=(int(named.group(1)), int(named.group(2))))
    official = _official_name(image)
    repository = image.repository.lower()
    if repository in _RELEASE_TAGGED:
        separated = _SEPARATED_RELEASE.search(tag)
        if separated:
            return AlpineRelease(version=(int(separated.group(1)), int(separated.group(2))))
    if official == "alpine" or repository in _RELEASE_TAGGED:
        if not tag or tag in ("latest", "edge") or _SNAPSHOT_TAG.match(tag):
            return AlpineRelease(newest=True)
        release = _RELEASE_TAG.match(tag)
        if release is None:
            return UNKNOWN
        major, minor = int(release.group(1)), release.group(2)
        if minor is None:
            # `alpine:3` follows the newest 3.x; `alpine:2` never existed as a usable tag
            return AlpineRelease(newest=True) if major >= 3 else AlpineRelease(version=(major, 0))
        return AlpineRelease(version=(major, int(minor)))
    if repository == "multiarch/alpine":
        release = _ARCH_RELEASE_TAG.search(tag)
        if release:
            return AlpineRelease(version=(int(release.group(1)), int(release.group(2))))
        return AlpineRelease(newest=True) if tag.endswith(("-edge", "-latest-stable")) else UNKNOWN
    if official is not None and "alpine" in tag:
        return AlpineRelease(newest=True)
    if official not in (None, "busybox") and tag in ("", "latest") and facts_for(official).family == "alpine":
        return AlpineRelease(newest=True)
    return UNKNOWN


def base_release(context: Context, instruction: Instruction) -> AlpineRelease:
    """The Alpine release of the image ``instruction``'s stage is built on, through in-file parent stages."""
    info = context.stage_of(instruction)
    if info is None:
        return UNKNOWN
    return alpine_release(context.root_stage(info).stage.base)
