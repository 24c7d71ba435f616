"""Parse throughput and memory of dfix on real Dockerfiles, next to BuildKit's own parser.

Why: dfix parses in Python what BuildKit parses in Go, and keeps every byte
(trivia, typed nodes) where BuildKit keeps a flat AST. This bench says what
that costs, on the same files, in the same process and run, so the ratio is
meaningful even on a noisy machine:

* throughput (files/s): dfix ``parse(text).code`` (parse and print back, the
  round trip every fix needs) and dfix ``parse`` alone, next to
  ``dockerfile.parse_string`` (PyPI ``dockerfile``: BuildKit's Go parser
  behind a C binding); after a warm-up, chunk by chunk, the parsers taking
  turns, the best of ``--repeat`` passes per chunk; CPU and wall time;
* memory: in a fresh subprocess that imports only dfix, the peak RSS of
  parsing every file while keeping every tree alive, and the baseline RSS of
  the interpreter with dfix imported (and its grammar loaded).

Prints numbers, never pass/fail. Usage (from the repository root)::

    python bench/parse.py                 # all 10,005 dockerhub-dev files
    python bench/parse.py --limit 1000    # a quick look
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS_SCRIPT = REPO.parent / "shared" / "tools" / "corpus.sh"


def corpus_files(corpus: Path | None, limit: int | None) -> list[Path]:
    """The dev corpus' Dockerfiles in a stable order (unpacked by the shared script if needed)."""
    if corpus is None:
        if not CORPUS_SCRIPT.exists():
            sys.exit(f"error: {CORPUS_SCRIPT} not found; pass --corpus DIR")
        unpacked = subprocess.run(["bash", str(CORPUS_SCRIPT)], capture_output=True, text=True, check=True)
        corpus = Path(unpacked.stdout.strip()) / "dockerhub-dev"
    files = sorted(corpus.rglob("Dockerfile"))
    if not files:
        sys.exit(f"error: no Dockerfile under {corpus}")
    return files[:limit] if limit else files


def read_texts(files: Sequence[Path]) -> list[str]:
    """Read as dfix does (UTF-8 with surrogateescape), outside any timed region."""
    return [path.read_bytes().decode("utf-8", "surrogateescape") for path in files]


def peak_rss_mib() -> float:
    """The process' highest RSS so far.

    Linux's VmHWM where there is /proc: ``ru_maxrss`` of a child started by
    fork+exec starts at the *parent's* RSS (Linux carries the high-water mark
    across exec), which here is the throughput bench holding every file.
    Elsewhere ru_maxrss (KiB on Linux, bytes on macOS: reads 1024x high there).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """The process' RSS now (Linux /proc); the peak where /proc is missing.

    The baseline is the current value after a garbage collection, not a
    peak, so that what the trees cost is not hidden by a transient at import.
    """
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_rss_mib()
    return resident_pages * resource.getpagesize() / 2**20


# -- throughput -------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """One timed pass of one parser over one chunk of files."""

    wall: float  # seconds, what a user waits
    cpu: float  # seconds of this process' CPU: far less disturbed by other jobs on the machine
    failures: int


def dfix_parse_and_print(texts: Sequence[str]) -> int:
    import dfix

    failures = 0
    for text in texts:
        try:
            dfix.parse(text).code
        except dfix.ParseError:
            failures += 1
    return failures


def dfix_parse_only(texts: Sequence[str]) -> int:
    import dfix

    failures = 0
    for text in texts:
        try:
            dfix.parse(text)
        except dfix.ParseError:
            failures += 1
    return failures


def buildkit_parse(texts: Sequence[str]) -> int:
    import dockerfile

    failures = 0
    for text in texts:
        try:
            dockerfile.parse_string(text)
        except dockerfile.GoParseError:
            failures += 1
    return failures


def timed(parse_all: Callable[[Sequence[str]], int], texts: Sequence[str]) -> Timing:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    failures = parse_all(texts)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, failures)


def for_buildkit(text: str) -> str:
    """The binding crashes the process (SIGSEGV) on lone surrogates; give it U+FFFD instead."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def throughput(texts: list[str], repeat: int, warmup: int, chunk: int) -> None:
    """Time each parser on each chunk of files, ``repeat`` times, interleaved; sum the best per chunk.

    Interleaving per chunk (a second or so) rather than per whole corpus
    keeps the contenders' measurements seconds apart, so a busy spell of a
    shared machine hits them alike and the ratio stays meaningful.
    """
    try:
        import dockerfile  # noqa: F401
    except ImportError:
        sys.exit("error: BuildKit's parser is missing: pip install -e '.[test]' (PyPI 'dockerfile')")

    contenders: dict[str, tuple[Callable[[Sequence[str]], int], list[str]]] = {
        "dfix parse+print": (dfix_parse_and_print, texts),
        "dfix parse": (dfix_parse_only, texts),
        "buildkit parse": (buildkit_parse, [for_buildkit(text) for text in texts]),
    }
    # warm-up: dfix builds its LALR tables on first use; both fill caches and page code in
    for parse_all, inputs in contenders.values():
        parse_all(inputs[:warmup])

    starts = range(0, len(texts), chunk)
    best: dict[str, list[Timing]] = {name: [] for name in contenders}
    for start in starts:
        runs: dict[str, list[Timing]] = {name: [] for name in contenders}
        for _ in range(repeat):
            for name, (parse_all, inputs) in contenders.items():
                runs[name].append(timed(parse_all, inputs[start:start + chunk]))
        for name, timings in runs.items():
            best[name].append(Timing(
                min(t.wall for t in timings), min(t.cpu for t in timings), timings[0].failures
            ))
        if sys.stderr.isatty():
            print(f"  {min(start + chunk, len(texts)):>6} / {len(texts)} files timed", end="\r", file=sys.stderr)

    print(f"throughput over {len(texts)} files; per chunk of {chunk}, best of {repeat} interleaved passes "
          f"(after a {warmup}-file warm-up):")
    print(f"  {'':<17} {'files/s':>9} {'us/file':>8}  {'files/s':>9}  refused")
    print(f"  {'':<17} {'(cpu)':>9} {'(cpu)':>8}  {'(wall)':>9}")
    rate: dict[str, tuple[float, float]] = {}
    for name, chunks in best.items():
        cpu = sum(timing.cpu for timing in chunks)
        wall = sum(timing.wall for timing in chunks)
        rate[name] = (len(texts) / cpu, len(texts) / wall)
        failures = sum(timing.failures for timing in chunks)
        print(f"  {name:<17} {rate[name][0]:9.0f} {cpu * 1e6 / len(texts):8.0f}  {rate[name][1]:9.0f}  {failures:7}")
    for name in ("dfix parse+print", "dfix parse"):
        cpu_ratio = rate[name][0] / rate["buildkit parse"][0]
        wall_ratio = rate[name][1] / rate["buildkit parse"][1]
        print(f"  ratio {name + ' / buildkit:':<28} {cpu_ratio:.2f} (cpu), {wall_ratio:.2f} (wall)")


