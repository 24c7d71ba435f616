"""Configuration: discovery, precedence, extend, validation, selection, and the hadolint converter."""

from __future__ import annotations

from pathlib import Path

import pytest

import dfix
from dfix.config import (
    ConfigError, ConfigResolver, Settings, anchor_glob, default_settings, load_config_text, parse_per_file_ignores,
    parse_severity_overrides, user_config_path, version_satisfies,
)
from dfix.engine.registry import all_rules
from dfix.hadolint_config import convert_hadolint, find_hadolint_config, write_init

ALL_CODES = frozenset(rule.code for rule in all_rules() if rule.default_enabled)


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """Keep the developer's own ~/.config/dfix/dfix.toml out of every test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-empty")))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dockerfile(folder: Path, name: str = "Dockerfile") -> Path:
    return write(folder / name, "FROM scratch\n")


def resolver(tmp_path: Path, **kwargs) -> ConfigResolver:
    return ConfigResolver(cwd=tmp_path, **kwargs)


def error_of(callable_, *args, **kwargs) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        callable_(*args, **kwargs)
    return info.value


# -- defaults -----------------------------------------------------------------------


def test_defaults():
    settings = default_settings()
    assert settings.source is None
    assert settings.fail_on == "warning"
    assert settings.select is None
    run, fix = settings.rule_codes_for("Dockerfile")
    assert run == ALL_CODES
    assert fix == ALL_CODES
    assert settings.honor_suppressions is True
    assert settings.foreign_suppressions == ("hadolint", "buildkit", "tally")
    assert settings.respect_gitignore is True
    assert not settings.is_excluded("/x/Dockerfile")


def test_no_config_anywhere_gives_defaults(tmp_path):
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path / "a"))
    assert settings.source is None
    assert settings.fail_on == "warning"


# -- discovery ------------------------------------------------------------------------


def test_precedence_within_one_folder(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dfix]\nfail-on = "error"\n')
    write(tmp_path / "dfix.toml", 'fail-on = "info"\n')
    write(tmp_path / ".dfix.toml", 'fail-on = "style"\n')
    file = dockerfile(tmp_path)
    assert resolver(tmp_path).settings_for(file).source == tmp_path / ".dfix.toml"
    (tmp_path / ".dfix.toml").unlink()
    settings = resolver(tmp_path).settings_for(file)
    assert (settings.source, settings.fail_on) == (tmp_path / "dfix.toml", "info")
    (tmp_path / "dfix.toml").unlink()
    settings = resolver(tmp_path).settings_for(file)
    assert (settings.source, settings.fail_on) == (tmp_path / "pyproject.toml", "error")


def test_closest_file_wins_without_merging(tmp_path):
    write(tmp_path / ".dfix.toml", 'fail-on = "error"\nshow-fixes = true\n')
    write(tmp_path / "svc" / ".dfix.toml", 'fail-on = "info"\n')
    r = resolver(tmp_path)
    top = r.settings_for(dockerfile(tmp_path))
    deep = r.settings_for(dockerfile(tmp_path / "svc" / "api" / "v1"))
    assert (top.fail_on, top.show_fixes) == ("error", True)
    assert (deep.source, deep.fail_on, deep.show_fixes) == (tmp_path / "svc" / ".dfix.toml", "info", False)


def test_pyproject_without_table_is_skipped(tmp_path):
    write(tmp_path / ".dfix.toml", 'fail-on = "error"\n')
    write(tmp_path / "app" / "pyproject.toml", '[project]\nname = "app"\n[tool.black]\nline-length = 100\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path / "app"))
    assert settings.source == tmp_path / ".dfix.toml"


def test_pyproject_with_table(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dfix]\nfail-on = "info"\n[tool.dfix.lint]\nignore = ["DF100"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.fail_on == "info"
    assert "DF100" not in settings.rule_codes_for(tmp_path / "Dockerfile")[0]


def test_settings_for_a_folder_and_relative_paths(tmp_path):
    write(tmp_path / "svc" / ".dfix.toml", 'fail-on = "info"\n')
    dockerfile(tmp_path / "svc")
    r = resolver(tmp_path)
    assert r.settings_for(tmp_path / "svc").fail_on == "info"
    assert r.settings_for("svc/Dockerfile").fail_on == "info"
    assert r.settings_for("Dockerfile").fail_on == "warning"


def test_discovery_is_cached_per_folder(tmp_path, monkeypatch):
    write(tmp_path / ".dfix.toml", 'fail-on = "info"\n')
    files = [dockerfile(tmp_path / f"d{i}" / "e", f"Dockerfile.{j}") for i in range(20) for j in range(5)]
    r = resolver(tmp_path)
    import dfix.config as config

    reads = []
    original = config._read_toml
    monkeypatch.setattr(config, "_read_toml", lambda path, display: reads.append(path) or original(path, display))
    first = r.settings_for(files[0])
    assert all(r.settings_for(file) is first for file in files)
    assert reads == [tmp_path / ".dfix.toml"]
    assert r.files_used() == [tmp_path / ".dfix.toml"]


def test_user_config_is_the_fallback(tmp_path, monkeypatch):
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert user_config_path() == xdg / "dfix" / "dfix.toml"
    write(xdg / "dfix" / "dfix.toml", 'fail-on = "error"\n[lint.per-file-ignores]\n"ci/**" = ["DF100"]\n')
    project = tmp_path / "project"
    r = resolver(project)
    settings = r.settings_for(dockerfile(project))
    assert (settings.source, settings.fail_on) == (xdg / "dfix" / "dfix.toml", "error")
    # the user file's relative globs resolve against the current folder
    assert "DF100" not in settings.rule_codes_for(project / "ci" / "Dockerfile")[0]
    assert "DF100" in settings.rule_codes_for(project / "Dockerfile")[0]
    # a project file beats the user file
    write(project / "sub" / ".dfix.toml", 'fail-on = "info"\n')
    assert r.settings_for(dockerfile(project / "sub")).fail_on == "info"


def test_config_option_applies_one_file_to_all(tmp_path):
    write(tmp_path / "svc" / ".dfix.toml", 'fail-on = "info"\n')
    central = write(tmp_path / "policy" / "central.toml", 'fail-on = "error"\nextend-exclude = ["vendor/**"]\n')
    r = resolver(tmp_path, config_file=Path("policy/central.toml"))
    settings = r.settings_for(dockerfile(tmp_path / "svc"))
    assert (settings.source, settings.fail_on) == (central, "error")
    # relative paths of a --config file resolve against the current folder
    assert settings.is_excluded(tmp_path / "vendor" / "x" / "Dockerfile")
    assert not settings.is_excluded(tmp_path / "policy" / "vendor" / "Dockerfile")
    assert r.files_used() == [central]


def test_config_option_missing_file(tmp_path):
    error = error_of(resolver, tmp_path, config_file=tmp_path / "nope.toml")
    assert "no such config file" in str(error)


def test_config_option_pyproject_without_table(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    error = error_of(resolver, tmp_path, config_file="pyproject.toml")
    assert str(error) == "pyproject.toml: has no [tool.dfix] table"


def test_isolated_ignores_every_file(tmp_path, monkeypatch):
    write(tmp_path / ".dfix.toml", 'fail-on = "error"\nlint.selct = []\n')  # even a broken one
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    write(xdg / "dfix" / "dfix.toml", 'fail-on = "error"\n')
    r = resolver(tmp_path, isolated=True, overrides={"fail-on": "info"})
    settings = r.settings_for(dockerfile(tmp_path))
    assert (settings.source, settings.fail_on) == (None, "info")
    assert r.files_used() == []


# -- extend -------------------------------------------------------------------------------


def test_extend_inherits_and_accumulates(tmp_path):
    write(tmp_path / "base.toml", """
