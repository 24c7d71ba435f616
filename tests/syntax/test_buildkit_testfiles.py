"""BuildKit's own parser tests: ``testfiles/*/result`` is ``Node.Dump()`` of ``Dockerfile``.

The results are current BuildKit's (ENV/LABEL pairs carry a separator
element), so ``dump()`` of the default dialect must reproduce them byte for
byte. With ``buildkit="0.12.5"`` the dump is the same apart from those
separators. ``testfiles-negative/*`` must raise ``ParseError``.
"""

from __future__ import annotations

import re

import pytest

import dfix
from conftest import NO_CORPUS_REASON, corpus_root

from .support import dockerfile, needs_binding, normal_message

pytestmark = pytest.mark.corpus

ROOT = corpus_root()
TESTFILES = sorted((ROOT / "buildkit-parser" / "testfiles").iterdir()) if ROOT else []
NEGATIVE = sorted((ROOT / "buildkit-parser" / "testfiles-negative").iterdir()) if ROOT else []


def params(folders):
    if ROOT is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS_REASON), id="no-corpus")]
    return [pytest.param(folder, id=folder.name) for folder in folders]


def read(path) -> str:
    return dfix.read_dockerfile(path)


def test_counts(corpus):
    assert len(TESTFILES) == 33
    assert len(NEGATIVE) == 4


@pytest.mark.parametrize("folder", params(TESTFILES))
def test_dump_reproduces_result(folder):
    text = read(folder / "Dockerfile")
    tree = dfix.parse(text, str(folder / "Dockerfile"))
    assert tree.code == text
    assert tree.dump() == read(folder / "result")


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def without_separators(result: str) -> str:
    """A HEAD dump in v0.12.5's shape: drop the third element of each ENV/LABEL triple."""
    out = []
    for line in result.splitlines(keepends=True):
        match = re.match(r"\((?:onbuild (?:\[[^]]*\] )?\()?(env|label) ", line)
        if match:
            values = _QUOTED.findall(line[match.end() :])
            kept = [v for i, v in enumerate(values) if i % 3 != 2]
            closing = "))" if line.startswith("(onbuild") else ")"
            line = line[: match.end()] + " ".join(kept) + closing + "\n"
        out.append(line)
    return "".join(out)


def test_without_separators():
    assert without_separators('(env "a" "b" "=" "c" "d" "")\n') == '(env "a" "b" "c" "d")\n'
    assert without_separators('(from "x")\n') == '(from "x")\n'


@pytest.mark.parametrize("folder", params(TESTFILES))
def test_v0_12_5_dump(folder):
    text = read(folder / "Dockerfile")
    tree = dfix.parse(text, buildkit="0.12.5")
    assert tree.code == text
    assert tree.dump() == without_separators(read(folder / "result"))


@needs_binding
@pytest.mark.parametrize("folder", params(TESTFILES))
def test_binding_values_match_the_dump(folder):
    """The v0.12.5 dump, rebuilt from the binding's own commands (ONBUILD-free files)."""
    text = read(folder / "Dockerfile")
    commands = dockerfile.parse_string(text)
    if any((c.cmd or "").lower() == "onbuild" for c in commands):
        pytest.skip("the binding drops ONBUILD triggers' flags, so it cannot rebuild their dump")
    expected = dfix.parse(text, buildkit="0.12.5").dump()
    if "\\x00" in expected:
        pytest.skip("the binding cuts strings at NUL (a JSON \\u0000 here)")
    from dfix.syntax.chars import go_lower, go_quote

    lines = []
    for c in commands:
        line = go_lower(c.cmd or "")
        if c.flags:
            line += " [" + " ".join(go_quote(f) for f in c.flags) + "]"
        line += "".join(" " + go_quote(v) for v in c.value)
        lines.append("(" + line.strip() + ")\n")
    assert "".join(lines) == expected


@pytest.mark.parametrize("folder", params(NEGATIVE))
@pytest.mark.parametrize("dialect", ["latest", "0.12.5"])
def test_negative(folder, dialect):
    path = folder / "Dockerfile"
    with pytest.raises(dfix.ParseError) as caught:
        dfix.parse(read(path), str(path), buildkit=dialect)
    error = caught.value
    assert str(error).startswith(f"{path}:{error.line}:{error.column}: ")
    if dockerfile is not None:
        with pytest.raises(dockerfile.GoParseError) as expected:
            dockerfile.parse_string(read(path))
        assert normal_message(error.message) == str(expected.value)


EXPECTED_NEGATIVE = {
    "empty_dockerfile": (1, "file with no instructions"),
    "env_no_value": (3, "ENV must have two arguments"),
    "only_comments": (3, "file with no instructions"),
    "shykes-nested-json": (1, "when using JSON array syntax, arrays must be comprised of strings only"),
}


@pytest.mark.parametrize("folder", params(NEGATIVE))
def test_negative_messages(folder):
    line, message = EXPECTED_NEGATIVE[folder.name]
    with pytest.raises(dfix.ParseError) as caught:
        dfix.parse(read(folder / "Dockerfile"))
    assert (caught.value.line, caught.value.message) == (line, message)
