"""DF221 js-package-cache-left: ``npm install``/``yarn install`` leave their download cache in the image."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Iterator

import msgspec

from dfix.engine import ONBUILD_TRIGGER, Context, ImageEffects, Invalid, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, package_commands
from dfix.syntax import Add, Copy, Env, Run

from ._packages import (
    UNSHIPPED_NOTE,
    CacheDir,
    Finding,
    PackageCommandRule,
    cache_mount_covers,
    code_of,
    inline_value,
    removes_path,
    never_shipped,
)

_NPM_CACHES = (CacheDir(".npm", home=True),)
#: Yarn 1 keeps its cache in /usr/local/share/.cache/yarn for root, ~/.cache/yarn otherwise.
_YARN_CACHES = (CacheDir("/usr/local/share/.cache/yarn"), CacheDir(".cache/yarn", home=True))
#: pnpm's store (``~/.local/share/pnpm/store``; images often set ``PNPM_HOME=/pnpm``).
_PNPM_CACHES = (CacheDir(".local/share/pnpm", home=True), CacheDir(".cache/pnpm", home=True), CacheDir("/pnpm"))
#: Wrappers that run the command as another user, whose cache the appended clean would miss.
_OTHER_USER = frozenset({"sudo", "su", "runuser", "gosu", "su-exec", "setpriv", "chroot", "doas", "chpst", "s6-setuidgid"})
#: Yarn ≥ 2 ("berry") signs anywhere in the file.
_BERRY = lazy_pattern(
    r"yarn\s+set\s+version|yarn\s+policies\s+set-version|packageManager|\.yarnrc\.yml|\.yarn/releases|\.pnp\.c?js"
    r"|yarn@(?:berry|stable|canary|latest|[2-9]|\d\d)"
    r"|corepack\b",
    re.IGNORECASE,
)
_YARN_VERSION = lazy_pattern(r"^\s*[\"']?v?(\d+)")
_QUERY_OPTIONS = ("--version", "-v", "--help", "-h")


def _replaces_npm(view: RunView, commands: tuple[PackageCommand, ...]) -> bool:
    """The RUN installs another npm or Node.js, or removes them: ``npm install -g npm@latest``, ``n 7.10.1``,
    ``nvm install``, ``apt-get purge nodejs``."""
    for command in commands:
        if command.manager == "npm" and command.action == "install":
            if any((word.value or "").split("@", 1)[0] == "npm" for word in command.packages):
                return True
        if command.action == "remove" and any((word.value or "") in ("nodejs", "npm") for word in command.packages):
            return True
    return any(step.name in ("n", "nvm", "fnm", "volta") for step in view.model.commands)  # type: ignore[union-attr]


class _Tool(msgspec.Struct, frozen=True):
    """One JavaScript package manager: where its cache goes and how it is cleaned."""

    manager: str
    caches: tuple[CacheDir, ...]
    #: The command appended as the fix; None: report only (pnpm).
    clean: str | None
    #: Options and inline variables that move the cache elsewhere.
    cache_options: tuple[str, ...]
    cache_env: tuple[str, ...]


_TOOLS = (
    _Tool("npm", _NPM_CACHES, "npm cache clean --force", ("--cache",), ("npm_config_cache", "NPM_CONFIG_CACHE", "HOME")),
    _Tool("yarn", _YARN_CACHES, "yarn cache clean", ("--cache-folder",), ("YARN_CACHE_FOLDER", "HOME")),
    _Tool("pnpm", _PNPM_CACHES, None, ("--store-dir",), ("PNPM_HOME", "HOME")),
)


def _query(command: PackageCommand) -> bool:
    """Bare ``yarn --version``/``yarn -h`` (bare ``yarn`` installs)."""
    return command.manager == "yarn" and not command.subcommand_words and any(
        option.matches(name) for option in command.options for name in _QUERY_OPTIONS
    )


class _FileFacts:
    """Whole-file facts, computed on first use."""

    def __init__(self, context: Context) -> None:
        self.context = context

    @classmethod
    def of(cls, context: Context) -> "_FileFacts":
        """The facts of ``context``'s file, built once per parse."""
        return context.memo(cls, lambda: cls(context))

    @cached_property
    def berry(self) -> str | None:
        return _berry_hint(self.context)

    @cached_property
    def offline(self) -> bool:
        return _offline_consumer(self.context)


def _berry_hint(context: Context) -> str | None:
    """Why the file looks like Yarn ≥ 2, if it does (whole-file, conservative)."""
    for instruction in context.tree.walk():
        if isinstance(instruction, (Run, Copy, Add)):
            match = _BERRY.search(code_of(context, instruction))
            if match:
                return f"`{match.group(0)}` (line {instruction.start_line})"
        elif isinstance(instruction, Env):
            for key, value in instruction.pairs:
                if key == "YARN_VERSION":
                    major = _YARN_VERSION.match(value)
                    if major and int(major.group(1)) >= 2:
                        return f"`YARN_VERSION={value}` (line {instruction.start_line})"
    return None


