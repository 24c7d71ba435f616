"""Split a program's argument words into options (with their arguments) and operands.

This works on words tree-sitter has already delimited; it only applies the
getopt conventions programs use for their own argv: short flags combine
(``-qqy`` is ``-q -q -y``), an option may take its argument attached
(``-oDpkg::Options::=x``, ``--target-release=x``) or as the next word
(``-o x``, ``--target-release x``), ``--`` ends the options, and GNU-style
programs accept options after operands.  Which options take an argument is
program knowledge, passed in as an `OptionGrammar`.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

import msgspec

from dfix.shell.words import Word

__all__ = ["OptionGrammar", "Option", "iter_arguments", "find_option", "option_matches"]


class OptionGrammar(msgspec.Struct, frozen=True):
    """What a program's option parser needs to know to pair options with arguments.

    ``short_with_argument``: letters whose option takes an argument (attached
    or the next word).  ``short_optional_argument``: letters that take an
    argument only when attached (xargs ``-i[R]``).  ``long_with_argument``:
    long options (``--target-release``) whose argument may be the next word.
    ``permute``: options may follow operands (GNU getopt); when false, the
    first operand ends the options (wrappers such as ``sudo``, ``env``).
    """

    short_with_argument: frozenset[str] = frozenset()
    long_with_argument: frozenset[str] = frozenset()
    short_optional_argument: frozenset[str] = frozenset()
    permute: bool = True


class Option(msgspec.Struct, frozen=True):
    """One option as written, with its argument if it has one.

    ``name`` is the option without its argument: ``--target-release`` for
    ``--target-release=x``, ``-o`` for ``-oFoo``, ``-qqy`` for ``-qqy``.
    ``letters`` lists the short flags the word switches on (``"qqy"``; empty
    for long options).  ``argument`` is the literal argument, ``None`` when
    there is none or it is not a literal (``has_argument`` tells which).
    ``words`` holds the option word and, when the argument is separate, the
    argument word: delete or move them together.
    """

    name: str
    letters: str
    argument: str | None
    has_argument: bool
    words: tuple[Word, ...]

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end

    @property
    def argument_word(self) -> Word | None:
        """The separate argument word (``x`` in ``-t x``), if the argument is separate."""
        return self.words[1] if len(self.words) > 1 else None

    def matches(self, name: str) -> bool:
        """True when this option is ``name``; see `option_matches`."""
        return option_matches(self, name)


END_OF_OPTIONS = "--"


def option_matches(option: Option, name: str) -> bool:
    """Does ``option`` switch on ``name``?

    ``--long`` matches the long option exactly (also when written
    ``--long=value``); a one-letter ``-y`` matches any short cluster that
    contains ``y`` (``-qqy``, ``-yq``); a longer short name such as ``-nv`` or
    ``-qq`` must be written exactly so (wget's ``-nv`` is one option, not
    ``-n -v``).  Abbreviated long options (pip's ``--no-cache``) are not
    expanded: compare ``option.name`` yourself where a program allows them.
    """
    if name.startswith("--"):
        return option.name == name
    if len(name) == 2 and option.letters:
        return name[1] in option.letters
    return option.name == name


def find_option(options: Iterable[Option], *names: str) -> Option | None:
    """The first option that matches any of ``names``, or ``None``."""
    for option in options:
        for name in names:
            if option_matches(option, name):
                return option
    return None


def iter_arguments(
    words: Sequence[Word], grammar: OptionGrammar, start: int = 0
) -> Iterator[tuple[int, Option | Word]]:
    """Yield ``(index, item)`` for ``words[start:]``: an `Option` or an operand `Word`.

    ``index`` is the position of the item's first word.  ``--`` is yielded as
    an option named ``--``; every word after it is an operand.  With
    ``grammar.permute`` false, everything from the first operand on is an
    operand.  A word whose text is not a literal (``$OPTS``) is an operand
    unless it visibly starts with ``-``.
    """
    index = start
    count = len(words)
    options_open = True
    while index < count:
        word = words[index]
        if not options_open or not word.is_option:
            yield index, word
            if not grammar.permute:
                options_open = False
            index += 1
            continue
        shown = word.value if word.value is not None else word.text
        if shown == END_OF_OPTIONS:
            yield index, Option(END_OF_OPTIONS, "", None, False, (word,))
            options_open = False
            index += 1
            continue
        if shown.startswith("--"):
            option, used = _long_option(words, index, shown, grammar)
        else:
            option, used = _short_option(words, index, shown, grammar)
        yield index, option
        index += used


def _long_option(
    words: Sequence[Word], index: int, shown: str, grammar: OptionGrammar
) -> tuple[Option, int]:
    word = words[index]
    name, equals, attached = shown.partition("=")
    if equals:
        literal = attached if word.value is not None else None
        return Option(name, "", literal, True, (word,)), 1
    if name in grammar.long_with_argument and index + 1 < len(words):
        following = words[index + 1]
        return Option(name, "", following.value, True, (word, following)), 2
    return Option(name, "", None, False, (word,)), 1


def _short_option(
    words: Sequence[Word], index: int, shown: str, grammar: OptionGrammar
) -> tuple[Option, int]:
    word = words[index]
    body = shown[1:]
    literal = word.value is not None
    if len(body) >= 2 and body[1] == "=":
        # apt's `-q=2` / `-o=...`: one letter, then `=` and the argument.
        argument = body[2:] if literal else None
        return Option("-" + body[0], body[0], argument, True, (word,)), 1
    for position, letter in enumerate(body):
        if letter in grammar.short_with_argument:
            letters, attached = body[: position + 1], body[position + 1 :]
            if attached:
                return Option("-" + letters, letters, attached if literal else None, True, (word,)), 1
            if index + 1 < len(words):
                following = words[index + 1]
                return Option("-" + letters, letters, following.value, True, (word, following)), 2
            return Option("-" + letters, letters, None, False, (word,)), 1
        if letter in grammar.short_optional_argument:
            letters, attached = body[: position + 1], body[position + 1 :]
            return Option("-" + letters, letters, attached or None, bool(attached), (word,)), 1
        if not literal and not letter.isalnum():
            # `-o"$X"`-like text: the rest is quoting or expansion, not flags.
            letters = body[:position]
            return Option("-" + letters, letters, None, True, (word,)), 1
    return Option(shown, body, None, False, (word,)), 1
