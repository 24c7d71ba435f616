"""Bad input: ``ParseError`` (and nothing else), with BuildKit's message and a useful place.

``ParseError`` is a ``ValueError`` with ``.path .line .column .message``;
``str()`` is ``path:line:col: message``. Inputs BuildKit accepts must parse
(and round-trip) however strange they are; the rest must raise ParseError,
never another exception.
"""

from __future__ import annotations

import pickle
import random

import pytest

import dfix

from .support import binding_can_take, dockerfile, normal_message, oracle, short_id

DIALECTS = ("latest", "0.12.5")


def outcome(text: str, dialect: str = "latest", path: str | None = None):
    """The tree (round trip checked), or the ParseError; any other exception fails the test."""
    try:
        tree = dfix.parse(text, path, buildkit=dialect)
    except dfix.ParseError as error:
        assert isinstance(error, ValueError)
        assert error.line >= 1 and error.column >= 1
        assert str(error) == f"{path or 'Dockerfile'}:{error.line}:{error.column}: {error.message}"
        return error
    assert tree.code == text
    return tree


def error_of(text: str, dialect: str = "latest", path: str | None = None) -> dfix.ParseError:
    result = outcome(text, dialect, path)
    assert isinstance(result, dfix.ParseError), f"expected a ParseError, parsed {result.instructions}"
    return result


def agrees_with_binding(text: str, dialect: str = "0.12.5") -> None:
    """Where the binding can take the text, it accepts or rejects it as dfix does."""
    if dockerfile is None or not binding_can_take(text):
        return
    expected = oracle(text)
    if expected is None:  # the binding cannot decode a value (a HEALTHCHECK type cut inside a character)
        return
    result = outcome(text, dialect)
    if isinstance(result, dfix.ParseError):
        assert normal_message(result.message) == getattr(expected, "message", None)
    else:
        assert isinstance(expected, list), f"the binding rejects it: {expected}"


# -- the error format ---------------------------------------------------------------------


def test_str_is_path_line_column_message():
    error = error_of("", path="sub/Dockerfile.dev")
    assert (error.path, error.line, error.column) == ("sub/Dockerfile.dev", 1, 1)
    assert error.message == "file with no instructions"
    assert str(error) == "sub/Dockerfile.dev:1:1: file with no instructions"


def test_str_without_a_path_names_dockerfile():
    assert str(error_of("")) == "Dockerfile:1:1: file with no instructions"


def test_parse_error_is_a_value_error_and_pickles():
    error = error_of("FROM a\nRUN <<EOF\n", path="x")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.column, copy.message, str(copy)) == (
        error.path, error.line, error.column, error.message, str(error),
    )


def test_non_text_input_is_a_type_error():
    with pytest.raises(TypeError):
        dfix.parse(b"FROM a\n")  # type: ignore[arg-type]


def test_unknown_dialect_is_a_value_error():
    with pytest.raises(ValueError, match="unknown BuildKit version"):
        dfix.parse("FROM a\n", buildkit="0.1")


# -- the inputs the brief names ---------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_file(dialect):
    error = error_of("", dialect)
    assert (error.line, error.column, error.message) == (1, 1, "file with no instructions")
    agrees_with_binding("")


