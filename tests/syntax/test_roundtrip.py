"""The lossless promise on every real Dockerfile: ``parse(x).code == x``.

Every file of the shared corpora (dockerhub-dev, modern-dev, windows and
BuildKit's own parser test files, negative ones included) is read with
``dfix.read_dockerfile`` and parsed in both dialects. A file either parses,
prints back byte for byte and has every token where it says it is, or it is
one BuildKit rejects and raises ``ParseError``. The two outcomes are counted
separately (see the "dfix corpus counts" section of pytest's summary).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pytest

import dfix
from conftest import NO_CORPUS_REASON, corpus_root

from .support import (
    Manifest, Rejected, corpus_groups, corpus_oracle, corpus_text, count, dockerfile, group_params, summary,
)

pytestmark = pytest.mark.corpus

ROOT = corpus_root()
DIALECTS = ("latest", "0.12.5")


@lru_cache(maxsize=None)
def manifest(root):
    return Manifest.read(root)


def buildkit_rejects(root, relative: str) -> bool | None:
    """Whether BuildKit refuses the file: the binding's word, checked against MANIFEST.tsv."""
    listed = manifest(root).rows.get(relative)
    if dockerfile is not None:
        result = corpus_oracle(root, relative)
        if result is not None:
            rejects = isinstance(result, Rejected)
            if listed is not None:
                assert rejects == (listed[0] == "parseerror"), f"{relative}: the binding disagrees with MANIFEST.tsv"
            return rejects
    return None if listed is None else listed[0] == "parseerror"


@pytest.mark.parametrize("group", group_params(ROOT, NO_CORPUS_REASON))
def test_round_trip(corpus, corpus_files, group, corpus_stats):
    files = corpus_files[group]
    assert files, f"no files in {group}"
    title = "round trip " + group.split("/")[0]
    problems = []
    for relative in files:
        rejects = buildkit_rejects(corpus, relative)
        for dialect in DIALECTS:
            result = summary(corpus, relative, dialect)
            if result.error is not None:
                count(corpus_stats, title, f"{dialect}: rejected (ParseError)")
                if rejects is False:
                    problems.append(f"{relative} [{dialect}]: BuildKit accepts it, dfix raised {result.error}")
                continue
            count(corpus_stats, title, f"{dialect}: round-tripped")
            if not result.round_trip:
                problems.append(f"{relative} [{dialect}]: parse(x).code != x")
            if result.positions is not None:
                problems.append(f"{relative} [{dialect}]: {result.positions}")
            if rejects:
                problems.append(f"{relative} [{dialect}]: BuildKit rejects it, dfix accepted it")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("group", group_params(ROOT, NO_CORPUS_REASON))
def test_read_dockerfile_keeps_every_byte(corpus, group):
    """``read_dockerfile`` + ``encode_dockerfile`` give the file's bytes back (MANIFEST's sha1)."""
    rows = manifest(corpus).rows
    for relative in corpus_groups(corpus)[group]:
        data = (corpus / relative).read_bytes()
        assert dfix.encode_dockerfile(corpus_text(corpus, relative)) == data, relative
        if relative in rows:
            assert hashlib.sha1(data).hexdigest() == rows[relative][1], relative


def test_manifest_lists_every_dockerhub_file(corpus):
    listed = set(manifest(corpus).rows)
    groups = corpus_groups(corpus)
    on_disk = {path for name, paths in groups.items() if name.startswith("dockerhub-dev/") for path in paths}
    assert listed == on_disk
    rejected = sorted(path for path, (status, _) in manifest(corpus).rows.items() if status == "parseerror")
    assert len(rejected) == 9, rejected  # (the corpus README says 5; MANIFEST.tsv lists 9)


def test_negative_buildkit_cases_are_rejected(corpus):
    negatives = sorted((corpus / "buildkit-parser" / "testfiles-negative").glob("*/Dockerfile"))
    assert len(negatives) == 4
    for path in negatives:
        text = dfix.read_dockerfile(path)
        for dialect in DIALECTS:
            with pytest.raises(dfix.ParseError):
                dfix.parse(text, str(path), buildkit=dialect)
