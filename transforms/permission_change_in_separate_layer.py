"""DF103 permission-change-in-separate-layer: ``chown``/``chmod`` after a COPY stores the files twice."""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, RunView, Safety, StageInfo, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import SimpleCommand
from dfix.syntax import Add, Copy, Instruction, Run, Workdir

from ._cleanup import delete_item
from ._frontend import frontend_at_least

#: The working directory a base image leaves: unknown, and never equal to a literal absolute path.
_BASE_WORKDIR = "/\x00base-workdir"
_OCTAL = lazy_pattern(r"[0-7]{3,4}")
_OWNER = lazy_pattern(r"([A-Za-z0-9_][A-Za-z0-9_.-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)")
#: Commands that create users or groups: a name given to ``COPY --chown`` must exist when the COPY runs.
_ACCOUNT_TOOLS = frozenset({"useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod"})
_PERMISSION_TOOLS = {"chown": "--chown", "chmod": "--chmod", "chgrp": "--chown"}


class _Copied(msgspec.Struct, frozen=True):
    """What one COPY/ADD wrote: its destination, and the file path when it copied one file."""

    instruction: Copy | Add
    destination: str
    file: str | None
    #: The COPY certainly fills a folder (several sources, ``.``, ``dir/``).
    folder: bool = False


def _known_folders(context: Context, info: StageInfo) -> frozenset[str]:
    """Paths the stage itself shows are folders: its WORKDIRs, and the folders above what COPY/ADD write.

    ``COPY --from=build /opt/app /app`` may copy a file or a folder; a later
    ``WORKDIR /app`` or ``COPY conf/ /app/conf/`` settles it. Worked out once
    per stage, when a permission change first needs it.
    """
    return context.memo(("known folders", info.stage.index), lambda: _walk_folders(info))


def _walk_folders(info: StageInfo) -> frozenset[str]:
    folders: set[str] = set()
    workdir: str | None = _BASE_WORKDIR
    for instruction in info.stage.instructions:
        path = None
        if isinstance(instruction, Workdir) and instruction.arguments:
            value = instruction.arguments[0]
            workdir = _join(workdir, value) if _literal(value) else None
            path = workdir
            if path is not None:
                folders.add(path)
        elif isinstance(instruction, (Copy, Add)) and _literal(instruction.destination):
            path = _join(workdir, instruction.destination or "")
            if path is not None and (instruction.destination or "").endswith("/"):
                folders.add(path)
        while path is not None and not path.startswith(_BASE_WORKDIR):
            parent = posixpath.dirname(path)
            if parent == path:  # `/`, and the `//` that POSIX keeps
                break
            folders.add(parent)
            path = parent
    return frozenset(folders)


def _join(directory: str | None, path: str) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path)
    if directory is None:
        return None
    return posixpath.normpath(posixpath.join(directory, path))


def _literal(text: str | None) -> bool:
    return bool(text) and not any(c in text for c in "$*?[{~`")  # type: ignore[operator]


def _copied(instruction: Copy | Add, workdir: str | None) -> _Copied | None:
    destination = instruction.destination or ""
    if not _literal(destination) or instruction.heredocs:
        return None
    target = _join(workdir, destination)
    if target is None:
        return None
    sources = instruction.sources
    file = None
    folder = len(sources) > 1 or any(s.endswith("/") or s.rstrip("/") in ("", ".") for s in sources)
    if not folder and _literal(sources[0].split("://", 1)[-1]):
        name = posixpath.basename(sources[0].rstrip("/"))
        file = posixpath.join(target, name) if destination.endswith("/") else target
    return _Copied(instruction, target, file, folder)


def _operands(command: SimpleCommand) -> tuple[list[str], list[str | None]]:
    """(options, operands) of chown/chmod as written (``-R`` style flags; modes like ``-x`` are operands)."""
    options: list[str] = []
    operands: list[str | None] = []
    for word in command.args:
        value = word.value
        if value is not None and re.fullmatch(r"-[RfvchHLP]+|--recursive|--verbose|--changes|--silent|--quiet", value) \
                and not operands:
            options.append(value)
        else:
            operands.append(value)
    return options, operands


