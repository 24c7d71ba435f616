"""Whether two consecutive RUNs are worth one: the purposes a merge serves, and the boundaries it keeps.

A merge has a price. The merged steps share one build-cache entry, so a
change or a failure in the later part repeats the earlier part, and the
author's steps and sections disappear from the file. It pays only for what
the best-practice guides name:

* an index refresh with the install that reads it (``apt-get update`` alone
  in a RUN is cached forever, so a later install may read stale lists);
* a step that creates files with the later step that deletes them (files
  deleted in a later layer still ship in the image);
* adjacent installs of one package manager (one layer, one index, one
  clean-up).

It is never worth it across:

* a dependency-fetch step (`FETCH_STEPS`: ``go mod download``, ``npm ci``,
  ``pip install -r`` ...) followed by anything but its clean-up: that step is
  a layer of its own on purpose, so the dependencies stay cached while the
  sources change;
* a long build step (`LONG_STEPS`: ``make``, ``./configure``, ``cmake``,
  compilers, scripts named like build stages): one failure or edit in the
  merged RUN would repeat hours of work;
* a section break: a comment line or a blank line between the RUNs is the
  author's own grouping.

Everything here is best effort over the shell model: a command whose name
is not a literal is neither a purpose nor a boundary.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Iterable

import msgspec

from dfix.patterns import lazy_pattern
from dfix.shell import ShellScript, SimpleCommand, package_commands
from dfix.shell import Context as ShellContext

__all__ = [
    "FETCH_STEPS",
    "LONG_STEPS",
    "StepPattern",
    "cleanup_only",
    "creates_what_it_deletes",
    "deletion_targets",
    "dependency_fetch",
    "installs_from_refreshed_index",
    "long_step",
    "same_manager_installs",
]


class StepPattern(msgspec.Struct, frozen=True):
    """A kind of command, matched on its program and its first operands.

    ``operands`` are shell-style patterns for the first words after the
    program that are not options, in order (``("mod", "download")``,
    ``("dependency:*",)``); ``()`` matches any call (``anywhere``: the one
    pattern may match any operand). ``bare`` asks that no
    further operand follow (``npm install`` reads the manifest, ``npm install
    express`` adds one package); ``option`` asks for one of the given options
    (``pip install -r``).
    """

    program: str
    operands: tuple[str, ...] = ()
    bare: bool = False
    option: tuple[str, ...] = ()
    #: The one operand pattern may match any operand (build tools take goals in any order: ``mvn clean package``).
    anywhere: bool = False

    def matches(self, program: str, words: list[str | None]) -> bool:
        if program != self.program:
            return False
        operands = [w for w in words if w is None or not w.startswith("-")]
        if self.anywhere:
            return any(w is not None and fnmatch.fnmatchcase(w, self.operands[0]) for w in operands)
        if len(operands) < len(self.operands):
            return False
        for word, pattern in zip(operands, self.operands):
            if word is None or not fnmatch.fnmatchcase(word, pattern):
                return False
        if self.bare and len(operands) > len(self.operands):
            return False
        if self.option and not any(
            w is not None and any(w == o or w.startswith(o + "=") for o in self.option) for w in words
        ):
            return False
        return True

    def __str__(self) -> str:
        return " ".join((self.program, *self.operands, *self.option[:1]))


#: Steps that fetch a project's dependencies from its manifest or lock file: each deserves its own
#: layer, made before the sources are copied, so editing the sources does not fetch them again.
FETCH_STEPS: tuple[StepPattern, ...] = (
    StepPattern("go", ("mod", "download")),
    StepPattern("npm", ("ci",)),
    StepPattern("npm", ("install",), bare=True),
    StepPattern("npm", ("i",), bare=True),
    StepPattern("yarn", (), bare=True),
    StepPattern("yarn", ("install",)),
    StepPattern("pnpm", ("install",), bare=True),
    StepPattern("pnpm", ("i",), bare=True),
    StepPattern("pnpm", ("fetch",)),
    StepPattern("bun", ("install",), bare=True),
    StepPattern("pip", ("install",), option=("-r", "--requirement")),
    StepPattern("uv", ("sync",)),
    StepPattern("uv", ("pip", "install"), option=("-r", "--requirement")),
    StepPattern("poetry", ("install",)),
    StepPattern("pipenv", ("install",), bare=True),
    StepPattern("pipenv", ("sync",)),
    StepPattern("bundle", ("install",)),
    StepPattern("composer", ("install",)),
    StepPattern("mvn", ("dependency:*",), anywhere=True),
    StepPattern("gradle", ("dependencies",)),
    StepPattern("gradlew", ("dependencies",)),
    StepPattern("cargo", ("fetch",)),
    StepPattern("dotnet", ("restore",)),
    StepPattern("mix", ("deps.get",)),
    StepPattern("dep", ("ensure",)),
    StepPattern("glide", ("install",)),
)

#: Build steps that may take minutes to hours: a RUN that runs one keeps its own cache entry.
LONG_STEPS: tuple[StepPattern, ...] = (
    *(StepPattern(name) for name in (
        "make", "gmake", "cmake", "ninja", "configure", "scons", "bazel", "bazelisk", "ant", "sbt", "msbuild",
        "gcc", "g++", "cc", "c++", "clang", "clang++", "rustc", "javac", "nvcc", "ghc",
    )),
    StepPattern("meson", ("compile",)),
    StepPattern("go", ("build",)),
    StepPattern("go", ("install",)),
    StepPattern("cargo", ("build",)),
    StepPattern("cargo", ("install",)),
    *(StepPattern(tool, (goal,), anywhere=True) for tool, goal in (
        ("mvn", "package"), ("mvn", "install"), ("mvn", "verify"), ("mvn", "compile"),
        ("gradle", "*build"), ("gradle", "*assemble"), ("gradlew", "*build"), ("gradlew", "*assemble"),
    )),
    StepPattern("dotnet", ("build",)),
    StepPattern("dotnet", ("publish",)),
    StepPattern("stack", ("build",)),
    StepPattern("cabal", ("build",)),
)

#: A script named like a build stage (``build.sh``, ``build-toolchain``, ``bootstrap.sh``, ``stage2.sh``),
#: or a stage named as its argument (``setup-toolchain.sh stage1``).
_STAGE_SCRIPT = lazy_pattern(r"(^|[-_.])(build|compile|bootstrap|stage-?\d+)([-_.]|$)", re.IGNORECASE)
_STAGE_ARGUMENT = lazy_pattern(r"stage-?\d+", re.IGNORECASE)

#: Package caches, by the package-manager family whose installs fill them.
_CACHE_DIRECTORIES: dict[str, tuple[str, ...]] = {
    "apt": ("/var/lib/apt/lists", "/var/cache/apt", "/var/lib/apt"),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "rpm": ("/var/cache/yum", "/var/cache/dnf", "/var/cache/microdnf"),
    "zypper": ("/var/cache/zypp",),
    "pip": ("/root/.cache/pip", "~/.cache/pip", "$HOME/.cache/pip", "/root/.cache", "~/.cache"),
    "npm": ("/root/.npm", "~/.npm", "$HOME/.npm"),
    "yarn": ("/usr/local/share/.cache/yarn", "/root/.cache/yarn", "~/.cache/yarn"),
    "gem": ("/root/.gem", "~/.gem"),
}

#: Deletion operands too general to say what they delete.
_VAGUE_TARGETS = frozenset({"", "/", "*", ".", "..", "/tmp", "/var/tmp", "~", "/root"})

_PYTHON = lazy_pattern(r"python[0-9.]*")
_VERSIONED = lazy_pattern(r"(pip|gradlew|gradle)[0-9.]*$")


def _invocation(command: SimpleCommand) -> tuple[str, list[str | None]] | None:
    """The program a command runs and its argument values (``python3 -m pip install`` is ``pip install``)."""
    if command.name is None:
        return None
    name = command.name
    words = [word.value for word in command.args]
    if _PYTHON.fullmatch(name) and len(words) >= 2 and words[0] == "-m" and words[1]:
        name, words = words[1], words[2:]
    versioned = _VERSIONED.match(name)
    if versioned:
        name = versioned.group(1)
    return name, words


def _commands(model: ShellScript) -> Iterable[SimpleCommand]:
    return (command for command in model.commands if ShellContext.SUBSTITUTION not in command.context)


def _first_match(model: ShellScript, by_program: dict[str, tuple[StepPattern, ...]]) -> str | None:
    """The first command of ``model`` that one of the patterns of its program matches, described."""
    for command in _commands(model):
        call = _invocation(command)
        if call is None:
            continue
        for pattern in by_program.get(call[0], ()):
            if pattern.matches(*call):
                return _describe(command)
    return None


def _by_program(patterns: tuple[StepPattern, ...]) -> dict[str, tuple[StepPattern, ...]]:
    """``patterns`` by the program they name, in their order (a command is compared with its program's only)."""
    grouped: dict[str, list[StepPattern]] = {}
    for pattern in patterns:
        grouped.setdefault(pattern.program, []).append(pattern)
    return {program: tuple(group) for program, group in grouped.items()}


_FETCH_BY_PROGRAM = _by_program(FETCH_STEPS)
_LONG_BY_PROGRAM = _by_program(LONG_STEPS)


def _describe(command: SimpleCommand, words: int = 3) -> str:
    """The command as written, its first few words (``pip install -r``), for a message."""
    start = command.name_index or 0
    return " ".join(word.text for word in command.words[start : start + words])


def dependency_fetch(model: ShellScript) -> str | None:
    """The command that fetches a project's dependencies (``go mod download``), or None."""
    return _first_match(model, _FETCH_BY_PROGRAM)


def long_step(model: ShellScript) -> str | None:
    """The long build step this script runs (``make``, ``./build.sh``, ``setup.sh stage1``), or None."""
    found = _first_match(model, _LONG_BY_PROGRAM)
    if found is not None:
        return found
    for command in _commands(model):
        if command.name is None:
            continue
        script = command.name
        if "/" in (command.program or "") or script.endswith(".sh"):
            if _STAGE_SCRIPT.search(script.rsplit(".", 1)[0] if script.endswith(".sh") else script):
                return _describe(command, 1)
            if any(_STAGE_ARGUMENT.fullmatch(word.value or "") for word in command.args):
                return _describe(command, 2)
    return None


def _is_deletion(command: SimpleCommand) -> bool:
    return command.name == "rm"


def cleanup_only(model: ShellScript) -> bool:
    """Every command deletes files or cleans a package cache (``rm -rf ...``, ``npm cache clean``)."""
    commands = list(_commands(model))
    if not commands:
        return False
    cleaning = {id(p.command) for p in package_commands(model) if p.action in ("clean", "remove", "autoremove")}
    return all(_is_deletion(c) or id(c) in cleaning for c in commands)


class _Targets(msgspec.Struct, frozen=True):
    """What a script deletes: paths (``rm`` operands) and package-manager families it cleans or removes from."""

    paths: tuple[str, ...]
    families: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.paths or self.families)