fail-on = "error"
show-fixes = true
extend-exclude = ["vendor/**"]
[lint]
select = ["DF2"]
extend-select = ["DF100"]
ignore = ["DF201"]
extend-ignore = ["DF202"]
[lint.severity]
DF200 = "info"
DF210 = "style"
[lint.rules.DF100]
max-commands = 5
""")
    write(tmp_path / "svc" / ".dfix.toml", """
extend = "../base.toml"
fail-on = "info"
extend-exclude = ["gen/**"]
[lint]
ignore = ["DF210"]
extend-ignore = ["DF204"]
extend-select = ["DF624"]
[lint.severity]
DF200 = "error"
[lint.rules.DF100]
max-merged-commands = 9
""")
    r = resolver(tmp_path)
    settings = r.settings_for(dockerfile(tmp_path / "svc"))
    assert settings.fail_on == "info"  # child overrides
    assert settings.show_fixes is True  # inherited
    assert settings.files == (tmp_path / "base.toml", tmp_path / "svc" / ".dfix.toml")
    run, _ = settings.rule_codes_for(tmp_path / "svc" / "Dockerfile")
    # select from the parent; extend-select accumulates; the child's ignore replaces the parent's
    # (DF201 back on) while extend-ignore accumulates (DF202 and DF204 off)
    assert run == (frozenset(c for c in ALL_CODES if c.startswith("DF2")) | {"DF100", "DF624"}) - {
        "DF210", "DF202", "DF204",
    }
    assert settings.is_excluded(tmp_path / "vendor" / "Dockerfile")  # parent's glob, anchored at the parent
    assert settings.is_excluded(tmp_path / "svc" / "gen" / "Dockerfile")
    assert settings.severity == {"DF200": "error", "DF210": "style"}
    assert settings.rule_options == {"DF100": {"max-commands": 5, "max-merged-commands": 9}}
    assert r.files_used() == [tmp_path / "svc" / ".dfix.toml", tmp_path / "base.toml"]


def test_extend_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dfix]\nfail-on = "error"\n')
    write(tmp_path / "svc" / "dfix.toml", 'extend = "../pyproject.toml"\nshow-fixes = true\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path / "svc"))
    assert (settings.fail_on, settings.show_fixes) == ("error", True)


def test_extend_cycle_is_an_error(tmp_path):
    write(tmp_path / "a.toml", 'extend = "b.toml"\n')
    write(tmp_path / "b.toml", 'extend = "a.toml"\n')
    write(tmp_path / ".dfix.toml", 'extend = "a.toml"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == "extend"
    assert "extend cycle" in str(error)
    assert "a.toml -> b.toml -> a.toml" in str(error)


def test_extend_self_is_a_cycle(tmp_path):
    write(tmp_path / ".dfix.toml", 'extend = ".dfix.toml"\n')
    assert "extend cycle" in str(error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path)))


def test_extend_missing_file(tmp_path):
    write(tmp_path / ".dfix.toml", 'extend = "nope.toml"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == ".dfix.toml: extend: no such file: nope.toml"


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


# -- selection ------------------------------------------------------------------------------


def selection(tmp_path: Path, lint: str) -> tuple[frozenset[str], frozenset[str]]:
    write(tmp_path / ".dfix.toml", "[lint]\n" + lint)
    return resolver(tmp_path).settings_for(dockerfile(tmp_path)).rule_codes_for(tmp_path / "Dockerfile")


def test_select_by_prefix_name_alias(tmp_path):
    run, _ = selection(tmp_path, 'select = ["DF21", "consecutive-run", "DL3042"]\n')
    assert run == frozenset(c for c in ALL_CODES if c.startswith("DF21")) | {"DF100", "DF220"}


def test_more_specific_selector_wins(tmp_path):
    run, _ = selection(tmp_path, 'select = ["DF202"]\nignore = ["DF2"]\n')
    assert "DF202" in run and "DF201" not in run
    run, _ = selection(tmp_path, 'select = ["DF2"]\nignore = ["DF202"]\n')
    assert "DF202" not in run and "DF201" in run


def test_fixable_and_unfixable(tmp_path):
    run, fix = selection(tmp_path, 'fixable = ["DF2"]\nunfixable = ["DF200"]\n')
    assert run == ALL_CODES
    assert fix == frozenset(c for c in ALL_CODES if c.startswith("DF2")) - {"DF200"}
    run, fix = selection(tmp_path, 'ignore = ["DF100"]\n')
    assert "DF100" not in fix  # only running rules can fix


def test_top_level_select_is_an_alias(tmp_path):
    write(tmp_path / ".dfix.toml", 'select = ["DF100"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == {"DF100"}


def test_top_level_and_lint_select_together_is_an_error(tmp_path):
    write(tmp_path / ".dfix.toml", 'select = ["DF100"]\n[lint]\nselect = ["DF200"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == ".dfix.toml: lint.select: also set as select; keep one"


def test_hadolint_codes_of_unimplemented_rules_are_accepted(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nignore = ["DL3008", "SC2086", "DL1001"]\n[lint.severity]\nDL3008 = "error"\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == ALL_CODES
    assert settings.severity == {"DF230": "error"}
    assert any("DL3008 (DF230 apt-unpinned) is not implemented" in warning for warning in settings.warnings)


def test_shellcheck_codes_resolve_to_themselves(tmp_path):
    run, _ = selection(tmp_path, 'extend-select = ["SC2086"]\n')
    assert run == ALL_CODES | {"SC2086"}


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore", "extend-ignore", "fixable", "unfixable"])
def test_unknown_codes_are_errors(tmp_path, key):
    write(tmp_path / ".dfix.toml", f'[lint]\n{key} = ["DF100", "DL9999"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == f"lint.{key}"
    assert str(error).startswith(f".dfix.toml: lint.{key}: unknown rule selector 'DL9999'")


def test_unknown_code_suggestion(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nignore = ["consecutive-runs"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == ".dfix.toml: lint.ignore: unknown rule selector 'consecutive-runs' (did you mean consecutive-run?)"


# -- per-file-ignores, exclude, include -----------------------------------------------------------


def test_per_file_ignores(tmp_path):
    write(tmp_path / ".dfix.toml", """
