"""The kit behind DF202's kept recommends and DF210's Alpine check: the facts and the layout they edit in."""

from __future__ import annotations

import pytest

import dfix
from dfix.engine import Context
from dfix.shell import analyze, package_commands
from dfix.syntax import ImageRef, parse
from dfix.transforms._alpine import NO_CACHE_SINCE, alpine_release
from dfix.transforms._recommends import KEEPS, Use, add_packages, argv_commands, commands_in, uses


@pytest.mark.parametrize(
    "reference, proves",
    [
        ("alpine", True),
        ("alpine:latest", True),
        ("alpine:edge", True),
        ("alpine:3", True),
        ("alpine:20230901", True),
        ("alpine@sha256:" + "a" * 64, True),
        ("alpine:3.18", True),
        ("alpine:3.9.4", True),
        ("alpine:3.3", True),
        ("docker.io/library/alpine:3.12", True),
        ("arm64v8/alpine:3.9", True),
        ("python:3.12-alpine3.19", True),
        ("golang:1.10.1-alpine3.7", True),
        ("node:20-alpine", True),
        ("ruby:alpine", True),
        ("docker:latest", True),
        ("gliderlabs/alpine:3.4", True),
        ("frolvlad/alpine-glibc:alpine-3.8", True),
        ("multiarch/alpine:armhf-v3.7", True),
        ("alpine:3.2", False),
        ("alpine:3.1", False),
        ("alpine:3.2@sha256:" + "a" * 64, False),
        ("gliderlabs/alpine:3.2", False),
        ("mhart/alpine-node:6", None),
        ("docker:1.9-dind", None),
        ("zabbix/zabbix-proxy-mysql:alpine-4.2.5", None),
        ("example.com/team/alpine-base:1", None),
        ("alpine:${VERSION}", None),
        ("scratch", None),
        ("debian:12", None),
    ],
)
def test_alpine_release_from_the_reference(reference: str, proves: bool | None) -> None:
    assert alpine_release(ImageRef.parse(reference)).at_least(NO_CACHE_SINCE) is proves


def _command(script: str, name: str):
    return next(command for command, _ in commands_in(analyze(script)) if command.name == name)


@pytest.mark.parametrize(
    "script, name, expected",
    [
        ("curl -fsSL https://example.com/x", "curl", {Use.HTTPS}),
        ("curl -fsSL http://example.com/x", "curl", {Use.HTTPS}),  # -L: may be redirected to https
        ("curl -fsS http://example.com/x", "curl", set()),
        ("wget -q http://example.com/x", "wget", {Use.HTTPS, Use.WGET}),  # wget follows redirects
        ("curl -k https://example.com/x", "curl", set()),
        ("curl -fsSLk https://example.com/x", "curl", set()),
        ("wget --no-check-certificate https://example.com/x", "wget", {Use.WGET}),
        ("wget -q https://example.com/x", "wget", {Use.HTTPS, Use.WGET}),
        ("git clone https://github.com/a/b", "git", {Use.HTTPS, Use.GIT}),
        ("git -c http.sslVerify=false clone https://example.com/a", "git", {Use.GIT}),
        ("git clone git@github.com:a/b.git", "git", {Use.SSH, Use.GIT}),
        ("git clone ssh://git@example.com/a.git", "git", {Use.SSH, Use.GIT}),
        ("ssh-keyscan github.com", "ssh-keyscan", {Use.SSH}),
        ("gpg --recv-keys ABCD", "gpg", {Use.HTTPS, Use.KEYSERVER, Use.GPG}),
        ("gpg --keyserver hkp://keyserver.ubuntu.com:80 --recv-keys ABCD", "gpg", {Use.KEYSERVER, Use.GPG}),
        ("gpg --keyserver hkps://keys.openpgp.org --recv-keys ABCD", "gpg", {Use.HTTPS, Use.KEYSERVER, Use.GPG}),
        ("gpg --batch --verify x.asc x", "gpg", {Use.GPG}),
        ("apt-key adv --keyserver keyserver.ubuntu.com --recv-keys ABCD", "apt-key", {Use.KEYSERVER, Use.GPG}),
        ("apt-key adv --fetch-keys https://example.com/key", "apt-key", {Use.HTTPS, Use.KEYSERVER, Use.GPG}),
        ("add-apt-repository ppa:deadsnakes/ppa", "add-apt-repository", {Use.HTTPS, Use.PPA}),
        ("echo 'deb https://deb.example.com stable main' > /etc/apt/sources.list.d/x.list", "echo", {Use.HTTPS}),
        ("echo 'deb [arch=amd64] https://deb.example.com stable main' | tee x", "echo", {Use.HTTPS}),
        ("pip3 install flask", "pip3", {Use.PIP_INSTALL}),
        ("python3 -m pip install -r requirements.txt", "python3", {Use.PIP_INSTALL}),
        ("pip download flask", "pip", set()),
        ("xvfb-run -a python3 test.py", "xvfb-run", {Use.XVFB_RUN}),
        ("unzip -q app.zip", "unzip", {Use.UNZIP}),
        ("patch -p1 < fix.patch", "patch", {Use.PATCH}),
        ("autoreconf -fi", "autoreconf", {Use.AUTOMAKE}),
        ("cmake -DCMAKE_BUILD_TYPE=Release ..", "cmake", {Use.COMPILE, Use.CMAKE}),
        ("cmake -G Ninja ..", "cmake", {Use.COMPILE}),  # builds with ninja, not make
        ("cmake -G 'Unix Makefiles' ..", "cmake", {Use.COMPILE, Use.CMAKE}),
        ("make install", "make", {Use.COMPILE, Use.MAKE}),
    ],
)
def test_uses(script: str, name: str, expected: set) -> None:
    assert uses(_command(script, name)) == expected


