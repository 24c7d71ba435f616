"""The check command in process: modes, exit codes, rule selection, output options, stdin (ux.md §2-4)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import dfix

from .helpers import (
    BAD, CLEAN, FIXABLE, FIXABLE_FIXED, INFO_ONLY, UNFIXABLE, UNSAFE, UNSAFE_FIXED, run, write_tree,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """One file of each kind, under names that sort in this order."""
    return write_tree(tmp_path, {
        "a-clean/Dockerfile": CLEAN,
        "b-fixable/Dockerfile": FIXABLE,
        "c-unfixable/Dockerfile": UNFIXABLE,
        "d-unsafe/Dockerfile": UNSAFE,
    })


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(path): (path.read_bytes(), path.stat().st_mtime_ns) for path in root.rglob("*") if path.is_file()}


def one_file(tmp_path: Path, text: str, name: str = "Dockerfile") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- report mode -------------------------------------------------------------------


def test_report_prints_findings_on_stdout_and_the_summary_with_the_fixing_flag_on_stderr(project: Path) -> None:
    before = snapshot(project)
    result = run("--output-format", "concise", cwd=project)
    assert result.exit_code == 1
    assert [line.split(" ", 2)[:2] for line in result.stdout.splitlines()] == [
        [f"{os.path.join('b-fixable', 'Dockerfile')}:2:5:", "DF201"],
        [f"{os.path.join('c-unfixable', 'Dockerfile')}:2:5:", "DF204"],
        [f"{os.path.join('d-unsafe', 'Dockerfile')}:2:5:", "DF202"],
    ]
    assert " DF201 [*] " in result.stdout  # [*]: a fix this run could apply with --write
    assert "4 files scanned" in result.stderr
    assert "1 fixable with --write" in result.stderr
    assert "--unsafe-fixes" in result.stderr
    assert snapshot(project) == before


def test_check_flag_is_the_default_mode(project: Path) -> None:
    default, check = run(cwd=project), run("--check", cwd=project)
    assert (default.exit_code, default.stdout) == (check.exit_code, check.stdout)


def test_clean_files_exit_0_with_nothing_on_stdout(tmp_path: Path) -> None:
    one_file(tmp_path, CLEAN)
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "1 file scanned" in result.stderr


def test_full_format_shows_the_excerpt_and_marks_fixable_findings(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path))
    assert result.stdout.startswith(f"{path}:2:5: DF201 [*] ")
    assert "RUN apt-get install --no-install-recommends curl" in result.stdout


def test_parse_error_is_df000_and_fails_whatever_fail_on_says(tmp_path: Path) -> None:
    path = one_file(tmp_path, BAD)
    result = run(str(path), "--fail-on", "none", "--output-format", "concise")
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{path}:2:5: DF000 unterminated heredoc <<EOF"
    assert "1 file failed to parse (DF000)" in result.stderr


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/Dockerfile": BAD, "b/Dockerfile": FIXABLE})
    result = run(str(tmp_path), "--output-format", "concise")
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        str(tmp_path / "a" / "Dockerfile"), str(tmp_path / "b" / "Dockerfile"),
    ]


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("error", 0), ("warning", 0), ("info", 1), ("style", 1), ("none", 0)]
)
def test_fail_on_threshold_with_an_info_finding(tmp_path: Path, fail_on: str, expected: int) -> None:
    path = one_file(tmp_path, INFO_ONLY)
    assert run(str(path), "--fail-on", fail_on).exit_code == expected


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("none", 0)])
def test_fail_on_threshold_with_a_warning(tmp_path: Path, fail_on: str, expected: int) -> None:
    path = one_file(tmp_path, UNFIXABLE)
    assert run(str(path), "--failure-threshold", fail_on).exit_code == expected


def test_exit_zero_forces_0_but_never_hides_2(tmp_path: Path) -> None:
    path = one_file(tmp_path, BAD)
    assert run(str(path), "--exit-zero").exit_code == 0
    assert run(str(path), str(tmp_path / "missing"), "--exit-zero").exit_code == 2


def test_buildkit_parse_warnings_go_to_stderr_and_do_not_fail(tmp_path: Path) -> None:
    path = one_file(tmp_path, "FROM debian\nRUN echo a && \\\n\n    echo b\n")
    result = run(str(path))
    assert result.exit_code == 0
    assert f"{path}:3:1: warning: Empty continuation line found in: RUN echo a &&     echo b" in result.stderr


def test_missing_path_exits_2_and_the_others_are_still_checked(tmp_path: Path) -> None:
    path = one_file(tmp_path, BAD)
    missing = tmp_path / "nope" / "Dockerfile"
    result = run(str(missing), str(path), "--output-format", "concise")
    assert result.exit_code == 2
    assert f"{missing}: error: no such file or directory" in result.stderr
    assert f"{path}:2:5: DF000 unterminated heredoc <<EOF" in result.stdout


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    dangling = tmp_path / "Dockerfile"
    dangling.symlink_to(tmp_path / "gone")
    result = run(str(dangling), "--output-format", "concise")
    assert result.exit_code == 2
    assert f"{dangling}:1:1: DF000 cannot read: No such file or directory" in result.stdout


def test_internal_error_is_one_line_exits_2_and_the_others_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = dfix.parse

    def parse(text: str, path: str | None = None, **options: object):
        if "explode" in text:
            raise RuntimeError("simulated parser bug")
        return real_parse(text, path, **options)

    monkeypatch.setattr("dfix.process.parse", parse)  # where the pipeline parses each file
    write_tree(tmp_path, {"a.Dockerfile": "FROM a\nRUN explode\n", "b.Dockerfile": BAD})
    result = run(str(tmp_path), "-j", "1", "--output-format", "concise")
    assert result.exit_code == 2
    assert (
        f"{tmp_path / 'a.Dockerfile'}:1:1: DF000 internal error: RuntimeError: simulated parser bug "
        "(please report this as a dfix bug)"
    ) in result.stdout
    assert f"{tmp_path / 'b.Dockerfile'}:2:5: DF000 unterminated heredoc <<EOF" in result.stdout


def test_empty_folder_is_not_an_error(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert "no Dockerfiles found" in result.stderr
    assert "0 files scanned" in result.stderr


def test_same_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(tmp_path), str(path), "--output-format", "concise")
    assert len(result.stdout.splitlines()) == 1
    assert "1 file scanned" in result.stderr


def test_results_are_printed_in_path_order_whatever_the_jobs(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"d{index:02d}/Dockerfile": FIXABLE if index % 2 else UNSAFE for index in range(12)})
    serial = run(str(tmp_path), "-j", "1", "--output-format", "concise")
    parallel = run(str(tmp_path), "-j", "2", "--output-format", "concise")
    assert serial.stdout == parallel.stdout
    assert [line.split(":")[0] for line in serial.stdout.splitlines()] == sorted(
        str(tmp_path / f"d{index:02d}" / "Dockerfile") for index in range(12)
    )


# -- rule selection ----------------------------------------------------------------


@pytest.mark.parametrize("selector", ["DF201", "DF20", "apt-get-missing-yes", "DL3014", "df201"])
def test_select_by_code_prefix_name_or_alias(tmp_path: Path, selector: str) -> None:
    path = one_file(tmp_path, FIXABLE + "RUN pip install flask\n")
    result = run(str(path), "--select", selector, "--output-format", "concise")
    codes = {line.split()[1] for line in result.stdout.splitlines()}
    assert "DF201" in codes
    assert "DF220" not in codes


def test_select_ignore_extend_select_comma_separated_and_repeatable(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE + "RUN pip install flask\nRUN npm install\n")

    def codes(*args: str) -> set[str]:
        result = run(str(path), "--output-format", "concise", *args)
        return {line.split()[1] for line in result.stdout.splitlines()}

    assert codes("--select", "DF201,DF220") == {"DF201", "DF220"}
    assert codes("--select", "DF201", "--select", "DF220") == {"DF201", "DF220"}
    assert codes("--select", "DF201", "--extend-select", "DF221") == {"DF201", "DF221"}
    assert "DF220" not in codes("--ignore", "DF220,DF100")
    everything_but_df2 = codes("--select", "ALL", "--ignore", "DF2")
    assert "DF100" in everything_but_df2 and not any(code.startswith("DF2") for code in everything_but_df2)


def test_unknown_selector_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path), "--select", "DF999")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DF999" in result.stderr


def test_unfixable_rules_are_reported_without_a_fix(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path), "--unfixable", "DF201", "--output-format", "concise")
    assert "DF201 [*]" not in result.stdout and "DF201 " in result.stdout
    written = run(str(path), "--write", "--unfixable", "DF201")
    assert written.exit_code == 1
    assert path.read_text() == FIXABLE


def test_fixable_limits_what_write_applies(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE.replace("--no-install-recommends ", "") + "RUN pip install flask\n")
    run(str(path), "--write", "--fixable", "DF220", "--select", "DF201,DF220")
    text = path.read_text()
    assert "--no-cache-dir" in text and "-y" not in text


# -- --diff ------------------------------------------------------------------------


def test_diff_prints_a_patch_writes_nothing_and_exits_like_report_mode(project: Path) -> None:
    before = snapshot(project)
    diff = run("--diff", cwd=project)
    report = run(cwd=project)
    assert snapshot(project) == before
    assert diff.exit_code == report.exit_code == 1
    name = "b-fixable/Dockerfile"
    assert diff.stdout == (
        f"--- a/{name}\n+++ b/{name}\n@@ -1,2 +1,2 @@\n FROM debian\n"
        "-RUN apt-get install --no-install-recommends curl\n+RUN apt-get install -y --no-install-recommends curl\n"
    )
    # findings no fix removes in this run go to stderr, the fixed one does not
    assert "DF204" in diff.stderr and "DF202" in diff.stderr and "DF201" not in diff.stderr.split("Rule")[0]


def test_diff_of_only_unfixable_findings_is_empty_and_still_fails(tmp_path: Path) -> None:
    path = one_file(tmp_path, UNFIXABLE)
    result = run("--diff", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "DF204" in result.stderr


def test_diff_with_unsafe_fixes(tmp_path: Path) -> None:
    path = one_file(tmp_path, UNSAFE)
    assert run("--diff", str(path)).stdout == ""
    assert "+RUN apt-get install --no-install-recommends -y ca-certificates curl" in run("--diff", "--unsafe-fixes", str(path)).stdout


def test_diff_context(tmp_path: Path) -> None:
    path = one_file(tmp_path, "FROM debian\nLABEL a=1\nLABEL b=2\nLABEL c=3\nRUN apt-get install --no-install-recommends curl\n")
    assert " LABEL a=1\n" in run("--diff", str(path)).stdout
    assert " LABEL" not in run("--diff", "--diff-context", "0", str(path)).stdout


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    fixable = one_file(tmp_path, FIXABLE)
    assert run("--diff", "--fail-on", "none", str(fixable)).exit_code == 0
    assert run("--diff", "--fail-on", "none", "--exit-non-zero-on-fix", str(fixable)).exit_code == 1
    clean = one_file(tmp_path, CLEAN, "clean.Dockerfile")
    assert run("--diff", "--exit-non-zero-on-fix", str(clean)).exit_code == 0
    assert run("--write", "--exit-non-zero-on-fix", str(fixable)).exit_code == 1
    assert fixable.read_text() == FIXABLE_FIXED
    assert run("--write", "--exit-non-zero-on-fix", str(fixable)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {}, False),  # not a terminal
        ([], {"FORCE_COLOR": "1"}, True),
        (["--color", "auto"], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_diff_colour(tmp_path: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run("--diff", str(path), *args, env=env)
    assert ("\x1b[" in result.stdout) is coloured


# -- --write ------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--write", "-w", "--fix"])
def test_write_fixes_in_place_and_reports_what_remains(project: Path, flag: str) -> None:
    result = run(flag, "--output-format", "concise", cwd=project)
    assert result.exit_code == 1  # DF204 and DF202 remain
    assert (project / "b-fixable" / "Dockerfile").read_text() == FIXABLE_FIXED
    assert (project / "d-unsafe" / "Dockerfile").read_text() == UNSAFE
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["DF204", "DF202"]
    assert "1 changed" in result.stderr and "1 fix applied" in result.stderr


def test_write_exits_0_when_everything_was_fixed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": FIXABLE, "u.Dockerfile": UNSAFE})
    result = run("--write", "--unsafe-fixes", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "u.Dockerfile").read_text() == UNSAFE_FIXED


def test_show_fixes_and_show_diff(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run("--write", "--show-fixes", "--show-diff", "--output-format", "concise", str(path))
    assert "+RUN apt-get install -y --no-install-recommends curl" in result.stdout
    assert "DF201" in result.stdout.split("@@")[-1]  # the list of applied fixes follows the diff


def test_fix_only_reports_no_leftovers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": FIXABLE, "u.Dockerfile": UNFIXABLE})
    result = run("--fix-only", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "Dockerfile").read_text() == FIXABLE_FIXED


@pytest.mark.parametrize(
    "args",
    [["--diff", "--write"], ["--check", "--diff"], ["--check", "-w"], ["--fix", "--diff"], ["--fix-only", "--diff"],
     ["--show-diff"]],
)
def test_combining_modes_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(*args, str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert path.read_text() == FIXABLE


# -- output options -----------------------------------------------------------------


def test_json_output_is_machine_readable_on_stdout(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path), "--output-format", "json")
    findings = json.loads(result.stdout)
    assert [(f["code"], f["filename"]) for f in findings] == [("DF201", str(path))]


def test_output_format_from_the_environment(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path), env={"DFIX_OUTPUT_FORMAT": "json"})
    assert json.loads(result.stdout)[0]["code"] == "DF201"


def test_output_file(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    out = tmp_path / "report.json"
    result = run(str(path), "--output-format", "json", "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text())[0]["code"] == "DF201"


def test_statistics_prints_the_table_only(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    result = run(str(path), "--statistics")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].split() == ["Rule", "Name", "Found", "Fixed", "Remaining"]
    assert "DF201" in result.stdout and ":2:5:" not in result.stdout
    assert result.stderr == ""
    data = json.loads(run(str(path), "--statistics", "--output-format", "json").stdout)
    assert data[0]["code"] == "DF201"


def test_quiet_and_silent(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    quiet = run(str(path), "-q")
    assert quiet.exit_code == 1 and quiet.stderr == "" and "DF201" in quiet.stdout
    silent = run(str(path), "-s")
    assert silent.exit_code == 1 and silent.stdout == "" and silent.stderr == ""


def test_plain_progress_prints_one_line_per_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/Dockerfile": CLEAN, "b/Dockerfile": CLEAN})
    result = run(str(tmp_path), "--progress", "plain")
    assert f"[1/2] {tmp_path / 'a' / 'Dockerfile'}" in result.stderr
    assert f"[2/2] {tmp_path / 'b' / 'Dockerfile'}" in result.stderr


def test_progress_bar_can_be_forced(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/Dockerfile": CLEAN, "b/Dockerfile": FIXABLE})
    result = run(str(tmp_path), "--progress", "bar")
    assert result.exit_code == 1
    assert "2 files scanned" in result.stderr


# -- stdin --------------------------------------------------------------------------


def test_stdin_report_under_its_stdin_filename() -> None:
    result = run("-", "--stdin-filename", "docker/Dockerfile", "--output-format", "concise", input=BAD)
    assert result.exit_code == 1
    assert result.stdout.strip() == "docker/Dockerfile:2:5: DF000 unterminated heredoc <<EOF"


def test_stdin_filename_alone_reads_stdin_and_the_default_name_is_dash() -> None:
    assert run("--stdin-filename", "Dockerfile", "--output-format", "concise", input=FIXABLE).stdout.startswith(
        "Dockerfile:2:5: DF201"
    )
    assert run("-", "--output-format", "concise", input=FIXABLE).stdout.startswith("-:2:5: DF201")


def test_stdin_write_prints_the_fixed_text_on_stdout_and_findings_on_stderr() -> None:
    text = FIXABLE + "RUN apt-get update && rm -rf /var/lib/apt/lists/*\n"
    result = run("-", "--write", "--stdin-filename", "Dockerfile", "--select", "DF201,DF204", input=text)
    assert result.stdout == FIXABLE_FIXED + "RUN apt-get update && rm -rf /var/lib/apt/lists/*\n"
    assert "DF204" in result.stderr
    assert result.exit_code == 1


def test_stdin_write_of_a_clean_or_broken_text_echoes_it() -> None:
    assert run("-", "--write", input=CLEAN).stdout == CLEAN
    broken = run("-", "--write", input=BAD)
    assert broken.stdout == BAD and broken.exit_code == 1


def test_stdin_diff_uses_the_stdin_filename() -> None:
    result = run("-", "--diff", "--stdin-filename", "svc/Dockerfile", input=FIXABLE)
    assert result.stdout.startswith("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n")


def test_stdin_keeps_undecodable_bytes_and_crlf() -> None:
    data = b"FROM debian\r\n# \xff\r\nRUN apt-get install --no-install-recommends curl\r\n"
    result = run("-", "--write", input=data)
    assert result.stdout_bytes == data.replace(b"install --no", b"install -y --no")


def test_stdin_with_files(tmp_path: Path) -> None:
    alone = run("-", input=CLEAN)
    assert alone.exit_code == 0 and "1 file scanned" in alone.stderr
    one_file(tmp_path, CLEAN)
    result = run(str(tmp_path), "-", input=BAD)
    assert result.exit_code == 1
    assert "2 files scanned" in result.stderr


# -- the group's routing ------------------------------------------------------------


def test_check_subcommand_and_bare_paths_agree(tmp_path: Path) -> None:
    path = one_file(tmp_path, FIXABLE)
    bare, explicit = run(str(path)), run("check", str(path))
    assert (bare.exit_code, bare.stdout) == (explicit.exit_code, explicit.stdout)
    assert run("check", "--diff", str(path)).stdout == run("--diff", str(path)).stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = run("--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_version_flag_and_command() -> None:
    assert run("--version").stdout.strip() == f"dfix, version {dfix.__version__}"
    assert run("version").stdout.strip() == f"dfix, version {dfix.__version__}"


def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "rule", "init", "version"):
        assert command in result.stdout
