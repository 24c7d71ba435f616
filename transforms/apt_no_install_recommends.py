"""DF202 apt-no-install-recommends: ``apt-get install`` also installs every recommended package."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Iterable, Iterator

from dfix.engine import Context, ImageEffects, Invalid, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, SimpleCommand, analyze, package_command, package_commands
from dfix.syntax import Add, Cmd, Copy, Entrypoint, Healthcheck, Instruction, Run

from ._cleanup import consumer_runs
from ._packages import Finding, PackageCommandRule, code_of, earlier_instructions, known_values
from ._recommends import (
    CAVEATS, KEEPS, Keep, Use, add_packages, argv_commands, base_ships, brings, commands_in, package_names, provides,
    uses,
)
from ._releases import old_release
from ._start_scripts import run_script

#: ``APT::Install-Recommends "false";`` (or ``APT { Install-Recommends "0"; }``) in a drop-in.
_DROP_IN = lazy_pattern(r"""Install-Recommends["'\\\s=:]*(false|0|no|off|without|disable)\b""", re.IGNORECASE)
#: ``-o APT::Install-Recommends=<any value>``: off, or explicitly on (a deliberate choice).
_OPTION = lazy_pattern(r"""\s*["']?APT::Install-Recommends["']?\s*=.*""", re.IGNORECASE | re.DOTALL)
_OFF = lazy_pattern(r"=\s*[\"']?(false|0|no|off)\b", re.IGNORECASE)


def _decided_on_command(command: PackageCommand) -> bool:
    """The command says what it wants: recommends off, or explicitly on (a deliberate choice)."""
    for option in command.options:
        if option.matches("--no-install-recommends") or option.name == "--install-recommends":
            return True
        if option.matches("-o") or option.name == "--option":
            if option.argument is None:
                if option.has_argument:
                    return True  # `-o "$APT_OPTS"`: unknown, give the benefit of the doubt
                continue
            if _OPTION.fullmatch(option.argument):
                return True
    return False


def _disabled_by_drop_in(context: Context, view: RunView, command: PackageCommand) -> bool:
    """An earlier RUN (or the same one, before the command) wrote a drop-in turning recommends off."""
    if _DROP_IN.search(view.model.text[: command.start]):
        return True
    for other in earlier_instructions(context, view.run):
        if isinstance(other, Run) and _DROP_IN.search(code_of(context, other)):
            return True
        if isinstance(other, (Copy, Add)) and "apt.conf" in (other.destination or ""):
            if any("recommend" in source.lower() for source in other.sources):
                return True  # COPY 99no-recommends /etc/apt/apt.conf.d/
    return False


