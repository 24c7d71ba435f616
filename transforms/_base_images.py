"""Offline facts about common base images: distro family, default user, shipped accounts.

rules.md §0.3 asks for a base-image facts table versioned with dfix. This is
the part the user rules (DF400/DF401) need: which distro family an image
belongs to (so the right account tools are used), which user it runs as by
default, which accounts it ships, whether it has a shell and account tools,
and whether its own default process needs root (a daemon that binds a
privileged port and drops privileges itself). Everything here is a fact of
the *official* image as published; an image not in the table, or a tag
whose variant is ambiguous, gets "unknown" facts, and rules then fall back
to what the Dockerfile's own commands show (`family_from_commands`).

Choices worth knowing (checked against the images' own Dockerfiles):

* **Account tools.** Debian/Ubuntu always ship ``groupadd``/``useradd``
  (the ``passwd`` package is required priority). Alpine and BusyBox ship
  BusyBox ``addgroup``/``adduser``. Full RHEL-family images (CentOS, Fedora,
  Rocky, Alma, Oracle Linux, UBI standard) ship ``shadow-utils``; the
  *minimal* ones (``ubi-minimal``, ``*-minimal``, ``oraclelinux:*-slim``,
  ``fedora-minimal``, ``ubi-micro``) and Amazon Linux do not, so a user can
  only be created there when the Dockerfile installs ``shadow-utils`` (or
  already runs ``useradd``). SUSE images: unknown (BCI base lacks
  ``useradd``), same rule.
* **Distroless** (``gcr.io/distroless/*``) ships ``nonroot`` (65532); the
  ``:nonroot``/``:debug-nonroot`` tags already run as it, the others run as
  root and have no account tools, so only a numeric ``USER 65532:65532``
  can be added. ``scratch`` has no ``/etc/passwd``; a numeric USER still works.
* **Chainguard** (``cgr.dev/chainguard/*``) images run as ``nonroot``
  (65532), ``-dev`` variants included (their docs switch to ``USER root``
  to install packages); ``wolfi-base`` runs as root and is apk/BusyBox.
* **Shipped app users** are only reused when the image means apps to run as
  them: ``node`` (1000) in ``node``, ``app`` (1654) in .NET 8+ images,
  ``www-data`` in ``php`` (33 on Debian, 82 on Alpine: the same account on
  both, so PHP apps run as the user their web server would use). Accounts
  such as ``www-data`` in ``debian`` or ``ubuntu`` exist but are not offered.
* **Root-dropping**: the default process of nginx, httpd, the databases
  (postgres, mysql, mariadb, mongo, redis, rabbitmq ...), php's apache/fpm
  variants, s6/runit init images starts as root and drops privileges
  itself, or binds port 80; adding a USER breaks them. .NET < 8 runtime
  images listen on port 80 (``ASPNETCORE_URLS=http://+:80``) unless the file
  sets that ENV.
"""

from __future__ import annotations

import re
from typing import Mapping

import msgspec

from dfix.patterns import lazy_pattern

#: Bump when a fact changes (reports may quote it).
FACTS_VERSION = "2025.08.3"

#: Families (rules.md §0.3).
FAMILIES = ("debian", "alpine", "rhel", "suse", "distroless", "scratch", "windows", "unknown")


class ImageFacts(msgspec.Struct, frozen=True):
    """What is known about one base image; ``None`` means unknown."""

    #: The table entry that matched (``python``, ``gcr.io/distroless``), or ``""``.
    key: str = ""
    family: str = "unknown"
    #: The user the image runs as: ``"root"``, a USER value (``"65532:65532"``, ``"jenkins"``), or None.
    default_user: str | None = None
    #: Accounts the image ships: name → ``uid:gid``.
    users: Mapping[str, str] = msgspec.field(default_factory=dict)
    #: A shipped account meant to run the application (``node``), if any.
    app_user: str | None = None
    #: Has ``/bin/sh``.
    shell: bool | None = None
    #: ``"shadow"`` (groupadd/useradd), ``"busybox"`` (addgroup/adduser), ``""`` (none), None (unknown).
    account_tool: str | None = None
    #: Why the image's own default process needs root, if it does.
    needs_root: str | None = None
    #: A privileged port the image's own configuration listens on, and the ENV that sets it.
    port: int | None = None
    port_env: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.key)

    @property
    def default_non_root(self) -> bool:
        """Known to run as a non-root user unless the Dockerfile says otherwise."""
        return self.default_user is not None and not is_root_user(self.default_user)


UNKNOWN = ImageFacts()

_ROOT = lazy_pattern(r"^(root|0)(:.*)?$")


