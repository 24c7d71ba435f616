"""Checking a fix against BuildKit's own parser (PyPI ``dockerfile``), when it is installed.

dfix's engine already verifies every fix with its own parser. This is the
second opinion the tests, the corpus benchmarks and ``--verify``-style runs
use: BuildKit's Go parser must accept the output, every instruction must be
one BuildKit knows with flags it accepts (its parser takes ``APT-GET`` as an
instruction and fails only at build time), and instructions a fix did not
target (here: everything but RUN) must mean exactly what they meant before.
"""

from __future__ import annotations

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


def non_run_changes(before: str, after: str, rewritten: frozenset[str] = frozenset()) -> list[str]:
    """How the non-RUN instructions of ``after`` differ from ``before`` beyond what fixes may do.

    Fixes may add USER and COPY instructions and move COPY/ADD; every other
    non-RUN instruction must still be there, unchanged, in the same order,
    except the kinds in ``rewritten`` (the ``rewrites`` of the rules whose
    fixes applied: an ENV split, a CMD run through a shell ...).
    """
    old = [item for item in non_run_view(before) if item[0] not in rewritten]
    new = [item for item in non_run_view(after) if item[0] not in rewritten]
    problems = []
    remaining = list(new)
    for item in old:
        if item in remaining:
            remaining.remove(item)
        else:
            problems.append(f"{item[0].upper()} {' '.join(item[2])[:60]!r} changed or went missing")
    for item in remaining:
        if item[0] not in _ADDABLE:
            problems.append(f"{item[0].upper()} {' '.join(item[2])[:60]!r} was added")
    fixed_order = [item for item in old if item[0] not in _MOVABLE]
    if not problems and not _is_subsequence(fixed_order, [item for item in new if item[0] not in _MOVABLE]):
        problems.append("instructions other than RUN, COPY and ADD changed order")
    return problems


def _is_subsequence(wanted: list, items: list) -> bool:
    """``wanted`` appears in ``items`` in order (other items may sit between)."""
    position = 0
    for item in items:
        if position < len(wanted) and item == wanted[position]:
            position += 1
    return position == len(wanted)


def fix_problems(
    before: str, after: str, *, non_run_may_change: bool = False, rewritten: frozenset[str] = frozenset(),
) -> list[str]:
    """Everything wrong with ``after`` as a fix of ``before`` (``rewritten``: see :func:`non_run_changes`)."""
    problems = sorted(buildkit_problems(after) - buildkit_problems(before))
    if not non_run_may_change:
        problems += non_run_changes(before, after, rewritten)
    return problems


def rewritten_by(diagnostics) -> frozenset[str]:
    """The instruction kinds the rules of these applied fixes may rewrite (their ``rewrites``)."""
    from .engine import rule_by_code

    kinds: set[str] = set()
    for diagnostic in diagnostics:
        rule = rule_by_code(diagnostic.code)
        if rule is not None:
            kinds |= rule.rewrites
    return frozenset(kinds)
