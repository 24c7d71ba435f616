"""Reading an image's packages and files without a builder: dpkg, apk and rpm databases, archives, trees."""

from __future__ import annotations

import io
import sqlite3
import struct
import tarfile
from pathlib import Path

from dfix.verify.builders import failed_step
from dfix.verify.facts import (
    list_tree, parse_apk_installed, parse_dpkg_status, parse_rpm_header, read_archive, read_packages, tree_reader,
)

DPKG_STATUS = """\
Package: curl
Status: install ok installed
Version: 7.88.1-10+deb12u5
Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u5)
Recommends: ca-certificates

Package: old-tool
Status: deinstall ok config-files
Version: 1.0

Package: mawk
Status: install ok installed
Version: 1.3.4
Provides: awk
Description: a pattern scanning language
 continued over
 two lines
"""


def test_dpkg_status_keeps_installed_packages_and_their_relations():
    packages = parse_dpkg_status(DPKG_STATUS)
    assert set(packages) == {"curl", "mawk"}
    assert packages["curl"].depends == {"libc6", "libcurl4"}
    assert packages["curl"].recommends == {"ca-certificates"}
    assert packages["mawk"].provides == {"awk"}


APK_INSTALLED = """\
C:Q1abc=
P:musl
V:1.2.4-r2
F:lib
R:ld-musl-x86_64.so.1

P:curl
V:8.5.0-r0
D:ca-certificates-bundle so:libc.musl-x86_64.so.1 libcurl=8.5.0-r0
p:cmd:curl=8.5.0-r0
F:usr/bin
R:curl
"""


def test_apk_database_gives_packages_dependencies_and_files():
    packages, files = parse_apk_installed(APK_INSTALLED)
    assert set(packages) == {"musl", "curl"}
    assert "libcurl" in packages["curl"].depends and "cmd:curl" in packages["curl"].provides
    assert files["curl"] == {"/usr/bin", "/usr/bin/curl"}
    assert files["musl"] == {"/lib", "/lib/ld-musl-x86_64.so.1"}


def rpm_header(strings: dict[int, list[str]], numbers: dict[int, list[int]] | None = None) -> bytes:
    """An rpm header blob as rpmdb.sqlite stores it: 32-bit integer arrays first (aligned), then strings."""
    index, data = b"", b""
    for tag, values in (numbers or {}).items():
        index += struct.pack(">iiii", tag, 4, len(data), len(values))
        data += struct.pack(f">{len(values)}i", *values)
    for tag, values in strings.items():
        kind = 8 if len(values) > 1 else 6
        index += struct.pack(">iiii", tag, kind, len(data), len(values))
        data += b"".join(value.encode() + b"\0" for value in values)
    return struct.pack(">ii", len(strings) + len(numbers or {}), len(data)) + index + data


def test_rpm_headers_from_an_rpmdb_sqlite(tmp_path: Path):
    blob = rpm_header(
        {1000: ["bash"], 1001: ["5.2.15"], 1002: ["3.fc39"], 1049: ["libc.so.6", "rpmlib(X)"],
         1117: ["bash", "sh", "bash"], 1118: ["/usr/bin/", "/usr/share/doc/bash/"]},
        {1116: [0, 0, 1]},
    )
    package, files = parse_rpm_header(blob)
    assert (package.name, package.version, package.depends) == ("bash", "5.2.15-3.fc39", {"libc.so.6"})
    assert files == {"/usr/bin/bash", "/usr/bin/sh", "/usr/share/doc/bash/bash"}
    database = tmp_path / "var/lib/rpm/rpmdb.sqlite"
    database.parent.mkdir(parents=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)")
        connection.execute("INSERT INTO Packages (blob) VALUES (?)", (blob,))
    packages, owned, source = read_packages(list_tree(tmp_path), tree_reader(tmp_path))
    assert source == "rpm" and set(packages) == {"bash"} and "/usr/bin/sh" in owned["bash"]


def test_a_mounted_tree_and_an_exported_archive_give_the_same_facts(tmp_path: Path):
    root = tmp_path / "root"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    (root / "var/lib/dpkg/info/curl.list").write_text("/.\n/bin/curl\n")
    (root / "usr/bin/curl").write_bytes(b"x" * 10)
    (root / "bin").symlink_to("usr/bin")
    archive = tmp_path / "root.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(root, arcname=".")
    from_tree = (list_tree(root), tree_reader(root))
    from_archive = read_archive(archive)
    for entries, read in (from_tree, from_archive):
        assert entries["/usr/bin/curl"].size == 10 and entries["/bin"].target == "usr/bin"
        packages, owned, source = read_packages(entries, read)
        assert source == "dpkg" and set(packages) == {"curl", "mawk"}
        assert owned["curl"] == {"/bin/curl", "/usr/bin/curl"}  # merged /usr: the real path too
    assert {path for path in from_tree[0]} == {path for path in from_archive[0]}


def test_no_package_database_is_said_plainly(tmp_path: Path):
    assert read_packages({}, tree_reader(tmp_path))[2] == "none"


def test_the_failing_step_is_read_from_buildah_and_buildkit_logs():
    buildah_log = "STEP 1/3: FROM debian:12\nSTEP 2/3: RUN make\nmake: not found\nError: building at STEP \"RUN make\""
    assert failed_step(buildah_log) == "RUN make"
    buildkit_log = "#5 [1/3] FROM docker.io/library/debian:12\n#6 [2/3] RUN make\n#6 0.2 make: not found\nERROR: failed"
    assert failed_step(buildkit_log) == "RUN make"
    assert failed_step(io.StringIO("nothing").read()) == ""
