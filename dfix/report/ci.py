"""CI formats: GitHub Actions workflow commands and GitLab Code Quality JSON."""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

from ..results import FileResult
from ._model import Finding, all_findings, clean, fingerprints, relative_to_root, severity_rank

# -- GitHub ----------------------------------------------------------------------

#: Annotations printed before the rest are only counted in a final notice.
#: GitHub shows at most 10 errors and 10 warnings per step (50 per job), so
#: more would be dropped silently; the most severe findings go first.
GITHUB_ANNOTATION_CAP = 50

#: dfix severity → workflow command.
GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}


def escape_data(value: str) -> str:
    """Escaping for a workflow command's message (``%``, ``\\r``, ``\\n``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escaping for a workflow command property value (also ``:`` and ``,``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _github_line(finding: Finding, path: str) -> str:
    command = GITHUB_COMMANDS.get(finding.severity, "warning")
    properties = {
        "file": path,
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(max(finding.end_line, finding.line)),
        "endColumn": str(finding.end_column),
        "title": f"dfix ({finding.code})",
    }
    rendered = ",".join(f"{key}={escape_property(clean(value))}" for key, value in properties.items())
    message = f"{finding.message} ({finding.name})"
    if finding.note:
        message += f"\n{finding.note}"
    if finding.applies:
        flags = "--write --unsafe-fixes" if finding.applicability == "unsafe" else "--write"
        message += f"\nFixable with `dfix {flags}`: {finding.fix.title or 'automatic fix'}"
    return f"::{command} {rendered}::{escape_data(clean(message))}\n"


def render_github(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None, cap: int | None = None,
) -> str:
    cap = GITHUB_ANNOTATION_CAP if cap is None else cap
    findings = all_findings(results)
    chosen = sorted(range(len(findings)), key=lambda i: (severity_rank(findings[i].severity), i))[: max(cap, 0)]
    keep = set(chosen)
    lines = [
        _github_line(finding, relative_to_root(finding.path, root)[0])
        for position, finding in enumerate(findings)
        if position in keep
    ]
    beyond = len(findings) - len(keep)
    if beyond > 0:
        message = (
            f"{beyond} more dfix finding{'s' if beyond != 1 else ''} not annotated "
            f"(annotation cap {cap}); run dfix locally or use --output-format sarif for the full list"
        )
        lines.append(f"::notice title={escape_property('dfix')}::{escape_data(message)}\n")
    return "".join(lines)


# -- GitLab ----------------------------------------------------------------------

#: dfix severity → Code Quality severity (info, minor, major, critical, blocker).
GITLAB_SEVERITIES = {"error": "critical", "warning": "major", "info": "minor", "style": "info"}


def gitlab_report(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None,
) -> list[dict[str, Any]]:
    findings = all_findings(results)
    report = []
    for finding, fingerprint in zip(findings, fingerprints(findings, root)):
        path = clean(relative_to_root(finding.path, root)[0])
        report.append({
            "type": "issue",
            "check_name": finding.code,
            "description": clean(f"{finding.code} {finding.name}: {finding.message}"),
            "severity": GITLAB_SEVERITIES.get(finding.severity, "major"),
            "fingerprint": fingerprint,
            "location": {
                "path": path,
                "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
            },
        })
    return report


def render_gitlab(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None,
) -> str:
    report = gitlab_report(results, root=root)
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
