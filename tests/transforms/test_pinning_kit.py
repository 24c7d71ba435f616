"""The package-pinning kit (DF230-DF237) and the download rules' kit (DF250-DF252).

What the rules' own examples do not pin down: how variables are read, how a
finding counts and names its packages, where dfix and hadolint agree and
where they differ on purpose (each difference is written in the rule's
docstring), and the download commands' option reading.
"""

from __future__ import annotations

import pytest

import dfix
from dfix.shell import analyze
from dfix.transforms._downloads import CURL, WGET, has_any, pipe_reader, stderr_redirected, stdout_redirect
from dfix.transforms._unpinned import placeholder_text, sole_variable
from dfix.transforms.apt_unpinned import APT
from dfix.transforms.pip_unpinned import PIP
from dfix.transforms.rpm_unpinned import RPM


def messages(text: str, code: str) -> list[str]:
    return [d.message for d in dfix.check(text, select=[code]) if d.code == code]


def word(script: str, index: int = -1):
    return analyze(script).commands[0].words[index]


@pytest.mark.parametrize(
    "script, shaped",
    [
        ("apt-get install curl=$CURL_VERSION", "curl=0"),
        ('apt-get install "nginx=${NGINX_VERSION}*"', "nginx=0*"),
        ("yum install nginx-${V}", "nginx-0"),
        ("apt-get install curl", "curl"),
    ],
)
def test_an_expansion_reads_as_a_version(script, shaped):
    assert placeholder_text(word(script)) == shaped


@pytest.mark.parametrize(
    "script, name",
    [("apt-get install $PKGS", "PKGS"), ('apt-get install "${BUILD_DEPS}"', "BUILD_DEPS"),
     ("apt-get install pre$X", None), ("apt-get install $(cat list)", None)],
)
def test_a_word_that_is_one_variable_is_resolved_not_shaped(script, name):
    assert sole_variable(word(script)) == name


@pytest.mark.parametrize(
    "syntax, text, unpinned",
    [
        (APT, "curl", True), (APT, "curl=7.88*", False), (APT, "nginx/bookworm-backports", False),
        (APT, "./pkg.deb", False),
        (RPM, "java-11-openjdk", True), (RPM, "java-11-openjdk-11.0.20.0.8-1.el8", False),
        (RPM, "nginx-1:1.24.0-1.el9.x86_64", False), (RPM, "@development", False), (RPM, "gcc-c++", True),
        (PIP, "flask", True), (PIP, "flask[async]==3.0", False), (PIP, "git+https://github.com/a/b", True),
        (PIP, "git+https://github.com/a/b@v1.0", False), (PIP, "git+ssh://git@github.com/a/b", True),
        (PIP, ".[dev]", False), (PIP, "dist/app-1.0-py3-none-any.whl", False),
    ],
)
def test_each_manager_pins_its_own_way(syntax, text, unpinned):
    assert syntax.unpinned(text) is unpinned


@pytest.mark.parametrize(
    "dockerfile, expected",
    [
        ('FROM debian:12\nARG PKGS="curl git=1:2.39.2-1.1"\nRUN apt-get install -y $PKGS\n',
         ["`apt-get install` of unpinned package `curl (from $PKGS)`: pin each version (`package=<version>`)"]),
        ("FROM debian:12\nARG PKGS\nRUN apt-get install -y $PKGS\n", []),  # only --build-arg says: unknown
        ('FROM debian:12\nRUN deps="gcc make" && apt-get install -y $deps\n',
         ["`apt-get install` of unpinned packages `gcc (from $deps)`, `make (from $deps)`: pin each version "
          "(`package=<version>`)"]),
        ('FROM debian:12\nRUN readonly DEPS=" \\\n  $EXTRA \\\n  gcc \\\n  " && apt-get install -y ${DEPS}\n',
         ["`apt-get install` of unpinned package `gcc (from $DEPS)`: pin each version (`package=<version>`)"]),
        ("FROM debian:12\nRUN apt-get $APT_OPTS install tzdata\n",
         ["`apt-get install` of unpinned package `tzdata`: pin each version (`package=<version>`)"]),
        ("FROM debian:12\nRUN apt-get install -y $(cat /tmp/packages.txt)\n", []),
        ('FROM debian:12\nENV DEPS=x\nRUN DEPS="$(cat /deps)" && apt-get install -y $DEPS\n', []),
        ("FROM debian:12\nRUN deps=' \\\n  wget \\\n ' set -x && apt-get install -y $deps\n",
         ["`apt-get install` of unpinned package `wget (from $deps)`: pin each version (`package=<version>`)"]),
    ],
)
def test_package_lists_in_variables(dockerfile, expected):
    assert messages(dockerfile, "DF230") == expected


