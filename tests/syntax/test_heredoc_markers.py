"""Tests for dfix.syntax.heredoc_markers (syntax.md §4.2, §10).

Three layers:

1. every heredoc case of ``../shared/corpus/syntax-cases.json`` against the
   recorded results of BuildKit v0.12.5 (binding and Go) and of HEAD;
2. a differential hypothesis test against the ``dockerfile`` binding
   (BuildKit v0.12.5), run with ``DFIX_HEREDOC_EXAMPLES`` examples (300 by
   default);
3. hand-written cases for each rule of §4.2, plus robustness checks.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS_SCRIPT, SHARED
from dfix.syntax import heredoc_markers as hm
from dfix.syntax.heredoc_markers import HeredocMarker, HeredocMarkerError, find_heredoc_markers

try:  # the oracle: BuildKit v0.12.5's parser
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

needs_binding = pytest.mark.skipif(dockerfile is None, reason="the `dockerfile` binding is not installed")

CASES_PATH = SHARED / "corpus" / "syntax-cases.json"
EXAMPLES = int(os.environ.get("DFIX_HEREDOC_EXAMPLES", "300"))
UINT64 = 2**64


def names(line: str, *, head: bool) -> list[tuple[str, int]]:
    return [(m.name, m.fd) for m in find_heredoc_markers(line, head=head)]


def full(line: str, *, head: bool) -> list[tuple[str, int, bool, bool]]:
    return [(m.name, m.fd, m.chomp, m.expand) for m in find_heredoc_markers(line, head=head)]


def p6(line: str, *, head: bool) -> str:
    with pytest.raises(HeredocMarkerError) as info:
        find_heredoc_markers(line, head=head)
    assert str(info.value) == info.value.message
    return info.value.message


# ---------------------------------------------------------------------------
# 1. syntax-cases.json


def _load_cases() -> list[dict]:
    if not CASES_PATH.exists():
        return []
    return [c for c in json.loads(CASES_PATH.read_text()) if "<<" in c["text"]]


HEREDOC_CASES = _load_cases()
HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}


def _may_have_heredocs(cmd: dict) -> bool:
    if cmd["cmd"].upper() == "ONBUILD":
        sub = cmd.get("sub")
        return bool(sub) and sub["cmd"].upper() in HEREDOC_KEYWORDS and not sub["json"]
    return cmd["cmd"].upper() in HEREDOC_KEYWORDS and not cmd["json"]


def _first_marker_line(text: str) -> str:
    return next(line for line in text.split("\n") if "<<" in line).rstrip("\r")


def _check_go_result(case: dict, key: str, head: bool) -> None:
    result = case[key]
    if "error" in result:
        line = _first_marker_line(case["text"])
        if result["error"].startswith("failed to process"):
            assert p6(line, head=head) == result["error"]
        else:
            assert result["error"] == "unterminated heredoc"
            assert find_heredoc_markers(line, head=head)
        return
    for cmd in result["cmds"]:
        if not _may_have_heredocs(cmd):
            continue
        expected = [(h["name"], h["fd"], h["chomp"], h["expand"]) for h in cmd.get("heredocs", [])]
        assert full(cmd["original"], head=head) == expected, cmd["original"]


@pytest.mark.corpus
@pytest.mark.skipif(not HEREDOC_CASES, reason="../shared/corpus/syntax-cases.json is absent")
@pytest.mark.parametrize("case", HEREDOC_CASES, ids=lambda c: c["id"])
def test_syntax_cases(case: dict) -> None:
    _check_go_result(case, "go_v0_12_5", head=False)
    _check_go_result(case, "go_head", head=True)
    binding = case["binding"]
    if isinstance(binding, dict):  # an error, already checked through go_v0_12_5
        assert binding["error"] == case["go_v0_12_5"]["error"]
        return
    for cmd in binding:
        # The binding does not show an ONBUILD trigger's heredocs (§6.4).
        if cmd["cmd"].upper() == "ONBUILD" or not _may_have_heredocs(cmd):
            continue
        line = cmd["original"].split("\n", 1)[0]  # the rest is the binding's appended bodies
        assert names(line, head=False) == [(n, fd) for n, fd, _ in cmd["heredocs"]]


def test_syntax_cases_cover_the_section() -> None:
    if not HEREDOC_CASES:
        pytest.skip("../shared/corpus/syntax-cases.json is absent")
    ids = {c["id"] for c in HEREDOC_CASES}
    assert {"heredoc-basic", "heredoc-word-error", "heredoc-space-after", "heredoc-killed-by-expansion"} <= ids


@pytest.mark.corpus
@needs_binding
@pytest.mark.skipif(not CORPUS_SCRIPT.exists(), reason="../shared/tools/corpus.sh is absent")
def test_real_dockerfiles_against_binding() -> None:
    """Every RUN/COPY/ADD line with ``<<`` of the shared corpora, against the binding."""
    import subprocess

    root = Path(subprocess.run(["bash", str(CORPUS_SCRIPT)], check=True, capture_output=True, text=True).stdout.strip())
    lines = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if b"<<" not in data or b"\0" in data:
            continue
        try:
            commands = dockerfile.parse_string(data.decode("utf-8"))
        except (UnicodeDecodeError, dockerfile.GoParseError):
            continue
        for cmd in commands:
            if cmd.cmd.upper() not in HEREDOC_KEYWORDS or cmd.json:
                continue
            line = cmd.original.split("\n", 1)[0]
            if "<<" in line:
                lines += 1
                expected = [(h.name, h.file_descriptor % UINT64) for h in cmd.heredocs]
                assert names(line, head=False) == expected, (str(path), line)
    assert lines > 0


# ---------------------------------------------------------------------------
# 2. Differential test against the binding (BuildKit v0.12.5)

ATOMS = [
    "<<", "<<-", "3<<", "12<<-", "0<<", "<<<", "<", "-", "--", "EOF", "E", "eof.txt", "x", "a b",
    "'", '"', "''", '""', "'EOF'", '"EOF"', "'a b'", '"a b"', "'\"'", "\"'\"",
    "$", "$X", "$1", "$@", "$#", "$-x", "${a}", "${a:-x}", "${a:-x y}", "${a-b}", "${a+b}", "${a?b}",
    "${a:?}", "${a:x}", "${a=b}", "${a#b}", "${a%b}", "${a/b/c}", "${a//b}", "${", "${}", "${:}",
    "${a", "${a:", "${#}", "${1}", "${a:-'x y'}", '${a:-"x"}', "${a:- <<EOF}", "${a:-${b:-c d}}",
    '"$X"', '"${a:-x y}"', '"\\$X"', "\\", "\\ ", "\\'", '\\"', "\\$", "\\\\", "#", ";", "&&", "|",
    ">", "}", "{", "`", "é", "\u0661", "_", "\t", " ", "  ", "\xa0", "\u2003", "\u3000", "\ufeff",
    "\r", "\v", "\f", "\x85",
]
KEYWORDS = {
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
}
U_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"

BALANCED = [a for a in ATOMS if a not in ("'", '"', "${", "${a", "${a:", "\\")]
MARKER_PREFIXES = ["<<", "<<-", "3<<", "10<<-", "<< ", "<<-\t", "<<<", "x<<"]
NAME_PIECES = [
    "EOF", "E", "x", "'EOF'", '"EOF"', "E'O'F", 'E"O"F', "\\EOF", "eo\\'f", "$X", "${X}", "${a:-x}",
    "${a:-x y}", "${a-b}", "${a:x}", "'a b'", "''", '""', "\\ ", "-", "1", "é", "${a:-'b c'}",
    '${a:-"b c"}', "${a:- <<E}", "\\$", '"\\$x"', '"\\\\"', "'\\'", "${a#b}", "${a/b/c}", "$1x", "$$",
    "${#}", "\ufeff", "}", "{", ";", "#",
]

atom = st.one_of(
    st.sampled_from(ATOMS),
    st.text(alphabet="EOFxa01-_.<$'\"\\{}: \t#/%?+=", min_size=1, max_size=4),
)
marker_word = st.builds(
    lambda prefix, pieces: prefix + "".join(pieces),
    st.sampled_from(MARKER_PREFIXES),
    st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3),
)
# Mostly well-formed lines with markers, sometimes anything at all.
piece = st.one_of(marker_word, marker_word, st.sampled_from(BALANCED), atom)
separator = st.sampled_from([" ", " ", "\t", "", "\xa0"])


@st.composite
def documents(draw):
    keyword = draw(st.sampled_from(["RUN", "COPY", "ADD", "run"]))
    backtick = draw(st.booleans())
    args = "".join(p + s for p, s in draw(st.lists(st.tuples(piece, separator), min_size=1, max_size=6)))
    if args.lstrip(U_SPACE).startswith("["):
        args = "x " + args  # keep it shell form
    line = keyword + " " + args
    line = line.rstrip("\r")  # BuildKit drops trailing CRs before anything else
    continuation = r"`[ \t]*$" if backtick else r"\\[ \t]*$"
    if re.search(continuation, line):
        line += " x"
    extra = draw(st.lists(st.sampled_from(["EOF", "E", "x", "a b", "EOF;", "'EOF'", "EOF}", "$X", "\tEOF"]), max_size=3))
    return ("# escape=`\n" if backtick else ""), line, extra


def _terminator_ok(name: str) -> bool:
    first = name.strip(U_SPACE).split(None, 1)
    return not first or first[0].lower() not in KEYWORDS


def _simulate(markers: tuple[HeredocMarker, ...], body: list[str]) -> bool:
    """BuildKit's body reading: True iff every marker finds its terminator."""
    k = 0
    for m in markers:
        while True:
            if k >= len(body):
                return False
            candidate = body[k].rstrip("\r\n")
            if m.chomp:
                candidate = candidate.lstrip("\t")
            k += 1
            if candidate == m.name:
                break
    return True


