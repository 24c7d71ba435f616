"""``dfix verify`` end to end: each case in ``corpus/buildable/`` is verified with buildah, then checked in use.

Every case goes through the command a user runs, ``dfix verify --unsafe-fixes
--run --write``, with buildah in the session's own storage (conftest.py):

- the verdict is the one the case expects (``proven`` unless its case.toml
  says otherwise; a disproved case also names the fix to blame), and a
  proven case has no undeclared difference and a container that still runs;
- ``--write`` wrote only fixes that verify;
- the written file is built (from the layer cache ``--keep-images`` keeps) and used as the case says:
  its check command runs next to the service, as the image's user, and the
  folders it must write are writable.

The properties are asserted, not the fix texts, so the rules may change how
they fix as long as the image still works.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from dfix.engine import rule_by_code
from dfix.verify.builders import Buildah, image_command
from tests.cli.helpers import run

CASES_ROOT = Path(__file__).resolve().parents[2] / "corpus" / "buildable"


# -- the cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Smoke:
    """How the fixed container is used (case.toml's ``[smoke]``)."""

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
    #: What ``dfix verify`` must conclude, and the fix it must blame when it disproves.
    verdict: str = "proven"
    blamed: str | None = None
    #: Time a rebuild after a source edit (a case whose fixes reorder COPY).
    rebuild_time: bool = False


def load_case(folder: Path) -> Case:
    data = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    smoke, expect = data.get("smoke", {}), data.get("expect", {})
    unknown = (set(smoke) - {"seconds", "check", "check-after", "writable"}) | (set(expect) - {"user", "verdict", "blamed"})
    assert not unknown, f"{folder}/case.toml: unknown keys {sorted(unknown)}"
    return Case(
        name=folder.name, folder=folder, why=data["why"],
        smoke=Smoke(
            seconds=float(smoke.get("seconds", 5)), check=tuple(smoke.get("check", ())),
            check_after=float(smoke.get("check-after", 2)), writable=tuple(smoke.get("writable", ())),
        ),
        expect_user=expect.get("user"), verdict=expect.get("verdict", "proven"), blamed=expect.get("blamed"),
        rebuild_time=bool(data.get("rebuild-time", False)),
    )


def case_params() -> list:
    folders = sorted(path.parent for path in CASES_ROOT.glob("*/case.toml"))
    return [pytest.param(load_case(folder), id=folder.name) for folder in folders]


def test_the_cases_cover_what_the_build_evidence_needs():
    cases = {case.values[0].name: case.values[0] for case in case_params()}
    assert {"apt-curl-https", "pip-app", "npm-app", "service-data-folder", "base-image-python"} <= set(cases)
    assert any(case.verdict == "disproved" and case.blamed for case in cases.values()), "no case proves verify can disprove"
    assert any(case.rebuild_time for case in cases.values()), "no case times a rebuild after a source edit"
    for case in cases.values():
        assert case.verdict in {"proven", "disproved"}
        assert case.blamed is None or rule_by_code(case.blamed) is not None


# -- using the written image ------------------------------------------------------------------------------


def use_problems(buildah: Buildah, image: str, config: dict, smoke: Smoke) -> list[str]:
    """Start the image's command as its user; run the case's check next to it; probe the writable folders."""
    user = config.get("User") or "0:0"
    command = list(image_command(config))
    problems = []
    with buildah.container(image) as container:
        main = subprocess.Popen(
            buildah.command("run", "--isolation", "chroot", "--user", user, container, "--",
                            "timeout", "-s", "TERM", f"{smoke.seconds:g}", *command),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            if smoke.check:
                time.sleep(smoke.check_after)
                check = buildah.run("run", "--isolation", "chroot", "--user", user, container, "--", *smoke.check, check=False)
                if check.returncode != 0:
                    problems.append(f"check {smoke.check[:2]} as {user} exited {check.returncode}: {check.stdout}{check.stderr}")
            output, _ = main.communicate(timeout=smoke.seconds + 120)
        finally:
            if main.poll() is None:
                main.kill()
                main.wait()
        if main.returncode not in (0, 124):  # 124: timeout stopped a service that still ran
            problems.append(f"{command} as {user} exited {main.returncode}: {output[-2000:]}")
        for folder in smoke.writable:
            probe = buildah.run(
                "run", "--isolation", "chroot", "--user", user, container, "--",
                "sh", "-c", 'touch "$1/.dfix-probe" && rm "$1/.dfix-probe"', "probe", folder, check=False,
            )
            if probe.returncode != 0:
                problems.append(f"{folder} is not writable as {user}: {probe.stdout}{probe.stderr}")
    return problems


# -- the test ------------------------------------------------------------------------------------------------


def verify(folder: Path, buildah: Buildah, cache: Path, rebuild_time: bool):
    """``dfix verify --unsafe-fixes --run --write`` on ``folder/Dockerfile``, as a user runs it.

    ``--keep-images`` keeps the images and their layer cache (buildah removes the intermediate
    layers with the image), so the written file builds again from the cache, not from scratch.
    """
    return run(
        "verify", "--isolated", "--offline", "--cache-dir", str(cache), "--unsafe-fixes", "--run", "--write", "--keep-images",
        "--builder", "buildah", "--builder-storage", str(buildah.storage), "--output-format", "json", "--quiet",
        "--rebuild-time" if rebuild_time else "--no-rebuild-time", "Dockerfile",
        cwd=folder,
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", case_params())
def test_dfix_verify_proves_or_disproves_and_the_written_image_works(case: Case, buildah: Buildah, tmp_path, verify_rows):
    folder = tmp_path / case.name
    shutil.copytree(case.folder, folder)
    original = (folder / "Dockerfile").read_text()
    result = verify(folder, buildah, tmp_path / "dfix-cache", case.rebuild_time)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    (row,) = json.loads(result.stdout)["files"]
    verify_rows[case.name] = row
    written = (folder / "Dockerfile").read_text()
    print(f"\n{case.name}: {row['status']} ({', '.join(row['fixes'])})\n{result.stderr}\n{written}")
    evidence = json.dumps(row, indent=2)
    print(f"verify row {case.name}: {json.dumps(row)}")

    assert row["fixes"], f"dfix fixed nothing in {case.name}: the case proves nothing"
    assert all(re.fullmatch(r"DF\d{3}", code) for code in row["fixes"]), row["fixes"]
    assert row["builds"]["original"], f"the original {case.name} does not build: the case is broken\n{evidence}"
    assert row["run"]["original"] in ("still running", "exited 0"), f"the original {case.name} does not start\n{evidence}"
    assert row["status"] == case.verdict, evidence
    assert result.exit_code == (0 if case.verdict == "proven" else 1)
    if case.verdict == "proven":
        assert row["undeclared_differences"] == [] and row["builds"]["fixed"], evidence
        assert row["run"]["fixed"] in ("still running", "exited 0"), evidence
        assert row["verified_fixes"] == row["fixes"]
    else:
        assert row["blamed_fix"] == case.blamed, evidence
        assert case.blamed not in row["verified_fixes"] and row["verified_fixes"], evidence
    if case.rebuild_time:
        rebuild = row["rebuild_seconds"]
        assert rebuild is not None, evidence
        assert rebuild["fixed"] < rebuild["original"], f"the reordered COPY did not make the rebuild faster\n{evidence}"
    assert written != original, "--write wrote nothing, although some fixes verified"
    if case.expect_user is not None:
        assert row["user"]["fixed"] == case.expect_user, evidence

    # The written file, built again (from the cache), used as the case says.
    tag = f"localhost/dfix-case-{case.name}:written"
    try:
        built = buildah.build(folder, folder / "Dockerfile", tag)
        assert built.ok, built.tail
        config = buildah.inspect(tag).get("config", {})
        problems = use_problems(buildah, tag, config, case.smoke)
        assert not problems, f"{case.name}, written with {', '.join(row['verified_fixes'])}:\n" + "\n".join(problems)
    finally:
        buildah.remove(tag)

