"""Helpers of DF102 (copy-context-before-deps): where paths land, which RUNs read them, moving lines.

Moving a ``COPY`` of the build context below a ``RUN`` is only right when the
RUN cannot see the difference: it must not read (or write) anything under the
COPY's destination. The analysis here is about the Dockerfile text alone and
errs on the side of "may read" (what the manifests themselves read comes from
the build context, in ``_manifests.py``):

* :class:`Place` is a path as the build sees it: absolute, or relative to the
  stage's starting WORKDIR when the base image decides it (unknown).
* :func:`command_problem` proves that one shell command reads and writes
  nothing under a destination, from an allow-list (OS package installs with
  literal names, user creation, downloads to absolute paths, ``mkdir``/
  ``chmod``/``rm`` of absolute paths ...). Anything else "may read".
* :class:`InstallClaimer` recognises a language install that reads only
  its manifests (``pip install -r``, ``npm ci``, ``go mod download`` ...).
* :func:`block_range` / :func:`insertion_point` give the line ranges a move
  deletes and inserts, comment lines directly above an instruction included.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Iterable

import msgspec

from dfix.engine import EMPTY, Context, Form, RunView
from dfix.patterns import lazy_pattern
from dfix.shell import ShellScript, SimpleCommand, Word, analyze, package_command
from dfix.syntax import BlankLine, Comment, Dockerfile, Env, Instruction, Run, Workdir

# -- places ---------------------------------------------------------------------------------

#: The root of paths relative to the stage's starting WORKDIR (set by the base image, unknown here).
BASE = "@W"


class Place(msgspec.Struct, frozen=True):
    """A normalised path: ``/abs/path``, or ``@W/rel`` relative to the unknown base WORKDIR."""

    path: str

    @property
    def absolute(self) -> bool:
        return self.path.startswith("/")

    def join(self, other: str) -> "Place | None":
        """``other`` resolved against this place (None when it climbs above the unknown root)."""
        if other.startswith("/"):
            return Place(posixpath.normpath("/" + other.lstrip("/")))
        if self.absolute:
            return Place(posixpath.normpath(posixpath.join(self.path, other)))
        relative = posixpath.normpath(posixpath.join(self.path[len(BASE):].lstrip("/"), other))
        if relative == ".." or relative.startswith("../"):
            return None
        return Place(BASE if relative == "." else f"{BASE}/{relative}")

    def under(self, other: "Place") -> bool:
        """This place is ``other`` or inside it."""
        if self.absolute != other.absolute:
            return False
        if self.path == other.path or other.path == "/":
            return True
        return self.path.startswith(other.path.rstrip("/") + "/")

    def overlaps(self, other: "Place") -> bool:
        """One holds the other; an unknown root may be anything, so it overlaps every absolute path."""
        if self.absolute != other.absolute:
            return True
        return self.under(other) or other.under(self)

    def relative_to(self, other: "Place") -> str | None:
        """The path of this place from ``other`` (``.`` for the same), None when not inside it."""
        if not self.under(other):
            return None
        if self.path == other.path:
            return "."
        base = other.path.rstrip("/")
        return self.path[len(base) + 1 :] if base else self.path[1:]

    def __str__(self) -> str:
        return self.path


#: Directories package managers, user tools and base images write to: a context copied there
#: may collide with what a crossed RUN installs, so no move crosses into them.
_SYSTEM = tuple(
    Place(p) for p in (
        "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/var", "/root", "/boot",
        "/dev", "/proc", "/sys", "/run", "/tmp", "/usr",
    )
)
#: ... except these, which only hold what users put there (``/usr/src/app``).
_USER_AREAS = (Place("/usr/src"), Place("/usr/local/src"))
#: Directories that must not be the destination itself (their children are fine: ``/opt/app``).
_NOT_ITSELF = frozenset({"/", "/opt", "/home", "/srv", "/mnt", "/usr/src", "/usr/local/src", "/usr/local"})


def system_place(place: Place) -> bool:
    """``place`` is (inside) a directory the system or a package manager owns."""
    if not place.absolute or place.path in _NOT_ITSELF:
        return True
    if any(place.under(area) and place.path != area.path for area in _USER_AREAS):
        return False
    return any(place.under(system) for system in _SYSTEM)


def stage_workdirs(context: Context, stage_index: int, _depth: int = 0) -> dict[int, Place | None]:
    """The WORKDIR in force at each instruction of a stage (by ``id``); None where unknown (``$VAR``)."""
    info = context.stages[stage_index]
    start: Place | None = Place(BASE)
    if info.parent is not None and _depth < 20:
        # built FROM an earlier stage: it starts in that stage's last WORKDIR
        start = stage_workdirs(context, info.parent, _depth + 1).get(-1)
    out: dict[int, Place | None] = {}
    current = start
    for instruction in info.stage.instructions:
        out[id(instruction)] = current
        if isinstance(instruction, Workdir):
            value = instruction.value
            if value is None or "$" in value or current is None:
                current = None
            else:
                current = current.join(value)
    out[-1] = current
    return out


# -- shell commands: what they read and write ---------------------------------------------------------

#: OS package managers: installs with literal names read nothing from the context.
_OS_MANAGERS = frozenset({"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "dnf5", "microdnf", "tdnf", "zypper"})
_OS_ACTIONS = frozenset({"install", "refresh", "upgrade", "dist-upgrade", "clean", "remove", "autoremove"})
#: Commands whose every operand is a path (after a mode or owner for chmod/chown/chgrp): each must be
#: absolute, or relative to a known working directory, and outside the destination.
_PATH_COMMANDS = frozenset({
    "mkdir", "chmod", "chown", "chgrp", "ln", "touch", "rm", "rmdir", "cp", "mv", "install", "ls", "cat",
    "test", "[", "[[", "gunzip", "xz", "bunzip2", "gzip", "sha256sum", "sha512sum", "md5sum", "unzip",
})
_MODE_FIRST = frozenset({"chmod", "chown", "chgrp"})
#: Commands whose operands are names (packages, locales, users), though a path-like word is still checked.
_NAME_COMMANDS = frozenset({
    "ldconfig", "update-ca-certificates", "locale-gen", "localedef", "update-alternatives", "apt-mark",
    "apt-cache", "dpkg-reconfigure", "update-locale", "gpg", "gpgconf", "apt-key", "which", "command", "id",
    "whoami", "uname", "nproc", "sleep", "tar", "find",
})
#: Commands that create users and groups (they write /etc/passwd and maybe a home directory).
_USER_COMMANDS = frozenset({"useradd", "groupadd", "adduser", "addgroup", "usermod", "groupmod", "deluser", "delgroup", "chpasswd"})
#: Builtins that read nothing (their words are data, not paths).
_DATA_COMMANDS = frozenset({"echo", "printf", "true", "false", ":", "set", "export", "unset", "umask", "exit"})
_DOWNLOADERS = frozenset({"curl", "wget"})
_PACKAGE_FILE = lazy_pattern(r"\.(deb|rpm|apk|whl|gem|tgz|tar(\.\w+)?|zip)$")
#: Words that look like file names even without a slash (``keys.asc``, ``setup.sh``).
_FILE_LIKE = lazy_pattern(r"\.(deb|rpm|apk|whl|gem|tgz|tar(\.\w+)?|zip|gz|xz|bz2|asc|gpg|sig|key|pem|crt|sh|py|txt|json|ya?ml|toml|conf|cfg|ini|sql|jar|lock)$")
_URL = lazy_pattern(r"^[a-z][a-z0-9+.-]*://", re.I)
_REQUIREMENT = lazy_pattern(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._ -]*\])?([<>=!~]=?[^/\s,;]*(,[<>=!~]=?[^/\s,;]*)*)?$")


class Outcome(msgspec.Struct, frozen=True):
    """What one command does, as far as a move cares: a problem, and what kind of work it is."""

    problem: str | None = None
    heavy: bool = False  # installs or downloads: worth a cache layer


def _static_prefix(word: Word) -> str | None:
    """The literal text of a word up to its first expansion, quotes removed (None if it starts with one)."""
    if word.value is not None:
        return word.value
    text = word.text
    cut = text.find("$")
    if cut <= 0:
        return None
    head = text[:cut].replace('"', "").replace("'", "")
    return head or None


def _path_problem(word: Word, cwd: Place | None, dest: Place) -> str | None:
    """Why a word that may be a path may touch ``dest``; None when it cannot."""
    value = word.value
    if value is None:
        prefix = _static_prefix(word)
        if prefix and _URL.match(prefix):
            return None
        if prefix and prefix.startswith("/"):
            directory = prefix if prefix.endswith("/") else posixpath.dirname(prefix)
            place = Place(posixpath.normpath(directory or "/"))
            return f"`{word.text}` may name a path in {dest}" if place.overlaps(dest) else None
        return f"`{word.text}` is only known at build time"
    if not value or _URL.match(value):
        return None
    if value.startswith("-"):
        return None
    if value.startswith("~"):
        return f"`{value}` is in a home directory, and {dest} may be one" if dest.under(Place("/home")) else None
    if value.startswith("/"):
        target = Place(posixpath.normpath(value.split("*", 1)[0] or "/"))
        if "*" in value or "?" in value or "[" in value:
            target = Place(posixpath.dirname(target.path) or "/") if not value.endswith("*") else target
        return f"`{value}` is in {dest}" if target.overlaps(dest) else None
    if "/" in value or value.startswith(".") or _FILE_LIKE.search(value):
        if cwd is None:
            return f"`{value}` is relative to a directory that is not known"
        resolved = cwd.join(value)
        if resolved is None or resolved.overlaps(dest):
            return f"`{value}` is relative to {cwd}, which overlaps {dest}"
        return None
    return None


def _words_problem(words: Iterable[Word], cwd: Place | None, dest: Place) -> str | None:
    for word in words:
        problem = _path_problem(word, cwd, dest)
        if problem:
            return problem
    return None


def _strict_literals(words: Iterable[Word]) -> str | None:
    for word in words:
        if word.value is None and not (_static_prefix(word) or "").startswith("/"):
            return f"`{word.text}` is only known at build time"
    return None


#: Options of curl/wget whose argument is data (a header, a number, a user agent), not a path.
_CURL_DATA_LONG = frozenset({
    "--header", "--user-agent", "--user", "--request", "--retry", "--retry-delay", "--retry-max-time",
    "--max-time", "--connect-timeout", "--referer", "--proto", "--proto-redir", "--limit-rate", "--range",
    "--proxy", "--resolve", "--max-redirs", "--write-out", "--speed-limit", "--speed-time", "--keepalive-time",
    "--expect100-timeout", "--oauth2-bearer", "--ciphers", "--interface", "--dns-servers", "--noproxy",
})
_CURL_DATA_SHORT = frozenset("HAuXmerxwyYzEC")
_CURL_FILE_LONG = frozenset({"--cacert", "--capath", "--cert", "--key", "--crlfile", "--pinnedpubkey"})
_CURL_WRITES_BY_NAME = frozenset({
    "--remote-name", "--remote-name-all", "--remote-header-name", "--upload-file", "--config", "--netrc-file",
    "--output-dir", "--cookie-jar", "--dump-header", "--trace", "--trace-ascii", "--stderr", "--etag-save",
    "--etag-compare", "--hsts", "--alt-svc", "--libcurl", "--create-dirs",
})
_WGET_DATA_LONG = frozenset({
    "--tries", "--timeout", "--header", "--user-agent", "--progress", "--user", "--password", "--wait",
    "--dns-timeout", "--connect-timeout", "--read-timeout", "--limit-rate", "--max-redirect", "--http-user",
    "--http-password", "--secure-protocol", "--quota", "--level", "--accept", "--reject", "--method",
})
_WGET_DATA_SHORT = frozenset("tTUwQlAR")
_WGET_FILE_LONG = frozenset({"--ca-certificate", "--certificate", "--private-key", "--ca-directory"})
_WGET_READS = frozenset({"--input-file", "--load-cookies", "--post-file", "--body-file", "--config", "--save-cookies",
                         "--output-file", "--append-output", "--base"})


def _output_problem(name: str, argument: Word | None, cwd: Place | None, dest: Place) -> str | None:
    """An output file (or directory) of a downloader: stdout, or a path outside ``dest``."""
    if argument is None:
        return f"`{name}` has an output option without a value"
    if argument.value == "-":
        return None
    prefix = argument.value if argument.value is not None else _static_prefix(argument)
    if prefix is None:
        return f"`{name}` writes to `{argument.text}`, only known at build time"
    if prefix.startswith("/"):
        return _path_problem(argument, cwd, dest)
    if cwd is None or argument.value is None:
        return f"`{name}` writes to `{argument.text}` in a working directory that is not known"
    resolved = cwd.join(argument.value)
    if resolved is None or resolved.overlaps(dest):
        return f"`{name}` writes to `{argument.value}` in {cwd}"
    return None


def _downloader_problem(command: SimpleCommand, cwd: Place | None, dest: Place) -> str | None:
    """curl/wget: every file it writes or reads is outside ``dest``; URLs may hold ``$VARS``."""
    name = command.name
    curl = name == "curl"
    args = list(command.args)
    saves_by_name = not curl  # wget saves into the working directory unless told otherwise
    index = 0
    while index < len(args):
        word = args[index]
        text = word.value if word.value is not None else word.text
        following = args[index + 1] if index + 1 < len(args) else None
        if text.startswith("--") and len(text) > 2:
            option, equals, attached = text.partition("=")
            argument = Word(attached, attached, word.start, word.end) if equals else following
            step = 1 if equals else 2
            if curl and option in ("--remote-name", "--remote-name-all"):
                saves_by_name = True
                index += 1
                continue
            if (curl and option in _CURL_WRITES_BY_NAME) or (not curl and option in _WGET_READS):
                return f"`{name} {option}` reads or writes files by name"
            if option in ("--output", "--output-document", "--directory-prefix"):
                problem = _output_problem(name, argument, cwd, dest)
                if problem:
                    return problem
                saves_by_name = saves_by_name and curl
                index += step
                continue
            if curl and option in ("--data", "--data-binary", "--data-raw", "--data-urlencode", "--form", "--json",
                                   "--form-string", "--cookie"):
                payload = argument.value if argument is not None else None
                if payload is None or payload[:1] in ("@", "<") or "=@" in payload or "=<" in payload or (
                        option == "--cookie" and "=" not in payload):
                    return f"`{name} {option}` may read a file"
                index += step
                continue
            if option in (_CURL_FILE_LONG if curl else _WGET_FILE_LONG):
                if argument is None or not (argument.value or "").startswith("/"):
                    return f"`{name} {option}` reads a path that is not absolute"
                problem = _path_problem(argument, cwd, dest)
                if problem:
                    return problem
                index += step
                continue
            if option in (_CURL_DATA_LONG if curl else _WGET_DATA_LONG):
                index += step
                continue
            index += 1
            continue
        if text.startswith("-") and len(text) > 1:
            letters = text[1:]
            if not curl and letters in ("nv", "nc", "nd", "np", "nH"):
                index += 1
                continue
            consumed_next = False
            for position, letter in enumerate(letters):
                rest = letters[position + 1 :]
                argument = Word(rest, rest, word.start, word.end) if rest else following
                if curl and letter == "O":
                    saves_by_name = True  # the remote name, in the working directory
                    continue
                if (curl and letter in "TKJDc") or (not curl and letter in "ioaB"):
                    return f"`{name} -{letter}` reads or writes files by name"
                if (curl and letter == "o") or (not curl and letter in "OP"):
                    problem = _output_problem(name, argument, cwd, dest)
                    if problem:
                        return problem
                    saves_by_name = saves_by_name and curl
                    consumed_next = not rest
                    break
                if curl and letter in "dFb":
                    payload = argument.value if argument is not None else None
                    if payload is None or payload[:1] in ("@", "<") or "=@" in payload or "=<" in payload or (
                            letter == "b" and "=" not in payload):
                        return f"`curl -{letter}` may read a file"
                    consumed_next = not rest
                    break
                if letter in (_CURL_DATA_SHORT if curl else _WGET_DATA_SHORT):
                    consumed_next = not rest
                    break
            index += 2 if consumed_next else 1
            continue
        # an operand: a URL (possibly with $VARS), never a path
        prefix = word.value if word.value is not None else (_static_prefix(word) or "")
        if not _URL.match(prefix) and not re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/|$)", prefix):
            if "/" in prefix or prefix.startswith(".") or not prefix:
                return f"`{word.text}` may be a local path"
        index += 1
    if saves_by_name and (cwd is None or cwd.overlaps(dest)):
        return f"`{name}` saves into the working directory"
    return None


def _tar_problem(command: SimpleCommand, cwd: Place | None, dest: Place) -> str | None:
    args = command.args
    directory = None
    extracting = False
    for index, word in enumerate(args):
        value = word.value or ""
        if value in ("-C", "--directory"):
            directory = args[index + 1] if index + 1 < len(args) else None
        elif value.startswith("--directory="):
            directory = word
        if (value.startswith("-") and not value.startswith("--") and "x" in value) or value == "--extract" or (
                index == 0 and not value.startswith("-") and "x" in value):
            extracting = True
    archive = None
    for index, word in enumerate(args):
        value = word.value or ""
        if value.startswith("--file="):
            archive = Word(value[7:], value[7:], word.start, word.end)
        elif value in ("--file",) or (not value.startswith("--") and (value.startswith("-") or index == 0) and "f" in value):
            letters = value.lstrip("-")
            rest = letters[letters.index("f") + 1 :]
            archive = Word(rest, rest, word.start, word.end) if rest else (args[index + 1] if index + 1 < len(args) else None)
    if archive is not None and archive.value != "-":
        prefix = archive.value if archive.value is not None else _static_prefix(archive)
        if prefix is None or (not prefix.startswith("/") and (archive.value is None or cwd is None)):
            return f"`tar` reads `{archive.text}` from a directory that is not known"
        resolved = Place(posixpath.normpath(prefix)) if prefix.startswith("/") else cwd.join(archive.value)
        if archive.value is None:
            problem = _path_problem(archive, cwd, dest)
            if problem:
                return problem
        elif resolved is None or resolved.overlaps(dest):
            return f"`tar` reads `{archive.text}`, which may be in {dest}"
    if extracting and directory is None:
        if cwd is None or cwd.overlaps(dest):
            return "`tar` extracts into the working directory"
    return _words_problem(args, cwd, dest)


def command_problem(command: SimpleCommand, cwd: Place | None, dest: Place, *, home_sensitive: bool) -> Outcome:
    """Whether ``command`` (run in ``cwd``) may read or write anything under ``dest``."""
    for redirect in command.redirects:
        target = redirect.target
        if target is None or redirect.operator in ("<<", "<<-", ">&", "<&") or (target.value or "").isdigit() or (target.value or "") in ("-", "/dev/null", "/dev/stdout", "/dev/stderr"):
            continue
        problem = _path_problem(target, cwd, dest) if (target.value or _static_prefix(target) or "").startswith("/") else (
            f"redirection to `{target.text}`" if target.value is None or cwd is None or (cwd.join(target.value) or dest).overlaps(dest) else None)
        if problem:
            return Outcome(problem)
    name = command.name
    if command.name_index is None:
        if command.assignments and all(a.value is not None for a in command.assignments):
            return Outcome()
        return Outcome(None if not command.words else "a command whose name is only known at build time")
    if name is None:
        return Outcome(f"`{command.name_word.text}` is only known at build time")
    program = command.program or ""
    if "/" in program and not program.startswith("/"):
        return Outcome(f"`{program}` runs a script from the working directory")
    if program.startswith("/") and Place(posixpath.normpath(program)).overlaps(dest):
        return Outcome(f"`{program}` runs a file from {dest}")
    if any(w.value is None for w in command.words[: command.name_index]):
        return Outcome("a wrapper argument is only known at build time")
    invocation = package_command(command)
    if invocation is not None and invocation.manager in _OS_MANAGERS:
        if invocation.action not in _OS_ACTIONS:
            return Outcome(f"`{name} {invocation.subcommand or ''}` is not a plain install")
        for option in invocation.options:
            if option.has_argument and option.argument is None:
                return Outcome(f"`{name}` option `{option.name}` is only known at build time")
            if option.argument and ("/" in option.argument and not option.argument.startswith("/") and not _URL.match(option.argument)):
                return Outcome(f"`{name} {option.name} {option.argument}` names a relative path")
        for word in invocation.operands:
            value = word.value
            if value is None:
                return Outcome(f"package list `{word.text}` is only known at build time")
            if "/" in value or value.startswith(".") or _PACKAGE_FILE.search(value):
                return Outcome(f"`{value}` is a package file, perhaps from the context")
        return Outcome(heavy=invocation.action in ("install", "upgrade", "dist-upgrade", "refresh"))
    if invocation is not None:
        return _language_global_install(invocation, cwd, dest)
    if name in _DATA_COMMANDS:
        return Outcome()
    if name in ("cd",):
        return Outcome()  # handled by the caller (it moves the working directory)
    if name in (".", "source"):
        target = command.args[0] if command.args else None
        if target is None or not (target.value or "").startswith("/"):
            return Outcome("`.` reads a script")
        return Outcome(_path_problem(target, cwd, dest))
    if name in _DOWNLOADERS:
        return Outcome(_downloader_problem(command, cwd, dest), heavy=True)
    if name in _USER_COMMANDS:
        problem = _strict_literals(command.args) or _words_problem(command.args, cwd, dest)
        if problem is None and home_sensitive:
            problem = f"user tools create home directories, and {dest} is under /home"
        return Outcome(problem)  # crossed freely, but creating a user alone is no cache worth a move
    if name == "tar":
        return Outcome(_strict_literals(command.args) or _tar_problem(command, cwd, dest))
    if name == "find":
        if not command.args or not (command.args[0].value or "").startswith("/"):
            return Outcome("`find` searches the working directory")
        if any((w.value or "") in ("-exec", "-execdir", "-ok", "-okdir") for w in command.args):
            return Outcome("`find -exec` runs commands")
        return Outcome(_strict_literals(command.args) or _words_problem(command.args, cwd, dest))
    if name in ("sha256sum", "sha512sum", "md5sum") and any((w.value or "").startswith("-c") or w.value == "--check" for w in command.args):
        return Outcome("a checksum check reads the files a list names")
    if name in ("gpg", "apt-key"):
        if any((w.value or "") in ("--verify", "add") for w in command.args) and _words_problem(command.args, cwd, dest):
            return Outcome(_words_problem(command.args, cwd, dest))
        return Outcome(_strict_literals(command.args) or _words_problem(command.args, cwd, dest))
    if name in _PATH_COMMANDS:
        return Outcome(_operands_problem(command, cwd, dest))
    if name in _NAME_COMMANDS:
        return Outcome(_strict_literals(command.args) or _words_problem(command.args, cwd, dest))
    return Outcome(f"`{name}` may read the copied files")


def _operands_problem(command: SimpleCommand, cwd: Place | None, dest: Place) -> str | None:
    """Every operand is a path: absolute (or relative to a known directory) and outside ``dest``."""
    name = command.name
    operands = [w for w in command.args if not (w.value if w.value is not None else w.text).startswith("-")
                or (w.value or w.text) == "-"]
    if name in _MODE_FIRST and operands:
        if operands[0].value is None and not re.fullmatch(r"\$\{?\w+\}?(:\$\{?\w+\}?)?", operands[0].text.strip('"')):
            return f"`{operands[0].text}` is only known at build time"
        operands = operands[1:]
    if name in ("test", "[", "[["):
        operands = [w for w in operands if (w.value or "") not in ("]", "]]", "=", "!=", "!")]
    if name in ("cat", "ls", "sha256sum", "sha512sum", "md5sum", "gzip", "gunzip", "xz", "bunzip2") and not operands:
        return None if name in ("cat", "gzip", "gunzip", "xz", "bunzip2") else f"`{name}` reads the working directory"
    if name in ("mkdir", "touch", "rm", "rmdir", "ln", "cp", "mv", "install", "chmod", "chown", "chgrp", "unzip") and not operands:
        return None
    for word in operands:
        if word.value == "-":
            continue
        prefix = word.value if word.value is not None else _static_prefix(word)
        if prefix is None:
            return f"`{word.text}` is only known at build time"
        if prefix.startswith("/") or prefix.startswith("~"):
            problem = _path_problem(word, cwd, dest)
        elif word.value is None or cwd is None:
            problem = f"`{word.text}` is relative to a working directory that is not known"
        else:
            resolved = cwd.join(word.value)
            problem = None if resolved is not None and not resolved.overlaps(dest) else (
                f"`{word.value}` is relative to {cwd}, which overlaps {dest}")
        if problem:
            return problem
    if name == "unzip" and not any((w.value or "") == "-d" for w in command.args) and (cwd is None or cwd.overlaps(dest)):
        return "`unzip` extracts into the working directory"
    return None


def _language_global_install(invocation, cwd: Place | None, dest: Place) -> Outcome:
    """``pip install flask``, ``npm install -g x``, ``gem install x``: named packages, nothing local."""
    manager = invocation.manager
    if invocation.action != "install":
        if invocation.action == "clean":
            return Outcome()
        return Outcome(f"`{manager} {invocation.subcommand or ''}` may read the copied files")
    if manager in ("npm", "pnpm") and not any(o.matches("-g") or o.name == "--global" for o in invocation.options):
        return Outcome(f"`{manager} install` works on the project in the working directory")
    if manager == "yarn" and invocation.subcommand != "global add":
        return Outcome("`yarn` works on the project in the working directory")
    if manager == "uv" and invocation.subcommand != "pip install":
        return Outcome("`uv` works on the project in the working directory")
    for option in invocation.options:
        if option.name in ("-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links",
                           "--file", "-g", "--gemfile") and not option.matches("-g") or (manager == "pip" and option.letters and set(option.letters) & set("rcef")):
            return Outcome(f"`{manager} {option.name}` reads local files")
        if option.has_argument and option.argument is None:
            return Outcome(f"`{manager}` option `{option.name}` is only known at build time")
    operands = invocation.operands
    if not operands:
        return Outcome(f"`{manager} install` without packages installs the project in the working directory")
    for word in operands:
        value = word.value
        if value is None:
            return Outcome(f"package `{word.text}` is only known at build time")
        if not _REQUIREMENT.match(value) and not (manager in ("npm", "pnpm", "yarn") and _js_registry_spec(value)):
            return Outcome(f"`{value}` may be a local path")
    return Outcome(heavy=True)


#: A package name (optionally ``@scope/``) with an optional version range: never a path.
_JS_PACKAGE = lazy_pattern(r"^(@[A-Za-z0-9~][\w.~-]*/)?[A-Za-z0-9~][\w.~-]*(@[\w.^~<>=*|-]+)?$")
#: What npm-package-arg reads as a file or folder: ``.``, ``./x``, ``~/x``, ``/x``, ``C:``, or a tarball name.
_JS_FILE_SPEC = lazy_pattern(r"^(?:\.|~/|/|\\|[A-Za-z]:)|\.(?:tgz|tar\.gz|tar)$", re.IGNORECASE)


def _js_registry_spec(value: str) -> bool:
    """Whether an npm/pnpm/yarn operand names a registry package, not something in the build context."""
    return not _JS_FILE_SPEC.search(value) and bool(_JS_PACKAGE.match(value))


class RunFacts(msgspec.Struct):
    """A RUN's shell model and how to read it, or why it cannot be read."""

    script: ShellScript | None
    problem: str | None = None