def _binding(doc: str):
    try:
        return dockerfile.parse_string(doc), None
    except dockerfile.GoParseError as err:
        return None, str(err)


def check_against_binding(prefix: str, line: str, extra: list[str]) -> None:
    try:
        ours = find_heredoc_markers(line, head=False)
        error = None
    except HeredocMarkerError as err:
        ours, error = (), err.message
    body = ["body\n"]
    for name in [m.name for m in ours] + extra:
        if "\n" not in name and _terminator_ok(name):
            body += ["x\n", name + "\n"]
    doc = prefix + line + "\n" + "".join(body)
    parsed, bk_error = _binding(doc)
    if bk_error is not None:
        if bk_error.startswith("failed to process"):
            assert error == bk_error, (line, bk_error)
        else:
            assert bk_error == "unterminated heredoc", (line, bk_error)
            assert error is None and ours, (line, bk_error)
            assert not _simulate(ours, body), (line, ours)
        return
    assert error is None, (line, error)
    got = [(h.name, h.file_descriptor % UINT64) for h in parsed[0].heredocs]
    assert got == [(m.name, m.fd) for m in ours], (line, got, ours)
    assert _simulate(ours, body)


@needs_binding
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_differential_against_binding(doc) -> None:
    check_against_binding(*doc)


@needs_binding
@pytest.mark.parametrize(
    "line",
    [
        "RUN <<EOF ${a:- <<EOF}",
        "RUN <<E\\ OF",
        "RUN <<\ufeffEOF",
        "RUN <<EOF ${a=b}",
        "RUN <<EOF ${a:x y}",
        "RUN <<EOF ${a:}",
        "RUN <<EOF ${$}",
        "RUN <<EOF ${1x}",
        "RUN <<EOF ${a:-'}'}",
        "RUN <<${a:-x}y",
        'RUN <<"${a:-x}"y',
        'RUN <<"\\$x"',
        "RUN 99999999999999999999999<<EOF",
        "RUN <<EOF ${a:- <<'x y'}",
        'RUN <<EOF ${a:- <<"x y"}',
        "RUN <<${a:-'x y'}",
        "RUN <<eo\\'f <<eo'f' <<'e'o\\'f",
        "RUN <<EOF\xa0x",
        "RUN cat\u3000<<EOF",
        "RUN <<EOF $# $- $@ ${#} ${-} ${?} $$ $",
        "RUN <<EOF \\\\",
        'RUN <<${a:-\\"\x01\x7f\u200b\xe9\U0001f600 y}',
    ],
)
def test_known_lines_against_binding(line: str) -> None:
    check_against_binding("", line, ["EOF", "E OF", "EOF}", "${a:-x}y", "$x", "eo'f", "eof"])


