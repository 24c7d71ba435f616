"""What a rule may know about the whole file: stages, the SHELL in force, one view of each RUN.

Whether a fix is safe depends on context (rules.md §0.3): a later RUN that
still needs the apt lists, a PowerShell SHELL that makes every POSIX rewrite
wrong, an ONBUILD trigger that runs in an unknown build. ``Context`` works
these out once per parse and caches them for every rule.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import Callable, Iterator, TypeVar

import msgspec

from ..patterns import lazy_pattern

T = TypeVar("T")

from ..shell import SimpleCommand
from ..syntax import Comment, Dockerfile, Instruction, Run, Shell, Span, Stage
from .build_context import BuildContext
from .runs import POSIX_SHELLS, RunView
from .runscript import HouseStyle, RunScript

__all__ = ["Context", "StageInfo", "POSIX_SHELLS", "DEFAULT_SHELL"]

DEFAULT_SHELL = ("/bin/sh", "-c")
_WINDOWS_BASE = lazy_pattern(r"(^|/)(windows|windowsservercore|nanoserver|servercore|windows/[a-z]+)([:@/]|$)", re.I)
_HADOLINT_SHELL = lazy_pattern(r"#\s*hadolint\s+shell\s*=\s*(\S+)")


class StageInfo(msgspec.Struct, frozen=True):
    """A stage with the facts rules ask about."""

    stage: Stage
    #: The in-file stage this one is built FROM, if any.
    parent: "int | None"
    #: SHELL in force at the start of the stage (inherited from an in-file parent).
    initial_shell: tuple[str, ...]
    #: Set when the base (or a ``# hadolint shell=`` comment) says the shell is not POSIX.
    windows: bool


class Context:
    """Facts about one parsed file, computed lazily and cached."""

    def __init__(
        self, tree: Dockerfile, path: str | None = None, settings: dict[str, dict] | None = None,
        build_context: BuildContext | None = None,
    ) -> None:
        self.tree = tree
        self.path = path
        #: The files the build sends (read-only), or None when dfix cannot see them (stdin, text only).
        self.build_context = build_context
        #: Per-rule options by code.
        self.settings = settings or {}
        self._views: dict[int, RunView] = {}
        self._shells: dict[int, dict[int | None, tuple[str, ...]]] = {}
        self._suppressions = None
        self._memo: dict[object, object] = {}
        self._children: dict[int, tuple[StageInfo, ...]] = {}

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, once per parse: where a rule or kit module keeps whole-file facts.

        The facts live on the context and go with it; a module-level cache
        keyed by the context would keep every file of a long run alive.
        """
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    # -- stages ------------------------------------------------------------------

    @cached_property
    def stages(self) -> tuple[StageInfo, ...]:
        infos: list[StageInfo] = []
        names: dict[str, int] = {}
        shell_comment = self._hadolint_shell()
        for stage in self.tree.stages:
            image = stage.from_.image
            parent = names.get(image.text.lower()) if image is not None and not image.has_variables else None
            if parent is not None:
                initial = self.shell_at_end(infos[parent])
                windows = infos[parent].windows
            else:
                windows = bool(image is not None and _WINDOWS_BASE.search(image.name))
                initial = ("cmd", "/S", "/C") if windows else DEFAULT_SHELL
            if shell_comment is not None:
                initial, windows = (shell_comment,), shell_comment.rsplit("/", 1)[-1] not in POSIX_SHELLS
            infos.append(StageInfo(stage, parent, initial, windows))
            if stage.name:
                names[stage.name] = stage.index
        return tuple(infos)

    def _hadolint_shell(self) -> str | None:
        for item in self.tree.items:
            if isinstance(item, Comment):
                match = _HADOLINT_SHELL.match(item.code.strip())
                if match:
                    return match.group(1)
        return None

    @cached_property
    def _stage_index(self) -> dict[int, int]:
        index: dict[int, int] = {}
        for info in self.stages:
            index[id(info.stage.from_)] = info.stage.index
            for instruction in info.stage.instructions:
                index[id(instruction)] = info.stage.index
                if instruction.trigger is not None:
                    index[id(instruction.trigger)] = info.stage.index
        return index

    def stage_of(self, instruction: Instruction) -> StageInfo | None:
        index = self._stage_index.get(id(instruction))
        return None if index is None else self.stages[index]

    @property
    def final_stage(self) -> StageInfo | None:
        return self.stages[-1] if self.stages else None

    def root_stage(self, stage: StageInfo) -> StageInfo:
        """The first stage of ``stage``'s ``FROM`` chain: the one built on an image from outside the file."""
        while stage.parent is not None:
            stage = self.stages[stage.parent]
        return stage

    def children_of(self, stage: StageInfo) -> tuple[StageInfo, ...]:
        """Stages built ``FROM`` this one (directly or through others), in file order.

        Worked out once per stage: rules ask it for every RUN, and a walk of
        the later stages each time made a file of many stages quadratic.
        """
        index = stage.stage.index
        found = self._children.get(index)
        if found is None:
            out = []
            wanted = {index}
            for info in self.stages[index + 1 :]:
                if info.parent in wanted:
                    out.append(info)
                    wanted.add(info.stage.index)
            found = self._children[index] = tuple(out)
        return found

    def reaches_final_image(self, stage: StageInfo) -> bool:
        """The stage is the final one, or an ancestor of it through ``FROM``."""
        final = self.final_stage
        while final is not None:
            if final.stage.index == stage.stage.index:
                return True
            final = self.stages[final.parent] if final.parent is not None else None
        return False

    def ships(self, stage: StageInfo) -> bool:
        """The stage's own files end up in an image: it is the final image, an ancestor of it, or a base of another.

        Otherwise only what a ``COPY --from`` picks out of it ships, and what
        it leaves behind (a package cache) costs build time, not image size.
        """
        return self.reaches_final_image(stage) or bool(self.children_of(stage))

    def later_in_stage(self, instruction: Instruction) -> Iterator[Instruction]:
        """Instructions after ``instruction`` in its stage."""
        info = self.stage_of(instruction)
        if info is None:
            return
        seen = False
        for other in info.stage.instructions:
            if seen:
                yield other
            elif other is instruction:
                seen = True

    # -- the shell in force -----------------------------------------------------------

    def shell_at_end(self, info: StageInfo) -> tuple[str, ...]:
        shell = info.initial_shell
        for instruction in info.stage.instructions:
            if isinstance(instruction, Shell) and instruction.is_json and instruction.arguments:
                shell = instruction.arguments
        return shell

    def shell_for(self, instruction: Instruction) -> tuple[str, ...]:
        """The SHELL a RUN/CMD/ENTRYPOINT in shell form runs under."""
        info = self.stage_of(instruction)
        if info is None:
            return DEFAULT_SHELL
        shells = self._shells.get(info.stage.index)
        if shells is None:
            shells = self._shells[info.stage.index] = self._shells_of(info)
        return shells.get(id(instruction), shells[None])

    @staticmethod
    def _shells_of(info: StageInfo) -> dict[int | None, tuple[str, ...]]:
        """The SHELL in force at each instruction of a stage (one walk, not one per question); None: the stage's end.

        An instruction asked about that is not in the stage (an ONBUILD's
        trigger) gets the shell at the stage's end, as a walk that never
        meets it would give.
        """
        shells: dict[int | None, tuple[str, ...]] = {}
        shell = info.initial_shell
        for other in info.stage.instructions:
            shells[id(other)] = shell
            if isinstance(other, Shell) and other.is_json and other.arguments:
                shell = other.arguments
        shells[None] = shell
        return shells

    def is_posix_shell(self, instruction: Instruction) -> bool:
        """Shell-level rules apply only under a POSIX shell (rules.md G3)."""
        shell = self.shell_for(instruction)
        info = self.stage_of(instruction)
        if info is not None and info.windows and shell == info.initial_shell:
            return False
        program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if shell else ""
        return program in POSIX_SHELLS

    # -- RUNs -------------------------------------------------------------------------------------

    def runs(self) -> tuple[RunView, ...]:
        """Every RUN of the file once, in file order, ONBUILD triggers included (``view.trigger``)."""
        return self._all_runs

    def shell_runs(self) -> Iterator[RunView]:
        """The RUNs of `runs` whose text a POSIX shell reads (``view.model`` is set), exec form included."""
        return (view for view in self._all_runs if view.model is not None)

    def shell_commands(self) -> Iterator[tuple[RunView, SimpleCommand]]:
        """Every simple command of `shell_runs`, with the view of its RUN (to place a finding on it)."""
        for view in self.shell_runs():
            for command in view.model.commands:  # type: ignore[union-attr]
                yield view, command

    @cached_property
    def _all_runs(self) -> tuple[RunView, ...]:
        views = []
        for instruction in self.tree.instructions:
            parent: Instruction | None = None
            node: Instruction | None = instruction
            while node is not None:
                if isinstance(node, Run):
                    views.append(self.run_view(node, parent))
                parent, node = node, node.trigger
        return tuple(views)

    @cached_property
    def house_style(self) -> HouseStyle:
        """How this file's multi-line RUNs lay out commands: the style new lines follow where a RUN shows none."""
        escape = self.tree.escape
        scripts = (RunScript.of(node, escape) for node in self.tree.walk() if isinstance(node, Run))
        return HouseStyle.of(script for script in scripts if script is not None)

    def run_view(self, run: Run, parent: Instruction | None = None) -> RunView:
        """The view of one RUN (``parent``: the ONBUILD holding it, for a trigger), built once per parse."""
        view = self._views.get(id(run))
        if view is None:
            if parent is None and run.line_info is None:
                parent = next((i for i in self.tree.instructions if i.trigger is run), None)
            view = self._views[id(run)] = RunView(self, run, parent)
        return view

    # -- suppressions ----------------------------------------------------------------------------

    def is_suppressed(self, code: str, instruction: Instruction) -> bool:
        """Whether a suppression comment silences rule ``code`` on ``instruction``, as the engine will judge it.

        For a rule whose fix depends on what the engine will silence: DF100
        keeps a suppressed RUN out of a merge, and still reports it so that
        the engine, not the rule, decides the comment was used.
        """
        from .model import Diagnostic
        from .suppress import Suppressions

        if self._suppressions is None:
            self._suppressions = Suppressions.of(self.tree)
        return self._suppressions.suppresses(Diagnostic(code, "", "", instruction.span))

    @cached_property
    def _line_starts(self) -> list[int]:
        text = self.tree.code
        starts = [0]
        position = text.find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        return starts

    def line_of(self, offset: int) -> int:
        """The 1-based line of a file offset (``span(offset, ...).line``, without building the span)."""
        return bisect_right(self._line_starts, offset)

    def span(self, start: int, end: int) -> Span:
        """A span (with 1-based lines and columns) of file offsets."""
        starts = self._line_starts
        line = bisect_right(starts, start)
        end_line = bisect_right(starts, max(end - 1, start))
        return Span(start, end, line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1)

    def option(self, code: str, name: str, default: object = None) -> object:
        return self.settings.get(code, {}).get(name, default)
