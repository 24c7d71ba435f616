"""The layer rules (DF101, DF103-DF106) and the package-switch rules (DF203, DF211, DF213) beyond their examples.

What the examples cannot show on their own: how tar's option spellings are
read, how relative paths follow WORKDIR, whether the docker-clean hook is
known through in-file parent stages, and how the fixes get along with the
rules that report the same files (DF100, DF200, DF201).
"""

from __future__ import annotations

import pytest

import dfix
from dfix.shell import analyze
from dfix.syntax import parse
from dfix.engine import Context

from dfix.transforms._docker_clean import ships_docker_clean
from dfix.transforms.copy_then_extract import read_tar


def _tar(script: str):
    return read_tar(analyze(script).commands[0])


@pytest.mark.parametrize(
    "script, file, directory",
    [
        ("tar -xzf /tmp/a.tgz -C /opt", "/tmp/a.tgz", "/opt"),
        ("tar xvf a.tar", "a.tar", None),
        ("tar -x -J -f /tmp/a.tar.xz --directory /srv", "/tmp/a.tar.xz", "/srv"),
        ("tar --extract --gzip --file=/tmp/a.tgz --directory=/opt/a", "/tmp/a.tgz", "/opt/a"),
        ("tar -xf/tmp/a.tar -C/opt", "/tmp/a.tar", "/opt"),
    ],
)
def test_tar_extractions_the_fix_understands(script, file, directory):
    call = _tar(script)
    assert call is not None and (call.file, call.directory) == (file, directory)


@pytest.mark.parametrize(
    "script",
    [
        "tar -czf /tmp/a.tgz /opt",  # creates
        "tar -xzf /tmp/a.tgz --strip-components=1 -C /opt",
        "tar -xzf /tmp/a.tgz -C /opt bin/tool",  # a member name
        "tar -xzf $ARCHIVE -C /opt",
        "tar -xf /tmp/a.tar.zst --zstd",
        "sudo tar -xzf /tmp/a.tgz",
    ],
)
def test_tar_calls_beyond_the_fix_are_refused(script):
    assert _tar(script) is None


def _stage_run(text: str, index: int = -1):
    tree = parse(text)
    context = Context(tree)
    runs = [view.run for view in context.runs()]
    return context, runs[index]


def test_docker_clean_is_known_through_parent_stages_and_lost_when_removed():
    context, run = _stage_run("FROM debian:12 AS base\nRUN true\nFROM base\nRUN apt install -y x\n")
    assert ships_docker_clean(context, run)
    context, run = _stage_run(
        "FROM ubuntu:24.04 AS base\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nFROM base\nRUN apt install -y x\n"
    )
    assert not ships_docker_clean(context, run)
    context, run = _stage_run("FROM example.com/base\nRUN apt install -y x\n")
    assert not ships_docker_clean(context, run)


def test_apt_to_apt_get_is_safe_on_debian_and_unsafe_on_an_unknown_base():
    debian = "FROM debian:12 AS base\nFROM base\nRUN apt install -y curl\n"
    assert dfix.fix(debian, select=["DF203"]).text == "FROM debian:12 AS base\nFROM base\nRUN apt-get install -y curl\n"
    unknown = "FROM example.com/base\nRUN apt install -y curl\n"
    assert dfix.fix(unknown, select=["DF203"]).text == unknown
    (finding,) = dfix.check(unknown, select=["DF203"])
    assert finding.fix.safety.value == "unsafe" and "docker-clean" in finding.fix.assumes


def test_apt_then_missing_yes_settle_together():
    result = dfix.fix("FROM debian:12\nRUN apt install curl\n", select=["DF203", "DF201"])
    assert result.text == "FROM debian:12\nRUN apt-get install -y curl\n"
    assert result.failed == ()


@pytest.mark.parametrize(
    "text, reported",
    [
        # relative paths follow WORKDIR: the same file
        ("FROM debian\nWORKDIR /src\nRUN curl -fsSLO https://e.com/a.tgz\nRUN rm /src/a.tgz\n", True),
        # a WORKDIR between makes the relative name another file
        ("FROM debian\nWORKDIR /src\nRUN curl -fsSLO https://e.com/a.tgz\nWORKDIR /opt\nRUN rm a.tgz\n", False),
        # the base image's working directory is unknown: a relative download is not an absolute path
        ("FROM debian\nRUN curl -fsSLO https://e.com/a.tgz\nRUN rm /a.tgz\n", False),
        # `cd` before the deletion: where it lands is not followed
        ("FROM debian\nRUN wget https://e.com/a.tgz\nRUN cd /tmp && rm a.tgz\n", False),
        # under a cache mount the deletion never reaches the image
        ("FROM debian\nRUN git clone https://e.com/r.git /cache/r\n"
         "RUN --mount=type=cache,target=/cache rm -rf /cache/r\n", False),
    ],
)
def test_cleanup_in_later_layer_follows_paths(text, reported):
    assert bool(dfix.check(text, select=["DF101"])) is reported


def test_cleanup_fold_and_consecutive_run_merge_agree():
    text = ("FROM debian\nRUN wget -q https://e.com/t.tgz && tar -xzf t.tgz -C /opt && rm -rf /opt/docs\n"
            "RUN rm t.tgz\n")
    alone = dfix.fix(text, select=["DF101"])
    together = dfix.fix(text, select=["DF100", "DF101"])
    assert alone.text == together.text != text
    assert together.failed == ()
    assert dfix.fix(together.text, select=["DF100", "DF101"]).text == together.text


def test_package_caches_in_a_later_run_are_left_to_the_cache_rules():
    text = "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n"
    found = dfix.check(text, select=["DF101", "DF200"])
    assert [d.code for d in found] == ["DF200"]


def test_cache_mount_cleanup_is_never_added_back():
    text = ("FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl "
            "&& rm -rf /var/lib/apt/lists/*\n")
    result = dfix.fix(text, select=["DF106", "DF200"])
    assert "rm -rf /var/lib/apt/lists" not in result.text.splitlines()[-1]
    assert dfix.fix(result.text, select=["DF106", "DF200"]).text == result.text


def test_useradd_uid_from_an_inline_assignment():
    text = "FROM debian\nRUN export APP_UID=2000000 && useradd -u $APP_UID app\n"
    assert dfix.fix(text, select=["DF104"]).text == (
        "FROM debian\nRUN export APP_UID=2000000 && useradd --no-log-init -u $APP_UID app\n"
    )


def test_microdnf_findings_are_info():
    (finding,) = dfix.check("FROM fedora-minimal\nRUN microdnf install curl\n", select=["DF211"])
    assert finding.severity == "info"
    (finding,) = dfix.check("FROM fedora\nRUN dnf install curl\n", select=["DF211"])
    assert finding.severity == "warning"


def test_package_upgrade_is_off_unless_named():
    text = "FROM debian\nRUN apt-get upgrade -y\n"
    assert not [d for d in dfix.check(text) if d.code == "DF206"]
    for selector in ("DF206", "DL3005", "package-upgrade"):
        assert [d.code for d in dfix.check(text, select=[selector])] == ["DF206"]
