"""``--output-format json``: an array of findings, described by ``schema/dfix-report.schema.json``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

from ..results import FileResult
from ._model import Finding, clean, file_findings, line_index
from .jsonarray import JsonArrayWriter

SCHEMA_RESOURCE = ("schema", "dfix-report.schema.json")


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    """The JSON Schema of the ``json`` format, as shipped in the package."""
    resource = resources.files("dfix.report").joinpath(*SCHEMA_RESOURCE)
    return json.loads(resource.read_text(encoding="utf-8"))


def _location(line: int, column: int) -> dict[str, int]:
    return {"line": line, "column": column}


def _fix(finding: Finding, index) -> dict[str, Any] | None:
    fix = finding.fix
    if fix is None:
        return None
    edits = []
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        entry: dict[str, Any] = {"content": clean(edit.replacement)}
        entry["location"] = _location(*index.position(edit.start))
        entry["end_location"] = _location(*index.position(edit.end))
        entry["start_offset"] = edit.start
        entry["end_offset"] = edit.end
        edits.append(entry)
    return {
        "applicability": finding.applicability,
        "message": clean(fix.title) or None,
        "assumes": clean(fix.assumes) or None,
        "edits": edits,
    }


def finding_object(finding: Finding) -> dict[str, Any]:
    index = line_index(finding.text or "")
    return {
        "code": finding.code,
        "subcode": finding.subcode,
        "name": finding.name,
        "message": clean(finding.message),
        "severity": finding.severity,
        "filename": clean(finding.path),
        "location": _location(finding.line, finding.column),
        "end_location": _location(finding.end_line, finding.end_column),
        "fix": _fix(finding, index),
        "url": finding.url,
        "note": clean(finding.note) if finding.note is not None else None,
    }


def render_json(results: Sequence[FileResult]) -> str:
    writer = JsonArrayWriter(lambda result: (finding_object(f) for f in file_findings(result)))
    return "".join(writer.add(result) for result in results) + writer.close()