def test_nested_shell_scripts_are_read() -> None:
    names = [command.name for command, _ in commands_in(analyze("sh -c 'curl https://x | bash -c \"wget https://y\"'"))]
    assert names == ["sh", "curl", "bash", "wget"]
    assert [c.name for c in argv_commands(("/bin/sh", "-c", "xvfb-run app"))] == ["sh", "xvfb-run"]


def test_every_row_names_its_packages() -> None:
    for keep in KEEPS:
        assert keep.recommended and keep.brought_by
        assert not keep.brought([keep.recommended]), f"{keep.recommended} cannot bring itself"
        assert keep.provided([keep.recommended])


def _added(text: str, names: list[str]) -> str:
    tree = parse(text)
    context = Context(tree)
    view = next(iter(context.shell_runs()))
    command = next(c for c in package_commands(view.model) if c.subcommand == "install")
    edits = add_packages(context, view.script, command, names)
    assert edits is not None
    out, position = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        out += [text[position : edit.start], edit.replacement]
        position = edit.end
    return "".join(out) + text[position:]


@pytest.mark.parametrize(
    "text, names, expected",
    [
        (
            "FROM debian\nRUN apt-get install -y curl\n",
            ["ca-certificates"],
            "FROM debian\nRUN apt-get install -y ca-certificates curl\n",
        ),
        (
            "FROM debian\nRUN apt-get install -y wget curl\n",
            ["ca-certificates"],
            "FROM debian\nRUN apt-get install -y wget curl ca-certificates\n",
        ),
        (
            "FROM debian\r\nRUN apt-get install -y \\\r\n\t\tcurl \\\r\n\t\tgit \\\r\n\t&& true\r\n",
            ["ca-certificates", "openssh-client"],
            "FROM debian\r\nRUN apt-get install -y \\\r\n\t\tca-certificates \\\r\n\t\tcurl \\\r\n\t\tgit \\\r\n"
            "\t\topenssh-client \\\r\n\t&& true\r\n",
        ),
        (
            "# escape=`\nFROM debian\nRUN apt-get install -y `\n    gnupg `\n    wget\n",
            ["dirmngr", "ca-certificates"],
            "# escape=`\nFROM debian\nRUN apt-get install -y `\n    ca-certificates `\n    dirmngr `\n    gnupg `\n    wget\n",
        ),
        (
            "FROM debian\nRUN apt-get install -y curl git \\\n    make\n",
            ["ca-certificates"],
            "FROM debian\nRUN apt-get install -y ca-certificates curl git \\\n    make\n",
        ),
        (
            "FROM debian\nRUN apt-get install -y git\\\n    curl\\\n    wget\n",
            ["libc6-dev"],
            "FROM debian\nRUN apt-get install -y git\\\n    curl\\\n    wget libc6-dev\n",
        ),
    ],
    ids=["one-word", "unsorted-appends", "crlf-tabs-one-a-line", "backtick-two-names", "groups", "first-on-the-command-line"],
)
def test_added_packages_follow_the_list_layout(text: str, names: list[str], expected: str) -> None:
    result = _added(text, names)
    assert result == expected
    dfix.parse(result)


def test_fixes_state_what_they_assume() -> None:
    (finding,) = dfix.check(
        "FROM debian\nRUN apt-get install -y curl && apt-get install -y python3-pip\nRUN pip3 install flask && curl -O https://x/y\n",
        select=["DF202"],
    )[:1]
    assumes = finding.fix.assumes
    assert assumes.startswith("nothing the build or the container needs came only as a recommended package")
    assert "`ca-certificates` (for an HTTPS download at line 3)" in assumes
    assert "`python3-setuptools` (for `pip install` at line 3)" in assumes
    assert "compiles no C extension" in assumes
    (finding,) = dfix.check(
        "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nodejs npm\nCOPY package.json .\nRUN npm install\n",
        select=["DF202"],
    )
    assert "`npm install` builds no native module" in finding.fix.assumes
    (finding,) = dfix.check("ARG TAG=3.19\nFROM alpine:$TAG\nRUN apk add curl\n", select=["DF210"])
    assert finding.fix.safety == "unsafe" and "Alpine 3.3 or newer" in finding.fix.assumes
    (finding,) = dfix.check("FROM alpine:3.19\nRUN apk add curl\n", select=["DF210"])
    assert finding.fix.safety == "safe" and not finding.fix.assumes


def test_a_kept_package_the_base_ships_is_not_added() -> None:
    text = "FROM {base}\nRUN apt-get install -y curl gcc && curl -O https://x/y\n"
    fixed = dfix.fix(text.format(base="python:3.12"), select=["DF202"], unsafe=True).text
    assert "--no-install-recommends -y curl gcc &&" in fixed
    fixed = dfix.fix(text.format(base="python:3.12-slim"), select=["DF202"], unsafe=True).text
    assert "--no-install-recommends -y curl gcc libc6-dev &&" in fixed
    fixed = dfix.fix(text.format(base="ubuntu:24.04"), select=["DF202"], unsafe=True).text
    assert "--no-install-recommends -y ca-certificates curl gcc libc6-dev &&" in fixed
