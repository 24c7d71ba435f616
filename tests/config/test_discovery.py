"""Which configuration file applies to a Dockerfile: defaults, precedence, the user's file, ``--config``, ``extend``."""

from __future__ import annotations

from pathlib import Path

from dfix.config import default_settings, user_config_path

from .helpers import ALL_CODES, dockerfile, error_of, resolver, write

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
    from dfix.config import resolver as config

    reads = []
    original = config.read_toml
    monkeypatch.setattr(config, "read_toml", lambda path, display: reads.append(path) or original(path, display))
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