class AptNoInstallRecommends(PackageCommandRule):
    """Add ``--no-install-recommends`` to ``apt-get install`` (opt-in).

    By default apt installs every package the requested ones *recommend*:
    documentation, optional helpers, often whole toolchains — commonly a
    third or more of the layer. Checked: ``apt-get install`` and ``apt
    install`` (through ``sudo``, ``env``, prefix assignments), unless the
    command has ``--no-install-recommends`` or ``-o
    APT::Install-Recommends=false|0|no|off`` (an explicit
    ``--install-recommends`` or ``-o APT::Install-Recommends=true`` is a
    deliberate choice: not reported either, and an inserted option placed
    before it would lose anyway), or an earlier RUN of
    the stage or an in-file ancestor stage (or the same RUN, before the
    command) wrote an apt.conf.d drop-in with ``APT::Install-Recommends
    "false"`` (or ``"0"``), or copied a file named like ``*recommends*``
    into ``apt.conf.d``.

    Fix: insert `` --no-install-recommends`` right after ``install``, and
    keep explicitly, in the same install, the recommended packages a later
    step of the file visibly needs (a table of Debian's own Recommends):
    ``ca-certificates`` when the RUN, a later RUN, or the image's
    CMD/ENTRYPOINT/HEALTHCHECK downloads over HTTPS with ``curl``, ``wget``,
    ``git``, ``gpg``, ``apt-key adv`` or ``add-apt-repository`` (``$VARS``
    set by ENV/ARG are read; ``curl -k`` checks nothing) after installing
    ``curl``, ``wget``, ``git`` and the like; ``python3-setuptools`` with
    ``python3-pip`` before a ``pip install``; ``xauth`` with ``xvfb`` for
    ``xvfb-run``; ``openssh-client`` with ``git`` for ``git@host:`` remotes
    and ``ssh``; ``dirmngr`` with ``gnupg`` for keyserver lookups;
    ``libc6-dev`` with ``gcc``; ``build-essential`` with ``python3-pip``
    when the same install names headers (a ``-dev`` package) and a
    ``pip install`` follows. ``ca-certificates`` is also kept, without a
    visible download, when ``curl``, ``wget``, ``git`` or a runtime such as
    ``python3`` or ``nodejs`` that only recommends it stays in the final
    image: the container's own scripts, often not in the build context, use
    it over HTTPS. Not fixed, only reported: an install in a build stage
    whose packages never reach the image (it would only save build time);
    an install of a graphical toolkit or desktop (GTK, Qt, an icon theme,
    Xfce), whose image loaders, fonts and themes come as recommendations
    it needs when it runs; an install of ImageMagick or GraphicsMagick (or a
    binding of them), whose PDF, PostScript and SVG support comes as
    recommendations; an install of the Docker daemon (``docker-ce``,
    ``docker.io``), which mounts the cgroups with a recommended package; an
    install whose packages the same RUN purges again with ``autoremove``
    (their recommendations go anyway, and a package kept explicitly would
    stay); an install of ``postgis``, whose extension for the database
    server is a recommendation; an install of a ``-full`` package
    (``texlive-full``), which asks for everything; an install whose
    package names the shell computes (``$PACKAGES``, ``xargs``, a glob),
    since neither what they recommend nor what the file needs of it can be
    read; an install of
    ``software-properties-common`` followed by ``add-apt-repository ppa:...``.
    The command imports the PPA's signing key through gpg and its helpers
    (``gpg-agent``, and up to Ubuntu 18.04 ``dirmngr`` for the keyserver),
    which arrive only as recommendations; which of them a release needs, and
    under which package name, differs from release to release, so no
    package list can be kept that is right for every base. Only the first install that brings the
    package keeps it, and not when an earlier install, or a later one
    before the use, names it, nor when the base image ships it (the
    official python, php, ruby, golang, JDK and .NET images install
    ``ca-certificates`` themselves). The new names go where the list's own layout
    puts them: at their sorted place in a sorted list (at the end
    otherwise), one a line with the list's indent in a one-per-line list.

    **Unsafe**: it changes what is installed, and recommended packages can
    be needed where the file does not show it (a script, the application at
    run time); the fix says so in its ``assumes``. Reported only in
    exec-form RUNs and heredoc RUNs; nothing is checked under a
    non-POSIX SHELL.
    """

    code = "DF202"
    name = "apt-no-install-recommends"
    summary = "`apt-get install` without `--no-install-recommends`"
    safety = Safety.UNSAFE
    declared_effects = ImageEffects(drops_recommends=True, adds_packages=frozenset(keep.recommended for keep in KEEPS))
    severity = "info"
    aliases = ("DL3015",)

    valid = (
        Valid("FROM debian\nRUN apt-get install -y --no-install-recommends curl\n"),
        Valid("FROM debian\nRUN apt-get --no-install-recommends -y install curl\n", "the option before the subcommand"),
        Valid("FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n"),
        Valid("FROM debian\nRUN apt-get -o 'APT::Install-Recommends=0' install -y curl\n"),
        Valid("FROM debian\nRUN apt-get -oAPT::Install-Recommends=no install -y curl\n", "attached option argument"),
        Valid(
            "FROM debian\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norecommends\n"
            "RUN apt-get update && apt-get install -y curl\n",
            "an earlier apt.conf.d drop-in",
        ),
        Valid(
            "FROM debian\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norec && \\\n"
            "    apt-get update && apt-get install -y curl\n",
            "a drop-in written earlier in the same RUN",
        ),
        Valid(
            "FROM debian AS base\nCOPY 99no-recommends /etc/apt/apt.conf.d/\nFROM base\nRUN apt-get install -y curl\n",
            "a copied drop-in in an ancestor stage",
        ),
        Valid(
            "FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=true curl\n",
            "recommends explicitly on: a deliberate choice",
        ),
        Valid("FROM debian\nRUN apt-get update && apt-get upgrade -y && apt-get remove -y vim\n", "not install"),
        Valid("FROM debian\nRUN aptitude install -y curl\n", "aptitude has its own recommends setting"),
        Valid("FROM debian\nRUN apt-cache policy curl\n"),
        Valid("FROM debian\nRUN sh -c 'apt-get install -y curl'\n", "nested interpreters are not descended into"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get install -y curl\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian:bullseye\nRUN apt-get update && apt-get install -y python3-gi gir1.2-gtk-3.0 adwaita-icon-theme\n"
            "CMD [\"paperwork-gtk\"]\n",
            None,
            "a GTK application: GTK loads its SVG icons with librsvg2-common, which it only recommends",
        ),
        Invalid(
            "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y fuse\n"
            "FROM busybox\nCOPY --from=build /bin/fusermount /usr/local/bin/fusermount\n",
            None,
            "a build stage whose packages never ship: reported only",
        ),
        Invalid(
            "FROM ubuntu:16.04\nRUN apt-get update && apt-get install -y python3-pip python3-dev libjpeg8-dev\n"
            "COPY . /app\nRUN pip3 install -r /app/requirements.txt\n",
            "FROM ubuntu:16.04\nRUN apt-get update && apt-get install --no-install-recommends -y python3-pip python3-dev "
            "libjpeg8-dev python3-setuptools build-essential\nCOPY . /app\nRUN pip3 install -r /app/requirements.txt\n",
            "headers to compile against, then pip: the compiler pip only recommends is kept",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y vim\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y vim\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates curl\n",
            "curl stays in the image: the container may fetch HTTPS URLs with it, so the CA certificates stay",
            unsafe=True,
        ),
        Invalid(
            "FROM openjdk:11-jdk-slim\nRUN apt-get update && apt-get install -y git\nCOPY agent.jar /agent.jar\n"
            "CMD [\"java\", \"-jar\", \"/agent.jar\"]\n",
            "FROM openjdk:11-jdk-slim\nRUN apt-get update && apt-get install --no-install-recommends -y git openssh-client\n"
            "COPY agent.jar /agent.jar\nCMD [\"java\", \"-jar\", \"/agent.jar\"]\n",
            "git installed for the container (a CI agent), never run by the build: SSH remotes need openssh-client",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:jessie\nRUN apt-get update && apt-get install -y python-pip automake\nRUN ./configure && make\n",
            "FROM debian:jessie\nRUN apt-get update && apt-get install --no-install-recommends -y python-pip automake "
            "build-essential\nRUN ./configure && make\n",
            "make and the compiler came only as python-pip's recommendation, and a later RUN builds",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \\\n"
            "    && apt-get install -y yarn\n",
            "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \\\n"
            "    && apt-get install --no-install-recommends -y ca-certificates nodejs yarn\n",
            "Yarn's package only recommends Node.js: the NodeSource repository set up before is for it",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y imagemagick && rm -rf /var/lib/apt/lists/*\n",
            None,
            "ImageMagick's PDF, PostScript and SVG support comes from packages it only recommends: reported only",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y gcc g++ python3-pip\n"
            "COPY . /src\nRUN bash -c \"cd /src; make install\"\n",
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install --no-install-recommends -y gcc g++ python3-pip make\n"
            "COPY . /src\nRUN bash -c \"cd /src; make install\"\n",
            "the compilers are named, but make came only with the build-essential pip recommends",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y fortune && rm -rf /var/lib/apt/lists/*\n"
            "ENTRYPOINT [\"/usr/games/fortune\"]\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y fortune fortunes-min && "
            "rm -rf /var/lib/apt/lists/*\nENTRYPOINT [\"/usr/games/fortune\"]\n",
            "the fortune program only recommends its database",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nRUN apt-get update && apt-get install -y yarn\n",
            "FROM node:20\nRUN apt-get update && apt-get install --no-install-recommends -y yarn\n",
            "the node image has its own Node.js: Debian's is not added",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y python3-django\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y libjs-jquery python3-django\n",
            "Debian's Django admin links its jQuery into libjs-jquery, which Django only recommends",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y pandoc plantuml\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y graphviz pandoc plantuml\n",
            "plantuml draws with graphviz's dot, which it only recommends",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl && curl -o /x http://example.com/x && apt-get purge -y curl\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl && curl -o /x http://example.com/x"
            " && apt-get purge -y curl\n",
            "curl is removed before the image is done: nothing needs the certificates",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt install vim\n",
            "FROM debian\nRUN apt install --no-install-recommends vim\n",
            "apt as well as apt-get",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n"
            "        curl \\\n        git; \\\n    sudo apt-get -q install -y make\n",
            "FROM debian\nRUN set -eux; \\\n    apt-get update; \\\n    DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y \\\n"
            "        ca-certificates \\\n        curl \\\n        git \\\n        openssh-client; \\\n"
            "    sudo apt-get -q install --no-install-recommends -y make\n",
            "multi-line with set -eux, an assignment prefix and sudo; both commands in one pass",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\r\nRUN apt-get update && apt-get install \\\r\n    -y vim\r\n",
            "FROM debian\r\nRUN apt-get update && apt-get install --no-install-recommends \\\r\n    -y vim\r\n",
            "CRLF, subcommand at the end of a line",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Options::=--force-confold vim\n",
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y -o Dpkg::Options::=--force-confold vim\n",
            "through env, with another -o option",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y vim\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99x\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y vim\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99x\n",
            "a drop-in written later does not count",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get install -y vim\n",
            "FROM debian\nONBUILD RUN apt-get install --no-install-recommends -y vim\n",
            "token-local edit in an ONBUILD trigger",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && curl -fsSL https://example.com/install.sh | sh\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y ca-certificates curl"
            " && curl -fsSL https://example.com/install.sh | sh\n",
            "curl only recommends the CA certificates its HTTPS download needs: they are kept",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update \\\n  && apt-get install -y \\\n    git \\\n    make \\\n"
            "  && rm -rf /var/lib/apt/lists/*\nRUN git clone https://github.com/example/app /src\n",
            "FROM ubuntu:22.04\nRUN apt-get update \\\n  && apt-get install --no-install-recommends -y \\\n"
            "    ca-certificates \\\n    git \\\n    make \\\n"
            "  && rm -rf /var/lib/apt/lists/*\nRUN git clone https://github.com/example/app /src\n",
            "a later RUN clones over HTTPS; one package a line, sorted: a new line at its place",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nENV NODE_SETUP=https://deb.nodesource.com/setup_20.x\n"
            "RUN apt-get install -y wget gnupg && wget -qO- $NODE_SETUP | bash -\n",
            "FROM debian\nENV NODE_SETUP=https://deb.nodesource.com/setup_20.x\n"
            "RUN apt-get install --no-install-recommends -y wget gnupg ca-certificates && wget -qO- $NODE_SETUP | bash -\n",
            "the URL comes from ENV; an unsorted list gets the package at its end",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y ca-certificates curl && curl -fsSL https://example.com/x\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates curl && curl -fsSL https://example.com/x\n",
            "already named",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl && curl -o /tmp/x http://example.com/x && curl -k https://self.signed/ \\\n"
            " && apt-get purge -y curl\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl && curl -o /tmp/x http://example.com/x"
            " && curl -k https://self.signed/ \\\n && apt-get purge -y curl\n",
            "plain HTTP, and HTTPS without certificate checks, need no CA certificates (and curl goes before the image is done)",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\nRUN apt-get install -y git\nRUN git clone https://example.com/r\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates curl\n"
            "RUN apt-get install --no-install-recommends -y git\nRUN git clone https://example.com/r\n",
            "the first install that brings them keeps them, once",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\nRUN apt-get install -y --no-install-recommends ca-certificates\n"
            "RUN curl https://example.com/\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl\nRUN apt-get install -y --no-install-recommends ca-certificates\n"
            "RUN curl https://example.com/\n",
            "a later install names them before the download",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y python3-pip xvfb\nRUN pip3 install selenium\n"
            'CMD ["xvfb-run", "python3", "test.py"]\n',
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install --no-install-recommends -y python3-pip"
            " python3-setuptools xauth xvfb\nRUN pip3 install selenium\n"
            'CMD ["xvfb-run", "python3", "test.py"]\n',
            "old pips need setuptools for `pip install`; `xvfb-run` (here in CMD) needs xauth",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y git gnupg \\\n && gpg --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys 0xABCD \\\n"
            " && git clone git@github.com:example/private.git\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates dirmngr git gnupg openssh-client \\\n"
            " && gpg --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys 0xABCD \\\n"
            " && git clone git@github.com:example/private.git\n",
            "a keyserver lookup needs dirmngr, an SSH remote openssh-client; git stays in the image, so do the certificates",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN pip install psycopg2\n",
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install --no-install-recommends -y gcc libc6-dev\n"
            "RUN pip install psycopg2\n",
            "gcc without the C library headers builds nothing",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl && sh -c 'curl -fsSL https://example.com/x'\n",
            "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates curl && sh -c 'curl -fsSL https://example.com/x'\n",
            "a download inside `sh -c` counts",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y software-properties-common \\\n"
            " && add-apt-repository ppa:deadsnakes/ppa\n",
            None,
            "a PPA's key is imported through recommended gpg helpers: reported only",
            message="`apt-get install` without `--no-install-recommends` also installs recommended packages",
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y software-properties-common\n"
            "RUN add-apt-repository ppa:deadsnakes/ppa\n",
            None,
            "newer releases need `gpg-agent` for it",
        ),
        Invalid(
            "FROM debian\nARG EXTRA\nRUN apt-get update && apt-get install -y curl ${EXTRA} \\\n"
            " && rm -rf /var/lib/apt/lists/*\n",
            None,
            "a package list the shell computes: what it recommends cannot be read",
        ),
        Invalid(
            "FROM debian\nCOPY pkglist /tmp/\nRUN apt-get update && xargs -a /tmp/pkglist apt-get install -y\n",
            None,
            "packages from a file through xargs",
        ),
        Invalid('FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n', None, "exec form: reported only"),
        Invalid(
            "FROM r-base:4.3.1\nRUN apt-get update && apt-get install -y libxml2-dev\n"
            "RUN R -e 'install.packages(\"xml2\")'\n",
            "FROM r-base:4.3.1\nRUN apt-get update && apt-get install --no-install-recommends -y libxml2-dev\n"
            "RUN R -e 'install.packages(\"xml2\")'\n",
            "the r-base image ships r-base-dev",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y r-base\nRUN Rscript -e 'install.packages(\"sf\")'\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y r-base r-base-dev\n"
            "RUN Rscript -e 'install.packages(\"sf\")'\n",
            "R packages compile with r-base-dev, which r-base-core only recommends",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y dpkg-dev debhelper\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y dpkg-dev debhelper fakeroot\n",
            "dpkg-dev builds packages under fakeroot, which it only recommends",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y curl build-essential\n"
            "RUN curl -fsSL https://example.com/key.asc | apt-key add -\n",
            "FROM ubuntu:18.04\nRUN apt-get update && apt-get install --no-install-recommends -y curl build-essential "
            "ca-certificates gnupg\nRUN curl -fsSL https://example.com/key.asc | apt-key add -\n",
            "apt-key needs gnupg, which came through build-essential's dpkg-dev",
            unsafe=True,
        ),
        Invalid(
            "FROM php:8.2-fpm\nRUN apt-get update && apt-get install -y libpspell-dev\n",
            "FROM php:8.2-fpm\nRUN apt-get update && apt-get install --no-install-recommends -y aspell-en libpspell-dev\n",
            "pspell finds no word list without a dictionary",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y python-pip\nRUN pip install numpy\n",
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install --no-install-recommends -y build-essential "
            "python-dev python-pip python-setuptools\nRUN pip install numpy\n",
            "trusty's pip 1.5 has no binary wheels: every C extension compiles",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y gcc make && make -C /src && "
            "apt-get purge -y --auto-remove gcc make\n",
            None,
            "a build-only install that the RUN purges with autoremove: its recommendations go anyway",
        ),
        Invalid(
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y docker-engine\n",
            None,
            "the Docker daemon mounts the cgroups with a recommended package: reported only",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y texlive-full\n",
            None,
            "a `-full` package asks for everything, its recommendations included: reported only",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y postgresql postgis\n",
            None,
            "PostGIS's extension for the server is a recommendation of `postgis`: reported only",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y g++ cmake libboost-dev\n"
            "COPY . /src\nRUN cmake -S /src -B /build && cmake --build /build\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y g++ cmake libboost-dev make\n"
            "COPY . /src\nRUN cmake -S /src -B /build && cmake --build /build\n",
            "CMake generates Makefiles by default, and `make` came only as cmake's recommendation",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y zip\nCOPY app.zip /\nRUN unzip /app.zip -d /app\n",
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install --no-install-recommends -y unzip zip\n"
            "COPY app.zip /\nRUN unzip /app.zip -d /app\n",
            "`unzip` is a recommendation of `zip`, not a part of it",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y git\n"
            "RUN git clone https://example.com/app.git /app && cd /app && patch -p1 < fix.patch\n",
            "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y ca-certificates git patch\n"
            "RUN git clone https://example.com/app.git /app && cd /app && patch -p1 < fix.patch\n",
            "`patch` came with git's recommendations",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y python-dev libxml2-dev libxslt1-dev\n",
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install --no-install-recommends -y python-dev libxml2-dev "
            "libxslt1-dev gcc\n",
            "on trusty `libc6-dev`, which headers bring, recommends the compiler: a headers image keeps it",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12\nRUN apt-get update && apt-get install -y zip cmake\nRUN unzip a.zip && cmake . && make\n",
            "FROM python:3.12\nRUN apt-get update && apt-get install --no-install-recommends -y zip cmake\n"
            "RUN unzip a.zip && cmake . && make\n",
            "the full python image ships unzip, make and the compiler",
            unsafe=True,
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
            None,
            "heredoc RUN: reported only",
        ),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        info = context.stage_of(view.run)
        shipped = info is not None and context.ships(info)
        for command in commands:
            if not _is_apt_install(command):
                continue
            if _decided_on_command(command) or _disabled_by_drop_in(context, view, command):
                continue
            where = view.span(command.start, command.end)
            message = f"`{command.manager} install` without `--no-install-recommends` also installs recommended packages"
            if view.script is None:
                yield Finding(where, message, note=self.report_only(view))
                continue
            held = _held_back(context, view, command, shipped)
            if held is not None:
                yield Finding(where, message, note=f"not fixed: {held}")
                continue
            edits = [view.script.insert(command.insert_offset, " --no-install-recommends")]
            kept = _once(_needed(context, view, command))
            added = add_packages(context, view.script, command, [keep.recommended for keep, _ in kept]) if kept else []
            if added is None:
                names = ", ".join(f"`{keep.recommended}` ({evidence})" for keep, evidence in kept)
                yield Finding(where, message, note=f"the fix would have to keep {names} and cannot place it in this list")
                continue
            title = "add `--no-install-recommends`"
            if kept:
                title += " and keep " + ", ".join(f"`{keep.recommended}`" for keep, _ in kept)
            assumes = _assumes(context, view, command, [(keep.recommended, evidence) for keep, evidence in kept])
            yield Finding(where, message, (*edits, *added), Safety.UNSAFE, title, assumes=assumes)


def _is_apt_install(command: PackageCommand) -> bool:
    return command.manager in ("apt-get", "apt") and command.subcommand == "install"


def _recommends_off(command: PackageCommand) -> bool:
    """The command itself turns recommends off (``--no-install-recommends``, ``-o ...=false``)."""
    for option in command.options:
        if option.matches("--no-install-recommends"):
            return True
        if (option.matches("-o") or option.name == "--option") and option.argument is not None:
            if _OPTION.fullmatch(option.argument) and _OFF.search(option.argument):
                return True
    return False


def _earlier_installs(context: Context, view: RunView, command: PackageCommand) -> Iterator[PackageCommand]:
    """apt installs that ran before ``command``: in earlier RUNs of the stage and its ancestors, then in its RUN."""
    for other in earlier_instructions(context, view.run):
        if isinstance(other, Run):
            model = context.run_view(other).model
            if model is not None:
                yield from (c for c in package_commands(model) if _is_apt_install(c))
    yield from (c for c in package_commands(view.model) if _is_apt_install(c) and c.end <= command.start)


def _provided_before(context: Context, view: RunView, command: PackageCommand, keep: Keep) -> bool:
    """An earlier install put ``keep.recommended`` in the image: by name, or as a recommendation it keeps.

    An earlier install without the option that DF202 fixes too keeps the
    package as well: the same later use makes its fix add it.
    """
    for earlier in _earlier_installs(context, view, command):
        if provides(earlier, keep) or (brings(earlier, keep) and not _recommends_off(earlier)):
            return True
    return False


def _first_use(context: Context, view: RunView, command: PackageCommand, use: Use, keep: Keep | None = None) -> str | None:
    """Where a step after ``command`` does ``use`` ("an HTTPS download at line 7"), or None.

    Read in order: the rest of the RUN, later RUNs (of the stage, of stages
    built from it, ONBUILD triggers), and, when the stage reaches the final
    image, its CMD/ENTRYPOINT/HEALTHCHECK. An install that names
    ``keep.recommended`` before the use makes it unnecessary (None). An
    ONBUILD trigger sees only its own RUN.
    """
    later: list[tuple[Instruction, Iterable[tuple[object, bool]], RunView | None]] = [
        (view.run, commands_in(view.model, after=command.end), view)
    ]
    if not view.trigger:
        for other in consumer_runs(context, view.run):
            if other.model is not None:
                later.append((other.run, commands_in(other.model), other))
        for instruction in _runtime_instructions(context, view.run):
            later.append((instruction, ((c, True) for c in _runtime_commands(instruction)), None))
    for instruction, commands, run_view in later:
        expand = known_values(context, instruction)
        for step, nested in commands:
            invocation = package_command(step)
            if keep is not None and invocation is not None and _is_apt_install(invocation) and provides(invocation, keep):
                return None
            if use in uses(step, expand):
                if run_view is not None and run_view.script is not None and not nested and run_view is view:
                    line = view.span(step.start, step.end).line
                else:
                    line = context.span(instruction.span.start, instruction.span.end).line
                return f"{use.value} at line {line}"
            if run_view is not None and not run_view.trigger:
                script = _script_use(context, instruction, step, use)
                if script is not None:
                    line = context.span(instruction.span.start, instruction.span.end).line
                    return f"{use.value} in `{script}`, run at line {line}"
    return None


def _script_use(context: Context, run: Instruction, step: SimpleCommand, use: Use) -> str | None:
    """The script ``step`` runs, when the build copies it from the context, which is here, and it does ``use``."""
    found = run_script(context, run, step) if context.build_context is not None else None
    if found is None or found[1] is None:
        return None
    script, model = found
    return script if any(use in uses(inner) for inner, _ in commands_in(model)) else None


def _runtime_instructions(context: Context, run: Run) -> list[Instruction]:
    """CMD, ENTRYPOINT and HEALTHCHECK of the stage of ``run`` and the stages built from it, if they reach the image."""
    info = context.stage_of(run)
    if info is None:
        return []
    out = []
    for stage in (info, *context.children_of(info)):
        if not context.reaches_final_image(stage):
            continue
        out.extend(i for i in stage.stage.instructions if isinstance(i, (Cmd, Entrypoint, Healthcheck)))
    return out


def _runtime_commands(instruction: Instruction):
    """The commands a CMD/ENTRYPOINT/HEALTHCHECK runs."""
    argv = instruction.exec_form
    if argv is not None:
        yield from argv_commands(tuple(argv))
        return
    text = instruction.shell_form
    if text:
        yield from (command for command, _ in commands_in(analyze(text)))


def _needed(context: Context, view: RunView, command: PackageCommand) -> Iterator[tuple[Keep, str]]:
    """The rows of the table whose recommended package this install must keep, with the evidence."""
    names = package_names(command)
    base = _base_reference(context, view.run)
    kept: list[str] = []  # a row whose package an earlier row keeps (``build-essential`` brings ``gcc``) adds nothing
    for keep in KEEPS:
        bringer = keep.brought(names)
        if bringer is None or not keep.applies_to(names) or keep.provided([*names, *kept]):
            continue
        if base_ships(base, keep.recommended) or (keep.old_releases_only and old_release(base) is None):
            continue
        if _provided_before(context, view, command, keep):
            continue
        if keep.use is Use.ALWAYS:
            if keep.old_releases_only and _provided_later(context, view, command, keep):
                continue  # headers first, the compiler in a later install (`apt-get install -y g++`)
            kept.append(keep.recommended)
            yield keep, keep.reason or f"`{bringer}` builds nothing without it"
            continue
        evidence = _first_use(context, view, command, keep.use, keep)
        if evidence is not None:
            headers = keep.companion(names) if keep.only_with else None
            kept.append(keep.recommended)
            yield keep, f"for {evidence}" + (f", with `{headers}` to compile against" if headers else "")
            continue
        client = keep.run_time_user(names)
        if keep.run_time_only_if_unused and client is not None and _runs_later(context, view, command, client):
            continue
        if client is not None and _stays_in_image(context, view, command, client, keep.recommended):
            kept.append(keep.recommended)
            yield keep, f"`{client}` stays in the image, and {keep.reason}"


#: The programs a package's users run (``git-core`` installs ``git``), and other commands that run them.
_PROGRAMS_OF = {"git-core": ("git",), "mercurial": ("hg",)}
_RUN_GIT = lazy_pattern(r"go (get|install)\b|pip3? install .*\bgit\+|npm (i|install)\b.*\bgit")


def _held_back(context: Context, view: RunView, command: PackageCommand, shipped: bool) -> str | None:
    """Why the install keeps its recommended packages (the rule only reports), or None to fix it."""
    if not shipped:
        return "the packages of this build stage never reach the image, so the change would save build time only"
    if _removed_with_recommends(view, command):
        return ("the RUN removes what it installs again and then the packages nothing needs (`autoremove`), "
                "recommended ones included: the change would save nothing, and a package kept explicitly would stay")
    desktop = _desktop_package(command)
    if desktop is not None:
        return (f"`{desktop}` is part of a desktop application, whose recommended packages (image loaders, fonts, "
                "themes) it often needs when it runs; which ones cannot be read from the file")
    converter = next(
        (name for name in package_names(command) if any(fnmatchcase(name, pattern) for pattern in _IMAGEMAGICK)), None
    )
    if converter is not None:
        return (f"`{converter}` reads and writes most formats through packages it only recommends (`ghostscript` "
                "for PDF and PostScript, the extra coders for SVG and WMF); which ones the image converts cannot be "
                "read from the file")
    everything = next((name for name in package_names(command) if name.endswith("-full")), None)
    if everything is not None:
        return f"`{everything}` asks for the whole of its kind, which may include packages it only recommends"
    engine = next((name for name in package_names(command) if name in _DOCKER_ENGINES), None)
    if engine is not None:
        return (f"`{engine}` runs the Docker daemon with what it only recommends (mounting the cgroups, "
                "`cgroupfs-mount` or `cgroup-lite`, and the tools it unpacks images with)")
    if "postgis" in package_names(command):
        return ("`postgis` holds PostGIS's command-line tools; the extension for the database server comes as its "
                "recommendation (`postgresql-postgis`), which the server's version names")
    unknown = _unknown_packages(command)
    if unknown is not None:
        return f"{unknown}, so what they recommend, and what the rest of the file needs of it, cannot be read"
    ppa = _ppa_needs_recommends(context, view, command)
    if ppa is not None:
        return (f"{ppa} imports the PPA's signing key with gpg helpers that `software-properties-common` only "
                "recommends, and which ones a release needs differs")
    return None


def _removed_with_recommends(view: RunView, command: PackageCommand) -> bool:
    """A build-only install: the rest of the RUN purges all its packages and autoremoves (``--auto-remove``
    or ``apt-get autoremove``), which takes the recommended packages away too."""
    names = set(package_names(command))
    removed: set[str] = set()
    autoremoved = False
    for other in package_commands(view.model):
        if other.start <= command.start or other.family != "apt":
            continue
        if other.action == "remove":
            removed |= set(package_names(other))
            words = {word.value for word in other.command.words}
            autoremoved = autoremoved or bool(words & {"--auto-remove", "--autoremove"})
        elif other.action == "autoremove" and removed:
            autoremoved = True
    return bool(names) and names <= removed and autoremoved  # a package that stays keeps its recommendations


def _once(kept: Iterable[tuple[Keep, str]]) -> list[tuple[Keep, str]]:
    """Each package once, with the first reason found for it (two rows may keep ``build-essential``)."""
    first: dict[str, tuple[Keep, str]] = {}
    for keep, evidence in kept:
        first.setdefault(keep.recommended, (keep, evidence))
    return list(first.values())


def _later_steps(context: Context, view: RunView, command: PackageCommand) -> Iterator[SimpleCommand]:
    """The commands that run after ``command``: the rest of its RUN, then the RUNs built on it (not downstream)."""
    yield from (step for step, _ in commands_in(view.model, after=command.end))
    if not view.trigger:
        for other in consumer_runs(context, view.run):
            if other.model is not None:
                yield from (step for step, _ in commands_in(other.model))


def _provided_later(context: Context, view: RunView, command: PackageCommand, keep: Keep) -> bool:
    """A later install of the stage (or of a stage built on it) names ``keep.recommended``, or a package bringing it."""
    for step in _later_steps(context, view, command):
        other = package_command(step)
        if other is not None and _is_apt_install(other) and provides(other, keep):
            return True
    return False


def _runs_later(context: Context, view: RunView, command: PackageCommand, package: str) -> bool:
    """Whether a build step after ``command`` runs what ``package`` installs (``git clone`` after ``git``)."""
    programs = _PROGRAMS_OF.get(package, (package,))
    uses_git = "git" in programs
    return any(
        step.name in programs or uses_git and _RUN_GIT.match(" ".join(w.value or w.text for w in step.words))
        for step in _later_steps(context, view, command)
    )


def _stays_in_image(context: Context, view: RunView, command: PackageCommand, package: str, needed: str) -> bool:
    """Whether ``package``, installed by ``command``, is in the final image without ``needed``.

    Its stage reaches the final image, no later step removes it, and no later
    install brings ``needed`` outright.
    """
    if view.trigger:
        return True  # the downstream image keeps it
    info = context.stage_of(view.run)
    if info is None or not context.reaches_final_image(info):
        return False
    for step in _later_steps(context, view, command):
        other = package_command(step)
        if other is None or other.family != "apt":
            continue
        if other.action == "remove" and package in package_names(other):
            return False
        if _is_apt_install(other) and needed in package_names(other):
            return False  # a later install brings it outright
    return True


#: Packages of graphical toolkits and desktops: GTK needs ``librsvg2-common`` (a recommendation) to load
#: its SVG icons, desktops their themes and fonts. (Browsers draw with their own engines: not listed.)
_DESKTOP = (
    "libgtk-3-*", "libgtk2.0-*", "libgtk-4-*", "gir1.2-gtk-*", "*-icon-theme", "libqt5*", "libqt6*", "qt5-*", "qt6-*",
    "python3-pyqt*", "python-pyqt*", "python3-pyside*", "xfce4*", "lxde*", "lxqt*", "*-desktop", "gnome-*", "kde-*",
    "xserver-xorg*",
)


#: Packages of the Docker daemon (``docker-ce-cli`` is only the client).
_DOCKER_ENGINES = frozenset({"docker-engine", "docker-ce", "docker.io", "lxc-docker", "moby-engine"})

#: ImageMagick, GraphicsMagick and the packages that bring their libraries (to build against, or through a
#: language binding: Java's JMagick, Python's Wand, Perl's PerlMagick).
_IMAGEMAGICK = (
    "imagemagick*", "libmagickcore*", "libmagickwand*", "libmagick++*", "php*-imagick", "ruby-rmagick", "libjmagick*",
    "python3-wand", "python-wand", "libimage-magick-perl", "perlmagick", "graphicsmagick*", "libgraphicsmagick*",
)


def _desktop_package(command: PackageCommand) -> str | None:
    """The first package of ``command`` that belongs to a desktop application or toolkit, if any."""
    return next((name for name in package_names(command) if any(fnmatchcase(name, p) for p in _DESKTOP)), None)


def _unknown_packages(command: PackageCommand) -> str | None:
    """Why the packages this install brings cannot be read (a variable, ``xargs``, a glob), or None."""
    if any(wrapper.name == "xargs" for wrapper in command.command.wrappers):
        return "the package names come from `xargs`"
    for word in command.packages:
        text = word.value if word.value is not None else word.text
        if word.value is None or "$" in text or "`" in text:
            return f"`{word.text}` is expanded by the shell"
        if any(ch in text for ch in "*?[") and not text.startswith("-"):
            return f"`{word.text}` is a pattern"
    return None


def _ppa_needs_recommends(context: Context, view: RunView, command: PackageCommand) -> str | None:
    """Where a later ``add-apt-repository ppa:`` may need what this install only recommends, or None.

    Only when the install brings ``software-properties-common``.
    """
    if "software-properties-common" not in package_names(command):
        return None
    return _first_use(context, view, command, Use.PPA)


def _base_reference(context: Context, run: Run) -> str | None:
    """The image the stage of ``run`` is ultimately built on, as written (through in-file parent stages)."""
    info = context.stage_of(run)
    if info is None:
        return None
    image = context.root_stage(info).stage.base
    return image.text if image is not None else None


def _assumes(context: Context, view: RunView, command: PackageCommand, kept: list[tuple[str, str]]) -> str:
    """The fix's caveat: what it cannot see, and what it kept for what it saw."""
    text = "nothing the build or the container needs came only as a recommended package"
    if kept:
        text += "; kept explicitly: " + ", ".join(f"`{name}` ({evidence})" for name, evidence in kept)
    names = package_names(command)
    if "build-essential" in names or any(name == "build-essential" for name, _ in kept):
        return text  # the compiler the caveats are about is named or kept
    for pattern, (use, caveat) in CAVEATS.items():
        if any(fnmatchcase(name, pattern) for name in names):
            if _first_use(context, view, command, use) is not None:
                text += f"; {caveat}"
    return text
