"""An unsafe fix's caveat travels with it: in the full report, JSON, SARIF, the --diff stderr note and the PR body."""

from __future__ import annotations

import json
from dfix.bot.changes import ChangeSet, FileChange
from dfix.bot.message import body
from dfix.engine import Safety
from dfix.report import render, render_caveats
from dfix.results import FileResult

from .support import synthetic, under

TEXT = "FROM node:20\nCOPY . .\nRUN npm ci\n"
CAVEAT = "package.json has no postinstall script that reads the sources"


def offered() -> FileResult:
    diagnostic = synthetic(TEXT, "COPY . .", safety=Safety.UNSAFE, assumes=CAVEAT)
    return FileResult("Dockerfile", TEXT, TEXT, (diagnostic,))


def test_the_full_report_shows_what_the_fix_assumes() -> None:
    assert f"  = assumes: {CAVEAT}\n" in render([offered()], "full")


def test_json_and_sarif_fix_records_carry_it() -> None:
    (finding,) = json.loads(render(under([offered()], unsafe=True), "json"))
    assert finding["fix"]["assumes"] == CAVEAT
    sarif = json.loads(render([offered()], "sarif"))
    (fix,) = sarif["runs"][0]["results"][0]["fixes"]
    assert fix["properties"]["assumes"] == CAVEAT
    plain = synthetic(TEXT, "COPY . .", safety=Safety.SAFE)
    (finding,) = json.loads(render([FileResult("Dockerfile", TEXT, TEXT, (plain,))], "json"))
    assert finding["fix"]["assumes"] is None


def test_applied_fixes_state_their_caveat_once_per_file_and_rule() -> None:
    first = synthetic(TEXT, "COPY . .", code="DF102", assumes=CAVEAT)
    again = synthetic(TEXT, "npm ci", code="DF102", assumes=CAVEAT)
    safe = synthetic(TEXT, "FROM", code="DF201", safety=Safety.SAFE)
    result = FileResult("app/Dockerfile", TEXT, TEXT + "\n", applied=(first, again, safe))
    assert render_caveats([result]) == f"app/Dockerfile: note: DF102 (unsafe fix) assumes {CAVEAT}\n"


def test_the_pull_request_body_lists_them() -> None:
    applied = synthetic(TEXT, "COPY . .", code="DF102", assumes=CAVEAT)
    text = body(ChangeSet((FileChange("web/Dockerfile", TEXT, TEXT + "\n", (applied,)),)), base="abc")
    assert "**Check before merging:**" in text
    assert f"- [DF102](https://dfix.dev/rules/DF102) synthetic-rule in `web/Dockerfile`: {CAVEAT}" in text