@pytest.mark.parametrize(
    "text", ["\n", "\r\n", "\r", "   \n\t\n", "# just a comment\n", "\ufeff", "# syntax=x\n\n# c\n"]
)
def test_files_without_instructions(text):
    for dialect in DIALECTS:
        assert error_of(text, dialect).message == "file with no instructions"
    agrees_with_binding(text)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unterminated_heredoc_names_the_marker_and_points_at_it(dialect):
    error = error_of("FROM a\nRUN <<EOF\nx\n", dialect)
    assert (error.line, error.column, error.message) == (2, 5, "unterminated heredoc <<EOF")
    assert str(error) == "Dockerfile:2:5: unterminated heredoc <<EOF"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("RUN <<EOF", 1, 5, "unterminated heredoc <<EOF"),
        ("RUN <<EOF\n", 1, 5, "unterminated heredoc <<EOF"),
        ("FROM a\n  RUN  cat <<-'END' > f\n\tx\n", 2, 12, "unterminated heredoc <<-'END'"),
        ("FROM a\nRUN x && \\\n  cat 3<<\"E O\"\nx\n", 3, 7, 'unterminated heredoc 3<<"E O"'),
        ("FROM a\nRUN <<A <<B\nA\n", 2, 9, "unterminated heredoc <<B"),  # the second one is missing
        ("RUN <<EOF <<EOF\nx\nEOF\n", 1, 11, "unterminated heredoc <<EOF"),  # one terminator each
        ("RUN cat <<EOF;\nx\nEOF\n", 1, 9, "unterminated heredoc <<EOF;"),  # the name is EOF;
        ("COPY <<A /a\n A\nA \n", 1, 6, "unterminated heredoc <<A"),  # terminator must be exact
        ("RUN <<EOF\r\nx\r\nEOF \r\n", 1, 5, "unterminated heredoc <<EOF"),
        ("ONBUILD RUN <<EOF\nx\n", 1, 13, "unterminated heredoc <<EOF"),
    ],
    ids=short_id,
)
def test_unterminated_heredocs(text, line, column, message):
    for dialect in DIALECTS:
        error = error_of(text, dialect)
        assert (error.line, error.column, error.message) == (line, column, message)
    agrees_with_binding(text)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_lone_escape_at_eof_is_an_instruction_with_an_empty_keyword(dialect):
    """Not an error at parse time (§2 step 3): BuildKit fails it at instruction level."""
    cases = [("FROM a\n\\", "\\"), ("FROM a\n  \\  \n", "\\"), ("# escape=`\nFROM a\n`", "`"), ("\\", "\\")]
    for text, escape in cases:
        tree = outcome(text, dialect)
        last = tree.instructions[-1]
        assert isinstance(last, dfix.Unknown)
        assert last.keyword == "" and last.arguments == ("",)
        assert tree.buildkit_commands()[-1].cmd == ""
        assert tree.escape == escape
        agrees_with_binding(text)


@pytest.mark.parametrize(
    ("text", "arguments", "json"),
    [
        ('CMD ["a"\n', ('["a"',), False),
        ('CMD ["a", \n', ('["a",',), False),
        ('RUN ["a"]]\n', ("a",), True),  # v0.12.5 ignores the trailing `]`
        ('ENTRYPOINT [\n', ("[",), False),
        ('COPY ["a", "b"\n', ('["a",', '"b"'), False),
        ('SHELL ["/bin/sh", "-c"\n', ('["/bin/sh", "-c"',), False),
        ("CMD [\"a\\\"]\n", ('["a\\"]',), False),  # an escaped quote leaves the string open
    ],
    ids=short_id,
)
def test_unbalanced_json_falls_back_to_shell_form(text, arguments, json):
    tree = outcome("FROM a\n" + text, "0.12.5")
    instruction = tree.instructions[-1]
    assert (instruction.arguments, instruction.is_json) == (arguments, json)
    agrees_with_binding("FROM a\n" + text)


@pytest.mark.parametrize(
    "text",
    ['CMD ["a", 1]\n', "RUN [1]\n", 'ENTRYPOINT [["a"]]\n', 'COPY ["a", null]\n', 'VOLUME [{}]\n',
     'HEALTHCHECK CMD ["a", true]\n', 'ONBUILD CMD ["a", 2]\n', 'SHELL [false]\n'],
    ids=short_id,
)
def test_json_array_of_non_strings_is_an_error(text):
    for dialect in DIALECTS:
        error = error_of("FROM a\n" + text, dialect)
        assert error.message == "when using JSON array syntax, arrays must be comprised of strings only"
        assert (error.line, error.column) == (2, 1)
    agrees_with_binding("FROM a\n" + text)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_nul_bytes_are_content(dialect):
    """BuildKit reads NUL as an ordinary byte (the binding would cut the text there)."""
    tree = outcome("FROM a\x00b\nRUN x\x00\x00y\n", dialect)
    assert [i.arguments for i in tree.instructions] == [("a\x00b",), ("x\x00\x00y",)]
    tree = outcome("\x00\n", dialect)
    assert tree.instructions[0].keyword == "\x00"
    assert outcome("\x00" * 100, dialect).code == "\x00" * 100


