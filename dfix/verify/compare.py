"""Compare two images against what the applied fixes declare: every other difference is a failure.

The packages must be the same, except the recommends a fix may drop and
the packages it may add; the files must be the same (kind, size, link
target, owner and mode), except the paths the fixes declare, the files of
packages that legitimately came or went, and the paths that differ between
any two builds (:data:`VOLATILE_PATHS`); the config must be the same, except
the fields a fix declares.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

import msgspec

from dfix.engine import ImageEffects

from .facts import ImageFacts, Package

#: Paths that differ between any two builds of the same Dockerfile (logs, timestamps, temporary files).
VOLATILE_PATHS = (
    "/var/log/*", "/var/cache/debconf/*", "/var/cache/ldconfig/*", "/tmp/*", "/var/tmp/*", "/run/*",
    "/root/.npm/_logs", "/root/.npm/_logs/*", "/root/.npm/_update-notifier-last-checked",
    "/root/.cache/pip/selfcheck/*", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
)

#: Paths derived from the set of installed packages (package databases, the linker cache,
#: alternatives, generated certificate links, what maintainer scripts and triggers regenerate):
#: they may differ exactly when the packages differ, which the package comparison judges.
PACKAGE_DERIVED_PATHS = (
    "/var/lib/dpkg/*", "/var/lib/apt/extended_states", "/var/cache/apt/*.bin", "/etc/ld.so.cache",
    "/etc/alternatives/*", "/etc/ssl/certs/*", "/usr/share/ca-certificates/*", "/etc/ca-certificates.conf",
    "/etc/ca-certificates.conf.dpkg-old", "/usr/local/share/ca-certificates",
    "/lib/apk/db/*", "/etc/apk/world", "/var/lib/rpm/*", "/usr/lib/sysimage/rpm/*",
    "/etc/rc?.d/*", "/etc/systemd/*", "/etc/fonts/conf.d/*", "/etc/lighttpd/*", "/etc/apache2/*", "/etc/networks",
    "/var/lib/systemd/*", "/var/lib/dbus/machine-id",
    "/usr/share/mime/*", "/usr/lib/*/gdk-pixbuf-2.0/*/loaders.cache", "/usr/lib/*/gio/modules/giomodule.cache",
    "/usr/share/glib-2.0/schemas/gschemas.compiled", "/usr/local/share/fonts", "/var/cache/fontconfig/*",
    "/usr/share/icons/*/icon-theme.cache", "/usr/share/info/dir", "/usr/share/info/dir.old",
)

#: Where the links update-alternatives makes point (``/usr/bin/cc`` -> ``/etc/alternatives/cc``).
ALTERNATIVES = "/etc/alternatives/"


class Difference(msgspec.Struct, frozen=True):
    """One undeclared difference: what kind (package, file, config), which one, and how it differs."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.detail}"


def declared(effects: Iterable[ImageEffects]) -> ImageEffects:
    """What the applied fixes, taken together, may change."""
    total = ImageEffects()
    for effect in effects:
        total = total | effect
    return total


