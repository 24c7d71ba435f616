"""DF615 env-self-reference: one ENV sets a variable and a later pair of the same ENV reads it (hadolint's DL3044)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Env, Instruction

from ._variables import Definition, references, stage_scopes


def _unchanged(name: str, value: str, earlier: dict[str, Definition]) -> bool:
    """The pair gives ``name`` the value it already had: the same text as its earlier definition, or itself (``X=${X}``)."""
    bare = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    if bare in (f"${name}", f"${{{name}}}"):
        return True
    return name in earlier and earlier[name].value == value


class EnvSelfReference(Rule):
    """An ENV pair reads a variable that an earlier pair of the same ENV sets, and gets its old value.

    **What** (hadolint's DL3044): ``ENV A=/opt/app B=$A/bin``. BuildKit
    expands every value of one ENV with the variables as they were *before*
    the instruction, so ``B`` gets the previous ``A`` (usually nothing:
    ``/bin``), not ``/opt/app/bin`` as the line reads.

    **Why.** The image silently gets a wrong ``PATH`` or home directory; the
    build itself succeeds, so nothing points at the line.

    **Fix** (unsafe): split the ENV before the first pair that reads an
    earlier pair, so it sees it: ``ENV A=/opt/app`` then ``ENV B=$A/bin``, in
    the file's keyword case, indentation and continuation layout. It changes
    the value ``B`` gets, to the one the author wrote. Not fixed: a comment
    line between the two pairs (it would be lost), an ONBUILD trigger.

    Differences from hadolint, on purpose: a pair reading a variable that a
    *later* pair sets (``ENV B=$A A=1``) reads it before it is set, exactly
    as the line reads, so it is not reported; a reference with a modifier
    (``${A:-x}``) is read like any other (hadolint only matches ``$A`` and
    ``${A}``); single-quoted text is literal and not read (hadolint reads
    it); and a pair that keeps a variable's value (``ENV HZ_HOME=${HZ_HOME}``,
    an ARG promoted to ENV, or the same text as its earlier definition in the
    stage) is not reported, since old and new values agree, where hadolint
    exempts any earlier ENV or ARG of that name anywhere in the file.
    """

    code = "DF615"
    name = "env-self-reference"
    summary = "An ENV pair reads a variable the same ENV sets earlier, and gets its old value"
    safety = Safety.UNSAFE
    severity = "error"
    aliases = ("DL3044",)
    rewrites = frozenset({"env"})

    valid = (
        Valid("FROM debian\nENV A=/opt/app\nENV B=$A/bin\n"),
        Valid("FROM debian\nENV PATH=/opt/bin:$PATH\n", "a variable extending itself reads its old value, as meant"),
        Valid("FROM debian\nENV B=$A A=1\n", "read before it is set, as the line reads"),
        Valid("FROM debian\nENV A=1 B='$A'\n", "single quotes: literal text"),
        Valid("FROM debian\nENV A=1 B=\\$A\n", "an escaped dollar"),
        Valid("FROM debian\nENV A=1\nENV A=1 B=$A\n", "A already had that value"),
        Valid('FROM debian\nARG HZ_HOME=/opt/hz\nENV HZ_HOME="${HZ_HOME}" CP="${HZ_HOME}/lib"\n',
              "an ARG promoted to ENV keeps its value"),
        Valid("FROM debian\nENV A=1 B='-Xmx${A}'\n", "single-quoted: literal (hadolint reports it)"),
    )
    invalid = (
        Invalid(
            "FROM debian\nENV APP_HOME=/opt/app PATH=$APP_HOME/bin:$PATH\n",
            "FROM debian\nENV APP_HOME=/opt/app\nENV PATH=$APP_HOME/bin:$PATH\n",
            unsafe=True,
            message="`PATH` reads `$APP_HOME`, which this ENV sets earlier: every value of one ENV is expanded "
                    "before any of its pairs is set, so it gets the previous `APP_HOME`",
            line=2, column=1,
        ),
        Invalid(
            "FROM debian\nenv A=1 \\\n    B=${A}/x \\\n    C=3\n",
            "FROM debian\nenv A=1\nenv B=${A}/x \\\n    C=3\n",
            "the keyword's case and the continuation layout are kept",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\n  ENV A=1 B=$A C=$B\r\n",
            "FROM debian\n  ENV A=1\r\n  ENV B=$A\r\n  ENV C=$B\r\n",
            "a chain splits at every link; indentation and CRLF kept",
            unsafe=True,
        ),
        Invalid("FROM debian\nENV A=1 B=\"$A x\"\n", "FROM debian\nENV A=1\nENV B=\"$A x\"\n", unsafe=True),
        Invalid("FROM debian\nENV A=1 \\\n# note\n    B=$A\n", None, "a comment between the pairs would be lost"),
        Invalid("FROM debian\nONBUILD ENV A=1 B=$A\n", None, "an ONBUILD trigger: reported only"),
        Invalid("FROM debian\nENV A=2\nENV A=1 B=$A\n", "FROM debian\nENV A=2\nENV A=1\nENV B=$A\n",
                "A had another value before", unsafe=True),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        scopes = stage_scopes(context)
        for instruction in context.tree.walk():
            if not isinstance(instruction, Env) or instruction.legacy_form or len(instruction.pairs) < 2:
                continue
            earlier = self._earlier(context, scopes, instruction)
            splits: list[int] = []
            group: dict[str, str] = {}
            first_message = None
            for index, (key, value) in enumerate(instruction.pairs):
                found = references(value, escape) or ()
                culprit = next(
                    (r.name for r in found if r.name in group and not _unchanged(r.name, group[r.name], earlier)),
                    None,
                )
                if culprit is not None:
                    splits.append(index)
                    if first_message is None:
                        first_message = (
                            f"`{key}` reads `${culprit}`, which this ENV sets earlier: every value of one ENV is "
                            f"expanded before any of its pairs is set, so it gets the previous `{culprit}`"
                        )
                    group = {}
                group[key] = value
            if not splits:
                continue
            edits, why_not = self._split(context, instruction, splits)
            if why_not is not None:
                yield self.diagnostic(instruction, first_message, note=f"not fixed: {why_not}")
                continue
            yield self.diagnostic(
                instruction, first_message, edits, title="split the ENV",
                assumes="the later pairs were meant to see the values the earlier pairs set",
            )

    @staticmethod
    def _earlier(context: Context, scopes, instruction: Instruction) -> dict[str, Definition]:
        info = context.stage_of(instruction)
        if info is None or instruction.line_info is None:
            return {}
        scope = scopes[info.stage.index]
        position = next((i for i, other in enumerate(info.stage.instructions) if other is instruction), 0)
        return scope.defined_before(position)

    @staticmethod
    def _split(context: Context, instruction: Instruction, splits: list[int]) -> tuple[list[Edit], str | None]:
        if instruction.line_info is None:
            return [], "an ONBUILD trigger runs in another build; split it by hand"
        tokens = instruction.line_tokens
        pair_positions = [i for i, token in enumerate(tokens) if token.type == "PAIR"]
        if len(pair_positions) != len(instruction.pairs):
            return [], "the ENV's layout could not be read pair by pair"
        lead = str.__str__(tokens[0]) if tokens[0].type == "LEAD" else ""
        keyword = str.__str__(instruction.keyword_token)
        end = str.__str__(tokens[-1])
        newline = "\r\n" if end.endswith("\r\n") or (not end and "\r\n" in context.tree.code) else "\n"
        edits = []
        for index in splits:
            token_index = pair_positions[index]
            previous = pair_positions[index - 1]
            gap = tokens[previous + 1 : token_index]
            text = "".join(str.__str__(t) for t in gap)
            if any(line.lstrip().startswith("#") for line in text.splitlines()[1:]):
                return [], "a comment line between the pairs would be lost"
            start, stop = tokens[previous].end_pos, tokens[token_index].start_pos
            edits.append(Edit(start, stop, f"{newline}{lead}{keyword} "))
        return edits, None
