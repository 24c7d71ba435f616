"""Rule selection, severities and rule options."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfix.config import default_settings
from dfix.engine import Safety

from .helpers import ALL_CODES, dockerfile, error_of, resolver, write

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


def test_fix_safety_overrides(tmp_path):
    """extend-safe-fixes promotes a rule's unsafe fixes, extend-unsafe-fixes demotes its safe ones (per file)."""
    write(tmp_path / ".dfix.toml", """
[lint]
extend-safe-fixes = ["DF202", "hardcoded-secret-value"]
extend-unsafe-fixes = ["DF2", "DF201"]
per-file-ignores = { "legacy/**" = ["DF202"] }
""")
    r = resolver(tmp_path)
    settings = r.settings_for(dockerfile(tmp_path))
    overrides = settings.fix_safety_overrides_for(tmp_path / "Dockerfile")
    # "DF2" is less specific than "DF202": the exact code wins, and the prefix demotes the rest of DF2xx
    assert overrides["DF202"] is Safety.SAFE
    assert overrides["DF201"] is Safety.UNSAFE and overrides["DF200"] is Safety.UNSAFE
    assert "DF100" not in overrides and "DF501" not in overrides  # untouched; planned codes have no fixes
    assert "DF202" not in settings.fix_safety_overrides_for(tmp_path / "legacy" / "Dockerfile")  # not run there
    assert default_settings().fix_safety_overrides_for("Dockerfile") == {}


def test_fix_safety_overrides_at_equal_specificity_unsafe_wins(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nextend-safe-fixes = ["DF202"]\nextend-unsafe-fixes = ["DL3015"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.fix_safety_overrides_for(tmp_path / "Dockerfile") == {"DF202": Safety.UNSAFE}


def test_fix_safety_overrides_accumulate_along_extend_and_from_the_command_line(tmp_path):
    write(tmp_path / "base.toml", '[lint]\nextend-safe-fixes = ["DF202"]\n')
    write(tmp_path / ".dfix.toml", 'extend = "base.toml"\n[lint]\nextend-safe-fixes = ["DF400"]\n')
    settings = resolver(tmp_path, overrides={"lint.extend-unsafe-fixes": ["DF201"]}).settings_for(dockerfile(tmp_path))
    assert settings.fix_safety_overrides_for(tmp_path / "Dockerfile") == {
        "DF202": Safety.SAFE, "DF400": Safety.SAFE, "DF201": Safety.UNSAFE,
    }


def test_top_level_select_is_an_alias(tmp_path):
    write(tmp_path / ".dfix.toml", 'select = ["DF100"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == {"DF100"}


def test_top_level_and_lint_select_together_is_an_error(tmp_path):
    write(tmp_path / ".dfix.toml", 'select = ["DF100"]\n[lint]\nselect = ["DF200"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error) == ".dfix.toml: lint.select: also set as select; keep one"


def test_hadolint_codes_of_unimplemented_rules_are_accepted(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint]\nignore = ["hardcoded-secret-value", "SC2086", "DL1001"]\n[lint.severity]\nhardcoded-secret-value = "error"\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    # ShellCheck's SC2086 is left out of DF629, which runs for its other codes
    assert settings.rule_codes_for(tmp_path / "Dockerfile")[0] == ALL_CODES | {"-SC2086"}
    assert settings.severity == {"DF501": "error"}
    assert any("hardcoded-secret-value (DF501 hardcoded-secret-value: " in warning and "is planned, not implemented" in warning for warning in settings.warnings)


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
    assert rules[0].settings == {"max-commands": 4, "max-merged-commands": 10, "keep-long-steps": True}


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("[lint.rules.DF100]\nmax-comands = 4\n", "lint.rules.DF100.max-comands",
         "unknown option of DF100 consecutive-run (did you mean max-commands?); its options are keep-long-steps, max-commands, max-merged-commands"),
        ('[lint.rules.DF100]\nmax-commands = "4"\n', "lint.rules.DF100.max-commands", "expected an integer, got string '4'"),
        ("[lint.rules.DF100]\nmax-commands = true\n", "lint.rules.DF100.max-commands", "expected an integer, got boolean true"),
        ("[lint.rules.DF624]\nmin-in-order-percent = 150\n", "lint.rules.DF624.min-in-order-percent",
         "expected a value from 0 to 100, got 150"),
        ("[lint.rules.DF200]\nstrict = true\n", "lint.rules.DF200.strict", "DF200 apt-lists-not-removed has no options"),
        ("[lint.rules.DF2]\nx = 1\n", "lint.rules.DF2", "names "),
        ("[lint.rules.DF999]\nx = 1\n", "lint.rules.DF999", "unknown rule selector 'DF999'"),
        ("[lint.rules.DF501]\nx = 1\n", "lint.rules.DF501", "DF501 hardcoded-secret-value is not implemented"),
        ("[lint.rules]\nDF100 = 3\n", "lint.rules.DF100", "expected a table, got integer 3"),
    ],
)
def test_bad_rule_options(tmp_path, text, key, message):
    write(tmp_path / ".dfix.toml", text)
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert error.key == key
    assert message in error.message
