"""Data safety of ``--write`` (architecture.md): atomic, byte-exact, never over a concurrent edit."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import dfix
import dfix.cli
import dfix.pipeline
from dfix import writer
from dfix.writer import TEMP_SUFFIX, ChangedOnDiskError, write_atomically, write_fixed

from .helpers import BAD, CLEAN, FIXABLE, FIXABLE_FIXED, UNFIXABLE, run, write_tree


def temp_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.endswith(TEMP_SUFFIX)]


# -- the writer itself ------------------------------------------------------------


def test_write_replaces_the_bytes_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"old\r\n")
    target.chmod(0o640)
    write_atomically(str(target), b"new\r\n\xff", expected=b"old\r\n")
    assert target.read_bytes() == b"new\r\n\xff"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert temp_files(tmp_path) == []


def test_write_refuses_when_the_file_changed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"edited by someone else\n")
    with pytest.raises(ChangedOnDiskError):
        write_atomically(str(target), b"new\n", expected=b"what dfix read\n")
    assert target.read_bytes() == b"edited by someone else\n"
    assert temp_files(tmp_path) == []


def test_write_refuses_when_the_file_changes_while_the_temporary_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"old\n")
    real_fsync = os.fsync

    def fsync_and_edit(descriptor: int) -> None:
        real_fsync(descriptor)
        target.write_bytes(b"an editor saved meanwhile\n")

    monkeypatch.setattr(writer.os, "fsync", fsync_and_edit)
    with pytest.raises(ChangedOnDiskError):
        write_atomically(str(target), b"new\n", expected=b"old\n")
    assert target.read_bytes() == b"an editor saved meanwhile\n"
    assert temp_files(tmp_path) == []


def test_a_failed_rename_leaves_the_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"old\n")

    def refuse(source: str, destination: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writer.os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_atomically(str(target), b"new\n", expected=b"old\n")
    assert target.read_bytes() == b"old\n"
    assert temp_files(tmp_path) == []


def test_unchanged_text_is_never_opened_for_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text(CLEAN)
    monkeypatch.setattr(writer, "write_atomically", lambda *a, **k: pytest.fail("wrote an unchanged file"))
    assert write_fixed(str(target), CLEAN, CLEAN) is False


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.Dockerfile"
    real.write_text(FIXABLE)
    link = tmp_path / "Dockerfile"
    link.symlink_to(real)
    assert write_fixed(str(link), FIXABLE, FIXABLE_FIXED)
    assert link.is_symlink()
    assert real.read_text() == FIXABLE_FIXED


# -- through the command ------------------------------------------------------------


def test_write_keeps_line_endings_bom_and_undecodable_bytes(tmp_path: Path) -> None:
    original = b"\xef\xbb\xbfFROM debian\r\n# caf\xe9 \xff\r\nRUN apt-get install --no-install-recommends curl\r\n"
    target = tmp_path / "Dockerfile"
    target.write_bytes(original)
    result = run("--write", str(target), "-j", "1")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == original.replace(b"install --no", b"install -y --no")


def test_unchanged_files_keep_their_mtime_and_changed_ones_their_mode(tmp_path: Path) -> None:
    write_tree(tmp_path, {"clean/Dockerfile": CLEAN, "unfixable/Dockerfile": UNFIXABLE, "fixable/Dockerfile": FIXABLE})
    past = 1_600_000_000_000_000_000
    for path in tmp_path.rglob("Dockerfile"):
        os.utime(path, ns=(past, past))
    (tmp_path / "fixable" / "Dockerfile").chmod(0o600)
    result = run("--write", str(tmp_path))
    assert result.exit_code == 1  # DF204 has no fix and remains
    assert (tmp_path / "clean" / "Dockerfile").stat().st_mtime_ns == past
    assert (tmp_path / "unfixable" / "Dockerfile").stat().st_mtime_ns == past
    fixed = tmp_path / "fixable" / "Dockerfile"
    assert fixed.read_text() == FIXABLE_FIXED
    assert stat.S_IMODE(fixed.stat().st_mode) == 0o600
    assert temp_files(tmp_path) == []


def test_a_file_changed_during_the_run_is_skipped_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"a/Dockerfile": FIXABLE, "b/Dockerfile": FIXABLE})
    edited = tmp_path / "a" / "Dockerfile"
    real_process_all = dfix.pipeline.process_all

    def process_then_edit(tasks, jobs, **options):
        for item in real_process_all(tasks, jobs, **options):
            if item.result.path == str(edited):
                edited.write_text(FIXABLE + "# saved by an editor meanwhile\n")
            yield item

    monkeypatch.setattr(dfix.pipeline, "process_all", process_then_edit)
    result = run("--write", str(tmp_path), "-j", "1")
    assert result.exit_code == 1
    assert edited.read_text() == FIXABLE + "# saved by an editor meanwhile\n"
    assert (tmp_path / "b" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert f"{edited}: warning: changed on disk while dfix ran; not written" in result.stderr
    assert "1 file changed during the run and left alone" in result.stderr


def test_a_file_that_cannot_be_written_is_reported_and_the_others_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a/Dockerfile": FIXABLE, "b/Dockerfile": FIXABLE})
    real_replace = os.replace

    def replace(source: str, destination: str) -> None:
        if destination.endswith(os.path.join("a", "Dockerfile")):
            raise PermissionError(13, "Permission denied")
        real_replace(source, destination)

    monkeypatch.setattr(writer.os, "replace", replace)
    result = run("--write", str(tmp_path), "-j", "1", "--output-format", "concise")
    assert result.exit_code == 2
    assert (tmp_path / "a" / "Dockerfile").read_text() == FIXABLE
    assert (tmp_path / "b" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert f"{tmp_path / 'a' / 'Dockerfile'}:1:1: DF000 cannot write: Permission denied" in result.stdout
    assert temp_files(tmp_path) == []


def test_a_file_that_does_not_parse_is_never_written(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bad/Dockerfile": BAD, "good/Dockerfile": FIXABLE})
    before = (tmp_path / "bad" / "Dockerfile").stat().st_mtime_ns
    result = run("--write", str(tmp_path), "--output-format", "concise")
    assert result.exit_code == 1
    assert (tmp_path / "bad" / "Dockerfile").stat().st_mtime_ns == before
    assert (tmp_path / "good" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert f"{tmp_path / 'bad' / 'Dockerfile'}:2:5: DF000 unterminated heredoc <<EOF" in result.stdout


def test_a_second_write_changes_nothing(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "corpus" / "demo"
    for source in demo.glob("*.Dockerfile"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    run("--write", "--unsafe-fixes", str(tmp_path))
    after_first = {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()}
    result = run("--write", "--unsafe-fixes", str(tmp_path))
    assert {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()} == after_first
    assert "0 changed" in result.stderr


def test_a_read_only_file_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # os.replace would swap a read-only file in a writable folder; dfix refuses instead.
    # (Simulated: as root, os.access says every file is writable.)
    target = tmp_path / "Dockerfile"
    target.write_text(FIXABLE)
    real_access = os.access
    monkeypatch.setattr(
        writer.os, "access", lambda path, mode: False if mode == os.W_OK and str(path) == str(target) else real_access(path, mode)
    )
    result = run("--write", str(target), "--output-format", "concise")
    assert result.exit_code == 2
    assert "DF000 cannot write: Permission denied (the file is read-only)" in result.stdout
    assert target.read_text() == FIXABLE
