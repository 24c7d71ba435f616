"""DF400/DF401: a USER only where the image still works.

The rule examples check the exact fixed text of the cases that are fixed;
these tests check what the examples cannot: that a report-only case stays
unchanged even with unsafe fixes and says why, that every applied fix states
its caveat, and the README's go-service demo.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dfix
from dfix.engine import BuildContext
from dfix.transforms.last_user_root import LastUserRoot
from dfix.transforms.no_user import NoUser

REPO = Path(__file__).resolve().parents[2]

REPORT_ONLY = [
    pytest.param(rule.code, example.code, example.context, id=f"{rule.code}-{example.why}")
    for rule in (NoUser, LastUserRoot)
    for example in rule.invalid
    if example.expected is None
]
FIXED = [
    pytest.param(rule.code, example.code, id=f"{rule.code}-{example.why}")
    for rule in (NoUser, LastUserRoot)
    for example in rule.invalid
    if example.expected is not None
]


@pytest.mark.parametrize("code,text,files", REPORT_ONLY)
def test_a_report_only_case_is_not_fixed_even_with_unsafe_fixes(code: str, text: str, files) -> None:
    from dfix.engine import BuildContext

    context = BuildContext.of_files(files) if files is not None else None
    result = dfix.fix(text, select=[code], unsafe=True, build_context=context)
    assert result.text == text
    notes = [d.note or "" for d in result.diagnostics if d.code == code]
    assert notes and notes[0].startswith("not fixed: "), notes


@pytest.mark.parametrize("code,text", FIXED)
def test_every_applied_fix_states_what_it_assumes(code: str, text: str) -> None:
    result = dfix.fix(text, select=[code], unsafe=True)
    (applied,) = [d for d in result.applied if d.code == code]
    assert applied.fix is not None
    assert "needs no root at run time" in applied.fix.assumes


def test_the_go_service_demo_gives_its_data_folder_to_the_new_user() -> None:
    # The demo creates /var/lib/inventory as root right before the new USER: the account gets it in the same RUN.
    text = (REPO / "corpus" / "demo" / "go-service.Dockerfile").read_text()
    result = dfix.fix(text, select=["DF400"], unsafe=True)
    (applied,) = result.applied
    assert (
        "RUN cd /var/lib && mkdir inventory\n"
        "RUN addgroup -S -g 10001 app && adduser -S -D -u 10001 -G app app \\\n"
        " && chown -R 10001:10001 /var/lib/inventory\n"
        "USER 10001:10001\n"
    ) in result.text
    assert "/var/lib/inventory (now owned by 10001:10001)" in applied.fix.assumes


@pytest.mark.parametrize(
    "dockerfile,chown",
    [
        # the WORKDIR itself (new files), not the sources copied into it
        ("FROM debian:12\nWORKDIR /srv/app\nCOPY . .\nCMD [\"./serve\"]\n", "chown 10001:10001 /srv/app"),
        ("FROM debian:12\nWORKDIR \"/app\"\nCOPY serve .\nCMD [\"./serve\"]\n", "chown 10001:10001 /app"),
        # a created data folder with what the build put in it
        ("FROM debian:12\nWORKDIR /opt/serve\nRUN mkdir -p data/cache\nCMD [\"./serve\"]\n", "chown -R 10001:10001 /opt/serve/data/cache"),
        ("FROM debian:12\nENV DATA=/data\nRUN mkdir -p $DATA\nCMD [\"./serve\"]\n", "chown -R 10001:10001 $DATA"),
    ],
)
def test_the_folders_the_process_writes_are_given_to_the_user(dockerfile: str, chown: str) -> None:
    result = dfix.fix(dockerfile, select=["DF400"], unsafe=True)
    assert f"{chown}\n" in result.text


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM debian:12\nWORKDIR /usr/local/bin\nCMD [\"./serve\"]\n",
        "FROM debian:12\nRUN mkdir -p /usr/share/man/man1 /etc/serve\nCMD [\"serve\"]\n",
    ],
)
def test_system_folders_keep_their_owner(dockerfile: str) -> None:
    result = dfix.fix(dockerfile, select=["DF400"], unsafe=True)
    assert result.changed and "chown" not in result.text


def test_a_folder_under_tmp_is_given_its_parent_is_writable_already() -> None:
    # WORKDIR creates /tmp/share root-owned, mode 755: unlike /tmp itself, nobody else may write there.
    result = dfix.fix("FROM alpine:3.20\nWORKDIR /tmp/share\nCOPY tool.conf .\nCMD [\"tool\"]\n", select=["DF400"], unsafe=True)
    assert "chown 10001:10001 /tmp/share\n" in result.text
    assert "chown 10001:10001 /tmp " not in result.text


def test_a_created_tool_folder_is_given_as_a_folder_only() -> None:
    # chown -R of a toolchain would copy all of it into a new layer; data folders get their content
    text = "FROM debian:12\nRUN mkdir -p /opt/esp /var/lib/svc && tar -xf t.tgz -C /opt/esp\nCMD [\"svc\"]\n"
    result = dfix.fix(text, select=["DF400"], unsafe=True)
    assert " && chown 10001:10001 /opt/esp && chown -R 10001:10001 /var/lib/svc\n" in result.text


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM debian:12\nRUN mkdir -p /opt/go /app/bin && make && rm -rf /opt/go\nCMD [\"/app/bin/d\"]\n",
        "FROM debian:12\nWORKDIR /src\nRUN mkdir build && cd build && make && cd .. && rm -rf build\nCMD [\"/src/d\"]\n",
    ],
)
def test_a_folder_the_build_deletes_is_not_given(dockerfile: str) -> None:
    # chown of a folder that is gone would fail the build
    result = dfix.fix(dockerfile, select=["DF400"], unsafe=True)
    assert result.changed
    assert "/opt/go" not in result.text.split("useradd", 1)[1] and "/src/build" not in result.text


def test_a_folder_a_wildcard_clean_up_deletes_is_not_given() -> None:
    text = "FROM debian:12\nRUN mkdir -p /tmp/work /var/lib/app && make && rm -rf /tmp/*\nCMD [\"/app\"]\n"
    result = dfix.fix(text, select=["DF400"], unsafe=True)
    assert " && chown -R 10001:10001 /var/lib/app\n" in result.text


_WORKSPACE = "gets no files from the build"


@pytest.mark.parametrize(
    "dockerfile,files",
    [
        # files land in the WORKDIR: copied into it, relative to it, or by a RUN that runs there
        ("FROM debian:12\nCOPY app /srv/app/\nWORKDIR /srv/app\nCMD [\"./serve\"]\n", None),
        ("FROM debian:12\nWORKDIR /srv/app\nCOPY serve .\nCMD [\"./serve\"]\n", None),
        ("FROM debian:12\nWORKDIR /srv/app\nRUN make build\nCMD [\"./serve\"]\n", None),
        # a folder above it gets a folder that holds it (the build context says so)
        ("FROM debian:12\nCOPY . /\nWORKDIR /srv/app\nCMD [\"./serve\"]\n", {"srv/app/serve": "x"}),
        ("FROM debian:12\nADD https://example.com/app.tar.gz /srv/\nWORKDIR /srv/app\nCMD [\"./serve\"]\n", None),
        # a RUN names it outside a mkdir: writes into it, clones into it
        ("FROM debian:12\nRUN mkdir -p /src && echo x > /src/config\nWORKDIR /src\nCMD [\"./serve\"]\n", None),
        ("FROM debian:12\nRUN cd /src && make\nWORKDIR /src\nCMD [\"./serve\"]\n", None),
        ("FROM debian:12\nCOPY --from=build /out /\nWORKDIR /app\nCMD [\"./serve\"]\n", None),
    ],
)
def test_a_workdir_the_build_fills_is_given_to_the_user(dockerfile, files) -> None:
    build_context = BuildContext.of_files(files) if files else None
    result = dfix.fix(dockerfile, select=["DF400"], unsafe=True, build_context=build_context)
    assert result.changed, [d.note for d in result.diagnostics]


@pytest.mark.parametrize(
    "dockerfile,files",
    [
        ("FROM debian:12\nWORKDIR /src\nENTRYPOINT [\"/usr/local/bin/lint\"]\n", None),
        ("FROM debian:12\nRUN mkdir -p /src && chmod 777 /src\nWORKDIR /src\nENTRYPOINT [\"lint\"]\n", None),
        # copied above it, but only files, or a folder without it
        ("FROM debian:12\nCOPY lint.toml /\nWORKDIR /src\nENTRYPOINT [\"lint\", \"--config\", \"/lint.toml\"]\n", None),
        ("FROM debian:12\nCOPY rootfs/ /\nWORKDIR /src\nENTRYPOINT [\"lint\"]\n", {"rootfs/etc/lint.conf": "x"}),
        # a RUN before the WORKDIR that works elsewhere
        ("FROM debian:12\nWORKDIR /opt/lint\nCOPY . .\nRUN make install\nWORKDIR /work\nENTRYPOINT [\"lint\"]\n", None),
    ],
)
def test_a_workdir_the_build_leaves_empty_is_a_mounted_workspace(dockerfile, files) -> None:
    """A tool run on a checkout mounted on its WORKDIR: the host's files, which a new user may not write."""
    build_context = BuildContext.of_files(files) if files else None
    result = dfix.fix(dockerfile, select=["DF400"], unsafe=True, build_context=build_context)
    assert not result.changed
    (finding,) = result.diagnostics
    assert _WORKSPACE in finding.note


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("openssh-server", True), ("postgresql-15", True), ("nginx-extras", True), ("mysql-server-8.0", True),
        ("openssh-client", False), ("postgresql-client-15", False), ("mysql-client", False), ("redis-tools", False),
        ("nginx-common", False), ("postgresql-contrib", True), ("git", False),
    ],
)
def test_service_packages_are_told_from_their_clients_and_tools(name: str, service: bool) -> None:
    from dfix.transforms._runtime_needs import _service_package

    assert _service_package(name) is service


@pytest.mark.parametrize(
    ("argv", "port"),
    [
        (["/usr/bin/vncserver", ":1", "-geometry", "1280x800"], None),  # display 1 (port 5901), not port 1
        (["Xvfb", ":99", "-screen", "0", "1024x768x24"], None),
        (["/app/server", ":80"], ":80"),
        (["gunicorn", "--bind", "0.0.0.0:80", "app:app"], "--bind 0.0.0.0:80"),
        (["app", "--port=8080"], None),
    ],
)
def test_a_display_number_is_not_a_port(argv: list[str], port: str | None) -> None:
    from dfix.transforms._users import _listen_port

    assert _listen_port(argv) == port
