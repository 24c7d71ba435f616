"""``dfix verify`` without a builder: the user's mistakes and a missing builder are one line and exit 2; how buildah is driven."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dfix.verify import builders
from tests.cli.helpers import run


@pytest.fixture
def no_tools(monkeypatch):
    """A machine with no builder at all."""
    monkeypatch.setattr(builders, "_tool_path", lambda name: None)


def test_no_builder_cannot_verify(tmp_path: Path, no_tools):
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nRUN apt-get install -y curl\n")
    result = run("verify", "--isolated", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert result.exit_code == 2
    assert "cannot verify: no builder available: buildah is not installed" in result.stderr
    assert "podman is not installed" in result.stderr and "docker is not installed" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_path_is_one_line(tmp_path: Path):
    result = run("verify", "nothing-here", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "dfix: nothing-here: no such file or folder"


def test_a_bad_selection_is_one_line(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    result = run("verify", "--isolated", "--select", "NOPE999", "Dockerfile", cwd=tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr and result.stderr.startswith("dfix: ")


def test_the_builder_is_chosen_in_order_and_a_named_one_is_required(monkeypatch):
    monkeypatch.setattr(builders, "_tool_path", lambda name: f"/usr/bin/{name}" if name == "buildah" else None)
    monkeypatch.setattr(builders.os, "geteuid", lambda: 0)
    assert builders.find_builder("auto").name == "buildah"
    with pytest.raises(builders.BuilderUnavailable, match="podman is not installed"):
        builders.find_builder("podman")


def test_write_verify_goes_through_verify_and_writes_nothing_unproven(tmp_path: Path, no_tools):
    text = "FROM debian:12\nRUN apt-get install -y curl\n"
    (tmp_path / "Dockerfile").write_text(text)
    result = run("--write", "--verify", "--isolated", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert result.exit_code == 2 and "cannot verify: no builder available" in result.stderr
    assert (tmp_path / "Dockerfile").read_text() == text


def test_verify_without_write_is_a_usage_error(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    result = run("--verify", "Dockerfile", cwd=tmp_path)
    assert result.exit_code == 2 and "--verify needs --write" in result.stderr


def test_a_buildah_storage_keeps_the_driver_it_was_made_with(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(builders, "DEFAULT_BUILDAH_STORAGE", tmp_path / "machine")
    assert builders.Buildah().storage_driver == "vfs"  # no storage yet: vfs works anywhere
    (tmp_path / "machine" / "overlay-images").mkdir(parents=True)
    assert builders.Buildah().storage_driver == "overlay"  # the machine's storage, made by podman or buildah
    assert builders.Buildah(tmp_path).storage_driver == "vfs"  # a new folder
    (tmp_path / "storage" / "overlay-images").mkdir(parents=True)
    made_with_overlay = builders.Buildah(tmp_path)
    assert made_with_overlay.storage_driver == "overlay"
    assert made_with_overlay.command("images")[-3:] == ["--storage-driver", "overlay", "images"]
    assert builders.Buildah(tmp_path, driver="vfs").storage_driver == "vfs"


def test_buildah_reads_the_facts_and_runs_the_smoke_test_in_one_container(tmp_path: Path, monkeypatch):
    # With vfs every container is a full copy of the image: one per image, not one for the facts and one for the run.
    calls: list[list[str]] = []

    def fake_run(argv, timeout=0, check=True):
        verb = argv[argv.index("--storage-driver") + 2]
        calls.append(argv[argv.index("--storage-driver") + 2:])
        stdout = {"inspect": '{"OCIv1": {"config": {"Cmd": ["true"]}, "rootfs": {"diff_ids": ["a"]}}}', "mount": str(tmp_path)}
        return subprocess.CompletedProcess(argv, 0, stdout.get(verb, ""), "")

    monkeypatch.setattr(builders, "_run", fake_run)
    monkeypatch.setattr(builders, "_smoke", lambda argv, command, user, seconds: builders.RunOutcome(command, user, False, 0, ""))
    (tmp_path / "hello").write_text("hi")
    buildah = builders.Buildah(tmp_path / "store")
    facts = buildah.facts("localhost/app:original")
    assert "/hello" in facts.files and facts.layers == 1
    assert buildah.smoke("localhost/app:original", ("true",), "0:0", 1.0).ok
    verbs = [call[0] for call in calls]
    assert verbs == ["inspect", "from", "mount", "umount", "rm"]
    buildah.facts("localhost/app:fixed")  # no smoke run: the container goes with the image
    buildah.remove("localhost/app:fixed")
    assert [call[0] for call in calls[len(verbs):]] == ["inspect", "from", "mount", "umount", "rm", "rmi"]
