"""DF220 pip-no-cache-dir: ``pip install`` keeps its download cache in the image."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, ImageEffects, Invalid, RunView, Safety, Valid
from dfix.shell import PackageCommand
from dfix.syntax import Add, Copy, Run

from ._old_pip import distro_pip_before_6
from ._packages import (
    UNSHIPPED_NOTE,
    CacheDir,
    Finding,
    PackageCommandRule,
    cache_mount_covers,
    code_of,
    earlier_instructions,
    environment_value,
    inline_value,
    never_shipped,
    removes_path,
)

#: pip subcommands that fill the cache.
_PIP_SUBCOMMANDS = frozenset({"install", "wheel", "download"})
#: uv subcommands checked (``uv pip install``, ``uv pip sync``, ``uv sync``).
_UV_SUBCOMMANDS = frozenset({"pip install", "pip sync", "sync"})
#: pip's option parser takes any unambiguous prefix of a long option; other
#: pip options start ``--no-c`` (``--no-clean``, ``--no-color``, ``--no-compile``),
#: so ``--no-ca`` is the shortest unambiguous spelling.
_NO_CACHE_DIR = "--no-cache-dir"
_SHORTEST_PREFIX = len("--no-ca")
#: Where pip keeps its cache: ``~/.cache/pip`` (``~/.cache`` covers it).
_PIP_CACHES = (CacheDir(".cache/pip", home=True),)
_UV_CACHES = (CacheDir(".cache/uv", home=True),)
#: ``PIP_NO_CACHE_DIR``: pip disables the cache for *every* valid boolean, false
#: ones included (backwards compatibility, see pip's ``_handle_no_cache_dir``),
#: and ignores an empty value, so any non-empty value counts. ``UV_NO_CACHE``
#: must be true (clap's boolish values):
_UV_TRUE = frozenset({"1", "true", "yes", "y", "t", "on"})


def _pip_disabled(command: PackageCommand) -> bool:
    for option in command.options:
        name = option.name
        if len(name) >= _SHORTEST_PREFIX and _NO_CACHE_DIR.startswith(name):
            return True
    return False


def _uv_disabled(command: PackageCommand) -> bool:
    return any(option.matches("--no-cache") or option.matches("-n") for option in command.options)


def _cache_dir_option(command: PackageCommand) -> tuple[bool, str | None]:
    """(given, literal value) of ``--cache-dir``."""
    for option in command.options:
        if option.name == "--cache-dir":
            return True, option.argument
    return False, None


def _configured_by_file(context: Context, run: Run, view: RunView, command: PackageCommand) -> bool:
    """``pip config set global.no-cache-dir ...`` or a pip.conf with ``no-cache-dir`` written or copied earlier."""
    for other in earlier_instructions(context, run):
        if isinstance(other, Run):
            code = code_of(context, other)
            # a config write, not merely an earlier `pip install --no-cache-dir`
            if "no-cache-dir" in code and any(s in code for s in ("pip config", "pip3 config", "pip.conf", "pip.ini")):
                return True
        if isinstance(other, (Copy, Add)) and any(
            path.rsplit("/", 1)[-1] in ("pip.conf", "pip.ini") for path in other.sources + ((other.destination or ""),)
        ):
            return True  # a copied pip config may well disable the cache: unknown content
    before = view.model.text[: command.start]
    return "no-cache-dir" in before and "pip" in before and ("config" in before or "pip.conf" in before)


class PipNoCacheDir(PackageCommandRule):
    """Add ``--no-cache-dir`` to ``pip install`` (and ``--no-cache`` to ``uv pip install``).

    pip keeps every wheel it downloads or builds in ``~/.cache/pip``; in an
    image that cache is dead weight, often tens of megabytes, in the layer of
    the RUN. Checked: ``pip``, ``pip3``, ``pip3.12``, ``/opt/venv/bin/pip``
    and ``python -m pip`` running ``install``, ``wheel`` or ``download``
    (not ``pipx``, ``pipenv``, ``poetry``).

    Not reported when the cache is already off or not in the image: the
    option or an unambiguous prefix of it (``--no-cache``, pip accepts it);
    ``PIP_NO_CACHE_DIR`` set by an ENV or ARG earlier in the stage or an
    in-file ancestor stage, by ``NAME=1 pip ...``/``env NAME=1 pip ...`` or an
    earlier ``export`` (pip disables the cache for any valid value, even
    ``false``); ``pip config set ... no-cache-dir`` or a pip.conf written or
    copied earlier; a ``cache``/``tmpfs`` ``--mount`` on ``/root/.cache/pip``,
    ``~/.cache/pip``, ``/root/.cache`` (any home) or on the ``--cache-dir``
    folder.

    ``uv pip install``, ``uv pip sync`` and ``uv sync`` are checked the same way
    against ``--no-cache``/``-n``, ``UV_NO_CACHE`` and a mount on
    ``~/.cache/uv`` (or ``UV_CACHE_DIR``/``--cache-dir``).

    Not reported either for the pip of Debian up to 8 and Ubuntu before
    16.04 (``python-pip``, ``python3-pip``) before anything upgrades it: a pip
    older than 6 keeps no cache and rejects the option; reported without a
    fix in the RUN that upgrades it, whose shell may still run the old copy.

    Fix: insert `` --no-cache-dir`` (uv: `` --no-cache``) right after the
    subcommand. Safe: only the cache is skipped, the same packages install.
    Not reported when the RUN deletes the cache itself afterwards (``rm -r
    /root/.cache``). Not fixed (reported only) when ``--cache-dir`` is given
    on the command (it would win over the inserted option), in a build stage
    that never reaches the image (its cache costs build time only), in
    exec-form RUNs and heredoc RUNs; nothing is checked under a non-POSIX
    SHELL.
    """

    code = "DF220"
    name = "pip-no-cache-dir"
    summary = "`pip install` without `--no-cache-dir` leaves pip's cache in the image"
    safety = Safety.SAFE
    declared_effects = ImageEffects(removes_paths=("/root/.cache/pip", "/root/.cache/pip/*", "/root/.cache"))
    severity = "warning"
    aliases = ("DL3042",)

    valid = (
        Valid(
            "FROM nunchuk/aliyun-ubuntu:14.04\nRUN apt-get update && apt-get install -y python-pip && pip install shadowsocks\n",
            "an image named after ubuntu with the release as its tag: trusty's pip 1.5 has no cache and no --no-cache-dir",
        ),
        Valid(
            "FROM alpine:3.8\nRUN apk add --no-cache python3 && pip3 install --upgrade pip setuptools && "
            "rm -r /root/.cache\n",
            "the RUN deletes the cache itself: nothing stays (and with the flag the `rm` would find nothing to delete)",
        ),
        Valid(
            "FROM node:7\nRUN apt-get update && apt-get install -y python-pip && pip install awscli\n",
            "node 7 is built on Debian 8, whose pip 1.5.6 caches nothing and rejects --no-cache-dir",
        ),
        Valid(
            "FROM phusion/baseimage:0.9.12\nRUN apt-get update && apt-get install -y python-pip && pip install awscli\n",
            "phusion/baseimage 0.9.12 is built on Ubuntu 14.04, whose pip predates the option",
        ),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir flask\n"),
        Valid("FROM python:3.12\nRUN pip install --no-cache /wheels/*\n", "pip accepts an unambiguous prefix"),
        Valid("FROM python:3.12\nRUN pip --no-cache-dir install flask\n", "a general option before the subcommand"),
        Valid("FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n"),
        Valid("FROM python:3.12\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n", "pip disables the cache for any valid value"),
        Valid(
            "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=true\nFROM base\nRUN pip install flask\n",
            "ENV in an in-file ancestor stage",
        ),
        Valid("FROM python:3.12\nARG PIP_NO_CACHE_DIR=1\nRUN pip install flask\n", "build args are in the RUN's environment"),
        Valid("FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n"),
        Valid("FROM python:3.12\nRUN env PIP_NO_CACHE_DIR=1 pip install flask\n"),
        Valid("FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n"),
        Valid("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"),
        Valid("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask\n"),
        Valid(
            "FROM debian:jessie\nRUN apt-get update && apt-get install -y python3-pip\nRUN pip3 install requests\n",
            "Debian 8's pip 1.5.6 caches nothing, and rejects the option",
        ),
        Valid(
            "FROM java:8\nRUN apt-get update && apt-get install -y python-pip\nRUN pip install awscli\n",
            "the deprecated java image is Debian 8",
        ),
        Valid(
            "FROM debian:jessie\nRUN apt-get update && apt-get install -y python-virtualenv\n"
            "RUN virtualenv /venv && /venv/bin/pip install requests\n",
            "a virtualenv made on Debian 8 bundles its pip 1.5.6",
        ),
        Valid(
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y python-pip && pip install -U pip\n",
            "the old pip upgrading itself",
        ),
        Valid("FROM python:3.12\nRUN --mount=type=tmpfs,target=~/.cache/pip pip install flask\n"),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/pipcache pip install --cache-dir /pipcache flask\n",
            "a mount on the --cache-dir folder",
        ),
        Valid("FROM python:3.12\nRUN pip config set global.no-cache-dir false\nRUN pip install flask\n"),
        Valid("FROM python:3.12\nCOPY pip.conf /etc/pip.conf\nRUN pip install flask\n", "a copied pip config (content unknown)"),
        Valid("FROM python:3.12\nRUN pipx install black && pipenv install && poetry install\n", "not pip"),
        Valid("FROM python:3.12\nRUN pip uninstall -y flask && pip freeze\n", "subcommands that do not fill the cache"),
        Valid("FROM python:3.12\nRUN python setup.py install\n", "not pip"),
        Valid("FROM python:3.12\nRUN sh -c 'pip install flask'\n", "nested interpreters are not descended into"),
        Valid("FROM python:3.12\nRUN $PIP install flask\n", "variable-driven command"),
        Valid("FROM python:3.12\nRUN uv pip install --no-cache flask && uv sync -n\n"),
        Valid("FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv pip install --system flask\n"),
        Valid("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN pip install flask\n',
            "not a POSIX shell",
        ),
        Valid(
            'FROM python:3.12\nSHELL ["pwsh", "-c"]\nRUN pip install flask\n',
            "non-POSIX SHELL",
        ),
    )
    invalid = (
        Invalid(
            "FROM node:6\nRUN apt-get update && apt-get install -y python-pip && pip install awscli\n",
            None,
            "node 6 was built on Debian 8 for part of its life: its pip may reject the option, so no fix",
        ),
        Invalid(
            "FROM python:3.12 AS build\nRUN pip install --prefix=/install flask\n"
            "FROM python:3.12-slim\nCOPY --from=build /install /usr/local\nCMD [\"flask\", \"run\"]\n",
            None,
            "a build stage whose cache never ships: the flag would save build time only",
        ),
        Invalid(
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y python-pip\nRUN pip install -U pip\n"
            "RUN pip install requests\n",
            "FROM ubuntu:14.04\nRUN apt-get update && apt-get install -y python-pip\nRUN pip install -U pip\n"
            "RUN pip install --no-cache-dir requests\n",
            "a RUN after the one that upgraded pip runs the new pip",
        ),
        Invalid(
            "FROM debian:8\nRUN apt-get update && apt-get install -y python-pip\n"
            "RUN pip install --upgrade pip && pip install requests\n",
            None,
            "in the RUN that upgrades it, the shell may still run Debian 8's pip 1.5.6",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install flask\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir flask\n",
        ),
        Invalid(
            "FROM python:3.12\nRUN python3 -m pip install -U pip && \\\n    /opt/venv/bin/pip3.12 wheel -w /wheels -r requirements.txt\n",
            "FROM python:3.12\nRUN python3 -m pip install --no-cache-dir -U pip && \\\n    /opt/venv/bin/pip3.12 wheel --no-cache-dir -w /wheels -r requirements.txt\n",
            "python -m pip, a venv path, pipX.Y; both commands fixed in one pass",
        ),
        Invalid(
            "FROM python:3.12\r\nRUN set -eux; \\\r\n    pip download \\\r\n      -d /dl flask\r\n",
            "FROM python:3.12\r\nRUN set -eux; \\\r\n    pip download --no-cache-dir \\\r\n      -d /dl flask\r\n",
            "CRLF, set -eux prefix, subcommand at the end of a line",
        ),
        Invalid(
            "FROM python:3.12\nRUN sudo -H pip install flask\n",
            "FROM python:3.12\nRUN sudo -H pip install --no-cache-dir flask\n",
            "through sudo",
        ),
        Invalid(
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=\nRUN pip install flask\n",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=\nRUN pip install --no-cache-dir flask\n",
            "pip ignores an empty PIP_NO_CACHE_DIR",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install flask\nENV PIP_NO_CACHE_DIR=1\n",
            "FROM python:3.12\nRUN pip install --no-cache-dir flask\nENV PIP_NO_CACHE_DIR=1\n",
            "an ENV after the RUN does not count",
        ),
        Invalid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv pip install flask\n",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv pip install --no-cache-dir flask\n",
            "a mount on another cache",
        ),
        Invalid(
            "FROM python:3.12\nRUN --mount=type=bind,target=/root/.cache/pip pip install flask\n",
            "FROM python:3.12\nRUN --mount=type=bind,target=/root/.cache/pip pip install --no-cache-dir flask\n",
            "only cache and tmpfs mounts count",
        ),
        Invalid(
            "FROM python:3.12\nONBUILD RUN pip install -r requirements.txt\n",
            "FROM python:3.12\nONBUILD RUN pip install --no-cache-dir -r requirements.txt\n",
            "token-local edit in an ONBUILD trigger",
        ),
        Invalid(
            "FROM python:3.12\nRUN uv pip install --system flask && uv sync --frozen\n",
            "FROM python:3.12\nRUN uv pip install --no-cache --system flask && uv sync --no-cache --frozen\n",
            "uv takes --no-cache",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install --cache-dir /tmp/pip flask\n",
            None,
            "--cache-dir on the command would override an inserted --no-cache-dir: report only",
        ),
        Invalid(
            'FROM python:3.12\nRUN ["pip", "install", "flask"]\n',
            None,
            "exec form: reported, never rewritten",
        ),
        Invalid(
            'FROM python:3.12\nRUN ["/bin/sh", "-c", "pip install flask"]\n',
            None,
            "exec form through sh -c",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN <<EOF\nset -e\npip install flask\nEOF\n",
            None,
            "heredoc RUN: reported only",
        ),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        for command in commands:
            finding = self._finding(context, view, command)
            if finding is not None:
                yield finding

    def _finding(self, context: Context, view: RunView, command: PackageCommand) -> Finding | None:
        run = view.run
        if command.manager == "pip" and command.subcommand in _PIP_SUBCOMMANDS:
            uv = False
            if _pip_disabled(command):
                return None
            env_name, caches, flag = "PIP_NO_CACHE_DIR", _PIP_CACHES, "--no-cache-dir"
        elif command.manager == "uv" and command.subcommand in _UV_SUBCOMMANDS:
            uv = True
            if _uv_disabled(command):
                return None
            env_name, caches, flag = "UV_NO_CACHE", _UV_CACHES, "--no-cache"
        else:
            return None
        value = inline_value(view.model, command.command, env_name)
        if value is None:
            value = environment_value(context, run, env_name)
        if value is not None and (value.strip().lower() in _UV_TRUE if uv else value.strip() != ""):
            return None
        given, cache_dir = _cache_dir_option(command)
        cache_env = "UV_CACHE_DIR" if uv else "PIP_CACHE_DIR"
        env_dir = inline_value(view.model, command.command, cache_env) or environment_value(context, run, cache_env)
        extra = tuple(CacheDir(path) for path in (cache_dir, env_dir) if path and path != "$")
        if cache_mount_covers(view, caches + extra):
            return None
        if removes_path(view.model, command.end, caches + extra):
            return None  # the RUN deletes the cache itself (and an `rm` without `-f` would fail on a missing one)
        if given and cache_dir is None:
            return None  # --cache-dir from a variable: it may be a mounted folder
        if not uv and _configured_by_file(context, run, view, command):
            return None
        tool = "uv" if uv else "pip"
        where = view.span(command.start, command.end)
        message = (
            f"`{tool} {command.subcommand}` without `{flag}` keeps {tool}'s download cache in the image"
        )
        old_pip = None if uv else distro_pip_before_6(context, run, command, view.model)
        if old_pip is not None and old_pip.certain:
            return None  # a pip older than 6 caches nothing, and rejects the option
        if view.script is None:
            return Finding(where, message, note=self.report_only(view))
        if never_shipped(context, run):
            return Finding(where, message, note=UNSHIPPED_NOTE)
        if old_pip is not None:
            return Finding(
                where, message,
                note=f"not fixed: the `pip` this runs may still be {old_pip.release}'s own, older than pip 6, which "
                     f"rejects `--no-cache-dir` ({old_pip.doubt})",
            )
        if given:
            return Finding(where, message, note=f"`--cache-dir` on the command would override an inserted `{flag}`")
        edit = view.script.insert(command.insert_offset, f" {flag}")
        return Finding(where, message, (edit,), Safety.SAFE, f"add `{flag}`")