def is_root_user(value: str) -> bool:
    """``root``, ``0``, ``root:*``, ``0:*``."""
    return bool(_ROOT.match(value.strip()))


# -- the table ---------------------------------------------------------------------

_DEB = dict(family="debian", default_user="root", shell=True, account_tool="shadow")
_ALP = dict(family="alpine", default_user="root", shell=True, account_tool="busybox")
_RHEL = dict(family="rhel", default_user="root", shell=True, account_tool="shadow")
_RHEL_MINIMAL = dict(family="rhel", default_user="root", shell=True, account_tool="")
_NONROOT_65532 = {"nonroot": "65532:65532"}

_NGINX = "nginx's master process starts as root (to bind port 80) and drops to its worker user"
_HTTPD = "httpd starts as root (to bind port 80) and drops to its worker user"
_DB = "the image's entrypoint starts as root and drops privileges itself (gosu/su-exec)"
_INIT = "the image's init (s6/runit/my_init) starts as root and drops privileges per service"
_DIND = "Docker-in-Docker needs root"


class _Entry(msgspec.Struct, frozen=True):
    """A table row: base facts plus variant rules keyed on the tag."""

    facts: ImageFacts
    #: ``alpine`` in the tag → Alpine (with these shipped users, if given).
    alpine_variant: bool = True
    alpine_users: Mapping[str, str] | None = None


def _e(key: str, base: dict, *, alpine_variant: bool = True, alpine_users: Mapping[str, str] | None = None, **extra) -> _Entry:
    return _Entry(ImageFacts(key=key, **{**base, **extra}), alpine_variant, alpine_users)


