"""Checking a fix against BuildKit's own parser (PyPI ``dockerfile``), when it is installed.

dfix's engine already verifies every fix with its own parser. This is the
second opinion the tests, the corpus benchmarks and ``--verify``-style runs
use: BuildKit's Go parser must accept the output, every instruction must be
one BuildKit knows with flags it accepts (its parser takes ``APT-GET`` as an
instruction and fails only at build time), and instructions a fix did not
target (here: everything but RUN) must mean exactly what they meant before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from .engine.verify import VALID_FLAGS
from .syntax import parse
from .syntax.meaning import KNOWN_INSTRUCTIONS


def available() -> bool:
    try:
        import dockerfile  # noqa: F401
    except ImportError:
        return False
    return True


def binding_can_take(text: str) -> bool:
    """The binding cuts strings at NUL and crashes on undecodable bytes: such texts are not checked."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def buildkit_problems(text: str) -> set[str]:
    """Why BuildKit's parser (or its instruction checks) would refuse ``text``.

    Each problem is named without its line number, so the problems of a file
    and of its fixed version compare. Texts the binding cannot take (NUL
    bytes, undecodable bytes, which crash it) are not checked.
    """
    import dockerfile

    if not binding_can_take(text):
        return set()
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        return {f"BuildKit refuses it: {error}"}
    problems = set()
    for command in commands:
        name = (command.cmd or "").lower()
        if name not in KNOWN_INSTRUCTIONS:
            problems.add(f"unknown instruction {command.cmd!r}")
            continue
        allowed = VALID_FLAGS.get(name, frozenset())
        if allowed is not None:
            for flag in command.flags:
                if flag[2:].split("=", 1)[0] not in allowed:
                    problems.add(f"{name.upper()} does not accept {flag}")
    return problems


def non_run_view(text: str) -> list[tuple]:
    """BuildKit's view of every instruction except RUN and ``ONBUILD RUN`` (line numbers left out)."""
    tree = parse(text)
    return [
        (command.cmd.lower(), command.flags, command.value, command.heredocs)
        for command, instruction in zip(tree.buildkit_commands(), tree.instructions)
        if "run" not in (instruction.meaning.name, getattr(instruction.meaning.trigger, "name", None))
    ]


#: Instructions fixes may add (a non-root USER, a COPY of dependency manifests, the ENV/ARG/WORKDIR that
#: replaces a RUN whose export or cd had no lasting effect) or move (COPY/ADD).
_ADDABLE = frozenset({"user", "copy", "env", "arg", "workdir"})
_MOVABLE = frozenset({"copy", "add"})


def non_run_changes(before: str, after: str, rewritable: frozenset[str] = frozenset()) -> list[str]:
    """How the non-RUN instructions of ``after`` differ from ``before`` beyond what fixes may do.

    Fixes may add USER and COPY instructions, move COPY/ADD, give a COPY/ADD
    ``--chown``/``--chmod`` or turn a COPY of an archive into an ADD of it;
    every other non-RUN instruction must still be there, unchanged, in the
    same order. Instructions of the kinds in ``rewritable`` (those the applied
    rules rewrite on purpose, see :func:`rewritable_kinds`) are left out.
    """
    old = [item for item in non_run_view(before) if item[0] not in rewritable]
    new = [item for item in non_run_view(after) if item[0] not in rewritable]
    problems = []
    remaining = list(new)
    for item in old:
        if item in remaining:
            remaining.remove(item)
            continue
        rewritten = next((other for other in remaining if _copy_rewrite(item, other)), None)
        if rewritten is not None:
            remaining.remove(rewritten)
        else:
            problems.append(f"{item[0].upper()} {' '.join(item[2])[:60]!r} changed or went missing")
    for item in remaining:
        if item[0] not in _ADDABLE:
            problems.append(f"{item[0].upper()} {' '.join(item[2])[:60]!r} was added")
    fixed_order = [item for item in old if item[0] not in _MOVABLE]
    if not problems and not _is_subsequence(fixed_order, [item for item in new if item[0] not in _MOVABLE]):
        problems.append("instructions other than RUN, COPY and ADD changed order")
    return problems


#: Flags a fix may add to a COPY/ADD: the owner and mode a later ``chown``/``chmod`` set (DF103).
_PERMISSION_FLAGS = ("--chown=", "--chmod=")


def _copy_rewrite(old: tuple, new: tuple) -> bool:
    """``new`` is ``old`` rewritten the ways fixes may: a COPY/ADD given ``--chown``/``--chmod`` (DF103), or a
    flagless COPY of an archive turned into an ADD of the same source that unpacks it (DF105)."""
    if old[0] not in _MOVABLE or new[0] not in _MOVABLE or old[3] or new[3]:
        return False
    if old[0] == new[0] and old[2] == new[2]:
        added = [flag for flag in new[1] if flag not in old[1]]
        return bool(added) and all(flag.startswith(_PERMISSION_FLAGS) for flag in added) and set(old[1]) <= set(new[1])
    return old[0] == "copy" and new[0] == "add" and not old[1] and not new[1] and old[2][:-1] == new[2][:-1]


def _is_subsequence(wanted: list, items: list) -> bool:
    """``wanted`` appears in ``items`` in order (other items may sit between)."""
    position = 0
    for item in items:
        if position < len(wanted) and item == wanted[position]:
            position += 1
    return position == len(wanted)


def fix_problems(before: str, after: str, *, non_run_may_change: bool = False,
                 applied: Iterable[str] = ()) -> list[str]:
    """Everything wrong with ``after`` as a fix of ``before``; ``applied``: the codes of the fixes applied."""
    problems = sorted(buildkit_problems(after) - buildkit_problems(before))
    if not non_run_may_change:
        problems += non_run_changes(before, after, rewritable_kinds(applied))
    return problems


def rewritable_kinds(codes: Iterable[str]) -> frozenset[str]:
    """The non-RUN instruction kinds the rules ``codes`` rewrite on purpose (``MAINTAINER`` into ``LABEL`` ...)."""
    kinds: set[str] = set()
    for code in set(codes):
        kinds |= _example_rewrites(code)
    return frozenset(kinds)


@lru_cache(maxsize=None)
def _example_rewrites(code: str) -> frozenset[str]:
    """The kinds of non-RUN instructions a rule's own examples change: what the rule declares it rewrites.

    A rule shows its fixes in its examples (input and exact output), so they
    are the declaration: a kind its examples never change is one its fixes
    must leave alone on real files too. A rule's ``rewrites`` adds kinds its
    examples do not show.
    """
    from .engine import all_rules

    rule = next((r for r in all_rules() if r.code == code), None)
    if rule is None:
        return frozenset()
    kinds: set[str] = set(rule.rewrites)
    for example in rule.invalid:
        if example.expected is None or example.expected == example.code:
            continue
        try:
            old, new = non_run_view(example.code), non_run_view(example.expected)
        except Exception:  # noqa: BLE001 - an example BuildKit's view cannot read declares nothing
            continue
        remaining = list(new)
        for item in old:
            if item in remaining:
                remaining.remove(item)
            else:
                kinds.add(item[0])
        kinds.update(item[0] for item in remaining if item[0] not in _ADDABLE)
    return frozenset(kinds)