def run_model(run: Run, context: Context) -> RunFacts:
    """The RUN's shell model (the engine's view), or why it cannot be read: a heredoc is never read here."""
    view = context.run_view(run)
    if view.form is Form.HEREDOC:
        return RunFacts(None, "the RUN has a heredoc")
    if view.form is Form.EXEC:
        # the argv as one command line: a script hidden in `sh -c` stays one opaque word here,
        # so DF102 never vets (or moves a COPY across) what such a RUN runs
        argv = run.exec_form or ()
        return RunFacts(analyze(shlex.join(argv))) if argv else RunFacts(None, EMPTY.note)
    model = view.model
    if model is None:
        return RunFacts(None, (view.guard or EMPTY).note)
    if model.has_error:
        return RunFacts(None, "the RUN's script does not parse")
    return RunFacts(model)


def mount_problem(view: RunView, dest: Place, cwd: Place | None) -> str | None:
    """Mounts: a bind mount (of the context by default) or a mount inside ``dest`` is not crossed."""
    for mount in view.mounts:
        kind = mount.type
        if kind == "bind":
            return "the RUN bind-mounts files (`--mount=type=bind`)"
        target = mount.raw
        if target is None:
            if kind in ("secret", "ssh"):
                continue
            return "a mount without a target"
        if mount.path is not None:
            place: Place | None = Place(mount.path)
        else:
            place = cwd.join(target) if cwd is not None and not target.startswith("/") else None
        if place is None or "$" in target or place.overlaps(dest):
            return f"the RUN mounts `{target}`, which overlaps {dest}"
    return None


