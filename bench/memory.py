"""Peak memory of one ``dfix`` run over many files: the parent process and its largest worker.

A run's memory must not grow with its number of files: results are printed
as they arrive and dropped, and the workers are fed lazily. This runs the
real command (report mode, JSON output to a file) over N files, repeating
the dev corpus's 10,005 Dockerfiles as often as needed, and prints the peak
resident set size of the parent and of the largest worker (``getrusage``),
with the CPU time.

Usage: ``python bench/memory.py [--files 20000] [--jobs 2] [--format json]``.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Runs dfix in this process and reports getrusage on stderr (the parent's peak and the children's).
PROBE = """
import resource, sys
import dfix.cli
sys.argv = ["dfix", *sys.argv[1:]]
try:
    dfix.cli.main()
finally:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"@@ {me.ru_maxrss} {kids.ru_maxrss} {me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}", file=sys.stderr)
"""


def corpus_files() -> list[str]:
    shared = HERE.parent.parent / "shared"
    folder = subprocess.run(["bash", str(shared / "tools" / "corpus.sh")], check=True, capture_output=True, text=True)
    return sorted(str(p) for p in (Path(folder.stdout.strip()) / "dockerhub-dev").rglob("Dockerfile"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", default="json")
    options = parser.parse_args()
    files = list(itertools.islice(itertools.cycle(corpus_files()), options.files))
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "files.txt"
        listing.write_text("\n".join(files) + "\n")
        output = Path(folder) / "out"
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "--isolated", "--output-format", options.format, "--exit-zero", "-q",
             "--progress", "none", "-j", str(options.jobs), f"@{listing}", "-o", str(output)],
            capture_output=True, text=True,
        )
        line = next((l for l in done.stderr.splitlines() if l.startswith("@@ ")), None)
        if line is None:
            sys.exit(f"the run failed:\n{done.stderr[-2000:]}")
        parent, worker, cpu = line.split()[1:]
        size = output.stat().st_size
    print(f"{len(files)} files, {options.format} report of {size / 2**20:.1f} MiB, -j {options.jobs}")
    print(f"peak RSS: parent {int(parent) / 1024:.0f} MiB, largest worker {int(worker) / 1024:.0f} MiB")
    print(f"CPU: {float(cpu):.1f} s ({float(cpu) / len(files) * 1000:.2f} ms/file)")


if __name__ == "__main__":
    main()
