"""Find the program a command really runs under wrappers like ``sudo``, ``env`` and ``nice``.

``sudo -E env DEBIAN_FRONTEND=noninteractive apt-get install -y curl`` runs
apt-get: rules must see it as such, and a fix that removes ``sudo`` (DF403)
must know exactly which words belong to the wrapper.  Each wrapper's option
grammar is listed here so option arguments (``sudo -u www-data``,
``timeout -s KILL 10``) are not mistaken for the wrapped program.
"""

from __future__ import annotations

from typing import Sequence

import msgspec

from dfix.shell.options import Option, OptionGrammar, iter_arguments
from dfix.shell.words import Word

__all__ = ["Wrapper", "WRAPPER_NAMES", "strip_wrappers", "program_name", "assignment_parts"]


class Wrapper(msgspec.Struct, frozen=True):
    """A wrapper in front of the effective program: its name, all its words, its options.

    ``words`` runs from the wrapper's own name up to (not including) the next
    program word, so deleting ``words[0].start .. words[-1].end`` (and the
    following blank) removes the wrapper cleanly.
    """

    name: str
    words: tuple[Word, ...]
    options: tuple[Option, ...]

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end


class _WrapperGrammar(msgspec.Struct, frozen=True):
    """How a wrapper command (``sudo``, ``env``, ``timeout``) is read up to the program it runs."""

    options: OptionGrammar
    positionals: int = 0  # operands before the program: `timeout 10`, `gosu user`
    assignments: bool = False  # NAME=value words before the program (`env`, `sudo`)
    query_options: frozenset[str] = frozenset()  # make it not run a program: `command -v`
    opaque_options: frozenset[str] = frozenset()  # program hidden in a string: `env -S`


def _grammar(
    short: str = "",
    long: tuple[str, ...] = (),
    optional: str = "",
    positionals: int = 0,
    assignments: bool = False,
    query: tuple[str, ...] = (),
    opaque: tuple[str, ...] = (),
) -> _WrapperGrammar:
    return _WrapperGrammar(
        OptionGrammar(frozenset(short), frozenset(long), frozenset(optional), permute=False),
        positionals,
        assignments,
        frozenset(query),
        frozenset(opaque),
    )


# Option grammars from the man pages of sudo 1.9, GNU coreutils 9 (env, nice,
# nohup, timeout, stdbuf), GNU findutils 4.9 (xargs), GNU time 1.9, bash 5.2
# (command, builtin, exec) and doas, gosu, su-exec, eatmydata.
_WRAPPERS: dict[str, _WrapperGrammar] = {
    "sudo": _grammar(
        short="gpuCDhrRtTU",
        long=(
            "--group", "--prompt", "--user", "--close-from", "--chdir", "--host",
            "--role", "--chroot", "--type", "--command-timeout", "--other-user",
        ),
        assignments=True,
        query=("-l", "--list", "-v", "--validate", "-k", "--reset-timestamp",
               "-K", "--remove-timestamp", "-e", "--edit", "-V", "--version", "--help"),
    ),
    "doas": _grammar(short="uC", query=("-C",)),
    "env": _grammar(
        short="uCS",
        long=("--unset", "--chdir", "--split-string", "--block-signal",
              "--default-signal", "--ignore-signal"),
        assignments=True,
        opaque=("-S", "--split-string"),
    ),
    "command": _grammar(query=("-v", "-V")),
    "builtin": _grammar(),
    "exec": _grammar(short="a"),
    "nice": _grammar(short="n", long=("--adjustment",)),
    "nohup": _grammar(),
    "time": _grammar(short="fo", long=("--format", "--output")),
    "timeout": _grammar(short="sk", long=("--signal", "--kill-after"), positionals=1),
    "stdbuf": _grammar(short="ioe", long=("--input", "--output", "--error")),
    "xargs": _grammar(
        short="IanLPdEs",
        long=("--arg-file", "--delimiter", "--max-args", "--max-lines",
              "--max-procs", "--max-chars", "--eof", "--process-slot-var"),
        optional="ile",
    ),
    "eatmydata": _grammar(),
    "gosu": _grammar(positionals=1),
    "su-exec": _grammar(positionals=1),
}

WRAPPER_NAMES = frozenset(_WRAPPERS)


def program_name(word: Word) -> str | None:
    """The basename of a literal program word (``/usr/bin/apt-get`` → ``apt-get``)."""
    value = word.value
    if not value:
        return None
    return value.rsplit("/", 1)[-1] or None


def assignment_parts(word: Word) -> tuple[str, str | None] | None:
    """Split a ``NAME=value`` word (as given to ``env``) into name and literal value."""
    shown = word.value if word.value is not None else word.text
    name, equals, value = shown.partition("=")
    if not equals or not name.isidentifier():
        return None
    return name, value if word.value is not None else None


def strip_wrappers(words: Sequence[Word]) -> tuple[tuple[Wrapper, ...], int | None]:
    """Peel wrappers off ``words``; return them and the index of the effective program.

    When a wrapper runs no program (``sudo -l``, ``command -v apt-get``, a
    bare ``env``) or hides it in a string (``env -S '...'``), that wrapper is
    the effective program.  A program word that is not a literal
    (``sudo $TOOL``) stops the search; the caller sees a dynamic name.  The
    index is ``None`` only for an empty word list.
    """
    wrappers: list[Wrapper] = []
    index = 0
    count = len(words)
    while index < count:
        name = program_name(words[index])
        grammar = _WRAPPERS.get(name) if name else None
        if grammar is None:
            return tuple(wrappers), index
        program_index, options = _wrapped_program(words, index, grammar)
        if program_index is None:
            # This wrapper runs nothing visible, so it is the effective command
            # (`command -v apt-get`, `sudo -l`, `sudo command -v x`).
            return tuple(wrappers), index
        wrappers.append(Wrapper(name, tuple(words[index:program_index]), options))
        index = program_index
    return tuple(wrappers), None  # no words at all


def _wrapped_program(
    words: Sequence[Word], index: int, grammar: _WrapperGrammar
) -> tuple[int | None, tuple[Option, ...]]:
    """Index of the program word a wrapper at ``words[index]`` runs, and its options."""
    options: list[Option] = []
    positionals_left = grammar.positionals
    for position, item in iter_arguments(words, grammar.options, index + 1):
        if isinstance(item, Option):
            if item.name in grammar.query_options or item.name in grammar.opaque_options:
                return None, ()
            if any(item.matches(query) for query in grammar.query_options if len(query) == 2):
                return None, ()
            options.append(item)
            continue
        if positionals_left:
            positionals_left -= 1
            continue
        if grammar.assignments and assignment_parts(item) is not None:
            continue
        return position, tuple(options)
    return None, ()
