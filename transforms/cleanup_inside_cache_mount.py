"""DF106 cleanup-inside-cache-mount: a RUN cleans (or disables) the very cache it mounts."""

from __future__ import annotations

from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, RunView, Safety, Valid, normal_path, under
from dfix.shell import SimpleCommand, package_command, package_commands

from ._cleanup import delete_item
from ._docker_clean import TOUCHES_HOOK, ships_docker_clean
from ._packages import CacheDir, path_covers

#: Where each cleaning package command deletes, by manager (``~`` paths are under any home).
_CLEANED: dict[str, tuple[CacheDir, ...]] = {
    "apt-get": (CacheDir("/var/cache/apt"),),
    "apt": (CacheDir("/var/cache/apt"),),
    "yum": (CacheDir("/var/cache/yum"),),
    "dnf": (CacheDir("/var/cache/dnf"),),
    "dnf5": (CacheDir("/var/cache/libdnf5"),),
    "zypper": (CacheDir("/var/cache/zypp"),),
    "apk": (CacheDir("/var/cache/apk"),),
    "pip": (CacheDir(".cache/pip", home=True),),
    "npm": (CacheDir(".npm", home=True),),
    "yarn": (CacheDir("/usr/local/share/.cache/yarn"), ),
}
_PIP_CACHE = CacheDir(".cache/pip", home=True)
_APK_CACHE = CacheDir("/var/cache/apk")
_APT_ARCHIVES = "/var/cache/apt"


class _Mounts(msgspec.Struct, frozen=True):
    """The cache and tmpfs mounts of a RUN."""

    targets: tuple[str, ...]

    def cover(self, cache: CacheDir) -> bool:
        return any(path_covers(target, cache) for target in self.targets)

    def cover_path(self, path: str) -> bool:
        """The literal absolute path (a folder, or a ``dir/*`` glob) lies inside a mount."""
        text = path[:-2] if path.endswith("/*") else path
        normal = normal_path(text)
        if normal is None or any(c in normal for c in "*?["):
            return False
        return any(
            (mount := normal_path(target)) is not None and under(normal, mount) and normal != mount
            or (mount is not None and normal == mount and path.endswith("/*"))
            for target in self.targets
        )


def _transient_mounts(view: RunView) -> _Mounts:
    return _Mounts(tuple(m.raw for m in view.mounts if m.type in ("cache", "tmpfs") and m.raw))


def _rm_paths(command: SimpleCommand) -> list[str | None] | None:
    """The paths of an ``rm``; None when it is not one."""
    if command.name != "rm":
        return None
    return [word.value for word in command.operands()]


