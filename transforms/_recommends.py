"""What ``--no-install-recommends`` takes away that a Dockerfile visibly still needs.

By default apt also installs what the requested packages *recommend* (and
what those recommend, down the dependency tree). Some of that is what the
rest of the file relies on: ``curl``, ``wget`` and ``git`` check HTTPS
certificates against ``ca-certificates``, which they only recommend;
``xvfb-run`` needs ``xauth``, which ``xvfb`` only recommends. Built with
``--no-install-recommends`` and nothing else, such a file fails (``curl:
(77) error setting certificate file``). DF202 therefore keeps the packages
the table below names, explicitly, in the same install, when a later step of
the file shows they are used.

`KEEPS` is the table: which recommended package, which installed packages
bring it only as a recommendation, and which use shows it is needed. The
facts come from Debian's package index (``apt-cache show PKG``), Debian 12
unless a row says otherwise:

* ``ca-certificates``: recommended by ``wget``, ``git``, ``libcurl4`` and
  ``libcurl3-gnutls`` (so ``curl``, ``cmake``, the ``libcurl*-dev``
  packages), ``aria2``, ``python3.11`` (so ``python3``, ``python3-dev``,
  ``mercurial`` and other packages built on Python), and Debian's ``nodejs``;
  ``apt-transport-https`` depended on ``libcurl3-gnutls`` up to Debian 9 and
  Ubuntu 18.04. Needed by a download over HTTPS (or FTPS, or an ``hkps://``
  keyserver) that checks certificates. A download tool (``curl``, ``wget``,
  ``git``...) or a runtime (``python3``, ``nodejs``) that stays in the final
  image keeps it too: the container's own scripts and programs, often not in
  the build context, use it over HTTPS, and the official images pair the two
  for that reason.
* ``python-setuptools``/``python3-setuptools``: recommended by
  ``python-pip``/``python3-pip`` up to Debian 10 and Ubuntu 18.04 (a
  dependency since). Old pips cannot build a source distribution without
  it, so a later ``pip install`` needs it.
* ``xauth``: recommended by ``xvfb``; ``xvfb-run``, which ``xvfb`` installs,
  calls it, and start scripts the file does not show run it, so it is
  kept with the install.
* ``graphviz``: recommended by ``plantuml``, which renders every diagram
  but the sequence diagram with its ``dot``, so the install itself is the
  evidence.
* ``fortunes-min``: recommended by ``fortune-mod`` (which ``fortune``
  names), whose program finds no sayings without a database.
* ``nodejs``: recommended by ``yarn``, the package of Yarn's own apt
  repository (neither Debian nor Ubuntu packages it under that name), so
  that a Node.js from elsewhere can serve; without one, ``yarn`` has nothing
  to run on. The ``node`` images have their own.
* ``libjs-jquery``: recommended by ``python3-django``/``python-django``,
  whose admin site's ``vendor/jquery/jquery.js`` is a link into it (Debian
  removes Django's own copy), so without it the link dangles: the admin's
  scripts fail, and so does ``collectstatic``.
* ``openssh-client``: recommended by ``git`` and ``mercurial`` (as
  ``ssh-client``); needed for ``git@host:repo`` and ``ssh://`` remotes and
  by ``ssh``, ``scp``, ``ssh-keyscan`` and friends. Kept too when git stays
  in the final image and no build step runs it: it is there for the
  container (a CI agent, a user), which may clone SSH remotes with it.
* ``dirmngr``: recommended by ``gnupg`` in Debian 9 (``gnupg2`` is a
  transitional package for it) and, through ``gnupg``, by ``gpg``; every
  keyserver access (``gpg --recv-keys``, ``apt-key adv --keyserver``)
  goes through it.
* ``libc6-dev``: recommended by ``gcc`` and ``gcc-N``; a C compiler
  without the C library's headers and start files builds nothing, so the
  install itself is the evidence.
* ``build-essential`` is also kept with ``python3-pip``, ``python-pip``
  or ``dpkg-dev`` (which recommend it) when a later step runs ``make``, a
  C compiler, ``./configure`` or ``cmake``.
* ``make``: brought by ``build-essential``, which ``python3-pip`` and
  ``python-pip`` recommend. An install that names a compiler (``gcc``,
  ``g++``) but not ``make`` has a compiler without recommendations, but no
  ``make``: kept when a later step runs it.
* ``make`` and ``gcc``: recommended by ``cmake`` (Ubuntu 16.04 to 22.04
  and Debian 11 and 12 alike). CMake's default generator writes Makefiles and
  its configure step looks for a C compiler: a later ``cmake`` run keeps
  ``make`` (not with ``-G Ninja``), and a later build keeps ``gcc`` when the
  install names no compiler.
* ``unzip``: recommended by ``zip`` (every release checked) and ``mc``;
  ``patch``: recommended by ``git``; ``automake``: recommended by
  ``autoconf`` (``autoreconf`` and ``aclocal`` run it); ``wget``:
  recommended by Debian's ``lxc``; ``git``: recommended by Debian's ``npm``
  (Debian 11 and later); ``gnupg``: recommended by ``dirmngr`` (and, through
  ``dpkg-dev``, by ``build-essential``: Ubuntu's images from 18.04 have no
  gpg of their own), and what
  gives ``gpg``, which ``apt-key`` needs too (the Debian 9 image has no
  gpg). Each is kept when a later step runs it.
* ``gcc`` on Debian 8, Ubuntu 15.10 and older (see the releases kit): their
  ``libc6-dev`` (glibc 2.19) recommends ``gcc | c-compiler``, and most
  ``-dev`` packages bring ``libc6-dev``, so an install that names headers
  but no compiler got its compiler that way. It is kept: headers without a
  compiler build nothing. Ubuntu 16.04 and Debian 9 dropped the
  recommendation.
* ``aspell-en``: recommended by ``libaspell15`` (so by ``aspell``,
  ``libpspell-dev`` and PHP's pspell): without a dictionary every check
  fails ("No word lists can be found").
* ``build-essential`` and the Python headers with ``python-pip`` on Debian 8,
  Ubuntu 15.10 and older: their pip predates the binary wheels of PyPI
  (manylinux, pip 8.1), so every ``pip install`` of a package with C code
  compiles it.
* ``r-base-dev``: recommended by ``r-base-core`` (so by ``r-base``); it
  brings the compilers (gfortran too) and BLAS/LAPACK headers that an R
  package install (``install.packages``, ``install2.r``) builds with, and a
  later ``pip install`` of the same image may too.
* ``fakeroot``: recommended by ``dpkg-dev``, which is for building Debian
  packages, and those builds run under ``fakeroot``: kept with
  ``dpkg-dev``, and with ``build-essential`` when a later step builds a
  package (``fakeroot``, ``dpkg-buildpackage``, ``debuild``).
* ``build-essential`` and ``python3-dev``/``python-dev``: recommended by
  ``python3-pip``/``python-pip``; kept when the same install names headers
  to compile against (a ``-dev`` package such as ``libjpeg-dev``) and a
  later ``pip install`` runs: headers without a compiler serve nothing, so
  the author relied on pip's compiler, and a C extension also needs
  Python's own headers.

A package the base image already ships is not added (`base_ships`): the
official language images install ``ca-certificates`` themselves, and their
full (non-``slim``) variants, built on ``buildpack-deps``, also ship a C
toolchain with ``libc6-dev``.

Other recommends are not kept: ``git``'s ``less`` and ``patch`` (a pager and
a tool no build step of git calls), ``python3-pip``'s ``build-essential``
and ``python3-dev`` where the install names no headers (needed only when
``pip install`` compiles a C extension, which the file does not show: the
fix states it as an assumption), and
likewise the ``build-essential`` that Debian's ``npm`` brings only as a
recommendation of ``node-gyp`` (needed when ``npm install`` builds a native
module).
"""

