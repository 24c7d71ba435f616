"""Fixtures of the syntax tests."""

from __future__ import annotations

import pytest

from .support import corpus_groups, warm_up


@pytest.fixture(scope="session")
def corpus_files(corpus):
    """The corpus files by group, every one parsed (both dialects) and asked of the binding once."""
    groups = corpus_groups(corpus)
    warm_up(corpus, [relative for files in groups.values() for relative in files])
    return groups