# -- memory (runs in its own process) ---------------------------------------------


def memory_child(paths_file: Path, keep: bool = True) -> None:
    """Parse every listed file (keeping every tree, or each only until the next) and report RSS as JSON."""
    import dfix

    dfix.parse("FROM scratch\n")  # load the grammar: part of the baseline a user pays once
    gc.collect()
    baseline = current_rss_mib()
    trees = []
    failures = 0
    for line in paths_file.read_text().splitlines():
        try:
            tree = dfix.parse(dfix.read_dockerfile(line))
            if keep:
                trees.append(tree)
            elif not tree.code:  # print it, as a fixer would, then let it go
                failures += 1
        except dfix.ParseError:
            failures += 1
    gc.collect()
    print(json.dumps({
        "baseline_mib": baseline, "peak_mib": peak_rss_mib(),
        "alive_mib": current_rss_mib(), "trees": len(trees), "failures": failures,
    }))


def memory(files: Sequence[Path], scratch: Path) -> None:
    paths_file = scratch / "bench-parse-files.txt"
    paths_file.write_text("\n".join(str(path) for path in files) + "\n")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(paths_file)], capture_output=True, text=True, check=True
        )
        streaming = subprocess.run(
            [sys.executable, __file__, "--memory-child-streaming", str(paths_file)],
            capture_output=True, text=True, check=True,
        )
    finally:
        paths_file.unlink()
    numbers = json.loads(done.stdout)
    print(f"\nmemory, parsing all {len(files)} files in one process, one tree at a time (dfix only):")
    print(f"  peak RSS:                                              {json.loads(streaming.stdout)['peak_mib']:7.1f} MiB")
    kept = numbers["alive_mib"] - numbers["baseline_mib"]
    total_bytes = sum(path.stat().st_size for path in files)
    print(f"\nmemory (separate process, dfix only, {numbers['trees']} trees kept alive):")
    print(f"  baseline RSS, python + dfix imported, grammar loaded: {numbers['baseline_mib']:7.1f} MiB")
    print(f"  peak RSS, parsing every file with every tree alive:   {numbers['peak_mib']:7.1f} MiB")
    print(f"  RSS at the end, every tree still alive:               {numbers['alive_mib']:7.1f} MiB")
    print(
        f"  trees cost {kept:.1f} MiB for {total_bytes / 2**20:.1f} MiB of Dockerfiles "
        f"({kept * 2**20 / max(total_bytes, 1):.0f} bytes of RSS per byte of input, "
        f"{kept * 1024 / max(numbers['trees'], 1):.0f} KiB per file)"
    )


# -- command line -----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder searched for */Dockerfile (default: the shared dockerhub-dev corpus)")
    parser.add_argument("--limit", type=int, help="use only the first N files (sorted by path)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per parser and chunk; the best counts (default 3)")
    parser.add_argument("--chunk", type=int, default=500, help="files per interleaved timing unit (default 500)")
    parser.add_argument("--warmup", type=int, default=500, help="files parsed once before timing (default 500)")
    parser.add_argument("--skip-memory", action="store_true", help="throughput only")
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child-streaming", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.memory_child_streaming:
        memory_child(args.memory_child_streaming, keep=False)
        return

    files = corpus_files(args.corpus, args.limit)
    texts = read_texts(files)
    print(f"{len(files)} files, {sum(map(len, texts)) / 2**20:.1f} MiB of text; python {sys.version.split()[0]}")
    throughput(texts, args.repeat, args.warmup, args.chunk)
    if not args.skip_memory:
        import tempfile

        memory(files, Path(tempfile.gettempdir()))


if __name__ == "__main__":
    main()
