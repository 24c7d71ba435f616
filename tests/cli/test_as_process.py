"""``python -m dfix`` as a real process: streams, exit codes, stdin, no tracebacks, git-apply-able diffs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import dfix

from .helpers import BAD, CLEAN, FIXABLE, FIXABLE_FIXED, UNFIXABLE, UNSAFE, run, run_module, write_tree

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "project", {
        "a/Dockerfile": CLEAN,
        "b/Dockerfile": FIXABLE,
        "c/Dockerfile": UNFIXABLE,
    })


def test_report_diff_and_write_agree_on_the_exit_code(project: Path) -> None:
    report = run_module(".", cwd=project)
    check = run_module("--check", ".", cwd=project)
    diff = run_module("--diff", ".", cwd=project)
    assert report.returncode == check.returncode == diff.returncode == 1
    assert diff.stdout.startswith(b"--- a/b/Dockerfile\n+++ b/b/Dockerfile\n")
    assert b"DF204" in diff.stderr and b"DF204" not in diff.stdout
    written = run_module("--write", ".", cwd=project)
    assert written.returncode == 1  # DF204 has no fix
    assert (project / "b" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert b"DF204" in written.stdout
    assert b"1 changed" in written.stderr
    for done in (report, check, diff, written):
        assert b"Traceback" not in done.stderr


def test_write_exits_0_when_nothing_remains(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": FIXABLE})
    done = run_module("-w", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert run_module(str(tmp_path)).returncode == 0


def test_usage_errors_exit_2_without_a_traceback(project: Path) -> None:
    for args in (["--bogus"], ["--diff", "--write", "."], ["--fail-on", "loud", "."]):
        done = run_module(*args, cwd=project)
        assert done.returncode == 2, args
        assert b"Traceback" not in done.stderr
        assert b"Usage: dfix" in done.stderr


def test_missing_path_and_config_error_exit_2_with_one_line(tmp_path: Path) -> None:
    done = run_module(str(tmp_path / "missing"))
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[0] == f"{tmp_path / 'missing'}: error: no such file or directory"
    write_tree(tmp_path, {".dfix.toml": "nope = 1\n", "Dockerfile": CLEAN})
    done = run_module(".", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dfix: error: .dfix.toml: nope: unknown key")


def test_parse_error_exits_1_as_df000(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": BAD})
    done = run_module("--output-format", "concise", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == b"Dockerfile:2:5: DF000 unterminated heredoc <<EOF\n"


def test_stdin_modes() -> None:
    report = run_module("-", "--stdin-filename", "Dockerfile", "--output-format", "concise", input=FIXABLE.encode())
    assert report.returncode == 1
    assert report.stdout.startswith(b"Dockerfile:2:5: DF201 [*]")
    written = run_module("-", "--write", input=FIXABLE.encode())
    assert (written.returncode, written.stdout) == (0, FIXABLE_FIXED.encode())
    diff = run_module("--stdin-filename", "x/Dockerfile", "--diff", input=FIXABLE.encode())
    assert diff.stdout.startswith(b"--- a/x/Dockerfile\n")


def test_invalid_utf8_survives_reports_and_writes(tmp_path: Path) -> None:
    data = b"FROM debian\nLABEL note=\"caf\xe9\"\nRUN apt-get install --no-install-recommends curl\n"
    (tmp_path / "Dockerfile").write_bytes(data)
    report = run_module(str(tmp_path))
    assert report.returncode == 1 and b"Traceback" not in report.stderr
    diff = run_module("--diff", str(tmp_path))
    assert b"caf\xe9" in diff.stdout or b"caf" in diff.stdout
    assert run_module("--write", str(tmp_path)).returncode == 0
    assert (tmp_path / "Dockerfile").read_bytes() == data.replace(b"install --no", b"install -y --no")


def test_a_warning_quoting_an_undecodable_byte_echoes_it_as_that_byte(tmp_path: Path) -> None:
    # BuildKit's empty-continuation warning quotes the instruction: its byte
    # FF must neither crash the output nor be replaced
    (tmp_path / "Dockerfile").write_bytes(b"FROM a\nRUN echo \xff \\\n\n  done\n")
    done = run_module(str(tmp_path))
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
    assert b"RUN echo \xff" in done.stderr


def test_the_readme_demo_files_parse_and_have_findings() -> None:
    # README's quick start runs dfix on corpus/demo/ from the repository root
    demo = REPO / "corpus" / "demo"
    assert len(list(demo.glob("*.Dockerfile"))) >= 4
    parsed = run_module("corpus/demo/", "--select", "DF000", cwd=REPO)
    assert parsed.returncode == 0, parsed.stderr
    # the Node demo shows BuildKit's empty-continuation-line warning
    assert b"node-web.Dockerfile:11:1: warning:" in parsed.stderr
    assert run_module("corpus/demo/", cwd=REPO).returncode == 1


def test_colour_follows_the_flag_and_no_color(project: Path) -> None:
    assert b"\x1b[" not in run_module("--diff", ".", cwd=project).stdout  # piped
    assert b"\x1b[" in run_module("--diff", "--color", "always", ".", cwd=project).stdout
    assert b"\x1b[" in run_module("--diff", ".", cwd=project, env={"FORCE_COLOR": "1"}).stdout
    assert b"\x1b[" not in run_module("--diff", ".", cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_parallel_and_serial_runs_print_the_same(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"s{index}/Dockerfile": (FIXABLE, UNSAFE, UNFIXABLE, BAD)[index % 4] for index in range(16)})
    serial = run_module("-j", "1", "--output-format", "concise", ".", cwd=tmp_path)
    parallel = run_module("-j", "4", "--output-format", "concise", ".", cwd=tmp_path)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    assert serial.stderr == parallel.stderr


def test_rule_and_version_subcommands() -> None:
    rule = run_module("rule", "DF201")
    assert rule.returncode == 0 and rule.stdout.startswith(b"DF201 apt-get-missing-yes\n")
    table = run_module("rule", "--all")
    assert table.returncode == 0 and b"DF624" in table.stdout
    assert run_module("version").stdout.decode().strip() == f"dfix, version {dfix.__version__}"
    assert run_module("--version").stdout.decode().strip() == f"dfix, version {dfix.__version__}"


# -- git apply ------------------------------------------------------------------------


#: Files that exercise the patch format: CRLF, no final newline, a BOM, invalid
#: UTF-8, a name with a space, nested folders, unsafe and unfixable findings.
TRICKY = {
    "Dockerfile": FIXABLE,
    "crlf/Dockerfile": FIXABLE.replace("\n", "\r\n").encode(),
    "no-newline/Dockerfile": FIXABLE.rstrip("\n"),
    "bom/Dockerfile": b"\xef\xbb\xbf" + FIXABLE.encode(),
    "latin1/Dockerfile": b"FROM debian\n# caf\xe9\nRUN apt-get install --no-install-recommends curl\n",
    "with space/api.Dockerfile": FIXABLE + "RUN pip install flask\n",
    "deep/er/still/Containerfile": "FROM alpine\nRUN apk add curl\nRUN echo done\n",
    "unsafe/Dockerfile": UNSAFE,
    "unfixable/Dockerfile": UNFIXABLE,
    "clean/Dockerfile": CLEAN,
}


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*")) if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("extra", [[], ["--unsafe-fixes"]])
def test_git_apply_of_the_diff_reproduces_write_exactly(tmp_path: Path, extra: list[str]) -> None:
    patched = write_tree(tmp_path / "patched", TRICKY)
    written = write_tree(tmp_path / "written", TRICKY)
    git("init", "-q", ".", cwd=patched)
    diff = run_module("--diff", *extra, ".", cwd=patched)
    assert diff.returncode == 1
    assert diff.stdout
    (tmp_path / "fixes.patch").write_bytes(diff.stdout)
    git("apply", "--check", str(tmp_path / "fixes.patch"), cwd=patched)
    git("apply", str(tmp_path / "fixes.patch"), cwd=patched)
    run_module("--write", *extra, ".", cwd=written)
    assert tree_bytes(patched) == tree_bytes(written)
    assert tree_bytes(written) != TRICKY  # something was fixed
    # and once fixed, there is nothing left to patch
    assert run_module("--diff", *extra, ".", cwd=patched).stdout == b""


def test_in_process_diff_applies_with_git_too(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    patched = write_tree(tmp_path / "patched", TRICKY)
    written = write_tree(tmp_path / "written", TRICKY)
    git("init", "-q", ".", cwd=patched)
    (tmp_path / "fixes.patch").write_bytes(run("--diff", ".", cwd=patched).stdout_bytes)
    git("apply", str(tmp_path / "fixes.patch"), cwd=patched)
    run("--write", ".", cwd=written)
    assert tree_bytes(patched) == tree_bytes(written)
