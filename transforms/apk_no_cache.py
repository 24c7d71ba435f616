"""DF210 apk-no-cache: ``apk add`` without ``--no-cache`` leaves the package index in the image."""

from __future__ import annotations

from dataclasses import replace

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, RunView, Safety, StageInfo, Valid
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, has_option, package_command, package_commands
from dfix.syntax import Run

from ._cleanup import CacheCleanupRule, clears, copies_into, delete_item, first_consumer, removes, where

CACHE = "/var/cache/apk"
#: Where apk keeps its cache: a cache/tmpfs mount on either means the user wants it kept out of the image.
_CACHE_PATHS = (CACHE, "/etc/apk/cache")
#: Options that make apk fetch a fresh index itself.
_FRESH = ("--no-cache", "-U", "--update", "--update-cache")
#: apk subcommands that never read the cached index.
_INDEX_FREE = frozenset({"del", "update", "stats", "audit", "verify", "index", "mkpkg", "extract", "adbdump", "adbsign", "convdb", "convndx"})


def _apk(command: SimpleCommand) -> PackageCommand | None:
    invocation = package_command(command)
    return invocation if invocation is not None and invocation.manager == "apk" else None


def _is_add(invocation: PackageCommand) -> bool:
    return invocation.subcommand == "add"


def reads_index(invocation: PackageCommand) -> bool:
    """An apk command that reads the cached index (``apk add`` without ``--no-cache``/``-U`` ...)."""
    if invocation.action == "unknown":
        return True  # `apk $CMD` (G6)
    if invocation.subcommand is None or invocation.subcommand in _INDEX_FREE:
        return False
    if invocation.subcommand.startswith("cache "):
        return invocation.subcommand in ("cache download", "cache sync")
    return not has_option(invocation, *_FRESH)


def consumes_index(view: RunView) -> bool:
    """A later RUN that reads the index an ``apk update`` would have left."""
    if view.mount_covers(*_CACHE_PATHS, types=None):
        return False
    if view.model is None:
        return re.search(r"(?<![\w/.-])apk\s+", view.text) is not None
    return any(reads_index(invocation) for invocation in package_commands(view.model) if invocation.manager == "apk")


def _writes_cache(view: RunView) -> bool:
    """An earlier RUN that may have left something in /var/cache/apk."""
    if view.mount_covers(*_CACHE_PATHS, types=None):
        return False
    if view.model is None:
        return re.search(r"(?<![\w/.-])apk\s+", view.text) is not None or CACHE in view.text
    if CACHE in view.text:
        return True
    return any(
        invocation.manager == "apk"
        and (invocation.action == "unknown" or invocation.subcommand not in ("del", None))
        and not has_option(invocation, "--no-cache")
        for invocation in package_commands(view.model)
    )


def _official_alpine(info: StageInfo, context: Context) -> bool:
    """The stage's outermost base is an official image built on Alpine (their apk cache is empty)."""
    while info.parent is not None:
        info = context.stages[info.parent]
    image = info.stage.base
    if image is None or image.has_variables:
        return False
    if image.is_scratch:
        return True
    repository = image.repository.lower()
    if image.registry not in (None, "docker.io", "index.docker.io"):
        return False
    if repository.startswith("library/"):
        repository = repository[len("library/") :]
    if "/" in repository:
        return False
    return repository == "alpine" or "alpine" in (image.tag or "").lower()