[lint.per-file-ignores]
"**/Dockerfile.dev" = ["DL3059", "DF202"]
"ci/**" = ["DF2"]
"Containerfile" = ["DF624"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    codes = lambda *parts: settings.rule_codes_for(tmp_path.joinpath(*parts))[0]  # noqa: E731
    assert codes("Dockerfile") == ALL_CODES
    assert codes("Dockerfile.dev") == ALL_CODES - {"DF100", "DF202"}
    assert codes("a", "b", "Dockerfile.dev") == ALL_CODES - {"DF100", "DF202"}
    assert codes("ci", "deep", "Dockerfile") == frozenset(c for c in ALL_CODES if not c.startswith("DF2"))
    assert codes("other", "ci", "Dockerfile") == ALL_CODES  # "ci/**" is anchored at the config's folder
    assert codes("x", "Containerfile") == ALL_CODES - {"DF624"}  # no slash: any depth
    run, fix = settings.rule_codes_for(tmp_path / "Dockerfile.dev")
    assert fix <= run
    # globs are stored anchored
    assert settings.per_file_ignores[1] == (f"{tmp_path.as_posix()}/ci/**", ("DF2",))


def test_per_file_ignores_of_a_parent_config_stay_anchored_at_the_parent(tmp_path):
    write(tmp_path / "base.toml", '[lint.per-file-ignores]\n"ci/**" = ["DF100"]\n')
    write(tmp_path / "svc" / ".dfix.toml", 'extend = "../base.toml"\n[lint.extend-per-file-ignores]\n"ci/**" = ["DF200"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path / "svc"))
    assert "DF100" not in settings.rule_codes_for(tmp_path / "ci" / "Dockerfile")[0]
    assert "DF100" in settings.rule_codes_for(tmp_path / "svc" / "ci" / "Dockerfile")[0]
    assert "DF200" not in settings.rule_codes_for(tmp_path / "svc" / "ci" / "Dockerfile")[0]


def test_per_file_ignores_bad_codes_and_types(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint.per-file-ignores]\n"ci/**" = ["DF999"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error).startswith('.dfix.toml: lint.per-file-ignores."ci/**": unknown rule selector')
    write(tmp_path / ".dfix.toml", '[lint.per-file-ignores]\n"ci/**" = "DF100"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert "expected an array of strings" in str(error)


def test_exclude_and_include(tmp_path):
    write(tmp_path / ".dfix.toml", """
exclude = ["third_party", "/build/**"]
extend-exclude = ["*.generated.Dockerfile"]
extend-include = ["docker/*.df"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.is_excluded(tmp_path / "third_party")
    assert settings.is_excluded(tmp_path / "x" / "third_party" / "y" / "Dockerfile")
    assert settings.is_excluded(tmp_path / "build" / "Dockerfile")
    assert not settings.is_excluded(tmp_path / "x" / "build" / "Dockerfile")
    assert settings.is_excluded(tmp_path / "a" / "api.generated.Dockerfile")
    assert not settings.is_excluded(tmp_path / "Dockerfile")
    assert not settings.is_excluded(tmp_path.parent / "third_party" / "Dockerfile")  # outside the project
    assert settings.is_included(tmp_path / "docker" / "api.df")
    assert settings.is_included(tmp_path / "sub" / "dockerfile")  # default names, case-insensitive
    assert settings.is_included(tmp_path / "app.Dockerfile")
    assert not settings.is_included(tmp_path / "Dockerfile.j2")
    assert not settings.is_included(tmp_path / "README.md")


def test_include_replaces_default_names(tmp_path):
    write(tmp_path / ".dfix.toml", 'include = ["images/*/Buildfile"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.is_included(tmp_path / "images" / "api" / "Buildfile")
    assert not settings.is_included(tmp_path / "Dockerfile")


def test_anchor_glob():
    base = Path("/repo")
    assert anchor_glob("ci/**", base) == "/repo/ci/**"
    assert anchor_glob("./ci/", base) == "/repo/ci"
    assert anchor_glob("Dockerfile.dev", base) == "/repo/**/Dockerfile.dev"
    assert anchor_glob("/top", base) == "/repo/top"
    assert anchor_glob("../shared/**", base) == "/shared/**"
    assert anchor_glob("x", Path("/we[ird]")) == "/we\\[ird\\]/**/x"


def test_glob_with_special_characters_in_the_folder(tmp_path):
    folder = tmp_path / "we[ird] *"
    write(folder / ".dfix.toml", '[lint.per-file-ignores]\n"ci/*" = ["DF100"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(folder))
    assert "DF100" not in settings.rule_codes_for(folder / "ci" / "Dockerfile")[0]
    assert "DF100" in settings.rule_codes_for(tmp_path / "weird" / "ci" / "Dockerfile")[0]


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[lint]\nselct = ["DF100"]\n', ".dfix.toml: lint.selct: unknown key (did you mean lint.select?)"),
        ('fail_on = "error"\n', ".dfix.toml: fail_on: unknown key (did you mean fail-on?)"),
        ('[lint]\nfail-on = "error"\n', ".dfix.toml: lint.fail-on: unknown key (fail-on belongs at the top level, not in the lint table)"),
        ('honor-supressions = false\n', ".dfix.toml: honor-supressions: unknown key (did you mean lint.honor-suppressions?)"),
        ('frobnicate = 1\n', ".dfix.toml: frobnicate: unknown key"),
        ('[tool.dfix]\nfail-on = "error"\n', ".dfix.toml: tool: unknown key (in .dfix.toml and dfix.toml the settings sit at the top level, without [tool.dfix])"),
        ('[pin]\nmod = "digest"\n', ".dfix.toml: pin.mod: unknown key (did you mean pin.mode?)"),
        ('[lint.labels]\nstrikt = true\n', ".dfix.toml: lint.labels.strikt: unknown key (did you mean lint.labels.strict?)"),
    ],
)
def test_unknown_keys(tmp_path, text, expected):
    write(tmp_path / ".dfix.toml", text)
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == expected
    assert error.path == tmp_path / ".dfix.toml"


def test_unknown_key_in_pyproject_names_the_full_key(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dfix.lint]\nselct = []\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == "pyproject.toml: tool.dfix.lint.selct: unknown key (did you mean tool.dfix.lint.select?)"
    assert error.key == "tool.dfix.lint.selct"


def test_error_path_is_absolute_outside_the_cwd(tmp_path):
    project = tmp_path / "project"
    write(project / ".dfix.toml", "frobnicate = 1\n")
    error = error_of(ConfigResolver(cwd=tmp_path / "elsewhere").settings_for, dockerfile(project))
    assert str(error) == f"{project / '.dfix.toml'}: frobnicate: unknown key"


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('fail-on = "warn"\n', "fail-on", "expected one of error, warning, info, style, none, got string 'warn' (did you mean warning?)"),
        ("fail-on = 1\n", "fail-on", "expected one of error, warning, info, style, none, got integer 1"),
        ('output-format = "tty"\n', "output-format", "expected one of"),
        ('unsafe-fixes = "yes"\n', "unsafe-fixes", "expected true or false, got string 'yes'"),
        ('respect-gitignore = 1\n', "respect-gitignore", "expected true or false, got integer 1"),
        ('extend-exclude = "vendor"\n', "extend-exclude", 'expected an array of strings, got string \'vendor\' (write ["vendor"])'),
        ("exclude = [1]\n", "exclude", "expected an array of strings, found integer 1"),
        ('lint = 3\n', "lint", "expected a table, got integer 3"),
        ('[lint]\nforeign-suppressions = ["hadolnt"]\n', "lint.foreign-suppressions", "unknown suppression dialect 'hadolnt'"),
        ('network = "online"\n', "network", "expected one of auto, offline, required"),
        ('[pin]\nregistry-cache-ttl = "six hours"\n', "pin.registry-cache-ttl", "expected a duration"),
        ('[lint.labels.required]\nversion = "number"\n', "lint.labels.required.version", "expected one of text, url"),
        ('extend = 3\n', "extend", "expected a string, got integer 3"),
    ],
)
def test_bad_values(tmp_path, text, key, message):
    write(tmp_path / ".dfix.toml", text)
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == key
    assert str(error).startswith(f".dfix.toml: {key}: {message}")


def test_toml_syntax_error(tmp_path):
    write(tmp_path / ".dfix.toml", 'fail-on = "error"\n[lint\nselect = []\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key is None
    assert str(error).startswith(".dfix.toml: invalid TOML: ")
    assert "line 2" in str(error)


def test_broken_pyproject_is_reported(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\n")
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error).startswith("pyproject.toml: invalid TOML")


def test_error_in_discovered_file_is_raised_when_needed(tmp_path):
    write(tmp_path / "bad" / ".dfix.toml", "nope = 1\n")
    r = resolver(tmp_path)
    assert r.settings_for(dockerfile(tmp_path / "good")).source is None
    with pytest.raises(ConfigError):
        r.settings_for(dockerfile(tmp_path / "bad"))


# -- severity, rule options, required-version ------------------------------------------------------


def test_severity(tmp_path):
    write(tmp_path / ".dfix.toml", """
[lint.severity]
DL3059 = "style"
DF2 = "info"
DF200 = "error"
consecutive-run = "error"
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.severity["DF100"] == "error"  # both exact; the later entry wins
    assert settings.severity["DF200"] == "error"  # exact beats the prefix
    assert settings.severity["DF201"] == "info"
    assert settings.severity["DF230"] == "info"  # catalogued rules too, for when they arrive
    assert settings.severity_for("DF624", "warning") == "warning"


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('DF100 = "fatal"\n', "lint.severity.DF100", "expected one of error, warning, info, style, got string 'fatal'"),
        ('DF100 = 1\n', "lint.severity.DF100", "expected one of error, warning, info, style, got integer 1"),
        ('DX100 = "error"\n', "lint.severity.DX100", "unknown rule selector 'DX100'"),
        ('DF000 = "info"\n', "lint.severity.DF000", "DF000 parse-error is always an error"),
    ],
)
def test_bad_severity(tmp_path, text, key, message):
    write(tmp_path / ".dfix.toml", "[lint.severity]\n" + text)
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert (error.key, error.message[: len(message)]) == (key, message)


def test_rule_options(tmp_path):
    write(tmp_path / ".dfix.toml", "[lint.rules.DF100]\nmax-commands = 4\n[lint.rules.DL3059]\nmax-merged-commands = 10\n")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.rule_options == {"DF100": {"max-commands": 4, "max-merged-commands": 10}}
    # the options instantiate the rule as the engine does
    from dfix.engine import make_rules

    rules = make_rules(select=["DF100"], settings=settings.rule_options)
    assert rules[0].settings == {"max-commands": 4, "max-merged-commands": 10}


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("[lint.rules.DF100]\nmax-comands = 4\n", "lint.rules.DF100.max-comands",
         "unknown option of DF100 consecutive-run (did you mean max-commands?); its options are max-commands, max-merged-commands"),
        ('[lint.rules.DF100]\nmax-commands = "4"\n', "lint.rules.DF100.max-commands", "expected an integer, got string '4'"),
        ("[lint.rules.DF100]\nmax-commands = true\n", "lint.rules.DF100.max-commands", "expected an integer, got boolean true"),
        ("[lint.rules.DF200]\nstrict = true\n", "lint.rules.DF200.strict", "DF200 apt-lists-not-removed has no options"),
        ("[lint.rules.DF2]\nx = 1\n", "lint.rules.DF2", "names "),
        ("[lint.rules.DF999]\nx = 1\n", "lint.rules.DF999", "unknown rule selector 'DF999'"),
        ("[lint.rules.DL3008]\nx = 1\n", "lint.rules.DL3008", "DF230 apt-unpinned is not implemented"),
        ("[lint.rules]\nDF100 = 3\n", "lint.rules.DF100", "expected a table, got integer 3"),
    ],
)
def test_bad_rule_options(tmp_path, text, key, message):
    write(tmp_path / ".dfix.toml", text)
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == key
    assert message in error.message