def test_one_finding_per_command_naming_its_packages():
    text = ("FROM debian:12\nRUN apt-get update && apt-get install -y a b c d e f g h=1 \\\n"
            " && apt-get install -y i\n")
    assert messages(text, "DF230") == [
        "`apt-get install` of unpinned packages `a`, `b`, `c`, `d`, `e`, `f` and 1 more: pin each version "
        "(`package=<version>`)",
        "`apt-get install` of unpinned package `i`: pin each version (`package=<version>`)",
    ]


def test_hadolint_suppressions_reach_every_pinning_rule():
    text = ("FROM debian:12\n# hadolint ignore=DL3008,DL3013,DL3016\n"
            "RUN apt-get install -y curl && pip install flask && npm install -g pm2\n")
    assert dfix.check(text, select=["DF230", "DF234", "DF235"]) == []


@pytest.mark.parametrize(
    "code, dockerfile",
    [
        # hadolint's DL3008 misses these; each is an install without a version.
        ("DF230", "FROM debian:12\nRUN sudo apt-get install -y curl\n"),
        ("DF230", "FROM debian:12\nRUN /usr/bin/apt-get install -y curl\n"),
        ("DF230", "FROM debian:12\nRUN apt install -y curl\n"),
        ("DF232", "FROM fedora:40\nRUN dnf install -y java-21-openjdk\n"),
        ("DF234", "FROM python:3.12\nRUN /opt/venv/bin/pip install gunicorn\n"),
        ("DF234", "FROM centos:7\nRUN pip-3.6 install boto3\n"),
        ("DF235", "FROM node:20\nRUN yarn global add serve\n"),
        ("DF237", "FROM golang:1.22\nRUN go install example.com/tool@master\n"),
    ],
)
def test_dfix_reports_what_hadolint_misses(code, dockerfile):
    assert messages(dockerfile, code)


@pytest.mark.parametrize(
    "code, dockerfile",
    [
        # hadolint reports these; none installs a package whose version could float.
        ("DF232", "FROM centos:7\nRUN yum install -y @development\n"),
        ("DF233", "FROM opensuse/leap:15\nRUN zypper -n in -t pattern devel_basis\n"),
        ("DF234", "FROM python:3.12\nRUN pip install .[dev]\n"),
        ("DF234", "FROM python:3.12\nRUN export URL=https://example.com/a-1.0.whl && pip install $URL\n"),
        ("DF236", "FROM ruby:3.3\nRUN gem install ./vendor/app-1.0.gem\n"),
        ("DF237", "FROM golang:1.22\nRUN go install -race std && go run main.go\n"),
        ("DF237", "FROM golang:1.22\nRUN go get github.com/old/dep@none\n"),
    ],
)
def test_dfix_leaves_what_hadolint_wrongly_reports(code, dockerfile):
    assert messages(dockerfile, code) == []


# -- the download kit ---------------------------------------------------------------------------


def test_curl_and_wget_options_take_their_arguments():
    curl = analyze("curl -sSLo /tmp/x -H 'A: b' https://example.com").commands[0]
    assert has_any(curl.options(CURL), "-L") and not has_any(curl.options(CURL), "-f")
    assert [o.argument for o in curl.options(CURL) if o.has_argument] == ["/tmp/x", "A: b"]
    wget = analyze("wget -nv -qO- https://example.com").commands[0]
    options = wget.options(WGET)
    assert [(o.name, o.argument) for o in options] == [("-n", "v"), ("-qO", "-")]
    assert has_any(options, "-q")


def test_where_output_goes():
    model = analyze("curl -sSL u 2>&1 | tar -xz && curl u > f && wget u |& tee log")
    first, tar, second, wget, tee = model.commands
    assert pipe_reader(model, first).reader is tar and stderr_redirected(model, first)
    assert pipe_reader(model, second) is None and stdout_redirect(second) == "f"
    assert pipe_reader(model, wget).reader is tee and stderr_redirected(model, wget)
    assert not stderr_redirected(model, second)


def test_wget_in_an_onbuild_trigger_is_fixed_in_place():
    text = "FROM debian:12\nONBUILD RUN wget https://example.com/a\n"
    assert dfix.fix(text, select=["DF250"]).text == "FROM debian:12\nONBUILD RUN wget --progress=dot:giga https://example.com/a\n"


def test_curl_under_set_o_pipefail_is_fixed():
    text = "FROM debian:12\nRUN set -euxo pipefail; curl -sSL https://example.com/i.sh | bash\n"
    fixed = dfix.fix(text, select=["DF252"], unsafe=True).text
    assert fixed == "FROM debian:12\nRUN set -euxo pipefail; curl -fsSL https://example.com/i.sh | bash\n"
