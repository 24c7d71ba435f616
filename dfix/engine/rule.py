"""The rule protocol: a class with a code, a safety class and its own examples.

A rule reads top-down as documentation (Fixit's manners): its docstring says
what it catches and why, ``valid`` holds inputs it must leave alone, and
``invalid`` holds inputs it must report, each with the exact text the fix
must produce. The test suite runs every rule's examples.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator, Mapping, Sequence

import msgspec

from ..syntax import Instruction, Span
from .effects import SAME_IMAGE, ImageEffects
from .model import Diagnostic, Edit, Fix, Safety
from .subcodes import SubcodeFilter

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context
    from .suppress import Suppressions


class Valid(msgspec.Struct, frozen=True):
    """An input the rule must not report."""

    code: str
    why: str = ""
    #: Other rules that run alongside (a meta rule judges what they found).
    also: tuple[str, ...] = ()
    #: The rule's options for this example (as configured in ``[lint.rules.CODE]``).
    options: Mapping[str, object] = msgspec.field(default_factory=dict)
    #: Files of the example's build context (context-relative name -> text); none: no build context.
    context: Mapping[str, str] | None = None


class Invalid(msgspec.Struct, frozen=True):
    """An input the rule must report, and what fixing it must give.

    ``expected`` is the whole fixed text; ``None`` means the rule reports
    but offers no fix here (a must-not-apply case). ``unsafe`` says the
    expected text needs ``--unsafe-fixes``. ``message``, ``line`` and
    ``column``, when given, pin the rule's first finding in the file (as
    Fixit's ``expected_message`` and ``range``), so the example also proves
    what the user reads and where.
    """

    code: str
    expected: str | None = None
    why: str = ""
    unsafe: bool = False
    #: Other rules that run alongside (a meta rule judges what they found).
    also: tuple[str, ...] = ()
    #: The first finding's exact message.
    message: str | None = None
    #: Where the first finding starts: 1-based line and column.
    line: int | None = None
    column: int | None = None
    #: The rule's options for this example (as configured in ``[lint.rules.CODE]``).
    options: Mapping[str, object] = msgspec.field(default_factory=dict)
    #: Files of the example's build context (context-relative name -> text); none: no build context.
    context: Mapping[str, str] | None = None


#: Tags a rule may carry (:attr:`Rule.tags`).
RULE_TAGS = frozenset({"registry", "digest-pin", "cache"})


class Rule:
    """Base class of every rule in ``dfix.transforms``."""

    #: ``DF`` and three digits, from rules.md.
    code: ClassVar[str]
    #: Kebab-case name (``consecutive-run``).
    name: ClassVar[str]
    #: One line: what the rule finds.
    summary: ClassVar[str]
    #: The best this rule's fix can be; a single fix may be downgraded.
    safety: ClassVar[Safety] = Safety.NONE
    #: Default severity: ``error``, ``warning``, ``info`` or ``style`` (configurable per rule).
    severity: ClassVar[str] = "warning"
    #: Other tools' codes for the same finding (hadolint ``DL3009``, BuildKit check names).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Off unless selected by its own code, name or alias (a policy choice, not a default).
    default_enabled: ClassVar[bool] = True
    #: What the layers above need to know of a rule, so they never list codes: ``registry`` (asks a
    #: container registry; the run-wide ``network`` and ``cache-dir`` settings reach it as options),
    #: ``digest-pin`` (its fixes only pin base images to digests; the bot offers them on a branch of their own),
    #: ``cache`` (keeps results between runs: the command gives it a ``cache-dir`` option, a folder
    #: below the run's cache folder named after the rule).
    tags: ClassVar[frozenset[str]] = frozenset()
    #: The finer codes its findings carry (:attr:`Diagnostic.subcode`), as a regular expression a
    #: whole code matches (``SC\d{4}`` for ShellCheck's); None for a rule without sub-codes.
    subcodes: ClassVar[str | None] = None
    #: Per-rule options and their defaults (set from configuration).
    options: ClassVar[dict[str, object]] = {}
    #: The smallest and largest value of the numeric options that have bounds.
    option_ranges: ClassVar[dict[str, tuple[int, int]]] = {}
    #: Instructions other than RUN (lower-case keywords) whose text this rule's fixes rewrite, or add where
    #: none was: an end-to-end check of a fixed file (``dfix.oracle``) lets exactly these differ.
    rewrites: ClassVar[frozenset[str]] = frozenset()
    #: What this rule's fix may change in the built image (``dfix verify`` checks it); default: nothing.
    declared_effects: ClassVar[ImageEffects] = SAME_IMAGE
    valid: ClassVar[tuple[Valid, ...]] = ()
    invalid: ClassVar[tuple[Invalid, ...]] = ()

    def __init__(self, **options: object) -> None:
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"{self.code} has no option {', '.join(sorted(unknown))}")
        for name, value in options.items():
            problem = self.option_problem(name, value)
            if problem:
                raise ValueError(f"{self.code} option {name}: {problem}")
        self.settings = {**self.options, **options}
        #: Which of its sub-codes this run reports (the engine sets it from the selection).
        self.subcode_filter = SubcodeFilter()

    @classmethod
    def option_problem(cls, name: str, value: object) -> str | None:
        """What is wrong with ``value`` for the option ``name`` beyond its type (a bound), or None."""
        bounds = cls.option_ranges.get(name)
        if bounds is not None and isinstance(value, (int, float)) and not bounds[0] <= value <= bounds[1]:
            return f"expected a value from {bounds[0]} to {bounds[1]}, got {value}"
        return None

    def check(self, context: "Context") -> Iterable[Diagnostic]:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self, contexts: "Sequence[Context]") -> None:
        """Work done for many files at once, before each is checked (a cache ``check`` then reads).

        DF629 sends the scripts of all of them to one ShellCheck process
        instead of one per file. ``check`` must find the same with or without
        it: preparing only saves time, and a failure here is ignored.
        """

    @classmethod
    def unavailable(cls) -> str | None:
        """Why the rule cannot run on this machine (an optional tool it needs is missing), or None.

        The command says so once per run, not once per file; the rule then
        finds nothing, and the run does not fail for it.
        """
        return None

    def check_suppressions(self, context: "Context", suppressions: "Suppressions", selected: frozenset[str]) -> Iterable[Diagnostic]:
        """Findings about suppression comments, once every other rule has run (meta rules only)."""
        return ()

    # -- helpers for rules -----------------------------------------------------

    def diagnostic(
        self,
        where: Instruction | Span,
        message: str,
        edits: Iterable[Edit] | None = None,
        *,
        safety: Safety | None = None,
        title: str = "",
        note: str | None = None,
        assumes: str = "",
        subcode: str | None = None,
        severity: str | None = None,
    ) -> Diagnostic:
        """A finding at ``where``, with a fix when ``edits`` are given (``assumes``: the fix's caveat).

        ``subcode``: the finer code of the finding (see :attr:`subcodes`); ``severity``: this
        finding's own, where it is not the rule's.
        """
        span = where.span if isinstance(where, Instruction) else where
        fix = None
        if edits is not None:
            edits = tuple(edits)
            if edits:
                if self.safety is Safety.NONE and safety not in (None, Safety.NONE):
                    # The fix loop runs a rule whose safety is none only on the text it ends with.
                    raise ValueError(f"{self.code} declares safety none, so it cannot make a {safety} fix")
                fix = Fix(edits, safety or self.safety, title, assumes)
        return Diagnostic(self.code, self.name, message, span, fix, note, severity or self.severity, subcode)

    @classmethod
    def explanation(cls) -> str:
        """The rule's docstring, dedented: what, why, the fix and its safety."""
        return inspect.cleandoc(cls.__doc__ or cls.summary)

    @classmethod
    def owns_subcode(cls, code: str) -> bool:
        """Whether ``code`` is one of this rule's sub-codes (``SC2086`` for DF629)."""
        return cls.subcodes is not None and re.fullmatch(cls.subcodes, code.strip(), re.IGNORECASE) is not None

    @classmethod
    def named_by(cls, selector: str) -> bool:
        """Selected by its exact code, name or an alias (what a default-off rule needs)."""
        key = selector.strip()
        return key.upper() == cls.code or key.lower() == cls.name or any(key.upper() == a.upper() for a in cls.aliases)

    @classmethod
    def matches(cls, selector: str) -> bool:
        """Selected by code, code prefix, name, alias or ``ALL``."""
        key = selector.strip()
        upper = key.upper()
        if upper == "ALL":
            return True
        if upper.startswith("DF") and cls.code.startswith(upper):
            return True
        return key.lower() == cls.name or any(upper == alias.upper() for alias in cls.aliases)


def iter_instructions_with_triggers(instructions: Iterable[Instruction]) -> Iterator[Instruction]:
    """Instructions, each followed by its ONBUILD trigger if it has one."""
    for instruction in instructions:
        yield instruction
        if instruction.trigger is not None:
            yield instruction.trigger