from __future__ import annotations

import re
import shlex
from enum import Enum
from fnmatch import fnmatchcase
from typing import Callable, Iterable, Iterator

import msgspec

from dfix.engine import POSIX_SHELLS, Context, Edit, RunScript
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, Word, analyze, package_command

from ._base_images import split_reference

__all__ = [
    "Use",
    "Keep",
    "KEEPS",
    "CAVEATS",
    "commands_in",
    "argv_commands",
    "uses",
    "provides",
    "brings",
    "package_names",
    "add_packages",
    "base_ships",
    "SHIPPED",
]


class Use(Enum):
    """A kind of later step that shows a recommended package is needed."""

    HTTPS = "an HTTPS download"
    PIP_INSTALL = "`pip install`"
    NPM_INSTALL = "`npm install`"
    XVFB_RUN = "`xvfb-run`"
    SSH = "an SSH connection"
    KEYSERVER = "a keyserver lookup"
    PPA = "adding a PPA"
    COMPILE = "a build with make or a C compiler"
    MAKE = "a build with make"
    CMAKE = "a CMake build"
    UNZIP = "`unzip`"
    PATCH = "`patch`"
    WGET = "`wget`"
    GIT = "`git`"
    GPG = "`gpg` or `apt-key`"
    R_INSTALL = "an R package install"
    FAKEROOT = "a package build (`fakeroot`, `dpkg-buildpackage`, `debuild`)"
    AUTOMAKE = "`automake` (or `autoreconf`, `aclocal`)"
    ALWAYS = "the install itself"


