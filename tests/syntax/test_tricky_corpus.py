"""The hand-written tricky Dockerfiles of ``corpus/syntax/``.

Each case is a folder holding ``Dockerfile`` and, like BuildKit's own parser
test files, the expected ``Node.Dump()``: ``result`` for current BuildKit
(dfix's default dialect) and ``result-v0.12.5`` for the binding's BuildKit.
A file BuildKit rejects has ``ERROR path:line:col: message`` instead. The
README lists what each case pins down (syntax.md §11, §8, §9 ...).

The results were produced by ``dump()`` after dfix's v0.12.5 view was checked
against the ``dockerfile`` binding, then reviewed by hand; this test checks
them again against the binding wherever it can take the file. Regenerate
(and review the diff!) with ``cd tests && python -m syntax.test_tricky_corpus --regen``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import dfix

from .support import binding_can_take, dfix_commands, dockerfile, first_difference, oracle

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "syntax"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "Dockerfile").is_file()) if CORPUS.is_dir() else []
RESULT_FILES = {"latest": "result", "0.12.5": "result-v0.12.5"}


def read(path: Path) -> str:
    return dfix.read_dockerfile(path)


def render(text: str, dialect: str) -> str:
    """The expected-result text: BuildKit's dump, or the error."""
    try:
        tree = dfix.parse(text, "Dockerfile", buildkit=dialect)
    except dfix.ParseError as error:
        return f"ERROR {error}\n"
    assert tree.code == text
    return tree.dump()


def test_there_are_cases():
    assert len(CASES) >= 40


def test_readme_lists_every_case():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    missing = [case for case in CASES if f"`{case}`" not in readme]
    assert not missing


#: Cases whose expected result dfix does not produce yet (parser bugs; see the reasons).
KNOWN_BUGS: dict[str, str] = {}


def result_params():
    return [
        pytest.param(
            case, dialect, id=f"{case}-{dialect}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case])] if case in KNOWN_BUGS else [],
        )
        for case in CASES
        for dialect in RESULT_FILES
    ]


@pytest.mark.parametrize(("case", "dialect"), result_params())
def test_result(case, dialect):
    text = read(CORPUS / case / "Dockerfile")
    assert render(text, dialect) == read(CORPUS / case / RESULT_FILES[dialect])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dialect", list(RESULT_FILES))
def test_round_trip(case, dialect):
    text = read(CORPUS / case / "Dockerfile")
    try:
        tree = dfix.parse(text, buildkit=dialect)
    except dfix.ParseError:
        return
    assert tree.code == text
    assert dfix.encode_dockerfile(tree.code) == (CORPUS / case / "Dockerfile").read_bytes()


def binding_view(text: str):
    """The binding's view, or None where it cannot take the text."""
    if dockerfile is None or not binding_can_take(text):
        return None
    return oracle(text)  # None for a value BuildKit cut inside a UTF-8 character


@pytest.mark.parametrize("case", CASES)
def test_binding_agrees(case):
    text = read(CORPUS / case / "Dockerfile")
    expected = binding_view(text)
    if expected is None:
        pytest.skip("the binding cannot take this file (NUL, invalid UTF-8, or a value cut inside a character)")
    got = dfix_commands(text, "0.12.5")
    assert got == expected, first_difference(expected, got)


# Facts a dump does not show, for the cases about them.
HEREDOCS = {
    ("heredoc-after-hash", "latest"): [[("EOF", "not run by the shell\n")], []],
    ("heredoc-spaced-marker", "latest"): [[("EOF", "hello\n")]],
    ("heredoc-spaced-marker", "0.12.5"): [[], [], []],
    ("heredoc-killed-by-expansion", "latest"): [[("EOF", "int x;\n")]],
    ("heredoc-killed-by-quote", "latest"): [[], [], []],
    ("heredoc-chomp", "latest"): [[("EOF", "\techo hi\n")], [("EOF", "  EOF\n")]],
    ("heredoc-several-and-fd", "latest"): [[("a.txt", "A $X\n"), ("b.txt", "B $X\n")], [("EOF", "x\n")]],
    ("heredoc-raw-body", "latest"): [[("EOF", "# escape=`\n\n  \\\nRUN not an instruction\n EOF\nEOF \n")]],
    ("crlf", "latest"): [[], [("EOF", "echo hi\r\n")], []],
    ("onbuild-heredoc-and-flags", "latest"): [[("EOF", "make\n")], []],
}


@pytest.mark.parametrize(("case", "dialect"), sorted(HEREDOCS))
def test_heredocs(case, dialect):
    tree = dfix.parse(read(CORPUS / case / "Dockerfile"), buildkit=dialect)
    got = [[(h.name, h.content) for h in i.heredocs] for i in tree.instructions[-len(HEREDOCS[case, dialect]) :]]
    assert got == HEREDOCS[case, dialect]


WARNINGS = {
    "cont-empty-lines": [(4, "Empty continuation line found in: RUN set -e;     apk add curl;     echo done")],
    "cont-eof-after-comment": [(4, "Empty continuation line found in: RUN a ")],
}


@pytest.mark.parametrize("case", CASES)
def test_warnings(case):
    try:
        tree = dfix.parse(read(CORPUS / case / "Dockerfile"))
    except dfix.ParseError:
        return
    assert [(w.line, w.message) for w in tree.warnings] == WARNINGS.get(case, [])


def regenerate() -> None:  # pragma: no cover - a maintenance tool
    for case in CASES:
        text = read(CORPUS / case / "Dockerfile")
        expected = binding_view(text)
        if expected is not None:
            got = dfix_commands(text, "0.12.5")
            assert got == expected, f"{case}: {first_difference(expected, got)}"
        if case in KNOWN_BUGS:
            print(case, "(known bug: result kept as written by hand)")
            continue
        for dialect, name in RESULT_FILES.items():
            (CORPUS / case / name).write_bytes(dfix.encode_dockerfile(render(text, dialect)))
        print(case, "(checked against the binding)" if expected is not None else "(binding cannot take it)")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--regen"]:
        regenerate()
    else:
        print(__doc__)
