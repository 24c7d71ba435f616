"""DF210 apk-no-cache: ``apk add`` without ``--no-cache`` leaves the package index in the image."""

from __future__ import annotations

import re
from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, ImageEffects, Invalid, RunScript, RunView, Safety, StageInfo, Valid
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, has_option, package_command, package_commands
from dfix.syntax import Run

from ._alpine import NO_CACHE_SINCE, base_release
from ._cleanup import CacheCleanupRule, clears, consumer_runs, copies_into, delete_item, first_consumer, removes, where
from ._packages import UNSHIPPED_NOTE, never_shipped

CACHE = "/var/cache/apk"
#: Where apk keeps its cache: a cache/tmpfs mount on either means the user wants it kept out of the image.
_CACHE_PATHS = (CACHE, "/etc/apk/cache")
#: Options that make apk fetch a fresh index itself.
_FRESH = ("--no-cache", "-U", "--update", "--update-cache")
#: apk subcommands that never read the cached index.
_INDEX_FREE = frozenset({"del", "update", "stats", "audit", "verify", "index", "mkpkg", "extract", "adbdump", "adbsign", "convdb", "convndx"})
#: apk subcommands that install from the index: once the RUN's ``apk update`` goes, each gets
#: ``--no-cache`` too, or it would fetch the index and store it again.
_INSTALLING = frozenset({"add", "upgrade", "fix"})

_OLD_ALPINE = (
    "the base is Alpine 3.2 or older, whose apk has no `--no-cache` (it came with Alpine 3.3); "
    "delete `/var/cache/apk/*` at the end of the RUN instead"
)
_ASSUMES = "the base image is Alpine 3.3 or newer, whose apk knows `--no-cache`"


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


def _stores_index(invocation: PackageCommand) -> bool:
    """An apk command that leaves the index in ``/var/cache/apk``: ``apk update``, ``-U`` on any
    subcommand (``apk del -U`` too), or an index reader without ``--no-cache``."""
    if has_option(invocation, "--no-cache"):
        return False
    return invocation.subcommand == "update" or has_option(invocation, *_FRESH) or reads_index(invocation)


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
        and (_stores_index(invocation) or invocation.subcommand not in ("del", None))
        and not has_option(invocation, "--no-cache")
        for invocation in package_commands(view.model)
    )