# ---------------------------------------------------------------------------
# 3. The rules of §4.2, one by one


@pytest.mark.parametrize("head", [False, True])
@pytest.mark.parametrize(
    "line",
    [
        "RUN <<EOF echo it's",  # unbalanced '
        'RUN <<EOF echo "hi',  # unbalanced "
        "RUN <<EOF echo ${x",  # ${ without }
        "RUN <<EOF echo ${}",
        "RUN <<EOF echo ${:}",
        "RUN <<EOF echo ${{x}}",
        "RUN <<EOF echo ${x=y}",  # unsupported modifier
        "RUN <<EOF ${",
        "RUN <<EOF ${x:",
    ],
)
def test_lexer_failure_anywhere_kills_all_markers(line: str, head: bool) -> None:
    assert find_heredoc_markers(line, head=head) == ()


@pytest.mark.parametrize("expansion", ["${v#p}", "${v##p}", "${v%p}", "${v%%p}", "${v/p/r}", "${v//p/r}"])
def test_pattern_expansions_kill_markers_only_in_v0125(expansion: str) -> None:
    line = f"RUN cat <<EOF >{expansion}"
    assert find_heredoc_markers(line, head=False) == ()
    assert names(line, head=True) == [("EOF", 0)]


@pytest.mark.parametrize("expansion", ["${v:#p}", "${v:%p}", "${v/p}", "${v/p/r"])
def test_bad_pattern_expansions_kill_markers_at_head(expansion: str) -> None:
    assert find_heredoc_markers(f"RUN cat <<EOF >{expansion}", head=True) == ()


