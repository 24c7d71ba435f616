"""Build evidence: each case in ``corpus/buildable/`` is built before and after ``dfix --write --unsafe-fixes``.

A diff can look right and still break the image. Here every case is built
with buildah twice, from the original Dockerfile and from the one dfix wrote,
and the two images are compared:

- the fixed file builds;
- the installed packages are the same, except what the applied fixes declare
  (:data:`DECLARED_EFFECTS`: ``--no-install-recommends`` may drop packages
  that were only there as recommends, and may add the few it must keep);
- every file is the same (kind, size, link target, owner and mode), except
  the paths the applied fixes declare (caches they clean, the account they
  add), the files of the packages that legitimately went, and the paths that
  differ between any two builds (:data:`VOLATILE_PATHS`);
- the image config (User, Cmd, Entrypoint, Env, WorkingDir ...) differs only
  where a fix declares it (a USER fix sets User);
- the fixed container starts: its command runs as the image's user, a check
  command runs next to it, and the folders it must write are writable.

The properties are asserted, not the fix texts, so the rules may change how
they fix as long as the image still works.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.helpers import run

from .support import Buildah, ImageFacts, image_facts

CASES_ROOT = Path(__file__).resolve().parents[2] / "corpus" / "buildable"


# -- what each rule's fix may change in the image -----------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What a rule's fix may change in the built image; any other difference is a defect of the fix.

    Path patterns are :mod:`fnmatch` patterns on absolute paths, where ``*``
    also matches ``/``: ``/var/lib/apt/lists/*`` is everything below it.
    """

    #: Packages that were there only because something recommended them may go.
    drops_recommends: bool = False
    #: Packages the fix may install explicitly (with what they depend on).
    adds_packages: frozenset[str] = frozenset()
    #: Paths the fix may remove (a cache it cleans).
    removes_paths: tuple[str, ...] = ()
    #: Paths the fix may create.
    adds_paths: tuple[str, ...] = ()
    #: The fix adds an account: the account files and its home change, and the
    #: folders it must write may change owner.
    adds_account: bool = False
    #: Image config fields the fix may change.
    config: frozenset[str] = frozenset()


#: The account database and home an added user changes.
ACCOUNT_PATHS = (
    "/etc/passwd", "/etc/passwd-", "/etc/group", "/etc/group-", "/etc/shadow", "/etc/shadow-",
    "/etc/gshadow", "/etc/gshadow-", "/etc/subuid", "/etc/subuid-", "/etc/subgid", "/etc/subgid-",
    "/home/*", "/var/mail/*", "/var/spool/mail/*",
)

_USER = Effect(adds_account=True, adds_paths=ACCOUNT_PATHS, removes_paths=ACCOUNT_PATHS, config=frozenset({"User"}))

#: Every rule that can fix, with what its fix declares. A rule that fixes a
#: case and is missing here fails the test: add it, with the effect its
#: documentation promises, rather than widening another entry.
DECLARED_EFFECTS: dict[str, Effect] = {
    "DF001": Effect(),  # removes a suppression comment
    "DF100": Effect(),  # joins RUNs: fewer layers, same files
    "DF102": Effect(),  # copies the manifests first: same files, a cache layer
    "DF200": Effect(removes_paths=("/var/lib/apt/lists/*",)),
    "DF201": Effect(),  # -y: same install, no prompt
    "DF202": Effect(
        drops_recommends=True,
        # What a later step visibly needs is installed explicitly (HTTPS downloads, pip, xvfb-run).
        adds_packages=frozenset({"ca-certificates", "python3-setuptools", "python-setuptools", "xauth"}),
    ),
    "DF205": Effect(adds_paths=("/var/lib/apt/lists/*",)),  # refreshes the lists before installing
    "DF210": Effect(removes_paths=("/var/cache/apk/*",)),
    "DF212": Effect(removes_paths=("/var/cache/yum/*", "/var/cache/dnf/*", "/var/lib/dnf/*")),
    "DF214": Effect(removes_paths=("/var/cache/zypp/*",)),
    "DF220": Effect(removes_paths=("/root/.cache/pip", "/root/.cache/pip/*", "/root/.cache")),
    "DF221": Effect(removes_paths=(
        "/root/.npm/_cacache", "/root/.npm/_cacache/*", "/usr/local/share/.cache/yarn", "/usr/local/share/.cache/yarn/*",
        "/root/.cache/yarn", "/root/.cache/yarn/*", "/root/.yarn/berry/cache/*", "/root/.local/share/pnpm/store/*",
    )),
    "DF400": _USER,
    "DF401": _USER,
    "DF624": Effect(),  # sorts a package list: same packages
}