class ScriptVerdict(msgspec.Struct):
    """The commands of a RUN, classified: free (read nothing under dest) or dependency installs."""

    problem: str | None = None
    heavy: bool = False
    installs: list = msgspec.field(default_factory=list)  # (SimpleCommand, working directory) of language installs


def judge_script(model: ShellScript, cwd: Place | None, dest: Place, *, home_sensitive: bool,
                 allow_install=None) -> ScriptVerdict:
    """Go through a RUN's commands in order, following top-level ``cd``.

    ``allow_install(command, cwd)`` may claim a command as a dependency
    install (the split); every other command must be free.
    """
    verdict = ScriptVerdict()
    current = cwd
    for command in model.commands:
        if command.name == "cd":
            if not command.is_top_level and command.context:
                return ScriptVerdict("`cd` inside a compound command")
            target = command.args[0].value if command.args else None
            if target is None or target == "-":
                return ScriptVerdict("`cd` to a directory only known at build time")
            current = current.join(target) if current is not None else (Place(posixpath.normpath(target)) if target.startswith("/") else None)
            continue
        if allow_install is not None and allow_install(command, current):
            verdict.installs.append((command, current))
            verdict.heavy = True
            continue
        outcome = command_problem(command, current, dest, home_sensitive=home_sensitive)
        if outcome.problem:
            return ScriptVerdict(outcome.problem)
        verdict.heavy = verdict.heavy or outcome.heavy
    return verdict