@pytest.mark.parametrize("head", [False, True])
def test_words_split_at_unicode_space_and_ignore_shell_syntax(head: bool) -> None:
    assert names("RUN echo hi # <<EOF", head=head) == [("EOF", 0)]
    assert names("RUN cat <<EOF;", head=head) == [("EOF;", 0)]
    assert names("RUN cat <<EOF&&x|y>z", head=head) == [("EOF&&x|y>z", 0)]
    for space in ["\xa0", "\u2003", "\u3000", "\x85", "\v", "\f"]:
        assert names(f"RUN cat{space}<<EOF{space}x", head=head) == [("EOF", 0)]
    assert names("RUN cat\x1c<<EOF", head=head) == []  # Python's isspace, not Go's


@pytest.mark.parametrize("head", [False, True])
@pytest.mark.parametrize(
    ("word", "name", "fd", "chomp", "expand"),
    [
        ("<<EOF", "EOF", 0, False, True),
        ("<<-EOF", "EOF", 0, True, True),
        ("3<<EOF", "EOF", 3, False, True),
        ("<<'EOF'", "EOF", 0, False, False),
        ('<<"EOF"', "EOF", 0, False, False),
        ('<<E"O"F', "EOF", 0, False, False),
        ("<<\\EOF", "EOF", 0, False, True),
        ("<<eof.txt", "eof.txt", 0, False, True),
        ("<<$X", "$X", 0, False, True),
        ("<<${X}", "${X}", 0, False, True),
        ("<<'one two'", "one two", 0, False, False),
        ("<<eo\\'f", "eo'f", 0, False, True),
        ("<<eo'f'", "eof", 0, False, False),
        ("<<'e'o\\'f", "eo'f", 0, False, False),
        ('<<"\\$x"', "$x", 0, False, False),
        ("<<'$x'", "$x", 0, False, False),
        ("<<-'EOF'", "EOF", 0, True, False),
        ("007<<-EOF", "EOF", 7, True, True),
        ("<<-", None, 0, False, False),
    ],
)
def test_marker_words(word: str, name: str | None, fd: int, chomp: bool, expand: bool, head: bool) -> None:
    line = f"RUN cat {word} > /x"
    got = full(line, head=head)
    if name is None:
        assert got == []
    else:
        assert got == [(name, fd, chomp, expand)]


@pytest.mark.parametrize("head", [False, True])
@pytest.mark.parametrize(
    "word", ["cat<<EOF", '"<<EOF"', "'<<EOF'", "\\<<EOF", "<<<EOF", "<<", "<<''", '<<""', "<<A<B", "<<-''", "x<<EOF"]
)
def test_not_markers(word: str, head: bool) -> None:
    assert find_heredoc_markers(f"RUN {word}", head=head) == ()
    assert find_heredoc_markers(f"RUN {word}\vx", head=head) == ()


