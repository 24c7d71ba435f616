"""The user rules (DF400 no-user, DF401 last-user-root) over real Dockerfiles.

Over the shared Docker Hub corpus (``bash ../shared/tools/corpus.sh`` prints
the folder; files ``dockerhub-dev/**/Dockerfile``), ``dfix.fix`` with these
two rules and unsafe fixes must:

* never raise, except `dfix.ParseError` on files BuildKit itself rejects;
* give output BuildKit's own parser (PyPI ``dockerfile``) accepts, with no
  instruction or flag it would refuse (`dfix.oracle.fix_problems` with
  ``non_run_may_change=True``, since these fixes add a ``USER``);
* change the file only by inserting whole ``RUN``/``USER`` instructions, at
  most one ``[--no-log-init] --uid 10001``/``-u 10001`` right after the ``useradd``/
  ``adduser`` that creates the account the new ``USER`` names, and
  ``--chown=UID:GID`` right after the keyword of COPY/ADD instructions
  that fill a folder the fix gives to the user: without those options, the
  output is the input with one chunk of text inserted, and
  BuildKit's view of it is its view of the input plus inserted
  ``RUN``/``USER`` commands (nothing else added, removed or changed);
* have no fix dropped by the engine's verification (``result.failed``);
* be stable: a second pass changes nothing.

It prints how many files were fixed (by what kind of fix) and how many were
reported without a fix, by reason. A deterministic sample (ordered by a hash
of the path) keeps it well under 90 s; ``DFIX_FULL_CORPUS=1`` runs every file.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest

import dfix
from conftest import dev_corpus_files
from dfix import oracle

#: ``../shared`` next to the repository.
CODES = ["DF400", "DF401"]
SAMPLE = 3000

pytestmark = pytest.mark.corpus


def _corpus_files() -> tuple[list[Path], Path, int]:
    root, files = dev_corpus_files()
    total = len(files)
    if not os.environ.get("DFIX_FULL_CORPUS"):
        files = sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())[:SAMPLE]
    return files, root, total



def _view(text: str) -> list[tuple]:
    import dockerfile

    return [(c.cmd.lower(), c.sub_cmd, c.json, c.original, c.flags, c.value, c.heredocs) for c in dockerfile.parse_string(text)]


#: The UID option the user rules give an account the file creates without one.
_UID_OPTION = re.compile(r"(?<=useradd)(?: --no-log-init)? --uid 10001(?= )|(?<=adduser) (?:--uid|-u) 10001(?= )")


#: The owner the user rules give what a COPY/ADD puts in a folder the process writes (``COPY --chown=10001:10001 . .``).
_CHOWN_OPTION = re.compile(r"(?im)^([ \t]*(?:copy|add)[ \t]+)--chown=\d+(?::\d+)? ")


def _without_uid_option(before: str, after: str) -> tuple[str, str, str | None]:
    """``before`` and ``after`` without the UID option and the COPY owners; why not, when ``after`` adds more
    than one UID option."""
    added = len(_UID_OPTION.findall(after)) - len(_UID_OPTION.findall(before))
    if added not in (0, 1):
        return before, after, f"{added} UID options added"
    if len(_CHOWN_OPTION.findall(after)) < len(_CHOWN_OPTION.findall(before)):
        return before, after, "a COPY owner removed"
    strip = lambda text: _CHOWN_OPTION.sub(r"\1", _UID_OPTION.sub("", text))  # noqa: E731
    return strip(before), strip(after), None


def _inserted_chunk(before: str, after: str) -> str | None:
    """The text ``after`` adds to ``before`` when it is ``before`` with one chunk inserted, else None."""
    added = len(after) - len(before)
    if added <= 0:
        return None
    prefix = 0
    limit = len(before)
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    if after[prefix + added :] != before[prefix:]:
        return None
    return after[prefix : prefix + added]


def _only_inserted_user_and_run(before: list[tuple], after: list[tuple]) -> str | None:
    """Why BuildKit's view of ``after`` is not ``before`` plus inserted USER/RUN commands, if it is not."""
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "insert":
            return f"{tag} of {before[a0:a1] or after[b0:b1]}"
        kinds = {command[0] for command in after[b0:b1]}
        if not kinds <= {"user", "run"}:
            return f"inserted {sorted(kinds)}"
    return None


def _reason(note: str | None) -> str:
    """A note without its file-specific parts, to count reasons."""
    text = (note or "no note").removeprefix("not fixed: ")
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = re.sub(r"\([^()]*\)", "(…)", text)
    text = re.sub(r"line \d+", "line …", text)
    return text


def test_user_rules_over_the_corpus(corpus_stats):
    pytest.importorskip("dockerfile", reason="the `dockerfile` binding (BuildKit's parser) is not installed")
    files, root, total = _corpus_files()
    started = time.monotonic()
    stats: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    problems: list[str] = []
    for path in files:
        name = path.relative_to(root)
        text = dfix.read_dockerfile(path)
        try:
            result = dfix.fix(text, select=CODES, unsafe=True)
        except dfix.ParseError:
            stats["files BuildKit rejects (skipped)"] += 1
            continue
        except Exception as error:  # pragma: no cover - what the test exists to catch
            problems.append(f"{name}: raised {error!r}")
            continue
        stats["files checked"] += 1
        for failed in result.failed:
            problems.append(f"{name}: {failed.diagnostic.code} fix dropped: {failed.reason}")
        for diagnostic in result.applied:
            stats[f"{diagnostic.code} fixed: {_reason(diagnostic.fix.title)}"] += 1
        for diagnostic in result.diagnostics:
            if diagnostic.code in CODES:
                stats[f"{diagnostic.code} reported without a fix"] += 1
                reasons[f"{diagnostic.code}: {_reason(diagnostic.note)}"] += 1
        if not result.changed:
            continue
        stats["files fixed"] += 1
        plain_before, plain_after, why_not = _without_uid_option(text, result.text)
        if why_not:
            problems.append(f"{name}: {why_not}")
        if plain_after != result.text:
            stats["files where an account got --uid 10001"] += 1
        chunk = _inserted_chunk(plain_before, plain_after)
        if chunk is None:
            problems.append(f"{name}: the fix is not one inserted chunk of text (besides UID and COPY owner options)")
        if not oracle.binding_can_take(result.text):
            stats["fixed files the binding cannot take (not UTF-8)"] += 1
        else:
            found = oracle.fix_problems(text, result.text, non_run_may_change=True)
            problems += [f"{name}: {problem}" for problem in found]
            if not found:
                why = _only_inserted_user_and_run(_view(plain_before), _view(plain_after))
                if why:
                    problems.append(f"{name}: not only USER/RUN inserted: {why}")
        again = dfix.fix(result.text, select=CODES, unsafe=True)
        if again.text != result.text:
            problems.append(f"{name}: a second pass changes the output")
        if any(d.code in CODES for d in again.diagnostics):
            problems.append(f"{name}: still reported after the fix")
    elapsed = time.monotonic() - started
    title = f"user rules ({len(files)} of {total} dockerhub-dev files, {elapsed:.0f}s)"
    corpus_stats.setdefault(title, {}).update(stats)
    print(f"\n{title}")
    for what, count in sorted(stats.items()):
        print(f"  {what}: {count}")
    print("  reported without a fix, by reason:")
    for what, count in reasons.most_common():
        print(f"    {count:5d}  {what}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