# -- dependency installs that read only manifests ----------------------------------------------------

class Manifests(msgspec.Struct, frozen=True):
    """A dependency install that reads only its manifests: which ecosystem, and what the command line names.

    What the manifests themselves read (includes, scripts, workspaces) is
    only known from the build context (``transforms/_manifests.py``).
    """

    ecosystem: str
    #: pip: the requirements files named with ``-r``/``-c``, relative to the copied folder.
    files: tuple[str, ...] = ()
    #: npm/Yarn/pnpm: every claimed install runs with ``--ignore-scripts``.
    ignore_scripts: bool = False
    #: Folders of the project the install fills, as the command line says (``--deployment``: vendor/bundle).
    fills: tuple[str, ...] = ()


_PIP_OK_OPTIONS = frozenset({
    "--no-cache-dir", "--no-cache", "--upgrade", "-U", "--user", "--quiet", "-q", "--verbose", "-v",
    "--no-deps", "--prefer-binary", "--only-binary", "--no-binary", "--index-url", "-i", "--extra-index-url",
    "--trusted-host", "--disable-pip-version-check", "--no-warn-script-location", "--root-user-action",
    "--break-system-packages", "--progress-bar", "--timeout", "--retries", "--default-timeout", "--compile",
    "--no-compile", "--require-hashes", "--upgrade-strategy", "--ignore-installed", "-I", "--force-reinstall",
    "--pre", "--no-build-isolation", "--use-pep517", "--no-input", "--isolated", "--system", "--no-color",
})
_PIP_LETTERS = frozenset("UqvI")

