"""The instruction-form rules over real Dockerfiles: fixes that keep every promise, and the meaning.

Rules: DF600-DF604, DF606-DF612, DF614, DF625.

For each file of a deterministic sample of the shared Docker Hub corpus (about
``DFIX_FORM_SAMPLE`` files, default 1000, ``0`` for all) plus ``modern-dev``,
``dfix.fix(text, select=CODES, unsafe=True)`` must not raise (but for a file
BuildKit rejects), fail no fix, give text BuildKit's parser reads with no new
instruction keyword, lose no instruction but the ones DF601 (a MAINTAINER
whose label is set) and DF614 (an earlier duplicate) delete, and be stable.

The rules that rewrite values in place (DF602 key-value, DF608/DF609 casing,
DF610 blank continuation lines, DF611 protocol case, DF625 continuation
spacing) are also run alone and must leave every instruction meaning the
same to BuildKit: the same keyword (case aside), flags and form; ENV and
LABEL pairs that BuildKit's word lexer reads to the same keys and values;
EXPOSE ports equal but for the protocol's case; everything else equal but
for blanks the shell does not see.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

import dfix
from dfix.oracle import binding_can_take
from dfix.syntax.meaning import KNOWN_INSTRUCTIONS
from dfix.transforms._form import read_word
from conftest import check_in_pool, dev_corpus_files

try:
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

CODES = ("DF600", "DF601", "DF602", "DF603", "DF604", "DF606", "DF607", "DF608", "DF609", "DF610", "DF611",
         "DF612", "DF614", "DF625")
#: The rules whose fixes keep what every instruction means.
IN_PLACE = ("DF602", "DF608", "DF609", "DF610", "DF611", "DF625")
SAMPLE = max(0, int(os.environ.get("DFIX_FORM_SAMPLE", "1000")))

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    if dockerfile is None:
        pytest.skip("the `dockerfile` binding (BuildKit's parser) is not installed")
    dev, files = dev_corpus_files()
    if SAMPLE and SAMPLE < len(files):
        step = len(files) / SAMPLE
        files = [files[int(index * step)] for index in range(SAMPLE)]
    modern = sorted(p for p in (dev.parent / "modern-dev").rglob("*") if p.is_file() and not p.name.startswith("."))
    return files + modern


def _meaning(command, escape: str) -> tuple:
    """What an instruction means to BuildKit, for the in-place rules' fixes to keep."""
    name = command.cmd.lower()
    sub = (command.sub_cmd or "").lower()
    values = tuple(command.value)
    if name in ("env", "label"):
        values = tuple(read_word(value, escape) for value in values)
    elif name == "from" and len(values) == 3:
        values = (values[0], values[1].lower(), values[2])
    elif name == "expose":
        values = tuple(value.lower() for value in values)
    elif not command.json:
        values = tuple(" ".join(value.split()) for value in values)
    return name, sub, command.json, tuple(command.flags), values


def _escape(text: str) -> str:
    return dfix.parse(text).escape


def _check(path: Path) -> tuple[str, Counter, list[str]]:
    counts: Counter = Counter()
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    try:
        result = dfix.fix(text, select=list(CODES), unsafe=True)
    except dfix.ParseError:
        return "rejected", counts, []
    except Exception as error:  # noqa: BLE001 - a rule must never raise
        return "error", counts, [f"{path}: {type(error).__name__}: {error}"]
    for diagnostic in result.applied:
        counts[f"{diagnostic.code} fixes applied"] += 1
    problems: list[str] = []
    if result.failed:
        problems.append(f"{path}: failed fixes {[(f.diagnostic.code, f.reason) for f in result.failed]}")
    if not result.changed:
        return "unchanged", counts, problems
    if not (binding_can_take(text) and binding_can_take(result.text)):
        return "changed", counts, problems
    try:
        old, new = dockerfile.parse_string(text), dockerfile.parse_string(result.text)
        old_keywords = {c.cmd.lower() for c in old}
        unknown = {c.cmd for c in new if c.cmd.lower() not in KNOWN_INSTRUCTIONS and c.cmd.lower() not in old_keywords}
        assert not unknown, f"unknown instructions {unknown}"
        deleted = sum(1 for d in result.applied
                      if d.code == "DF614" or (d.code == "DF601" and all(e.replacement == "" for e in d.fix.edits)))
        assert len(new) == len(old) - deleted, f"{len(old) - len(new)} instructions gone, {deleted} deleted on purpose"
        again = dfix.fix(result.text, select=list(CODES), unsafe=True)
        assert again.text == result.text, "a second pass changed the text"
        in_place = dfix.fix(text, select=list(IN_PLACE))
        if in_place.changed:
            escape = _escape(text)
            before = [_meaning(c, escape) for c in old]
            after = [_meaning(c, escape) for c in dockerfile.parse_string(in_place.text)]
            assert len(before) == len(after), "an in-place fix changed the instruction count"
            for number, (was, now) in enumerate(zip(before, after)):
                assert was == now, f"instruction {number + 1} means something else: {was} -> {now}"
    except (AssertionError, dockerfile.GoParseError) as error:
        problems.append(f"{path}: {type(error).__name__}: {error}")
    return "changed", counts, problems


def test_form_fixes_over_the_corpus(corpus_files, corpus_stats):
    totals, problems = check_in_pool(_check, corpus_files)
    stats = corpus_stats.setdefault(f"form rules ({len(corpus_files)} corpus files)", {})
    stats.update(totals)
    print(f"\nform rules over {totals['files']} corpus files:")
    for key in sorted(totals):
        print(f"  {key}: {totals[key]}")
    assert totals["files"] == len(corpus_files)
    assert not problems, "\n".join(problems[:20])
