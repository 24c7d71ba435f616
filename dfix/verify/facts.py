"""What an image holds: its files (kind, size, owner, mode), its installed packages and its config.

The facts are read from the image's file system, never by running a tool
inside it: a ``FROM scratch`` or distroless image has no ``dpkg-query``, and
reading the databases directly works the same on a mounted root (buildah)
and on an exported archive (docker, podman). dpkg's ``status`` and file
lists, apk's ``installed`` and rpm's ``rpmdb.sqlite`` (packages and the
files they own) are read; an older rpm Berkeley DB is reported as
unreadable rather than guessed.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec


class Entry(msgspec.Struct, frozen=True):
    """One path in an image: what it is, its size (files) or target (links), owner and mode."""

    kind: str  # "file", "dir", "link" or "other"
    size: int  # regular files only; 0 otherwise
    target: str  # symbolic links only
    uid: int
    gid: int
    mode: int

    def content(self) -> tuple:
        """What the image's users see of it, apart from who owns it."""
        return (self.kind, self.size, self.target)

    def ownership(self) -> tuple:
        return (self.uid, self.gid, self.mode)


class Package(msgspec.Struct, frozen=True):
    """An installed package and the relations that say why it is there."""

    name: str
    version: str
    depends: frozenset[str] = frozenset()  # Depends and Pre-Depends, every alternative
    recommends: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset()


class ImageFacts(msgspec.Struct, frozen=True):
    """What ``dfix verify`` compares between the original and the fixed image."""

    config: dict
    files: dict[str, Entry]
    packages: dict[str, Package]
    #: Package name -> the paths it installed (from the package database's file lists).
    package_files: dict[str, frozenset[str]] = msgspec.field(default_factory=dict)
    #: Which package database was read ("dpkg", "apk", "rpm"), or why none could be.
    package_source: str = "none"
    layers: int = 0

    @property
    def size(self) -> int:
        """The bytes of the image's regular files."""
        return sum(entry.size for entry in self.files.values())


# -- reading a file system ---------------------------------------------------------------------------

#: Reads one file of the image by its absolute path; None when it is not there.
Reader = Callable[[str], "bytes | None"]


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def list_tree(root: Path) -> dict[str, Entry]:
    """Every path under a mounted image root, as ``/absolute/path`` -> :class:`Entry`."""
    entries: dict[str, Entry] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            kind = _kind(info.st_mode)
            entries["/" + str(path.relative_to(root))] = Entry(
                kind=kind, size=info.st_size if kind == "file" else 0,
                target=os.readlink(path) if kind == "link" else "",
                uid=info.st_uid, gid=info.st_gid, mode=stat.S_IMODE(info.st_mode),
            )
    return entries


def tree_reader(root: Path) -> Reader:
    def read(path: str) -> bytes | None:
        try:
            return (root / path.lstrip("/")).read_bytes()
        except OSError:
            return None
    return read


#: The package databases worth keeping from an archive (everything else is only listed).
_DATABASE_PREFIXES = ("var/lib/dpkg/", "lib/apk/db/", "var/lib/rpm/", "usr/lib/sysimage/rpm/")


def read_archive(archive: Path) -> tuple[dict[str, Entry], Reader]:
    """The entries of an exported file system (``docker export``), and a reader for its package databases."""
    entries: dict[str, Entry] = {}
    kept: dict[str, bytes] = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            name = member.name.lstrip("./").rstrip("/")
            if not name:
                continue
            kind = "link" if member.issym() else "dir" if member.isdir() else "file" if member.isreg() or member.islnk() else "other"
            entries["/" + name] = Entry(
                kind=kind, size=member.size if kind == "file" else 0, target=member.linkname if kind == "link" else "",
                uid=member.uid, gid=member.gid, mode=stat.S_IMODE(member.mode),
            )
            if member.isreg() and name.startswith(_DATABASE_PREFIXES):
                handle = tar.extractfile(member)
                if handle is not None:
                    kept["/" + name] = handle.read()
    return entries, kept.get