def _literal_args(command: SimpleCommand) -> bool:
    return all(w.value is not None for w in command.args)


def _pip_manifests(command: SimpleCommand, cwd: Place | None, project: Place) -> tuple[list[str], str | None]:
    """Requirement files of ``pip install -r F ...`` relative to ``project``, or why it reads more."""
    invocation = package_command(command)
    if invocation is None or invocation.action != "install" or invocation.manager not in ("pip", "uv"):
        return [], "not a pip install"
    if invocation.manager == "uv" and invocation.subcommand != "pip install":
        return [], "not `uv pip install`"
    if cwd is None:
        return [], "the working directory is not known"
    files: list[str] = []
    for option in invocation.options:
        if option.name in ("-r", "--requirement", "-c", "--constraint") or (option.letters[-1:] in ("r", "c") and option.has_argument):
            path = option.argument
            if path is None:
                return [], f"requirements file `{option.words[-1].text}` is only known at build time"
            resolved = cwd.join(path)
            relative = resolved.relative_to(project) if resolved is not None else None
            if relative is None or relative == ".":
                return [], f"`{path}` is not in the copied directory"
            files.append(relative)
            continue
        if option.name in _PIP_OK_OPTIONS or (option.letters and set(option.letters) <= _PIP_LETTERS) or (
                option.name.split("=", 1)[0] in _PIP_OK_OPTIONS):
            if option.has_argument and option.argument is None:
                return [], f"`{option.name}` is only known at build time"
            continue
        return [], f"`pip {option.name}` may read local files"
    for word in invocation.operands:
        if word.value is None or not _REQUIREMENT.match(word.value):
            return [], f"`pip install {word.text}` may install from the copied files"
    if not files:
        return [], "no `-r` requirements file"
    return files, None