#: Paths that differ between any two builds of the same Dockerfile (logs,
#: timestamps, temporary files): never compared.
VOLATILE_PATHS = (
    "/var/log/*", "/var/cache/debconf/*", "/var/cache/ldconfig/*", "/tmp/*", "/var/tmp/*", "/run/*",
    "/root/.npm/_logs", "/root/.npm/_logs/*", "/root/.npm/_update-notifier-last-checked",
    "/root/.cache/pip/selfcheck/*",
)

#: Paths derived from the set of installed packages (dpkg's and apt's
#: databases, the linker cache, alternatives, generated certificate links):
#: they may differ exactly when the packages differ, which
#: :func:`package_problems` checks on its own.
PACKAGE_DERIVED_PATHS = (
    "/var/lib/dpkg/*", "/var/lib/apt/extended_states", "/var/cache/apt/*.bin", "/etc/ld.so.cache",
    "/etc/alternatives/*", "/etc/ssl/certs/*", "/usr/share/ca-certificates/*", "/etc/ca-certificates.conf",
    "/etc/ca-certificates.conf.dpkg-old", "/usr/local/share/ca-certificates",
    # What maintainer scripts register (init links, systemd units, web-server and font configuration).
    "/etc/rc?.d/*", "/etc/systemd/*", "/etc/fonts/conf.d/*", "/etc/lighttpd/*", "/etc/apache2/*", "/etc/networks",
    "/var/lib/systemd/*", "/var/lib/dbus/machine-id",
    # Caches that dpkg triggers regenerate from what is installed (MIME, pixbuf loaders, GIO, fonts, icons, info).
    "/usr/share/mime/*", "/usr/lib/*/gdk-pixbuf-2.0/*/loaders.cache", "/usr/lib/*/gio/modules/giomodule.cache",
    "/usr/share/glib-2.0/schemas/gschemas.compiled", "/usr/local/share/fonts", "/var/cache/fontconfig/*",
    "/usr/share/icons/*/icon-theme.cache", "/usr/share/info/dir", "/usr/share/info/dir.old",
)

#: Where the links update-alternatives makes point (``/usr/bin/cc`` -> ``/etc/alternatives/cc``).
ALTERNATIVES = "/etc/alternatives/"


# -- fixes main's rules still get wrong ----------------------------------------------------------------

#: Cases the current rules break, with the judgment bug that breaks them. The
#: test of such a case must fail (strict): once the rule is fixed it passes,
#: and its entry goes. Never weaken a case to leave this table.
KNOWN_BREAKAGES: dict[str, str] = {}


# -- the cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Smoke:
    """How the fixed container is started (case.toml's ``[smoke]``)."""

    seconds: float = 5
    check: tuple[str, ...] = ()
    check_after: float = 2
    writable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    why: str
    smoke: Smoke
    #: The exact User the fixed image must have ("" for none); None: any.
    expect_user: str | None = None


def load_case(folder: Path) -> Case:
    data = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    smoke = data.get("smoke", {})
    unknown = set(smoke) - {"seconds", "check", "check-after", "writable"}
    assert not unknown, f"{folder}/case.toml: unknown [smoke] keys {sorted(unknown)}"
    return Case(
        name=folder.name, folder=folder, why=data["why"],
        smoke=Smoke(
            seconds=float(smoke.get("seconds", 5)), check=tuple(smoke.get("check", ())),
            check_after=float(smoke.get("check-after", 2)), writable=tuple(smoke.get("writable", ())),
        ),
        expect_user=data.get("expect", {}).get("user"),
    )


def case_params() -> list:
    folders = sorted(path.parent for path in CASES_ROOT.glob("*/case.toml"))
    return [
        pytest.param(
            load_case(folder), id=folder.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BREAKAGES[folder.name])]
            if folder.name in KNOWN_BREAKAGES else [],
        )
        for folder in folders
    ]


def test_the_cases_cover_what_the_build_evidence_needs():
    names = {path.parent.name for path in CASES_ROOT.glob("*/case.toml")}
    assert {"apt-curl-https", "pip-app", "npm-app", "service-data-folder", "base-image-python"} <= names
    assert set(KNOWN_BREAKAGES) <= names, "KNOWN_BREAKAGES names a case that does not exist"
    for code in DECLARED_EFFECTS:
        assert re.fullmatch(r"DF\d{3}", code)