@pytest.mark.parametrize("head", [False, True])
@pytest.mark.parametrize("word", ['<<EOF"', '<<"EOF', "<<EOF'", "<<'EOF"])
def test_unbalanced_quote_in_marker_kills_the_line(word: str, head: bool) -> None:
    assert find_heredoc_markers(f"RUN <<OK {word}", head=head) == ()


def test_space_after_chevrons_is_a_heredoc_only_at_head() -> None:
    assert find_heredoc_markers("RUN cat << EOF", head=False) == ()
    assert full("RUN cat << EOF", head=True) == [("EOF", 0, False, True)]
    assert full("RUN cat <<\t \r 'EOF'", head=True) == [("EOF", 0, False, False)]
    assert full("RUN cat 3<< EOF", head=True) == [("EOF", 3, False, True)]
    assert full("RUN cat << -EOF", head=True) == [("-EOF", 0, False, True)]
    # Only blanks, tabs and CRs are glued: other U-space splits the word.
    assert find_heredoc_markers("RUN cat <<\vEOF", head=True) == ()
    assert find_heredoc_markers("RUN cat <<\xa0EOF", head=True) == ()
    for head in (False, True):
        assert find_heredoc_markers("RUN cat <<- EOF", head=head) == ()
        assert find_heredoc_markers("RUN cat << ", head=head) == ()


@pytest.mark.parametrize("head", [False, True])
def test_several_markers_in_order(head: bool) -> None:
    line = "COPY <<A 2<<-'B' <<A /dst/"
    assert full(line, head=head) == [("A", 0, False, True), ("B", 2, True, False), ("A", 0, False, True)]
    starts = [line[m.start : m.end] for m in find_heredoc_markers(line, head=head)]
    assert starts == ["<<A", "2<<-'B'", "<<A"]


@pytest.mark.parametrize("head", [False, True])
def test_fd_is_the_decimal_prefix_and_saturates(head: bool) -> None:
    assert names("RUN 0<<EOF", head=head) == [("EOF", 0)]
    assert names("RUN 18446744073709551615<<EOF", head=head) == [("EOF", UINT64 - 1)]
    assert names("RUN 18446744073709551616<<EOF", head=head) == [("EOF", UINT64 - 1)]
    assert names("RUN " + "9" * 5000 + "<<EOF", head=head) == [("EOF", UINT64 - 1)]
    assert names("RUN " + "0" * 5000 + "12<<EOF", head=head) == [("EOF", 12)]
    assert names("RUN \u0663<<EOF", head=head) == []  # Go's \d is ASCII


def test_lexer_error_inside_a_marker_is_p6_in_v0125() -> None:
    assert p6("RUN <<${a:-x y}", head=False) == "failed to process \"${a:-x\": syntax error: missing '}'"
    # HEAD drops the word's text before a ${v:-w} scan, so there is no marker.
    assert find_heredoc_markers("RUN <<${a:-x y}", head=True) == ()
    assert find_heredoc_markers("RUN <<${a:-x}", head=True) == ()
    assert names("RUN <<${a:-x}", head=False) == [("${a:-x}", 0)]
    message = "failed to process \"'x\": unexpected end of statement while looking for matching single-quote"
    for head in (False, True):
        assert p6("RUN <<EOF ${a:- <<'x y'}", head=head) == message
        # a marker can start inside an expansion that the line lexer split
        assert names("RUN <<EOF ${a:- <<EOF}", head=head) == [("EOF", 0), ("EOF}", 0)]


def test_p6_message_quotes_like_go() -> None:
    assert p6('RUN <<${a:-\\"\x01\x7f\u200b\xe9\U0001f600 y}', head=False) == (
        'failed to process "${a:-\\\\\\"\\x01\\x7f\\u200b\xe9\U0001f600": syntax error: missing \'}\''
    )


def test_heredoc_marker_error_is_an_exception_with_message() -> None:
    err = HeredocMarkerError("failed to process \"x\": boom")
    assert isinstance(err, Exception) and err.message == str(err)


# ---------------------------------------------------------------------------
# Offsets, robustness, speed-ups


