"""The package-hygiene rules over real Dockerfiles: fixes that keep every promise.

Rules: DF202 apt-no-install-recommends, DF204 update-without-install, DF220
pip-no-cache-dir, DF221 js-package-cache-left, DF624 sort-package-list.

For each file of the shared Docker Hub corpus (``dockerhub-dev/**/Dockerfile``,
plus the small ``modern-dev`` set for heredocs and ``--mount``; unpack them with
``bash ../shared/tools/corpus.sh``), ``dfix.fix(text, select=CODES,
unsafe=True)`` must:

* never raise, except ``ParseError`` for a file BuildKit itself rejects;
* give text that BuildKit's own parser (the ``dockerfile`` binding) reads,
  with no instruction keyword the input did not already have;
* leave every non-RUN instruction exactly as it was (same BuildKit view,
  line numbers aside), and every RUN's flags, form and heredocs (the rules
  edit shell scripts only);
* fail no fix, and be stable: a second pass changes nothing.

The run takes a deterministic sample so that it stays under two minutes: every
k-th dockerhub-dev file in sorted order, about ``DFIX_HYGIENE_SAMPLE`` files
(default 1000; ``0`` means the whole corpus), checked in parallel over the
CPUs. Counts per rule (findings, fixable findings, fixes applied) are printed
and added to the test summary.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

import dfix
from dfix.oracle import binding_can_take
from dfix.syntax.meaning import KNOWN_INSTRUCTIONS
from conftest import check_in_pool, dev_corpus_files

try:
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

CODES = ("DF202", "DF204", "DF220", "DF221", "DF624")
SAMPLE = max(0, int(os.environ.get("DFIX_HYGIENE_SAMPLE", "1000")))

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_files() -> tuple[Path, list[tuple[Path, str]]]:
    if dockerfile is None:
        pytest.skip("the `dockerfile` binding (BuildKit's parser) is not installed")
    dev, files = dev_corpus_files()
    root = dev.parent
    if SAMPLE and SAMPLE < len(files):
        step = len(files) / SAMPLE
        files = [files[int(index * step)] for index in range(SAMPLE)]
    status = {}
    manifest = root / "dockerhub-dev" / "MANIFEST.tsv"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            path, state, _ = line.split("\t")
            status[root / "dockerhub-dev" / path] = state
    modern = sorted(p for p in (root / "modern-dev").rglob("*") if p.is_file() and not p.name.startswith("."))
    return root, [(p, status.get(p, "?")) for p in files + modern]




def _view(command) -> tuple:
    """A BuildKit command without its line numbers (they shift when a duplicate line goes)."""
    return (command.cmd, command.sub_cmd, command.json, tuple(command.flags), tuple(command.value),
            command.original, tuple((h.name, h.content) for h in command.heredocs))


def _run_frame(command) -> tuple:
    """What the rules must never change about a RUN: keyword, flags, form, heredocs."""
    return (command.cmd, command.sub_cmd, command.json, tuple(command.flags),
            tuple((h.name, h.content) for h in command.heredocs))


def _is_run(command) -> bool:
    return command.cmd.lower() == "run" or (command.cmd.lower() == "onbuild" and (command.sub_cmd or "").lower() == "run")


def _check(job: tuple[Path, str]) -> tuple[str, Counter, list[str]]:
    """Check one file; returns (outcome, counts, problems)."""
    path, state = job
    counts: Counter = Counter()
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    try:
        found = dfix.check(text, select=list(CODES))
        result = dfix.fix(text, select=list(CODES), unsafe=True)
    except dfix.ParseError:
        if state == "parseerror":
            return "rejected", counts, []
        if binding_can_take(text):
            try:
                dockerfile.parse_string(text)
            except dockerfile.GoParseError:
                return "rejected", counts, []
        return "error", counts, [f"{path}: ParseError on a file BuildKit accepts"]
    except Exception as error:  # noqa: BLE001 - a rule must never raise
        return "error", counts, [f"{path}: {type(error).__name__}: {error}"]
    for diagnostic in found:
        counts[f"{diagnostic.code} found"] += 1
        if diagnostic.fix is not None:
            counts[f"{diagnostic.code} fixable ({diagnostic.fix.safety})"] += 1
    for diagnostic in result.applied:
        counts[f"{diagnostic.code} fixes applied"] += 1
    problems: list[str] = []
    if result.failed:
        problems.append(f"{path}: failed fixes {[(f.diagnostic.code, f.reason) for f in result.failed]}")
    if not result.changed:
        return "unchanged", counts, problems
    out = result.text
    try:
        if binding_can_take(out) and binding_can_take(text):
            old, new = dockerfile.parse_string(text), dockerfile.parse_string(out)
            old_keywords = {c.cmd.lower() for c in old}
            unknown = {c.cmd for c in new if c.cmd.lower() not in KNOWN_INSTRUCTIONS and c.cmd.lower() not in old_keywords}
            assert not unknown, f"unknown instructions {unknown}"
            assert len(old) == len(new), "the instruction count changed"
            for before, after in zip(old, new):
                if _is_run(before):
                    assert _run_frame(before) == _run_frame(after), f"RUN frame changed at line {before.start_line}"
                else:
                    assert _view(before) == _view(after), f"line {before.start_line} ({before.cmd}) changed"
        else:  # the binding takes valid UTF-8 only: compare dfix's BuildKit view instead
            old, new = dfix.parse(text).instructions, dfix.parse(out).instructions
            assert len(old) == len(new), "the instruction count changed"
            for before, after in zip(old, new):
                if before.instruction == "RUN" or (before.trigger is not None and before.trigger.instruction == "RUN"):
                    continue
                assert before.code == after.code, f"line {before.start_line} changed"
        again = dfix.fix(out, select=list(CODES), unsafe=True)
        assert again.text == out, "a second pass changed the text"
        assert not again.failed, [f.reason for f in again.failed]
    except (AssertionError, dockerfile.GoParseError) as error:
        problems.append(f"{path}: {type(error).__name__}: {error}")
    return "changed", counts, problems


def test_hygiene_fixes_over_the_corpus(corpus_files, corpus_stats):
    _, jobs = corpus_files
    totals, problems = check_in_pool(_check, jobs)
    stats = corpus_stats.setdefault(f"hygiene rules ({len(jobs)} corpus files)", {})
    stats.update(totals)
    print(f"\nhygiene rules over {totals['files']} corpus files:")
    for key in sorted(totals):
        print(f"  {key}: {totals[key]}")
    assert totals["files"] == len(jobs)
    assert not problems, "\n".join(problems[:20])
