"""An on-disk cache of registry answers: one JSON file per key, atomic writes, a TTL.

The folder is ``$DFIX_CACHE_DIR/registry`` when that variable is set, else
platformdirs' user cache folder for ``dfix``. Each entry is written to a
temporary file in the same folder, flushed and ``os.replace``d, so parallel
runs never read half an entry; unreadable entries count as missing. Cache
problems (a read-only folder) never fail a lookup: the answer just is not kept.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import msgspec

from ..cache_folder import default_cache_root, write_whole

#: Bumped when the shape of entries changes.
FORMAT = 1


def default_cache_dir() -> Path:
    return default_cache_root() / "registry"


class Entry(msgspec.Struct, frozen=True):
    value: Any
    #: Seconds since the epoch when the answer was fetched.
    stored: float

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.stored)


class Cache:
    """``get(key)``/``put(key, value)`` on JSON-able values under ``folder``."""

    def __init__(self, folder: str | os.PathLike[str] | None = None, ttl: float = 6 * 3600) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.ttl = ttl

    def _path(self, key: str) -> Path:
        import hashlib  # loaded when an answer is read or written, not at start-up

        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.folder / f"v{FORMAT}" / digest[:2] / f"{digest}.json"

    def get(self, key: str, *, stale_ok: bool = False) -> Entry | None:
        """The entry for ``key`` if there is one younger than the TTL (any age with ``stale_ok``)."""
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("key") != key or not isinstance(data.get("stored"), (int, float)):
                return None
            entry = Entry(data.get("value"), float(data["stored"]))
        except (OSError, ValueError, AttributeError):
            return None
        if not stale_ok and entry.age() > self.ttl:
            return None
        return entry

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        payload = json.dumps({"key": key, "stored": time.time(), "value": value}, sort_keys=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, payload.encode("utf-8"), durable=True)
        except OSError:
            pass  # a cache that cannot be written is no reason to fail a lookup

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.folder / f"v{FORMAT}", ignore_errors=True)
