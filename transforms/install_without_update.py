"""DF205 install-without-update: ``apt-get install`` on package lists from an earlier layer."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Form, ImageEffects, Invalid, Rule, RunView, Safety, Valid
from dfix.shell import SimpleCommand, package_command
from dfix.syntax import Instruction, Run

from ._apt import LISTS, consumes_lists, is_update, refreshes_lists
from ._base_images import split_reference
from ._cleanup import earlier_unconditional, first_consumer, where

#: apt actions that fetch packages with the lists.
_FETCHING = frozenset({"install", "upgrade", "dist-upgrade", "download"})


def _fetches(command: SimpleCommand) -> bool:
    invocation = package_command(command)
    if invocation is None or invocation.family != "apt" or invocation.action not in _FETCHING:
        return False
    packages = [word.value or "" for word in invocation.packages]
    return not packages or not all(p.endswith(".deb") for p in packages)  # local .deb files need no lists


def _earlier_update(context: Context, run: Run) -> Run | None:
    """An earlier RUN of the stage, or of an in-file stage it is built FROM, that ran ``apt-get update``."""
    info = context.stage_of(run)
    candidates: list[Instruction] = []
    while info is not None:
        for instruction in info.stage.instructions:
            if instruction is run:
                break
            candidates.append(instruction)
        info = context.stages[info.parent] if info.parent is not None else None
    for instruction in reversed(candidates):
        if isinstance(instruction, Run):
            model = context.run_view(instruction).model
            if model is not None and any(is_update(command) for command in model.commands):
                return instruction
    return None


def _base_without_lists(context: Context, run: Run) -> str | None:
    """The base image of ``run``'s stage when it is the official ``debian`` or ``ubuntu`` image, or None.

    Those images delete ``/var/lib/apt/lists`` when they are built and hold
    little beyond the essential packages, so an install with no refresh
    fails. The language images built on them ship many packages (``git``
    and ``curl`` in the full ones): an install of one of those needs no
    lists, and an added refresh would only reach mirrors an old release no
    longer has.
    """
    info = context.stage_of(run)
    if info is None:
        return None
    base = context.root_stage(info).stage.base
    if base is None or base.has_variables:
        return None
    name, _registry, _tag = split_reference(base.text)
    for namespace in ("library/", "stackbrew/"):
        name = name.removeprefix(namespace)
    return base.text if name in ("debian", "ubuntu") else None


class InstallWithoutUpdate(Rule):
    """Run ``apt-get update`` in the RUN that installs, not only in an earlier one.

    When an earlier RUN downloaded the package lists and a later RUN installs
    from them, the build cache can keep the old lists layer for months while
    the install layer is rebuilt: the install then asks for package versions
    the mirror no longer has, and fails (or installs old ones). The fix puts
    ``apt-get update &&`` in front of the install. Unsafe: it changes which
    package versions the RUN installs (newer ones), which is the point.

    With no earlier update at all, on the official ``debian`` or ``ubuntu``
    image, the install fails outright: those images delete their package
    lists when they are built, so apt cannot find a package the image does
    not have. The same fix applies. (The language images built on them ship
    many packages, whose install needs no lists: not reported there.)

    Not reported when the RUN has its own update first, when the lists are a
    mount of that RUN, when only local ``.deb`` files are installed, or when
    no earlier RUN in the file downloaded lists and the base image is not
    known (it may ship its own). Only reported, not fixed, where the
    insertion would change what the shell groups (after ``||``, inside
    ``if``, through ``sudo``), and in ONBUILD triggers.
    """

    code = "DF205"
    name = "install-without-update"
    summary = "`apt-get install` without an `apt-get update` of its own"
    safety = Safety.UNSAFE
    declared_effects = ImageEffects(adds_paths=("/var/lib/apt/lists/*",))
    severity = "info"

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM company/base:1\nRUN apt-get install -y curl\n",
              "no update at all, on an unknown base: it may ship its lists"),
        Valid("FROM debian:12\nRUN apt-get install -y ./tool.deb\n", "a local package needs no lists"),
        Valid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
            "RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs\n",
            "NodeSource's setup script runs `apt-get update` itself",
        ),
        Valid(
            "FROM debian\nRUN apt-get update\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y curl\n",
            "the lists are a mount of this RUN",
        ),
        Valid("FROM debian\nRUN apt-get update\nRUN apt-get install -y ./vendor.deb\n", "local packages only"),
        Valid("FROM debian\nRUN apt-get update\nRUN apt-get update && apt-get install -y curl\n"),
        Valid('FROM debian\nRUN apt-get update\nRUN ["apt-get", "install", "-y", "curl"]\n', "exec form is not checked"),
    )
    invalid = (
        Invalid(
            "FROM ubuntu:14.04\nRUN apt-get install -y software-properties-common\n",
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y software-properties-common\n",
            "the official images delete their package lists: without an update the install cannot find the package",
            unsafe=True,
            message="`apt-get install` runs with no `apt-get update` before it: the base image (ubuntu:14.04) ships "
                    "no package lists, so apt cannot find packages it does not have and the build fails",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nENV LANG=C.UTF-8\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update\nENV LANG=C.UTF-8\nRUN apt-get update && apt-get install -y curl\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian AS base\nRUN apt-get update\nFROM base\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n    curl\n",
            "FROM debian AS base\nRUN apt-get update\nFROM base\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n    curl\n",
            "lists from an in-file parent stage; the prefix assignment stays with the install",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN set -eux; \\\n    apt-get install -y make; \\\n    make\n",
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN set -eux; \\\n    apt-get update && apt-get install -y make; \\\n    make\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN true || apt-get install -y make\n",
            None,
            "after `||` an inserted `&&` would regroup the list",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nUSER app\nRUN sudo apt-get install -y make\n",
            None,
            "through sudo: reported only",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN apt-get install -y make\n",
            None,
            "never applied without --unsafe-fixes",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN apt-get install -y make\nUSER app\nRUN sudo apt-get install -y git\n",
            "FROM debian\nRUN apt-get update\nWORKDIR /src\nRUN apt-get install -y make\nUSER app\nRUN sudo apt-get install -y git\n",
            "a later RUN would still need the lists and cannot get its own update: the new lists could never be cleaned",
            unsafe=True,
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.runs():
            if view.trigger or view.form is Form.EXEC or view.model is None:
                continue
            run = view.run
            if view.mount_covers(LISTS, types=None):
                continue
            model = view.model
            first = next(
                (c for c in model.commands if _fetches(c) and not earlier_unconditional(model, c, refreshes_lists)), None
            )
            if first is None or any(refreshes_lists(c) and c.start < first.start for c in model.commands):
                continue
            source = _earlier_update(context, run)
            invocation = package_command(first)
            if source is not None:
                message = (
                    f"`{invocation.manager} {invocation.subcommand}` uses package lists downloaded at "
                    f"{where(context, source)}, in an earlier layer the build cache can keep stale"
                )
            else:
                base = _base_without_lists(context, run)
                if base is None or invocation.action != "install" or not invocation.packages:
                    continue
                message = (
                    f"`{invocation.manager} {invocation.subcommand}` runs with no `apt-get update` before it: the base "
                    f"image ({base}) ships no package lists, so apt cannot find packages it does not have and the "
                    "build fails"
                )
            span = view.span(first.start, first.end)
            edits = self._edits(view, first)
            note = None if edits else "add `apt-get update &&` before the install by hand"
            blocker = first_consumer(context, run, lambda later: consumes_lists(later, context)) if edits else None
            if blocker is not None and not self._fixable(context, context.run_view(blocker)):
                # the lists this update would add could never be cleaned: the layer would grow
                edits, note = None, f"the RUN at {where(context, blocker)} would still need these lists, and cannot be fixed the same way"
            yield self.diagnostic(span, message, edits, title="run `apt-get update` first", note=note)

    def _fixable(self, context: Context, view: RunView) -> bool:
        """Whether this rule could give ``view`` its own ``apt-get update`` (or it needs none)."""
        model = view.model
        if view.trigger or view.form is not Form.SHELL or model is None:
            return False
        first = next(
            (c for c in model.commands if _fetches(c) and not earlier_unconditional(model, c, refreshes_lists)), None
        )
        return first is None or self._edits(view, first) is not None

    @staticmethod
    def _edits(view: RunView, command: SimpleCommand):
        script = view.script
        if script is None or command.wrappers or not command.is_top_level:
            return None
        items = view.model.items
        index = command.item_index
        if items[index].start != command.start:
            return None  # inside a pipeline or compound item
        if index > 0 and items[index - 1].separator not in ("&&", ";", "\n"):
            return None
        return [script.insert(command.start, "apt-get update && ")]
