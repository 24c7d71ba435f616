"""CI formats: GitHub Actions workflow commands and GitLab Code Quality JSON."""

from __future__ import annotations

import heapq

import os
from typing import Any, Sequence

from ..results import FileResult
from .jsonarray import JsonArrayWriter
from ._model import Finding, all_findings, clean, file_findings, fingerprints, relative_to_root, severity_rank

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


def github_overflow_notice(beyond: int, cap: int) -> str:
    """The notice that says how many findings went past the annotation cap."""
    message = (
        f"{beyond} more dfix finding{'s' if beyond != 1 else ''} not annotated "
        f"(annotation cap {cap}); run dfix locally or use --output-format sarif for the full list"
    )
    return f"::notice title={escape_property('dfix')}::{escape_data(message)}\n"


def render_github(
    results: Sequence[FileResult], *, root: "str | os.PathLike[str] | None" = None, cap: int | None = None,
) -> str:
    writer = GithubWriter(root=root, cap=GITHUB_ANNOTATION_CAP if cap is None else cap)
    for result in results:
        writer.add(result)
    return writer.close()


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
    writer = JsonArrayWriter(lambda result: gitlab_report([result], root=root))
    return "".join(writer.add(result) for result in results) + writer.close()


class GithubWriter:
    """Workflow commands: the ``cap`` most severe findings (GitHub shows no more), the rest counted in a notice."""

    def __init__(self, *, root: "str | os.PathLike[str] | None", cap: int) -> None:
        self.root = root
        self.cap = max(cap, 0)
        self.count = 0
        self._best: list[tuple[int, int, str]] = []  # a max-heap by (rank, position), negated

    def add(self, result: FileResult) -> str:
        for finding in file_findings(result):
            key = (-severity_rank(finding.severity), -self.count)
            self.count += 1
            if len(self._best) < self.cap:
                heapq.heappush(self._best, (*key, _github_line(finding, relative_to_root(finding.path, self.root)[0])))
            elif self.cap and key > self._best[0][:2]:
                heapq.heapreplace(self._best, (*key, _github_line(finding, relative_to_root(finding.path, self.root)[0])))
        return ""

    def close(self) -> str:
        chosen = sorted(self._best, key=lambda entry: -entry[1])
        lines = [line for _, _, line in chosen]
        beyond = self.count - len(chosen)
        if beyond > 0:
            lines.append(github_overflow_notice(beyond, self.cap))
        return "".join(lines)