def _matches(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def explained_by_dependencies(candidates: set[str], seeds: set[str], packages: dict[str, Package]) -> set[str]:
    """The candidates reachable from ``seeds`` through dependencies (virtual names resolved by what provides them)."""
    provided_by: dict[str, set[str]] = {}
    for package in packages.values():
        for name in package.provides | {package.name}:
            provided_by.setdefault(name, set()).add(package.name)
    explained = {name for seed in seeds for name in provided_by.get(seed, {seed})} & candidates
    frontier = set(explained)
    while frontier:
        reached = {
            name
            for parent in frontier for dependency in packages[parent].depends
            for name in provided_by.get(dependency, {dependency})
        } & candidates
        frontier = reached - explained
        explained |= frontier
    return explained


def package_differences(before: ImageFacts, after: ImageFacts, allowed: ImageEffects) -> list[Difference]:
    """Packages that differ in a way no applied fix declares."""
    found = []
    removed = set(before.packages) - set(after.packages)
    added = set(after.packages) - set(before.packages)
    for name in sorted(set(before.packages) & set(after.packages)):
        if before.packages[name].version != after.packages[name].version:
            found.append(Difference("package", name, f"{before.packages[name].version} -> {after.packages[name].version}"))
    if removed:
        recommended = {name for package in before.packages.values() for name in package.recommends}
        explained = explained_by_dependencies(removed, recommended, before.packages) if allowed.drops_recommends else set()
        for name in sorted(removed - explained):
            why = "only recommends may go" if allowed.drops_recommends else "no applied fix removes packages"
            found.append(Difference("package", name, f"gone ({why})"))
    if added:
        explained = explained_by_dependencies(added, set(allowed.adds_packages), after.packages)
        for name in sorted(added - explained):
            found.append(Difference("package", name, "added, and no applied fix declares it"))
    return found


def file_differences(before: ImageFacts, after: ImageFacts, allowed: ImageEffects) -> list[Difference]:
    """Files that differ in a way no applied fix (or a package difference it declares) explains."""
    removed_packages = set(before.packages) - set(after.packages)
    added_packages = set(after.packages) - set(before.packages)
    gone_files = {path for name in removed_packages for path in before.package_files.get(name, ())}
    new_files = {path for name in added_packages for path in after.package_files.get(name, ())}
    packages_differ = bool(removed_packages or added_packages)
    declared_paths = allowed.removes_paths + allowed.adds_paths
    found = []
    for path in sorted(before.files.keys() | after.files.keys()):
        if _matches(path, VOLATILE_PATHS):
            continue
        old, new = before.files.get(path), after.files.get(path)
        if packages_differ and (
            _matches(path, PACKAGE_DERIVED_PATHS)
            or any(entry is not None and entry.target.startswith(ALTERNATIVES) for entry in (old, new))
        ):
            continue
        if new is None:
            if path not in gone_files and not _matches(path, allowed.removes_paths):
                found.append(Difference("file", path, f"gone ({old.kind})"))
        elif old is None:
            if path not in new_files and not _matches(path, allowed.adds_paths):
                found.append(Difference("file", path, f"new ({new.kind})"))
        elif old.content() != new.content():
            if path not in gone_files | new_files and not _matches(path, declared_paths):
                found.append(Difference("file", path, _content_change(old.content(), new.content())))
        elif old.ownership() != new.ownership() and not allowed.adds_account:
            found.append(Difference(
                "file", path, f"owner and mode {old.uid}:{old.gid} {old.mode:o} -> {new.uid}:{new.gid} {new.mode:o}",
            ))
    return found


def _content_change(old: tuple, new: tuple) -> str:
    (old_kind, old_size, old_target), (new_kind, new_size, new_target) = old, new
    if old_kind != new_kind:
        return f"{old_kind} -> {new_kind}"
    if old_target != new_target:
        return f"link {old_target} -> {new_target}"
    return f"{old_size} -> {new_size} bytes"


def config_differences(before: ImageFacts, after: ImageFacts, allowed: ImageEffects) -> list[Difference]:
    """Image config fields (User, Cmd, Entrypoint, Env, WorkingDir, ExposedPorts, Volumes, Labels ...) no fix declares."""
    found = []
    for key in sorted(before.config.keys() | after.config.keys()):
        old, new = before.config.get(key), after.config.get(key)
        if old != new and key not in allowed.config:
            found.append(Difference("config", key, f"{old!r} -> {new!r}"))
    return found


def differences(before: ImageFacts, after: ImageFacts, allowed: ImageEffects) -> list[Difference]:
    """Every undeclared difference between the two images: packages, then files, then config."""
    return [
        *package_differences(before, after, allowed),
        *file_differences(before, after, allowed),
        *config_differences(before, after, allowed),
    ]