class Keep(msgspec.Struct, frozen=True):
    """One row: ``recommended`` arrives with ``brought_by`` only as a recommendation, and ``use`` needs it.

    Names in ``brought_by`` and ``provided_by`` are apt package names or
    shell-style patterns (``gcc-[0-9]*``); ``provided_by`` lists packages
    that already bring ``recommended`` as a hard dependency (``g++`` brings
    ``libc6-dev``), so listing one of them makes the addition unnecessary.
    """

    recommended: str
    brought_by: tuple[str, ...]
    use: Use
    provided_by: tuple[str, ...] = ()
    #: Bringers the container itself may run, needing ``recommended`` then: it is kept whenever one of
    #: them stays in the final image, since what the container runs is not all in the file.
    used_at_run_time: tuple[str, ...] = ()
    #: Why ``recommended`` is kept without a use the file shows, said with it: what the container may do
    #: with a run-time bringer, or (use ``ALWAYS``) why the install itself needs it.
    reason: str = ""
    #: Keep for run time only a bringer the build itself never runs: one installed for the container's use.
    run_time_only_if_unused: bool = False
    #: Packages one of which the same install must name for the row to apply (none: always applies).
    only_with: tuple[str, ...] = ()
    #: The recommendation exists only on Debian 8, Ubuntu 15.10 and older (see `old_release`).
    old_releases_only: bool = False

    def applies_to(self, names: Iterable[str]) -> bool:
        """Whether the install's ``names`` meet ``only_with``."""
        return not self.only_with or self.companion(names) is not None

    def companion(self, names: Iterable[str]) -> str | None:
        """The first of ``names`` that ``only_with`` asks for, if any."""
        return next((name for name in names if _matches(name, self.only_with)), None)

    def run_time_user(self, names: Iterable[str]) -> str | None:
        """The first of ``names`` that the container may run and that needs ``recommended``, if any."""
        return next((name for name in names if _matches(name, self.used_at_run_time)), None)

    def brought(self, names: Iterable[str]) -> str | None:
        """The first of ``names`` that brings ``recommended``, if any."""
        return next((name for name in names if _matches(name, self.brought_by)), None)

    def provided(self, names: Iterable[str]) -> bool:
        """Whether ``names`` install ``recommended`` outright."""
        return any(name == self.recommended or _matches(name, self.provided_by) for name in names)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


#: Packages whose install pulls in ``ca-certificates`` only as a recommendation (see the module docstring).
_CA_BRINGERS = (
    "curl", "wget", "git", "git-core", "aria2", "apt-transport-https", "mercurial",
    "libcurl[0-9]*", "libcurl*-dev", "cmake", "octave",
    "python3", "python3.[0-9]*", "python3-dev", "python3-numpy", "python3-tk",
    "nodejs", "yarn",
)

#: Download tools and language runtimes among them: an image that keeps one is likely to fetch an HTTPS
#: URL when it runs (a health check, a start script, the application itself), which the file cannot show.
_NETWORK_CLIENTS = (
    "curl", "wget", "git", "git-core", "aria2", "mercurial",
    "python3", "python3.[0-9]*", "nodejs", "yarn",
)

#: Packages that install a C compiler (``g++`` depends on ``gcc``).
_COMPILERS = ("gcc-[0-9]*", "g++", "g++-[0-9]*", "build-essential", "clang", "clang-[0-9]*")

