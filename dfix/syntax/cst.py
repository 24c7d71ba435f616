"""The concrete syntax tree: immutable nodes that print themselves exactly.

Every node holds the tokens it was parsed from, trivia included (whitespace,
escape-newline continuations, comment lines inside a continuation), so
``node.code`` is its text byte for byte and ``Dockerfile.code`` is the file.
Typed instruction nodes (``From``, ``Run``, ``Copy`` ...) add accessors for
what the text means to BuildKit. Nodes are made only by the parser (see
``dfix.parse_instruction`` for building one from text), so they are valid by
construction; a fix edits text and re-parses.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Iterator

import msgspec

from ..patterns import lazy_pattern
from . import buildkit
from .chars import strip_u
from .meaning import HeredocInfo, LineInfo, Meaning
from .tokens import Token


class Span(msgspec.Struct, frozen=True):
    """Where a node sits in the file: offsets (end exclusive), 1-based lines and columns."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


def _span_of(tokens: tuple[Token, ...]) -> Span:
    first, last = tokens[0], tokens[-1]
    text = str.__str__(last)
    newlines = text.count("\n")
    if newlines:
        end_line = last.line + newlines
        end_column = len(text) - text.rfind("\n")
    else:
        end_line = last.line
        end_column = last.column + len(text)
    return Span(first.start_pos, last.end_pos, first.line, first.column, end_line, end_column)


class Node:
    """Base of every tree node: it prints itself and knows its span."""

    __slots__ = ()

    @property
    def tokens(self) -> tuple[Token, ...]:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def code(self) -> str:
        """The node's text, exactly as in the file."""
        return "".join(self.tokens)

    @property
    def span(self) -> Span:
        return _span_of(self.tokens)


# -- lines outside instructions ------------------------------------------------


class Directive(msgspec.Struct, Node, frozen=True, eq=False):
    """A parser directive at the top of the file (``# syntax=``, ``# escape=``, ``# check=``)."""

    token: Token

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.token,)

    @property
    def key(self) -> str:
        """The directive's name, lower-cased."""
        return self.token.info[0]

    @property
    def value(self) -> str:
        return self.token.info[1]


class Comment(msgspec.Struct, Node, frozen=True, eq=False):
    """A comment line between instructions."""

    token: Token

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.token,)

    @property
    def text(self) -> str:
        """The comment without its ``#``, leading space and line end."""
        return self.token.lstrip().rstrip("\r\n")[1:].strip()


class BlankLine(msgspec.Struct, Node, frozen=True, eq=False):
    """An empty or whitespace-only line between instructions."""

    token: Token

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.token,)


# -- instructions --------------------------------------------------------------


class Heredoc(msgspec.Struct, Node, frozen=True, eq=False):
    """A heredoc body and its terminator line, following the instruction that opened it."""

    body: Token | None
    terminator: Token

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.terminator,) if self.body is None else (self.body, self.terminator)

    @property
    def info(self) -> HeredocInfo:
        return self.terminator.info

    @property
    def name(self) -> str:
        """The delimiter, quotes removed (``EOF`` for ``<<'EOF'``)."""
        return self.info.name

    @property
    def content(self) -> str:
        """The body verbatim, line endings included (BuildKit stores it unchomped)."""
        return "" if self.body is None else str.__str__(self.body)

    @property
    def chomp(self) -> bool:
        """Opened with ``<<-``: leading tabs are stripped at build time."""
        return self.info.chomp

    @property
    def expand(self) -> bool:
        """Variables in the body are expanded (the delimiter was not quoted)."""
        return self.info.expand

    @property
    def file_descriptor(self) -> int:
        return self.info.file_descriptor


