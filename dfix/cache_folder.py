"""Where dfix keeps what it may reuse between runs: ``$DFIX_CACHE_DIR``, else the user's cache folder.

Each user of it has a folder of its own below (``registry`` for registry
answers, ``shellcheck`` for ShellCheck's findings); deleting any of them,
or the whole folder, only costs the next run the time to fill it again.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_root", "write_whole"]


def default_cache_root() -> Path:
    """``$DFIX_CACHE_DIR`` when set, else platformdirs' user cache folder for ``dfix``."""
    override = os.environ.get("DFIX_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir  # loaded only by runs that cache something

    return Path(user_cache_dir("dfix", appauthor=False))


def write_whole(path: str | os.PathLike[str], data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all, so that parallel runs never read half an entry.

    The bytes go to a file of this process's own beside ``path`` (parallel
    runs writing the same entry never share one), which is then renamed
    over it. ``durable``: flushed to disk first, for entries that cost a
    network round trip to make again. Raises :class:`OSError`; the
    temporary file of a failed write is removed.
    """
    path = os.fspath(path)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
