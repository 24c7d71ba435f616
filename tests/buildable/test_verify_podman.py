"""``dfix verify --builder podman``: podman reaches the verdicts buildah does, on a proven and a disproved case.

podman shares the buildah fixture's storage (one containers/storage, the
base image already in it) through its own configuration files, set for the
run by ``CONTAINERS_CONF`` and ``CONTAINERS_STORAGE_CONF``. The engine
settings are the ones a plain root machine without systemd needs: runc
with cgroupfs, the host's network for builds that fetch packages, and no
default open-files limit above what the machine allows. dfix passes podman
none of them: what it runs is the user's ``podman build``, ``image
inspect``, ``create``/``export`` and ``run``. Without podman or runc the
tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dfix.verify.builders import Buildah
from tests.cli.helpers import run

from .support import BASE_IMAGE_TAGS, tool_path
from .test_buildable import CASES_ROOT, load_case

#: What the tests run podman with, and where it comes from.
PODMAN_TOOLS = {"podman": "apt-get install podman", "runc": "apt-get install runc"}

CONTAINERS_CONF = """\
[containers]
default_ulimits = []
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


@pytest.fixture(scope="module")
def podman_env(buildah: Buildah, tmp_path_factory) -> dict[str, str]:
    """The environment that points podman at the buildah fixture's storage."""
    missing = [f"{tool} ({install})" for tool, install in PODMAN_TOOLS.items() if tool_path(tool) is None]
    if missing:
        message = f"missing {', '.join(missing)}; .ci/run installs them"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("podman")
    (folder / "containers.conf").write_text(CONTAINERS_CONF)
    (folder / "storage.conf").write_text(
        "[storage]\n"
        f'driver = "{buildah.storage_driver}"\n'
        f'graphroot = "{buildah.storage / "storage"}"\n'
        f'runroot = "{buildah.storage / "run"}"\n'
    )
    env = {"CONTAINERS_CONF": str(folder / "containers.conf"), "CONTAINERS_STORAGE_CONF": str(folder / "storage.conf")}
    podman = [tool_path("podman") or "podman"]
    seen = subprocess.run([*podman, "image", "exists", BASE_IMAGE_TAGS[0]], env={**os.environ, **env}, capture_output=True)
    assert seen.returncode == 0, f"podman does not see the base image in the shared storage: {seen.stderr!r}"
    yield env
    subprocess.run([*podman, "rm", "--all", "--force"], env={**os.environ, **env}, capture_output=True, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["apt-curl-https", "zip-recommends-unzip"])
def test_podman_reaches_the_verdict_buildah_does(name: str, podman_env: dict[str, str], tmp_path: Path) -> None:
    case = load_case(CASES_ROOT / name)
    folder = tmp_path / name
    shutil.copytree(case.folder, folder)
    result = run(
        "verify", "--isolated", "--offline", "--cache-dir", str(tmp_path / "dfix-cache"), "--unsafe-fixes", "--run",
        "--builder", "podman", "--output-format", "json", "--quiet", "--no-rebuild-time", "Dockerfile",
        cwd=folder, env=podman_env,
    )
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    (row,) = json.loads(result.stdout)["files"]
    evidence = json.dumps(row, indent=2)
    assert row["builds"]["original"] and row["run"]["original"] == "exited 0", evidence
    assert row["status"] == case.verdict, evidence
    assert result.exit_code == (0 if case.verdict == "proven" else 1)
    if case.verdict == "proven":
        assert row["undeclared_differences"] == [] and row["run"]["fixed"] == "exited 0", evidence
        assert row["size_bytes"]["fixed"] < row["size_bytes"]["original"], evidence
    else:
        assert row["blamed_fix"] == case.blamed, evidence
        assert case.blamed not in row["verified_fixes"] and row["verified_fixes"], evidence
