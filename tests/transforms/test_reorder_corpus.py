"""DF102 (copy-context-before-deps): moves and splits that keep every promise, on real Dockerfiles.

For a deterministic sample of the shared Docker Hub corpus
(``dockerhub-dev/**/Dockerfile``; unpacked by ``../shared/tools/corpus.sh``),
``dfix.fix(text, select=["DF102"], unsafe=True)`` must:

* never raise, except ``ParseError`` for a file BuildKit itself rejects;
* give text BuildKit's own parser (the ``dockerfile`` binding) reads, with no
  problem the input did not have (unknown instructions, flags);
* keep, stage by stage, the same multiset of instructions (only their order
  changes), plus new COPY lines whose sources are all dependency manifests
  (``requirements*.txt``, ``package*.json`` ...), each right before an
  instruction that was already there;
* keep every non-COPY instruction in its relative order;
* fail no fix, and be stable: a second pass changes nothing.

The sample is every ``DFIX_REORDER_CORPUS_STRIDE``-th file in sorted order
(default 3, to stay well under 90 s); set it to 1 for the whole corpus. The
counts (files changed, splits per ecosystem, moves) are printed.
"""

from __future__ import annotations

import collections
import os
import re
from pathlib import Path

import pytest

import dfix
from dfix.oracle import binding_can_take
from conftest import dev_corpus_files
from dfix.oracle import buildkit_problems

try:
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

STRIDE = max(1, int(os.environ.get("DFIX_REORDER_CORPUS_STRIDE", "3")))

#: Sources a manifest COPY may have (after an optional folder prefix).
MANIFEST = re.compile(
    r"^(?:[\w.-]+/)*(?:requirements\*\.txt|\*\.txt|[\w.-]+\.txt|package\*\.json|package\.json|\.npmrc\*|yarn\.lock\*|"
    r"\.yarnrc\*|pnpm-lock\.yaml\*|go\.mod|go\.sum\*|Gemfile\*|\.ruby-version\*|composer\.json|composer\.lock\*|"
    r"pom\.xml|pyproject\.toml|poetry\.lock\*|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|\.yarnrc|\.npmrc|"
    r"pnpm-lock\.yaml|pnpm-workspace\.yaml|\.pnpmfile\.cjs|go\.sum|Gemfile|Gemfile\.lock|\.ruby-version|composer\.lock|"
    r"poetry\.lock|poetry\.toml)$"
)


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    if dockerfile is None:
        pytest.skip("the `dockerfile` binding (BuildKit's parser) is not installed")
    _, files = dev_corpus_files()
    return files[::STRIDE]




def _key(instruction) -> str:
    return instruction.code.rstrip("\r\n")


def _check_instructions(before, after) -> None:
    """Same instructions per stage (reordered), plus COPYs of manifests only."""
    assert len(before.stages) == len(after.stages), "the number of stages changed"
    for old_stage, new_stage in zip(before.stages, after.stages):
        assert _key(old_stage.from_) == _key(new_stage.from_)
        old = collections.Counter(_key(i) for i in old_stage.instructions)
        new = collections.Counter(_key(i) for i in new_stage.instructions)
        assert not (old - new), f"instructions lost: {list((old - new).elements())}"
        for code in (new - old).elements():
            node = dfix.parse_instruction(code)
            assert isinstance(node, dfix.Copy), f"a new instruction that is not a COPY: {code!r}"
            assert node.flag("from") is None, code
            assert node.sources and all(MANIFEST.match(s) for s in node.sources), f"not a manifest COPY: {code!r}"
        # everything but COPY/ADD keeps its order
        old_rest = [_key(i) for i in old_stage.instructions if not isinstance(i, (dfix.Copy, dfix.Add))]
        new_rest = [_key(i) for i in new_stage.instructions if not isinstance(i, (dfix.Copy, dfix.Add))]
        assert old_rest == new_rest, "an instruction other than COPY/ADD moved"


@pytest.mark.corpus
def test_copy_context_before_deps_over_the_corpus(corpus_files, corpus_stats):
    counts: collections.Counter = collections.Counter(files=0)
    problems: list[str] = []
    for path in corpus_files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        counts["files"] += 1
        try:
            result = dfix.fix(text, select=["DF102"], unsafe=True)
        except dfix.ParseError:
            counts["rejected by BuildKit"] += 1
            continue
        try:
            assert result.failed == (), [f.reason for f in result.failed]
            if not result.changed:
                continue
            counts["files changed"] += 1
            before, after = dfix.parse(text), dfix.parse(result.text)
            assert after.code == result.text
            _check_instructions(before, after)
            for diagnostic in result.applied:
                split = re.match(r"copy the (\S+) manifests", diagnostic.fix.title)
                counts[f"splits ({split.group(1)})" if split else "moves"] += 1
            if binding_can_take(result.text):
                new_problems = buildkit_problems(result.text) - buildkit_problems(text)
                assert not new_problems, sorted(new_problems)
            again = dfix.fix(result.text, select=["DF102"], unsafe=True)
            assert again.text == result.text, "a second pass changed the text"
            assert again.failed == ()
        except AssertionError as error:
            problems.append(f"{path}: {error}")
    corpus_stats.setdefault(f"DF102 reorder (every {STRIDE}. file)", {}).update(counts)
    print(f"\nDF102 over {counts['files']} corpus files: {dict(counts)}")
    assert counts["files changed"] > 0, "the sample should hold broad COPYs before installs"
    assert not problems, "\n".join(problems[:20])