#: Options whose value is the next word, per program (the rest are flags or written ``--opt=value``).
_TAKES_ARGUMENT = {
    "npm": frozenset({"--omit", "--include", "--registry", "--loglevel", "--cache", "--userconfig", "--tag",
                      "--install-strategy", "--prefix", "-w", "--workspace", "--before"}),
    "yarn": frozenset({"--network-timeout", "--cache-folder", "--mutex", "--registry", "--modules-folder", "--cwd",
                       "--network-concurrency", "--use-yarnrc"}),
    "pnpm": frozenset({"--store-dir", "--reporter", "--registry", "--dir", "-C", "--filter", "-F",
                       "--network-concurrency", "--child-concurrency", "--virtual-store-dir", "--modules-dir"}),
    "bundle": frozenset({"--jobs", "-j", "--retry", "--without", "--with", "--path", "--gemfile", "--binstubs",
                         "--standalone", "--shebang", "--trust-policy"}),
    "composer": frozenset({"--working-dir", "-d"}),
    "mvn": frozenset({"-f", "--file", "-pl", "--projects", "-s", "--settings", "-gs", "--global-settings",
                      "-T", "--threads", "-P", "--activate-profiles", "-l", "--log-file", "-t", "--toolchains"}),
    "poetry": frozenset({"--only", "--with", "--without", "-E", "--extras", "-C", "--directory"}),
    "go": frozenset(),
}


