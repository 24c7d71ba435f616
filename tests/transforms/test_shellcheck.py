"""DF629: what ShellCheck reads of each RUN, where its findings land, and a run without ShellCheck."""

from __future__ import annotations

from pathlib import Path

import pytest

import dfix
from dfix.process import run_wide_options
from dfix.shell import DiskResults, find_shellcheck, run_shellcheck
from dfix.shell import shellcheck as shellcheck_module
from dfix.transforms import shellcheck as rule_module

from tests.cli.helpers import run

needs_shellcheck = pytest.mark.skipif(find_shellcheck() is None, reason="ShellCheck is not installed")


def findings(text: str, select: tuple[str, ...] = ("DF629",)) -> list[tuple[str, int, int]]:
    return [(d.subcode, d.line, d.column) for d in dfix.check(text, select=list(select)) if d.code == "DF629"]


@needs_shellcheck
def test_the_dialect_is_the_shell_that_runs_the_script():
    bashism = "RUN [[ -f /x ]] && echo ok\n"
    assert findings("FROM debian:12\n" + bashism) == [("SC3010", 2, 5)]
    assert findings('FROM debian:12\nSHELL ["/bin/bash", "-c"]\n' + bashism) == []
    assert findings('FROM debian:12 AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\n' + bashism) == [], \
        "a SHELL lasts into stages built FROM the stage"
    assert findings("FROM debian:12\nRUN bash <<EOF\n[[ -f /x ]] && echo ok\nEOF\n") == []
    assert findings("FROM debian:12\nRUN <<EOF\n#!/bin/bash\n[[ -f /x ]] && echo ok\nEOF\n") == []
    assert findings('FROM alpine:3.19\nSHELL ["/bin/ash", "-c"]\nRUN echo "${x:?}" && local y=1\n') != [], \
        "ash is read as BusyBox sh"
    assert findings('FROM debian:12\nSHELL ["zsh", "-c"]\nRUN echo $x\n') == [], "ShellCheck does not read zsh"


@needs_shellcheck
def test_declared_variables_are_not_unset():
    assert findings('FROM debian:12\nARG "version=1"\nRUN echo "$version"\n') == []
    assert findings('FROM debian:12 AS base\nENV app_dir=/app\nFROM base\nRUN echo "$app_dir"\n') == [], \
        "ENV is inherited by stages built FROM the stage"
    assert findings('FROM debian:12 AS base\nARG version\nFROM base\nRUN echo "$version"\n') == [
        ("SC2154", 4, 11)], "ARG is not"
    assert findings('FROM debian:12\nRUN echo "$version"\nARG version\n') == [("SC2154", 2, 11)], \
        "only declarations before the RUN count"
    assert findings('FROM debian:12\nRUN --mount=type=secret,id=t,env=token curl -H "$token" x\n') == []
    assert findings('FROM debian:12\nRUN echo "$http_proxy"\n') == [], "BuildKit passes proxy settings through"


@needs_shellcheck
def test_positions_land_on_the_physical_line_and_column():
    text = "FROM debian:12\nRUN set -e; \\\n# a comment BuildKit drops\n\techo \\\n\t  $1\n"
    assert findings(text) == [("SC2086", 5, 4)]
    text = "FROM debian:12\nRUN echo 'é' $1\n"
    assert findings(text) == [("SC2086", 2, 14)], "columns count characters"
    text = "FROM debian:12\nONBUILD RUN echo \\\n  $1\n"
    assert findings(text) == [("SC2086", 3, 3)]


@needs_shellcheck
def test_continuation_indent_is_not_repeated_spaces():
    # BuildKit keeps the next line's indent, so `echo a \` + `    b` reads `echo a     b`
    assert findings("FROM debian:12\nRUN echo a \\\n    b\n") == []
    assert findings("FROM debian:12\nRUN echo a    b\n") == [("SC2291", 2, 5)]


@needs_shellcheck
def test_not_checked():
    assert findings('FROM debian:12\nRUN ["sh", "-c", "echo $1"]\n') == []
    assert findings("FROM debian:12\nRUN cat <<EOF > /etc/motd\n$1\nEOF\n") == [], "a heredoc that is data"
    assert findings("FROM debian:12\nRUN <<EOF\n#!/usr/bin/env python3\nprint($1)\nEOF\n") == []


