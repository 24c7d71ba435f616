"""The instruction-form rules' rewrites mean what the original meant, by BuildKit's parser and lexer.

BuildKit's parser (PyPI ``dockerfile``) gives each instruction's raw values;
what a value means at build time is BuildKit's word lexer, which
``transforms._form.read_word`` reproduces (its own cases are below). A fix is
right when the rewritten instruction parses and lexes to the same key and
value (ENV, LABEL), the same literal text (MAINTAINER → LABEL), or the same
argv the shell would have built (shell form → JSON form, checked with the
machine's ``/bin/sh``).
"""

from __future__ import annotations

import gzip
import io
import subprocess
import tarfile

import pytest

import dfix
from dfix.engine import BuildContext
from dfix.transforms._archives import may_unpack
from dfix.transforms._form import Variable, double_quoted, read_word

dockerfile = pytest.importorskip("dockerfile")


def buildkit(text: str):
    return dockerfile.parse_string(text)


# -- the lexer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,word", [
    ("plain", ("plain",)),
    ('"a b"', ("a b",)),
    ("'$HOME'", ("$HOME",)),
    ('"$HOME/x"', (Variable("$HOME"), "/x")),
    ("${A:-b}c", (Variable("${A:-b}"), "c")),
    ('a\\ b', ("a b",)),
    ('"a\\b\\"c"', ('a\\b"c',)),
    ("$", ("$",)),
    ("a$-", ("a$-",)),
    ('"open', None),
])
def test_read_word(text, word):
    assert read_word(text) == word


@pytest.mark.parametrize("value", ['a "b" c', "$HOME", "c:\\x\\", "", "`tick`", "tab\there"])
def test_double_quoted_reads_back(value):
    for escape in ("\\", "`"):
        assert read_word(double_quoted(value, escape), escape) in ((value,), ())


# -- DF602: the value lexes the same ---------------------------------------------------------------

LEGACY = [
    "ENV PYTHONUNBUFFERED 1",
    'ENV K "v"',
    "ENV K 'a  b'",
    "ENV JAVA_OPTS -Xmx1g -Dx=y   $EXTRA ${B:-c d}",
    "ENV PATH /opt/bin:$PATH",
    "LABEL description A tool \\\n    for builds  ",
    'LABEL maintainer "Jane <j@example.org>"',
    "ENV EMPTY \"\"",
    "ENV A a\\ b",
]


def _pairs(text: str):
    command = buildkit(text)[-1]
    values = command.value
    return [(read_word(k), read_word(v)) for k, v in zip(values[::2], values[1::2])]


@pytest.mark.parametrize("line", LEGACY)
def test_legacy_key_value_means_the_same(line):
    text = f"FROM debian\n{line}\n"
    fixed = dfix.fix(text, select=["DF602"]).text
    assert fixed != text
    assert _pairs(fixed) == _pairs(text)
    assert not [d for d in dfix.check(fixed, select=["DF602"])]


def test_a_legacy_value_starting_with_equals_is_reported_not_fixed():
    text = "FROM debian\nENV A =b\n"
    assert dfix.fix(text, select=["DF602"]).text == text
    (finding,) = dfix.check(text, select=["DF602"])
    assert finding.fix is None and "starts with `=`" in (finding.note or "")


# -- DF601: the label holds MAINTAINER's literal text ------------------------------------------------

MAINTAINERS = ['Jane Doe <jane@example.org>', 'leafney "x@y.z"', "$USER \\ `id` ${X}", "a\\", "100% \"real\" \\\\"]


@pytest.mark.parametrize("author", MAINTAINERS)
@pytest.mark.parametrize("escape", ["\\", "`"])
def test_maintainer_label_holds_the_literal_text(author, escape):
    directive = "" if escape == "\\" else "# escape=`\n"
    text = f"{directive}FROM debian\nMAINTAINER {author}\n"
    if author.endswith(escape):
        return  # the line would continue
    original = buildkit(text)[-1].value[0]
    fixed = dfix.fix(text, select=["DF601"]).text
    label = buildkit(fixed)[-1]
    assert label.cmd.lower() == "label"
    assert label.value[0] == "maintainer"
    assert read_word(label.value[1], escape) == ((original,) if original else ())


