"""``dfix verify``'s output: a table on the terminal, JSON and SARIF for CI, Markdown for a pull request."""

from __future__ import annotations

import json
from html import escape
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from dfix._version import __version__

from .builders import RunOutcome
from .verifier import DISPROVED, PROVEN, Verdict

#: Differences listed per file before "and N more".
SHOWN_DIFFERENCES = 20


def _megabytes(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.1f} MB"


def _pair(before: object, after: object) -> str:
    return f"{before} → {after}"


def _run_text(before: RunOutcome | None, after: RunOutcome | None) -> str:
    if after is None and before is None:
        return "-"
    return _pair(before.summary if before else "-", after.summary if after else "-")


def row(verdict: Verdict) -> dict[str, object]:
    """One file's facts as plain values (the JSON record, and the table's source)."""
    fixed = verdict.fixed
    before, after = verdict.original, fixed.facts if fixed else None
    record: dict[str, object] = {
        "path": verdict.path,
        "status": verdict.status,
        "reason": verdict.reason,
        "fixes": list(verdict.applied),
        "builds": {
            "original": None if verdict.original_build is None else verdict.original_build.ok,
            "fixed": None if fixed is None or fixed.build is None else fixed.build.ok,
        },
        "build_seconds": {
            "original": None if verdict.original_build is None else round(verdict.original_build.seconds, 1),
            "fixed": None if fixed is None or fixed.build is None else round(fixed.build.seconds, 1),
        },
        "verify_seconds": round(verdict.seconds, 1),
        "size_bytes": {"original": before.size if before else None, "fixed": after.size if after else None},
        "layers": {"original": before.layers if before else None, "fixed": after.layers if after else None},
        "user": {
            "original": before.config.get("User", "") if before else None,
            "fixed": after.config.get("User", "") if after else None,
        },
        "packages": {"original": len(before.packages) if before else None, "fixed": len(after.packages) if after else None},
        "undeclared_differences": [
            {"kind": item.kind, "subject": item.subject, "detail": item.detail} for item in (fixed.differences if fixed else [])
        ],
        "failed_step": fixed.build.failed_step if fixed and fixed.build and not fixed.build.ok else "",
        "run": None if verdict.original_run is None and (fixed is None or fixed.run is None) else {
            "original": verdict.original_run.summary if verdict.original_run else None,
            "fixed": fixed.run.summary if fixed and fixed.run else None,
        },
        "rebuild_seconds": None if verdict.rebuild_seconds is None else {
            "original": round(verdict.rebuild_seconds[0], 1), "fixed": round(verdict.rebuild_seconds[1], 1),
            "touched": verdict.touched,
        },
        "blamed_fix": verdict.blamed or None,
        "verified_fixes": list(verdict.verified.codes) if verdict.verified else (list(verdict.applied) if verdict.status == PROVEN else []),
    }
    return record


def table(verdicts: Sequence[Verdict]) -> Table:
    grid = Table(title="dfix verify", show_lines=False)
    for heading in ("File", "Fixes", "Result", "Builds", "Size", "Layers", "Undeclared", "Runs", "Rebuild after edit"):
        grid.add_column(heading, overflow="fold")
    for verdict in verdicts:
        facts = row(verdict)
        builds, size, layers = facts["builds"], facts["size_bytes"], facts["layers"]
        style = {"proven": "green", "disproved": "red", "cannot verify": "yellow"}.get(verdict.status, "")
        rebuild = facts["rebuild_seconds"]
        grid.add_row(
            verdict.path,
            ", ".join(verdict.applied) or "-",
            f"[{style}]{verdict.status}[/]" if style else verdict.status,
            "-" if builds["original"] is None else _pair(_yes(builds["original"]), _yes(builds["fixed"])),
            "-" if size["original"] is None else _pair(_megabytes(size["original"]), _megabytes(size["fixed"])),
            "-" if layers["original"] is None else _pair(layers["original"], "-" if layers["fixed"] is None else layers["fixed"]),
            "-" if verdict.fixed is None or not verdict.fixed.builds else str(len(verdict.fixed.differences)),
            _run_text(verdict.original_run, verdict.fixed.run if verdict.fixed else None),
            "-" if rebuild is None else f"{rebuild['original']:.1f} s → {rebuild['fixed']:.1f} s",
        )
    return grid


def _yes(value: object) -> str:
    return "-" if value is None else "yes" if value else "no"


