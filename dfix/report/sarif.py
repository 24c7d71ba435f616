"""``--output-format sarif``: a SARIF 2.1.0 log with one run.

* ``tool.driver.rules`` lists every rule (and the meta codes), so a viewer
  can describe any code; results point at it with ``ruleId``/``ruleIndex``.
* Locations are relative URIs; with a ``root`` they are relative to it and
  carry ``uriBaseId: %SRCROOT%`` (declared in ``originalUriBaseIds``).
* Regions are 1-based lines and columns counted in code points
  (``columnKind: unicodeCodePoints``); ``endColumn`` is exclusive.
* ``partialFingerprints["dfix/v1"]`` is stable across line shifts (path, code,
  normalised instruction text, occurrence), the same value as GitLab's.
* Every fix, safe or unsafe, becomes a ``fixes`` entry (``properties.applicability``
  says which) whose replacements delete a region and insert text.
"""

from __future__ import annotations

import json
import tempfile
import os
from pathlib import PurePath
from typing import Any, Sequence
from urllib.parse import quote

from ..results import FileResult
from ._model import (
    INFORMATION_URI, Finding, RuleInfo, clean, file_findings, fingerprints, known_rules, line_index, relative_to_root,
    root_uri, rule_info, rule_url,
)
from .jsonarray import indented

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "dfix/v1"

#: dfix severity → SARIF ``level``.
LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


def level(severity: str) -> str:
    return LEVELS.get(severity, "warning")


def _descriptor(info: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": clean(info.summary)},
        "fullDescription": {"text": clean(info.explanation), "markdown": clean(info.explanation)},
        "helpUri": rule_url(info.code),
        "help": {"text": clean(info.explanation), "markdown": clean(info.explanation)},
        "defaultConfiguration": {"level": level(info.severity)},
        "properties": {"fixSafety": info.safety, "severity": info.severity},
    }
    if info.aliases:
        descriptor["properties"]["aliases"] = list(info.aliases)
    return descriptor


def _uri_path(path: str) -> str:
    """Percent-encoded path (invalid UTF-8 bytes, kept as surrogate escapes, become their ``%XX``)."""
    return quote(path, safe="/", encoding="utf-8", errors="surrogateescape")


def artifact_location(path: str, root: "str | os.PathLike[str] | None") -> dict[str, Any]:
    """A relative URI (percent-encoded), based on ``%SRCROOT%`` when the path lies below ``root``."""
    relative, under_root = relative_to_root(path, root)
    if under_root:
        return {"uri": _uri_path(relative), "uriBaseId": SRCROOT}
    if os.path.isabs(path):
        absolute = PurePath(path).as_posix()
        return {"uri": "file://" + _uri_path(absolute if absolute.startswith("/") else "/" + absolute)}
    return {"uri": _uri_path(relative)}


def _region(finding: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": max(finding.end_line, finding.line),
        "endColumn": finding.end_column,
    }
    if region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]:
        region["endColumn"] = region["startColumn"]
    if finding.text is not None and finding.start is not None and finding.end is not None and finding.end > finding.start:
        region["snippet"] = {"text": clean(finding.text[finding.start : finding.end])}
    return region


def _fixes(finding: Finding, location: dict[str, Any]) -> list[dict[str, Any]]:
    fix = finding.fix
    if fix is None or not fix.edits or finding.text is None:
        return []
    index = line_index(finding.text)
    replacements = []
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        start_line, start_column = index.position(edit.start)
        end_line, end_column = index.position(edit.end)
        replacements.append({
            "deletedRegion": {
                "startLine": start_line, "startColumn": start_column,
                "endLine": end_line, "endColumn": end_column,
                "charOffset": edit.start, "charLength": edit.end - edit.start,
            },
            "insertedContent": {"text": clean(edit.replacement)},
        })
    return [{
        "description": {"text": clean(fix.title or "apply the fix")},
        "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}],
        "properties": {
            "applicability": finding.applicability, "appliesInThisRun": finding.applies,
            **({"assumes": clean(fix.assumes)} if fix.assumes else {}),
        },
    }]


def sarif_result(finding: Finding, fingerprint: str, rule_index: int, root: "str | os.PathLike[str] | None") -> dict[str, Any]:
    """One SARIF ``result`` object."""
    location = artifact_location(finding.path, root)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": clean(finding.message)},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(finding)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"name": finding.name, "severity": finding.severity},
    }
    if finding.note:
        result["properties"]["note"] = clean(finding.note)
    if finding.subcode:
        result["properties"]["subcode"] = finding.subcode
    fixes = _fixes(finding, location)
    if fixes:
        result["fixes"] = fixes
    return result


def sarif_document(rules: Sequence, results: list, root: "str | os.PathLike[str] | None") -> dict[str, Any]:
    """The SARIF log around ``results``, with a descriptor for each of ``rules`` (in ``ruleIndex`` order)."""
    from .._version import __version__

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dfix",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(info) for info in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(root)}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def sarif_log(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None,
) -> dict[str, Any]:
    """The SARIF log as a dict (always a valid document, also with zero results)."""
    return json.loads(render_sarif(results, root=root))


def render_sarif(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None,
) -> str:
    writer = SarifWriter(root=root)
    for result in results:
        writer.add(result)
    return writer.close()


class SarifWriter:
    """A SARIF log whose results are written as they come (to a spooled file), the rule table first at the end.

    Rules are indexed in code order over every rule dfix knows; a finding of
    a code it does not know (none today) gets a descriptor appended after them.
    """

    _MARK = "\u0000dfix-results\u0000"

    def __init__(self, *, root: "str | os.PathLike[str] | None") -> None:
        self.root = root
        self.infos = {info.code: info for info in known_rules()}
        self.codes = sorted(self.infos)
        self.index = {code: position for position, code in enumerate(self.codes)}
        self.count = 0
        self._spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8")

    def add(self, result: FileResult) -> str:
        findings = file_findings(result)
        for finding, fingerprint in zip(findings, fingerprints(findings, self.root)):
            if finding.code not in self.index:
                self.infos[finding.code] = rule_info(finding.code, finding)
                self.index[finding.code] = len(self.codes)
                self.codes.append(finding.code)
            item = sarif_result(finding, fingerprint, self.index[finding.code], self.root)
            self._spool.write(",\n" if self.count else "")
            self._spool.write(" " * 8 + indented(item).replace("\n", "\n" + " " * 8))
            self.count += 1
        return ""

    def close(self) -> str:
        descriptors = [self.infos[code] for code in self.codes]
        if not self.count:
            return json.dumps(sarif_document(descriptors, [], self.root), indent=2, ensure_ascii=False) + "\n"
        text = json.dumps(sarif_document(descriptors, [self._MARK], self.root), indent=2, ensure_ascii=False)
        marker = " " * 8 + json.dumps(self._MARK)
        head, tail = text.split(marker)
        self._spool.seek(0)
        body = self._spool.read()
        self._spool.close()
        return head + body + tail + "\n"
