"""Fixtures: buildah with a storage of its own holding a Debian 12 base image made with debootstrap.

The base image is made once a day (debootstrap, about a minute), with the
machine's own trusted CAs when it has some (support.commit_rootfs), and kept as
an OCI archive in a folder the tests own (``DFIX_BUILD_TEST_CACHE``, else
pytest's cache, else ``dfix-build-tests`` in the user's cache folder), so a
run with pytest's cache off reuses it too; each session loads it into a
fresh storage. The storage uses overlay where the kernel can mount it there
(a fraction of vfs's time: vfs copies the whole root for every layer and
container), else vfs; ``DFIX_BUILD_TEST_DRIVER=vfs`` forces one. Without
buildah, debootstrap or root the tests skip with a reason, except under
``CI=true``, where they fail: a missing install step must not give a green
run that built nothing.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest

from dfix.verify.builders import Buildah

from .support import BASE_IMAGE_RECIPE, commit_rootfs, debootstrap, local_ca_fingerprint, storage_with_base_image, tool_path

#: The tools the build tests run, and where they come from.
REQUIRED_TOOLS = {"buildah": "apt-get install buildah", "debootstrap": "apt-get install debootstrap"}

_ROWS_KEY = pytest.StashKey[dict]()


def _require_tools() -> None:
    missing = [f"{tool} ({install})" for tool, install in REQUIRED_TOOLS.items() if tool_path(tool) is None]
    problems = [f"missing {', '.join(missing)}; .ci/run installs them"] if missing else []
    if os.geteuid() != 0:
        problems.append("building images with buildah's chroot isolation needs root")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _cache_folder(request) -> Path:
    """Where the base image is kept between runs: ``DFIX_BUILD_TEST_CACHE``, pytest's cache, or the user's cache folder."""
    if chosen := os.environ.get("DFIX_BUILD_TEST_CACHE"):
        folder = Path(chosen)
    elif (cache := getattr(request.config, "cache", None)) is not None:
        return Path(cache.mkdir("dfix-build-base"))
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dfix-build-tests"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _base_archive(folder: Path, tmp_path_factory) -> Path:
    """Today's base image as an OCI archive in ``folder``, made with debootstrap when missing."""
    key = f"r{BASE_IMAGE_RECIPE}-{local_ca_fingerprint()}-{datetime.date.today().isoformat()}"
    archive = folder / f"debian-12-{key}.oci.tar"
    if archive.is_file():
        return archive
    for stale in folder.glob("debian-12-*.oci.tar*"):
        stale.unlink()
    work = tmp_path_factory.mktemp("debian-base")
    rootfs = work / "rootfs"
    debootstrap(rootfs)
    maker = Buildah(work)
    commit_rootfs(maker, rootfs, "localhost/debian:12")
    partial = archive.with_suffix(".tar.partial")
    maker.run("push", "-q", "localhost/debian:12", f"oci-archive:{partial}")
    partial.rename(archive)
    maker.run("rmi", "--all", "--force", check=False)
    shutil.rmtree(work, ignore_errors=True)
    return archive


@pytest.fixture(scope="session")
def buildah(request, tmp_path_factory) -> Buildah:
    """buildah with a fresh storage holding ``debian:12`` (and ``localhost/debian:12``), removed at the end."""
    _require_tools()
    archive = _base_archive(_cache_folder(request), tmp_path_factory)
    folder = tmp_path_factory.mktemp("buildah")
    store = storage_with_base_image(folder, archive, os.environ.get("DFIX_BUILD_TEST_DRIVER"))
    yield store
    store.run("rm", "--all", check=False)
    store.run("rmi", "--all", "--force", check=False)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def verify_rows(request) -> dict[str, dict]:
    """Case -> its row of ``dfix verify --output-format json``, printed as a table after the run."""
    return request.config.stash.setdefault(_ROWS_KEY, {})


def _pair(values: dict | None, unit: str = "", scale: float = 1.0) -> str:
    if not values or values.get("original") is None:
        return "-"
    show = lambda value: "-" if value is None else f"{value / scale:.1f}{unit}" if scale != 1.0 else f"{value}{unit}"  # noqa: E731
    return f"{show(values['original'])} -> {show(values.get('fixed'))}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest hook
    rows = config.stash.get(_ROWS_KEY, None)
    if not rows:
        return
    terminalreporter.section("dfix verify on corpus/buildable (--unsafe-fixes --run)")
    terminalreporter.write_line(
        f"{'case':22} {'result':10} {'builds':11} {'size':21} {'layers':7} {'undeclared':10} {'runs':27} {'rebuild after edit':18} {'verify s (plain build s)':24} fixes"
    )
    for case, row in sorted(rows.items()):
        builds = row["builds"]
        run = row.get("run") or {}
        rebuild = row.get("rebuild_seconds")
        terminalreporter.write_line(
            f"{case:22} {row['status']:10} "
            f"{('yes' if builds['original'] else 'no') + ' -> ' + ('-' if builds['fixed'] is None else 'yes' if builds['fixed'] else 'no'):11} "
            f"{_pair(row['size_bytes'], ' MB', 1e6):21} {_pair(row['layers']):7} {len(row['undeclared_differences']):<10} "
            f"{(str(run.get('original') or '-') + ' -> ' + str(run.get('fixed') or '-')) if run else '-':27} "
            f"{(str(rebuild['original']) + ' s -> ' + str(rebuild['fixed']) + ' s') if rebuild else '-':18} "
            f"{str(row.get('verify_seconds', '-')) + ' (' + str(row['build_seconds']['original']) + ')':24} "
            f"{', '.join(row['fixes'])}{'  (blamed ' + row['blamed_fix'] + ')' if row.get('blamed_fix') else ''}"
        )
