"""Configuration as the command sees it (ux.md §5): discovery, precedence, overrides, errors (exit 2).

A project config replaces the pinned user-level one (see ``helpers.PINNED_RULES``), so
configs here select the rules they are about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import FIXABLE, FIXABLE_FIXED, UNSAFE, UNSAFE_FIXED, run, write_tree

#: A file with DF201 (safe fix), DF220 (safe fix) and DF202 (unsafe fix).
MIXED = "FROM debian\nRUN apt-get install curl\n\nFROM python\nRUN pip install flask\n"


def codes(result) -> list[str]:
    return [line.split()[1] for line in result.stdout.splitlines()]


def test_the_closest_config_file_wins_without_merging(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".dfix.toml": '[lint]\nselect = ["DF201"]\n',
        "Dockerfile": MIXED,
        "sub/dfix.toml": '[lint]\nselect = ["DF220"]\n',
        "sub/Dockerfile": MIXED,
    })
    result = run("--output-format", "concise", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("Dockerfile")] == ["DF201"]
    assert [line.split()[1] for line in lines if line.startswith("sub")] == ["DF220"]


def test_pyproject_tool_dfix_table_and_precedence_in_one_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.dfix.lint]\nselect = ["DF220"]\n',
        "Dockerfile": MIXED,
        "other/pyproject.toml": '[project]\nname = "x"\n',  # no [tool.dfix]: skipped, the parent's applies
        "other/Dockerfile": MIXED,
    })
    assert set(codes(run("--output-format", "concise", cwd=tmp_path))) == {"DF220"}
    (tmp_path / "dfix.toml").write_text('[lint]\nselect = ["DF202"]\n')
    assert set(codes(run("--output-format", "concise", cwd=tmp_path))) == {"DF202"}
    (tmp_path / ".dfix.toml").write_text('[lint]\nselect = ["DF201"]\n')
    assert set(codes(run("--output-format", "concise", cwd=tmp_path))) == {"DF201"}


def test_command_line_overrides_files_and_isolated_ignores_them(tmp_path: Path) -> None:
    write_tree(tmp_path, {".dfix.toml": '[lint]\nselect = ["DF201"]\n', "Dockerfile": MIXED})
    assert codes(run("--select", "DF220", "--output-format", "concise", cwd=tmp_path)) == ["DF220"]
    assert set(codes(run("--isolated", "--output-format", "concise", cwd=tmp_path))) >= {"DF201", "DF202", "DF220"}


def test_config_option_and_environment_variable_apply_one_file_to_every_input(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "shared.toml": '[lint]\nselect = ["DF220"]\n',
        "a/.dfix.toml": '[lint]\nselect = ["DF201"]\n',
        "a/Dockerfile": MIXED,
    })
    assert codes(run("--config", "shared.toml", "--output-format", "concise", cwd=tmp_path)) == ["DF220"]
    result = run("--output-format", "concise", cwd=tmp_path, env={"DFIX_CONFIG": "shared.toml"})
    assert codes(result) == ["DF220"]


def test_user_level_config_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "xdg"
    write_tree(home, {"dfix/dfix.toml": '[lint]\nselect = ["DF220"]\n'})
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    project = write_tree(tmp_path / "project", {"Dockerfile": MIXED})
    assert codes(run("--output-format", "concise", cwd=project)) == ["DF220"]


def test_settings_from_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".dfix.toml": (
            'fail-on = "error"\noutput-format = "json"\nunsafe-fixes = true\n'
            '[lint]\nselect = ["DF202", "DF204"]\n[lint.severity]\nDF204 = "error"\n'
        ),
        "Dockerfile": UNSAFE,
    })
    result = run(cwd=tmp_path)
    assert result.exit_code == 0  # warnings only, fail-on error
    assert [finding["code"] for finding in json.loads(result.stdout)] == ["DF202"]
    assert run("--write", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "Dockerfile").read_text() == UNSAFE_FIXED


def test_severity_override_changes_the_exit_code(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": FIXABLE})
    assert run(".", cwd=tmp_path).exit_code == 1
    assert run(".", "--severity", "DF201=info", cwd=tmp_path).exit_code == 0
    (tmp_path / ".dfix.toml").write_text('[lint]\nselect = ["DF201"]\n[lint.severity]\nDL3014 = "style"\n')  # aliases too
    result = run(".", "--output-format", "json", cwd=tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["severity"] == "style"


def test_per_file_ignores_from_file_and_command_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".dfix.toml": '[lint]\nselect = ["DF201"]\n[lint.per-file-ignores]\n"legacy/**" = ["DF201"]\n',
        "legacy/Dockerfile": FIXABLE,
        "new/Dockerfile": FIXABLE,
    })
    result = run("--output-format", "concise", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["new/Dockerfile"]
    result = run(
        "--output-format", "concise", "--isolated", "--select", "DF201", "--per-file-ignores", "new/*:DF201", cwd=tmp_path
    )
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["legacy/Dockerfile"]


def test_excludes_and_includes_from_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".dfix.toml": 'extend-exclude = ["third_party/**"]\nextend-include = ["docker/*.df"]\n',
        "third_party/Dockerfile": FIXABLE,
        "docker/api.df": FIXABLE,
        "Dockerfile": FIXABLE,
    })
    result = run("--show-files", cwd=tmp_path)
    assert result.stdout.splitlines() == ["Dockerfile", "docker/api.df"]
    assert run("--show-files", "third_party/Dockerfile", cwd=tmp_path).stdout.strip() == "third_party/Dockerfile"
    assert run("--show-files", "--force-exclude", "third_party/Dockerfile", cwd=tmp_path).stdout == ""


def test_unfixable_in_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {".dfix.toml": '[lint]\nselect = ["DF201"]\nunfixable = ["DL3014"]\n', "Dockerfile": FIXABLE})
    assert run("--write", cwd=tmp_path).exit_code == 1
    assert (tmp_path / "Dockerfile").read_text() == FIXABLE
    assert run("--write", "--isolated", "--select", "DF201", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "Dockerfile").read_text() == FIXABLE_FIXED


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("bogus = 1\n", ".dfix.toml: bogus: unknown key"),
        ("[lint]\nselect = [\"DF999\"]\n", ".dfix.toml: lint.select: unknown rule selector 'DF999'"),
        ("fail-on = \"sometimes\"\n", ".dfix.toml: fail-on:"),
        ("this is not toml\n", ".dfix.toml: invalid TOML"),
    ],
)
def test_config_errors_exit_2_with_one_line_naming_file_and_key(tmp_path: Path, config: str, expected: str) -> None:
    write_tree(tmp_path, {".dfix.toml": config, "Dockerfile": FIXABLE})
    result = run(cwd=tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert result.stdout == ""


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": FIXABLE})
    result = run("--config", "nope.toml", cwd=tmp_path)
    assert result.exit_code == 2
    assert "nope.toml: no such config file" in result.stderr


def test_output_format_not_rendered_yet_is_a_clear_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {".dfix.toml": 'output-format = "junit"\n', "Dockerfile": FIXABLE})
    result = run(cwd=tmp_path)
    assert result.exit_code == 2
    assert "output format 'junit' is not available yet" in result.stderr


def test_stdin_filename_picks_the_config_of_its_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/.dfix.toml": '[lint]\nselect = ["DF220"]\n'})
    result = run("-", "--stdin-filename", "svc/Dockerfile", "--output-format", "concise", input=MIXED, cwd=tmp_path)
    assert codes(result) == ["DF220"]


def test_each_file_is_reported_under_the_fix_policy_it_is_fixed_under(tmp_path: Path) -> None:
    """`unsafe-fixes = true` in a sub-folder: its file's unsafe fix is applicable there, not at the top."""
    write_tree(tmp_path, {
        ".dfix.toml": '[lint]\nselect = ["DF202"]\n',
        "Dockerfile": UNSAFE,
        "sub/.dfix.toml": 'unsafe-fixes = true\n[lint]\nselect = ["DF202"]\n',
        "sub/Dockerfile": UNSAFE,
    })
    checked = run("--output-format", "concise", ".", cwd=tmp_path)
    assert "sub/Dockerfile:2:5: DF202 [*] " in checked.stdout
    assert "./Dockerfile:2:5: DF202 `apt-get" in checked.stdout or "Dockerfile:2:5: DF202 `apt-get" in checked.stdout
    assert "2 fixable with --write --unsafe-fixes\n" in checked.stderr  # true of both files
    diff = run("--diff", ".", cwd=tmp_path)
    assert "+RUN apt-get install --no-install-recommends -y ca-certificates curl" in diff.stdout
    assert diff.stdout.count("+++ ") == 1  # only the sub-folder's file is fixed
    written = run("--write", ".", cwd=tmp_path)
    assert (tmp_path / "sub/Dockerfile").read_text() == UNSAFE_FIXED
    assert (tmp_path / "Dockerfile").read_text() == UNSAFE
    assert "1 more fixable with --unsafe-fixes" in written.stderr