# -- package databases ---------------------------------------------------------------------------------


def relation_names(field_text: str) -> frozenset[str]:
    """Package names in a Debian relation field, alternatives included, without versions or architectures."""
    names = set()
    for alternative in field_text.replace("|", ",").split(","):
        name = alternative.strip().split(" ", 1)[0].split(":", 1)[0].split("(", 1)[0]
        if name:
            names.add(name)
    return frozenset(names)


def _paragraphs(text: str) -> Iterator[dict[str, str]]:
    """RFC 822-style paragraphs (dpkg's status file); continuation lines joined."""
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            yield fields


def parse_dpkg_status(text: str) -> dict[str, Package]:
    """The installed packages in dpkg's ``status`` file."""
    packages: dict[str, Package] = {}
    for fields in _paragraphs(text):
        if not fields.get("Status", "").endswith(" installed"):
            continue
        name = fields["Package"]
        packages[name] = Package(
            name=name, version=fields.get("Version", ""),
            depends=relation_names(fields.get("Pre-Depends", "")) | relation_names(fields.get("Depends", "")),
            recommends=relation_names(fields.get("Recommends", "")),
            provides=relation_names(fields.get("Provides", "")),
        )
    return packages


def _apk_name(token: str) -> str:
    for separator in ("<", ">", "=", "~"):
        token = token.split(separator, 1)[0]
    return token


def parse_apk_installed(text: str) -> tuple[dict[str, Package], dict[str, frozenset[str]]]:
    """The packages and their files in apk's ``installed`` database (``P:`` name, ``F:``/``R:`` files)."""
    packages: dict[str, Package] = {}
    files: dict[str, frozenset[str]] = {}
    for block in text.split("\n\n"):
        fields: dict[str, list[str]] = {}
        paths: set[str] = set()
        folder = ""
        for line in block.splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key, []).append(value)
            if key == "F":
                folder = value
                paths.add("/" + value)
            elif key == "R":
                paths.add(f"/{folder}/{value}" if folder else "/" + value)
        if "P" not in fields:
            continue
        name = fields["P"][0]
        packages[name] = Package(
            name=name, version=fields.get("V", [""])[0],
            depends=frozenset(_apk_name(token) for value in fields.get("D", []) for token in value.split() if not token.startswith("!")),
            provides=frozenset(_apk_name(token) for value in fields.get("p", []) for token in value.split()),
        )
        files[name] = frozenset(paths)
    return packages, files


#: rpm header tags: name, version, release, the capabilities it requires and provides.
_RPM_NAME, _RPM_VERSION, _RPM_RELEASE, _RPM_PROVIDES, _RPM_REQUIRES = 1000, 1001, 1002, 1047, 1049
#: rpm header tags of the file list: a file is ``DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]``.
_RPM_DIRINDEXES, _RPM_BASENAMES, _RPM_DIRNAMES = 1116, 1117, 1118
#: rpm header data types read: 32-bit integers, string, string array, i18n string.
_RPM_INT32, _RPM_STRING, _RPM_STRING_ARRAY, _RPM_I18N_STRING = 4, 6, 8, 9


def _rpm_tags(blob: bytes) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    """The string and 32-bit integer tags of an rpm header blob (index count, data size, index, data)."""
    count, size = struct.unpack(">ii", blob[:8])
    data = blob[8 + 16 * count:]
    strings: dict[int, list[str]] = {}
    numbers: dict[int, list[int]] = {}
    for index in range(count):
        tag, kind, offset, number = struct.unpack(">iiii", blob[8 + 16 * index:24 + 16 * index])
        if kind == _RPM_INT32:
            numbers[tag] = list(struct.unpack(f">{number}i", data[offset:offset + 4 * number]))
        elif kind in (_RPM_STRING, _RPM_STRING_ARRAY, _RPM_I18N_STRING):
            parts = data[offset:size].split(b"\0")[:number if kind == _RPM_STRING_ARRAY else 1]
            strings[tag] = [item.decode("utf-8", "replace") for item in parts]
    return strings, numbers


