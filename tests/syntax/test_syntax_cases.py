"""syntax.md §7: the 99 tricky minimal inputs, in both dialects.

``syntax-cases.json`` records, per case, BuildKit's Go node dump for v0.12.5
(``go_v0_12_5``) and for HEAD (``go_head``): keyword, flags, arguments, JSON
form, lines, ``original``, heredocs (with chomp and expand), ONBUILD's
trigger, the comments BuildKit attaches (``PrevComment``), the escape
character, the parser warnings, or the error. It also records what the
``dockerfile`` binding returns (``binding``). dfix must reproduce all of it:
``go_v0_12_5`` and ``binding`` with ``buildkit="0.12.5"``, ``go_head`` with
the default ``buildkit="latest"``.
"""

from __future__ import annotations

import json

import pytest

import dfix
from conftest import NO_CORPUS_REASON, corpus_root

from .support import (
    Cmd, Rejected, binding_shape, dfix_commands, explain_latest, first_difference, needs_binding, normal_message,
    oracle,
)

ROOT = corpus_root()
CASES = json.loads((ROOT / "syntax-cases.json").read_text(encoding="utf-8")) if ROOT else []
BY_ID = {case["id"]: case for case in CASES}

#: The dump each dialect is checked against.
DIALECTS = {"0.12.5": "go_v0_12_5", "latest": "go_head"}


def case_params():
    if not CASES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS_REASON), id="no-corpus")]
    return [pytest.param(case["id"], id=case["id"]) for case in CASES]


def dialect_params():
    if not CASES:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=NO_CORPUS_REASON), id="no-corpus")]
    return [pytest.param(case["id"], dialect, id=f"{case['id']}-{dialect}") for case in CASES for dialect in DIALECTS]


def test_there_are_99_cases(corpus):
    assert len(CASES) == 99
    assert len(BY_ID) == 99


# -- BuildKit's Go dump ----------------------------------------------------------------


def _args(meaning, head: bool) -> list[str]:
    """Arguments as BuildKit's node holds them: HEAD adds a separator to each ENV/LABEL pair."""
    args = list(meaning.args)
    if head and meaning.name in ("env", "label"):
        separator = "" if meaning.legacy else "="
        args = [v for i in range(0, len(args), 2) for v in (args[i], args[i + 1], separator)]
    return args


def go_dump(tree: dfix.Dockerfile) -> dict:
    """dfix's tree in the shape of the recorded Go dumps."""
    head = tree.dialect == "latest"
    commands = []
    for instruction in tree.instructions:
        meaning = instruction.meaning
        entry = {
            "cmd": meaning.keyword,
            "flags": list(meaning.flags),
            "args": _args(meaning, head),
            "json": meaning.json,
            "lines": [instruction.start_line, instruction.end_line],
            "original": instruction.original,
        }
        comments = tree.comments_before(instruction)
        if comments:
            entry["comments"] = list(comments)
        if instruction.heredocs:
            entry["heredocs"] = [
                {"name": h.name, "fd": h.file_descriptor, "expand": h.expand, "chomp": h.chomp, "content": h.content}
                for h in instruction.heredocs
            ]
        trigger = meaning.trigger
        if trigger is not None:
            entry["sub"] = {
                "cmd": trigger.keyword,
                "flags": list(trigger.flags),
                "args": _args(trigger, head),
                "json": trigger.json,
            }
        commands.append(entry)
    out: dict = {"cmds": commands}
    if tree.warnings:
        out["warnings"] = [w.message for w in tree.warnings]
    if tree.escape != "\\":
        out["escape"] = tree.escape
    return out


@pytest.mark.parametrize(("case_id", "dialect"), dialect_params())
def test_go_dump(case_id, dialect):
    case = BY_ID[case_id]
    expected = case[DIALECTS[dialect]]
    text = case["text"]
    try:
        tree = dfix.parse(text, buildkit=dialect)
    except dfix.ParseError as error:
        assert "error" in expected, f"dfix raised {error}, BuildKit parses it"
        assert normal_message(error.message) == expected["error"]
        if expected["error"] == "unterminated heredoc":
            assert error.message.startswith("unterminated heredoc <<")  # dfix names the marker
        assert 1 <= error.line <= text.count("\n") + 1
        assert error.column >= 1
        return
    assert "error" not in expected, f"BuildKit fails with {expected['error']!r}, dfix parsed it"
    assert tree.code == text
    assert go_dump(tree) == expected