class CleanupInsideCacheMount(Rule):
    """A RUN that cleans the cache its own ``--mount=type=cache`` (or tmpfs) holds.

    **What.** A RUN with ``--mount=type=cache`` or ``tmpfs`` that, at its
    end, deletes what that mount holds: ``rm -rf /var/lib/apt/lists/*`` with
    a mount on ``/var/lib/apt``, ``apt-get clean`` with one on
    ``/var/cache/apt``, ``yum``/``dnf clean all``, ``zypper clean``, ``pip
    cache purge``, ``npm cache clean``, ``apk cache clean`` with a mount on
    their caches, or any ``rm`` of paths inside the mount. Also ``pip
    install --no-cache-dir`` or ``apk add --no-cache`` with a mount on that
    very cache, and an apt cache mount on ``/var/cache/apt`` while the
    official images' ``docker-clean`` hook is still in place (it deletes
    every downloaded package, so the cache never fills).

    **Why.** Nothing a RUN writes into a cache or tmpfs mount reaches the
    image: the mount exists to keep downloads *between* builds. Cleaning it
    at the end of the RUN cannot make the image smaller; it only throws the
    cache away, so every build downloads again.

    **Fix.** Delete the cleaning command (safe: it only ever touched the
    mount). Only a command that cleans the mount alone: an ``rm`` that also
    deletes paths outside the mount, or a cleanup followed by other work, is
    reported without a fix. ``pip install --no-cache-dir`` under a pip cache
    mount loses the flag (unsafe: pip then writes to the mounted cache,
    which is the point, but it changes what a build reads). ``apk --no-cache``
    is reported only: without it ``apk add`` needs an index already in the
    cache. The ``docker-clean`` case is reported only (remove
    ``/etc/apt/apt.conf.d/docker-clean`` first to make the mount useful).
    """

    code = "DF106"
    name = "cleanup-inside-cache-mount"
    summary = "A RUN cleans or disables the cache it mounts"
    safety = Safety.SAFE

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
              "no mount: the cleanup is what keeps the image small"),
        Valid(
            "FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt \\\n    apt-get update && apt-get install -y curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
            "the lists are not in the mount: their removal shrinks the image",
        ),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
        ),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip rm -rf /root/.cache/pip/http && "
            "pip install -r requirements.txt\n",
            "a deliberate clean before the install",
        ),
        Valid(
            "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y curl\n",
            "docker-clean removed first: the mount fills",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n",
            "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y curl\n",
            message="`rm -rf /var/lib/apt/lists/*` deletes only what the RUN's cache mount holds: the image never had "
                    "it, and the cache is lost",
            line=6, column=5,
        ),
        Invalid(
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y gcc && dnf clean all\n",
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y gcc\n",
        ),
        Invalid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            "the flag disables the cache the RUN mounts: removing it is unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install \\\n    --no-cache-dir -r r.txt\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install \\\n    -r r.txt\n",
            "the flag first on a continuation line: it goes with the blank after it",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add --no-cache curl\n", None,
            "without --no-cache, apk add would need an index in the cache: reported only",
        ),
        Invalid(
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n", None,
            "the official image's docker-clean deletes every downloaded package: the mount never fills",
        ),
        Invalid(
            "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci && rm -rf /root/.npm/_cacache /tmp/build\n", None,
            "the rm also deletes a path outside the mount: reported only",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            mounts = _transient_mounts(view)
            if not mounts.targets:
                continue
            yield from self._cleanups(context, view, mounts)
            yield from self._disabling_flags(view, mounts)
            docker_clean = self._docker_clean(context, view, mounts)
            if docker_clean is not None:
                yield docker_clean

    # -- cleaning commands -------------------------------------------------------------------

    def _cleanups(self, context: Context, view: RunView, mounts: _Mounts) -> Iterator[Diagnostic]:
        model = view.model
        items = model.items
        # the trailing run of cleaning items: a cleanup followed by other work may be deliberate
        trailing: list[int] = []
        for index in range(len(items) - 1, -1, -1):
            commands = items[index].commands
            if len(commands) == 1 and self._cleaning(commands[0]) is not None:
                trailing.append(index)
            else:
                break
        for index in reversed(trailing):
            command = items[index].commands[0]
            covered = self._cleaning(command)
            if covered is None:
                continue
            text = model.text[command.start : command.end]
            if not covered(mounts):
                continue
            message = (f"`{text}` deletes only what the RUN's cache mount holds: the image never had it, and the "
                       "cache is lost")
            where = view.span(command.start, command.end)
            if view.script is None:
                yield self.diagnostic(where, message, note=f"not fixed: {view.guard.note}")
                continue
            edit = delete_item(context, view.script, index) if command.is_top_level else None
            if edit is None:
                yield self.diagnostic(where, message, note="not fixed: the command cannot be taken out of the RUN "
                                                            "without changing how the rest is joined")
                continue
            yield self.diagnostic(where, message, [edit], title="drop the cleanup of the mounted cache")
        # an rm that also deletes outside the mount: reported, never fixed
        for command in model.commands:
            paths = _rm_paths(command)
            if not paths or not _forced(command):
                continue
            inside = [p for p in paths if p is not None and mounts.cover_path(p)]
            if inside and len(inside) < len(paths):
                yield self.diagnostic(
                    view.span(command.start, command.end),
                    f"`rm` of {', '.join(inside)} deletes only what the RUN's cache mount holds: the image never had it",
                    note="not fixed: the same `rm` also deletes paths outside the mount; drop the mounted ones by hand",
                )

    @staticmethod
    def _cleaning(command: SimpleCommand):
        """A test of the mounts for a cleaning command (None when ``command`` cleans nothing)."""
        paths = _rm_paths(command)
        if paths is not None:
            if not paths or any(p is None for p in paths) or not _forced(command):
                return None
            return lambda mounts: all(mounts.cover_path(p) for p in paths)
        invocation = package_command(command)
        if invocation is None or invocation.action != "clean":
            return None
        caches = _CLEANED.get(invocation.manager)
        if caches is None:
            return None
        return lambda mounts: all(mounts.cover(cache) for cache in caches)

    # -- cache-disabling flags ------------------------------------------------------------------

    def _disabling_flags(self, view: RunView, mounts: _Mounts) -> Iterator[Diagnostic]:
        for invocation in package_commands(view.model):
            if invocation.manager == "pip" and invocation.action in ("install", "download") and mounts.cover(_PIP_CACHE):
                flag = next((o for o in invocation.options if o.name == "--no-cache-dir"), None)
                if flag is None:
                    continue
                message = "`--no-cache-dir` turns off the pip cache this RUN mounts"
                where = view.span(invocation.start, invocation.end)
                if view.script is None:
                    yield self.diagnostic(where, message, note=f"not fixed: {view.guard.note}")
                    continue
                edit = _delete_word(view, flag.words[0])
                if edit is None:
                    yield self.diagnostic(where, message, note="not fixed: the flag stands alone on a continuation line")
                    continue
                yield self.diagnostic(
                    where, message, [edit],
                    safety=Safety.UNSAFE, title="let pip use the mounted cache",
                    assumes="pip may read the mounted cache: later builds install what it holds instead of downloading",
                )
            elif invocation.manager == "apk" and invocation.action == "install" and mounts.cover(_APK_CACHE):
                if any(o.name == "--no-cache" for o in invocation.options):
                    yield self.diagnostic(
                        view.span(invocation.start, invocation.end),
                        "`apk add --no-cache` never uses the apk cache this RUN mounts",
                        note="not fixed: without `--no-cache`, `apk add` needs the index in the cache (`apk update` "
                             "or `--update-cache` first, and a `/etc/apk/cache` link to the mount)",
                    )

    # -- docker-clean -------------------------------------------------------------------------

    def _docker_clean(self, context: Context, view: RunView, mounts: _Mounts) -> Diagnostic | None:
        if not mounts.cover(CacheDir(_APT_ARCHIVES)):
            return None
        installs = [p for p in package_commands(view.model) if p.family == "apt" and p.action in ("install", "upgrade",
                                                                                            "dist-upgrade")]
        if not installs:
            return None
        if TOUCHES_HOOK.search(view.text) or not ships_docker_clean(context, view.parent or view.run):
            return None
        return self.diagnostic(
            view.run,
            "the apt cache mount on /var/cache/apt stays empty: the image's docker-clean hook deletes every downloaded "
            "package",
            note="not fixed: remove /etc/apt/apt.conf.d/docker-clean (or set Keep-Downloaded-Packages) in an earlier "
                 "RUN to make the mount useful",
        )


def _forced(command: SimpleCommand) -> bool:
    """``rm`` with ``-r`` or ``-f`` in any spelling (a plain ``rm`` of a missing path fails the build)."""
    for option in command.options():
        if option.name in ("--recursive", "--force"):
            return True
        if not option.name.startswith("--") and set(option.letters) & set("rRf"):
            return True
    return False


def _delete_word(view: RunView, word) -> "Edit | None":
    """An edit deleting ``word`` with the blanks before it (or after it, at the start of a line), or None."""
    script, text = view.script, view.model.text
    start = word.start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    if not script.spans_continuation(start, word.end):
        return script.replace(start, word.end, "")
    end = word.end
    while end < len(text) and text[end] in " \t":
        end += 1
    if end == word.end or script.spans_continuation(word.start, end):
        return None
    return script.replace(word.start, end, "")
