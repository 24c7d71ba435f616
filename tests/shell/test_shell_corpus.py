"""The shell layer over real RUN bodies: it never raises, its spans are exact, and it is fast.

RUN bodies come from the shared Docker Hub corpus (the ``corpus`` fixture of
``tests/conftest.py`` unpacks it, or skips without ``../shared``).  They are
extracted crudely, on purpose
independent of dfix's own Dockerfile parser: join backslash continuations,
drop comment and blank lines inside them, strip ``RUN`` and its ``--flags``,
skip exec form.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from dfix.shell import analyze, package_commands, parse_shell, state_effects
from dfix.shell.analysis import _analyze_cached

_RUN = re.compile(r"\s*run\s+(.*)", re.IGNORECASE | re.DOTALL)
_FLAG = re.compile(r"--\S+\s+")

pytestmark = pytest.mark.corpus


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if current is not None and (not stripped or stripped.startswith("#")):
            continue  # BuildKit drops these inside a continuation
        continued = line.rstrip().endswith("\\")
        piece = line.rstrip()[:-1] if continued else line
        current = piece if current is None else current + piece
        if not continued:
            lines.append(current)
            current = None
    if current is not None:
        lines.append(current)
    return lines


def _run_bodies(root: Path) -> list[str]:
    bodies: list[str] = []
    for path in sorted(root.glob("**/Dockerfile")):
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        for line in _logical_lines(text):
            match = _RUN.match(line)
            if not match:
                continue
            body = match.group(1)
            while flag := _FLAG.match(body):
                body = body[flag.end():]
            body = body.strip()
            if body and not body.startswith("["):
                bodies.append(body)
    return bodies


@pytest.fixture(scope="module")
def run_bodies(corpus: Path) -> list[str]:
    root = corpus / "dockerhub-dev"
    if not root.is_dir():
        pytest.skip(f"no dockerhub-dev corpus under {corpus}")
    bodies = _run_bodies(root)
    if not bodies:
        pytest.skip(f"no RUN bodies found under {root}")
    return bodies


def test_model_never_raises_and_spans_are_exact(run_bodies):
    for body in run_bodies:
        script = analyze(body)
        package_commands(script)
        state_effects(script)
        for command in script.commands:
            assert 0 <= command.start <= command.end <= len(body), body
            for word in command.words:
                assert body[word.start:word.end] == word.text, body
        for item in script.items:
            assert 0 <= item.start <= item.end <= len(body), body
        for comment in script.comments:
            assert body[comment.start:comment.end] == comment.text, body
    _analyze_cached.cache_clear()


def test_most_real_run_bodies_parse_cleanly(run_bodies, corpus_stats):
    errors = sum(parse_shell(body).has_error for body in run_bodies)
    stats = corpus_stats.setdefault("shell layer (dockerhub-dev RUN bodies)", {})
    stats["RUN bodies"] = len(run_bodies)
    stats["with shell syntax errors"] = errors
    assert errors / len(run_bodies) < 0.01


def test_package_managers_are_found_in_real_runs(run_bodies):
    managers = {invocation.manager for body in run_bodies[:3000] for invocation in package_commands(body)}
    assert {"apt-get", "apk", "yum", "pip", "npm"} <= managers
    _analyze_cached.cache_clear()


def test_speed_per_run(run_bodies, corpus_stats):
    """Reports µs per RUN (CPU time, best of 3); asserts only generous bounds, machines are noisy."""
    sample = run_bodies[:: max(1, len(run_bodies) // 2000)]
    parse_seconds = _best_of(3, lambda: [parse_shell(body) for body in sample])
    model_seconds = _best_of(3, lambda: [_analyze_cached.__wrapped__(body) for body in sample])
    parse_us = parse_seconds / len(sample) * 1e6
    model_us = model_seconds / len(sample) * 1e6
    stats = corpus_stats.setdefault("shell layer (dockerhub-dev RUN bodies)", {})
    stats["timed sample"] = len(sample)
    stats["parse µs/RUN"] = round(parse_us)
    stats["parse+model µs/RUN"] = round(model_us)
    assert parse_us < 1000
    assert model_us < 5000


def _best_of(repeats: int, work) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best