def _official_alpine(info: StageInfo, context: Context) -> bool:
    """The stage's outermost base is an official image built on Alpine (their apk cache is empty)."""
    image = context.root_stage(info).stage.base
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
    inserts ``--no-cache`` after ``add``. When nothing later needs the cached
    index (no later RUN of the stage, of a stage built ``FROM`` it, or ONBUILD
    trigger runs ``apk add`` or another index reader without
    ``--no-cache``/``--update``, and no other apk command of the RUN reads
    it), it also deletes a standalone top-level ``apk update`` of the RUN and
    gives its ``apk upgrade``/``apk fix`` ``--no-cache`` as well, so no
    command stores the index again; otherwise the ``apk update`` is kept.
    A RUN whose ``apk add`` already has ``--no-cache`` but whose ``apk
    update`` still leaves the index (``apk update && apk upgrade && apk add
    --no-cache curl``) gets the same fix.

    An ``rm`` of the apk cache after the changed commands: a standalone
    ``rm -rf /var/cache/apk/*`` that only cleaned up after them is deleted
    when nothing else can have put files there (an official Alpine-based
    image, no earlier apk use); otherwise an ``rm`` without ``-f`` of files
    in the cache, in the RUN or in a later RUN, gets ``-f`` (``rm -rf``),
    because with an empty cache the glob ``/var/cache/apk/*`` stays literal
    and ``rm`` fails the build.

    Safety: ``--no-cache`` came with apk-tools 2.6.6 (Alpine 3.3); the apk
    of Alpine 3.2 ignores it, so on those bases the swapped ``--update`` is
    simply lost. The fix is safe where the base image's reference proves
    Alpine 3.3 or newer (``alpine:3.18``, ``alpine``/``latest``/``edge``,
    ``python:3.12-alpine3.19``, an official ``-alpine`` variant); unsafe,
    assuming Alpine 3.3 or newer, where it cannot tell (a build-argument
    tag, an image that does not say which Alpine it runs); reported
    without a fix on Alpine 3.2 and older.

    Not reported when a cache or tmpfs mount holds ``/var/cache/apk``, for
    ``apk add --no-network`` (it fetches nothing), or when the RUN already
    deletes ``/var/cache/apk/*`` after its last ``apk add`` and the base is
    not known to have ``--no-cache`` (a style finding otherwise). Such a
    self-cleaning RUN with several commands that read the index is reported
    without a fix: with ``--no-cache`` each would download the index again,
    for the same image.
    Exec-form and heredoc RUNs are reported without a fix, and so is an
    ``apk add`` in a build stage whose files never reach the image (its
    cache costs build time only); ONBUILD triggers only get token-local
    flags.
    """

    code = "DF210"
    name = "apk-no-cache"
    summary = "`apk add` without `--no-cache`"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=("/var/cache/apk/*", "/etc/apk/cache/*"))
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
            "FROM python:3.12-alpine\nRUN apk add --no-network --virtual .python-rundeps $runDeps\n",
            "`--no-network` fetches no index: nothing to keep out",
        ),
        Valid(
            "FROM alpine:3.2\nRUN apk add --update curl && rm -rf /var/cache/apk/*\n",
            "an old Alpine cleaning up itself: nothing stays, and `--no-cache` does not exist there",
        ),
        Valid(
            "ARG BASE=alpine:3.18\nFROM $BASE\nRUN apk add --update curl && rm -rf /var/cache/apk/*\n",
            "an unknown base that cleans up itself: the one-flag spelling is not worth a risk",
        ),
        Valid(
            "FROM alpine:3.20\nRUN apk update && apk add --no-cache curl && apk search -v git\n",
            "the update serves another apk command of the RUN",
        ),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apk add curl\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM alpine:3.19 AS build\nRUN apk add gcc musl-dev\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n",
            None,
            "a build stage whose files never ship: reported only",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --update curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "the RUN cleans the cache itself: a style finding, `--no-cache` says it in one flag and the rm goes",
        ),
        Invalid(
            "FROM alpine:3.20\nCOPY cache/ /var/cache/apk/\nRUN apk add --update curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nCOPY cache/ /var/cache/apk/\nRUN apk add --no-cache curl && rm -rf /var/cache/apk/*\n",
            "something else put files in the cache: the rm stays",
        ),
        Invalid(
            "FROM alpine:3.9\nRUN apk add --update curl && rm /var/cache/apk/*\n",
            "FROM alpine:3.9\nRUN apk add --no-cache curl\n",
            "an `rm` without `-f` would fail on the empty cache; here it only cleaned up after the add: it goes",
        ),
        Invalid(
            "FROM alpine:3.9\nRUN apk add --update curl && rm /var/cache/apk/* && echo done\nRUN apk add -U git\n",
            "FROM alpine:3.9\nRUN apk add --no-cache curl && echo done\nRUN apk add --no-cache git\n",
            "both RUNs in one pass",
        ),
        Invalid(
            "FROM alpine:3.9\nRUN apk add --update curl git\nRUN rm -r /var/cache/apk/*\n",
            "FROM alpine:3.9\nRUN apk add --no-cache curl git\nRUN rm -rf /var/cache/apk/*\n",
            "a later RUN's `rm -r` of the emptied cache would fail: it gets `-f`",
        ),
        Invalid(
            "FROM alpine:3.9\nRUN apk add --update curl\nRUN [\"rm\", \"/var/cache/apk/APKINDEX.tar.gz\"]\n",
            None,
            "a later exec-form `rm` would fail and cannot be edited: no fix",
        ),
        Invalid(
            "FROM example/base\nRUN apk add --update curl && rm /var/cache/apk/*\n",
            "FROM example/base\nRUN apk add --no-cache curl && rm -f /var/cache/apk/*\n",
            "an unknown base may ship a cache the rm deletes: it stays, with `-f`; unsafe, Alpine 3.3 assumed",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.2\nRUN apk add --update curl\n",
            None,
            "apk of Alpine 3.2 has no `--no-cache`: reported only",
        ),
        Invalid(
            "FROM gliderlabs/alpine:3.1\nRUN apk add --update curl\n",
            None,
            "a community image tagged with its (old) Alpine release",
        ),
        Invalid(
            "ARG ALPINE=3.18\nFROM alpine:${ALPINE}\nRUN apk add --update curl\n",
            "ARG ALPINE=3.18\nFROM alpine:${ALPINE}\nRUN apk add --no-cache curl\n",
            "a build-argument tag may name any release: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM mhart/alpine-node:6\nRUN apk add --update make\n",
            "FROM mhart/alpine-node:6\nRUN apk add --no-cache make\n",
            "an Alpine-based image that does not say which release: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-alpine3.19 AS build\nRUN apk add gcc\nFROM build\nRUN apk add --update musl-dev\n",
            "FROM python:3.12-alpine3.19 AS build\nRUN apk add --no-cache gcc\nFROM build\nRUN apk add --no-cache musl-dev\n",
            "the release in the tag, through a parent stage",
        ),
        Invalid(
            "FROM node:20-alpine\nRUN apk add python3\n",
            "FROM node:20-alpine\nRUN apk add --no-cache python3\n",
            "an official `-alpine` variant runs a current Alpine",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk upgrade && apk add --no-cache curl\n",
            "FROM alpine:3.20\nRUN apk upgrade --no-cache && apk add --no-cache curl\n",
            "`--no-cache` on the add, but the update still leaves the index: it goes, the upgrade fetches its own",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --update go && go build ./... && apk del -U go && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN apk add --no-cache go && go build ./... && apk del -U go && rm -rf /var/cache/apk/*\n",
            "`apk del -U` stores the index again: the rm stays",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk add curl && apk add --allow-untrusted /tmp/glibc.apk "
            "&& rm -rf /var/cache/apk/*\n",
            None,
            "the RUN deletes the cache already: --no-cache on both adds would download the index twice",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk -U upgrade && apk -U add curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN apk --no-cache upgrade && apk --no-cache add curl\n",
            "`-U` makes the upgrade store a fresh index: with the cache `rm` gone, it gets `--no-cache` too",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk update && apk upgrade && apk add curl\n",
            "FROM alpine:3.20\nRUN apk upgrade --no-cache && apk add --no-cache curl\n",
            "the upgrade would store the index again: it gets the flag too",
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
            "FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN apk add --no-cache git\n",
            "a later RUN reads the index: the update stays until that RUN has its own `--no-cache`, then goes",
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
            "an unknown base may ship a cache the rm deletes: the rm stays (unsafe: Alpine 3.3 assumed)",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.20\nONBUILD RUN apk update && apk add curl\n",
            "FROM alpine:3.20\nONBUILD RUN apk update && apk add --no-cache curl\n",
            "ONBUILD trigger: the flag only",
        ),
        Invalid(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache apk add curl\n",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache apk add --no-cache curl\n",
            "a cache mount elsewhere does not count",
        ),
        Invalid('FROM alpine:3.20\nRUN ["apk", "add", "curl"]\n', None, "exec form is never rewritten"),
        Invalid("FROM alpine:3.20\nRUN <<EOF\napk update\napk add curl\nEOF\n", None, "heredoc RUN"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            diagnostic = self._check_run(context, view)
            if diagnostic is not None:
                yield diagnostic

    def _check_run(self, context: Context, view: RunView) -> Diagnostic | None:
        model = view.model
        invocations = [invocation for invocation in package_commands(model) if invocation.manager == "apk"]
        adds = [invocation for invocation in invocations if _is_add(invocation) and not has_option(invocation, "--no-network")]
        if not adds or view.mount_covers(*_CACHE_PATHS):
            return None
        offending = [invocation for invocation in adds if not has_option(invocation, "--no-cache")]
        updates = [invocation for invocation in invocations if invocation.subcommand == "update"]
        if not offending and not updates:
            return None
        last = offending[-1] if offending else updates[-1]
        cleaned_after = removes(model, (CACHE,), after=last.end) or any(
            invocation.subcommand in ("cache clean", "cache purge") and invocation.start > last.end
            for invocation in invocations
        )
        release = base_release(context, view.run).at_least(NO_CACHE_SINCE)
        if cleaned_after and (not offending or release is not True or view.script is None):
            # nothing stays in the image: only a base known to have `--no-cache` makes the
            # one-flag spelling worth an edit
            return None
        span = view.span(last.start, last.end)
        if cleaned_after:
            message = "`apk add --no-cache` replaces the `apk update` / cache `rm` bookkeeping of this RUN"
        elif offending:
            message = "`apk add` without `--no-cache` leaves the package index in `/var/cache/apk`"
        else:
            message = "`apk update` leaves the package index in `/var/cache/apk`; the `apk add --no-cache` after it does not need it"
        if release is False:
            return self.diagnostic(span, message, note=_OLD_ALPINE) if offending else None
        script = view.script
        if script is None:
            return self.diagnostic(span, message, note=view.guard.append_note if view.guard else None) if offending else None
        if never_shipped(context, view.run):
            return self.diagnostic(span, message, note=UNSHIPPED_NOTE) if offending else None
        fetching = [i for i in invocations if i.subcommand in _INSTALLING and reads_index(i)] if cleaned_after else []
        if len(fetching) > 1:
            # the image is the same either way, and each `--no-cache` command downloads the index again
            note = (f"not fixed: the RUN deletes the cache at its end already, and with `--no-cache` each of its "
                    f"{len(fetching)} apk commands that read the package index would download it again")
            return self.diagnostic(span, message, note=note) if offending else None
        plan = self._plan(context, view, script, invocations, offending, updates)
        if plan.edits is None:
            return self.diagnostic(span, message, note=plan.note) if offending else None
        safety, assumes = (Safety.SAFE, "") if release else (Safety.UNSAFE, _ASSUMES)
        diagnostic = self.diagnostic(
            span, message, plan.edits, safety=safety, title="use `apk add --no-cache`", note=plan.note, assumes=assumes
        )
        if cleaned_after:
            diagnostic = msgspec.structs.replace(diagnostic, severity="style")
        return diagnostic

    def _plan(
        self,
        context: Context,
        view: RunView,
        script: RunScript,
        invocations: list[PackageCommand],
        offending: list[PackageCommand],
        updates: list[PackageCommand],
    ) -> "_Plan":
        """The edits of one RUN's fix (None, with the reason, when there is none)."""
        flag_edits = [_no_cache_edits(script, invocation) for invocation in offending]
        if not all(flag_edits):
            return _Plan(None, "an option of `apk add` is split by a line continuation; add `--no-cache` by hand")
        edits = [edit for command_edits in flag_edits for edit in command_edits]
        note = None
        deleted: list[int] = []
        if updates and not view.trigger:
            deleted, note = self._update_deletions(context, view, invocations)
        update_kept = len(deleted) < len(updates)
        if not offending and update_kept:
            return _Plan(None, note)  # an `apk update` that has to stay: nothing to fix
        changed = [*offending, *updates]
        if not update_kept:
            # with the index gone, `apk upgrade`/`apk fix` would fetch and store it again, and one given
            # `-U` stores it in any case: without the cache `rm`, each needs the flag too
            for invocation in invocations:
                if invocation.subcommand in _INSTALLING and not _is_add(invocation) and _stores_index(invocation):
                    command_edits = _no_cache_edits(script, invocation)
                    if not command_edits:
                        return _Plan(None, "an option of `apk` is split by a line continuation; add `--no-cache` by hand")
                    edits.extend(command_edits)
                    changed.append(invocation)
            edits.extend(delete_item(context, script, index) for index in deleted)
        first_change = min(invocation.start for invocation in changed)
        kept_update = min((u.start for u in updates), default=None) if update_kept else None
        removal = self._removals(context, view, script, first_change, kept_update, invocations, update_kept)
        if removal.edits is None:
            return removal
        edits.extend(edit for edit in removal.edits if not any(edit.start < e.end and e.start < edit.end for e in edits))
        if not update_kept and not view.trigger:
            later = _later_rm_edits(context, view)
            if isinstance(later, str):
                return _Plan(None, later)
            edits.extend(later)
        return _Plan(edits, note)

    def _update_deletions(self, context: Context, view: RunView, invocations: list[PackageCommand]) -> tuple[list[int], str | None]:
        """Top-level items of the RUN that are a standalone ``apk update`` the fix may delete, and why not if not."""
        model = view.model
        others = [
            invocation for invocation in invocations
            if invocation.subcommand not in _INSTALLING and invocation.subcommand != "update" and reads_index(invocation)
        ]
        if others:
            return [], "`apk update` kept: another apk command of the RUN reads the index"
        consumer = first_consumer(context, view.run, consumes_index)
        if consumer is not None:
            return [], f"`apk update` kept: the RUN at {where(context, consumer)} reads the index it leaves"
        standalone = [
            index for index in _standalone_items(model, _is_update)
            if delete_item(context, view.script, index) is not None
        ]
        updates = sum(1 for invocation in invocations if invocation.subcommand == "update")
        if len(standalone) < updates:
            return [], "an `apk update` that is not a standalone top-level command was kept"
        return standalone, None

    def _removals(
        self,
        context: Context,
        view: RunView,
        script: RunScript,
        first_change: int,
        kept_update: int | None,
        invocations: list[PackageCommand],
        update_kept: bool,
    ) -> "_Plan":
        """What becomes of the RUN's own ``rm`` of the apk cache after the changed commands.

        With ``--no-cache`` nothing is left to delete: a standalone ``rm`` that
        only cleaned the apk cache goes when nothing else can have put files
        there (an official Alpine-based image, no earlier apk use, no other
        apk command of the RUN that still stores the index); otherwise an
        ``rm`` without ``-f`` gets it, because on an empty folder the glob
        ``/var/cache/apk/*`` stays literal and ``rm`` fails.
        """
        model = view.model
        others_store = update_kept or any(
            _stores_index(invocation) and invocation.subcommand not in (*_INSTALLING, "update")
            for invocation in invocations
        )
        removals = [index for index in _standalone_items(model, _removes_only_cache) if model.items[index].start > first_change]
        named_elsewhere = model.text.count(CACHE) > sum(
            model.text.count(CACHE, model.items[index].start, model.items[index].end) for index in removals
        )
        edits: list[Edit] = []
        dropped: set[int] = set()
        if removals and not others_store and not named_elsewhere and not view.trigger and self._rm_useless(context, view):
            for index in removals:
                edit = delete_item(context, script, index)
                if edit is not None:
                    edits.append(edit)
                    dropped.update(c.start for c in model.items[index].commands)
        for command in model.commands:
            if command.start < first_change or command.start in dropped or not _fails_on_empty_cache(command):
                continue
            if kept_update is not None and kept_update < command.start:
                continue  # the kept `apk update` refills the cache before it
            edit = _force_edit(script, command)
            if edit is None:
                return _Plan(None, "an `rm` of the apk cache is split by a line continuation; add `-f` to it by hand")
            edits.append(edit)
        return _Plan(edits, None)

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


class _Plan(msgspec.Struct, frozen=True):
    """The edits of a fix (None: no fix), and what the user is told."""

    edits: list[Edit] | None
    note: str | None


def _inside_cache(word) -> bool:
    """The word names something *inside* ``/var/cache/apk`` (not the folder itself)."""
    text = (word.value if word.value is not None else word.text).strip("'\"")
    text = re.sub(r"/+", "/", text)
    return text.startswith(CACHE + "/") and len(text.rstrip("/")) > len(CACHE)


def _forces(command: SimpleCommand) -> bool:
    """``rm -f``, ``rm -rf``, ``rm --force``: a missing operand is not an error."""
    return any(
        option.name == "--force" or (not option.name.startswith("--") and "f" in option.letters)
        for option in command.options()
    )


def _fails_on_empty_cache(command: SimpleCommand) -> bool:
    """An ``rm`` without ``-f`` of files inside ``/var/cache/apk``: it fails once apk stores nothing there."""
    return command.name == "rm" and not _forces(command) and any(_inside_cache(word) for word in command.operands())


def _force_edit(script: RunScript, command: SimpleCommand) -> Edit | None:
    """Give an ``rm`` its ``-f``: ``-r`` becomes ``-rf``, a bare ``rm`` becomes ``rm -f``."""
    for option in command.options():
        word = option.words[0]
        if option.name.startswith("--") or option.name == "-" or word.value != word.text:
            continue
        if script.spans_continuation(word.start, word.end):
            return None
        return script.replace(word.start, word.end, word.text + "f")
    name = command.name_word
    if name is None:
        return None
    return script.insert(name.end, " -f")


def _later_rm_edits(context: Context, view: RunView) -> list[Edit] | str:
    """``-f`` for the ``rm``s of the apk cache in later RUNs that the emptied cache would make fail.

    Later RUNs are read in order up to the first one that stores the index
    again (its own fix, if any, takes care of what follows it). Returns why
    the fix cannot apply when such an ``rm`` sits in a RUN no fix may edit.
    """
    edits: list[Edit] = []
    for later in consumer_runs(context, view.run):
        model = later.model
        if model is None or later.mount_covers(*_CACHE_PATHS, types=None):
            continue
        writers = [
            invocation.start for invocation in package_commands(model)
            if invocation.manager == "apk" and _stores_index(invocation)
        ]
        refill = min(writers, default=None)
        for command in model.commands:
            if refill is not None and command.start > refill:
                break
            if not _fails_on_empty_cache(command):
                continue
            edit = _force_edit(later.script, command) if later.script is not None else None
            if edit is None:
                return f"the `rm` of the apk cache at {where(context, later.run)} would fail on the empty cache; add `-f` to it"
            edits.append(edit)
        if refill is not None:
            break
    return edits