def _normal(path: str) -> str:
    path = re.sub(r"/+", "/", path)
    while path.endswith(("/*", "/")) and len(path) > 1:
        path = path[:-2] if path.endswith("/*") else path[:-1]
    return path


def deletion_targets(model: ShellScript) -> _Targets:
    """What this script deletes (best effort: literal ``rm`` operands and package clean-ups)."""
    paths: list[str] = []
    for command in _commands(model):
        if _is_deletion(command):
            for word in command.args:
                text = word.value if word.value is not None else word.text
                if text and not text.startswith("-") and _normal(text) not in _VAGUE_TARGETS:
                    paths.append(_normal(text))
    families = frozenset(p.family for p in package_commands(model) if p.action in ("clean", "remove", "autoremove"))
    return _Targets(tuple(paths), families)


#: Commands that change a file's mode or owner: on a file an earlier layer holds, the layer stores the file again.
_PERMISSION_CHANGERS = frozenset({"chmod", "chown", "chgrp"})


def permission_targets(model: ShellScript) -> _Targets:
    """The literal paths whose mode or owner this script changes (``chmod +x /usr/local/bin/tool``), or moves.

    A ``mv`` of a file an earlier layer holds stores it again too, at its new place.
    """
    paths: list[str] = []
    for command in _commands(model):
        if command.name not in _PERMISSION_CHANGERS and command.name != "mv":
            continue
        operands = [w.value if w.value is not None else w.text for w in command.args]
        operands = [text for text in operands if text and not text.startswith("-")]
        # the first operand of chmod/chown is the mode or the owner; the last of mv is where the files go
        for text in operands[:-1] if command.name == "mv" else operands[1:]:
            if _normal(text) not in _VAGUE_TARGETS:
                paths.append(_normal(text))
    return _Targets(tuple(paths), frozenset())