def parse_rpm_header(blob: bytes) -> tuple[Package, frozenset[str]] | None:
    """One package and the paths it installed, from an rpm header blob (as rpmdb.sqlite stores them)."""
    values, numbers = _rpm_tags(blob)
    if _RPM_NAME not in values:
        return None
    version = "-".join(values.get(tag, [""])[0] for tag in (_RPM_VERSION, _RPM_RELEASE)).strip("-")
    package = Package(
        name=values[_RPM_NAME][0], version=version,
        depends=frozenset(name for name in values.get(_RPM_REQUIRES, []) if not name.startswith("rpmlib(")),
        provides=frozenset(values.get(_RPM_PROVIDES, [])),
    )
    folders = values.get(_RPM_DIRNAMES, [])
    files = frozenset(
        folders[folder] + name
        for folder, name in zip(numbers.get(_RPM_DIRINDEXES, []), values.get(_RPM_BASENAMES, []))
        if 0 <= folder < len(folders)
    )
    return package, files


def parse_rpmdb_sqlite(data: bytes) -> tuple[dict[str, Package], dict[str, frozenset[str]]]:
    """The packages and their files in an ``rpmdb.sqlite`` (Fedora 33+, RHEL 9, current openSUSE)."""
    with tempfile.NamedTemporaryFile(suffix=".sqlite") as copy:
        copy.write(data)
        copy.flush()
        connection = sqlite3.connect(f"file:{copy.name}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT blob FROM Packages").fetchall()
        finally:
            connection.close()
    packages: dict[str, Package] = {}
    files: dict[str, frozenset[str]] = {}
    for (blob,) in rows:
        parsed = parse_rpm_header(bytes(blob))
        if parsed is not None:
            package, owned = parsed
            packages[package.name] = package
            files[package.name] = files.get(package.name, frozenset()) | owned
    return packages, files


def dpkg_files(entries: dict[str, Entry], read: Reader) -> dict[str, frozenset[str]]:
    """Package name -> the paths it installed, from dpkg's ``*.list`` files (merged /usr paths added)."""
    merged = {
        f"{path}/": "/" + entry.target.strip("/") + "/"
        for path, entry in entries.items()
        if entry.kind == "link" and path.count("/") == 1 and not entry.target.startswith("/")
    }
    owned: dict[str, frozenset[str]] = {}
    for path in entries:
        if not (path.startswith("/var/lib/dpkg/info/") and path.endswith(".list")):
            continue
        name = path.rsplit("/", 1)[1].removesuffix(".list").split(":", 1)[0]
        listed = set()
        for line in (read(path) or b"").decode("utf-8", "replace").splitlines():
            if not line.startswith("/") or line == "/.":
                continue
            listed.add(line)
            for link, real in merged.items():
                if line.startswith(link):
                    listed.add(real + line[len(link):])
        owned[name] = frozenset(listed)
    return owned


def read_packages(entries: dict[str, Entry], read: Reader) -> tuple[dict[str, Package], dict[str, frozenset[str]], str]:
    """The image's installed packages, their files, and which database said so."""
    status = read("/var/lib/dpkg/status")
    if status is not None:
        return parse_dpkg_status(status.decode("utf-8", "replace")), dpkg_files(entries, read), "dpkg"
    installed = read("/lib/apk/db/installed")
    if installed is not None:
        packages, files = parse_apk_installed(installed.decode("utf-8", "replace"))
        return packages, files, "apk"
    for database in ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"):
        data = read(database)
        if data is not None:
            packages, files = parse_rpmdb_sqlite(data)
            return packages, files, "rpm"
    if "/var/lib/rpm/Packages" in entries:
        return {}, {}, "rpm (Berkeley DB, not read)"
    return {}, {}, "none"


def facts_of(entries: dict[str, Entry], read: Reader, config: dict, layers: int) -> ImageFacts:
    packages, owned, source = read_packages(entries, read)
    return ImageFacts(config=config, files=entries, packages=packages, package_files=owned, package_source=source, layers=layers)
