"""The cache-cleanup rules (DF200, DF210, DF212, DF214) over real Dockerfiles.

Over the shared Docker Hub corpus (``bash ../shared/tools/corpus.sh`` prints
the folder; files ``dockerhub-dev/**/Dockerfile``), ``dfix.fix`` with these
rules (unsafe fixes included) must:

* never raise, except `dfix.ParseError` on files BuildKit itself rejects;
* give output that BuildKit's own parser (PyPI ``dockerfile``) accepts, with
  only instructions it knows (or that the input already had);
* leave every non-RUN instruction as BuildKit reads it (``buildkit_commands()``
  without line numbers), and the number of RUNs the same;
* have no fix dropped by the engine's verification (``result.failed``);
* be stable: a second pass changes nothing.

The full corpus (10 000 files) takes about two minutes, so by default the
test runs on a deterministic sample of 3000 files (ordered by a hash of their
path); set ``DFIX_FULL_CORPUS=1`` for all of them. Counts per rule are printed
(with ``-s``) and shown in pytest's terminal summary.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from pathlib import Path

import pytest

import dfix
from dfix.oracle import binding_can_take
from dfix.syntax.meaning import KNOWN_INSTRUCTIONS
from conftest import dev_corpus_files

#: ``../shared`` next to the repository.
CODES = ("DF200", "DF210", "DF212", "DF214")
SAMPLE = 3000

pytestmark = pytest.mark.corpus


def _corpus_files() -> tuple[list[Path], int]:
    root, files = dev_corpus_files()
    total = len(files)
    if not os.environ.get("DFIX_FULL_CORPUS"):
        files = sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())[:SAMPLE]
    return files, total


def _is_run(command) -> bool:
    return command.cmd.lower() == "run" or (command.cmd.lower() == "onbuild" and (command.sub_cmd or "").lower() == "run")


def _non_run(tree) -> list[tuple]:
    """BuildKit's view of every non-RUN instruction, without line numbers (RUNs may grow)."""
    return [
        (c.cmd.lower(), c.sub_cmd, c.json, c.original, c.flags, c.value, c.heredocs)
        for c in tree.buildkit_commands()
        if not _is_run(c)
    ]



def test_cleanup_rules_over_the_corpus(corpus_stats):
    dockerfile = pytest.importorskip("dockerfile", reason="the `dockerfile` binding (BuildKit's parser) is not installed")
    files, total = _corpus_files()
    started = time.monotonic()
    stats: Counter[str] = Counter()
    problems: list[str] = []
    for path in files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        try:
            result = dfix.fix(text, select=list(CODES), unsafe=True)
        except dfix.ParseError:
            stats["files BuildKit rejects (skipped)"] += 1
            continue
        except Exception as error:  # pragma: no cover - what the test exists to catch
            problems.append(f"{path}: raised {error!r}")
            continue
        stats["files checked"] += 1
        for failed in result.failed:
            problems.append(f"{path}: {failed.diagnostic.code} fix dropped: {failed.reason}")
        for code in {diagnostic.code for diagnostic in result.applied}:
            stats[f"{code} files changed"] += 1
        for diagnostic in result.applied:
            stats[f"{diagnostic.code} fixes applied"] += 1
        for diagnostic in result.diagnostics:
            stats[f"{diagnostic.code} reported without fix" if diagnostic.fix is None else f"{diagnostic.code} fix left"] += 1
        if not result.changed:
            continue
        stats["files changed"] += 1
        before, after = dfix.parse(text), dfix.parse(result.text)
        if _non_run(before) != _non_run(after):
            problems.append(f"{path}: a non-RUN instruction changed")
        if sum(map(_is_run, before.buildkit_commands())) != sum(map(_is_run, after.buildkit_commands())):
            problems.append(f"{path}: the number of RUN instructions changed")
        if binding_can_take(result.text):
            try:
                commands = dockerfile.parse_string(result.text)
            except dockerfile.GoParseError as error:
                problems.append(f"{path}: BuildKit rejects the output: {error}")
            else:
                known_before = Counter(c.cmd.lower() for c in before.buildkit_commands() if c.cmd.lower() not in KNOWN_INSTRUCTIONS)
                unknown_after = Counter(c.cmd.lower() for c in commands if c.cmd.lower() not in KNOWN_INSTRUCTIONS)
                if unknown_after - known_before:
                    problems.append(f"{path}: unknown instructions in the output: {sorted(unknown_after - known_before)}")
        else:
            stats["changed files the binding cannot take (not UTF-8)"] += 1
        again = dfix.fix(result.text, select=list(CODES), unsafe=True)
        if again.text != result.text:
            problems.append(f"{path}: a second pass changes the output")
    elapsed = time.monotonic() - started
    title = f"cleanup rules ({len(files)} of {total} dockerhub-dev files, {elapsed:.0f}s)"
    corpus_stats.setdefault(title, {}).update(stats)
    print(f"\n{title}")
    for what, count in sorted(stats.items()):
        print(f"  {what}: {count}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