def details(verdict: Verdict) -> list[str]:
    """The evidence under the table: why a file is disproved or cannot be verified."""
    if verdict.status not in (DISPROVED, "cannot verify"):
        return []
    lines = [f"{verdict.path}: {verdict.status}: {verdict.reason}"]
    build = verdict.original_build if verdict.fixed is None else verdict.fixed.build
    if build is not None and not build.ok:
        lines += [f"  failing step: {build.failed_step or '(unknown)'}", *("    " + line for line in build.tail.splitlines())]
    if verdict.fixed is not None:
        shown = verdict.fixed.differences[:SHOWN_DIFFERENCES]
        lines += [f"  undeclared: {item}" for item in shown]
        if len(verdict.fixed.differences) > len(shown):
            lines.append(f"  ... and {len(verdict.fixed.differences) - len(shown)} more")
        if verdict.fixed.run is not None and not verdict.fixed.run.ok:
            lines += [f"  {' '.join(verdict.fixed.run.command)} as {verdict.fixed.run.user}: {verdict.fixed.run.summary}",
                      *("    " + line for line in verdict.fixed.run.output.strip().splitlines()[-10:])]
    if verdict.blamed:
        kept = ", ".join(verdict.verified.codes) if verdict.verified else ""
        lines.append(f"  without {verdict.blamed} the other fixes verify ({kept})")
    elif verdict.status == DISPROVED:
        lines.append("  no single fix could be taken out to make the rest verify")
    return lines


def print_terminal(verdicts: Sequence[Verdict], console: Console) -> None:
    console.print(table(verdicts))
    for verdict in verdicts:
        for line in details(verdict):
            console.print(line, markup=False, highlight=False)


def to_json(verdicts: Sequence[Verdict]) -> str:
    return json.dumps({"version": __version__, "files": [row(verdict) for verdict in verdicts]}, indent=2) + "\n"


def to_sarif(verdicts: Sequence[Verdict]) -> str:
    """SARIF 2.1.0: one result per disproved or unverifiable file, naming the fix to blame where found."""
    results = []
    for verdict in verdicts:
        if verdict.status not in (DISPROVED, "cannot verify"):
            continue
        results.append({
            "ruleId": verdict.blamed or ("verify-disproved" if verdict.status == DISPROVED else "verify-cannot"),
            "level": "error" if verdict.status == DISPROVED else "warning",
            "message": {"text": "\n".join(details(verdict))},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": verdict.path}}}],
        })
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "dfix verify", "version": __version__}},
                  "results": results}],
    }
    return json.dumps(document, indent=2) + "\n"


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text`` (a build log may hold some)."""
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _evidence_markdown(verdict: Verdict) -> list[str]:
    """One file's evidence, folded: the failing step and log, the undeclared differences, the fix to blame."""
    lines = details(verdict)
    if not lines:
        return []
    evidence = "\n".join(line.removeprefix("  ") for line in lines[1:]) or verdict.reason
    fence = _fence(evidence)
    summary = f"<code>{escape(verdict.path)}</code>: {escape(verdict.status)}: {escape(verdict.reason)}"
    return ["", f"<details><summary>{summary}</summary>", "", fence + "text", evidence, fence, "", "</details>"]


def to_markdown(verdicts: Sequence[Verdict]) -> str:
    """The verify table for a pull request body, and the evidence for every file not proven."""
    lines = ["| File | Fixes | Result | Size | Layers | Undeclared | Rebuild after edit |", "|---|---|---|---|---|---|---|"]
    for verdict in verdicts:
        facts = row(verdict)
        size, layers, rebuild = facts["size_bytes"], facts["layers"], facts["rebuild_seconds"]
        lines.append("| " + " | ".join([
            f"`{verdict.path}`".replace("|", "\\|"), ", ".join(verdict.applied) or "-", verdict.status,
            "-" if size["original"] is None else _pair(_megabytes(size["original"]), _megabytes(size["fixed"])),
            "-" if layers["original"] is None else _pair(layers["original"], layers["fixed"] if layers["fixed"] is not None else "-"),
            str(len(facts["undeclared_differences"])),
            "-" if rebuild is None else f"{rebuild['original']:.1f} s → {rebuild['fixed']:.1f} s",
        ]) + " |")
    for verdict in verdicts:
        lines += _evidence_markdown(verdict)
    return "\n".join(lines) + "\n"