def test_required_version(tmp_path):
    write(tmp_path / ".dfix.toml", f'required-version = ">={dfix.__version__}"\n')
    assert resolver(tmp_path).settings_for(dockerfile(tmp_path)).source is not None
    write(tmp_path / ".dfix.toml", 'required-version = ">=99.0"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == f".dfix.toml: required-version: this is dfix {dfix.__version__}, which does not satisfy '>=99.0'"
    write(tmp_path / ".dfix.toml", 'required-version = "at least 1"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == "required-version" and "invalid" in error.message


@pytest.mark.parametrize(
    ("version", "spec", "ok"),
    [
        ("0.4.0", ">=0.4", True), ("0.3.9", ">=0.4", False), ("0.4.0", ">0.4", False), ("0.4.1", ">0.4", True),
        ("0.4.0", "==0.4", True), ("0.4.0", "0.4.0", True), ("0.4.2", "==0.4.*", True), ("0.5.0", "==0.4.*", False),
        ("0.4.2", "~=0.4.1", True), ("0.5.0", "~=0.4.1", False), ("0.9", "~=0.4", True), ("1.0", "~=0.4", False),
        ("0.4.0", ">=0.3,<0.5", True), ("0.5.0", ">=0.3,<0.5", False), ("0.4.0", "!=0.4.0", False),
        ("1.0.0rc1", "<1.0", True), ("1.0.0.dev1", "<1.0rc1", True), ("1.0.post1", ">1.0", True),
        ("1.0", "<=1.0", True),
    ],
)
def test_version_satisfies(version, spec, ok):
    assert version_satisfies(version, spec) is ok


def test_other_tables(tmp_path):
    write(tmp_path / ".dfix.toml", """
cache-dir = ".cache/dfix"
network = "offline"
[lint]
honor-suppressions = false
foreign-suppressions = ["hadolint"]
trusted-registries = ["docker.io", "*.gcr.io"]
[lint.labels]
strict = true
required = { "org.opencontainers.image.source" = "url" }
[packages]
pin-policy = "off"
[pin]
mode = "digest"
skip-images = ["scratch"]
[bot]
enabled = false
labels = ["deps"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.cache_dir == tmp_path / ".cache" / "dfix"
    assert settings.network == "offline"
    assert settings.honor_suppressions is False
    assert settings.foreign_suppressions == ("hadolint",)
    assert settings.trusted_registries == ("docker.io", "*.gcr.io")
    assert settings.labels == {"required": {"org.opencontainers.image.source": "url"}, "strict": True}
    assert settings.packages == {"pin-policy": "off", "prefer-base-digest": True}
    assert settings.pin["mode"] == "digest" and settings.pin["refresh"] == "if-unmanaged"
    assert settings.bot["enabled"] is False and settings.bot["branch"] == "dfix/autofix"
    assert settings.to_dict()["cache_dir"] == str(tmp_path / ".cache" / "dfix")


def test_the_ux_sample_configuration_loads(tmp_path):
    """ux.md §5's sample pyproject.toml, as written (its codes include rules not implemented yet)."""
    text = """
[tool.dfix]
required-version = ">=0.1"
include = []
extend-include = ["docker/*.df"]
exclude = []
extend-exclude = ["third_party/**"]
respect-gitignore = true
force-exclude = false
output-format = "full"
fail-on = "warning"
unsafe-fixes = false
show-fixes = false
cache-dir = ".dfix_cache"
network = "auto"

[tool.dfix.lint]
select = ["DF"]
extend-select = []
ignore = []
fixable = ["ALL"]
unfixable = []
extend-safe-fixes = []
extend-unsafe-fixes = []
honor-suppressions = true
foreign-suppressions = ["hadolint", "buildkit", "tally"]
trusted-registries = ["docker.io", "ghcr.io/my-org/*", "*.gcr.io"]

[tool.dfix.lint.severity]
DL3059 = "style"
DL3002 = "error"

[tool.dfix.lint.per-file-ignores]
"**/Dockerfile.dev" = ["DL3008", "DF302"]
"ci/**" = ["DL3002"]

[tool.dfix.lint.labels]
required = { "org.opencontainers.image.source" = "url", "version" = "semver" }
strict = false

[tool.dfix.packages]
pin-policy = "warn"
prefer-base-digest = true

[tool.dfix.pin]
mode = "tag+digest"
refresh = "if-unmanaged"
platform = "keep"
skip-images = ["scratch", "mcr.microsoft.com/windows/*"]
registry-cache-ttl = "6h"

[tool.dfix.bot]
enabled = true
branch = "dfix/autofix"
commit-message = "chore(docker): apply dfix fixes"
title = "chore(docker): apply dfix fixes"
labels = ["dfix"]
draft = false
reviewers = []
recreate-closed = false
"""
    write(tmp_path / "pyproject.toml", text)
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.severity == {"DF100": "style", "DF401": "error"}
    assert settings.include is None  # an empty include keeps the default names
    assert settings.is_included(tmp_path / "Dockerfile")
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == ALL_CODES


def test_settings_can_be_built_directly():
    settings = Settings(select=("DF2",), ignore=("DF200",), unfixable=("DF201",))
    run, fix = settings.rule_codes_for("Dockerfile")
    assert run == frozenset(c for c in ALL_CODES if c.startswith("DF2")) - {"DF200"}
    assert fix == run - {"DF201"}


def test_load_config_text():
    assert load_config_text('fail-on = "info"\n')["fail-on"] == "info"
    with pytest.raises(ConfigError, match="has no \\[tool.dfix\\] table"):
        load_config_text("[project]\n", "pyproject.toml")


# -- hadolint conversion and dfix init -----------------------------------------------------------------

HADOLINT_YAML = """\
---
# Hadolint configuration for Dockerfile linting
failure-threshold: warning
format: gitlab_codeclimate

ignored:
  - DL3008  # Pin versions in apt get install
  - DL3013  # Pin versions in pip install
  - DL3059
  - SC2086  # Double quote to prevent globbing
  - DL9999  # not a rule

override:
  error:
    - DL3003
    - DL3020
  info: [DL3047, "DL3042"]
  style:
    []

trustedRegistries:
  - docker.io
  - "ghcr.io/my-org/*"

label-schema:
  org.opencontainers.image.source: url
  version: semver
  author: text
  maintainer: colour

strict-labels: true
no-color: true
no-fail: false
disable-ignore-pragma: true
verbose: true
"""


def test_convert_hadolint_round_trips_through_the_loader(tmp_path):
    text = convert_hadolint(HADOLINT_YAML)
    values = load_config_text(text)  # must load without errors
    assert values["fail-on"] == "warning"
    assert values["output-format"] == "gitlab"
    assert values["ignore"] == ("DL3008", "DL3013", "DL3059", "SC2086")
    assert values["severity"] == (("DL3003", "error"), ("DL3020", "error"), ("DL3047", "info"), ("DL3042", "info"))
    assert values["trusted-registries"] == ("docker.io", "ghcr.io/my-org/*")
    assert values["labels"] == {
        "strict": True,
        "required": {"org.opencontainers.image.source": "url", "version": "semver", "author": "text"},
    }
    assert values["honor-suppressions"] is False
    assert "# ignored: DL9999 not converted" in text
    assert "maintainer" in text and "not converted" in text
    assert "--color never" in text
    assert "no-fail" not in text  # false: nothing to say
    assert "hadolint key 'verbose' not converted" in text
    # and through discovery
    write(tmp_path / ".dfix.toml", text)
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    run, _ = settings.rule_codes_for(tmp_path / "Dockerfile")
    assert "DF100" not in run  # DL3059
    assert settings.severity["DF220"] == "info"  # DL3042


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("format: tty\n", 'output-format = "full"'),
        ("format: json\n", 'output-format = "json"'),
        ("format: sarif\n", 'output-format = "sarif"'),
        ("format: codacy\n", "# format: \"codacy\" not converted"),
        ("failure-threshold: ignore\n", 'fail-on = "style"'),
        ("failure-threshold: none\n", 'fail-on = "none"'),
        ("failure-threshold: fatal\n", "# failure-threshold: \"fatal\" not converted"),
        ("no-fail: true\n", "--exit-zero"),
        ("trustedRegistries: my.registry:5000\n", 'trusted-registries = ["my.registry:5000"]'),
        ("ignored: DL3008\n", 'ignore = ["DL3008"]'),
        ("override:\n  fatal: [DL3008]\n", "# override.fatal not converted"),
        ("", "[lint]"),
    ],
)
def test_convert_hadolint_cases(yaml_text, expected):
    text = convert_hadolint(yaml_text)
    assert expected in text
    load_config_text(text)


def test_convert_hadolint_rejects_non_mappings():
    with pytest.raises(ValueError):
        convert_hadolint("- a\n- b\n")


def test_unreadable_yaml_is_a_value_error_with_the_position():
    with pytest.raises(ValueError, match=r"^line 3, column 2: expected <block end>"):
        convert_hadolint("ignored:\n  - DL3008\n - [unclosed\n")


def test_write_init(tmp_path):
    hadolint = write(tmp_path / ".hadolint.yaml", HADOLINT_YAML)
    assert find_hadolint_config(tmp_path) == hadolint
    written = write_init(tmp_path, from_hadolint=hadolint)
    assert written == tmp_path / ".dfix.toml"
    assert written.read_text() == convert_hadolint(HADOLINT_YAML)
    error = error_of(write_init, tmp_path, from_hadolint=hadolint)
    assert "already exists" in str(error)
    starter = write_init(tmp_path / "other")
    load_config_text(starter.read_text())
    assert find_hadolint_config(tmp_path / "other") is None


def test_exclude_prunes_the_folder_itself_and_settings_group_files(tmp_path):
    write(tmp_path / ".dfix.toml", 'extend-exclude = ["vendor/**"]\n')
    r = resolver(tmp_path)
    settings = r.settings_for(dockerfile(tmp_path))
    assert settings.is_excluded(tmp_path / "vendor")  # a walker can skip the whole folder
    assert settings.is_excluded("vendor/a/Dockerfile")  # relative to the resolver's cwd
    assert not settings.is_excluded(tmp_path / "vendored")
    groups = {settings: ["Dockerfile"]}  # hashable by identity
    assert groups[r.settings_for(tmp_path / "x" / "Dockerfile")] == ["Dockerfile"]