# -- comparing the two images ------------------------------------------------------------------------------


def _matches(path: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


@dataclass(frozen=True)
class Allowance:
    """What the applied fixes, taken together, may change."""

    codes: tuple[str, ...]

    @property
    def effects(self) -> list[Effect]:
        return [DECLARED_EFFECTS[code] for code in self.codes]

    @property
    def drops_recommends(self) -> bool:
        return any(effect.drops_recommends for effect in self.effects)

    @property
    def adds_packages(self) -> set[str]:
        return {name for effect in self.effects for name in effect.adds_packages}

    @property
    def removes_paths(self) -> tuple[str, ...]:
        return tuple(pattern for effect in self.effects for pattern in effect.removes_paths)

    @property
    def adds_paths(self) -> tuple[str, ...]:
        return tuple(pattern for effect in self.effects for pattern in effect.adds_paths)

    @property
    def adds_account(self) -> bool:
        return any(effect.adds_account for effect in self.effects)

    @property
    def config(self) -> set[str]:
        return {key for effect in self.effects for key in effect.config}


def _explained(candidates: set[str], seeds: set[str], packages: dict) -> set[str]:
    """The candidates reachable from ``seeds`` through Depends (virtual names resolved by Provides)."""
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


def package_problems(before: ImageFacts, after: ImageFacts, allowed: Allowance) -> list[str]:
    """Packages that differ in a way no applied fix declares."""
    problems = []
    removed = set(before.packages) - set(after.packages)
    added = set(after.packages) - set(before.packages)
    for name in sorted(set(before.packages) & set(after.packages)):
        if before.packages[name].version != after.packages[name].version:
            problems.append(f"package {name}: {before.packages[name].version} -> {after.packages[name].version}")
    if removed:
        recommended = {name for package in before.packages.values() for name in package.recommends}
        explained = _explained(removed, recommended, before.packages) if allowed.drops_recommends else set()
        for name in sorted(removed - explained):
            problems.append(f"package {name} is gone, and no applied fix drops it (only recommends may go)")
    if added:
        explained = _explained(added, allowed.adds_packages, after.packages)
        for name in sorted(added - explained):
            problems.append(f"package {name} was added, and no applied fix declares it")
    return problems


def file_problems(before: ImageFacts, after: ImageFacts, allowed: Allowance) -> list[str]:
    """Files that differ in a way no applied fix (or package difference it declares) explains."""
    removed_packages = set(before.packages) - set(after.packages)
    added_packages = set(after.packages) - set(before.packages)
    gone_files = {path for name in removed_packages for path in before.package_files.get(name, ())}
    new_files = {path for name in added_packages for path in after.package_files.get(name, ())}
    packages_differ = bool(removed_packages or added_packages)
    problems = []
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
                problems.append(f"{path}: gone ({old.kind})")
        elif old is None:
            if path not in new_files and not _matches(path, allowed.adds_paths):
                problems.append(f"{path}: new ({new.kind})")
        elif old.content() != new.content():
            declared = allowed.removes_paths + allowed.adds_paths
            if path not in gone_files | new_files and not _matches(path, declared):
                problems.append(f"{path}: {old.content()} -> {new.content()}")
        elif old.ownership() != new.ownership() and not allowed.adds_account:
            problems.append(f"{path}: owner and mode {old.ownership()} -> {new.ownership()}")
    return problems


def config_problems(before: ImageFacts, after: ImageFacts, allowed: Allowance, case: Case) -> list[str]:
    problems = []
    for key in sorted(before.config.keys() | after.config.keys()):
        old, new = before.config.get(key), after.config.get(key)
        if old != new and key not in allowed.config:
            problems.append(f"config {key}: {old!r} -> {new!r}")
    if case.expect_user is not None and after.config.get("User", "") != case.expect_user:
        problems.append(f"config User: expected {case.expect_user!r}, the fixed image has {after.config.get('User')!r}")
    return problems


# -- starting the container ----------------------------------------------------------------------------------

#: ``timeout``'s exit status when it had to stop the command: a service still running.
STILL_RUNNING = 124


def smoke_problems(buildah: Buildah, image: str, config: dict, smoke: Smoke) -> list[str]:
    """Start the image's command as its user; run the case's check next to it; probe the writable folders."""
    user = config.get("User") or "0:0"
    command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
    problems = []
    with buildah.container(image) as container:
        main = subprocess.Popen(
            buildah.exec_argv(container, ["timeout", "-s", "TERM", f"{smoke.seconds:g}", *command], user),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            if smoke.check:
                time.sleep(smoke.check_after)
                check = subprocess.run(
                    buildah.exec_argv(container, list(smoke.check), user),
                    stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                )
                if check.returncode != 0:
                    problems.append(f"check {smoke.check[:2]} as {user} exited {check.returncode}: {check.stdout}{check.stderr}")
            output, _ = main.communicate(timeout=smoke.seconds + 120)
        finally:
            if main.poll() is None:
                main.kill()
                main.wait()
        if main.returncode not in (0, STILL_RUNNING):
            problems.append(f"{command} as {user} exited {main.returncode}: {output[-2000:]}")
        for folder in smoke.writable:
            probe = subprocess.run(
                buildah.exec_argv(container, ["sh", "-c", 'touch "$1/.dfix-probe" && rm "$1/.dfix-probe"', "probe", folder], user),
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
            )
            if probe.returncode != 0:
                problems.append(f"{folder} is not writable as {user}: {probe.stdout}{probe.stderr}")
    return problems


# -- the test ------------------------------------------------------------------------------------------------


def fix_in_place(folder: Path, cache: Path) -> tuple[str, ...]:
    """``dfix --write --unsafe-fixes`` on ``folder/Dockerfile`` through the CLI; the codes it applied."""
    result = run(
        "check", "--isolated", "--offline", "--cache-dir", str(cache), "--unsafe-fixes", "--write",
        "--show-fixes", "--exit-zero", "--color", "never", "--progress", "none", "Dockerfile",
        cwd=folder,
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    return tuple(sorted(set(re.findall(r"\d+ × (DF\d{3})", result.stdout + result.stderr))))


def _report(title: str, problems: list[str], limit: int = 40) -> str:
    shown = problems[:limit]
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{title}:\n  " + "\n  ".join(shown) + more


@pytest.mark.slow
@pytest.mark.parametrize("case", case_params())
def test_fixed_image_builds_keeps_its_contents_and_starts(case: Case, buildah: Buildah, tmp_path, image_sizes):
    original, fixed = tmp_path / "original", tmp_path / "fixed"
    shutil.copytree(case.folder, original)
    shutil.copytree(case.folder, fixed)
    applied = fix_in_place(fixed, tmp_path / "dfix-cache")
    assert applied, f"dfix fixed nothing in {case.name}: the case proves nothing"
    undeclared = [code for code in applied if code not in DECLARED_EFFECTS]
    assert not undeclared, f"no declared effect for {undeclared}: add them to DECLARED_EFFECTS"
    print(f"\n{case.name}: applied {', '.join(applied)}\n{(fixed / 'Dockerfile').read_text()}")

    tags = {version: f"localhost/dfix-case-{case.name}:{version}" for version in ("original", "fixed")}
    try:
        built = buildah.build(original, tags["original"])
        assert built.returncode == 0, f"the original {case.name} does not build: the case is broken\n{built.stderr[-3000:]}"
        baseline = smoke_problems(buildah, tags["original"], buildah.config(tags["original"]), case.smoke)
        assert not baseline, _report(f"the original {case.name} does not start: the case is broken", baseline)

        built = buildah.build(fixed, tags["fixed"])
        assert built.returncode == 0, f"the fixed {case.name} does not build ({', '.join(applied)})\n{built.stderr[-3000:]}"

        before, after = image_facts(buildah, tags["original"]), image_facts(buildah, tags["fixed"])
        image_sizes[case.name] = (before.size, after.size)
        print(f"{case.name}: {before.size / 1e6:.1f} MB -> {after.size / 1e6:.1f} MB")
        allowed = Allowance(applied)
        problems = {
            "packages": package_problems(before, after, allowed),
            "files": file_problems(before, after, allowed),
            "config": config_problems(before, after, allowed, case),
            "start": smoke_problems(buildah, tags["fixed"], after.config, case.smoke),
        }
        found = [_report(what, listed) for what, listed in problems.items() if listed]
        if found:
            print("every undeclared change:", *(line for listed in problems.values() for line in listed), sep="\n  ")
        assert not found, f"{case.name}, fixed with {', '.join(applied)}: undeclared changes\n" + "\n".join(found)
    finally:
        for tag in tags.values():
            buildah.run("rmi", "--force", tag, check=False)
