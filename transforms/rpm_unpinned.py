"""DF232 rpm-unpinned: ``yum``/``dnf``/``microdnf`` install without versions (hadolint's DL3033, DL3041)."""

from __future__ import annotations


from dfix.engine import Invalid, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, Word

from ._unpinned import PinSyntax, UnpinnedRule, ends_with_any

#: ``name-version`` or ``name-version-release`` (``.arch`` and an ``epoch:`` allowed): the last
#: dash-separated part starts with a digit. ``java-11-openjdk`` is a name; ``nginx-1.24.0`` and
#: ``java-11-openjdk-11.0.20.0.8-1.el8`` are pinned.
_VERSIONED = lazy_pattern(r".+-(?:\d+:)?\d[^-]*$")


def _rpm_pinned(text: str) -> bool:
    return _VERSIONED.fullmatch(text) is not None


#: ``nginx-1.24.0``; a module as ``nodejs:18``; an ``.rpm`` file or URL names one exact package.
#: ``@group`` and ``@module`` names are no packages (groups have no versions).
RPM = PinSyntax(
    how="`package-<version>`",
    pinned=_rpm_pinned,
    exact=ends_with_any(".rpm"),
    skip=lambda text: text.startswith("@"),
)
MODULE = PinSyntax(how="`module:<stream>`", pinned=lambda text: ":" in text)


class RpmUnpinned(UnpinnedRule):
    """``yum``/``dnf``/``microdnf`` install of packages without a version: each rebuild may differ.

    **What** (hadolint's DL3033 for ``yum``, DL3041 for ``dnf``/``microdnf``):
    ``install`` naming a package that is not ``name-version[-release]``
    (``.rpm`` files and URLs count as pinned), and ``module install`` of a
    module without ``:stream``. Also ``dnf5`` and ``tdnf``. A version from a
    variable counts (``nginx-${NGINX_VERSION}``).

    **Why.** Without a version the image gets whatever the repositories
    serve on the day of the build.

    **Fix:** none (report only): the version to write is the author's
    choice, and a pin fails once the repository drops that build.

    **Where dfix and hadolint differ**, on purpose:

    * hadolint counts a word as pinned when any dash-separated part after
      the name starts with a digit, so ``java-11-openjdk`` or
      ``python3.11-devel``-like names with a numbered part pass; dfix asks
      for the version at the end, where rpm reads it (``java-11-openjdk``
      is a name and is reported);
    * ``@group`` words and ``groupinstall`` name groups, which have no
      versions: not reported (hadolint reports ``@group``);
    * ``sudo``/``env`` wrappers and ``dnf5``/``tdnf`` are read; a package
      list in a variable is judged by the value ENV/ARG give it.

    One finding per command, naming its unpinned packages (hadolint: one per RUN).
    """

    code = "DF232"
    name = "rpm-unpinned"
    summary = "`yum`/`dnf` install without package versions"
    aliases = ("DL3033", "DL3041")
    syntax = RPM

    valid = (
        Valid("FROM rockylinux:9\nRUN dnf install -y nginx-1.20.1 java-11-openjdk-11.0.20.0.8-1.el8\n"),
        Valid("FROM centos:7\nRUN yum install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-7.noarch.rpm\n",
              "an rpm URL names one exact package"),
        Valid('FROM centos:7\nRUN yum groupinstall -y "Development Tools" && yum install -y @base\n',
              "groups have no versions"),
        Valid("FROM rockylinux:9\nRUN dnf module install -y nodejs:18\n"),
        Valid("FROM rockylinux:9\nRUN dnf install -y nginx-${NGINX_VERSION}\n", "version from a variable"),
    )
    invalid = (
        Invalid(
            "FROM centos:7\nRUN yum install -y epel-release-7 java-11-openjdk && yum clean all\n",
            message="`yum install` of unpinned package `java-11-openjdk`: pin each version (`package-<version>`)",
            line=2, column=5,
        ),
        Invalid("FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y shadow-utils\n"),
        Invalid("FROM rockylinux:9\nRUN dnf module install -y nodejs\n",
                message="`dnf module install` of unpinned package `nodejs`: pin each version (`module:<stream>`)"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.family == "rpm" and invocation.subcommand in ("install", "module install"):
            return invocation.packages
        return None

    def pin_syntax(self, invocation: PackageCommand) -> PinSyntax:
        return MODULE if invocation.subcommand == "module install" else RPM
