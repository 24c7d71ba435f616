"""Which old Debian or Ubuntu release a base image is built on, read from its reference.

Debian 8 (jessie) and Ubuntu 15.10 and older, the releases before Debian 9
and Ubuntu 16.04, packaged some things differently, and a fix must know:
their ``python-pip`` predates pip 6 (no ``--no-cache-dir``), and their
``libc6-dev`` recommends a C compiler (so headers alone brought ``gcc``).

The release is read from the official ``debian`` and ``ubuntu`` images by
tag (``8``, ``jessie-slim``, ``14.04``, ``trusty-20190515``), and from images
named after them that keep the release as their tag
(``nunchuk/aliyun-ubuntu:14.04``), the deprecated
official ``java`` image (jessie and wheezy only), ``node`` 0.x, 5 and 7
(jessie; 4 and 6 were jessie for part of their life, so the answer is not
certain there), ``phusion/baseimage`` 0.9.9 to 0.9.18 (trusty), and any image
whose tag names a codename (``buildpack-deps:jessie``, ``python:2.7-jessie``).
An image that tells nothing is taken to be recent.
"""

from __future__ import annotations

from dfix.patterns import lazy_pattern

from ._base_images import split_reference

__all__ = ["old_release"]

#: The old releases, by codename.
_OLD_CODENAMES = {
    "squeeze": "Debian 6", "wheezy": "Debian 7", "jessie": "Debian 8",
    "lucid": "Ubuntu 10.04", "precise": "Ubuntu 12.04", "quantal": "Ubuntu 12.10", "raring": "Ubuntu 13.04",
    "saucy": "Ubuntu 13.10", "trusty": "Ubuntu 14.04", "utopic": "Ubuntu 14.10", "vivid": "Ubuntu 15.04",
    "wily": "Ubuntu 15.10",
}
_CODENAME = lazy_pattern(r"(?:^|[-_.])(" + "|".join(_OLD_CODENAMES) + r")(?:$|[-_.\d])")
_DEBIAN_NUMBER = lazy_pattern(r"^(\d+)(?:\.\d+)*(?:$|-)")
_UBUNTU_NUMBER = lazy_pattern(r"^(\d+)\.(\d+)(?:$|[-.])")


def old_release(reference: str | None) -> tuple[str, bool] | None:
    """("Debian 8", certain) when the image is, or may be, built on an old release (see the module), else None.

    ``certain`` is false for an image whose tag was built on such a release
    for part of its life only (``node:6`` was jessie, then stretch).
    """
    if not reference:
        return None
    repository, _, tag = split_reference(reference)
    tag = tag or ""
    named = _CODENAME.search(tag)
    if named:
        return _OLD_CODENAMES[named.group(1)], True
    name = repository.rsplit("/", 1)[-1] if repository.startswith(("library/", "docker.io/")) else repository
    if name == "java":
        return "Debian 8", True  # the official java image, deprecated in 2017, was built on jessie and wheezy
    # the official images, and others named after them that keep the release as the tag
    # (`nunchuk/aliyun-ubuntu:14.04`, a mirror's re-tagged copy)
    last = name.rsplit("/", 1)[-1]
    if name == "debian" or "debian" in last:
        number = _DEBIAN_NUMBER.match(tag)
        if number and int(number.group(1)) <= 8:
            return f"Debian {number.group(1)}", True
    if name == "ubuntu" or "ubuntu" in last:
        number = _UBUNTU_NUMBER.match(tag)
        if number and int(number.group(1)) < 16:
            return f"Ubuntu {number.group(1)}.{number.group(2)}", True
    if name == "node":
        major = _NODE_MAJOR.match(tag)
        if major and major.group(1) in _NODE_ON_JESSIE:
            return "Debian 8", _NODE_ON_JESSIE[major.group(1)]
    if name == "phusion/baseimage":
        minor = _PHUSION_0_9.match(tag)
        if minor and int(minor.group(1)) <= 18:
            return "Ubuntu 14.04", True  # phusion/baseimage 0.9.9 to 0.9.18 are built on trusty
    return None


#: node images by major version whose default tags were built on jessie: always (true), or for a while (false).
_NODE_ON_JESSIE = {"0": True, "5": True, "7": True, "4": False, "6": False}
_NODE_MAJOR = lazy_pattern(r"^(\d+)(?:\.|$|-(?!.*(?:stretch|buster|bullseye|bookworm|alpine)))")
_PHUSION_0_9 = lazy_pattern(r"^0\.9\.(\d+)$")