#: The table DF202 works from (see the module docstring for the facts behind each row).
KEEPS: tuple[Keep, ...] = (
    Keep(
        "ca-certificates", _CA_BRINGERS, Use.HTTPS,
        used_at_run_time=_NETWORK_CLIENTS, reason="the container may use it over HTTPS",
    ),
    Keep("python3-setuptools", ("python3-pip",), Use.PIP_INSTALL),
    Keep("python-setuptools", ("python-pip",), Use.PIP_INSTALL),
    Keep("xauth", ("xvfb",), Use.ALWAYS, reason="`xvfb-run`, which `xvfb` installs, calls it"),
    Keep("graphviz", ("plantuml",), Use.ALWAYS, reason="`plantuml` draws only sequence diagrams without it"),
    Keep(
        "fortunes-min", ("fortune-mod", "fortune"), Use.ALWAYS, ("fortunes*", "fortune-cookie-db"),
        reason="`fortune` has no sayings without a fortune database, which it only recommends",
    ),
    Keep(
        "nodejs", ("yarn",), Use.ALWAYS, ("nodejs-*",),
        reason="Yarn's package only recommends Node.js, which `yarn` runs on",
    ),
    Keep(
        "libjs-jquery", ("python3-django", "python-django"), Use.ALWAYS,
        reason="Debian's Django admin loads jQuery through a link into it",
    ),
    Keep(
        "openssh-client", ("git", "git-core", "mercurial"), Use.SSH, ("ssh", "openssh-server"),
        used_at_run_time=("git", "git-core", "mercurial"), run_time_only_if_unused=True,
        reason="the build never runs it: the container (a CI agent, a user) may reach SSH remotes with it",
    ),
    Keep("dirmngr", ("gnupg", "gnupg2", "gpg"), Use.KEYSERVER),
    Keep("libc6-dev", ("gcc", "gcc-[0-9]*"), Use.ALWAYS, ("libc-dev", "build-essential", "g++", "g++-[0-9]*")),
    Keep(
        "build-essential", ("python-pip", "python3-pip"), Use.PIP_INSTALL,
        ("gcc", "gcc-[0-9]*", "g++", "g++-[0-9]*", "clang", "clang-[0-9]*"),
        only_with=("*-dev",),
    ),
    Keep(
        "build-essential", ("python-pip", "python3-pip", "dpkg-dev"), Use.COMPILE,
        ("gcc", "gcc-[0-9]*", "g++", "g++-[0-9]*", "clang", "clang-[0-9]*"),
    ),
    Keep(
        "make", ("python-pip", "python3-pip"), Use.MAKE, ("make", "make-guile", "build-essential", "dpkg-dev"),
        only_with=("gcc", "gcc-[0-9]*", "g++", "g++-[0-9]*", "clang", "clang-[0-9]*"),
    ),
    Keep("python3-dev", ("python3-pip",), Use.PIP_INSTALL, ("python3.[0-9]*-dev",), only_with=("*-dev",)),
    Keep("python-dev", ("python-pip",), Use.PIP_INSTALL, ("python2*-dev",), only_with=("*-dev",)),
    Keep(
        "gcc", ("*-dev",), Use.ALWAYS, _COMPILERS, only_with=("*-dev",), old_releases_only=True,
        reason="on this release `libc6-dev`, which the headers bring, recommends the C compiler, the only one the "
        "install has: headers without it compile nothing",
    ),
    Keep("make", ("cmake",), Use.CMAKE, ("make", "make-guile", "build-essential", "dpkg-dev")),
    Keep("gcc", ("cmake",), Use.COMPILE, _COMPILERS),
    Keep("unzip", ("zip", "mc"), Use.UNZIP),
    Keep("patch", ("git", "git-core"), Use.PATCH),
    Keep("wget", ("lxc",), Use.WGET),
    Keep("automake", ("autoconf",), Use.AUTOMAKE),
    Keep("git", ("npm",), Use.GIT, ("git-core",)),
    Keep("gnupg", ("dirmngr", "build-essential", "dpkg-dev"), Use.GPG, ("gnupg2", "gnupg1", "gpg")),
    Keep(
        "aspell-en", ("aspell", "libaspell15", "libaspell-dev", "libpspell-dev", "php*-pspell"), Use.ALWAYS,
        ("aspell-*",), reason="aspell and pspell find no word list without a dictionary, which they only recommend",
    ),
    Keep(
        "build-essential", ("python-pip", "python3-pip"), Use.PIP_INSTALL, _COMPILERS, old_releases_only=True,
    ),
    Keep("python-dev", ("python-pip",), Use.PIP_INSTALL, ("python2*-dev",), old_releases_only=True),
    Keep("python3-dev", ("python3-pip",), Use.PIP_INSTALL, ("python3.[0-9]*-dev",), old_releases_only=True),
    Keep("r-base-dev", ("r-base", "r-base-core"), Use.R_INSTALL),
    Keep("r-base-dev", ("r-base", "r-base-core"), Use.PIP_INSTALL, only_with=("python*-pip",)),
    Keep(
        "fakeroot", ("dpkg-dev",), Use.ALWAYS,
        reason="Debian package builds, what `dpkg-dev` is for, run under `fakeroot`, which it only recommends",
    ),
    Keep("fakeroot", ("build-essential",), Use.FAKEROOT, ("devscripts",)),
)

