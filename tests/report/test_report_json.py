"""``--output-format json``: the shape, the shipped JSON Schema, and edits that reproduce the fix."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from dfix.engine import Edit
from dfix.engine.model import apply_edits
from dfix.report import render, report_schema
from dfix.results import FileResult

from .support import CRLF, NON_UTF8, TWO_FINDINGS, all_rules_results, checked, report_results, synthetic, under


def validator() -> jsonschema.protocols.Validator:
    schema = report_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_schema_ships_inside_the_package() -> None:
    resource = resources.files("dfix.report").joinpath("schema", "dfix-report.schema.json")
    assert resource.is_file()
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema == report_schema()


@pytest.mark.parametrize("make", [report_results, all_rules_results], ids=["df201", "all-rules"])
def test_output_validates_against_the_schema(make) -> None:
    data = json.loads(render(under(make(), unsafe=True), "json"))
    errors = sorted(validator().iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_schema_rejects_what_it_should() -> None:
    good = json.loads(render([checked("Dockerfile", TWO_FINDINGS)], "json"))[0]
    check = validator()
    assert check.is_valid([good])
    assert not check.is_valid([{**good, "extra": 1}])
    assert not check.is_valid([{**good, "severity": "fatal"}])
    assert not check.is_valid([{k: v for k, v in good.items() if k != "fix"}])


def test_finding_fields() -> None:
    data = json.loads(render(report_results(), "json"))
    first = data[0]
    assert first == {
        "code": "DF201",
        "subcode": None,
        "name": "apt-get-missing-yes",
        "message": "`apt-get install` without `-y` waits for a confirmation no build can give",
        "severity": "warning",
        "filename": "Dockerfile",
        "location": {"line": 2, "column": 23},
        "end_location": {"line": 2, "column": 43},
        "fix": {
            "applicability": "safe",
            "message": "add `-y`",
            "assumes": None,
            "edits": [{
                "content": " -y",
                "location": {"line": 2, "column": 38},
                "end_location": {"line": 2, "column": 38},
                "start_offset": TWO_FINDINGS.index(" curl"),
                "end_offset": TWO_FINDINGS.index(" curl"),
            }],
        },
        "url": "https://dfix.dev/rules/DF201",
        "note": None,
    }
    by_file = {(item["filename"], item["code"]): item for item in data}
    parse_error = by_file["broken/Dockerfile", "DF000"]
    assert (parse_error["name"], parse_error["severity"], parse_error["fix"]) == ("parse-error", "error", None)
    assert parse_error["location"] == {"line": 2, "column": 5}
    io_error = by_file["locked/Dockerfile", "DF000"]
    assert io_error["name"] == "io-error" and io_error["message"].startswith("cannot read")


@pytest.mark.parametrize("path, text", [("Dockerfile", TWO_FINDINGS), ("crlf/Dockerfile", CRLF), ("l/Dockerfile", NON_UTF8)])
def test_edit_offsets_reproduce_each_fix(path: str, text: str) -> None:
    result = checked(path, text)
    data = json.loads(render([result], "json"))
    assert len(data) == len(result.diagnostics) > 0
    for item, diagnostic in zip(data, result.diagnostics):
        edits = [Edit(e["start_offset"], e["end_offset"], e["content"]) for e in item["fix"]["edits"]]
        assert apply_edits(text, edits) == diagnostic.fix.apply(text)


def test_invalid_bytes_become_replacement_characters() -> None:
    text = NON_UTF8
    diagnostic = synthetic(text, "caf\udce9-\udcff\udcfe", replacement="caf\udce9", message="bad \udcff byte", note="n\udcff")
    out = render([FileResult("l\udcffx/Dockerfile", text, text, (diagnostic,))], "json")
    out.encode("utf-8")
    item = json.loads(out)[0]
    assert item["message"] == "bad \ufffd byte"
    assert item["filename"] == "l\ufffdx/Dockerfile"
    assert item["fix"]["edits"][0]["content"] == "caf\ufffd"
    assert item["note"] == "n\ufffd"


def test_pyproject_ships_the_schema() -> None:
    """The wheel must carry the schema: ``dfix.report.schema`` is a package with ``*.json`` data."""
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    setuptools = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert {"dfix.report", "dfix.report.schema"} <= set(setuptools["packages"])
    assert "*.json" in setuptools["package-data"]["dfix.report.schema"]


def test_a_shellcheck_finding_carries_its_code_as_the_subcode() -> None:
    """JSON says ``subcode`` (null for most rules), SARIF a ``subcode`` property: CI can filter by SC code."""
    from dfix.shell.shellcheck import find_shellcheck

    if find_shellcheck() is None:
        pytest.skip("ShellCheck is not installed")
    results = [checked("Dockerfile", "FROM debian:12\nRUN echo $HOME/$1\n", select=["DF629"])]
    found = [f for f in json.loads(render(results, "json")) if f["code"] == "DF629"]
    assert found and {f["subcode"] for f in found} >= {"SC2086"}
    assert validator().is_valid(found)
    sarif = json.loads(render(results, "sarif"))
    subcodes = {r["properties"].get("subcode") for r in sarif["runs"][0]["results"] if r["ruleId"] == "DF629"}
    assert "SC2086" in subcodes
