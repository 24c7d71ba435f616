"""Command-line settings over the files'."""

from __future__ import annotations

import pytest

from dfix.config import ConfigError, default_settings, parse_per_file_ignores, parse_severity_overrides

from .helpers import dockerfile, error_of, resolver, write

# -- command-line overrides -------------------------------------------------------------------


def test_overrides_win_over_files(tmp_path):
    write(tmp_path / ".dfix.toml", 'fail-on = "error"\n[lint]\nselect = ["DF2"]\nignore = ["DF202"]\n')
    r = resolver(tmp_path, overrides={"fail-on": "info", "lint.extend-select": ["DF202", "DF100"], "lint.ignore": ["DF201"]})
    settings = r.settings_for(dockerfile(tmp_path))
    assert settings.fail_on == "info"
    run, _ = settings.rule_codes_for(tmp_path / "Dockerfile")
    # the command line re-enables what the file ignored, and its ignore adds to the file's
    assert "DF202" in run and "DF100" in run
    assert "DF201" not in run
    assert settings.ignore == ("DF202", "DF201")


def test_ignore_suppressions_override_wins_over_the_files(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nhonor-suppressions = true\nforeign-suppressions = ["hadolint"]\n')
    plain = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert (plain.honor_suppressions, plain.foreign_suppressions) == (True, ("hadolint",))
    overridden = resolver(tmp_path, overrides={"lint.honor-suppressions": False}).settings_for(dockerfile(tmp_path))
    assert (overridden.honor_suppressions, overridden.foreign_suppressions) == (False, ("hadolint",))
    error = error_of(resolver, tmp_path, overrides={"lint.honor-suppressions": "no"})
    assert str(error).startswith("command line: lint.honor-suppressions: ")


def test_task_for_carries_the_suppression_policy(tmp_path):
    from dfix.process import Task, task_for

    write(tmp_path / ".dfix.toml", '[lint]\nhonor-suppressions = false\nforeign-suppressions = ["buildkit"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    task = task_for(str(tmp_path / "Dockerfile"), "check", settings)
    assert (task.honor_suppressions, task.foreign_suppressions) == (False, ("buildkit",))
    default = task_for("Dockerfile", "check", default_settings(cwd=tmp_path))
    assert (default.honor_suppressions, default.foreign_suppressions) == (True, ("hadolint", "buildkit", "tally"))
    assert (Task("x", "check", (), ()).honor_suppressions, Task("x", "check", (), ()).foreign_suppressions) == (True, None)


def test_override_select_starts_over(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nselect = ["DF2"]\nextend-select = ["DF100"]\n')
    settings = resolver(tmp_path, overrides={"lint": {"select": ["DF624"]}}).settings_for(dockerfile(tmp_path))
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == {"DF624"}


def test_override_unset_values_are_skipped(tmp_path):
    settings = resolver(tmp_path, overrides={"fail-on": None, "lint.select": None}).settings_for(dockerfile(tmp_path))
    assert settings.fail_on == "warning"


def test_override_errors_name_the_command_line(tmp_path):
    error = error_of(resolver, tmp_path, overrides={"lint.select": ["DF999"]})
    assert str(error).startswith("command line: lint.select: unknown rule selector 'DF999'")
    error = error_of(resolver, tmp_path, overrides={"fail-on": "warn"})
    assert str(error) == (
        "command line: fail-on: expected one of error, warning, info, style, none, got string 'warn' "
        "(did you mean warning?)"
    )


def test_override_per_file_ignores_and_severity_helpers(tmp_path):
    overrides = {
        "lint.per-file-ignores": parse_per_file_ignores(["ci/**:DF100,DF200", "*.dev:DL3059"]),
        "lint.severity": parse_severity_overrides(["DL3059=error"]),
    }
    settings = resolver(tmp_path, overrides=overrides).settings_for(dockerfile(tmp_path))
    assert settings.severity == {"DF100": "error"}
    assert {"DF100", "DF200"}.isdisjoint(settings.rule_codes_for(tmp_path / "ci" / "Dockerfile")[0])
    assert "DF100" not in settings.rule_codes_for(tmp_path / "x" / "Dockerfile.dev")[0]
    with pytest.raises(ConfigError):
        parse_per_file_ignores(["no-colon"])
