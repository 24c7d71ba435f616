"""The `dfix` command's basic contract: what it checks, what it prints, how it exits.

Run both through click's CliRunner (fast, in process) and as a real
``python -m dfix`` subprocess, because only the latter proves the entry point,
the stream separation and the absence of tracebacks as a user sees them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dfix
from dfix.cli import main
from dfix.discover import collect_inputs, is_dockerfile_name

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "corpus" / "demo"

GOOD = "FROM debian:bookworm-slim\nRUN echo hello\n"
#: Concise output: one line per finding, so lines can be compared exactly.
CONCISE = ("--output-format", "concise")

# BuildKit refuses an unterminated heredoc; the error points at its opening line.
BAD = "FROM debian:bookworm-slim\nRUN <<EOF\necho never ends\n"
# BuildKit accepts an empty line inside a continued instruction but warns.
WARNS = "FROM debian:bookworm-slim\nRUN apt-get update && \\\n\n    apt-get install -y curl\n"


#: The rules these tests were written against: new rules keep arriving and may fire on any small file.
PINNED_RULES = ("DF000", "DF100", "DF200", "DF201", "DF202", "DF204", "DF210", "DF220", "DF221", "DF624")


@pytest.fixture(autouse=True)
def _pinned_rules(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pin the rule selection through a user-level config (the fallback when a tree has none)."""
    home = tmp_path_factory.mktemp("xdg")
    (home / "dfix").mkdir()
    (home / "dfix" / "dfix.toml").write_text("[lint]\nselect = [" + ", ".join(f'"{c}"' for c in PINNED_RULES) + "]\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for name in ("NO_COLOR", "FORCE_COLOR", "CI", "DFIX_CONFIG", "DFIX_OUTPUT_FORMAT"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str, input: bytes | None = None, cwd: Path | None = None):
    """Run the command in process; stdout and stderr kept apart, as a shell sees them."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(previous)


def run_module(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dfix", *args], input=input, cwd=cwd, capture_output=True, timeout=120
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small project: Dockerfiles under the names dfix finds, plus look-alikes it must skip."""
    files = {
        "Dockerfile": GOOD,
        "services/api/Dockerfile.prod": GOOD,
        "services/api/worker.dockerfile": GOOD,
        "services/web/Web.Dockerfile": GOOD,
        "services/web/containerfile": GOOD,
        ".devcontainer/Dockerfile": GOOD,  # hidden folders are entered
        "services/api/Dockerfile.j2": BAD,  # template, skipped
        "services/api/Dockerfile.md": BAD,  # documentation, skipped
        "services/api/app.dockerignore": BAD,
        "node_modules/pkg/Dockerfile": BAD,  # vendored, skipped
        ".git/Dockerfile": BAD,
        "docs/notes.txt": BAD,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


# -- discovery ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Dockerfile", "dockerfile", "DOCKERFILE", "Dockerfile.dev", "api.Dockerfile", "x.dockerfile",
             "Containerfile", "Containerfile.arm64", "img.containerfile"],
)
def test_dockerfile_names(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name", ["Dockerfile.in", "Dockerfile.j2", "Dockerfile.md", "Dockerfile~", "Dockerfile.bak", ".dockerignore",
             "Dockerfile.dockerignore", "Makefile", "dockerfiles", "README.md", "docker-compose.yml"],
)
def test_not_dockerfile_names(name: str) -> None:
    assert not is_dockerfile_name(name)


def test_folder_discovery_is_recursive_sorted_and_skips_lookalikes(tree: Path) -> None:
    found = [os.path.relpath(path, tree) for path in collect_inputs([str(tree)]).files]
    assert found == [
        os.path.join(".devcontainer", "Dockerfile"),
        "Dockerfile",
        os.path.join("services", "api", "Dockerfile.prod"),
        os.path.join("services", "api", "worker.dockerfile"),
        os.path.join("services", "web", "Web.Dockerfile"),
        os.path.join("services", "web", "containerfile"),
    ]


