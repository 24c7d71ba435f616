"""Fix the whole dev corpus with every rule and check each output against BuildKit's parser.

For every Dockerfile of ``dockerhub-dev`` (or ``--limit N`` of them) this runs
``dfix.fix`` with all rules, safe and unsafe, then checks the promises:

* the output parses with BuildKit's own parser (PyPI ``dockerfile``);
* it uses only known instructions, with flags BuildKit accepts;
* every non-RUN instruction is identical before and after (BuildKit's view);
* a second pass changes nothing;
* nothing crashed, and no fix was dropped by the engine's verification.

Prints the number of files changed, fixes per rule, and every violation.
Usage: ``python bench/fix_corpus.py [--limit N] [--jobs J] [--select CODES] [--write-to DIR]``.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import dfix
from dfix import oracle

HERE = Path(__file__).resolve().parent


def corpus_files(limit: int | None) -> list[Path]:
    shared = HERE.parent.parent / "shared"
    folder = Path(subprocess.run(["bash", str(shared / "tools" / "corpus.sh")], check=True, capture_output=True, text=True).stdout.strip())
    files = sorted((folder / "dockerhub-dev").rglob("Dockerfile"))
    return files[:limit] if limit else files


def check_file(args: tuple[str, list[str] | None, str | None]) -> dict:
    path, select, write_to = args
    text = dfix.read_dockerfile(path)
    report: dict = {"path": path, "applied": [], "problems": []}
    try:
        result = dfix.fix(text, select=select, unsafe=True, path=path)
    except dfix.ParseError:
        report["parse_error"] = True
        return report
    except Exception as error:  # noqa: BLE001 - the point is to catch crashes
        report["problems"].append(f"crash: {error!r}")
        return report
    report["applied"] = [d.code for d in result.applied]
    report["failed"] = [f"{f.diagnostic.code}: {f.reason}" for f in result.failed]
    if result.changed:
        report["changed"] = True
        report["problems"].extend(oracle.fix_problems(text, result.text, rewritten=oracle.rewritten_by(result.applied)))
        again = dfix.fix(result.text, select=select, unsafe=True)
        if again.text != result.text:
            report["problems"].append("a second pass changed the output: " + ", ".join(d.code for d in again.applied))
        if write_to:
            target = Path(write_to) / Path(path).relative_to(Path(path).parents[2])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(dfix.encode_dockerfile(result.text))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--select", default=None, help="comma-separated rule selectors (default: all)")
    parser.add_argument("--write-to", default=None, help="also write fixed files under this folder")
    options = parser.parse_args()
    select = options.select.split(",") if options.select else None
    files = corpus_files(options.limit)
    started = time.perf_counter()
    with multiprocessing.Pool(options.jobs) as pool:
        reports = pool.map(check_file, [(str(f), select, options.write_to) for f in files], chunksize=16)
    elapsed = time.perf_counter() - started
    per_rule = collections.Counter(code for r in reports for code in r["applied"])
    files_per_rule = collections.Counter(code for r in reports for code in set(r["applied"]))
    changed = sum(1 for r in reports if r.get("changed"))
    parse_errors = sum(1 for r in reports if r.get("parse_error"))
    problems = [(r["path"], p) for r in reports for p in r["problems"]]
    failed = [(r["path"], f) for r in reports for f in r.get("failed", [])]
    print(f"files: {len(files)}  parse errors (BuildKit refuses the input): {parse_errors}  time: {elapsed:.1f}s")
    print(f"files changed: {changed}  fixes applied: {sum(per_rule.values())}")
    for code in sorted(per_rule):
        print(f"  {code}: {per_rule[code]} fixes in {files_per_rule[code]} files")
    print(f"fixes dropped by verification: {len(failed)}")
    for path, reason in failed[:20]:
        print(f"  {path}: {reason}")
    print(f"violations: {len(problems)}")
    for path, problem in problems[:40]:
        print(f"  {path}: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
