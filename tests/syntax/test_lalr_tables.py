"""The shipped parse tables: built from the shipped grammar, and read exactly as Lark reads them."""

from __future__ import annotations

import pytest

from dfix.syntax import _lalr_tables, cst, lalr, parser
from dfix.syntax import lalr_build
from dfix.syntax.lalr_build import build_tables, grammar_text
from dfix.syntax.lexer import DIALECTS, Lexer


def test_the_shipped_tables_were_built_from_the_shipped_grammar() -> None:
    assert _lalr_tables.GRAMMAR == grammar_text(), (
        "grammar/dockerfile.lark changed: regenerate the parse tables with `python -m dfix.syntax.lalr_build`"
    )


def test_the_shipped_tables_are_what_the_build_makes() -> None:
    """Built the same way every time (states and rules numbered canonically), so a regenerated module only
    changes where the grammar did; with another Lark version the tables may be numbered otherwise."""
    import lark

    if lark.__version__ != _lalr_tables.LARK_VERSION:
        pytest.skip(f"tables built with Lark {_lalr_tables.LARK_VERSION}, Lark {lark.__version__} installed")
    built = build_tables(grammar_text())
    assert (built["start_state"], built["end_state"]) == (_lalr_tables.START_STATE, _lalr_tables.END_STATE)
    assert built["rules"] == _lalr_tables.RULES
    assert built["actions"] == _lalr_tables.ACTIONS


def test_an_edited_grammar_is_parsed_with_tables_built_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    edited = grammar_text() + "\n// an edit the shipped tables have not seen\n"
    monkeypatch.setattr(lalr_build, "grammar_text", lambda: edited)
    lalr.tables.cache_clear()
    try:
        built = lalr.tables()
        assert built.actions is not _lalr_tables.ACTIONS
        tree = parser.Parser(built, parser._Builder()).parse(Lexer("FROM a\nRUN b\n", DIALECTS["latest"]).run())
        assert "".join(item.code for item in tree) == "FROM a\nRUN b\n"
    finally:
        lalr.tables.cache_clear()


def test_a_token_stream_the_grammar_refuses_is_a_grammar_error() -> None:
    tokens = Lexer("FROM a\n", DIALECTS["latest"]).run()
    with pytest.raises(lalr.GrammarError):
        parser._parser().parse([tokens[-1], *tokens])


def _dump(node):
    if isinstance(node, cst.Instruction):
        return (
            type(node).__name__,
            tuple(_dump(token) for token in node.line_tokens),
            tuple(_dump(heredoc) for heredoc in node.heredocs),
            _dump(node.trigger) if node.trigger else None,
            repr(node.outer_line_info),
        )
    if isinstance(node, cst.Heredoc):
        return ("heredoc", _dump(node.body) if node.body else None, _dump(node.terminator))
    if isinstance(node, str):
        return (node.type, str(node), node.start_pos, node.line, node.column, repr(node.info))
    return (type(node).__name__, _dump(node.token))


SAMPLES = [
    "\ufeffFROM a\n",
    "# syntax=docker/dockerfile:1\n# escape=\\\n\n# a comment\nFROM --platform=$BUILDPLATFORM a AS b\n",
    "FROM a\nRUN --mount=type=cache,target=/x -- echo \\\n  # inside\n  hi\n",
    "FROM a\nRUN <<EOF bash\necho hi\nEOF\nCOPY <<A <<B /x\na\nA\nb\nB\n",
    "FROM a\nONBUILD ONBUILD RUN echo x\nONBUILD COPY --chown=1 . /\n",
    'FROM a\nENV A=1 B="2 3"\nENV C d e\nLABEL x=y\nCMD ["a", "b"] trailing\nHEALTHCHECK --interval=5s CMD true\n',
    "FROM a\nEXPOSE 80 443/udp\nARG X=1 Y\nUSER 1:1\nWORKDIR /x\nSTOPSIGNAL 9\nMAINTAINER me\nVOLUME [\"/a\"]\n",
    "FROM a\nSHELL [\"bash\", \"-c\"]\nENTRYPOINT x\nADD --chmod=644 a b\nFOO bar\n",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_dfix_reads_the_tables_as_lark_does(text: str, dialect: str) -> None:
    """Lark itself, running the same grammar with the same builder, builds the same tree."""
    import lark
    from lark.lexer import Lexer as LarkLexer

    class PreLexed(LarkLexer):
        def __init__(self, conf) -> None:
            pass

        def lex(self, data):  # type: ignore[override]
            return iter(data)

    reference = lark.Lark(
        grammar_text(), parser="lalr", lexer=PreLexed, transformer=parser._Builder(), maybe_placeholders=False
    )
    tokens = Lexer(text, DIALECTS[dialect]).run()
    ours = parser._parser().parse(list(tokens))
    theirs = reference.parse(list(tokens))
    assert [_dump(item) for item in ours] == [_dump(item) for item in theirs]


def test_build_tables_refuses_grammar_features_the_loop_does_not_implement() -> None:
    with pytest.raises(ValueError, match="not supported"):
        build_tables('%declare A B\nstart: x\n?x: A | A B\n')