# -- DF600: the JSON array is the argv the shell built -------------------------------------------------

SHELL_FORMS = [
    "gunicorn app:app -w 4",
    "node 'server.js' \"--title=a \\\"b\\\"\" C:\\\\x",
    'echo "Halo, Auto-Build. 2nd commit."',
    "java -Dfile.encoding=UTF-8 -jar /app.jar",
    "'/opt/my app/run' --flag=\"a b\" x\\ y",
]


def _shell_argv(script: str) -> list[str]:
    result = subprocess.run(["/bin/sh", "-c", "printf '%s\\0' " + script], capture_output=True, check=True)
    return result.stdout.decode().split("\0")[:-1]


@pytest.mark.parametrize("script", SHELL_FORMS)
def test_exec_form_is_the_shells_argv(script):
    text = f"FROM debian\nCMD {script}\n"
    fixed = dfix.fix(text, select=["DF600"], unsafe=True).text
    command = buildkit(fixed)[-1]
    assert command.json
    assert list(command.value) == _shell_argv(script)


def test_exec_prefix_keeps_the_shell_form():
    text = "FROM debian\nCMD gunicorn --bind 0.0.0.0:$PORT app\n"
    fixed = dfix.fix(text, select=["DF600"], unsafe=True).text
    command = buildkit(fixed)[-1]
    assert not command.json and command.value == ("exec gunicorn --bind 0.0.0.0:$PORT app",)


def test_exec_form_fix_is_unsafe_only():
    text = "FROM debian\nCMD gunicorn app\n"
    assert dfix.fix(text, select=["DF600"]).text == text


# -- DF606: the build context decides ------------------------------------------------------------------


def _tar(gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = b"hello\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    return gzip.compress(raw) if gzipped else raw


def test_archive_sniffing():
    assert may_unpack(_tar(False))
    assert may_unpack(_tar(True))
    assert not may_unpack(b"#!/bin/sh\necho hi\n" * 100)
    assert not may_unpack(b"\0" * 1024)


def test_add_to_copy_is_safe_when_the_context_shows_plain_files(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print('hi')\n")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    text = "FROM debian\nADD run.sh /usr/local/bin/\nADD app /srv/app\nADD *.sh /opt/\n"
    result = dfix.fix(text, select=["DF606"], build_context=tmp_path)
    assert result.text == "FROM debian\nCOPY run.sh /usr/local/bin/\nCOPY app /srv/app\nCOPY *.sh /opt/\n"


@pytest.mark.parametrize("gzipped", [False, True])
def test_add_of_an_archive_with_any_name_is_not_fixed(tmp_path, gzipped):
    (tmp_path / "bundle.bin").write_bytes(_tar(gzipped))
    text = "FROM debian\nADD bundle.bin /srv/\n"
    found = [d for d in dfix.check(text, select=["DF606"], build_context=tmp_path) if d.code == "DF606"]
    assert found and found[0].fix is None and "tar archive" in found[0].note
    assert dfix.fix(text, select=["DF606"], unsafe=True, build_context=tmp_path).text == text


def test_add_of_a_missing_source_stays_unsafe(tmp_path):
    text = "FROM debian\nADD missing.txt /srv/\n"
    assert dfix.fix(text, select=["DF606"], build_context=tmp_path).text == text
    assert dfix.fix(text, select=["DF606"], unsafe=True, build_context=tmp_path).text.startswith("FROM debian\nCOPY")


def test_in_memory_context_reads_bytes():
    context = BuildContext.of_files({"a.tar": _tar(False).decode("utf-8", "surrogateescape")})
    assert may_unpack(context.read_head("a.tar", 4096))


# -- DF610: the option that keeps the author's groups -------------------------------------------------


def test_empty_continuation_line_can_become_a_comment_line():
    text = "FROM debian\r\nRUN apk add \\\r\n    curl \\\r\n\r\n    # build\r\n    gcc\r\n"
    fixed = dfix.fix(text, select=["DF610"], settings={"DF610": {"replace-with-comment": True}}).text
    assert fixed == "FROM debian\r\nRUN apk add \\\r\n    curl \\\r\n#\r\n    # build\r\n    gcc\r\n"
    assert buildkit(fixed)[-1].original == buildkit(text)[-1].original