def _simple_project_install(command: SimpleCommand, cwd: Place | None, project: Place) -> tuple[str | None, str | None]:
    """The ecosystem of a manifest-only install run in the project directory, or why it is not one."""
    name = command.name
    if cwd is None or cwd != project:
        return None, "it does not run in the copied directory"
    if not _literal_args(command):
        return None, "an argument is only known at build time"
    options: list[str] = []
    operands: list[str] = []
    takes = _TAKES_ARGUMENT.get(name, frozenset())
    skip = False
    for word in command.args:
        value = word.value
        if skip:
            skip = False
            continue
        if value.startswith("-"):
            options.append(value)
            skip = value in takes
        else:
            operands.append(value)
    if name == "npm":
        if operands[:1] in (["ci"], ["install"], ["i"], ["clean-install"]) and len(operands) == 1:
            if any(o.split("=", 1)[0] in ("--prefix", "-g", "--global", "--workspace", "-w", "--workspaces") for o in options):
                return None, "`npm` with a prefix or workspaces"
            return "npm", None
        return None, "not `npm ci`/`npm install`"
    if name == "yarn":
        if operands in ([], ["install"]):
            if any(o.split("=", 1)[0] in ("--cwd", "--immutable", "--immutable-cache", "--modules-folder", "--check-cache") for o in options):
                return None, "`yarn` with `--cwd` or Yarn ≥ 2 flags (its `.yarn/` folder would be missing)"
            return "yarn", None
        return None, "not `yarn install`"
    if name == "pnpm":
        if operands in (["install"], ["i"], ["fetch"]):
            if any(o.split("=", 1)[0] in ("--dir", "-C", "--filter", "-F", "-r", "--recursive", "-w", "--workspace-root") for o in options):
                return None, "`pnpm` with a directory or workspaces"
            return "pnpm", None
        return None, "not `pnpm install`"
    if name == "go":
        if operands[:2] == ["mod", "download"] and len(operands) == 2 and all(o in ("-x", "-json") for o in options):
            return "go", None
        return None, "not `go mod download`"
    if name == "bundle":
        if operands in ([], ["install"]) and not any(o.split("=", 1)[0] in ("--gemfile", "--local") for o in options):
            return "bundler", None
        if operands[:1] == ["config"] and "--local" not in options:
            return "bundler-config", None
        return None, "not `bundle install`"
    if name == "composer":
        if operands == ["install"] and not any(o.split("=", 1)[0] in ("--working-dir", "-d") for o in options):
            if "--no-scripts" in options and "--no-autoloader" in options:
                return "composer", None
            return None, "`composer install` without `--no-scripts --no-autoloader` reads the sources (scripts, class map)"
        return None, "not `composer install`"
    if name == "mvn":
        goals = [v for v in operands]
        if goals and all(g in ("dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins") for g in goals) and not any(
                o in ("-f", "--file", "-pl", "--projects") or o.startswith("--file=") for o in options):
            return "maven", None
        return None, "not `mvn dependency:go-offline`"
    if name == "poetry":
        if operands == ["install"] and "--no-root" in options and not any(o.startswith("--directory") or o == "-C" for o in options):
            return "poetry", None
        return None, "`poetry install` without `--no-root` installs the project itself"
    return None, f"`{name}` is not a dependency install dfix can split"


class InstallClaimer:
    """Claims the dependency installs of one RUN for a split (all of one ecosystem)."""

    def __init__(self, project: Place) -> None:
        self.project = project
        self.ecosystem: str | None = None
        self.files: list[str] = []
        self.problem: str | None = None
        self.seen_install = False
        #: Whether every JavaScript install claimed runs with ``--ignore-scripts`` (None: none claimed yet).
        self.ignore_scripts: bool | None = None
        #: Folders of the project the install writes into (``bundle install --deployment``: vendor/bundle).
        self.fills: list[str] = []

    def __call__(self, command: SimpleCommand, cwd: Place | None) -> bool:
        if command.name is None:
            return False
        invocation = package_command(command)
        if invocation is not None and invocation.manager in ("pip", "uv") and invocation.action == "install" and any(
                o.name in ("-r", "--requirement") or (o.letters[-1:] == "r" and o.has_argument) for o in invocation.options):
            files, problem = _pip_manifests(command, cwd, self.project)
            if problem:
                self.problem = self.problem or problem
                return False
            return self._claim("pip", files)
        if command.name in ("npm", "yarn", "pnpm", "go", "bundle", "composer", "mvn", "poetry"):
            if invocation is not None and invocation.action != "install" and command.name != "bundle" and command.name != "go" and command.name != "mvn" and command.name != "composer":
                return False
            ecosystem, problem = _simple_project_install(command, cwd, self.project)
            if ecosystem in ("bundler", "bundler-config"):
                self._note_bundle_path(command, cwd)
            if ecosystem == "bundler-config":
                return True  # global bundler settings: no files read
            if ecosystem is None:
                if command.name in ("npm", "yarn", "pnpm") and invocation is not None and invocation.action == "install" and any(
                        o.matches("-g") or o.name == "--global" for o in invocation.options):
                    return False  # a global tool install: judged as a free command
                self.problem = self.problem or problem
                return False
            if ecosystem in ("npm", "yarn", "pnpm"):
                quiet = any((w.value or "") == "--ignore-scripts" for w in command.args)
                self.ignore_scripts = quiet if self.ignore_scripts is None else (self.ignore_scripts and quiet)
            return self._claim(ecosystem, [])
        return False

    def _note_bundle_path(self, command: SimpleCommand, cwd: Place | None) -> None:
        """Where ``bundle install --path X``/``--deployment`` or ``bundle config set path X`` puts the gems."""
        values = [w.value or "" for w in command.args]
        operands = [v for v in values if not v.startswith("-")]
        target = None
        if operands[:1] == ["config"]:
            rest = operands[1:]
            rest = rest[1:] if rest[:1] == ["set"] else rest
            if rest[:1] == ["path"] and len(rest) > 1:
                target = rest[1]
            elif rest[:1] == ["deployment"] and rest[1:2] in (["true"], ["1"]):
                target = "vendor/bundle"
        else:
            for index, value in enumerate(values):
                if value == "--path" and index + 1 < len(values):
                    target = values[index + 1]
                elif value.startswith("--path="):
                    target = value[len("--path="):]
            if target is None and "--deployment" in values:
                target = "vendor/bundle"
        resolved = cwd.join(target) if target is not None and cwd is not None else None
        relative = resolved.relative_to(self.project) if resolved is not None else None
        if relative not in (None, ".") and relative not in self.fills:
            self.fills.append(relative)

    def _claim(self, ecosystem: str, files: list[str]) -> bool:
        if self.ecosystem not in (None, ecosystem):
            self.problem = self.problem or f"installs of two ecosystems ({self.ecosystem}, {ecosystem}) in one RUN"
            return False
        self.ecosystem = ecosystem
        self.files.extend(f for f in files if f not in self.files)
        self.seen_install = True
        return True

    def manifests(self) -> Manifests | None:
        if not self.seen_install or self.ecosystem is None:
            return None
        return Manifests(self.ecosystem, tuple(self.files), bool(self.ignore_scripts), tuple(self.fills))


