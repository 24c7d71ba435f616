"""DF100 consecutive-run: adjacent RUNs that could be one RUN (one layer, one shell)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import SAME_IMAGE, Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.syntax import Run

from ._apt import refreshed_later
from ._merge import Refusal, command_count, mergeable_pair, plan_merge, update_then_install
from ._merge_purpose import (
    cleanup_only,
    creates_what_it_deletes,
    deletion_targets,
    dependency_fetch,
    installs_from_refreshed_index,
    long_step,
    permission_targets,
    same_manager_installs,
    wrote_what_it_changes,
)

#: Why neighbours with no boundary between them are still kept apart.
_NO_PURPOSE = (
    "merging would buy nothing: no package index refreshed for an install, no files deleted, moved or given another "
    "mode or owner that the RUN above created, no installs of one package manager"
)


class ConsecutiveRun(Rule):
    """Join consecutive ``RUN`` instructions into one, where that buys something.

    **What.** Two or more shell-form RUNs in a row in one stage (only comment
    and blank lines between them) with the same flags (``--mount`` list,
    ``--network``, ``--security``, ``--device``) and the same SHELL.

    **When it reports** (hadolint's DL3059): a RUN whose neighbour above is a
    RUN as described, when each of the two has at most ``max-commands``
    commands (default 2, hadolint's threshold; counted like hadolint: every
    simple command with a literal name, nested ones included; 0 = any size),
    and always for an index refresh followed by an install from it (``RUN
    apt-get update`` + ``RUN apt-get install ...``), whatever their size. A
    suppression (``# dfix: ignore=DF100``, ``# hadolint ignore=DL3059``)
    above a RUN keeps it apart from the RUN above it.

    **When it merges.** Each RUN is a layer and a cache step, and a merge has
    a price: the merged steps share one cache entry (an edit or a failure in
    the later part repeats the earlier part), and the author's steps are gone.
    So neighbours are merged only for what the guides name:

    * an index refresh with the install that reads it: alone in a RUN,
      ``apt-get update`` is cached forever and a later install reads stale
      lists;
    * a step that creates files with the later step that deletes them
      (``wget``/``tar`` then ``rm``, an install then ``rm -rf
      /var/lib/apt/lists/*`` or ``apk del``): files deleted in a later layer
      still ship in the image; the steps between them join too; likewise a
      step that gives such files another mode or owner (``chmod +x``,
      ``chown``) or moves them (``mv``), whose layer would store them a
      second time;
    * adjacent installs of one package manager, when both RUNs hold only
      package commands (and deletions), the first does not already clean
      that manager's cache, and the second does not refresh the index itself
      (then each is a complete step the author grouped on purpose).

    Never merged, and reported with a note saying why:

    * across a comment line or a blank line: the author's sections (a
      commented banner, a commented-out ``#RUN``) stay where they are;
    * around a dependency-fetch step (``go mod download``, ``npm ci``,
      ``npm install`` of the manifest, ``yarn install``, ``pnpm install``,
      ``pip install -r``, ``poetry install``, ``bundle install``, ``composer
      install``, ``mvn dependency:...``, ``cargo fetch``, ``dotnet restore``
      ...), unless the next RUN only cleans up after it: the fetch is a layer
      of its own that changes only with the manifests, so the dependencies
      stay cached while the steps after it change;
    * a RUN that runs a long build step, with either neighbour (option
      ``keep-long-steps``, default true): ``make``, ``cmake``, ``ninja``,
      ``./configure``, compilers (``gcc``, ``clang``, ``rustc``, ``javac``
      ...), ``go build``, ``cargo build``, ``mvn package``, ``gradle build``,
      ``dotnet build``/``publish``, and scripts named like build stages
      (``build.sh``, ``bootstrap.sh``, ``build-toolchain``, ``stage2.sh``, or
      a ``stage1`` argument);
    * anything that a plain ``&&`` join would change (see below);
    * neighbours that have none of the purposes above.

    **Fix.** Every line stays as written. The first RUN's last command gets
    `` && \\`` (the file's escape character and line ending; or, when the
    file puts ``&&`` at the start of continuation lines, `` \\`` and the next
    line starts with ``&& ``); the next RUN loses its ``RUN`` keyword and
    flags and becomes continuation lines, its first line indented like the
    lines that start commands in the RUN above (else four spaces). A trailing
    ``;`` of the first RUN is dropped, so ``a; && b`` cannot happen. A
    trailing ``# comment`` of a RUN that gets a command appended (it would
    swallow it) moves onto a comment line of its own just above the line
    it was on.

    **Safety: safe**, because a merge is made only where ``a && b`` is exact.
    Each RUN runs in a fresh shell, so these are reported without a fix: a
    side that changes the shell's state (``cd``, ``export``, ``set``,
    ``umask``, ``trap``, ``exit``, ``source``, a bare assignment, a function
    ...) with more after it (a RUN made only of such state has no lasting
    effect at all, which DF605 and DF107 report); a later side made of
    several lists (``x; y``, ``x || y``), which would run after a failure of
    the RUN above; a side that starts a background job (``&``) or a service
    (``service x start``, ``nginx`` ...) before the end, since a RUN's
    processes die with it; under a SHELL with ``-e``, a side before ``&&``
    that does not end in a simple command (shells ignore ``-e`` there); a
    trailing comment that looks like a directive; a RUN whose last command is
    followed, on later lines, by more than a ``;``, continuations and comment
    lines; a side where a package manager upgrades itself (``pip3 install
    --upgrade pip``, ``npm install -g npm``) before a later side runs it by
    name, since a shell remembers where it found a program and would run the
    old copy (not on ``python``, conda, Alpine or ``node`` images, where the
    new copy replaces the old one). The merged RUN exceeding ``max-merged-commands`` (default 0 = no
    limit) is reported without a fix too. A tmpfs or read-write bind mount
    on the RUNs makes the fix unsafe: it is fresh in each RUN but shared once
    merged. Never merged, and not reported: exec form, heredoc RUNs, a
    non-POSIX SHELL, ONBUILD triggers, scripts that do not
    parse or hold only a comment, RUNs with different flags or SHELL, or
    with any other instruction between them.
    """

    code = "DF100"
    name = "consecutive-run"
    summary = "Consecutive RUN instructions that could be one"
    safety = Safety.SAFE
    declared_effects = SAME_IMAGE  # fewer layers, the same files
    aliases = ("DL3059",)
    options = {"max-commands": 2, "max-merged-commands": 0, "keep-long-steps": True}

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM debian\nRUN a\nWORKDIR /x\nRUN b\n", "another instruction between"),
        Valid("FROM debian\nRUN a\nENV X=1\nRUN b\n", "ENV between"),
        Valid("FROM debian AS one\nRUN a\nFROM debian\nRUN b\n", "different stages"),
        Valid("FROM debian\nRUN --network=none a\nRUN b\n", "different flags"),
        Valid(
            "FROM debian\nRUN --mount=type=cache,target=/root/.cache a\nRUN --mount=type=cache,target=/tmp b\n",
            "different mounts",
        ),
        Valid('FROM debian\nRUN ["a"]\nRUN ["b"]\n', "exec form is never merged"),
        Valid('FROM debian\nRUN a\nRUN ["b"]\n', "exec form is never merged"),
        Valid("FROM debian\nRUN <<EOF\na\nEOF\nRUN b\n", "heredoc RUNs are never merged"),
        Valid("FROM debian\nONBUILD RUN a\nONBUILD RUN b\n", "ONBUILD triggers are never merged"),
        Valid("FROM debian\nRUN a\nONBUILD RUN b\n", "ONBUILD between"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN a\nRUN b\n',
            "not a POSIX shell",
        ),
        Valid("FROM debian\nRUN a && b && c\nRUN d\n", "hadolint's threshold: the first RUN has 3 commands"),
        Valid("FROM debian\nRUN a\nRUN b && c && d\n", "hadolint's threshold: the second RUN has 3 commands"),
        Valid("FROM debian\nRUN a\n# dfix: ignore=DF100\nRUN b\n", "suppressed"),
        Valid("FROM debian\nRUN a\n# hadolint ignore=DL3059\nRUN b\n", "hadolint's suppression"),

        Valid("FROM debian\nRUN if [ -f x ]; then\n", "a script that does not parse"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n",
            "the classic: a refresh alone in a RUN is cached forever",
        ),
        Invalid(
            "FROM ubuntu\nRUN apt-get update && apt-get upgrade -y\nRUN apt-get install -y curl\n",
            "FROM ubuntu\nRUN apt-get update && apt-get upgrade -y && \\\n    apt-get install -y curl\n",
            "a refresh followed by an upgrade still leaves the install reading lists cached with the RUN above",
        ),
        Invalid(
            "FROM alpine\nRUN apk add curl\nRUN apk add git\nRUN apk add jq\n",
            "FROM alpine\nRUN apk add curl && \\\n    apk add git && \\\n    apk add jq\n",
            "adjacent installs of one package manager: three RUNs, one fix",
        ),
        Invalid(
            "FROM debian\nRUN wget -q https://example.com/tool.tar.gz\nRUN tar -xzf tool.tar.gz -C /opt\n"
            "RUN rm tool.tar.gz\n",
            "FROM debian\nRUN wget -q https://example.com/tool.tar.gz && \\\n    tar -xzf tool.tar.gz -C /opt && \\\n"
            "    rm tool.tar.gz\n",
            "a file deleted in a later RUN still ships: the download, the steps between and the deletion join",
        ),
        Invalid(
            "FROM python:3.12-alpine\nRUN apk add --virtual .build-deps gcc musl-dev\nRUN pip install psycopg2\n"
            "RUN apk del .build-deps\n",
            "FROM python:3.12-alpine\nRUN apk add --virtual .build-deps gcc musl-dev && \\\n    pip install psycopg2 && \\\n"
            "    apk del .build-deps\n",
            "build dependencies removed in a later RUN: the removal joins the install that added them",
        ),
        Invalid(
            "FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\nRUN npm cache clean --force\n",
            "FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci && \\\n    npm cache clean --force\n",
            "after a dependency fetch, only its clean-up may join it",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n  apt-get install -y \\\n      curl\nRUN rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && \\\n  apt-get install -y \\\n      curl && \\\n  rm -rf /var/lib/apt/lists/*\n",
            "multi-line with trailing `&& \\`: the indent of lines that start commands",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
            "leading `&&` style is kept",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y \\\n      a \\\n      b\n"
            "RUN apt-get install -y c \\\n    && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y \\\n      a \\\n      b \\\n"
            "    && apt-get install -y c \\\n    && rm -rf /var/lib/apt/lists/*\n",
            "leading `&&` style, told apart from package-list lines",
        ),
        Invalid(
            "FROM centos:7\nRUN yum install -y gcc && yum clean all\nRUN yum install -y make\n", None,
            "the first RUN already cleans its cache: one more install after it buys nothing",
        ),
        Invalid(
            "FROM debian\r\nRUN apt-get update\r\nRUN apt-get install -y curl\r\n",
            "FROM debian\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\n",
            "CRLF kept",
        ),
        Invalid(
            '# escape=`\nFROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN apk update\nRUN apk add curl\n',
            '# escape=`\nFROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN apk update && `\n    apk add curl\n',
            "backtick escape under a POSIX SHELL",
        ),
        Invalid(
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install a\n"
            "RUN --mount=type=cache,target=/root/.cache pip install b\n",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install a && \\\n    pip install b\n",
            "equal flags: the second RUN's flags go",
        ),
        Invalid(
            "FROM debian\nRUN --mount=type=tmpfs,target=/t apt-get update\n"
            "RUN --mount=type=tmpfs,target=/t apt-get install -y curl\n",
            "FROM debian\nRUN --mount=type=tmpfs,target=/t apt-get update && \\\n    apt-get install -y curl\n",
            "a tmpfs mount is fresh in every RUN but shared once merged: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get update;\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n",
            "a trailing `;` is dropped, never `a; && b`",
        ),
        Invalid(
            "FROM debian:12\nRUN curl -fsSLo /usr/local/bin/tool https://example.com/tool\n"
            "RUN chmod +x /usr/local/bin/tool\n",
            "FROM debian:12\nRUN curl -fsSLo /usr/local/bin/tool https://example.com/tool && \\\n"
            "    chmod +x /usr/local/bin/tool\n",
            "a chmod of a file the RUN above downloaded would store it twice",
        ),
        Invalid(
            "FROM php:8\nRUN curl -fsSLo phpunit.phar https://phar.phpunit.de/phpunit-9.phar\n"
            "RUN mv phpunit.phar /usr/local/bin/phpunit\n",
            "FROM php:8\nRUN curl -fsSLo phpunit.phar https://phar.phpunit.de/phpunit-9.phar && \\\n"
            "    mv phpunit.phar /usr/local/bin/phpunit\n",
            "moving a file the RUN above downloaded would store it twice",
        ),
        Invalid(
            "FROM debian:12\nRUN echo built > /worker/version\nRUN chown 1000:1000 /worker\n",
            None,
            "a chown of the folder, not of the file the RUN above wrote in it: nothing is stored twice",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update # refresh\nRUN apt-get install -y curl # tools\n",
            "FROM debian\n# refresh\nRUN apt-get update && \\\n    apt-get install -y curl # tools\n",
            "a trailing comment moves onto its own line; the last one stays",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update \\\n  && apt-get install -y a \\\n  # done\n  ;\nRUN apt-get install -y c\n",
            "FROM debian\nRUN apt-get update \\\n  && apt-get install -y a \\\n  # done\n  && apt-get install -y c\n",
            "a lone `;` line closing the first RUN goes, its comment lines stay",
        ),
        Invalid(
            "FROM alpine\nRUN apk add a\nRUN apk add b\n# dfix: ignore[DF100] -- c stays apart\nRUN apk add c\nRUN apk add d\n",
            "FROM alpine\nRUN apk add a && \\\n    apk add b\n# dfix: ignore[DF100] -- c stays apart\nRUN apk add c && \\\n    apk add d\n",
            "a suppression cuts a chain",
        ),
        Invalid(
            "FROM alpine\nRUN apk add a\nRUN apk add b\nRUN apk add c || apk add c-legacy\nRUN apk add d\n",
            "FROM alpine\nRUN apk add a && \\\n    apk add b\nRUN apk add c || apk add c-legacy && \\\n    apk add d\n",
            "a side that cannot follow `&&` splits the chain; it may still lead the next merge",
        ),
        # reported (hadolint's DL3059), not merged: nothing to gain
        Invalid("FROM debian\nRUN a\nRUN b\n", None, "two steps with no purpose in common: reported, not merged"),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n\n# --- tools ---\nRUN apt-get install -y git\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n\n# --- tools ---\nRUN apt-get install -y git\n",
            "a blank line or a comment banner between RUNs is a section boundary",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl\n#RUN apt-get install -y vim\nRUN apt-get install -y git\n",
            None,
            "a commented-out RUN between them stays outside any RUN",
        ),
        Invalid(
            "FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go mod download\nRUN go vet ./...\n", None,
            "a dependency fetch keeps its own layer",
            message="this RUN could join the RUN on line 3",
        ),
        Invalid(
            "FROM node:20\nRUN npm install\nRUN npm run build\n", None,
            "`npm install` of the manifest is a dependency fetch: not joined to the build",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install --upgrade pip\nRUN pip install -r requirements.txt\n", None,
            "nor to a step before it: the fetch changes only with the manifests",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install -r requirements.txt\nRUN python manage.py collectstatic --noinput\n",
            None, "`pip install -r` is a dependency fetch",
        ),
        Invalid(
            "FROM debian\nRUN ./setup-toolchain.sh download\nRUN ./setup-toolchain.sh stage1\nRUN ./setup-toolchain.sh stage2\n",
            None, "stage-like build steps keep their own cache entries",
        ),
        Invalid(
            "FROM debian\nRUN wget -q https://example.com/src.tar.gz && tar -xzf src.tar.gz\nRUN make -C src\n"
            "RUN rm -rf src src.tar.gz\n",
            None, "a long build step is never merged, even to delete what it used",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && cd /tmp\nRUN apt-get install -y curl\n", None,
            "`cd` would reach the next RUN's commands: not wrapped in a subshell, reported",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl || true\n", None,
            "after `&&`, the `||` would run after a failed refresh: reported",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update & sleep 1\nRUN apt-get install -y curl\n", None,
            "a background job: reported, no fix",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && service mysql start\nRUN apt-get install -y curl\n", None,
            "a service would outlive its RUN: no fix",
        ),
        Invalid(
            "FROM ubuntu:16.04\nRUN pip3 install --upgrade pip\nRUN pip3 install --no-cache-dir tensorflow\n"
            "RUN pip3 install --no-cache-dir numpy pandas\n",
            "FROM ubuntu:16.04\nRUN pip3 install --upgrade pip\nRUN pip3 install --no-cache-dir tensorflow && \\\n"
            "    pip3 install --no-cache-dir numpy pandas\n",
            "pip upgrades itself: in one shell the next `pip3` would still be the old one, so that RUN stays apart",
        ),
        Invalid(
            "FROM ubuntu:16.04\nRUN apt-get update\nRUN apt-get update -y\nRUN apt-get install -y curl\n",
            "FROM ubuntu:16.04\nRUN apt-get update -y && \\\n    apt-get install -y curl\n",
            "the lone refresh is not merged into a RUN that refreshes again: it goes (with DF204), and the refresh "
            "joins its install",
            also=("DF204",),
        ),
        Invalid(
            "FROM debian\nRUN apt-get update # hadolint ignore=DL3008\nRUN apt-get install -y curl\n", None,
            "a trailing comment that looks like a directive is not moved: no fix",
        ),
        Invalid(
            'FROM debian\nSHELL ["/bin/bash", "-e", "-c"]\nRUN if true; then apt-get update; fi\n'
            "RUN apt-get install -y curl\n", None,
            "`-e` is ignored inside a compound command before `&&`: no fix",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        limit = int(self.settings["max-commands"] or 0)
        cap = int(self.settings["max-merged-commands"] or 0)
        for info in context.stages:
            instructions = info.stage.instructions
            chain: list[Run] = []
            for previous, current in zip((None, *instructions), instructions):
                if previous is not None and self._triggers(context, previous, current, limit):
                    if not context.is_suppressed(self.code, current):
                        if not chain:
                            chain.append(previous)
                        chain.append(current)
                        continue
                    # the suppression keeps the two apart; report for the engine to silence it, so
                    # the comment counts as used (else DF001 would call it unused and delete it)
                    yield self._unfixed(context, previous, current, Refusal("suppressed", current))
                if len(chain) > 1:
                    yield from self._purposeful(context, chain, cap)
                chain = []
            if len(chain) > 1:
                yield from self._purposeful(context, chain, cap)

    # -- which neighbours count -------------------------------------------------------------------

    def _triggers(self, context: Context, first, second, limit: int) -> bool:
        """hadolint's DL3059 condition for ``second``, plus refresh-then-install."""
        if mergeable_pair(context, first, second) is not None:
            return False
        if not limit:
            return True
        models = context.run_view(first).model, context.run_view(second).model
        small = all(command_count(model) <= limit for model in models)
        return small or update_then_install(*models)

    # -- which neighbours are worth merging -------------------------------------------------------

    def _purposeful(self, context: Context, chain: list[Run], cap: int) -> Iterator[Diagnostic]:
        """Merge the groups of ``chain`` that a merge serves; report the other neighbours with the reason."""
        models = [context.run_view(run).model for run in chain]
        pairs = range(len(chain) - 1)
        apart: list[Refusal | None] = [self._boundary(context, chain, models, k) for k in pairs]
        purpose: list[bool] = [apart[k] is None and self._pair_purpose(models[k], models[k + 1]) for k in pairs]
        # a neighbour the shell would treat differently once joined is apart too, so that a purpose never
        # spans it (the cleanup joins its creator, or nothing)
        for k in pairs:
            if apart[k] is None:
                plan = plan_merge(context, chain[k : k + 2])
                if not plan:
                    apart[k] = plan
        # a step that deletes files joins the earliest step above it (with no boundary between) that created
        # them, and what lies between: the file is in no layer of the merged RUN
        for deleter in range(1, len(chain)):
            deleted, changed = deletion_targets(models[deleter]), permission_targets(models[deleter])
            if not (deleted or changed):
                continue
            earliest = None
            for creator in range(deleter - 1, -1, -1):
                if apart[creator] is not None:
                    break
                if (deleted and creates_what_it_deletes(models[creator], deleted)) or (
                    changed and wrote_what_it_changes(models[creator], changed)
                ):
                    earliest = creator
            if earliest is not None:
                for k in range(earliest, deleter):
                    purpose[k] = True
        group: list[Run] = [chain[0]]
        for k in pairs:
            if purpose[k]:
                group.append(chain[k + 1])
                continue
            if len(group) > 1:
                yield from self._chain(context, group, cap)
            refusal = apart[k] if apart[k] is not None else Refusal(_NO_PURPOSE)
            yield self._unfixed(context, chain[k], chain[k + 1], refusal)
            group = [chain[k + 1]]
        if len(group) > 1:
            yield from self._chain(context, group, cap)

    def _boundary(self, context: Context, chain: list[Run], models: list, k: int) -> Refusal | None:
        """Why RUN ``k`` and RUN ``k + 1`` of ``chain`` stay apart whatever a merge would buy, or None."""
        first, second = chain[k], chain[k + 1]
        if first.span.end != second.span.start:
            return Refusal("a comment or blank line between them starts a new section of the file")
        refresher = refreshed_later(context, context.run_view(first))
        if refresher is not None:
            return Refusal(
                f"line {first.start_line} only refreshes the apt lists, and the RUN on line {refresher.start_line} "
                "refreshes them again before anything reads them: that lone refresh goes instead (DF204)"
            )
        if self.settings["keep-long-steps"]:
            for run, model in ((first, models[k]), (second, models[k + 1])):
                step = long_step(model)
                if step is not None:
                    return Refusal(
                        f"line {run.start_line} runs a long build step (`{step}`), which keeps a cache entry of "
                        "its own: merged, a failure or an edit in one part would repeat the other"
                    )
        fetch = dependency_fetch(models[k])
        if fetch is not None and not cleanup_only(models[k + 1]):
            return Refusal(
                f"line {first.start_line} fetches dependencies (`{fetch}`), a layer of its own so that they stay "
                "cached while the steps after it change"
            )
        fetch = dependency_fetch(models[k + 1])
        if fetch is not None:
            return Refusal(
                f"line {second.start_line} fetches dependencies (`{fetch}`), a layer of its own that changes only "
                "with the dependency manifests"
            )
        return None

    @staticmethod
    def _pair_purpose(first, second) -> bool:
        """A refresh with the install from it, or two installs of one package manager."""
        return installs_from_refreshed_index(first, second) or same_manager_installs(first, second) is not None

    # -- findings ---------------------------------------------------------------------------------

    def _chain(self, context: Context, chain: list[Run], cap: int) -> Iterator[Diagnostic]:
        start = 0
        while start < len(chain) - 1:
            plan = plan_merge(context, chain[start : start + 2], max_commands=cap)
            if not plan:
                yield self._unfixed(context, chain[start], chain[start + 1], plan)
                start += 1
                continue
            end = start + 1
            blocked: Refusal | None = None
            while end + 1 < len(chain):
                longer = plan_merge(context, chain[start : end + 2], max_commands=cap)
                if not longer:
                    blocked = longer
                    break
                plan, end = longer, end + 1
            runs = chain[start : end + 1]
            message = (
                f"{len(runs)} consecutive RUN instructions (lines {runs[0].start_line}-{runs[-1].start_line}) can be one RUN"
                if len(runs) > 2
                else f"this RUN can join the RUN on line {runs[0].start_line}"
            )
            yield self.diagnostic(
                context.span(runs[1].span.start, runs[-1].span.end),
                message,
                plan.edits,
                safety=plan.safety,
                title=f"merge {len(runs)} RUNs into one" if len(runs) > 2 else "merge into the RUN above",
                note=plan.note,
            )
            if blocked is not None:
                yield self._unfixed(context, chain[end], chain[end + 1], blocked)
            start = end + 1

    def _unfixed(self, context: Context, first: Run, second: Run, refusal: Refusal) -> Diagnostic:
        where = f"line {refusal.run.start_line}: " if refusal.run is not None else ""
        return self.diagnostic(
            second,
            f"this RUN could join the RUN on line {first.start_line}",
            note=f"not merged: {where}{refusal.reason}",
        )
