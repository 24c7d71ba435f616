"""DF614 duplicate-singleton-instruction: more than one CMD, ENTRYPOINT or HEALTHCHECK in a stage."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.syntax import Cmd, Entrypoint, Healthcheck, Instruction

#: The instructions of which only the last one of a stage counts.
_SINGLETONS = (Cmd, Entrypoint, Healthcheck)


class DuplicateSingletonInstruction(Rule):
    """A second ``CMD``, ``ENTRYPOINT`` or ``HEALTHCHECK`` in a stage: only the last one counts.

    **What** (hadolint's DL4003, DL4004 and DL3012; BuildKit's
    MultipleInstructionsDisallowed): more than one of these in one stage
    (ONBUILD triggers apart: they run in another build). Like BuildKit,
    dfix reports the earlier ones, the ones that have no effect (hadolint
    reports the later ones).

    **Why.** Each one replaces the previous one in the image's
    configuration, so the earlier ones only mislead a reader about what the
    container runs.

    **Fix** (safe): delete the earlier occurrences; comment lines inside them
    stay. The image is the same, including BuildKit's rule that an
    ENTRYPOINT clears an inherited CMD unless the stage sets one, because
    that only depends on whether a CMD comes before the last ENTRYPOINT.
    """

    code = "DF614"
    name = "duplicate-singleton-instruction"
    summary = "more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage"
    safety = Safety.SAFE
    aliases = ("DL3012", "DL4003", "DL4004", "MultipleInstructionsDisallowed")

    valid = (
        Valid('FROM debian AS build\nCMD ["make"]\nFROM debian\nCMD ["run"]\n', "one per stage"),
        Valid('FROM debian\nCMD ["a"]\nONBUILD CMD ["b"]\n', "a trigger runs in another build"),
        Valid("FROM debian\nHEALTHCHECK CONNECT TCP 7000\nHEALTHCHECK CMD true\n",
              "a HEALTHCHECK BuildKit rejects: the build fails before this matters"),
    )
    invalid = (
        Invalid(
            'FROM debian\nCMD ["bash"]\nRUN make\n# start the server\nCMD ["server"]\n',
            'FROM debian\nRUN make\n# start the server\nCMD ["server"]\n',
            message="Multiple CMD instructions should not be used in the same stage because only the last one "
                    "will be used",
            line=2,
            column=1,
        ),
        Invalid(
            "FROM debian\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s \\\n# probe\n  CMD true\n"
            "HEALTHCHECK CMD curl -f http://localhost/\n",
            "FROM debian\n# probe\nHEALTHCHECK CMD curl -f http://localhost/\n",
            "comment lines inside a deleted instruction stay",
        ),
        Invalid(
            'FROM debian\nENTRYPOINT ["a"]\nCMD ["x"]\nENTRYPOINT ["b"]\n',
            'FROM debian\nCMD ["x"]\nENTRYPOINT ["b"]\n',
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            for kind in _SINGLETONS:
                found = [i for i in info.stage.instructions if isinstance(i, kind)]
                if not all(_well_formed(i) for i in found):
                    continue  # the build fails on it first; deleting the others would hide nothing but noise
                for earlier in found[:-1]:
                    yield self.diagnostic(
                        earlier,
                        f"Multiple {kind.KEYWORD} instructions should not be used in the same stage because only "
                        "the last one will be used",
                        [Edit(earlier.span.start, earlier.span.end, _kept_comments(context, earlier))],
                        title=f"delete the earlier {kind.KEYWORD}",
                    )


def _well_formed(instruction: Instruction) -> bool:
    """BuildKit accepts it: a HEALTHCHECK is ``NONE`` alone or ``CMD`` with a command."""
    if not isinstance(instruction, Healthcheck):
        return True
    arguments = instruction.arguments
    if instruction.type == "NONE":
        return len(arguments) == 1
    return instruction.type == "CMD" and len(arguments) > 1 and any(argument.strip() for argument in arguments[1:])


def _kept_comments(context: Context, instruction: Instruction) -> str:
    """The comment lines inside ``instruction``'s continuation, as whole lines."""
    if not instruction.comment_lines:
        return ""
    lines = context.tree.code.split("\n")
    return "".join(lines[number - 1] + ("\n" if number < len(lines) else "") for number in instruction.comment_lines)
