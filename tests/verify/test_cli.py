"""``dfix verify`` without a builder: the user's mistakes and a missing builder are one line and exit 2."""

from __future__ import annotations

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