def _installs(model: ShellScript) -> frozenset[str]:
    """Families this script installs with (or refreshes the index of)."""
    return frozenset(
        p.family for p in package_commands(model) if p.action in ("install", "refresh", "upgrade", "dist-upgrade")
    )


#: Programs that write files they are told about (downloads, archives, copies): a path named in their
#: arguments may be one they created. A path only read (``dpkg -i x.deb``, ``cp x.pem dir/``) was not.
WRITERS = frozenset({
    "wget", "curl", "git", "tar", "unzip", "gunzip", "bunzip2", "unxz", "xz", "7z", "cp", "mv", "mkdir", "touch",
    "ln", "install", "tee", "dd", "rsync", "svn", "hg", "go", "npm", "pip", "gem", "composer", "cargo",
})


#: Writers whose operands before the last are sources they only read (``cp SRC... DEST``).
_COPIERS = frozenset({"cp", "mv", "ln", "install", "rsync"})
#: Writers that read an archive and write what is in it: the archive itself is only read.
_EXTRACTORS = frozenset({"tar", "unzip", "7z"})
_ARCHIVE = lazy_pattern(r".*\.(tar(\.\w+)?|t[gbx]z2?|zip|gz|bz2|xz|7z|jar|war|ear|iar|whl|deb|rpm)", re.IGNORECASE)