# -- lines: what a move deletes and where it inserts -------------------------------------------------------


def item_position(tree: Dockerfile, node) -> int:
    for index, item in enumerate(tree.items):
        if item is node:
            return index
    raise ValueError("not an item of the tree")


def block_start(tree: Dockerfile, instruction: Instruction) -> int:
    """Where the instruction's block starts: the comment lines directly above it, if any."""
    index = item_position(tree, instruction)
    start = index
    while start > 0 and isinstance(tree.items[start - 1], Comment):
        start -= 1
    return tree.items[start].span.start


def block_range(tree: Dockerfile, instruction: Instruction) -> tuple[int, int, bool]:
    """The text a move deletes: comments directly above + the instruction (+ one blank line).

    The blank line after it goes too when one is before it, so the gap it
    leaves is not doubled; the third value says whether that happened (the
    insertion then brings a blank line along).
    """
    index = item_position(tree, instruction)
    first = index
    while first > 0 and isinstance(tree.items[first - 1], Comment):
        first -= 1
    start = tree.items[first].span.start
    end = instruction.span.end
    blank_before = first > 0 and isinstance(tree.items[first - 1], BlankLine)
    following = tree.items[index + 1] if index + 1 < len(tree.items) else None
    if blank_before and isinstance(following, BlankLine):
        return start, following.span.end, True
    return start, end, False


def newline_of(instruction: Instruction) -> str:
    end = str.__str__(instruction.line_tokens[-1])
    if end.endswith("\r\n"):
        return "\r\n"
    return "\n"


# -- what an install fills inside the copied folder ---------------------------------------------------

#: ``…/bin`` entries of a PATH: the folder before them may be a virtualenv.
_BIN_ENTRY = lazy_pattern(r"(/[^\s:\"'$]+?)/bin(?=[:\s\"']|$)")
#: Variables that name a virtualenv folder itself.
_VENV_VARIABLES = frozenset({"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"})


def _venv_target(command: SimpleCommand) -> str | None:
    """The folder ``python -m venv X``, ``virtualenv X`` or ``uv venv [X]`` creates, when written literally."""
    values = [w.value for w in command.args]
    if any(v is None for v in values):
        return None
    name = command.name or ""
    if re.fullmatch(r"python[\d.]*", name) and values[:2] == ["-m", "venv"]:
        rest = values[2:]
    elif name == "virtualenv":
        rest = values
    elif name == "uv" and values[:1] == ["venv"]:
        rest = values[1:] or [".venv"]
    else:
        return None
    operands = [v for v in rest if not v.startswith("-")]
    return operands[0] if operands else None


def virtualenvs_inside(context: Context, instructions, dest: Place, workdirs: dict) -> tuple[str, ...]:
    """Folders under ``dest`` (relative to it) that the stage makes a virtualenv: a later COPY of the
    project must not bring a local one over them."""
    found: list[str] = []

    def add(place: Place | None) -> None:
        relative = place.relative_to(dest) if place is not None else None
        if relative not in (None, ".") and relative not in found:
            found.append(relative)

    for instruction in instructions:
        if isinstance(instruction, Env):
            for name, value in instruction.pairs:
                if not value or "$" in value and name in _VENV_VARIABLES:
                    continue
                paths = [value] if name in _VENV_VARIABLES else [m.group(1) for m in _BIN_ENTRY.finditer(value)]
                for path in paths:
                    if path.startswith("/"):
                        add(Place(posixpath.normpath(path)))
        elif isinstance(instruction, Run):
            facts = run_model(instruction, context)
            if facts.script is None:
                continue
            cwd = workdirs.get(id(instruction))
            for command in facts.script.commands:
                target = _venv_target(command)
                if target is not None:
                    add(Place(posixpath.normpath(target)) if target.startswith("/") else (cwd.join(target) if cwd else None))
    return tuple(found)


def attached_end(tree: Dockerfile, instruction: Instruction) -> int:
    """Where an instruction's text ends, with the indented comment lines right after it that annotate it.

    An indented comment under a RUN (``#   ^ ctypes.h ^ xgettext``) points at
    that RUN's lines; a line inserted after the RUN goes below it, not between.
    """
    index = item_position(tree, instruction)
    end = instruction.span.end
    for item in tree.items[index + 1 :]:
        if not isinstance(item, Comment) or not item.code[:1] in (" ", "\t"):
            break
        end = item.span.end
    return end


#: Words of a comment that says the COPY comes first on purpose ("after src COPY so it always happens").
_ORDER_WORDS = lazy_pattern(r"\b(after|always|every\s+time|each\s+time|on\s+purpose|deliberately)\b", re.I)
_SOURCE_WORDS = lazy_pattern(r"\b(copy|copied|copying|add|src|sources?|code)\b", re.I)


def deliberate_order(tree: Dockerfile, start: int, end: int) -> str | None:
    """A comment between ``start`` and ``end`` saying the instructions there are in this order on purpose."""
    for item in tree.items:
        if isinstance(item, Comment) and start <= item.span.start < end:
            text = item.code.strip().lstrip("#").strip()
            if _ORDER_WORDS.search(text) and _SOURCE_WORDS.search(text):
                return text
    return None