class PermissionChangeInSeparateLayer(Rule):
    """``chown``/``chmod`` of what a COPY just added: set owner and mode in the COPY instead.

    **What.** A RUN of a shipped stage that runs ``chown``, ``chmod`` or
    ``chgrp`` on exactly the destination of an earlier COPY/ADD of the stage
    (the folder it filled, or the file it copied).

    **Why.** A layer stores every file whose owner or mode changes, whole:
    ``COPY . /app`` + ``RUN chown -R app:app /app`` ships the application
    twice. ``COPY --chown=app:app`` and ``--chmod=755`` write the files with
    their owner and mode in one layer.

    **Fix** (unsafe), only where it is exact: one file (the build context
    shows the source is a file, or ADD fetched it from a URL), ``chmod`` with
    an octal mode or ``chown user:group`` with names or ids written out (a
    lone user would get a group that ``COPY --chown`` chooses differently),
    the command alone in its place in the RUN, nothing between the COPY and
    it that names the file or creates accounts (a name in ``--chown`` must
    exist when the COPY runs), and the COPY without that flag yet. The
    command leaves the RUN (the RUN goes when nothing is left) and the COPY
    gets ``--chown=`` or ``--chmod=``. Unsafe: ``--chmod`` needs BuildKit (the
    legacy builder rejects it); for an ADD of a URL it also needs the file to
    ask for the Dockerfile frontend 1.3 or later (``# syntax=docker/dockerfile:1``),
    since older frontends take the flag and ignore it there. Folders are reported only: ``chown -R`` also
    changes the folder itself and whatever was in it before the COPY (a
    WORKDIR or the base image may have made it), which ``--chown`` does not.
    Symbolic modes (``+x``) are reported only: the result depends on the
    file's mode in the build context.
    """

    code = "DF103"
    name = "permission-change-in-separate-layer"
    summary = "chown/chmod in a later RUN duplicates the files an earlier COPY added"
    safety = Safety.UNSAFE

    valid = (
        Valid(
            "FROM debian AS build\nRUN mkdir -p /opt/app\nFROM debian\nCOPY --from=build /opt/app /app\n"
            "WORKDIR /app\nRUN chown 10001 /app\n",
            "the later WORKDIR shows /app is a folder: the chown changes only its own entry",
        ),
        Valid("FROM debian\nCOPY --chown=app:app . /app\n"),
        Valid("FROM debian\nCOPY . /app\nRUN chown -R app:app /app/data\n", "a folder inside: not what the COPY wrote"),
        Valid("FROM debian\nRUN chmod 755 /usr/local/bin/tool\n", "no COPY wrote it"),
        Valid("FROM debian\nCOPY app.jar /srv/app/\nRUN chown app:app /srv/app\n",
              "the folder's own entry, not the files in it"),
        Valid("FROM debian AS build\nCOPY . /src\nRUN chown -R app /src\nFROM scratch\nCOPY --from=build /src/out /\n",
              "a builder stage that only lends files does not ship its layers"),
    )
    invalid = (
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nADD https://example.com/tool-linux-amd64 /usr/local/bin/tool\n"
            "RUN chmod 755 /usr/local/bin/tool\n",
            "# syntax=docker/dockerfile:1\nFROM debian\nADD --chmod=755 https://example.com/tool-linux-amd64 "
            "/usr/local/bin/tool\n",
            "a downloaded file: the mode goes with the ADD, the RUN goes",
            unsafe=True,
            message="`chmod 755 /usr/local/bin/tool` rewrites what the ADD on line 3 wrote, so the layer stores it a "
                    "second time: set it in the ADD with `--chmod`",
            line=4, column=5,
        ),
        Invalid(
            "FROM debian\nADD https://example.com/tool /usr/local/bin/\nRUN chown 1000:1000 /usr/local/bin/tool && tool --version\n",
            "FROM debian\nADD --chown=1000:1000 https://example.com/tool /usr/local/bin/\nRUN tool --version\n",
            "the command leaves the RUN, the rest stays",
            unsafe=True,
        ),
        Invalid("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN chown -R node:node /app\nUSER node\n", None,
                "a folder: `chown -R` also changes the folder WORKDIR made, which `--chown` does not"),
        Invalid("FROM debian\nADD https://example.com/tool /usr/local/bin/tool\nRUN chmod +x /usr/local/bin/tool\n", None,
                "a symbolic mode depends on the file's mode"),
        Invalid("FROM debian\nADD https://example.com/tool /usr/local/bin/tool\nRUN chmod 755 /usr/local/bin/tool\n", None,
                "no `# syntax=`: the builder's own frontend may take `ADD --chmod` of a URL and ignore it"),
        Invalid(
            "FROM debian\nADD https://example.com/tool /opt/tool\nRUN useradd -r app && chown app:app /opt/tool\n", None,
            "the user is created after the ADD: `--chown=app` would not find it",
        ),
        Invalid("FROM debian\nCOPY entrypoint.sh /entrypoint.sh\nRUN chmod 755 /entrypoint.sh\n", None,
                "no build context to show the source is a file"),
        Invalid("FROM debian\nCOPY tool //opt/tool\nRUN chown app //opt/tool\n", None,
                "a path with the two leading slashes POSIX keeps"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            if context.ships(info):
                yield from self._stage(context, info)

    def _stage(self, context: Context, info: StageInfo) -> Iterator[Diagnostic]:
        copies: list[_Copied] = []
        workdir: str | None = _BASE_WORKDIR
        for instruction in info.stage.instructions:
            if isinstance(instruction, Workdir) and instruction.arguments:
                value = instruction.arguments[0]
                workdir = _join(workdir, value) if _literal(value) else None
            elif isinstance(instruction, (Copy, Add)):
                copied = _copied(instruction, workdir)
                if copied is not None:
                    copies.append(copied)
            elif isinstance(instruction, Run) and copies:
                view = context.run_view(instruction)
                if view.model is not None:
                    yield from self._changes(context, view, copies, workdir, info)

    def _changes(self, context: Context, view: RunView, copies: list[_Copied], workdir,
                 info: StageInfo) -> Iterator[Diagnostic]:
        model = view.model
        for command in model.commands:
            flag = _PERMISSION_TOOLS.get(command.name or "")
            if flag is None or not command.is_top_level:
                continue
            options, operands = _operands(command)
            if len(operands) != 2 or any(value is None for value in operands):
                continue
            setting, path = operands
            target = _join(workdir, path) if _literal(path) else None
            if target is None:
                continue
            copied = next((c for c in reversed(copies) if target in (c.destination, c.file)), None)
            if copied is None:
                continue
            recursive = any(o == "--recursive" or (not o.startswith("--") and "R" in o) for o in options)
            if (target != copied.file or target in _known_folders(context, info)) and not recursive:
                continue  # the folder's own entry only: its files are not stored again
            source = copied.instruction
            keyword = "COPY" if isinstance(source, Copy) else "ADD"
            text = model.text[command.start : command.end]
            message = (f"`{text}` rewrites what the {keyword} on line {source.start_line} wrote, so the layer stores "
                       f"it a second time: set it in the {keyword} with `{flag}`")
            where = view.span(command.start, command.end)
            plan = self._plan(context, view, command, copied, target, flag, setting, options)
            if isinstance(plan, str):
                yield self.diagnostic(where, message, note=f"not fixed: {plan}")
                continue
            yield self.diagnostic(
                where, message, plan, title=f"set it with {keyword} {flag}",
                assumes="the image is built with BuildKit (the legacy builder has no `--chmod`)" if flag == "--chmod"
                else "the destination folder exists before the COPY (a folder BuildKit creates for the file may get "
                     "that owner too)",
            )

    def _plan(self, context: Context, view: RunView, command: SimpleCommand, copied: _Copied, target: str,
              flag: str, setting: str, options: list[str]) -> list[Edit] | str:
        source = copied.instruction
        if copied.folder or (copied.file is not None and target != copied.file):
            return ("a folder: `-R` also changes the folder itself and what it held before the COPY, which the "
                    "COPY's flag does not")
        if copied.file is None:
            return f"the {source.instruction}'s source is not written out, so what it wrote is not known"
        if not self._single_file(context, source):
            return "the build context does not show that the source is a single file"
        if source.flag(flag[2:]) is not None:
            return f"the {source.instruction} already has `{flag}`"
        if (flag == "--chmod" and isinstance(source, Add) and re.match(r"https?://", source.sources[0])
                and not frontend_at_least(context.tree.directive("syntax"), 3)):
            return ("`ADD --chmod` of a URL needs the Dockerfile frontend 1.3 or later (older ones, such as Docker "
                    "20.10's, take the flag and ignore it); add `# syntax=docker/dockerfile:1` as the file's first "
                    "line to let dfix move it")
        if command.name == "chgrp":
            return "`chgrp` alone keeps the owner, which `--chown` would have to name"
        if command.name == "chmod" and not _OCTAL.fullmatch(setting):
            return "a symbolic mode gives a result that depends on the file's mode in the build context"
        if command.name == "chown":
            owner = _OWNER.fullmatch(setting)
            if owner is None:
                return "only `user:group` written out means the same in `--chown`"
            names = not (owner.group(1).isdigit() and owner.group(2).isdigit())
            if names and self._accounts_made_between(context, source, view, command):
                return "an account is created between the COPY and the command: `--chown` would not find it yet"
        if any(o.startswith("--") or set(o[1:]) - set("Rfv") for o in options):
            return "the command has options the COPY's flag has no counterpart for"
        script = view.script
        if script is None or view.trigger or command.wrappers or command.redirects or command.assignments:
            return "the command runs through a wrapper or in a RUN that is not edited"
        if self._named_between(context, source, view, command, target):
            return "the file is used between the COPY and the command"
        items = script.model.items
        index = command.item_index
        if len(items[index].commands) != 1:
            return "the command is part of a pipeline or list item"
        keyword = source.keyword_token
        edits = [Edit(keyword.end_pos, keyword.end_pos, f" {flag}={setting}")]
        run = view.run
        if len(items) == 1:
            if run.comment_lines or script.model.comments:
                return "the RUN holds comments that would be lost with it"
            edits.append(Edit(run.span.start, run.span.end, ""))
        else:
            edit = delete_item(context, script, index)
            if edit is None:
                return "the command cannot leave the RUN without changing how the rest is joined"
            edits.append(edit)
        return edits

    @staticmethod
    def _single_file(context: Context, source: Copy | Add) -> bool:
        path = source.sources[0]
        if isinstance(source, Add) and re.match(r"https?://", path):
            return not path.endswith("/")
        if isinstance(source, Copy) and source.from_stage is not None:
            return False
        build = context.build_context
        return build is not None and build.exists(path) and not build.is_dir(path)

    @staticmethod
    def _between(context: Context, source: Instruction, run: Run) -> list[Instruction]:
        info = context.stage_of(source)
        if info is None:
            return []
        out, inside = [], False
        for instruction in info.stage.instructions:
            if instruction is run:
                break
            if inside:
                out.append(instruction)
            if instruction is source:
                inside = True
        return out

    def _accounts_made_between(self, context: Context, source, view: RunView, command: SimpleCommand) -> bool:
        for instruction in self._between(context, source, view.run):
            other = context.run_view(instruction).model if isinstance(instruction, Run) else None
            if other is not None and any(c.name in _ACCOUNT_TOOLS for c in other.commands):
                return True
        return any(c.name in _ACCOUNT_TOOLS and c.start < command.start for c in view.model.commands)

    def _named_between(self, context: Context, source, view: RunView, command: SimpleCommand, target: str) -> bool:
        name = posixpath.basename(target)
        if any(name in instruction.code for instruction in self._between(context, source, view.run)):
            return True
        return name in view.model.text[: command.start]