def test_explicit_file_is_checked_whatever_its_name(tmp_path: Path) -> None:
    odd = tmp_path / "build.df"
    odd.write_text(GOOD)
    result = run(str(odd))
    assert result.exit_code == 0
    assert "1 file scanned" in result.stderr
    assert "failed to parse" not in result.stderr


def test_same_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    result = run(str(tmp_path), str(tmp_path / "Dockerfile"))
    assert "1 file scanned" in result.stderr


def test_discovered_paths_are_relative_to_the_current_folder(tree: Path) -> None:
    (tree / "services" / "broken.Dockerfile").write_text(BAD)
    result = run(*CONCISE, cwd=tree)  # no PATHS: the current folder
    assert result.exit_code == 1
    assert result.stdout.startswith(os.path.join("services", "broken.Dockerfile") + ":2:5: DF000 ")


def test_empty_folder_is_not_an_error(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert "no Dockerfiles found" in result.stderr
    assert "0 files scanned" in result.stderr


# -- results and exit codes -----------------------------------------------------


def test_good_files_exit_0_with_a_summary(tree: Path) -> None:
    result = run(str(tree))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == "6 files scanned · 0 remaining (0 error, 0 warning)"


def test_bad_file_among_good_ones_exits_1_and_the_others_are_still_checked(tree: Path) -> None:
    bad = tree / "services" / "api" / "Dockerfile.broken"
    bad.write_text(BAD)
    warns = tree / "services" / "zz.Dockerfile"  # sorted after the bad file
    warns.write_text(WARNS)
    result = run(str(tree), *CONCISE, "--select", "DF000")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{bad}:2:5: DF000 unterminated heredoc <<EOF"]
    assert (
        f"{warns}:3:1: warning: Empty continuation line found in: RUN apt-get update &&     apt-get install -y curl"
    ) in result.stderr.splitlines()
    assert "8 files scanned" in result.stderr
    assert "1 file failed to parse (DF000)" in result.stderr


def test_error_matches_the_parse_error_string(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(BAD)
    with pytest.raises(dfix.ParseError) as caught:
        dfix.parse(BAD, str(bad))
    path_line_col, message = str(caught.value).rsplit(": ", 1)
    assert run(str(bad), *CONCISE).stdout.strip() == f"{path_line_col}: DF000 {message}"


def test_warnings_alone_do_not_fail(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(WARNS)
    result = run(str(tmp_path), "--select", "DF000")
    assert result.exit_code == 0
    assert ":3:1: warning: Empty continuation line" in result.stderr


def test_missing_path_exits_2_and_the_others_are_still_checked(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(BAD)
    missing = tmp_path / "nope" / "Dockerfile"
    result = run(str(missing), str(bad), *CONCISE)
    assert result.exit_code == 2
    assert f"{missing}: error: no such file or directory" in result.stderr
    assert f"{bad}:2:5: DF000 unterminated heredoc <<EOF" in result.stdout
    assert "1 file scanned" in result.stderr and "1 file failed to parse" in result.stderr


def test_unreadable_named_file_exits_2(tmp_path: Path) -> None:
    dangling = tmp_path / "Dockerfile"
    dangling.symlink_to(tmp_path / "gone")
    result = run(str(dangling), *CONCISE)
    assert result.exit_code == 2
    assert f"{dangling}:1:1: DF000 cannot read:" in result.stdout


def test_internal_error_is_one_line_exits_2_and_the_others_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = dfix.parse

    def parse(text: str, path: str | None = None, **options: object):
        if "explode" in text:
            raise RuntimeError("simulated parser bug")
        return real_parse(text, path, **options)

    monkeypatch.setattr("dfix.process.parse", parse)  # where the pipeline parses each file
    (tmp_path / "a.Dockerfile").write_text("FROM a\nRUN explode\n")
    (tmp_path / "b.Dockerfile").write_text(BAD)
    result = run(str(tmp_path), "-j", "1", *CONCISE)  # in process, so the patched parser is the one used
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.Dockerfile'}:1:1: DF000 internal error: RuntimeError: simulated parser bug" in result.stdout
    assert f"{tmp_path / 'b.Dockerfile'}:2:5: DF000 unterminated heredoc <<EOF" in result.stdout
    assert "2 files scanned" in result.stderr and "1 file failed to parse" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    result = run("--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dfix, version {dfix.__version__}"


def test_demo_files_all_parse() -> None:
    result = run(str(DEMO), "--select", "DF000")
    assert result.exit_code == 0, result.output
    assert len(list(DEMO.glob("*.Dockerfile"))) >= 4
    # the Node demo shows BuildKit's empty-continuation-line warning
    assert "node-web.Dockerfile:11:1: warning:" in result.stderr
    # and the rules have something to say about the demos
    assert run(str(DEMO)).exit_code == 1


# -- stdin ----------------------------------------------------------------------


def test_stdin_good() -> None:
    result = run("-", input=GOOD.encode())
    assert result.exit_code == 0
    assert "1 file scanned" in result.stderr


def test_stdin_bad_is_reported_under_its_stdin_filename() -> None:
    result = run("-", "--stdin-filename", "docker/Dockerfile", *CONCISE, input=BAD.encode())
    assert result.exit_code == 1
    assert result.stdout.strip() == "docker/Dockerfile:2:5: DF000 unterminated heredoc <<EOF"


def test_stdin_filename_alone_reads_stdin() -> None:
    result = run("--stdin-filename", "Dockerfile", input=BAD.encode())
    assert result.exit_code == 1
    assert result.stdout.startswith("Dockerfile:2:5: ")


def test_stdin_default_name_is_dash() -> None:
    result = run("-", input=BAD.encode())
    assert result.stdout.startswith("-:2:5: ")


def test_stdin_with_files(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    result = run(str(tmp_path), "-", input=BAD.encode())
    assert result.exit_code == 1
    assert "2 files scanned" in result.stderr and "1 file failed to parse" in result.stderr


# -- as a real process ----------------------------------------------------------


def test_module_good_and_bad_files(tree: Path) -> None:
    bad = tree / "services" / "Dockerfile"
    bad.write_text(BAD)
    done = run_module(str(tree), *CONCISE)
    assert done.returncode == 1
    assert done.stdout.decode() == f"{bad}:2:5: DF000 unterminated heredoc <<EOF\n"
    assert done.stderr.decode().splitlines()[-1] == (
        "7 files scanned · 0 remaining (0 error, 0 warning) · 1 file failed to parse (DF000)"
    )


def test_module_missing_path_exits_2_without_a_traceback(tmp_path: Path) -> None:
    done = run_module(str(tmp_path / "missing"))
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().splitlines()[0] == f"{tmp_path / 'missing'}: error: no such file or directory"


def test_module_usage_error_exits_2_without_a_traceback() -> None:
    done = run_module("--bogus")
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"Usage: dfix" in done.stderr


def test_module_stdin() -> None:
    done = run_module("-", "--stdin-filename", "Dockerfile", *CONCISE, input=BAD.encode())
    assert done.returncode == 1
    assert done.stdout == b"Dockerfile:2:5: DF000 unterminated heredoc <<EOF\n"


def test_module_echoes_invalid_utf8_back_as_bytes(tmp_path: Path) -> None:
    # the warning quotes the instruction; its undecodable byte must neither
    # crash the output nor be replaced
    (tmp_path / "Dockerfile").write_bytes(b"FROM a\nRUN echo \xff \\\n\n  done\n")
    done = run_module(str(tmp_path))
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
    assert b"RUN echo \xff" in done.stderr


def test_module_version() -> None:
    done = run_module("--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"dfix, version {dfix.__version__}"


def test_module_on_demo_files() -> None:
    done = run_module(str(DEMO.relative_to(REPO)), "--select", "DF000", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().strip().splitlines()[-1] == "5 files scanned · 0 remaining (0 error, 0 warning)"