#: Writers that fill a folder they are given with new content (``tar -C DIR``, ``unzip -d DIR``, ``git clone URL
#: DIR``). Not copies: ``mv x/* /var/www/html`` lands in a folder that may already hold the base image's files.
_FOLDER_FILLERS = _EXTRACTORS | {"git"}


def _filled_folders(model: ShellScript) -> list[str]:
    """Absolute folders named by commands that fill folders, when specific enough (``/opt/node-v18``)."""
    folders = []
    for command in _commands(model):
        if command.name in _FOLDER_FILLERS:
            for word in command.args:
                text = _normal(word.text)
                if text.startswith("/") and text.count("/") >= 2 and text not in _VAGUE_TARGETS:
                    folders.append(text)
    return folders


#: Writers that make only empty files or folders: a later change of their mode or owner stores next to nothing.
_EMPTY_MAKERS = frozenset({"mkdir", "touch"})


def _written_words(model: ShellScript, skip: frozenset[str] = frozenset()) -> str:
    """The words of a script that name what it writes: a writer's arguments (a copier's destination only)
    and every redirect target, joined by spaces; writers in ``skip`` are left out."""
    words: list[str] = []
    for command in _commands(model):
        words += [redirect.target.text for redirect in command.redirects if redirect.target is not None]
        if command.name not in WRITERS or command.name in skip:
            continue
        arguments = [word.text for word in command.args]
        if command.name in _COPIERS:
            operands = [word for word in arguments if not word.startswith("-")]
            arguments = operands[-1:]
            if arguments and arguments[0].endswith("/"):  # into a folder: it holds the sources' names
                arguments += [arguments[0] + source.rstrip("/").rsplit("/", 1)[-1] for source in operands[:-1]]
        elif command.name in _EXTRACTORS:
            arguments = [word for word in arguments if not _ARCHIVE.fullmatch(word.rsplit("=", 1)[-1])]
        words += arguments
    return " ".join(words)


def creates_what_it_deletes(creator: ShellScript, targets: _Targets) -> bool:
    """``creator`` writes something that ``targets`` deletes (a named file, a package cache, installed packages)."""
    filled = _installs(creator)
    if targets.families & filled:
        return True
    for path in targets.paths:
        for family, directories in _CACHE_DIRECTORIES.items():
            if family in filled and any(path == d or path.startswith(d + "/") or d.startswith(path + "/")
                                        for d in directories):
                return True
    text = _written_words(creator)
    if not text:
        return False
    folders = _filled_folders(creator)
    for path in targets.paths:
        if any(path.startswith(folder + "/") for folder in folders):
            return True  # inside a folder it wrote into (``tar -C /opt/x`` ... ``rm -rf /opt/x/docs``)
        if path in text or _names_file(path, text):
            return True
    return False


