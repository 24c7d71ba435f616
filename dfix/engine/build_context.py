"""A read-only view of a Dockerfile's build context, for rules whose fix depends on the files it copies.

Reordering ``COPY`` lines is only right when the files they copy say so: a
``package.json`` with a ``postinstall`` script needs the sources before
``npm ci``; a ``requirements.txt`` may include another file with ``-r``; a
``.dockerignore`` decides whether a later ``COPY . .`` brings a host
``node_modules`` along. A rule reads those through :class:`BuildContext`:

* paths are relative to the context root, ``/``-separated; a path that
  leaves the root (``..``, an absolute path, a symlink resolving outside it)
  reads as absent, so a rule can never be made to read the rest of the disk;
* only regular files are read, and only up to :data:`MAX_BYTES` (a FIFO or a
  huge generated file must not stall a lint run);
* :meth:`BuildContext.excluded` applies the ``.dockerignore`` rules as
  BuildKit does (see :class:`DockerIgnore`).

A context comes from a folder (:meth:`BuildContext.of_folder`) or, for tests
and the Python API, from a mapping of file names to contents
(:meth:`BuildContext.of_files`).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

import msgspec

if TYPE_CHECKING:  # pragma: no cover
    import pathspec

__all__ = ["BuildContext", "DockerIgnore", "MAX_BYTES"]

#: Files larger than this read as absent: manifests are small, and a rule must not stall on a huge file.
MAX_BYTES = 1 << 20
#: Entries a glob visits at most, so ``**`` in a huge context (a checked-in node_modules) stays cheap.
GLOB_BUDGET = 20_000


def clean_relative(path: str) -> str | None:
    """``path`` as a clean context-relative path (``.`` for the root), or None when it leaves the context."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return None
    cleaned = posixpath.normpath(path)
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    return cleaned


def _real_under(root: str, relative: str) -> str:
    """``os.path.realpath(root/relative)`` for a resolved ``root`` and a `clean_relative` path.

    Only the components of ``relative`` can be symlinks, so only they are
    looked at (one ``lstat`` each, where ``realpath`` takes one per component
    of the whole path); the first symlink hands the path to ``realpath``.
    """
    if relative == ".":
        return root
    path = root
    for part in relative.split("/"):
        path = os.path.join(path, part)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return os.path.realpath(os.path.join(root, relative))
        except OSError:
            continue  # missing: realpath keeps the rest as written too
    return path


class _Rule(msgspec.Struct, frozen=True):
    """One ``.dockerignore`` line: its pattern, and whether it is an exception (``!``)."""

    spec: pathspec.PathSpec
    exception: bool


class DockerIgnore:
    """The rules of a ``.dockerignore`` file, with BuildKit's semantics (not git's).

    Docker cleans each pattern as Go's ``filepath.Clean`` does and drops a
    leading ``/``, so ``/foo``, ``./foo`` and ``foo/`` all mean ``foo``, and
    every pattern is anchored at the context root: ``node_modules`` excludes
    ``./node_modules`` only, not ``app/node_modules`` (``**/node_modules``
    does). A pattern excludes a path when it matches the path or one of its
    parent folders; the last matching line decides, and unlike git an
    exception (``!``) may re-include a file inside an excluded folder. Each
    pattern is matched with pathspec's gitignore glob once anchored (``*`` and
    ``?`` stop at ``/``, ``**`` spans folders), which is Go's
    ``filepath.Match`` plus Docker's ``**``.
    """

    def __init__(self, text: str = "") -> None:
        self._rules: list[_Rule] = []
        if not text.strip():
            return
        import pathspec  # only a context with a .dockerignore needs it

        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exception = line.startswith("!")
            if exception:
                line = line[1:].strip()
            pattern = posixpath.normpath(line).lstrip("/")
            if pattern in ("", "."):
                continue
            try:
                spec = pathspec.GitIgnoreSpec.from_lines(["/" + pattern])
            except (ValueError, TypeError):
                continue  # BuildKit refuses the file; nothing this view can say about it
            self._rules.append(_Rule(spec, exception))

    def __bool__(self) -> bool:
        return bool(self._rules)

    @property
    def has_exceptions(self) -> bool:
        """Whether a line re-includes paths (``!pattern``): what is excluded then depends on the files."""
        return any(rule.exception for rule in self._rules)

    def excludes(self, path: str) -> bool:
        """Whether the context-relative ``path`` (file or folder) is left out of the context."""
        cleaned = clean_relative(path)
        if cleaned is None or cleaned == ".":
            return False
        candidates = [cleaned]
        parent = posixpath.dirname(cleaned)
        while parent:
            candidates.append(parent)
            parent = posixpath.dirname(parent)
        excluded = False
        for rule in self._rules:
            if any(rule.spec.match_file(candidate) for candidate in candidates):
                excluded = not rule.exception
        return excluded


