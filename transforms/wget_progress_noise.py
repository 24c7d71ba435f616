"""DF250 wget-progress-noise: ``wget`` without a progress setting fills the build log (hadolint's DL3047)."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, package_commands
from dfix.syntax import Instruction

from ._base_images import facts_for, family_from_commands
from ._downloads import WGET, has_any, options_of, powershell_alias, stderr_redirected
from ._packages import earlier_instructions

#: Options that already set how much wget prints: a progress style, quiet or terse output, or a log file.
_QUIET = ("--progress*", "-q", "--quiet", "--no-verbose", "-o", "--output-file", "-a", "--append-output")
#: Options whose output on stderr is the point of the command: never change what it prints.
_REPORTING = ("-S", "--server-response", "--spider", "-d", "--debug")
#: Base-image families whose ``wget`` is GNU wget (installed from the distribution's own package).
_GNU_FAMILIES = frozenset({"debian", "rhel", "suse"})
#: GNU wget's dot style with one dot per 1 MiB and a line per 32 MiB: a few lines for any download.
GNU_FLAG = "--progress=dot:giga"
#: Understood by every wget (GNU, wget2, BusyBox): no progress output at all.
ANY_FLAG = "-q"


def _quiet(options: tuple) -> bool:
    if has_any(options, *_QUIET):
        return True
    return any(option.matches("-n") and "v" in (option.argument or "") for option in options)  # -nv


class WgetProgressNoise(Rule):
    """``wget`` without a progress setting: its progress output floods the build log.

    **What** (hadolint's DL3047): ``wget`` without ``--progress=…``,
    ``-q``/``--quiet``, ``-nv``/``--no-verbose``, ``-o``/``--output-file`` or
    ``-a``/``--append-output``. Seen through ``sudo``/``env`` and absolute
    paths (``/usr/bin/wget``), which hadolint does not read.

    **Why.** A build has no terminal, so GNU wget falls back to its ``dot``
    style: one line per 50 KiB, thousands of lines for a JDK or a model
    file, burying the lines that matter in CI logs.

    **Fix** (safe: only the log changes), after ``wget``:

    * `` --progress=dot:giga`` (a line per 32 MiB, errors still shown) where
      the stage provably runs GNU wget: a Debian/Ubuntu, RHEL-family or SUSE
      base (their ``wget`` package is GNU wget; Fedora's wget2 accepts the
      same option), a stage whose own commands show such a distribution's
      package manager (``apt-get``, ``yum``, ``zypper`` ...), or a ``wget``
      package installed earlier in the stage or the RUN (Alpine's ``wget``
      package is GNU wget too);
    * `` -q`` otherwise: Alpine's and BusyBox's built-in wget rejects
      ``--progress`` (the build would fail) but every wget knows ``-q``.
      GNU wget's ``-q`` also hides its error messages; the exit status
      still fails the build.

    **Not fixed:** a wget whose stderr is redirected or piped on
    (``2>&1``, ``|&``), or that is asked to show the server's response
    (``-S``, ``--spider``, ``-d``): its output is being read, so it must
    not change. A download of small files by their names only (a package
    source ``.repo``/``.list``, a signing key, a checksum, a configuration,
    a patch, a script such as ``install.sh`` or ``get-pip.py`` (not a
    self-extracting installer), ``tini``, ``gosu``, ``su-exec``,
    ``dumb-init``): its
    progress is a few dozen lines at most, and a fix would be noise in the
    diff.
    Exec-form and heredoc RUNs are reported only. A ``wget``
    given PowerShell parameters (``-OutFile``, ``-Uri``) is PowerShell's
    ``Invoke-WebRequest`` alias on a Windows base and is not read at all.

    **Agreement with hadolint** 2.15.1 on the 10,005 Docker Hub files of the
    dev corpus: 1,244 of the 1,246 files it flags, plus 11 it misses (``sudo
    wget``, ``/usr/bin/wget``, files it cannot parse). The two it alone
    flags hide the RUN's rest behind a backtick comment (`` `# note` ``),
    which the shell parser reads as a comment to the end of the line.
    """

    code = "DF250"
    name = "wget-progress-noise"
    summary = "`wget` without a progress setting fills the build log"
    safety = Safety.SAFE
    severity = "info"
    aliases = ("DL3047",)

    valid = (
        Valid("FROM debian:12\nRUN wget --progress=dot:giga https://example.com/a.tgz\n"),
        Valid("FROM debian:12\nRUN wget -qO- https://example.com/install.sh | sh\n", "bundled -q"),
        Valid("FROM debian:12\nRUN wget -nv https://example.com/a.tgz && wget -o /tmp/log https://example.com/b\n"),
        Valid("FROM debian:12\nRUN apt-get install -y wget=1.21.3-1+b2\n", "installing wget is not running it"),
        Valid("FROM stefanscherer/node-windows:6.0.0\nRUN wget https://example.com/a.zip -OutFile a.zip\n",
              "PowerShell's wget alias (Invoke-WebRequest) on a Windows base dfix does not know"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN wget https://example.com/a.tgz -O /tmp/a.tgz\n",
            "FROM debian:12\nRUN wget --progress=dot:giga https://example.com/a.tgz -O /tmp/a.tgz\n",
            "Debian's wget is GNU wget",
            message="`wget` without a progress setting prints thousands of progress lines into the build log",
            line=2, column=5,
        ),
        Invalid(
            "FROM alpine:3.19\nRUN wget https://example.com/a.tgz\n",
            "FROM alpine:3.19\nRUN wget -q https://example.com/a.tgz\n",
            "BusyBox wget rejects --progress",
        ),
        Invalid(
            "FROM alpine:3.19\nRUN apk add --no-cache wget && \\\n    wget -O /tmp/a.tgz https://example.com/a.tgz\n",
            "FROM alpine:3.19\nRUN apk add --no-cache wget && \\\n"
            "    wget --progress=dot:giga -O /tmp/a.tgz https://example.com/a.tgz\n",
            "Alpine's wget package is GNU wget",
        ),
        Invalid(
            "FROM myorg/base:1\nRUN apt-get update && apt-get install -y --no-install-recommends make\n"
            "RUN wget -O /tmp/a.tgz https://example.com/a.tgz\n",
            "FROM myorg/base:1\nRUN apt-get update && apt-get install -y --no-install-recommends make\n"
            "RUN wget --progress=dot:giga -O /tmp/a.tgz https://example.com/a.tgz\n",
            "an unknown base that runs apt-get is Debian-based",
        ),
        Invalid(
            "FROM myorg/base:1\nRUN sudo wget https://example.com/a.tgz\n",
            "FROM myorg/base:1\nRUN sudo wget -q https://example.com/a.tgz\n",
            "an unknown base: the option every wget knows",
        ),
        Invalid(
            "FROM debian:12\nRUN wget -S --spider https://example.com/ 2>&1 | grep 'HTTP/1.1 200'\n",
            None,
            "the output is read: reported only",
        ),
        Invalid('FROM debian:12\nRUN ["wget", "https://example.com/a.tgz"]\n', None, "exec form"),
        Invalid(
            "FROM centos:7\nRUN wget https://dl.yarnpkg.com/rpm/yarn.repo -O /etc/yum.repos.d/yarn.repo\n", None,
            "a package source of a few hundred bytes: a line of progress, not worth a change",
        ),
        Invalid(
            "FROM debian:12\nRUN wget https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh "
            "&& bash Miniconda3-latest-Linux-x86_64.sh -b -p /opt/conda\n",
            "FROM debian:12\nRUN wget --progress=dot:giga https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh "
            "&& bash Miniconda3-latest-Linux-x86_64.sh -b -p /opt/conda\n",
            "a self-extracting installer is a shell script of about 100 MiB",
        ),
        Invalid(
            "FROM debian:12\nRUN wget -O /usr/bin/tini https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64"
            " && chmod +x /usr/bin/tini\n",
            None,
            "tini is under a megabyte: about twenty lines of progress, not worth a change",
        ),
        Invalid(
            'FROM debian:12\nENV V=1.17\nRUN wget -O /gosu.asc "https://github.com/tianon/gosu/releases/download/$V/gosu-amd64.asc"\n',
            None,
            "a signature, by the literal end of a URL with a variable in it",
        ),
        Invalid(
            'FROM debian:12\nRUN dpkgArch="$(dpkg --print-architecture)" && wget -O /usr/local/bin/gosu '
            '"https://github.com/tianon/gosu/releases/download/1.17/gosu-$dpkgArch"\n',
            None,
            "gosu for the build's platform: the variable names the platform of a small binary",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        message = "`wget` without a progress setting prints thousands of progress lines into the build log"
        for view in context.shell_runs():
            model = view.model
            assert model is not None
            for command in model.commands_named("wget"):
                options = options_of(command, WGET)
                if _quiet(options) or powershell_alias(command):
                    continue
                where = view.span(command.start, command.end)
                why_not = self._why_not(view, model, command, options)
                if why_not is not None:
                    yield self.diagnostic(where, message, note=f"not fixed: {why_not}")
                    continue
                flag = GNU_FLAG if _gnu_wget(context, view, command) else ANY_FLAG
                program = command.name_word
                assert program is not None and view.script is not None
                yield self.diagnostic(where, message, [view.script.insert(program.end, f" {flag}")],
                                      title=f"add `{flag}`")

    @staticmethod
    def _why_not(view: RunView, model: ShellScript, command: SimpleCommand, options: tuple) -> str | None:
        if view.script is None:
            return view.guard.note if view.guard is not None else "the RUN cannot be edited"
        if command.name_word is None or command.name_word.value is None:
            return "the program is not a literal word"
        if has_any(options, *_REPORTING) or stderr_redirected(model, command):
            return "wget's output is read by the command (its stderr is redirected, or it shows the server's response)"
        small = _small_downloads(command)
        if small:
            return f"`{small}` is a small file: its progress takes a few dozen lines of the log at most"
        return None


#: Files a download of which is a few KiB to a few MiB, so wget's default progress (a line per 50 KiB when the
#: log is not a terminal) is a few dozen lines at most: a package source, a signing key, a checksum, a
#: configuration, a script or patch, and the small init and privilege-drop binaries images fetch
#: (``tini`` under 1 MiB, ``gosu`` about 2 MiB). Shell scripts count only by an installer's usual names
#: (``install.sh``, ``get-docker.sh``): a self-extracting installer (Miniconda's, about 100 MiB) is one too.
_SMALL_FILE = lazy_pattern(
    r"\.(repo|list|sources|key|asc|gpg|pub|pem|crt|sig|sha1|sha256|sha512|md5|yaml|yml|toml|ini|conf|cfg|properties"
    r"|py|pl|rb|php|css|html|json|xml|txt|md|rst|patch|diff)$"
    r"|^(install|setup|get|bootstrap|entrypoint|docker-entrypoint)([-_.][\w.-]*)?\.(sh|bash)$"
    r"|^(tini|gosu|su-exec|dumb-init)([-_.][\w.${}-]*)?$",
    re.I,
)


def _small_downloads(command: SimpleCommand) -> str | None:
    """The name of the file when every URL ``wget`` fetches is a small one by its name, else None.

    A URL with a variable in it counts by its literal ending (``.../$VERSION/gosu.asc``); a
    variable in the name of a small binary stands for its platform (``gosu-$dpkgArch``).
    """
    texts = (word.value if word.value is not None else word.text.strip("'\"") for word in command.args)
    urls = [text for text in texts if "://" in text]
    names = [url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] for url in urls]
    if not names or not all("/" not in name and _SMALL_FILE.search(name) for name in names):
        return None
    return names[0]


def _gnu_wget(context: Context, view: RunView, command: SimpleCommand) -> bool:
    """Whether ``wget`` in this RUN is GNU wget.

    Yes when the base's distribution ships GNU wget, when the stage's own
    commands show a Debian/RHEL/SUSE package manager (an unknown base that
    runs ``apt-get`` is Debian-based, and its ``wget`` is the Debian
    package), or when a package install put ``wget`` there earlier.
    """
    instruction: Instruction = view.parent or view.run
    if _base_family(context, instruction) in _GNU_FAMILIES:
        return True
    model = view.model
    assert model is not None
    earlier = {id(other) for other in earlier_instructions(context, instruction)}
    scripts = [other.model for other in context.shell_runs() if id(other.run) in earlier and other.model is not None]
    names = {other.name for script in scripts for other in script.commands if other.name is not None}
    names |= {other.name for other in model.commands if other.start < command.start and other.name is not None}
    if family_from_commands(names) in _GNU_FAMILIES:
        return True
    installs = [i for script in scripts for i in package_commands(script)]
    installs += [i for i in package_commands(model) if i.command.start < command.start]
    return any(_installs_wget(invocation) for invocation in installs)


def _installs_wget(invocation: PackageCommand) -> bool:
    if invocation.action != "install" or invocation.family not in ("apt", "apk", "rpm", "zypper"):
        return False
    return any(spec is not None and spec.name == "wget" for _, spec in invocation.specs)


def _base_family(context: Context, instruction: Instruction) -> str:
    """The distribution family of the stage's external base image (through in-file parents)."""
    info = context.stage_of(instruction)
    if info is None:
        return "unknown"
    image = context.root_stage(info).stage.base
    if image is None or "$" in image.text:
        return "unknown"
    return facts_for(image.text).family