class Flag(msgspec.Struct, frozen=True):
    """A ``--name=value`` flag: BuildKit's decoded text, and the token it came from."""

    name: str
    value: str | None
    token: Token

    @classmethod
    def from_token(cls, token: Token) -> "Flag":
        decoded: str = token.info
        name, equals, value = decoded[2:].partition("=")
        return cls(name, value if equals else None, token)

    @property
    def text(self) -> str:
        """The flag as BuildKit sees it (``--mount=type=cache,target=/x``)."""
        return self.token.info


class Mount(msgspec.Struct, frozen=True):
    """One ``RUN --mount``: its options as ``(key, value)`` read as a CSV record, keys lower-cased.

    A key without ``=`` (``rw``) has the value ``"true"``; ``type`` defaults
    to ``bind``; ``target`` is the raw ``target``/``dst``/``destination``.
    """

    options: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, value: str) -> "Mount":
        import csv  # BuildKit reads --mount's value as one CSV record; only a RUN with mounts needs it

        try:
            fields = next(csv.reader([value]), [])
        except csv.Error:
            fields = value.split(",")
        options = []
        for field in fields:
            key, equals, item = field.partition("=")
            options.append((key.strip().lower(), item.strip() if equals else "true"))
        return cls(tuple(options))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The last value of ``key``."""
        for name, value in reversed(self.options):
            if name == key:
                return value
        return default

    @property
    def type(self) -> str:
        return (self.get("type") or "bind").lower()

    @property
    def target(self) -> str | None:
        return self.get("target") or self.get("dst") or self.get("destination")


_ARGUMENT_TYPES = frozenset(
    {"JSON", "JSON_TRAIL", "SHELL", "WORD", "TEXT", "PAIR", "LEGACY_KEY", "LEGACY_VALUE", "HC_TYPE", "IGNORED"}
)


class Instruction(msgspec.Struct, Node, frozen=True, eq=False, dict=True):
    """One instruction: its line(s) (``LEAD? keyword flags arguments END``) and heredocs.

    An ONBUILD's trigger is itself an instruction node made of the trigger's
    tokens; it has no END and its heredocs belong to the ONBUILD.

    The typed instructions (``Run``, ``From`` ...) add no fields, only
    properties: they are records of the same shape.
    """

    line_tokens: tuple[Token, ...]
    heredocs: tuple[Heredoc, ...] = ()
    trigger: "Instruction | None" = None
    #: For an ONBUILD trigger: the ONBUILD's line facts (the trigger shares its lines).
    outer_line_info: LineInfo | None = None

    #: The canonical keyword of the subclass (``RUN``), None for unknown instructions.
    KEYWORD: ClassVar[str | None] = None

    @cached_property
    def span(self) -> Span:
        """Where the instruction sits (computed once: every rule and the engine's suppressions ask)."""
        return _span_of(self.tokens)

    @property
    def tokens(self) -> tuple[Token, ...]:
        if not self.heredocs:
            return self.line_tokens
        tokens = list(self.line_tokens)
        for heredoc in self.heredocs:
            tokens.extend(heredoc.tokens)
        return tuple(tokens)

    # -- what BuildKit reads ---------------------------------------------------

    @property
    def keyword_token(self) -> Token:
        tokens = self.line_tokens
        return tokens[1] if tokens[0].type == "LEAD" else tokens[0]

    @property
    def meaning(self) -> Meaning:
        """BuildKit's reading of keyword, flags and arguments."""
        return self.keyword_token.info

    @property
    def keyword(self) -> str:
        """The keyword as BuildKit reads it, spelled as written (``rUn``)."""
        return self.meaning.keyword

    @property
    def instruction(self) -> str:
        """The keyword upper-cased (``RUN``); unknown ones as written, upper-cased."""
        return self.KEYWORD or self.meaning.name.upper()

    @property
    def line_info(self) -> LineInfo | None:
        """The physical-line facts (logical line, segment map); None for an ONBUILD trigger."""
        last = self.line_tokens[-1]
        return last.info if last.type == "END" else None

    @property
    def original(self) -> str:
        """The joined logical line, as BuildKit's ``Original``."""
        info = self.line_info
        return info.original if info is not None else "".join(self._logical(t) for t in self.line_tokens)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The instruction's own flags (an ONBUILD's, not its trigger's)."""
        flags = []
        for token in self.line_tokens[1 if self.line_tokens[0].type == "LEAD" else 0 :][1:]:
            if token.type == "FLAG":
                flags.append(Flag.from_token(token))
            elif token.type not in ("FWS", "FLAG_END"):
                break
        return tuple(flags)

    def flag(self, name: str) -> str | None:
        """The value of the last ``--name=value`` flag, or None."""
        for flag in reversed(self.flags):
            if flag.name == name:
                return flag.value if flag.value is not None else ""
        return None

    def flag_values(self, name: str) -> tuple[str, ...]:
        """Every value of a repeatable flag (``--mount``)."""
        return tuple(f.value or "" for f in self.flags if f.name == name)

    @property
    def argument_tokens(self) -> tuple[Token, ...]:
        """The argument tokens (trivia and flags excluded); for ONBUILD, the trigger's too."""
        return tuple(t for t in self.line_tokens if t.type in _ARGUMENT_TYPES)

    @property
    def arguments(self) -> tuple[str, ...]:
        """Argument values as BuildKit's parser gives them."""
        return self.meaning.args

    @property
    def is_json(self) -> bool:
        """Written in JSON (exec) form."""
        return self.meaning.json

    @property
    def start_line(self) -> int:
        return self.line_tokens[0].line

    @property
    def end_line(self) -> int:
        """The last line of the instruction, heredoc terminators included."""
        if self.heredocs:
            return self.heredocs[-1].terminator.line
        info = self.line_info
        return info.end_line if info is not None else self.line_tokens[-1].line

    @property
    def comment_lines(self) -> tuple[int, ...]:
        """Line numbers of comment lines inside the continuation (BuildKit drops them)."""
        info = self.line_info
        return info.comment_lines if info else ()

    def logical_text(self, token: Token) -> str:
        """A token's text as BuildKit reads it: continuations and inner comment lines removed."""
        return self._logical(token)

    def _logical(self, token: Token) -> str:
        text = str.__str__(token)
        if "\n" not in text or token.type == "END":
            return "" if token.type == "END" else text
        info = self.line_info or self.outer_line_info
        if info is None:
            return text
        start, end = token.start_pos, token.end_pos
        parts = []
        for segment in info.segments:
            low = max(start, segment.start)
            high = min(end, segment.start + segment.length)
            if low < high:
                parts.append(text[low - start : high - start])
        return "".join(parts)

    def file_offset(self, token: Token, offset: int, *, insertion: bool = False) -> int:
        """File offset of ``offset`` in ``token``'s logical text (continuations removed).

        With ``insertion``, a point between two characters that a continuation
        separates maps to the end of the earlier line (before the escape), as
        syntax.md §9.2 advises; the end of a range is an insertion point too.
        """
        info = self.line_info or self.outer_line_info
        if info is None or len(info.segments) == 1:
            return token.start_pos + offset
        base = info.to_logical_offset(token.start_pos)
        if insertion and offset > 0:
            return info.to_file_offset(base + offset - 1) + 1
        return info.to_file_offset(base + offset)

    def value_of(self, token: Token) -> str:
        """Alias of :meth:`logical_text` for argument tokens."""
        return self._logical(token)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"


class _ExecForm:
    """Instructions whose arguments are JSON (exec) form or a shell string."""

    __slots__ = ()

    @property
    def exec_form(self) -> tuple[str, ...] | None:
        """The JSON array's strings, or None in shell form."""
        return self.meaning.args if self.meaning.json else None

    @property
    def shell_form(self) -> str | None:
        """The command string handed to the shell, or None in exec form."""
        meaning = self.meaning
        if meaning.json or not meaning.args:
            return None
        if meaning.name == "healthcheck":
            return meaning.args[1] if len(meaning.args) > 1 else None
        return meaning.args[0]


class Run(_ExecForm, Instruction):
    KEYWORD: ClassVar[str] = "RUN"

    @property
    def shell(self) -> str | None:
        """The script BuildKit hands to the shell (heredocs not included), or None in JSON form."""
        return self.shell_form

    @property
    def mounts(self) -> tuple[str, ...]:
        """The ``--mount`` values as written (``type=cache,target=/root/.cache``)."""
        return self.flag_values("mount")

    @property
    def mount_specs(self) -> tuple["Mount", ...]:
        """The ``--mount`` flags parsed as BuildKit reads them (a CSV record of ``key[=value]``)."""
        return tuple(Mount.parse(value) for value in self.mounts)

    @property
    def script_token(self) -> Token | None:
        """The SHELL token holding the script."""
        return next((t for t in self.line_tokens if t.type == "SHELL"), None)


class Cmd(_ExecForm, Instruction):
    KEYWORD: ClassVar[str] = "CMD"


class Entrypoint(_ExecForm, Instruction):
    KEYWORD: ClassVar[str] = "ENTRYPOINT"


class Shell(_ExecForm, Instruction):
    KEYWORD: ClassVar[str] = "SHELL"


class _SourcesAndDestination:
    __slots__ = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return self.meaning.args

    @property
    def sources(self) -> tuple[str, ...]:
        """Everything but the last argument (heredoc markers such as ``<<EOF`` included)."""
        return self.meaning.args[:-1]

    @property
    def destination(self) -> str | None:
        return self.meaning.args[-1] if self.meaning.args else None


class Add(_SourcesAndDestination, Instruction):
    KEYWORD: ClassVar[str] = "ADD"


class Copy(_SourcesAndDestination, Instruction):
    KEYWORD: ClassVar[str] = "COPY"

    @property
    def from_stage(self) -> str | None:
        """``--from=`` (a stage name, index or image), or None."""
        return self.flag("from")

    @property
    def chown(self) -> str | None:
        return self.flag("chown")


class Volume(Instruction):
    KEYWORD: ClassVar[str] = "VOLUME"


class Expose(Instruction):
    KEYWORD: ClassVar[str] = "EXPOSE"


class _Pairs:
    __slots__ = ()

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``(key, value)`` pairs with quotes and escapes kept, in either form."""
        args = self.meaning.args
        return tuple(zip(args[::2], args[1::2]))

    @property
    def legacy_form(self) -> bool:
        """Written as ``KEY value`` rather than ``KEY=value``."""
        return self.meaning.legacy


class Env(_Pairs, Instruction):
    KEYWORD: ClassVar[str] = "ENV"


class Label(_Pairs, Instruction):
    KEYWORD: ClassVar[str] = "LABEL"


class Arg(Instruction):
    KEYWORD: ClassVar[str] = "ARG"

    @property
    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        """``(name, default)``; the default is None when the ARG has none."""
        out = []
        for word in self.meaning.args:
            name, equals, default = word.partition("=")
            out.append((name, default if equals else None))
        return tuple(out)


class _StringArgument:
    __slots__ = ()

    @property
    def value(self) -> str | None:
        return self.meaning.args[0] if self.meaning.args else None


class Maintainer(_StringArgument, Instruction):
    KEYWORD: ClassVar[str] = "MAINTAINER"


class Stopsignal(_StringArgument, Instruction):
    KEYWORD: ClassVar[str] = "STOPSIGNAL"


class User(_StringArgument, Instruction):
    KEYWORD: ClassVar[str] = "USER"

    @property
    def user(self) -> str | None:
        """The user part of ``user[:group]``."""
        return None if self.value is None else self.value.split(":", 1)[0]


class Workdir(_StringArgument, Instruction):
    KEYWORD: ClassVar[str] = "WORKDIR"


class Healthcheck(_ExecForm, Instruction):
    KEYWORD: ClassVar[str] = "HEALTHCHECK"

    @property
    def type(self) -> str | None:
        """``CMD`` or ``NONE`` (upper-cased), or None when missing."""
        return self.meaning.args[0].upper() if self.meaning.args else None

    @property
    def exec_form(self) -> tuple[str, ...] | None:
        return self.meaning.args[1:] if self.meaning.json else None


class Onbuild(Instruction):
    KEYWORD: ClassVar[str] = "ONBUILD"


class Unknown(Instruction):
    """An instruction BuildKit does not know; it parses, and fails at build time."""


# -- FROM and image references ---------------------------------------------------

_DIGEST = lazy_pattern(r"@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})$")


class ImageRef(msgspec.Struct, frozen=True):
    """An image reference split as Docker does: ``registry/repository:tag@digest``.

    ``registry`` is None for Docker Hub names (``python``, ``library/python``,
    ``user/app``); a first component holding ``.`` or ``:``, or ``localhost``,
    or upper-case letters, is a registry host (with its port). References that
    hold ``$VARS`` are not split (``has_variables``): their value is only known
    at build time.
    """

    text: str
    registry: str | None = None
    repository: str = ""
    tag: str | None = None
    digest: str | None = None
    has_variables: bool = False

    @classmethod
    def parse(cls, text: str) -> "ImageRef":
        if "$" in text:
            return cls(text, has_variables=True, repository=text)
        rest = text
        digest = None
        if "@" in rest:
            rest, _, digest = rest.partition("@")
        registry = None
        first, slash, remainder = rest.partition("/")
        if slash and (any(c in first for c in ".:") or first == "localhost" or first.lower() != first):
            registry, rest = first, remainder
        tag = None
        last_slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > last_slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
        return cls(text, registry, rest, tag, digest)

    @property
    def is_scratch(self) -> bool:
        return self.text.lower() == "scratch"

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


class From(Instruction):
    KEYWORD: ClassVar[str] = "FROM"

    @property
    def image_token(self) -> Token | None:
        return next((t for t in self.line_tokens if t.type == "WORD"), None)

    @cached_property
    def image(self) -> ImageRef | None:
        """The base image (or stage name, or ``scratch``), split into its parts (once: many rules ask)."""
        args = self.meaning.args
        return ImageRef.parse(args[0]) if args else None

    @property
    def stage_name(self) -> str | None:
        """The ``AS name`` (lower-cased, as BuildKit keys stages), or None."""
        args = self.meaning.args
        if len(args) == 3 and args[1].lower() == "as":
            return args[2].lower()
        return None

    @property
    def platform(self) -> str | None:
        return self.flag("platform")


INSTRUCTION_CLASSES: dict[str, type[Instruction]] = {
    cls.KEYWORD.lower(): cls
    for cls in (
        From, Run, Cmd, Entrypoint, Shell, Add, Copy, Volume, Expose, Env, Label, Arg,
        Maintainer, Stopsignal, User, Workdir, Healthcheck, Onbuild,
    )
}


# -- the file --------------------------------------------------------------------

Item = Directive | Comment | BlankLine | Instruction


class Stage(msgspec.Struct, frozen=True):
    """A build stage: its FROM and the instructions up to the next FROM."""

    index: int
    from_: From
    instructions: tuple[Instruction, ...]

    @property
    def name(self) -> str | None:
        return self.from_.stage_name

    @property
    def base(self) -> ImageRef | None:
        return self.from_.image


class ParseWarning(msgspec.Struct, frozen=True):
    """Something BuildKit accepts but warns about."""

    line: int
    column: int
    message: str


class Dockerfile(msgspec.Struct, Node, frozen=True, eq=False, dict=True, weakref=True):
    """A whole Dockerfile. ``code`` gives the text back byte for byte."""

    items: tuple[Item, ...]
    bom: Token | None = None
    escape: str = "\\"
    dialect: str = "latest"
    path: str | None = None

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        tokens: list[Token] = [self.bom] if self.bom is not None else []
        for item in self.items:
            tokens.extend(item.tokens)
        return tuple(tokens)

    @cached_property
    def code(self) -> str:
        """The text, byte for byte (computed once: rules ask for it per instruction)."""
        return "".join(self.tokens)

    @cached_property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(item for item in self.items if isinstance(item, Instruction))

    @property
    def directives(self) -> tuple[Directive, ...]:
        return tuple(item for item in self.items if isinstance(item, Directive))

    def directive(self, key: str) -> str | None:
        """The value of a parser directive (``syntax``, ``escape``, ``check``), or None."""
        return next((d.value for d in self.directives if d.key == key), None)

    @property
    def global_args(self) -> tuple[Arg, ...]:
        """ARGs before the first FROM (usable in FROM lines)."""
        out = []
        for instruction in self.instructions:
            if isinstance(instruction, From):
                break
            if isinstance(instruction, Arg):
                out.append(instruction)
        return tuple(out)

    @cached_property
    def stages(self) -> tuple[Stage, ...]:
        """Instructions grouped by FROM; anything before the first FROM is not in a stage."""
        stages: list[Stage] = []
        current: From | None = None
        body: list[Instruction] = []
        for instruction in self.instructions:
            if isinstance(instruction, From):
                if current is not None:
                    stages.append(Stage(len(stages), current, tuple(body)))
                current, body = instruction, []
            elif current is not None:
                body.append(instruction)
        if current is not None:
            stages.append(Stage(len(stages), current, tuple(body)))
        return tuple(stages)

    @property
    def warnings(self) -> tuple[ParseWarning, ...]:
        """BuildKit's parse warnings: empty lines inside a continued instruction."""
        out = []
        for instruction in self.instructions:
            info = instruction.line_info
            if info is not None and info.empty_continuation_lines:
                out.append(
                    ParseWarning(
                        info.empty_continuation_lines[0],
                        1,
                        f"Empty continuation line found in: {info.original}",
                    )
                )
        return tuple(out)

    def comments_before(self, instruction: Instruction) -> tuple[str, ...]:
        """The comment lines BuildKit attaches to ``instruction`` (its ``PrevComment``).

        Comments since the previous instruction, each without ``#`` and
        trimmed; a blank line keeps them, a bare ``#`` clears them. Current
        BuildKit leaves directives out (it lints these as doc comments);
        0.12.5 keeps them.
        """
        comments: list[str] = []
        for item in self.items:
            if item is instruction:
                return tuple(comments)
            if isinstance(item, Instruction):
                comments = []
            elif isinstance(item, Comment) or (isinstance(item, Directive) and self.dialect != "latest"):
                raw = str.__str__(item.token)
                text = strip_u(raw[1:])
                if text:
                    comments.append(text)
                else:
                    comments = []
        raise ValueError("instruction is not in this Dockerfile")

    def buildkit_commands(self) -> list[buildkit.Command]:
        """Per instruction, what BuildKit's parser reports (the ``dockerfile`` binding's fields)."""
        return [
            buildkit.command(
                i.meaning, i.original, i.start_line, i.end_line,
                (buildkit.Heredoc(h.name, h.file_descriptor, h.content) for h in i.heredocs),
            )
            for i in self.instructions
        ]

    def dump(self) -> str:
        """BuildKit's own AST dump (the format of its parser test files)."""
        return buildkit.dump((i.meaning for i in self.instructions), latest=self.dialect == "latest")

    def walk(self) -> Iterator[Instruction]:
        """Every instruction, ONBUILD triggers included."""
        for instruction in self.instructions:
            node: Instruction | None = instruction
            while node is not None:
                yield node
                node = node.trigger
