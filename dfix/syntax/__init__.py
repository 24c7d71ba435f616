"""The syntax layer: a lossless, BuildKit-faithful Dockerfile parser."""

from .cst import (
    Add, Arg, BlankLine, Cmd, Comment, Copy, Directive, Dockerfile, Entrypoint, Env, Expose, Flag, From,
    Healthcheck, Heredoc, ImageRef, Instruction, Label, Maintainer, Mount, Onbuild, ParseWarning, Run, Shell, Span,
    Stage, Stopsignal, Unknown, User, Volume, Workdir,
)
from .errors import ParseError
from .files import encode_dockerfile, read_dockerfile, text_problem
from .meaning import KNOWN_INSTRUCTIONS  # for rules that read keywords; not part of the package front
from .parser import parse, parse_instruction
from .swallowed import SwallowedLine, swallowed_line  # for the RUN view and DF631; not part of the package front
from .build_checks import INSTRUCTION_FLAGS, Refusal, RefusalKind, first_refusal, instruction_refusal, refusals
from .tokens import Token

__all__ = [
    "Add", "Arg", "BlankLine", "Cmd", "Comment", "Copy", "Directive", "Dockerfile", "Entrypoint", "Env",
    "Expose", "Flag", "From", "Healthcheck", "Heredoc", "ImageRef", "Instruction", "Label", "Maintainer",
    "Mount", "Onbuild", "ParseError", "ParseWarning", "Run", "Shell", "Span", "Stage", "Stopsignal", "Token",
    "Unknown", "User", "Volume", "Workdir", "parse", "parse_instruction",
    "encode_dockerfile", "read_dockerfile", "text_problem",
    "INSTRUCTION_FLAGS", "Refusal", "RefusalKind", "first_refusal", "instruction_refusal", "refusals",
]
