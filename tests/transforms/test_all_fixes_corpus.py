"""Every rule at once, safe and unsafe, over real Dockerfiles: the promises hold.

A deterministic spread of the dev corpus (all of it with DFIX_FULL_CORPUS=1)
is fixed with every rule and ``unsafe=True``; each output must parse with
BuildKit's own parser, use only instructions and flags BuildKit accepts
(unless the input already did not), keep every non-RUN instruction, and be a
fixpoint; no fix may be dropped by the engine's verification.
"""

from __future__ import annotations

import collections
import os

import pytest

import dfix
from dfix import oracle

pytestmark = pytest.mark.corpus

SAMPLE = 1200


def test_every_fix_keeps_the_promises(corpus, corpus_stats):
    if not oracle.available():
        pytest.skip("PyPI dockerfile (BuildKit's parser) is not installed")
    files = sorted((corpus / "dockerhub-dev").rglob("Dockerfile"))
    if not os.environ.get("DFIX_FULL_CORPUS"):
        files = files[:: max(1, len(files) // SAMPLE)]
    applied: collections.Counter = collections.Counter()
    changed = 0
    violations = []
    for path in files:
        text = dfix.read_dockerfile(path)
        try:
            result = dfix.fix(text, unsafe=True)
        except dfix.ParseError:
            continue
        violations += [f"{path}: dropped {f.diagnostic.code}: {f.reason}" for f in result.failed]
        if not result.changed:
            continue
        changed += 1
        applied.update(d.code for d in result.applied)
        rewritten = oracle.rewritten_by(result.applied)
        violations += [f"{path}: {problem}" for problem in oracle.fix_problems(text, result.text, rewritten=rewritten)]
        if dfix.fix(result.text, unsafe=True).text != result.text:
            violations.append(f"{path}: a second pass changed the output")
    stats = corpus_stats.setdefault(f"all fixes over {len(files)} dev files", {})
    stats["files changed"] = changed
    for code, count in applied.items():
        stats[code] = count
    assert changed > len(files) // 3
    assert violations == []