@needs_shellcheck
def test_scripts_of_one_call_go_to_one_process(monkeypatch):
    import subprocess

    calls = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    text = "FROM debian:12\n" + "".join(f"RUN echo $v{n}\n" for n in range(6))
    assert len(findings(text)) == 12
    assert len(calls) == 1


@needs_shellcheck
def test_each_script_is_checked_alone():
    # a variable set by one script is not set in the next (two files for ShellCheck, not one)
    (first, second) = run_shellcheck([("sh", "x=1\n"), ("sh", 'echo "$x"\n')])
    assert [c.code for c in second] == ["SC2154"]
    assert [c.code for c in first] == ["SC2034"]


def test_without_shellcheck_the_run_says_so_once_and_does_not_fail(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(rule_module, "find_shellcheck", lambda: None)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text("FROM debian:12\nRUN echo $1\n")
    result = run("check", "--isolated", "--select", "DF629", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.count("ShellCheck is not installed") == 1
    assert "dfix[shellcheck]" in result.stderr
    assert result.stdout == ""
    assert dfix.check("FROM debian:12\nRUN echo $1\n", select=["DF629"]) == []


def test_the_note_is_not_given_when_df629_does_not_run(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(rule_module, "find_shellcheck", lambda: None)
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nRUN echo $1\n")
    result = run("check", "--isolated", "--select", "DF100", str(tmp_path))
    assert "ShellCheck" not in result.stderr


@needs_shellcheck
def test_the_files_of_a_run_share_shellcheck_processes(tmp_path: Path, monkeypatch):
    import subprocess
    import uuid

    calls = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    tag = uuid.uuid4().hex[:8]  # scripts no earlier test has checked (the process keeps results)
    for number in range(5):
        (tmp_path / f"d{number}").mkdir()
        (tmp_path / f"d{number}" / "Dockerfile").write_text(f"FROM debian:12\nRUN echo $v_{tag}_{number}\n")
    result = run("check", "--isolated", "--select", "SC2086", "-j", "1", "--exit-zero", str(tmp_path))
    assert result.stdout.count("SC2086") == 5
    assert len([call for call in calls if "--format=json1" in call]) == 1


def test_dfix_rule_explains_a_shellcheck_code_by_df629():
    result = run("rule", "SC2086")
    assert result.exit_code == 0
    assert result.stdout.startswith("DF629 shellcheck")


# -- findings kept between runs -------------------------------------------------------------------


def _counting_processes(monkeypatch) -> list[list[str]]:
    import subprocess

    calls: list[list[str]] = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    return calls


@needs_shellcheck
def test_findings_kept_on_disk_are_those_shellcheck_gives_and_spare_the_next_run_its_process(tmp_path: Path, monkeypatch):
    import uuid

    disk = DiskResults(tmp_path / "cache")
    scripts = [("sh", f"echo $v_{uuid.uuid4().hex}\ncd /x\n"), ("bash", "ls `pwd`\n"), ("sh", "true\n")]
    calls = _counting_processes(monkeypatch)
    first = run_shellcheck(scripts, disk=disk)
    assert len(calls) == 2  # one process per dialect
    assert [[c.code for c in found] for found in first] == [["SC2154", "SC2086", "SC2164"], ["SC2046", "SC2006"], []]
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())  # a new process
    again = run_shellcheck(scripts, disk=disk)
    assert again == first and len(calls) == 2  # nothing asked of ShellCheck
    # other codes asked for, another dialect or another binary: another entry, ShellCheck asked again
    run_shellcheck(scripts[:1], disk=disk, exclude=["SC2086"])
    run_shellcheck([("bash", scripts[0][1])], disk=disk)
    assert len(calls) == 4


@needs_shellcheck
def test_a_reinstalled_shellcheck_is_asked_again(tmp_path: Path, monkeypatch):
    import os
    import shutil

    copy = tmp_path / "shellcheck"
    shutil.copy2(os.path.realpath(find_shellcheck()), copy)
    disk = DiskResults(tmp_path / "cache")
    calls = _counting_processes(monkeypatch)
    run_shellcheck([("sh", "echo $a_reinstall\n")], disk=disk, executable=str(copy))
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    shellcheck_module._binary_identity.cache_clear()
    os.utime(copy, ns=(1, 1))  # another build in the same place
    run_shellcheck([("sh", "echo $a_reinstall\n")], disk=disk, executable=str(copy))
    assert len(calls) == 2


@needs_shellcheck
def test_a_damaged_entry_counts_as_missing_and_an_unwritable_folder_only_keeps_nothing(tmp_path: Path, monkeypatch):
    disk = DiskResults(tmp_path / "cache")
    script = [("sh", "echo $damaged_entry\n")]
    expected = run_shellcheck(script, disk=disk)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    entry.write_bytes(b'[{"code": "SC20')  # cut short
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    assert run_shellcheck(script, disk=disk) == expected
    # another script's findings under this script's name (two keys with the same checksums): a miss
    stored = entry.read_text()
    assert "echo $damaged_entry" in stored
    entry.write_text(stored.replace("echo $damaged_entry", "echo $other_script").replace("SC2154", "SC9999"))
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    assert run_shellcheck(script, disk=disk) == expected
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    assert run_shellcheck(script, disk=DiskResults(blocked / "cache")) == expected


@needs_shellcheck
def test_the_command_keeps_findings_in_the_cache_folder_between_runs(tmp_path: Path, monkeypatch):
    import uuid

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(f"FROM debian:12\nRUN echo $v_{uuid.uuid4().hex}\n")
    cache = tmp_path / "cache"
    calls = _counting_processes(monkeypatch)
    first = run("check", "--isolated", "--select", "DF629", "--cache-dir", str(cache), "--exit-zero", str(tmp_path / "app"))
    assert "SC2086" in first.stdout and len(calls) == 1
    assert list((cache / "shellcheck").rglob("*.json"))
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    again = run("check", "--isolated", "--select", "DF629", "--cache-dir", str(cache), "--exit-zero", str(tmp_path / "app"))
    assert again.stdout == first.stdout and len(calls) == 1


def test_the_cache_folder_reaches_df629_as_an_option(tmp_path: Path, monkeypatch):
    from dfix.config import Settings

    monkeypatch.setenv("DFIX_CACHE_DIR", str(tmp_path / "env"))
    options = run_wide_options(Settings(), {}, ["DF629", "DF100"])
    assert options == {"DF629": {"cache-dir": str(tmp_path / "env" / "shellcheck")}}
    settings = Settings(cache_dir=tmp_path / "own")
    assert run_wide_options(settings, {}, ["DF629"])["DF629"] == {"cache-dir": str(tmp_path / "own" / "shellcheck")}
    assert run_wide_options(settings, {"DF629": {"cache-dir": "/elsewhere"}}, ["DF629"])["DF629"] == {"cache-dir": "/elsewhere"}
    # the library keeps nothing on disk unless told where
    assert rule_module.ShellCheck()._disk is None


@needs_shellcheck
def test_entries_unused_for_a_month_go_when_their_folder_is_next_written(tmp_path: Path, monkeypatch):
    import os
    import time

    disk = DiskResults(tmp_path / "cache")
    run_shellcheck([("sh", "echo $kept_entry\n"), ("sh", "echo $stale_entry\n")], disk=disk)
    entries = list((tmp_path / "cache").rglob("*.json"))
    (kept,) = [path for path in entries if "kept_entry" in path.read_text()]
    (stale,) = [path for path in entries if "stale_entry" in path.read_text()]
    month_ago = time.time() - DiskResults.MAX_AGE - 3600
    for path in (kept, stale):
        os.utime(path, (month_ago, month_ago))
    # reading an entry marks it used
    monkeypatch.setattr(shellcheck_module, "_cache", type(shellcheck_module._cache)())
    run_shellcheck([("sh", "echo $kept_entry\n")], disk=disk)
    assert kept.stat().st_mtime > month_ago + 3600
    # a write into a folder prunes it (at most once a day): move the stale entry beside a new one
    folder = tmp_path / "cache" / "v1" / "zz"
    folder.mkdir()
    stale.rename(folder / stale.name)
    left = folder / (stale.name + ".4242.tmp")  # what a crash mid-write leaves
    left.write_text("{")
    os.utime(left, (month_ago, month_ago))
    disk._prune(str(folder))
    assert not (folder / stale.name).exists() and not left.exists() and kept.exists()
    (folder / "x.json").write_text("{}")
    os.utime(folder / "x.json", (month_ago, month_ago))
    disk._prune(str(folder))  # pruned less than a day ago: left for tomorrow
    assert (folder / "x.json").exists()