def test_unsafe_fixes_can_be_taken_one_rule_at_a_time(tmp_path: Path) -> None:
    write_tree(tmp_path, {".dfix.toml": '[lint]\nselect = ["DF202", "DF201"]\n', "Dockerfile": UNSAFE})
    plain = run("--diff", "Dockerfile", cwd=tmp_path)
    assert plain.stdout == ""  # DF202's fix is unsafe
    taken = run("--diff", "--extend-safe-fixes", "DF202", "Dockerfile", cwd=tmp_path)
    assert "+RUN apt-get install --no-install-recommends -y ca-certificates curl" in taken.stdout
    write_tree(tmp_path, {"sub/.dfix.toml": '[lint]\nselect = ["DF202"]\nextend-safe-fixes = ["DF202"]\n', "sub/Dockerfile": UNSAFE})
    run("--write", ".", cwd=tmp_path)
    assert (tmp_path / "sub/Dockerfile").read_text() == UNSAFE_FIXED
    assert (tmp_path / "Dockerfile").read_text() == UNSAFE
    write_tree(tmp_path, {"Dockerfile": FIXABLE})
    demoted = run("--diff", "--extend-unsafe-fixes", "DF201", "Dockerfile", cwd=tmp_path)
    assert demoted.stdout == ""
    assert "1 more fixable with --unsafe-fixes" in demoted.stderr
