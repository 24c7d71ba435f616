"""DF100 (consecutive-run): merges that keep every promise, on real Dockerfiles and in real shells.

For each file of the shared Docker Hub corpus (``dockerhub-dev/**/Dockerfile``;
unpack it with ``bash ../shared/tools/corpus.sh``), ``dfix.fix(text,
select=["DF100"])`` must:

* never raise, except ``ParseError`` for a file BuildKit itself rejects;
* give text that BuildKit's own parser (the ``dockerfile`` binding) reads, with
  only known instructions (bar unknown ones the input had), and whose RUNs BuildKit sees as dfix does;
* leave every non-RUN instruction exactly as it was (same BuildKit view);
* turn each block of consecutive RUNs into one RUN whose script is the
  originals joined by ``&&`` (continuation whitespace aside), each part as
  it was or wrapped in ``( ... )``, with the same flags; a non-last part
  loses only a trailing ``;`` and a trailing comment (moved to a comment line);
* fail no fix, and be stable: a second pass changes nothing.

It also runs merged scripts in ``dash`` and ``bash`` next to the separate
RUNs they came from (each in a fresh shell, stopping at the first failure,
as a build does) and compares output and success; and checks the options.

The corpus run takes a deterministic sample (every ``DFIX_MERGE_CORPUS_STRIDE``-th
file in sorted order, default 3, so the test stays well under two minutes);
set ``DFIX_MERGE_CORPUS_STRIDE=1`` for the whole corpus. The counts (files
changed, RUNs merged) are printed in the test summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dfix
from dfix.oracle import binding_can_take
from dfix.syntax.meaning import KNOWN_INSTRUCTIONS
from conftest import dev_corpus_files
from dfix.engine import Context
from dfix.engine.model import apply_edits
from dfix.shell import analyze
from dfix.transforms._merge import plan_merge

try:
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

STRIDE = max(1, int(os.environ.get("DFIX_MERGE_CORPUS_STRIDE", "3")))


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    if dockerfile is None:
        pytest.skip("the `dockerfile` binding (BuildKit's parser) is not installed")
    _, files = dev_corpus_files()
    return files[::STRIDE]




def _view(command) -> tuple:
    """A BuildKit command without its line numbers (they shift when RUNs merge)."""
    return (command.cmd, command.sub_cmd, command.json, tuple(command.flags), tuple(command.value),
            tuple((h.name, h.content) for h in command.heredocs))


def _joined_pattern(shells: list[str]) -> re.Pattern:
    """The merged script: the parts joined by ``&&``, never wrapped in a subshell.

    A non-last part loses a trailing ``;`` and comment (the comment moves to
    a comment line).
    """
    parts = []
    for index, shell in enumerate(shells):
        code_end = analyze(shell).code_end
        body, rest = re.escape(shell[:code_end]), re.escape(shell[code_end:])
        parts.append(body if index < len(shells) - 1 else body + rest)
    return re.compile(r"\s*&&\s*".join(parts), re.DOTALL)


def _match_runs(before: list, after: list) -> list[int]:
    """Per ``after`` RUN: how many ``before`` RUNs (in file order) it holds."""
    found: list[int] = []
    position = 0
    for merged in after:
        for size in range(1, len(before) - position + 1):
            block = before[position : position + size]
            if any(run.flags != merged.flags for run in block):
                continue
            if size == 1:
                if block[0].shell == merged.shell:
                    found.append(1)
                    break
                continue
            if _joined_pattern([run.shell for run in block]).fullmatch(merged.shell):
                found.append(size)
                break
        else:
            raise AssertionError(f"no block of RUNs from line {before[position].start_line} gives {merged.shell!r}")
        position += found[-1]
    assert position == len(before), "RUNs were lost"
    return found


def _groups(tree) -> list[tuple[str, list]]:
    """Per gap between non-RUN instructions: that instruction's code, and the RUNs before it."""
    out: list[tuple[str, list]] = []
    runs: list = []
    for instruction in tree.instructions:
        if isinstance(instruction, dfix.Run):
            runs.append(instruction)
        else:
            out.append((instruction.code, runs))
            runs = []
    out.append(("", runs))
    return out


