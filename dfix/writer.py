"""Writing fixed Dockerfiles back: atomically, byte-exact, and never over someone else's edit.

A fixer that is killed mid-write, or that writes over a change an editor
saved while it ran, destroys work; so (architecture.md, "Data safety"):

* the new bytes go to a temporary file in the same folder (same file
  system, so the rename is atomic), are fsynced, and replace the file with
  ``os.replace``: a reader sees the old file or the new one, never a mix;
* the file keeps its permission bits (and owner, where we may set it);
* the bytes are the fixed text encoded with ``surrogateescape``, so line
  endings, BOM and undecodable bytes are exactly those of the text;
* the file on disk must still hold the bytes that were read, checked just
  before the rename; otherwise it is left alone and reported;
* a text that did not change is never written (the file is not even opened
  for writing, so its mtime stays and build caches stay warm).

A run killed with SIGKILL can leave at most one temporary file per writing
process behind (dfix writes from one process), named ``.<name>.*.dfix-tmp``
next to the file being written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile

from .syntax import encode_dockerfile

#: Suffix of the temporary files; ``.<name>.<random>.dfix-tmp`` next to the target.
TEMP_SUFFIX = ".dfix-tmp"


class ChangedOnDiskError(Exception):
    """The file no longer holds the bytes dfix read: someone else wrote it meanwhile."""


def _fingerprint(status: os.stat_result) -> tuple[int, int, int, int]:
    return (status.st_ino, status.st_dev, status.st_size, status.st_mtime_ns)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable; best effort, as some file systems refuse it."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(path: str, data: bytes, *, expected: bytes | None = None) -> None:
    """Replace the file at ``path`` with ``data`` all at once.

    With ``expected``, the file must still hold exactly those bytes (checked
    before writing, and its identity, size and mtime re-checked just before
    the rename), else :class:`ChangedOnDiskError` and nothing is changed.
    A symlink is written through: its target is replaced, the link stays.
    Raises ``OSError`` when the folder is not writable; the temporary file
    never outlives a failure.
    """
    target = os.path.realpath(path)
    before = os.stat(target)
    if not os.access(target, os.W_OK):
        # os.replace would succeed in a writable folder; a read-only file says "leave me alone".
        raise PermissionError(errno.EACCES, "Permission denied (the file is read-only)", path)
    if expected is not None:
        with open(target, "rb") as handle:
            current = handle.read()
        if current != expected:
            raise ChangedOnDiskError(path)
    folder, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), stat.S_IMODE(before.st_mode))
            if (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(handle.fileno(), before.st_uid, before.st_gid)
        if expected is not None and _fingerprint(os.stat(target)) != _fingerprint(before):
            raise ChangedOnDiskError(path)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def write_fixed(path: str, original: str, fixed: str) -> bool:
    """Write ``fixed`` over a file that was read as ``original``; False when there was nothing to write.

    Raises :class:`ChangedOnDiskError` when the file no longer holds
    ``original``, ``OSError`` when it cannot be written.
    """
    if fixed == original:
        return False
    write_atomically(path, encode_dockerfile(fixed), expected=encode_dockerfile(original))
    return True
