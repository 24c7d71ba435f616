"""The words the bot writes: commit message, pull-request title and body, and the state hidden in the body.

The body ends with a marker comment, ``<!-- dfix:bot v1 fingerprint=… base=… -->``:
the change fingerprint and the base commit the change was made on. A later
run reads it to tell "nothing new" (same fingerprint, same base) from "the
base moved" or "the fixes changed", and to recognise a closed pull request
that proposed exactly this change (closing means "no, thanks").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from dfix._version import __version__
from dfix.report import rule_url
from dfix.report._model import rule_info

from .changes import ChangeSet
from .gitops import FINGERPRINT_TRAILER, Author

if TYPE_CHECKING:
    from .verified import Verification

MARKER_VERSION = "v1"
_MARKER = re.compile(r"<!-- dfix:bot (?P<version>v\d+) fingerprint=(?P<fingerprint>\S+) base=(?P<base>[0-9a-f]+) -->")
REBASE_BOX = "Check to rebase and regenerate this PR on the next run"
_REBASE_CHECKED = re.compile(r"^\s*[-*] \[[xX]\] " + re.escape(REBASE_BOX), re.MULTILINE)
#: Rows of the fixes table before the rest is summarised (a forge caps body sizes: GitHub at 65,536 characters).
MAX_ROWS = 200


class Marker(msgspec.Struct, frozen=True):
    version: str
    fingerprint: str
    base: str


def read_marker(body: str) -> Marker | None:
    """The state an earlier run left in a pull request's body, if any."""
    match = _MARKER.search(body or "")
    return Marker(match["version"], match["fingerprint"], match["base"]) if match else None


def rebase_requested(body: str) -> bool:
    """Whether someone ticked the "rebase and regenerate" box."""
    return bool(_REBASE_CHECKED.search(body or ""))


def subject(changes: ChangeSet, *, semantic: bool, template: str | None = None) -> str:
    """The commit subject (and pull-request title): a template with ``{files}``/``{fixes}``, or the default."""
    files = len(changes.files)
    if template:
        return template.format(files=files, fixes=changes.fix_count)
    if semantic:
        return f"chore(docker): apply dfix fixes ({files} file{'s' if files != 1 else ''})"
    return f"Apply dfix fixes to {files} Dockerfile{'s' if files != 1 else ''}"