@pytest.mark.corpus
def test_consecutive_run_fix_over_the_corpus(corpus_files, corpus_stats):
    counts = {"files": 0, "rejected by BuildKit": 0, "files changed": 0, "RUNs merged away": 0}
    problems: list[str] = []
    for path in corpus_files:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        counts["files"] += 1
        try:
            result = dfix.fix(text, select=["DF100"])
        except dfix.ParseError:
            if binding_can_take(text):
                with pytest.raises(dockerfile.GoParseError):
                    dockerfile.parse_string(text)
            counts["rejected by BuildKit"] += 1
            continue
        try:
            assert result.failed == (), [f.reason for f in result.failed]
            if not result.changed:
                continue
            counts["files changed"] += 1
            before, after = dfix.parse(text), dfix.parse(result.text)
            assert after.code == result.text
            # non-RUN instructions: the same text, in the same places between RUN blocks
            old_groups, new_groups = _groups(before), _groups(after)
            assert [code for code, _ in old_groups] == [code for code, _ in new_groups]
            for (_, old_runs), (_, new_runs) in zip(old_groups, new_groups):
                for size in _match_runs(old_runs, new_runs):
                    counts["RUNs merged away"] += size - 1
            # BuildKit's own parser: known instructions, same non-RUN commands, RUN scripts as dfix reads them
            if binding_can_take(result.text):
                old_view = dockerfile.parse_string(text)
                new_view = dockerfile.parse_string(result.text)
                # only known instructions, apart from the unknown ones the input already had
                unknown = [[_view(c) for c in view if (c.cmd or "").lower() not in KNOWN_INSTRUCTIONS] for view in (old_view, new_view)]
                assert unknown[0] == unknown[1], f"unknown instructions: {unknown[1]}"
                assert [_view(c) for c in old_view if c.cmd.lower() != "run"] == \
                    [_view(c) for c in new_view if c.cmd.lower() != "run"]
                ours = [i for i in after.instructions if isinstance(i, dfix.Run) and not i.heredocs]
                theirs = [c for c in new_view if c.cmd.lower() == "run" and not c.heredocs]
                assert [(tuple(i.meaning.flags), i.meaning.args) for i in ours] == \
                    [(tuple(c.flags), tuple(c.value)) for c in theirs]
            # stable
            again = dfix.fix(result.text, select=["DF100"])
            assert again.text == result.text, "a second pass changed the text"
        except AssertionError as error:
            problems.append(f"{path}: {error}")
    corpus_stats.setdefault(f"DF100 merges (every {STRIDE}. file)", {}).update(counts)
    print(f"\nDF100 over {counts['files']} corpus files: {counts}")
    assert not problems, "\n".join(problems[:20])


# -- merged scripts behave like the separate RUNs, in real shells ----------------------------
#
# Whether a merge is worth making is DF100's judgment (its examples); whether the join is exact is the
# merge plan's, checked here on any scripts: the plan for the RUNs of a small file, applied, must run
# like the separate RUNs, or be refused.

#: (SHELL options before -c, RUN scripts) the plan joins, and the joined script behaves the same.
BEHAVIOUR = [
    ((), ["false", "echo after"]),
    ((), ["echo a", "echo b"]),
    ((), ["false || echo rescued", "echo after"]),
    ((), ["echo a;", "echo b;"]),
    ((), ["echo a # note", "echo b # note"]),
    ((), ["echo a", "exit 3"]),
    ((), ["echo a", "cd / && pwd"]),
    ((), ["echo a", "echo b", "false"]),
    (("-e",), ["echo a", "echo b"]),
    (("-e",), ["false && echo x", "echo after"]),
    (("-e",), ["echo a | cat", "echo after"]),
]

#: Scripts the plan refuses: joined with a plain `&&`, they would behave differently.
REFUSED = [
    ((), ["cd /", "pwd"]),
    ((), ["export X=1", "echo ${X:-unset}"]),
    ((), ["X=1", "echo ${X:-unset}"]),
    ((), ["exit 0", "echo after"]),
    ((), ["exec true", "echo after"]),
    ((), ["trap 'echo trapped' EXIT", "echo after"]),
    ((), ["umask 077", "umask"]),
    ((), ["set -u", "echo ${UNSET_VAR}ok"]),
    ((), ["set -e; false; echo leaked", "echo after"]),
    ((), ["f() { echo f; }", "f || echo no-f"]),
    ((), ["getopts a opt; echo $?", "echo ${opt:-none}"]),
    ((), [": ${D:=set}", "echo ${D:-unset}"]),
    ((), ["i=1; ((i++)) || :; echo $i", "echo ${i:-unset}"]),
    ((), ["echo a", "false; echo masked"]),
    ((), ["echo a", "false || echo b"]),
    (("-e",), ["if true; then false; echo leaked; fi", "echo after"]),
    ((), ["sleep 1 &", "echo after"]),
    ((), ["service x start", "echo after"]),
]