#: Recommends that are not kept, and what the fix therefore assumes when a later step uses the package:
#: package pattern → (the use that would need them, the assumption in the user's words).
CAVEATS: dict[str, tuple[Use, str]] = {
    "python*-pip": (
        Use.PIP_INSTALL,
        "`pip install` compiles no C extension (pip only recommends `build-essential` and the Python headers)",
    ),
    "npm": (
        Use.NPM_INSTALL,
        "`npm install` builds no native module (npm's node-gyp only recommends `build-essential`)",
    ),
}


# -- what the base image ships -----------------------------------------------------------------

#: Which tags of an image ship a package: every tag, those without ``slim`` in them, the full
#: ``buildpack-deps`` flavour (not ``-curl``/``-scm``, which have no compiler), or its ``-scm`` and
#: full flavours (not ``-curl``, which has no git).
_EVERY, _NOT_SLIM, _FULL, _SCM = "every tag", "not slim", "full", "scm"

#: The images built on the full ``buildpack-deps`` (their slim variants are not), with golang, which
#: builds on ``-scm`` and installs the C toolchain itself: they ship ``gcc``, ``libc6-dev`` and ``make``.
_TOOLCHAIN = {
    "buildpack-deps": _FULL, "python": _NOT_SLIM, "node": _NOT_SLIM, "ruby": _NOT_SLIM, "golang": _EVERY,
    "erlang": _NOT_SLIM, "elixir": _NOT_SLIM, "rust": _NOT_SLIM, "perl": _NOT_SLIM, "gcc": _NOT_SLIM,
}
#: What only the full ``buildpack-deps`` installs (``unzip``, ``patch``, ``automake``): not golang.
_FULL_ONLY = {key: value for key, value in _TOOLCHAIN.items() if key != "golang"}

#: Base images that ship a package DF202 would keep, by package, checked against the images'
#: Dockerfiles: ``buildpack-deps`` installs ``ca-certificates`` with curl (every flavour), git
#: (``-scm`` and full) and a C toolchain (the full one); python, php, ruby, the JDK images and
#: .NET install ``ca-certificates`` themselves, slim variants included.
SHIPPED: dict[str, dict[str, str]] = {
    "ca-certificates": {
        "buildpack-deps": _EVERY, "python": _EVERY, "php": _EVERY, "ruby": _EVERY, "golang": _EVERY,
        "openjdk": _EVERY, "java": _EVERY, "eclipse-temurin": _EVERY, "maven": _EVERY, "gradle": _EVERY,
        "tomcat": _EVERY, "jenkins/jenkins": _EVERY, "r-base": _EVERY,
        "microsoft/dotnet": _EVERY, "mcr.microsoft.com/dotnet": _EVERY,
        "node": _NOT_SLIM, "erlang": _NOT_SLIM, "elixir": _NOT_SLIM, "rust": _NOT_SLIM, "perl": _NOT_SLIM,
        "gcc": _NOT_SLIM,
    },
    "nodejs": {"node": _EVERY},
    "r-base-dev": {"r-base": _EVERY},
    "libc6-dev": _TOOLCHAIN,
    "gcc": _TOOLCHAIN,
    "make": _TOOLCHAIN,
    "unzip": _FULL_ONLY,
    "patch": _FULL_ONLY,
    "automake": _FULL_ONLY,
    "git": {**_TOOLCHAIN, "buildpack-deps": _SCM},
}


