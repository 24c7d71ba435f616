"""Shared test setup: the shared corpora (``../shared``) and the BuildKit oracle.

The corpora live next to the repository (``../shared``), not in it. Tests get
them through :func:`corpus_root`, which runs ``../shared/tools/corpus.sh`` (it
unpacks the archives once, into ``$DFIX_CORPUS_DIR`` or ``$TMPDIR/dfix-corpus``,
and prints the folder). When ``../shared`` is absent every corpus test skips
with a reason, so the suite still runs from a bare checkout.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pytest

#: ``../shared`` relative to the repository root (``DFIX_SHARED_DIR`` overrides it, e.g. to
#: check that the corpus tests skip cleanly without it).
SHARED = Path(os.environ.get("DFIX_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
CORPUS_SCRIPT = SHARED / "tools" / "corpus.sh"
NO_CORPUS_REASON = f"the shared corpora are absent ({SHARED} has no tools/corpus.sh)"


@pytest.fixture(autouse=True, scope="session")
def _cache_folder_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs of the command keep what they cache (ShellCheck's findings, registry answers) in a folder of
    the session, never in the user's cache folder; tests that need their own set ``DFIX_CACHE_DIR``."""
    previous = os.environ.get("DFIX_CACHE_DIR")
    os.environ["DFIX_CACHE_DIR"] = str(tmp_path_factory.mktemp("dfix-cache"))
    yield
    if previous is None:
        os.environ.pop("DFIX_CACHE_DIR", None)
    else:
        os.environ["DFIX_CACHE_DIR"] = previous


@functools.lru_cache(maxsize=None)
def corpus_root() -> Path | None:
    """The folder the shared corpora are unpacked in, or None without ``../shared``."""
    if not CORPUS_SCRIPT.is_file():
        return None
    result = subprocess.run(
        ["bash", str(CORPUS_SCRIPT)], check=True, capture_output=True, text=True, env=os.environ.copy()
    )
    root = Path(result.stdout.strip().splitlines()[-1])
    if not root.is_dir():  # pragma: no cover - corpus.sh always creates it
        raise RuntimeError(f"corpus.sh printed {root}, which is not a folder")
    return root


def check_in_pool(check: Callable[[object], tuple[str, Counter, list[str]]], jobs: Iterable[object]) -> tuple[Counter, list[str]]:
    """Run ``check`` over ``jobs`` in worker processes: per-outcome and per-key totals, and every problem found.

    ``check`` returns ``(outcome, counts, problems)`` for one job. Workers are
    spawned, not forked: the parent holds the Go runtime of BuildKit's
    binding (and its threads).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    totals: Counter = Counter()
    problems: list[str] = []
    workers = max(1, min(os.cpu_count() or 1, 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for outcome, counts, found in pool.map(check, jobs, chunksize=16):
            totals["files"] += 1
            totals[f"files {outcome}"] += 1
            totals.update(counts)
            problems.extend(found)
    return totals, problems


def dev_corpus_files() -> tuple[Path, list[Path]]:
    """``dockerhub-dev`` and its Dockerfiles, sorted; skips the calling test without ``../shared``."""
    root = corpus_root()
    if root is None:
        pytest.skip(NO_CORPUS_REASON)
    folder = root / "dockerhub-dev"
    files = sorted(folder.glob("**/Dockerfile"))
    if not files:
        pytest.skip(f"no Dockerfiles under {folder}")
    return folder, files


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The unpacked corpora folder; skips the test when ``../shared`` is absent."""
    root = corpus_root()
    if root is None:
        pytest.skip(NO_CORPUS_REASON)
    return root


_STATS_KEY = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def corpus_stats(request) -> dict[str, dict[str, int]]:
    """Counts the corpus tests record (``stats[title][what] += n``), printed after the run."""
    return request.config.stash.setdefault(_STATS_KEY, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest hook
    stats = config.stash.get(_STATS_KEY, None)
    if not stats:
        return
    terminalreporter.section("dfix corpus counts")
    for title in sorted(stats):
        counts = ", ".join(f"{what}: {n}" for what, n in sorted(stats[title].items()))
        terminalreporter.write_line(f"{title}: {counts}")