#: Docker Hub official images (``library/``) and a few well-known others, by repository name.
_TABLE: dict[str, _Entry] = {
    entry.facts.key: entry
    for entry in (
        # distributions
        _e("debian", _DEB, alpine_variant=False),
        _e("ubuntu", _DEB, alpine_variant=False),
        _e("buildpack-deps", _DEB, alpine_variant=False),
        _e("bitnami/minideb", _DEB, alpine_variant=False),
        _e("stackbrew/ubuntu", _DEB, alpine_variant=False),
        _e("ros", _DEB, alpine_variant=False),
        _e("rocker/r-ver", _DEB, alpine_variant=False),
        _e("kalilinux/kali-linux-docker", _DEB, alpine_variant=False),
        _e("kalilinux/kali-rolling", _DEB, alpine_variant=False),
        _e("anapsix/alpine-java", _ALP),
        _e("multiarch/alpine", _ALP),
        _e("alpine", _ALP),
        _e("busybox", _ALP),
        _e("gliderlabs/alpine", _ALP),
        _e("frolvlad/alpine-glibc", _ALP),
        _e("mhart/alpine-node", _ALP),
        _e("centos", _RHEL, alpine_variant=False),
        _e("quay.io/centos/centos", _RHEL, alpine_variant=False),
        _e("fedora", _RHEL, alpine_variant=False),
        _e("rockylinux", _RHEL, alpine_variant=False),
        _e("rockylinux/rockylinux", _RHEL, alpine_variant=False),
        _e("almalinux", _RHEL, alpine_variant=False),
        _e("oraclelinux", _RHEL, alpine_variant=False),
        _e("amazonlinux", _RHEL_MINIMAL, alpine_variant=False),
        _e("opensuse/leap", dict(family="suse", default_user="root", shell=True), alpine_variant=False),
        _e("opensuse/tumbleweed", dict(family="suse", default_user="root", shell=True), alpine_variant=False),
        _e("opensuse", dict(family="suse", default_user="root", shell=True), alpine_variant=False),
        # languages (Debian by default, `-alpine` variants)
        _e("python", _DEB),
        _e("node", _DEB, users={"node": "1000:1000"}, app_user="node"),
        _e("golang", _DEB),
        _e("ruby", _DEB),
        _e("php", _DEB, users={"www-data": "33:33"}, alpine_users={"www-data": "82:82"}, app_user="www-data"),
        _e("perl", _DEB),
        _e("elixir", _DEB),
        _e("erlang", _DEB),
        _e("haskell", _DEB),
        _e("rust", _DEB),
        _e("r-base", _DEB, alpine_variant=False),
        _e("julia", _DEB),
        _e("mono", _DEB),
        _e("java", _DEB),
        _e("openjdk", _DEB),
        _e("eclipse-temurin", _DEB),
        _e("adoptopenjdk", _DEB),  # adoptopenjdk/openjdk8, adoptopenjdk/openjdk11 ... too
        _e("amazoncorretto", _RHEL_MINIMAL),
        _e("maven", _DEB),
        _e("gradle", _DEB),
        _e("tomcat", _DEB),
        _e("clojure", _DEB),
        _e("continuumio/miniconda3", _DEB, alpine_variant=False),
        _e("continuumio/miniconda", _DEB, alpine_variant=False),
        _e("continuumio/anaconda3", _DEB, alpine_variant=False),
        _e("google/cloud-sdk", _DEB),
        # servers whose default process needs root
        _e("nginx", _DEB, users={"nginx": "101:101"}, needs_root=_NGINX),
        _e("openresty/openresty", _DEB, needs_root=_NGINX),
        _e("httpd", _DEB, users={"www-data": "33:33"}, needs_root=_HTTPD),
        _e("postgres", _DEB, users={"postgres": "999:999"}, alpine_users={"postgres": "70:70"}, needs_root=_DB),
        _e("mysql", dict(family="unknown", default_user="root", shell=True), users={"mysql": "999:999"}, needs_root=_DB),
        _e("mariadb", _DEB, alpine_variant=False, users={"mysql": "999:999"}, needs_root=_DB),
        _e("redis", _DEB, users={"redis": "999:999"}, needs_root=_DB),
        _e("mongo", _DEB, alpine_variant=False, users={"mongodb": "999:999"}, needs_root=_DB),
        _e("rabbitmq", _DEB, users={"rabbitmq": "999:999"}, needs_root=_DB),
        _e("cassandra", _DEB, alpine_variant=False, needs_root=_DB),
        _e("couchdb", _DEB, alpine_variant=False, needs_root=_DB),
        _e("zookeeper", _DEB, alpine_variant=False, needs_root=_DB),
        _e("wordpress", _DEB, needs_root=_HTTPD),
        _e("drupal", _DEB, needs_root=_HTTPD),
        _e("nextcloud", _DEB, needs_root=_HTTPD),
        _e("ghost", _DEB, needs_root=_DB),
        _e("phusion/baseimage", _DEB, alpine_variant=False, needs_root=_INIT),
        _e("phusion/passenger-full", _DEB, alpine_variant=False, needs_root=_INIT),
        _e("lsiobase/alpine", _ALP, needs_root=_INIT),
        _e("docker", _ALP, needs_root=_DIND),
        _e("traefik", _ALP, needs_root="traefik binds ports 80/443 by default"),
        # images that already run as a non-root user
        _e("nginxinc/nginx-unprivileged", _DEB, default_user="101", users={"nginx": "101:101"}),
        _e("memcached", _DEB, default_user="memcache", users={"memcache": "11211:11211"}),
        _e("haproxy", _DEB, default_user="haproxy", users={"haproxy": "99:99"}),
        _e("jenkins/jenkins", _DEB, default_user="jenkins", users={"jenkins": "1000:1000"}),
        _e("jenkins", _DEB, default_user="jenkins", users={"jenkins": "1000:1000"}),
        _e("grafana/grafana", _ALP, default_user="472", users={"grafana": "472:0"}),
        _e("sonarqube", _DEB, default_user="sonarqube"),
        _e("solr", _DEB, default_user="solr"),
        _e("docker.elastic.co/elasticsearch/elasticsearch", _RHEL, default_user="1000:0", alpine_variant=False),
        _e("docker.elastic.co/kibana/kibana", _RHEL, default_user="1000:0", alpine_variant=False),
        _e("docker.elastic.co/logstash/logstash", _RHEL, default_user="1000:0", alpine_variant=False),
        # jupyter/* and quay.io/jupyter/* (docker-stacks: NB_USER=jovyan, NB_UID=1000, NB_GID=100)
        _e("jupyter", _DEB, default_user="jovyan", users={"jovyan": "1000:100"}, alpine_variant=False),
        _e("circleci", _DEB, default_user="circleci", alpine_variant=False),  # circleci/* and cimg/*
        _e("cimg", _DEB, default_user="circleci", alpine_variant=False),
        # no-shell images
        _e("gcr.io/distroless", dict(family="distroless", default_user="root", shell=False, account_tool=""),
           alpine_variant=False, users=_NONROOT_65532),
        _e("cgr.dev/chainguard", dict(family="distroless", default_user="65532", shell=False, account_tool=""),
           alpine_variant=False, users=_NONROOT_65532),
        _e("cgr.dev/chainguard/wolfi-base", _ALP, alpine_variant=False),
        # Red Hat UBI
        _e("registry.access.redhat.com/ubi", _RHEL, alpine_variant=False),
    )
}

#: Repository prefixes whose images share one row (``jupyter/scipy-notebook``).
_PREFIXES = ("gcr.io/distroless", "cgr.dev/chainguard", "jupyter", "quay.io/jupyter", "circleci", "cimg", "adoptopenjdk")