def base_ships(reference: str | None, package: str) -> bool:
    """Whether the base image ``reference`` (``python:3.12-slim``) already has ``package`` (see `SHIPPED`)."""
    if not reference or "$" in reference:
        return False
    name, _registry, tag = split_reference(reference)
    images = SHIPPED.get(package, {})
    which = images.get(name) or next((v for k, v in images.items() if name.startswith(k + "/")), None)
    if which is None:
        return False
    tag = tag.lower()
    if "alpine" in tag or "windows" in tag or "nanoserver" in tag:
        return False
    if which == _NOT_SLIM:
        return "slim" not in tag
    if which == _FULL:
        return "slim" not in tag and not tag.endswith(("curl", "scm"))
    if which == _SCM:
        return "slim" not in tag and not tag.endswith("curl")
    return True


# -- reading the steps ------------------------------------------------------------------------


def _nested_script(command: SimpleCommand) -> str | None:
    """The script of ``sh -c '...'`` (and ``bash -lc``), which the shell layer does not descend into."""
    if command.name not in POSIX_SHELLS:
        return None
    args = command.args
    for index, word in enumerate(args):
        text = word.value
        if text is None or not text.startswith("-") or text.startswith("--"):
            return None
        if "c" in text[1:]:
            script = args[index + 1].value if index + 1 < len(args) else None
            return script
    return None


def commands_in(model: ShellScript, after: int = 0, depth: int = 0) -> Iterator[tuple[SimpleCommand, bool]]:
    """The commands of ``model`` that start at or after ``after``, with those of nested ``sh -c`` scripts.

    Each comes with whether it is nested (its offsets are then not ``model``'s).
    """
    for command in model.commands:
        if command.start < after:
            continue
        yield command, depth > 0
        nested = _nested_script(command) if depth < 3 else None
        if nested:
            for inner, _ in commands_in(analyze(nested), 0, depth + 1):
                yield inner, True


def argv_commands(argv: tuple[str, ...]) -> Iterator[SimpleCommand]:
    """The commands an exec-form CMD/ENTRYPOINT/HEALTHCHECK runs (through ``sh -c`` when it names a shell)."""
    if argv:
        for command, _ in commands_in(analyze(" ".join(shlex.quote(word) for word in argv))):
            yield command


_HTTPS_URL = lazy_pattern(r"\b(?:https|ftps|hkps)://", re.IGNORECASE)
_HTTP_URL = lazy_pattern(r"\bhttp://", re.IGNORECASE)
_HTTPS_SOURCE = lazy_pattern(r"\bdeb(?:-src)?\s+(?:\[[^\]]*\]\s+)?https://")
_SSH_REMOTE = lazy_pattern(r"^(?:ssh://|git\+ssh://|ssh\+git://|[\w.-]+@[\w.-]+:)")
_SSH_PROGRAMS = frozenset({"ssh", "scp", "sftp", "ssh-keyscan", "ssh-keygen", "ssh-add", "ssh-agent", "ssh-copy-id"})
_GPG = frozenset({"gpg", "gpg2"})
#: gpg options that reach a keyserver (through dirmngr); without ``--keyserver`` they use ``hkps://keys.openpgp.org``.
_KEYSERVER_OPTIONS = ("--recv-keys", "--recv-key", "--receive-keys", "--search-keys", "--refresh-keys", "--fetch-keys", "--keyserver", "--locate-keys", "--locate-external-keys")
#: Options that switch certificate checks off: such a download needs no ``ca-certificates``.
_INSECURE = {
    "curl": ("-k", "--insecure"),
    "wget": ("--no-check-certificate",),
    "aria2c": ("--check-certificate=false",),
}


def _texts(command: SimpleCommand, expand: Callable[[str], str]) -> list[str]:
    return [expand(word.value if word.value is not None else word.text) for word in command.args]