@pytest.mark.parametrize(("case_id", "dialect"), dialect_params())
def test_round_trip(case_id, dialect):
    text = BY_ID[case_id]["text"]
    try:
        tree = dfix.parse(text, buildkit=dialect)
    except dfix.ParseError:
        assert "error" in BY_ID[case_id][DIALECTS[dialect]]
        return
    assert tree.code == text
    assert "".join(tree.tokens) == text
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    assert (tree.bom or "") == bom
    assert bom + "".join(item.code for item in tree.items) == text


@pytest.mark.parametrize(("case_id", "dialect"), dialect_params())
def test_warnings_point_at_the_empty_line(case_id, dialect):
    text = BY_ID[case_id]["text"]
    try:
        tree = dfix.parse(text, buildkit=dialect)
    except dfix.ParseError:
        return
    lines = text.split("\n")
    for warning in tree.warnings:
        assert warning.column == 1
        assert lines[warning.line - 1].strip(" \t\r") == ""
        assert warning.message.startswith("Empty continuation line found in: ")


# -- the binding field ---------------------------------------------------------------------


def recorded_binding(case) -> list[Cmd] | Rejected:
    recorded = case["binding"]
    if isinstance(recorded, dict):
        return Rejected(recorded["error"])
    return [
        Cmd(
            c["cmd"], c["sub"], c["json"], c["original"], c["start"], c["end"], tuple(c["flags"]), tuple(c["value"]),
            tuple(tuple(h) for h in c["heredocs"]),
        )
        for c in recorded
    ]


@pytest.mark.parametrize("case_id", case_params())
def test_binding_field(case_id):
    case = BY_ID[case_id]
    expected = recorded_binding(case)
    got = dfix_commands(case["text"], "0.12.5")
    assert got == expected, first_difference(expected, got)


@needs_binding
@pytest.mark.parametrize("case_id", case_params())
def test_recorded_binding_is_the_installed_binding(case_id):
    """The oracle installed here is the one the cases were recorded with."""
    case = BY_ID[case_id]
    assert oracle(case["text"]) == recorded_binding(case)


#: The cases where current BuildKit's reading differs from the binding's, and why (syntax.md §10).
LATEST_DIFFERENCES = {
    "directive-after-check": ["directive-block"],  # HEAD knows `# check=`, so the escape directive applies
    "flags-escape-backtick": ["flags-escape"],  # HEAD unescapes flags with the directive's escape
    "flags-after-json": ["json-trailing-text"],  # HEAD: text after the array means shell form
    "json-trailing-text": ["json-trailing-text"],
    "heredoc-space-after": ["heredoc-spaced-marker"],  # HEAD: `<< EOF` is a heredoc
    "heredoc-killed-by-expansion": ["heredoc-extended-expansion"],  # HEAD lexes ${f%.c}
    "heredoc-word-error": ["heredoc-marker-lex-error"],  # v0.12.5 fails on `<<${a:-x y}`, HEAD sees no marker
}


@pytest.mark.parametrize("case_id", case_params())
def test_latest_differs_from_the_binding_only_as_documented(case_id):
    case = BY_ID[case_id]
    text = case["text"]
    old = dfix.parse(text, buildkit="0.12.5") if "error" not in case["go_v0_12_5"] else None
    try:
        latest_tree = dfix.parse(text)
    except dfix.ParseError as error:
        latest, escape, directives = Rejected(normal_message(error.message)), "\\", ()
    else:
        latest = [binding_shape(c) for c in latest_tree.buildkit_commands()]
        escape, directives = latest_tree.escape, tuple((d.key, d.value) for d in latest_tree.directives)
    differences = explain_latest(
        recorded_binding(case),
        latest,
        escape=escape,
        escape_v0_12_5=old.escape if old else escape,
        directives_differ=old is not None and directives != tuple((d.key, d.value) for d in old.directives),
        text=text,
    )
    assert [kind for _, kind in differences] == LATEST_DIFFERENCES.get(case_id, [])


def test_every_documented_difference_has_a_case(corpus):
    assert set(LATEST_DIFFERENCES) <= set(BY_ID)
    kinds = {kind for kinds in LATEST_DIFFERENCES.values() for kind in kinds}
    assert kinds == {
        "directive-block", "flags-escape", "json-trailing-text", "heredoc-spaced-marker",
        "heredoc-extended-expansion", "heredoc-marker-lex-error",
    }