def _offline_consumer(context: Context) -> bool:
    """Some RUN installs with npm/yarn ``--offline``, from the cache we would delete."""
    for view in context.shell_runs():
        if "--offline" not in view.model.text:
            continue
        for command in package_commands(view.model):
            if command.manager in ("npm", "yarn") and any(o.name == "--offline" for o in command.options):
                return True
    return False


def _custom_cache(command: PackageCommand, model, names: tuple[str, ...], env_names: tuple[str, ...]):
    """The ``--cache``/``--cache-folder`` folder or an inline env for it: (given, literal value)."""
    for option in command.options:
        if option.name in names:
            return True, option.argument
    for name in env_names:
        value = inline_value(model, command.command, name)
        if value is not None:
            return True, (None if value == "$" else value)
    return False, None


def _cleaned_after(view: RunView, commands: tuple[PackageCommand, ...], manager: str, after: int, caches) -> bool:
    for command in commands:
        if command.manager == manager and command.action == "clean" and command.start > after:
            return True
    return removes_path(view.model, after, caches)


class JsPackageCacheLeft(PackageCommandRule):
    """Clean the npm/Yarn download cache in the RUN that filled it.

    ``npm install``/``npm ci`` keep every tarball in ``~/.npm`` and Yarn 1
    keeps an unpacked copy of every package in
    ``/usr/local/share/.cache/yarn``: often as large as ``node_modules``
    itself, and useless in the image. Checked: ``npm install|i|add|ci``,
    ``yarn``, ``yarn install|add``, ``yarn global add`` and ``pnpm
    install|add``, when no ``npm cache clean``/``yarn cache clean``/``pnpm
    store prune`` (or ``rm -rf`` of the cache folder) follows the last such
    command in the same RUN, and no ``cache``/``tmpfs`` ``--mount`` holds the
    cache (``/root/.npm``, ``~/.npm``, ``/usr/local/share/.cache/yarn``,
    ``/root/.cache/yarn``, the ``--cache``/``--cache-folder`` folder). A
    clean that comes *before* the install does not count.

    Fix: append `` && npm cache clean --force`` / `` && yarn cache clean``
    after the RUN's last command (``;`` in a ``;``-separated ``set -e`` list),
    in the RUN's own layout. A RUN that installs another npm or Node.js, or
    removes them (``npm install -g npm@latest``, ``n 7.10.1``, ``apt-get
    purge nodejs``), gets `` && rm -rf ~/.npm`` instead: the clean would run
    the new npm, which may not start on the image's Node.js. Safe: only the cache goes; installed packages
    stay. Reported without a fix when:

    * Yarn ≥ 2 is indicated anywhere in the file (``yarn set version``,
      ``corepack`` — it honours ``packageManager`` —, ``yarn@2+``/``yarn@berry``,
      a ``.yarnrc.yml``, ``packageManager``, ``YARN_VERSION`` ≥ 2): with
      Plug'n'Play the cache *is* the installed dependency set;
    * pnpm (node_modules hard-links into the store: pruning saves little;
      use a cache mount);
    * the RUN is in a build stage that never reaches the image (only what a
      ``COPY --from`` picks ships, so the cache costs build time only);
    * the RUN cannot take an appended command (a shell comment ending the
      last of several lines, ``|| true``, a background ``&``, ``exit``), the command runs as another
      user (``sudo -u``, ``su``, ``gosu``), uses its own cache folder, some
      RUN installs ``--offline`` (it needs the cache), or the RUN is an
      ONBUILD trigger (only its own words are edited), exec form or a
      heredoc.
    """

    code = "DF221"
    name = "js-package-cache-left"
    summary = "`npm install`/`yarn install` without cleaning the package cache"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=(
        "/root/.npm/_cacache", "/root/.npm/_cacache/*", "/usr/local/share/.cache/yarn", "/usr/local/share/.cache/yarn/*",
        "/root/.cache/yarn", "/root/.cache/yarn/*", "/root/.yarn/berry/cache/*", "/root/.local/share/pnpm/store/*",
    ))
    severity = "info"
    aliases = ("DL3060",)

    valid = (
        Valid("FROM node:20\nRUN npm ci && npm cache clean --force\n"),
        Valid("FROM node:20\nRUN yarn install --frozen-lockfile && yarn cache clean\n"),
        Valid("FROM node:4\nRUN npm install -g npm@2.10.0 && npm cache clear\n", "`npm cache clear`, npm's older name for clean"),
        Valid("FROM node:20\nRUN yarn global add pm2 && rm -rf /usr/local/share/.cache/yarn\n", "rm -rf of the cache"),
        Valid("FROM node:20\nRUN npm install -g npm && rm -rf ~/.npm\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=~/.npm npm ci\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=/root/.cache/yarn yarn install\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=/ycache yarn install --cache-folder /ycache\n"),
        Valid("FROM node:20\nRUN --mount=type=cache,target=/pnpm/store pnpm install --frozen-lockfile\n"),
        Valid("FROM node:20\nRUN pnpm install && pnpm store prune\n"),
        Valid("FROM node:20\nRUN npm run build && yarn test && yarn --version\n", "not installs"),
        Valid("FROM node:20\nRUN sh -c 'npm ci'\n", "nested interpreters are not descended into"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN npm ci\n',
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\n"
            "FROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
            None,
            "a build stage whose cache never ships: cleaning it would save nothing in the image",
        ),
        Invalid("FROM node:20\nRUN npm ci\n", "FROM node:20\nRUN npm ci && npm cache clean --force\n"),
        Invalid(
            "FROM node:11\nRUN npm install -g npm@latest && npm ci\n",
            "FROM node:11\nRUN npm install -g npm@latest && npm ci && rm -rf ~/.npm\n",
            "the RUN installs another npm, which may not start on this Node.js: the folder goes instead",
        ),
        Invalid(
            "FROM ubuntu:16.04\nRUN npm install -g n && n 7.10.1 && apt-get purge -y nodejs npm && npm install -g pm2\n",
            "FROM ubuntu:16.04\nRUN npm install -g n && n 7.10.1 && apt-get purge -y nodejs npm && npm install -g pm2 "
            "&& rm -rf ~/.npm\n",
            "the RUN swaps Node.js with `n` and removes the npm the shell found first",
        ),
        Invalid(
            "FROM node:20\nRUN npm cache clean --force && npm install\n",
            "FROM node:20\nRUN npm cache clean --force && npm install && npm cache clean --force\n",
            "a clean before the install does not count",
        ),
        Invalid(
            "FROM node:20\nRUN yarn && yarn build\n",
            "FROM node:20\nRUN yarn && yarn build && yarn cache clean\n",
            "bare yarn installs",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nRUN set -eux; \\\n    npm i -g pnpm; \\\n    yarn install --frozen-lockfile\n",
            "FROM node:20\nWORKDIR /app\nRUN set -eux; \\\n    npm i -g pnpm; \\\n    yarn install --frozen-lockfile; \\\n"
            "    npm cache clean --force; \\\n    yarn cache clean\n",
            "a ;-separated set -eux list, npm and yarn in one pass",
        ),
        Invalid(
            "FROM node:20\nRUN cd ui; npm i; mv out /\n",
            "FROM node:20\nRUN cd ui; npm i; mv out / && npm cache clean --force\n",
            "a ;-list without set -e gets && (a ; would hide a failing last command)",
        ),
        Invalid(
            "FROM node:20\r\nRUN apt-get update \\\r\n    && npm ci --omit=dev\r\n",
            "FROM node:20\r\nRUN apt-get update \\\r\n    && npm ci --omit=dev \\\r\n    && npm cache clean --force\r\n",
            "CRLF, operator-first continuation style",
        ),
        Invalid(
            "FROM node:20\nRUN --mount=type=cache,target=/root/.cache/pip npm ci\n",
            "FROM node:20\nRUN --mount=type=cache,target=/root/.cache/pip npm ci && npm cache clean --force\n",
            "a mount on another cache",
        ),
        Invalid("FROM node:20\nRUN yarn set version stable && yarn install\n", None, "Yarn >= 2: report only"),
        Invalid("FROM node:20\nCOPY package.json yarn.lock .yarnrc.yml ./\nRUN yarn install --immutable\n", None, "Yarn >= 2: .yarnrc.yml"),
        Invalid("FROM node:20\nRUN corepack enable && yarn install\n", None, "corepack follows packageManager: maybe Yarn >= 2"),
        Invalid(
            "FROM node:20\nRUN corepack prepare yarn@4.1.0 --activate\nRUN yarn install\n",
            None,
            "Yarn >= 2: corepack prepare yarn@4",
        ),
        Invalid(
            "FROM node:20\nRUN npm pkg set packageManager=yarn@3.6.0 && npm i -g yarn && yarn\n",
            "FROM node:20\nRUN npm pkg set packageManager=yarn@3.6.0 && npm i -g yarn && yarn && npm cache clean --force\n",
            "Yarn >= 2 (packageManager): npm still fixed, yarn reported only",
        ),
        Invalid(
            "# escape=`\nFROM node:20\nRUN apt-get update && `\n    npm ci\n",
            "# escape=`\nFROM node:20\nRUN apt-get update && `\n    npm ci && `\n    npm cache clean --force\n",
            "the file's escape character",
        ),
        Invalid(
            "FROM node:20\nRUN env NODE_ENV=production npm ci\n",
            "FROM node:20\nRUN env NODE_ENV=production npm ci && npm cache clean --force\n",
            "through env",
        ),
        Invalid("FROM node:20\nRUN npm ci && node server.js &\n", None, "a background job ends the RUN"),
        Invalid("FROM node:20\nRUN npm ci && exit 0\n", None, "the RUN ends with exit"),
        Invalid("FROM node:20\nRUN pnpm install --frozen-lockfile\n", None, "pnpm: report only"),
        Invalid(
            "FROM node:20\nRUN npm ci # install\n",
            "FROM node:20\nRUN npm ci && npm cache clean --force # install\n",
            "a one-line RUN that ends in a shell comment: the cleanup goes in before the comment",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nRUN npm ci \\\n    --omit=dev # install\n",
            None,
            "a shell comment ends the last of several lines",
        ),
        Invalid("FROM node:20\nRUN npm ci || true\n", None, "|| true"),
        Invalid("FROM node:20\nRUN sudo -u node npm ci\n", None, "another user's cache"),
        Invalid("FROM node:20\nRUN npm ci --cache /tmp/npm\n", None, "its own cache folder"),
        Invalid(
            "FROM node:20\nRUN npm ci\nRUN npm ci --offline --prefix /other\n",
            None,
            "a later offline install needs the cache",
        ),
        Invalid("FROM node:20\nONBUILD RUN npm ci\n", None, "ONBUILD trigger: appending is not token-local"),
        Invalid('FROM node:20\nRUN ["npm", "ci"]\n', None, "exec form"),
        Invalid("# syntax=docker/dockerfile:1\nFROM node:20\nRUN <<EOF\nnpm ci\nEOF\n", None, "heredoc"),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        facts = _FileFacts.of(context)
        for tool in _TOOLS:
            finding = self._finding(context, facts, view, commands, tool)
            if finding is not None:
                yield finding

    def _finding(self, context: Context, facts: "_FileFacts", view: RunView,
                 commands: tuple[PackageCommand, ...], tool: _Tool) -> Finding | None:
        installs = [c for c in commands if c.manager == tool.manager and c.action == "install" and not _query(c)]
        if not installs:
            return None
        last = installs[-1]
        custom = [folder for given, folder in (
            _custom_cache(c, view.model, tool.cache_options, tool.cache_env) for c in installs) if given]
        caches = tool.caches + tuple(CacheDir(folder) for folder in custom if folder)
        if cache_mount_covers(view, caches):
            return None
        if tool.manager == "pnpm" and any("type=cache" in m and "pnpm" in m for m in view.run.mounts):
            return None
        if _cleaned_after(view, commands, tool.manager, last.start, caches):
            return None
        where = view.span(last.start, last.end)
        spelled = " ".join(w.value or w.text for w in last.program_words + last.subcommand_words)
        message = f"`{spelled}` leaves {tool.manager}'s package cache in the image"
        if tool.clean is None:
            return Finding(where, message, note="pnpm's store backs node_modules: use a cache mount, or `pnpm store prune`")
        if tool.manager == "yarn" and facts.berry:
            return Finding(where, message, note=f"Yarn >= 2 is indicated by {facts.berry}: its cache may be the "
                                                "installed dependency set (Plug'n'Play); use a cache mount instead")
        blocker = self._blocker(view, installs, custom)
        if blocker is None and never_shipped(context, view.run):
            blocker = UNSHIPPED_NOTE
        if blocker is None and facts.offline:
            blocker = "a RUN installs with `--offline`, from this cache"
        if blocker is not None:
            return Finding(where, message, note=blocker)
        clean = tool.clean
        if tool.manager == "npm" and _replaces_npm(view, commands):
            # the appended clean would run the npm the RUN installed, which may not start on this Node.js
            # (npm 8+ on Node.js 11), or find the old one gone: deleting the folder needs no npm at all
            clean = "rm -rf ~/.npm"
        edit = view.script.append(clean)  # type: ignore[union-attr]
        return Finding(where, message, (edit,), Safety.SAFE, f"append `{clean}`")

    def _blocker(self, view: RunView, installs: list[PackageCommand], custom: list) -> str | None:
        if view.script is None:
            return self.report_only(view)
        if view.trigger:
            return ONBUILD_TRIGGER.append_note
        if custom:
            return "the install uses its own cache folder, which the appended clean would not reach"
        if any(w.name in _OTHER_USER for c in installs for w in c.command.wrappers):
            return "the install runs as another user, whose cache the appended clean would not reach"
        return view.script.append_blocker()