_DEBIAN_TAG = lazy_pattern(r"(^|-)(slim|buster|bullseye|bookworm|trixie|stretch|jessie|wheezy|sid|focal|jammy|noble|bionic|xenial|trusty)(-|$)")
_WINDOWS_TAG = lazy_pattern(r"(windowsservercore|nanoserver|ltsc20\d\d|servercore)")
_RHEL_TAG = lazy_pattern(r"(^|-)(oraclelinux\d*|oracle|ubi\d*|centos\d*|rockylinux\d*|amazonlinux\d*|al2023|al2|fedora)(-|$)")
_MINIMAL_TAG = lazy_pattern(r"(^|-)(minimal|slim|micro)(-|$)")
#: node tags from before the images had a `node` account: 0.10, 0.12 and 5.x.
_NODE_BEFORE_USER = lazy_pattern(r"^(0|5)(\.|$|-)")
_MAJOR = lazy_pattern(r"^(\d+)")


def _normalise(repository: str, registry: str | None) -> str:
    name = repository.lower()
    host = (registry or "").lower()
    if host in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
        if name.startswith("library/"):
            name = name[len("library/") :]
        return name
    return f"{host}/{name}"


def split_reference(text: str) -> tuple[str, str | None, str]:
    """``(name, registry, tag)`` of an image reference, tolerating ``${VAR}`` in the tag.

    The name is lower-cased, without ``docker.io/library/``; the tag is
    ``""`` when absent. A name that holds a variable comes back as ``""``.
    """
    rest = text.split("@", 1)[0]
    registry = None
    first, slash, remainder = rest.partition("/")
    if slash and (any(c in first for c in ".:") or first == "localhost"):
        registry, rest = first, remainder
    # `${VAR:-default}` holds a colon that is not the tag separator
    masked = re.sub(r"\$\{[^}]*\}", lambda m: "$" * len(m.group()), rest)
    tag = ""
    colon = masked.find(":", masked.rfind("/") + 1)
    if colon >= 0:
        rest, tag = rest[:colon], rest[colon + 1 :]
    if "$" in rest or (registry and "$" in registry):
        return "", None, tag
    return _normalise(rest, registry), registry, tag


def facts_for(reference: str) -> ImageFacts:
    """Facts about the image ``reference`` (``python:3.12-slim``, ``gcr.io/distroless/static:nonroot``).

    ``scratch`` is its own family. Unknown images (and references whose
    name is a build argument) give `UNKNOWN`.
    """
    if reference.strip().lower() == "scratch":
        return ImageFacts(key="scratch", family="scratch", default_user="root", shell=False, account_tool="")
    name, _registry, tag = split_reference(reference.strip())
    if not name:
        return UNKNOWN
    tag = tag.lower()
    if _WINDOWS_TAG.search(tag) or name.startswith(("mcr.microsoft.com/windows", "microsoft/windowsservercore", "microsoft/nanoserver")):
        return ImageFacts(key=name, family="windows", default_user=None, shell=False, account_tool="")
    if name.startswith(("mcr.microsoft.com/dotnet", "microsoft/dotnet", "microsoft/aspnetcore")):
        return _dotnet(name, tag)
    if name.startswith(("registry.access.redhat.com/", "registry.redhat.io/", "redhat/")) and "ubi" in name:
        return _ubi(name)
    if name == "nvidia/cuda":
        return _by_distro_tag("nvidia/cuda", tag)
    entry = _TABLE.get(name)
    if entry is None:
        prefix = next((p for p in _PREFIXES if name.startswith(p + "/")), None)
        if prefix is not None:
            entry = _TABLE[prefix.replace("quay.io/", "")]
    if entry is None:
        return UNKNOWN
    facts = entry.facts
    if facts.key == "gcr.io/distroless":
        nonroot = "nonroot" in tag
        return msgspec.structs.replace(facts, key=name, default_user="65532:65532" if nonroot else "root", shell="debug" in tag)
    if facts.key == "php" and ("apache" in tag or "fpm" in tag):
        facts = msgspec.structs.replace(facts, needs_root="php's apache/fpm variants start as root and drop to www-data")
    if entry.alpine_variant and "alpine" in tag:
        users = dict(entry.alpine_users if entry.alpine_users is not None else facts.users)
        return msgspec.structs.replace(facts, family="alpine", account_tool="busybox", users=users)
    if name in ("openjdk", "java", "amazoncorretto", "maven", "gradle", "tomcat", "eclipse-temurin", "mysql"):
        return _java_like(facts, name, tag)
    if facts.family == "rhel" and _MINIMAL_TAG.search(tag):
        return msgspec.structs.replace(facts, account_tool="")
    if facts.key == "node" and _NODE_BEFORE_USER.match(tag):
        # the `node` account came to the images in November 2016; 0.x and 5.x tags were built before it
        return msgspec.structs.replace(facts, users={}, app_user=None)
    return facts