BINARY_SAMPLES = [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    b"\xff\xfe\x00F\x00R\x00O\x00M\x00 \x00a\x00\n",  # UTF-16
    b"\xef\xbb\xbf\xef\xbb\xbfFROM a\n",  # two BOMs
    b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\n\xed\xa0\x80\n",  # invalid UTF-8, encoded surrogate
    bytes(range(256)) * 4,
]


@pytest.mark.parametrize("data", BINARY_SAMPLES, ids=range(len(BINARY_SAMPLES)))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_binary_junk(data, dialect):
    outcome(data.decode("utf-8", "surrogateescape"), dialect)


@pytest.mark.parametrize("seed", range(20))
def test_random_binary_junk(seed):
    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 10, 100, 5000])))
    for dialect in DIALECTS:
        outcome(data.decode("utf-8", "surrogateescape"), dialect)


def test_five_megabytes_of_junk():
    """Random bytes in lines of 40 kB (under the line limit, so the whole file is read)."""
    rng = random.Random(5)
    data = rng.randbytes(5_000_000).replace(b"\n", b" ")
    data = b"\n".join(data[i : i + 40_000] for i in range(0, len(data), 40_000))
    result = outcome(data.decode("utf-8", "surrogateescape"))
    assert isinstance(result, dfix.ParseError) or len(result.instructions) > 100


def test_half_a_megabyte_of_junk():
    rng = random.Random(6)
    result = outcome(rng.randbytes(500_000).decode("utf-8", "surrogateescape"))
    assert isinstance(result, dfix.ParseError) or len(result.instructions) > 1000


def test_five_megabytes_of_dockerfile():
    """A 5 MB file of long continuation lines (each under the 64 kB line limit)."""
    line = "    " + "x" * 60_000 + " \\\n"
    text = "FROM a\nRUN" + line * 84 + "    done\n"
    assert len(text) > 5_000_000
    tree = outcome(text)
    run = tree.instructions[1]
    assert (run.start_line, run.end_line) == (2, 86)
    assert run.shell == "x" * 60_000 + " " + ("    " + "x" * 60_000 + " ") * 83 + "    done"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_five_megabytes_on_one_line(dialect):
    error = error_of("FROM a\nRUN " + "x" * 5_000_000 + "\n", dialect)
    assert (error.line, error.message) == (2, "dockerfile line greater than max allowed size of 65535")


# -- the line-length limit (65,535 bytes, LF excluded, CRs included) --------------------------------


@pytest.mark.parametrize(
    ("line", "too_long"),
    [
        ("RUN " + "a" * 65531, False),  # 65,535 bytes
        ("RUN " + "a" * 65532, True),
        ("x" * 65534 + "\r", False),
        ("x" * 65535 + "\r", True),  # the CR counts
        ("x" * 65534 + "\r\r", True),
        ("é" * 32767 + "a", False),  # 65,535 bytes
    ],
    ids=short_id,
)
def test_line_length_limit(line, too_long):
    text = "FROM a\n" + line + "\nRUN b\n"
    for dialect in DIALECTS:
        result = outcome(text, dialect)
        if too_long:
            assert (result.line, result.column, result.message) == (
                2, 1, "dockerfile line greater than max allowed size of 65535",
            )
        else:
            assert isinstance(result, dfix.Dockerfile)
    agrees_with_binding(text)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_line_length_limit_counts_bytes_in_short_files(dialect):
    text = "FROM a\n" + "é" * 32768 + "\n"  # 32,775 characters; the second line is 65,536 bytes
    error = error_of(text, dialect)
    assert (error.line, error.message) == (2, "dockerfile line greater than max allowed size of 65535")


def test_line_length_limit_counts_bytes_in_long_files():
    text = "FROM a\n" + "é" * 32768 + "\n" + "# padding\n" * 7000  # over 65,535 characters in all
    assert error_of(text).message == "dockerfile line greater than max allowed size of 65535"
    agrees_with_binding(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 70_000 + "\nFROM a\n", "file with no instructions"),  # before any instruction
        ("# c\n" + "x" * 70_000 + "\nFROM a\n", "file with no instructions"),
        ("FROM a\nRUN <<EOF\n" + "x" * 70_000 + "\nEOF\n", "unterminated heredoc <<EOF"),  # inside a body
        ("FROM a\nRUN a \\\n" + "x" * 70_000 + "\n", "dockerfile line greater than max allowed size of 65535"),
    ],
    ids=short_id,
)
def test_overlong_line_message_depends_on_state(text, message):
    for dialect in DIALECTS:
        assert error_of(text, dialect).message == message
    agrees_with_binding(text)