def test_offsets_are_code_points_of_the_given_string() -> None:
    line = "RUN é\U0001f600 <<EOF x 3<<-'E F'"
    for head in (False, True):
        got = [(line[m.start : m.end], m.name) for m in find_heredoc_markers(line, head=head)]
        assert got == [("<<EOF", "EOF"), ("3<<-'E F'", "E F")]
    line = "RUN cat <<  EOF"
    (m,) = find_heredoc_markers(line, head=True)
    assert line[m.start : m.end] == "<<  EOF"


def test_undecodable_bytes_are_u_fffd() -> None:
    line = b"RUN <<E\xffF \xfe".decode("utf-8", "surrogateescape")
    for head in (False, True):
        assert names(line, head=head) == [("E\ufffdF", 0)]
    message = p6(b"RUN <<${a:-\xff y}".decode("utf-8", "surrogateescape"), head=False)
    assert message == "failed to process \"${a:-\ufffd\": syntax error: missing '}'"


def test_byte_order_mark_is_skipped_only_at_the_start_of_a_scan() -> None:
    for head in (False, True):
        assert names("RUN <<\ufeffEOF", head=head) == [("EOF", 0)]
        assert names("RUN <<\ufeff\ufeffEOF", head=head) == [("\ufeffEOF", 0)]
        assert names("RUN <<\ufeff'EOF'", head=head) == [("EOF", 0)]
        assert names("RUN <<\ufeff", head=head) == []
        assert names("RUN <<E\ufeffOF", head=head) == [("E\ufeffOF", 0)]


def test_no_chevrons_no_work() -> None:
    assert find_heredoc_markers("RUN echo 'unbalanced", head=False) == ()
    assert find_heredoc_markers("", head=True) == ()


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=60), st.booleans())
def test_never_crashes(text: str, head: bool) -> None:
    try:
        result = find_heredoc_markers("RUN " + text + " <<" + text, head=head)
    except HeredocMarkerError as err:
        assert err.message.startswith(("failed to process ", "internal lexing of heredoc"))
        return
    for m in result:
        assert isinstance(m, HeredocMarker) and m.name and 0 <= m.fd < UINT64


_plain_text = st.text(alphabet=st.characters(blacklist_characters="'\"$\\"), max_size=40)


@settings(max_examples=EXAMPLES, deadline=None)
@given(_plain_text, st.booleans())
def test_fast_paths_agree_with_the_lexer(text: str, head: bool) -> None:
    text = hm._SURROGATE.sub("\ufffd", text)
    fast = hm._split_words(text, head)
    slow = hm._Lexer(text, raw_quotes=True, raw_escapes=True, head=head).words()
    assert fast == slow
    for word, _, _ in fast:
        match = (hm._RE_HEAD if head else hm._RE_V0125).fullmatch(word)
        if match and match.group(3) and hm._PLAIN_REST.fullmatch(match.group(3)):
            rest = match.group(3)
            assert hm._name_from_rest(rest, head) == ((rest[1:], True) if rest[0] == "\ufeff" else (rest, True)) or (
                rest == "\ufeff" and hm._name_from_rest(rest, head) is None
            )


def _outcome(line: str, head: bool):
    try:
        return find_heredoc_markers(line, head=head)
    except HeredocMarkerError as err:
        return err.message


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(documents().map(lambda doc: doc[1]), st.text(max_size=40).map(lambda t: "RUN <<" + t)), st.booleans())
def test_bulk_scanning_agrees_with_one_character_at_a_time(line: str, head: bool) -> None:
    """The lexer skips runs of ordinary characters; stepping one by one must agree."""
    bulk = _outcome(line, head)
    every_char = re.compile(r"[\s\S]")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hm, "_SPECIAL_CHARS", {key: every_char for key in hm._SPECIAL_CHARS})
        mp.setattr(hm, "_DOUBLE_QUOTED_SPECIAL", every_char)
        mp.setattr(hm, "_NEEDS_FULL_LEXER", every_char)
        mp.setattr(hm, "_PLAIN_REST", re.compile(r"(?!)"))

        def add_plain(self, text: str, start: int) -> None:
            for k, ch in enumerate(text):
                self.add_char(ch, start + k, start + k + 1)

        mp.setattr(hm._Words, "add_plain", add_plain)
        slow = _outcome(line, head)
    assert bulk == slow