def _java_like(facts: ImageFacts, name: str, tag: str) -> ImageFacts:
    """JDK/JRE images change distro by tag: Debian/Ubuntu, Oracle Linux, UBI, Amazon Linux."""
    if _DEBIAN_TAG.search(tag) or "debian" in tag:
        return msgspec.structs.replace(facts, family="debian", account_tool="shadow")
    if _RHEL_TAG.search(tag) or "corretto" in tag:
        minimal = bool(_MINIMAL_TAG.search(tag)) or any(word in tag for word in ("oracle", "corretto", "amazon", "al2"))
        return msgspec.structs.replace(facts, family="rhel", account_tool="" if minimal else "shadow")
    if name == "amazoncorretto":
        return facts
    if name in ("openjdk", "java"):
        # openjdk 6-11 defaulted to Debian; 12+ to Oracle Linux (slim, no shadow-utils).
        major = _MAJOR.match(tag)
        if not tag or tag == "latest":
            return msgspec.structs.replace(facts, family="unknown", account_tool=None)
        if major and int(major.group(1)) >= 12:
            return msgspec.structs.replace(facts, family="rhel", account_tool="")
        return facts
    if name == "mysql":
        return facts  # Oracle Linux or Debian depending on version; the entrypoint needs root anyway
    return facts  # eclipse-temurin, maven, gradle, tomcat: Ubuntu by default


def _ubi(name: str) -> ImageFacts:
    """UBI: standard images ship shadow-utils; ``-minimal`` (microdnf) and ``-micro`` do not."""
    minimal = "minimal" in name or "micro" in name
    return ImageFacts(key=name, **(_RHEL_MINIMAL if minimal else _RHEL))


def _dotnet(name: str, tag: str) -> ImageFacts:
    """.NET images: 8+ ship ``app`` (1654); the runtime images before 8 listen on port 80."""
    major = _MAJOR.match(tag)
    version = int(major.group(1)) if major else None
    if "alpine" in tag:
        base: dict = dict(_ALP)
    elif "mariner" in tag or "azurelinux" in tag:
        base = dict(_RHEL_MINIMAL)
    else:
        base = dict(_DEB)
    modern = version is not None and version >= 8
    users = {"app": "1654:1654"} if modern else {}
    if "chiseled" in tag or "distroless" in tag:
        return ImageFacts(key=name, family="distroless", default_user="1654" if modern else None, users=users,
                          shell=False, account_tool="")
    port = 80 if version is not None and version < 8 and "sdk" not in name else None  # ASPNETCORE_URLS=http://+:80
    return ImageFacts(key=name, users=users, app_user="app" if modern else None, port=port,
                      port_env=("ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "URLS", "HTTP_PORTS"), **base)


def _by_distro_tag(key: str, tag: str) -> ImageFacts:
    """Images whose tag names the distro (``nvidia/cuda:12.2.0-runtime-ubuntu22.04``)."""
    if "ubuntu" in tag or "debian" in tag:
        return ImageFacts(key=key, **_DEB)
    if "ubi" in tag or "centos" in tag or "rockylinux" in tag:
        return ImageFacts(key=key, **_RHEL)
    return ImageFacts(key=key, family="unknown", default_user="root", shell=True)


# -- the family from the commands a Dockerfile runs -----------------------------------------

#: Package managers and what they say about the family.
COMMAND_FAMILIES: dict[str, str] = {
    "apt-get": "debian", "apt": "debian", "aptitude": "debian", "dpkg": "debian", "dpkg-reconfigure": "debian",
    "apk": "alpine",
    "yum": "rhel", "dnf": "rhel", "dnf5": "rhel", "microdnf": "rhel", "tdnf": "rhel", "rpm": "rhel",
    "zypper": "suse",
}


def family_from_commands(names: set[str]) -> str:
    """The family the commands ``names`` point at, ``"unknown"`` when none or several."""
    families = {COMMAND_FAMILIES[name] for name in names if name in COMMAND_FAMILIES}
    if "rhel" in families and "debian" in families and "rpm" in names and not names & {"yum", "dnf", "microdnf", "tdnf", "dnf5"}:
        families.discard("rhel")  # `rpm` on Debian (alien, rpm2cpio) is not an RHEL sign
    return families.pop() if len(families) == 1 else "unknown"
