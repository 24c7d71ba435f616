"""``render_diff``: patches that ``git apply`` and ``patch -p1`` take, byte for byte.

Files are written into a fresh git repository exactly as bytes; the fixed
text comes from really running the engine; the patch is written with
``surrogateescape`` as the CLI writes it; applying it must give the fixed
text's bytes exactly (CRLF, invalid UTF-8, missing final newline included).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import dfix
from dfix.report import render_diff
from dfix.report.diff import split_lines
from dfix.results import FileResult

from .support import CLEAN, CRLF, NON_UTF8, TWO_FINDINGS, fixed, strip_ansi

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_patch = pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")

#: path → original text (surrogateescape str); every one has DF201 findings.
CASES = {
    "Dockerfile": TWO_FINDINGS,
    "crlf/Dockerfile": CRLF,
    "latin1/Dockerfile": NON_UTF8,
    "dir with space/Dockerfile.dev": "FROM debian\nRUN apt-get install curl",
    "odd/x\u00e9\\q.Dockerfile": "FROM debian\nRUN apt-get install curl\n",
    "formfeed/Dockerfile": "FROM debian\n# a\x0cb\u2028c\rd\nRUN apt-get install curl\n",
    "many/Dockerfile": "FROM debian\n" + "".join(f"RUN echo {i}\n" for i in range(20)) + "RUN apt-get install x\n"
    + "".join(f"RUN echo {i}\n" for i in range(20)) + "RUN apt-get install y\n",
}

ENCODE = {"encoding": "utf-8", "errors": "surrogateescape"}


def write_tree(root: Path) -> list[FileResult]:
    results = []
    for path, text in CASES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode(**ENCODE))
        read = dfix.read_dockerfile(target)
        assert read == text
        result = fixed(path, read)
        assert result.changed, path
        results.append(result)
    return results


def git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root), "LC_ALL": "C"}
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, env=env, timeout=60)


def patch_of(results: list[FileResult], **options) -> bytes:
    return "".join(render_diff(result, **options) for result in results).encode(**ENCODE)


@needs_git
def test_git_apply_gives_the_fixed_bytes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    assert git(repo, "init", "-q").returncode == 0
    results = write_tree(repo)
    patch = patch_of(results)
    (tmp_path / "fix.patch").write_bytes(patch)
    check = git(repo, "apply", "--check", "-v", str(tmp_path / "fix.patch"))
    assert check.returncode == 0, check.stderr.decode(errors="replace")
    applied = git(repo, "apply", str(tmp_path / "fix.patch"))
    assert applied.returncode == 0, applied.stderr.decode(errors="replace")
    for result in results:
        assert (repo / result.path).read_bytes() == result.fixed.encode(**ENCODE), result.path
    # and the patch is exactly reversible
    reverse = git(repo, "apply", "-R", str(tmp_path / "fix.patch"))
    assert reverse.returncode == 0, reverse.stderr.decode(errors="replace")
    for path, text in CASES.items():
        assert (repo / path).read_bytes() == text.encode(**ENCODE)


@needs_git
def test_git_apply_from_stdin_with_other_context(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    results = write_tree(repo)
    for context in (0, 1, 10):
        patch = patch_of(results, context=context)
        options = ["--unidiff-zero"] if context == 0 else []
        done = git(repo, "apply", "--check", *options, stdin=patch)
        assert done.returncode == 0, (context, done.stderr.decode(errors="replace"))


@needs_patch
def test_patch_p1_gives_the_fixed_bytes(tmp_path: Path) -> None:
    results = write_tree(tmp_path)
    done = subprocess.run(
        ["patch", "-p1", "--batch", "--forward"], cwd=tmp_path, input=patch_of(results), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    for result in results:
        assert (tmp_path / result.path).read_bytes() == result.fixed.encode(**ENCODE), result.path


def test_headers_and_hunks() -> None:
    result = fixed("Dockerfile", TWO_FINDINGS)
    assert render_diff(result) == (
        "--- a/Dockerfile\n"
        "+++ b/Dockerfile\n"
        "@@ -1,6 +1,6 @@\n"
        " FROM debian:12\n"
        "-RUN apt-get update && apt-get install curl\n"
        "+RUN apt-get update && apt-get install -y curl\n"
        " RUN apt-get update && \\\n"
        "-    apt-get install --no-install-recommends \\\n"
        "+    apt-get install -y --no-install-recommends \\\n"
        "         git\n"
        ' CMD ["bash"]\n'
    )
    assert render_diff(fixed("./Dockerfile", TWO_FINDINGS)).startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")


def test_crlf_and_missing_newline_are_kept() -> None:
    out = render_diff(fixed("crlf/Dockerfile", CRLF))
    assert "-RUN apt-get install \\\r\n+RUN apt-get install -y \\\r\n" in out
    out = render_diff(fixed("d/Dockerfile", "FROM debian\nRUN apt-get install curl"))
    assert out.endswith(
        "-RUN apt-get install curl\n\\ No newline at end of file\n+RUN apt-get install -y curl\n\\ No newline at end of file\n"
    )


def test_invalid_bytes_survive_as_surrogate_escapes() -> None:
    out = render_diff(fixed("latin1/Dockerfile", NON_UTF8))
    raw = out.encode(**ENCODE)
    assert b"+RUN apt-get install -y caf\xe9-\xff\xfe tool\n\\ No newline at end of file\n" in raw


def test_lines_split_on_newline_only() -> None:
    assert split_lines("a\rb\x0cc\u2028d\r\ne") == ["a\rb\x0cc\u2028d\r\n", "e"]
    assert split_lines("") == []
    assert split_lines("\n\n") == ["\n", "\n"]


def test_quoting_and_tabs_in_headers() -> None:
    out = render_diff(fixed("dir with space/Dockerfile", "FROM debian\nRUN apt-get install curl\n"))
    assert out.startswith("--- a/dir with space/Dockerfile\t\n+++ b/dir with space/Dockerfile\t\n")
    out = render_diff(fixed('we"ird\\/Dockerfile', "FROM debian\nRUN apt-get install curl\n"))
    assert out.startswith('--- "a/we\\"ird\\\\/Dockerfile"\n+++ "b/we\\"ird\\\\/Dockerfile"\n')


def test_unchanged_or_unreadable_gives_no_diff() -> None:
    assert render_diff(fixed("Dockerfile", CLEAN)) == ""
    assert render_diff(FileResult("Dockerfile", io_error="gone")) == ""
    broken = fixed("Dockerfile", "FROM debian\nRUN <<EOF\n")
    assert broken.parse_error is not None and render_diff(broken) == ""


def test_absolute_path_below_the_working_directory_becomes_relative(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = fixed(str(tmp_path / "svc" / "Dockerfile"), TWO_FINDINGS)
    assert render_diff(result).startswith("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n")


def test_color_only_when_asked() -> None:
    result = fixed("Dockerfile", TWO_FINDINGS)
    plain = render_diff(result)
    colored = render_diff(result, color=True)
    assert "\x1b[" not in plain and "\x1b[" in colored
    assert strip_ansi(colored) == plain
