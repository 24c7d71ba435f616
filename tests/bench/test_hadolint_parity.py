"""The parity benchmark's counting, on made-up findings (the benchmark itself needs hadolint and the corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from hadolint_parity import count_parity, render  # noqa: E402

ALIASES = {"DF201": ("DL3014",), "DF614": ("DL3012", "DL4003", "DL4004"), "DF606": ("DL3020",), "DF100": ("DL3059",)}
IMPLEMENTED = {"DF201", "DF614", "DF100"}


def test_per_finding_and_per_file():
    hadolint = {
        "a": [("DL3014", 3), ("DL3014", 7), ("DL3059", 5), ("DL3059", 6), ("SC2086", 3)],
        "b": [("DL3014", 2), ("DL3020", 4)],
    }
    dfix = {
        "a": [("DF201", 3), ("DF100", 6), ("DF201", 9)],
        "b": [("DF201", 5)],
    }
    parity = count_parity(hadolint, dfix, ALIASES, IMPLEMENTED)
    row = parity.rows["DL3014"]
    assert (row.hadolint, row.same_place, row.hadolint_files, row.same_file) == (3, 1, 2, 2)
    run = parity.rows["DL3059"]
    assert (run.hadolint, run.same_place, run.hadolint_files, run.same_file) == (2, 1, 1, 1)
    assert parity.dfix_only == {"DF201": 2}  # line 9 of a, line 5 of b
    assert parity.dfix_total == {"DF201": 3, "DF100": 1}
    add = parity.rows["DL3020"]
    assert add.rules == ("DF606",) and not add.implemented
    assert parity.shellcheck_hadolint == 1 and parity.shellcheck_both is None
    text = render(parity)
    assert "DF606 planned, not implemented" in text
    assert "dfix: not available" in text


def test_a_rule_with_several_codes_counts_against_all_of_them():
    hadolint = {"a": [("DL4003", 8)]}
    dfix = {"a": [("DF614", 8), ("DF614", 12)]}
    parity = count_parity(hadolint, dfix, ALIASES, IMPLEMENTED)
    assert parity.rows["DL4003"].same_place == 1
    assert parity.dfix_only == {"DF614": 1}


def test_shellcheck_findings_carrying_their_code():
    hadolint = {"a": [("SC2086", 3), ("SC2046", 3), ("SC2086", 9)]}
    dfix = {"a": [("SC2086", 3), ("SC2164", 9)]}
    parity = count_parity(hadolint, dfix, ALIASES, IMPLEMENTED)
    assert (parity.shellcheck_hadolint, parity.shellcheck_both, parity.shellcheck_dfix) == (3, 1, 2)
    assert "same code at the same instruction 1" in render(parity)