def _run_separately(shell: list[str], scripts: list[str], cwd: Path) -> tuple[str, bool]:
    output = ""
    for script in scripts:
        done = subprocess.run([*shell, script], cwd=cwd, capture_output=True, text=True, timeout=10, env={"PATH": os.environ["PATH"]})
        output += done.stdout
        if done.returncode != 0:
            return output, False
    return output, True


def _dockerfile(options: tuple[str, ...], scripts: list[str], program: str) -> str:
    shell = ", ".join(f'"{part}"' for part in (program, *options, "-c"))
    return f"FROM debian\nSHELL [{shell}]\n" + "".join(f"RUN {script}\n" for script in scripts)


def _plan(text: str):
    context = Context(dfix.parse(text))
    runs = [i for i in context.tree.instructions if isinstance(i, dfix.Run)]
    return plan_merge(context, runs), runs


@pytest.mark.parametrize("program", ["dash", "bash"])
@pytest.mark.parametrize("options,scripts", BEHAVIOUR, ids=lambda value: repr(value))
def test_merged_script_behaves_like_separate_runs(program, options, scripts, tmp_path):
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed")
    text = _dockerfile(options, scripts, path)
    plan, _ = _plan(text)
    assert plan, plan.reason
    merged_text = apply_edits(text, plan.edits)
    runs = [i for i in dfix.parse(merged_text).instructions if isinstance(i, dfix.Run)]
    assert len(runs) == 1
    shell = [path, *options, "-c"]
    assert _run_separately(shell, [runs[0].shell], tmp_path) == _run_separately(shell, scripts, tmp_path), runs[0].shell


@pytest.mark.parametrize("options,scripts", REFUSED, ids=lambda value: repr(value))
def test_inexact_merges_are_refused(options, scripts):
    plan, _ = _plan(_dockerfile(options, scripts, "/bin/sh"))
    assert not plan and plan.reason


def test_refused_merges_are_reported_without_a_fix():
    text = "FROM debian\nRUN apt-get update && cd /tmp\nRUN apt-get install -y curl\n"
    found = dfix.check(text, select=["DF100"])
    assert [d.fix for d in found] == [None]
    assert "shell's state (cd)" in found[0].note
    assert dfix.fix(text, select=["DF100"]).text == text


def test_options():
    text = "FROM alpine\nRUN apk add a && apk add b && apk add c\nRUN apk add d\nRUN apk add e\nRUN apk add f\n"
    assert dfix.fix(text, select=["DF100"]).text == (
        "FROM alpine\nRUN apk add a && apk add b && apk add c\nRUN apk add d && \\\n    apk add e && \\\n    apk add f\n"
    )
    everything = dfix.fix(text, select=["DF100"], settings={"DF100": {"max-commands": 0}}).text
    assert [i.shell for i in dfix.parse(everything).instructions[1:]] == [
        "apk add a && apk add b && apk add c &&     apk add d &&     apk add e &&     apk add f"
    ]
    capped = dfix.fix(text, select=["DF100"], settings={"DF100": {"max-commands": 0, "max-merged-commands": 4}})
    assert [i.shell for i in dfix.parse(capped.text).instructions[1:]] == [
        "apk add a && apk add b && apk add c &&     apk add d", "apk add e &&     apk add f"
    ]
    assert [d.note for d in capped.diagnostics] == [
        "not merged: line 4: the merged RUN would have more than 4 commands (option max-merged-commands)"
    ]
    steps = "FROM debian\nRUN apt-get update\nRUN apt-get install -y make\nRUN make\nRUN make install\n"
    assert dfix.fix(steps, select=["DF100"]).text == (
        "FROM debian\nRUN apt-get update && \\\n    apt-get install -y make\nRUN make\nRUN make install\n"
    )
    loose = dfix.check(steps, select=["DF100"], settings={"DF100": {"keep-long-steps": False}})
    assert all("long build step" not in (d.note or "") for d in loose)