def _insecure(name: str, texts: list[str]) -> bool:
    flags = _INSECURE.get(name, ())
    if name == "curl" and any(re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", text) for text in texts):
        return True
    if name == "git" and any("sslverify=false" in text.lower() for text in texts):
        return True
    return any(text in flags for text in texts)


def _follows_redirects(name: str, texts: list[str]) -> bool:
    """wget and aria2c follow redirects by default, curl with ``-L``/``--location``."""
    if name != "curl":
        return name in ("wget", "aria2c")
    return any(text in ("--location", "--location-trusted") or re.fullmatch(r"-[a-zA-Z]*L[a-zA-Z]*", text) for text in texts)


def _keyserver_access(texts: list[str]) -> bool:
    return any(text.startswith(option) for text in texts for option in _KEYSERVER_OPTIONS)


def _https(command: SimpleCommand, texts: list[str]) -> bool:
    name = command.name or ""
    if any(_HTTPS_SOURCE.search(text) for text in texts):
        return True  # `echo "deb https://..." > /etc/apt/sources.list.d/x.list`
    if any("pkg install -forge" in text for text in texts):
        return True  # Octave fetches Octave Forge packages over HTTPS (`echo "pkg install -forge image" | octave`)
    if name in ("curl", "wget", "git", "aria2c", "svn"):
        if _insecure(name, texts):
            return False
        if any(_HTTPS_URL.search(text) for text in texts):
            return True
        # an http:// download that follows redirects may land on https (most hosts redirect now)
        return _follows_redirects(name, texts) and any(_HTTP_URL.search(text) for text in texts)
    if name in _GPG or (name == "apt-key" and "adv" in texts):
        if any(_HTTPS_URL.search(text) for text in texts):
            return True
        # `gpg --recv-keys K` without `--keyserver` asks the default keyserver, over hkps
        return _keyserver_access(texts) and not any(text.startswith("--keyserver") for text in texts)
    if name in ("add-apt-repository", "apt-add-repository"):
        return any(text.startswith("ppa:") or _HTTPS_URL.search(text) for text in texts)
    return False


def _pip_install(command: SimpleCommand, texts: list[str]) -> bool:
    invocation = package_command(command)
    return invocation is not None and invocation.manager == "pip" and invocation.action == "install"


def _ssh(command: SimpleCommand, texts: list[str]) -> bool:
    name = command.name or ""
    if name in _SSH_PROGRAMS:
        return True
    return name in ("git", "hg") and any(_SSH_REMOTE.match(text) for text in texts)


def _keyserver(command: SimpleCommand, texts: list[str]) -> bool:
    name = command.name or ""
    return (name in _GPG or (name == "apt-key" and "adv" in texts)) and _keyserver_access(texts)


def _ppa(command: SimpleCommand, texts: list[str]) -> bool:
    return (command.name or "") in ("add-apt-repository", "apt-add-repository") and any(
        text.startswith("ppa:") for text in texts
    )


def _npm_install(command: SimpleCommand, texts: list[str]) -> bool:
    invocation = package_command(command)
    return invocation is not None and invocation.manager == "npm" and invocation.action == "install"


#: R functions and littler scripts that install R packages, which compile C and Fortran with ``r-base-dev``.
_R_INSTALLERS = lazy_pattern(r"install\.packages|(?:devtools|remotes|BiocManager)::install|biocLite")


def _r_install(command: SimpleCommand, texts: list[str]) -> bool:
    """``R -e 'install.packages(...)'``, ``Rscript -e ...``, littler's ``install2.r`` and friends."""
    name = command.name or ""
    if name in ("install.r", "install2.r", "installGithub.r", "installBioc.r"):
        return True
    return name in ("R", "Rscript", "r") and any(_R_INSTALLERS.search(text) for text in texts)


def _cmake(command: SimpleCommand, texts: list[str]) -> bool:
    """A ``cmake`` run that builds with make (its default generator), which looks for a C compiler too."""
    if command.name != "cmake":
        return False
    generator = next((texts[i + 1] for i, text in enumerate(texts[:-1]) if text == "-G"), None)
    generator = generator or next((text[2:] for text in texts if text.startswith("-G") and len(text) > 2), None)
    return generator is None or "Makefiles" in generator


#: Programs that build native code: their run shows a compiler or make is needed.
_BUILD_TOOLS = frozenset({"make", "gcc", "cc", "g++", "c++", "configure", "cmake"})

_DETECTORS: dict[Use, Callable[[SimpleCommand, list[str]], bool]] = {
    Use.HTTPS: _https,
    Use.PIP_INSTALL: _pip_install,
    Use.NPM_INSTALL: _npm_install,
    Use.XVFB_RUN: lambda command, texts: command.name == "xvfb-run",
    Use.SSH: _ssh,
    Use.KEYSERVER: _keyserver,
    Use.PPA: _ppa,
    Use.COMPILE: lambda command, texts: command.name in _BUILD_TOOLS,
    Use.MAKE: lambda command, texts: command.name == "make",
    Use.CMAKE: _cmake,
    Use.UNZIP: lambda command, texts: command.name in ("unzip", "zipinfo", "funzip"),
    Use.PATCH: lambda command, texts: command.name == "patch",
    Use.WGET: lambda command, texts: command.name == "wget",
    Use.GIT: lambda command, texts: command.name == "git",
    Use.GPG: lambda command, texts: command.name in _GPG or command.name == "apt-key",
    Use.R_INSTALL: _r_install,
    Use.FAKEROOT: lambda command, texts: command.name in ("fakeroot", "dpkg-buildpackage", "debuild"),
    Use.AUTOMAKE: lambda command, texts: command.name in ("automake", "autoreconf", "aclocal"),
}


def uses(command: SimpleCommand, expand: Callable[[str], str] = lambda text: text) -> set[Use]:
    """What ``command`` does that a recommended package may be needed for (``expand`` resolves ``$VARS``)."""
    texts = _texts(command, expand)
    return {use for use, detect in _DETECTORS.items() if detect(command, texts)}


# -- what an install brings --------------------------------------------------------------------


def package_names(invocation: PackageCommand) -> list[str]:
    """The literal package names an ``apt-get install`` names (``curl=7.*`` → ``curl``)."""
    return [spec.name for word, spec in invocation.specs if spec is not None and not word.is_option]


def provides(invocation: PackageCommand, keep: Keep) -> bool:
    """The install names ``keep.recommended`` (or a package that depends on it) outright."""
    return keep.provided(package_names(invocation))


def brings(invocation: PackageCommand, keep: Keep) -> str | None:
    """The package of the install that brings ``keep.recommended`` as a recommendation, if any."""
    return keep.brought(package_names(invocation))


# -- adding a package in the list's own layout -------------------------------------------------


def _plain(word: Word) -> bool:
    value = word.value
    return value is not None and value != "" and not word.has_expansion and not word.has_glob and not word.is_option


def _line_start(code: str, offset: int) -> int:
    return code.rfind("\n", 0, offset) + 1


def add_packages(context: Context, script: RunScript, invocation: PackageCommand, names: list[str]) -> list[Edit] | None:
    """Edits that add the packages ``names`` to an install, in the list's own layout.

    A sorted list gets each name at its sorted place, any other list gets
    them at its end, in the order given. A list written one package a line
    gets a new line per name, with the list's indent and continuation
    (``    curl \\``); any other list gets the words on the line of their
    neighbour. None when the list has no literal package word to place them
    by, or one is split by a line continuation.
    """
    words = [word for word in invocation.packages if _plain(word)]
    if not words:
        return None
    code = context.tree.code
    starts = [script.offset(word.start) for word in words]
    ends = [script.offset(word.end, insertion=True) for word in words]
    if any(end - start != word.end - word.start for word, start, end in zip(words, starts, ends)):
        return None
    own_line = [not code[_line_start(code, start) : start].strip() for start in starts]
    values = [word.value or "" for word in words]
    slots: dict[int, list[str]] = {}
    if values == sorted(values):
        for name in sorted(names):
            slots.setdefault(next((index for index, other in enumerate(values) if other > name), len(words)), []).append(name)
    else:
        slots[len(words)] = list(names)
    newline = script.newline
    one_a_line = all(own_line)
    continuation = f" {script.escape}"
    for end in ends[:-1]:
        line_end = code.find("\n", end)
        tail = code[end : line_end if line_end >= 0 else len(code)].rstrip("\r")
        if tail.strip() == script.escape:
            continuation = tail
            break
    edits = []
    for place, group in sorted(slots.items()):
        if place < len(words):
            start = starts[place]
            if one_a_line:
                indent = code[_line_start(code, start) : start]
                text = "".join(f"{name}{continuation}{newline}{indent}" for name in group)
            else:
                text = "".join(f"{name} " for name in group)
            edits.append(Edit(start, start, text))
        else:
            if one_a_line:
                indent = code[_line_start(code, starts[-1]) : starts[-1]]
                text = "".join(f"{continuation}{newline}{indent}{name}" for name in group)
            else:
                text = "".join(f" {name}" for name in group)
            edits.append(Edit(ends[-1], ends[-1], text))
    return edits
