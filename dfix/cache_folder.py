"""Where dfix keeps what it may reuse between runs: ``$DFIX_CACHE_DIR``, else the user's cache folder.

Each user of it has a folder of its own below (``registry`` for registry
answers, ``shellcheck`` for ShellCheck's findings); deleting any of them,
or the whole folder, only costs the next run the time to fill it again.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_root"]


def default_cache_root() -> Path:
    """``$DFIX_CACHE_DIR`` when set, else platformdirs' user cache folder for ``dfix``."""
    override = os.environ.get("DFIX_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir  # loaded only by runs that cache something

    return Path(user_cache_dir("dfix", appauthor=False))