def test_overlong_line_in_a_heredoc_body_points_at_the_marker():
    error = error_of("FROM a\nRUN <<EOF\n" + "x" * 70_000 + "\nEOF\n")
    assert (error.line, error.column) == (2, 5)


def test_long_logical_lines_are_fine():
    text = "FROM a\nRUN " + "x" * 40_000 + " \\\n" + "y" * 40_000 + "\n"
    tree = outcome(text)
    assert len(tree.instructions[1].original) == 80_005
    agrees_with_binding(text)


# -- every parse-time error of syntax.md §6.1 ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("# escape=`\n# Escape=`\nFROM a\n", 2, 1, "only one escape parser directive can be used"),  # P1
        ("# syntax=a\n# SYNTAX = b\nFROM a\n", 2, 1, "only one syntax parser directive can be used"),
        ("# escape=/\nFROM a\n", 1, 10, "invalid escape token '/' does not match ` or \\"),  # P2
        ("  # escape=x\nFROM a\n", 1, 12, "invalid escape token 'x' does not match ` or \\"),
        ("# escape=` x\nFROM a\n", 1, 10, "invalid escape token '` x' does not match ` or \\"),
        ("FROM a\nENV PATH\n", 2, 1, "ENV must have two arguments"),  # P3
        ("FROM a\n  label x\n", 2, 3, "LABEL must have two arguments"),
        ("FROM a\nENV a=b c\n", 2, 1, 'Syntax error - can\'t find = in "c". Must be of the form: name=value'),  # P4
        ("FROM a\nENV a=b # c\n", 2, 1, 'Syntax error - can\'t find = in "#". Must be of the form: name=value'),
        ("FROM a\nLABEL a=1 \"b\tc\"\n", 2, 1,
         'Syntax error - can\'t find = in "\\"b\\tc\\"". Must be of the form: name=value'),
        ("FROM a\nONBUILD ENV a\n", 2, 1, "ENV must have two arguments"),
        # P5
        ('FROM a\nRUN ["a", 1]\n', 2, 1, "when using JSON array syntax, arrays must be comprised of strings only"),
        ("FROM a\nRUN <<EOF\n", 2, 5, "unterminated heredoc <<EOF"),  # P7
        ("# c\n\n", 2, 1, "file with no instructions"),  # P8
        ("FROM a\n" + "x" * 65536, 2, 1, "dockerfile line greater than max allowed size of 65535"),  # P9
    ],
    ids=short_id,
)
def test_parse_time_errors(text, line, column, message):
    for dialect in DIALECTS:
        error = error_of(text, dialect, path="Dockerfile")
        assert (error.line, error.column, error.message) == (line, column, message)
    agrees_with_binding(text)


def test_heredoc_marker_lexer_error_is_v0_12_5_only():  # P6
    text = "FROM a\nRUN <<${a:-x y}\nx\n"
    error = error_of(text, "0.12.5")
    assert error.message == "failed to process \"${a:-x\": syntax error: missing '}'"
    assert error.line == 2
    tree = outcome(text, "latest")
    assert [i.keyword for i in tree.instructions] == ["FROM", "RUN", "x"]
    agrees_with_binding(text)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_check_directive_is_only_known_at_head(dialect):
    text = "# check=skip=all\n# CHECK=error=true\nFROM a\n"
    result = outcome(text, dialect)
    if dialect == "latest":
        assert result.message == "only one check parser directive can be used"
    else:
        assert isinstance(result, dfix.Dockerfile)
        agrees_with_binding(text)


# -- robustness: never anything but ParseError ---------------------------------------------------------