class BuildContext:
    """The files a ``docker build`` of one Dockerfile sends: read-only, never outside its root."""

    def __init__(self, root: Path | None = None, files: Mapping[str, str] | None = None,
                 dockerfile: str | None = None) -> None:
        self._root = Path(os.path.realpath(root)) if root is not None else None
        #: The root as given, made absolute: the Dockerfile's folder is usually it, and then needs no resolving.
        self._root_given = os.path.abspath(root) if root is not None else None
        self._files = {clean_relative(k): v for k, v in (files or {}).items() if clean_relative(k) not in (None, ".")}
        self._dockerfile = dockerfile
        self._ignore: DockerIgnore | None = None
        #: What the disk said, by cleaned relative path: the real path, and its mode (None: missing).
        #: A context is read as it was when the run began; the fix loop asks again after every round.
        self._real: dict[str, Path | None] = {}
        self._modes: dict[str, int | None] = {}

    @classmethod
    def of_folder(cls, folder: str | os.PathLike[str], dockerfile: str | os.PathLike[str] | None = None) -> "BuildContext | None":
        """The context rooted at ``folder`` (None when it is not a folder); ``dockerfile``: the file built with it."""
        if not os.path.isdir(folder):
            return None
        return cls(Path(folder), dockerfile=os.fspath(dockerfile) if dockerfile is not None else None)

    @classmethod
    def of_dockerfile(cls, path: str | os.PathLike[str]) -> "BuildContext | None":
        """The default context of a Dockerfile read from ``path``: the folder it sits in."""
        folder = os.path.dirname(os.path.abspath(path))
        return cls.of_folder(folder, path)

    @classmethod
    def of_files(cls, files: Mapping[str, str]) -> "BuildContext":
        """A context held in memory: context-relative names to file contents."""
        return cls(files=files)

    @property
    def root(self) -> Path | None:
        """The folder on disk, when the context is one."""
        return self._root

    # -- reading ---------------------------------------------------------------------------------

    def _disk_path(self, relative: str) -> Path | None:
        """The real path of ``relative`` when it stays inside the root (symlinks resolved)."""
        assert self._root is not None
        cleaned = clean_relative(relative)
        if cleaned is None:
            return None
        try:
            return self._real[cleaned]
        except KeyError:
            pass
        real: Path | None = Path(_real_under(str(self._root), cleaned))
        if real != self._root and self._root not in real.parents:
            real = None
        self._real[cleaned] = real
        return real

    def _mode(self, cleaned: str) -> int | None:
        """The file mode of the context path ``cleaned`` on disk (symlinks followed), None when it is not there."""
        try:
            return self._modes[cleaned]
        except KeyError:
            pass
        real = self._disk_path(cleaned)
        mode = None
        if real is not None:
            try:
                mode = real.stat().st_mode
            except (OSError, ValueError):
                mode = None
        self._modes[cleaned] = mode
        return mode

    def read_text(self, relative: str) -> str | None:
        """The text of a regular file of the context (UTF-8, undecodable bytes replaced), or None."""
        cleaned = clean_relative(relative)
        if cleaned is None or cleaned == ".":
            return None
        if self._root is None:
            return self._files.get(cleaned)
        real = self._disk_path(cleaned)
        if real is None:
            return None
        try:
            info = real.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return None
            with open(real, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_BYTES:
            return None
        return data.decode("utf-8", "replace")

    def read_head(self, relative: str, size: int = 4096) -> bytes | None:
        """The first ``size`` bytes of a regular file of the context (a file's content type), or None.

        In-memory contents are text; they are given as their UTF-8 bytes.
        """
        cleaned = clean_relative(relative)
        if cleaned is None or cleaned == ".":
            return None
        if self._root is None:
            text = self._files.get(cleaned)
            return None if text is None else text.encode("utf-8", "surrogateescape")[:size]
        real = self._disk_path(cleaned)
        if real is None:
            return None
        try:
            if not stat.S_ISREG(real.stat().st_mode):
                return None
            with open(real, "rb") as handle:
                return handle.read(size)
        except OSError:
            return None

    def exists(self, relative: str) -> bool:
        """Whether a file or folder ``relative`` is in the context (inside its root)."""
        cleaned = clean_relative(relative)
        if cleaned is None:
            return False
        if cleaned == ".":
            return True
        if self._root is None:
            return cleaned in self._files or any(name.startswith(cleaned + "/") for name in self._files)
        return self._mode(cleaned) is not None

    def is_dir(self, relative: str) -> bool:
        cleaned = clean_relative(relative)
        if cleaned is None:
            return False
        if cleaned == ".":
            return True
        if self._root is None:
            return any(name.startswith(cleaned + "/") for name in self._files)
        mode = self._mode(cleaned)
        return mode is not None and stat.S_ISDIR(mode)

    def _children(self, folder: str) -> list[str]:
        """Names directly inside a context folder (``.``: the root), sorted."""
        if self._root is None:
            prefix = "" if folder == "." else folder + "/"
            names = {name[len(prefix):].split("/", 1)[0] for name in self._files if name.startswith(prefix)}
            return sorted(names)
        real = self._disk_path(folder) if folder != "." else self._root
        if real is None:
            return []
        try:
            return sorted(entry.name for entry in os.scandir(real))
        except OSError:
            return []

    def glob(self, pattern: str) -> list[str]:
        """Context-relative paths (files and folders) matching ``pattern``, sorted.

        ``*``, ``?`` and ``[...]`` match within one path segment; a ``**``
        segment matches any number of folders. Symlinked folders are not
        descended into by ``**``, and a glob visits at most
        :data:`GLOB_BUDGET` entries.
        """
        cleaned = clean_relative(pattern.rstrip("/"))
        if cleaned is None or cleaned == ".":
            return []
        budget = [GLOB_BUDGET]
        found = sorted(set(self._walk(".", cleaned.split("/"), budget)))
        return found

    def _walk(self, folder: str, parts: list[str], budget: list[int]) -> Iterator[str]:
        if not parts or budget[0] <= 0:
            return
        head, rest = parts[0], parts[1:]
        join = (lambda name: name) if folder == "." else (lambda name: f"{folder}/{name}")
        if head == "**":
            yield from self._walk(folder, rest, budget) if rest else iter(())
            for name in self._children(folder):
                budget[0] -= 1
                if budget[0] <= 0:
                    return
                path = join(name)
                if self.is_dir(path) and not self._is_link(path):
                    if not rest:
                        yield path
                    yield from self._walk(path, parts, budget)
            return
        if not any(ch in head for ch in "*?["):
            names = [head] if self.exists(join(head)) else []
        else:
            names = [n for n in self._children(folder) if fnmatch.fnmatchcase(n, head) and not
                     (n.startswith(".") and not head.startswith("."))]
        for name in names:
            budget[0] -= 1
            path = join(name)
            if not rest:
                yield path
            elif self.is_dir(path):
                yield from self._walk(path, rest, budget)

    def _is_link(self, relative: str) -> bool:
        if self._root is None:
            return False
        return os.path.islink(self._root / relative)

    # -- .dockerignore ----------------------------------------------------------------------------

    @property
    def dockerignore(self) -> DockerIgnore:
        """The ignore rules BuildKit applies: ``<Dockerfile>.dockerignore`` next to the Dockerfile, else the root's."""
        if self._ignore is None:
            text = None
            if self._dockerfile is not None and self._root is not None:
                given_folder, name = os.path.split(os.path.abspath(self._dockerfile))
                folder = self._root if given_folder == self._root_given else Path(os.path.realpath(given_folder))
                try:
                    real = Path(_real_under(str(folder), name + ".dockerignore"))
                    if real.parent == folder and real.is_file() and real.stat().st_size <= MAX_BYTES:
                        text = real.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = None
            if text is None:
                text = self.read_text(".dockerignore")
            self._ignore = DockerIgnore(text or "")
        return self._ignore

    def has_dockerignore(self) -> bool:
        return bool(self.dockerignore) or self.exists(".dockerignore")

    def excluded(self, relative: str) -> bool:
        """Whether ``.dockerignore`` leaves ``relative`` out (a COPY never sees it)."""
        return self.dockerignore.excludes(relative)

    def __repr__(self) -> str:
        where = str(self._root) if self._root is not None else f"{len(self._files)} files in memory"
        return f"BuildContext({where})"