def _names_file(path: str, text: str, *, as_file_only: bool = False) -> bool:
    """Whether ``text`` names ``path`` by its base name as a word of its own (a download named after its URL).

    Only names of four characters or more, without glob characters, count.
    ``as_file_only``: not as a folder of a longer path either (``/srv`` in ``/srv/version``).
    """
    base = path.rsplit("/", 1)[-1]
    if len(base) < 4 or any(ch in base for ch in "*?[$"):
        return False
    after = r"(?![\w/.-])" if as_file_only else r"(?![\w-])"
    return re.search(r"(?<![\w.-])" + re.escape(base) + after, text) is not None


def wrote_what_it_changes(creator: ShellScript, targets: _Targets) -> bool:
    """``creator`` wrote, with content, a file or tree whose mode or owner ``targets`` changes.

    The path itself must be what it wrote (``curl -o tool`` ... ``chmod +x
    tool``), a download named after its URL, or lie in a folder it filled
    (``tar -C /opt/app`` ... ``chown -R app /opt/app``): a folder that only
    holds one new file (``chown /srv`` after writing ``/srv/version``) is
    stored again as an entry, not as files, and an empty folder or file
    (``mkdir``, ``touch``) costs nothing to store again.
    """
    text = _written_words(creator, _EMPTY_MAKERS)
    if not text:
        return False
    words = set(text.split())
    folders = _filled_folders(creator)
    for path in targets.paths:
        if path in words or any(path == folder or path.startswith(folder + "/") for folder in folders):
            return True
        if _names_file(path, text, as_file_only=True):
            return True
    return False


def same_manager_installs(first: ShellScript, second: ShellScript) -> str | None:
    """The package-manager family both scripts install with, when that is all they do, or None.

    "All they do": every command is a package-manager command or a deletion
    (``rm -rf /var/lib/apt/lists/*``), so nothing but packages is joined.
    Not when ``first`` already cleans that manager's cache (the merged RUN
    would clean in the middle and fill the cache again after), nor when
    ``second`` refreshes the index itself: each RUN is then a complete
    install step of its own, grouped as the author chose.
    """
    families = []
    for model in (first, second):
        packages = package_commands(model)
        known = {id(p.command) for p in packages}
        if not all(id(c) in known or _is_deletion(c) for c in _commands(model)):
            return None
        families.append({p.family for p in packages if p.action == "install"})
    refreshed_again = {p.family for p in package_commands(second) if p.action == "refresh"}
    shared = {
        family for family in families[0] & families[1]
        if not _cleans_cache(first, family) and family not in refreshed_again
    }
    return min(shared) if shared else None


def _cleans_cache(model: ShellScript, family: str) -> bool:
    """``model`` cleans the package cache or index of ``family`` (then a later install fills it again, or
    fails for want of an index: merging it there buys nothing)."""
    if any(p.family == family and p.action == "clean" for p in package_commands(model)):
        return True
    directories = _CACHE_DIRECTORIES.get(family, ())
    return any(
        path == d or path.startswith(d + "/") or d.startswith(path + "/")
        for path in deletion_targets(model).paths for d in directories
    )


def installs_from_refreshed_index(first: ShellScript, second: ShellScript) -> bool:
    """``first`` refreshes a package index and ``second`` installs or upgrades from it.

    Alone in its RUN, the refresh is cached with that RUN forever, so the
    later install may read lists long out of date (even when ``first`` also
    upgrades after its refresh). Not when ``second`` refreshes the index
    itself.
    """
    refreshed = {p.family for p in package_commands(first) if p.action == "refresh"}
    refreshed -= {p.family for p in package_commands(second) if p.action == "refresh"}  # reads its own index
    return any(
        p.family in refreshed and p.action in ("install", "upgrade", "dist-upgrade") for p in package_commands(second)
    )