def commit_message(changes: ChangeSet, title: str, *, signoff: Author | None = None) -> str:
    """Subject, one line per rule with its count, then the fingerprint trailer (and ``Signed-off-by``)."""
    lines = [title, ""]
    for code, name, count in changes.rule_counts():
        lines.append(f"- {code} {name}: {count} fix{'es' if count != 1 else ''}")
    lines += ["", f"{FINGERPRINT_TRAILER}: {changes.fingerprint}"]
    if signoff is not None:
        lines.append(f"Signed-off-by: {signoff}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, no line breaks)."""
    return " ".join(text.replace("|", "\\|").split())


def _code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _summary(code: str) -> str:
    """The rule's one-line summary, capitalised as a sentence."""
    text = rule_info(code).summary.rstrip(".")
    return text[:1].upper() + text[1:]


def _rule_link(code: str, name: str) -> str:
    return f"[{code}]({rule_url(code)}) {name}"


def body(changes: ChangeSet, *, base: str, verification: Verification | None = None) -> str:
    """The pull-request body (ux.md §11): the fixes per file and rule, what was left, why, how to configure.

    With ``verification`` (``--verify``), the verify table follows the fixes:
    each changed file built before and after, and the evidence for every fix
    that was left out.
    """
    out = ["dfix applied automatic fixes to Dockerfiles in this repository.", ""]
    out += ["| File | Rule | Change |", "|---|---|---|"]
    rows = [
        (change.path, diagnostic)
        for change in changes.files
        for diagnostic in change.applied
    ]
    for path, diagnostic in rows[:MAX_ROWS]:
        change_text = diagnostic.fix.title if diagnostic.fix is not None and diagnostic.fix.title else diagnostic.message
        out.append(f"| {_code(path)} | {_rule_link(diagnostic.code, diagnostic.name)} | {_cell(change_text)} |")
    if len(rows) > MAX_ROWS:
        out.append(f"| … | | {len(rows) - MAX_ROWS} more fixes in the diff |")
    out.append("")
    if verification is not None:
        out += _verification(verification)
    caveats = _caveats(changes)
    if caveats:
        out += ["**Check before merging:** these fixes may change the image; each assumes what the files cannot show.", ""]
        out += [f"- {_rule_link(code, name)} in {_code(path)}: {_cell(text)}" for path, code, name, text in caveats[:MAX_ROWS]]
        if len(caveats) > MAX_ROWS:
            out.append(f"- … {len(caveats) - MAX_ROWS} more")
        out.append("")
    if changes.leftovers:
        count = len(changes.leftovers)
        out += [f"<details><summary>{count} finding{'s' if count != 1 else ''} dfix did not fix</summary>", ""]
        out += ["| File | Line | Rule | Finding |", "|---|---|---|---|"]
        for left in changes.leftovers[:MAX_ROWS]:
            what = _rule_link(left.code, left.name) if left.is_finding else _cell(f"not fixed: {left.name}")
            out.append(f"| {_code(left.path)} | {left.line} | {what} | {_cell(left.message)} |")
        if count > MAX_ROWS:
            out.append(f"| … | | | {count - MAX_ROWS} more |")
        out += ["", "</details>", ""]
    out.append("**Why:**")
    out.append("")
    for code, name, count in changes.rule_counts():
        out.append(f"- [{code} {name}]({rule_url(code)}), {count} fix{'es' if count != 1 else ''}: "
                   f"{_cell(_summary(code))} (`dfix rule {code}` explains it).")
    out += [
        "",
        "**Configure:** add `.dfix.toml` or `[tool.dfix]` in `pyproject.toml`; suppress one finding with "
        "`# dfix: ignore[CODE] -- reason`; opt out of this bot with `[tool.dfix.bot] enabled = false`.",
        "",
        "**Ignore:** close this PR and dfix will not propose these exact changes again.",
        "",
        f"- [ ] {REBASE_BOX}",
        "",
        f"<!-- dfix:bot {MARKER_VERSION} fingerprint={changes.fingerprint} base={base} -->",
        f"<!-- dfix {__version__} -->",
    ]
    return "\n".join(out) + "\n"


def _verification(verification: Verification) -> list[str]:
    """The verify section: what the builds proved, and that only verified fixes are in this change."""
    left_out = len(verification.not_kept)
    lead = (f"**Verified:** each file was built with {verification.builder} before and after the fixes, and the images "
            "compared; only fixes that verify are in this pull request")
    lead += "." if not left_out else f"; {left_out} file{'s' if left_out != 1 else ''} had fixes left out (evidence below)."
    return [lead, "", *verification.markdown().rstrip("\n").splitlines(), ""]


def summary_comment(changes: ChangeSet) -> str:
    """What the bot says on a pull request whose branch someone else has pushed to: it leaves the branch alone."""
    lines = [
        "dfix has new fixes for this repository, but this branch has commits that are not dfix's, "
        "so dfix did not push over them.",
        "",
        "| Rule | Fixes |",
        "|---|---|",
    ]
    lines += [f"| {_rule_link(code, name)} | {count} |" for code, name, count in changes.rule_counts()]
    lines += ["", "Run `dfix --write` locally and push, or delete the branch to let dfix recreate it."]
    return "\n".join(lines) + "\n"


def closing_comment() -> str:
    return "dfix finds nothing left to fix on the base branch, so this pull request is no longer needed; closing it.\n"


def _caveats(changes: ChangeSet) -> list[tuple[str, str, str, str]]:
    """``(path, code, name, assumption)`` of every applied fix that states one, once per file and rule."""
    found: list[tuple[str, str, str, str]] = []
    for change in changes.files:
        for diagnostic in change.applied:
            fix = diagnostic.fix
            entry = (change.path, diagnostic.code, diagnostic.name, fix.assumes if fix is not None else "")
            if entry[3] and entry not in found:
                found.append(entry)
    return found