NASTY = [
    "\\", "`", "\\\n", "\\\\", "\r", "\r\r\r", "\n\r\n\r", "\ufeff\\\n", "#", "# escape=`", "# escape=`\n`",
    "FROM", "FROM\n", "ONBUILD", "ONBUILD\n", "ONBUILD ONBUILD", "HEALTHCHECK", "HEALTHCHECK \xa0",
    "HEALTHCHECK \udcc3x", "ENV", "ENV \"", "ENV '", "ENV a=\"", "ARG \"", "LABEL \\", "COPY --", "COPY --=",
    "RUN --a=\"", "RUN --a='\\", "RUN -- --", "RUN <<", "RUN <<-", "RUN <<''", "RUN <<\"\"", "RUN <<\\",
    "RUN <<$", "RUN <<${", "RUN <<${}", "RUN <<${a", "RUN <<\"EOF", "RUN 99999999999999999999999999<<EOF\nEOF",
    "RUN <<EOF\n", "RUN <<EOF\nEOF", "RUN <<EOF\r\nEOF\r", "CMD [", "CMD [\"", "CMD [\"\\", "CMD [\"\\u12\"]",
    "CMD [\"\\ud800\"]", "CMD [\"\\udc80\\ud800\"]", "CMD [\"\udcff\"]", "CMD [] []", "CMD [1", "VOLUME [\"a\"] [",
    "\x00", "\x00\n\x00", "\x85RUN a", "RUN\x85a", "RUN\u2028a", "\u2028", "\u3000RUN a", "İ", "RUN ﬀ",
    "WORKDİR /", "\udc80", "\ud800", "\udfff\n", "FROM a\n\\\n\\\n\\", "FROM a \\\n# c\n\n",
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_nasty_inputs_parse_or_raise_parse_error(text, dialect):
    outcome(text, dialect)
    outcome("FROM a\n" + text, dialect)
    outcome("FROM a\n" + text + "\nRUN b\n", dialect)
    if dialect == "0.12.5":
        agrees_with_binding("FROM a\n" + text + "\nRUN b\n")


def test_deeply_nested_onbuild_up_to_a_few_hundred():
    text = "FROM a\n" + "ONBUILD " * 200 + "RUN a\n"
    tree = outcome(text)
    depth, node = 0, tree.instructions[1]
    while node.trigger is not None:
        depth, node = depth + 1, node.trigger
    assert depth == 200 and isinstance(node, dfix.Run)
    agrees_with_binding(text)


def test_deeply_nested_onbuild():
    text = "FROM a\n" + "ONBUILD " * 1000 + "RUN a\n"
    assert isinstance(outcome(text), dfix.Dockerfile)
    agrees_with_binding(text)


@pytest.mark.parametrize(
    "text",
    ["FROM \ud800", "RUN \udfff", "RUN --a=\ud800 b", "HEALTHCHECK \ud800", "ENV a=\ud800", 'CMD ["\ud800"]',
     "COPY <<\ud800 /a\nx\n\ud800\n", "FROM a\n" + "\ud800" * 70_000],
    ids=short_id,
)
def test_lone_surrogates_outside_surrogateescape(text):
    for dialect in DIALECTS:
        outcome(text, dialect)


@pytest.mark.parametrize(
    "text",
    ["FROM \udfff", "FROM \ud800 b\nRUN x\n", "EXPOSE \ud800 80\n", "COPY \ud800 /a\n", "VOLUME \ud800 /b\n",
     "ENV a=\ud800 b=c\n", "LABEL a=\ud800 b=c\n", "ARG \ud800=1 b\nRUN x\n"],
    ids=short_id,
)
def test_lone_surrogates_keep_their_place(text):
    from .support import check_positions

    for dialect in DIALECTS:
        tree = outcome(text, dialect)
        assert check_positions(tree, text) is None


def test_healthcheck_type_cut_inside_a_character_keeps_the_raw_byte():
    text = "FROM a\nHEALTHCHECK \u00e9\u00a0x\n"  # é, then NBSP = C2 A0: the type ends after C2
    if dockerfile is not None:
        with pytest.raises(UnicodeDecodeError) as caught:
            dockerfile.parse_string(text)
        assert caught.value.object == b"\xc3\xa9\xc2"
    node = dfix.parse(text).instructions[1]
    assert node.arguments == ("\u00e9\udcc2", "x")  # read_dockerfile's spelling of the lone byte C2