class ApkNoCache(CacheCleanupRule):
    """Use ``apk add --no-cache`` so the package index stays out of the image.

    ``apk add`` (and ``apk update``, ``apk add -U``) stores the APKINDEX
    files in ``/var/cache/apk``, where they stay in the layer. With
    ``--no-cache`` apk fetches a fresh index into memory and writes nothing.

    The fix puts ``--no-cache`` on every ``apk add`` of the RUN: it replaces
    ``-U``/``--update``/``--update-cache`` (which ``--no-cache`` includes) or
    inserts ``--no-cache`` after ``add``. Safe: the same packages from the
    same fresh index. When nothing later needs the cached index (no later
    RUN of the stage, of a stage built ``FROM`` it, or ONBUILD trigger runs
    ``apk add`` or another index reader without ``--no-cache``/``--update``,
    and no other apk command of the RUN reads it), it also deletes a
    standalone top-level ``apk update`` of the RUN, and a ``rm -rf
    /var/cache/apk/*`` that only cleaned up after it when nothing earlier can
    have put files there (an official Alpine-based image, no earlier apk use).
    Otherwise only the flag is added and the ``apk update`` kept (still safe).

    Not reported when a cache or tmpfs mount holds ``/var/cache/apk`` or the
    RUN already deletes ``/var/cache/apk/*`` after its last ``apk add``.
    Exec-form (G1) and heredoc (G2) RUNs are reported without a fix; ONBUILD
    triggers only get the token-local flag (G5).
    """

    code = "DF210"
    name = "apk-no-cache"
    summary = "`apk add` without `--no-cache`"
    safety = Safety.SAFE
    aliases = ("DL3019",)

    valid = (
        Valid("FROM alpine:3.20\nRUN apk add --no-cache curl\n"),
        Valid("FROM alpine:3.20\nRUN apk --no-cache add curl\n", "a global option before the subcommand"),
        Valid(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
            "the cache lives in a cache mount",
        ),
        Valid(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/etc/apk/cache \\\n    apk add curl\n",
            "the Docker-docs cache-mount recipe",
        ),
        Valid("FROM alpine:3.20\nRUN --mount=type=tmpfs,dst=/var/cache apk add curl\n", "tmpfs on a parent folder"),
        Valid("FROM alpine:3.20\nRUN apk del curl\n"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apk add curl\n',
            "not a POSIX shell (G3)",
        ),
    )
    invalid = (
        Invalid(
            "FROM alpine:3.20\nRUN apk add --update curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl && rm -rf /var/cache/apk/*\n",
            "the RUN cleans the cache itself: a style finding, `--no-cache` says it in one flag",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "with an official Alpine base nothing else can be in the cache: the update and the rm go",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add curl\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --update curl git\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl git\n",
            "--update becomes --no-cache",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk -U add curl\n",
            "FROM alpine:3.20\nRUN apk --no-cache add curl\n",
            "-U becomes --no-cache",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add -qU curl\n",
            "FROM alpine:3.20\nRUN apk add --no-cache -q curl\n",
            "-U inside a cluster of short flags",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "the leading update goes with its `&&`",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && \\\n    apk add --virtual .build-deps gcc && \\\n    make && \\\n    apk del .build-deps\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc && \\\n    make && \\\n    apk del .build-deps\n",
            "multi-line, trailing `&&`: no line is left with only `\\`",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN set -eux \\\n    && apk update \\\n    && apk add curl \\\n    && curl --version\n",
            "FROM alpine:3.20\nRUN set -eux \\\n    && apk add --no-cache curl \\\n    && curl --version\n",
            "multi-line, leading `&&`: the update's line goes",
        ),
        Invalid(
            "FROM alpine:3.20\r\nRUN set -eux; \\\r\n    apk update; \\\r\n    apk add curl\r\n",
            "FROM alpine:3.20\r\nRUN set -eux; \\\r\n    apk add --no-cache curl\r\n",
            "a `set -e` list, CRLF",
        ),
        Invalid(
            "# escape=`\nFROM alpine:3.20\nRUN apk update && `\n    apk add curl\n",
            "# escape=`\nFROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "backtick escape, POSIX shell",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN sudo apk add curl && env FOO=1 apk add --update git\n",
            "FROM alpine:3.20\nRUN sudo apk add --no-cache curl && env FOO=1 apk add --no-cache git\n",
            "every apk add of the RUN, through wrappers",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl\nRUN apk add git\n",
            "FROM alpine:3.20\nRUN apk update && apk add --no-cache curl\nRUN apk add --no-cache git\n",
            "a later RUN reads the index: keep the update, only add the flag",
        ),
        Invalid(
            "FROM alpine:3.20 AS base\nRUN apk update && apk add curl\n\nFROM base\nRUN apk search -v git\n",
            "FROM alpine:3.20 AS base\nRUN apk update && apk add --no-cache curl\n\nFROM base\nRUN apk search -v git\n",
            "a child stage reads the index",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl && apk info -a curl\n",
            "FROM alpine:3.20\nRUN apk update && apk add --no-cache curl && apk info -a curl\n",
            "another apk command of the RUN reads the index",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update || true && apk add curl\n",
            "FROM alpine:3.20\nRUN apk update || true && apk add --no-cache curl\n",
            "not a standalone item: kept",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && \\\n    # the tools\n    apk add curl\n",
            "FROM alpine:3.20\nRUN apk update && \\\n    # the tools\n    apk add --no-cache curl\n",
            "deleting the update would swallow a comment line: kept",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN if [ -n \"$X\" ]; then apk update; fi && apk add curl\n",
            "FROM alpine:3.20\nRUN if [ -n \"$X\" ]; then apk update; fi && apk add --no-cache curl\n",
            "a nested update is kept",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk/* && apk add git\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl && apk add --no-cache git\n",
            "an official Alpine base: the rm cleaned only after this RUN and goes too",
        ),
        Invalid(
            "FROM example/base\nRUN apk update && apk add curl && rm -rf /var/cache/apk/* && apk add git\n",
            "FROM example/base\nRUN apk add --no-cache curl && rm -rf /var/cache/apk/* && apk add --no-cache git\n",
            "an unknown base may ship a cache the rm deletes: the rm stays",
        ),
        Invalid(
            "FROM alpine:3.20\nONBUILD RUN apk update && apk add curl\n",
            "FROM alpine:3.20\nONBUILD RUN apk update && apk add --no-cache curl\n",
            "ONBUILD trigger: the flag only (G5)",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache apk add curl\n",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache apk add --no-cache curl\n",
            "a cache mount elsewhere does not count",
        ),
        Invalid('FROM alpine:3.20\nRUN ["apk", "add", "curl"]\n', None, "exec form is never rewritten (G1)"),
        Invalid("FROM alpine:3.20\nRUN <<EOF\napk update\napk add curl\nEOF\n", None, "heredoc RUN (G2)"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            invocations = [invocation for invocation in package_commands(model) if invocation.manager == "apk"]
            offending = [
                invocation for invocation in invocations if _is_add(invocation) and not has_option(invocation, "--no-cache")
            ]
            if not offending:
                continue
            if view.mount_covers(*_CACHE_PATHS):
                continue
            last = offending[-1]
            cleaned_after = removes(model, (CACHE,), after=last.end) or any(
                invocation.subcommand in ("cache clean", "cache purge") and invocation.start > last.end
                for invocation in invocations
            )
            script = view.script
            if cleaned_after and script is None:
                continue
            span = view.span(last.start, last.end)
            message = "`apk add` without `--no-cache` leaves the package index in `/var/cache/apk`"
            if cleaned_after:
                # nothing stays in the image, but `--no-cache` says it in one flag and makes
                # the `apk update` and the `rm` that only served the cache unnecessary
                message = "`apk add --no-cache` replaces the `apk update` / cache `rm` bookkeeping of this RUN"
            if script is None:
                yield self.diagnostic(span, message, note=view.guard.append_note if view.guard else None)
                continue
            per_command = [_no_cache_edits(script, invocation) for invocation in offending]
            if not all(per_command):
                yield self.diagnostic(span, message, note="an option of `apk add` is split by a line continuation; add `--no-cache` by hand")
                continue
            edits = [edit for command_edits in per_command for edit in command_edits]
            note = None
            if not view.trigger:
                deletions, note = self._deletions(context, view, invocations)
                edits.extend(deletions)
            diagnostic = self.diagnostic(span, message, edits, title="use `apk add --no-cache`", note=note)
            if cleaned_after:
                diagnostic = replace(diagnostic, severity="style")
            yield diagnostic

    def _deletions(self, context: Context, view: RunView, invocations: list[PackageCommand]) -> tuple[list[Edit], str | None]:
        """Edits that delete the RUN's standalone ``apk update`` (and a useless cache ``rm``), and why not if not."""
        script, model, run = view.script, view.model, view.run
        updates = [invocation for invocation in invocations if invocation.subcommand == "update"]
        if not updates:
            return [], None
        others = [
            invocation for invocation in invocations
            if not _is_add(invocation) and invocation.subcommand != "update" and reads_index(invocation)
        ]
        if others:
            return [], "`apk update` kept: another apk command of the RUN reads the index"
        consumer = first_consumer(context, run, consumes_index)
        if consumer is not None:
            return [], f"`apk update` kept: the RUN at {where(context, consumer)} reads the index it leaves"
        standalone = _standalone_items(model, _is_update)
        edits = []
        for index in standalone:
            edit = delete_item(context, script, index)
            if edit is not None:
                edits.append(edit)
        if len(edits) < len(updates):
            return edits, "an `apk update` that is not a standalone top-level command was kept"
        removals = _standalone_items(model, _removes_only_cache)
        named_elsewhere = model.text.count(CACHE) > sum(
            model.text.count(CACHE, model.items[index].start, model.items[index].end) for index in removals
        )
        if removals and not named_elsewhere and self._rm_useless(context, view):
            for index in removals:
                edit = delete_item(context, script, index)
                if edit is not None and not any(edit.start < e.end and e.start < edit.end for e in edits):
                    edits.append(edit)
        return edits, None

    @staticmethod
    def _rm_useless(context: Context, view: RunView) -> bool:
        """Nothing earlier in the stage or its ancestors can have put files in /var/cache/apk."""
        info = context.stage_of(view.run)
        if info is None or not _official_alpine(info, context):
            return False
        chain = []
        current: StageInfo | None = info
        while current is not None:
            chain.append(current)
            current = context.stages[current.parent] if current.parent is not None else None
        for stage in chain:
            for instruction in stage.stage.instructions:
                if instruction is view.run:
                    break
                if copies_into(instruction, CACHE):
                    return False
                if isinstance(instruction, Run) and _writes_cache(context.run_view(instruction)):
                    return False
        return True


def _is_update(command: SimpleCommand) -> bool:
    invocation = _apk(command)
    return invocation is not None and invocation.subcommand == "update"


def _standalone_items(model: ShellScript, test) -> list[int]:
    """Indexes of top-level items made of one top-level command that passes ``test``."""
    out = []
    for index, item in enumerate(model.items):
        if item.kind not in ("command", "redirected_statement") or len(item.commands) != 1:
            continue
        command = item.commands[0]
        if command.context or not test(command):
            continue
        out.append(index)
    return out


def _removes_only_cache(command: SimpleCommand) -> bool:
    """``rm -rf /var/cache/apk/*`` (or the folder itself) and nothing else."""
    if command.name != "rm":
        return False
    operands = command.operands()
    return bool(operands) and all(
        clears(word.value, CACHE) and (word.value or "").rstrip("/*").rstrip("/") == CACHE for word in operands
    )


def _no_cache_edits(script, invocation: PackageCommand) -> list[Edit]:
    """Edits that give one ``apk add`` the ``--no-cache`` flag (replacing ``-U``/``--update``)."""
    edits: list[Edit] = []
    insert = True
    for option in invocation.options:
        word = option.words[0]
        if script.spans_continuation(word.start, word.end):
            return []
        if option.name in ("--update", "--update-cache") and not option.has_argument:
            edits.append(script.replace(word.start, word.end, "--no-cache"))
            insert = False
        elif not option.name.startswith("--") and "U" in option.letters and word.value == word.text:
            if option.name == "-U":
                edits.append(script.replace(word.start, word.end, "--no-cache"))
                insert = False
            else:
                edits.append(script.replace(word.start, word.end, "-" + option.letters.replace("U", "")))
    if insert:
        edits.append(script.insert(invocation.insert_offset, " --no-cache"))
    return edits
