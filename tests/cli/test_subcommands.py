"""``dfix rule``, ``dfix init`` and ``dfix version``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dfix
from dfix.engine import all_rules

from .helpers import FIXABLE, run, write_tree


@pytest.mark.parametrize("key", ["DF201", "df201", "apt-get-missing-yes", "DL3014"])
def test_rule_explains_what_why_fix_safety_and_examples(key: str) -> None:
    result = run("rule", key)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("DF201 apt-get-missing-yes\n")
    assert "a build has no terminal" in " ".join(text.split())  # the docstring: why
    assert "Fix safety: safe" in text
    assert "Aliases: DL3014" in text
    assert "RUN apt-get install curl" in text and "RUN apt-get install -y curl" in text  # an invalid example
    assert "RUN apt-get -qq install curl" in text  # a valid one
    assert "\x1b[" not in text  # piped: plain
    assert not any(line != line.rstrip() for line in text.splitlines())


def test_rule_with_colour_forced() -> None:
    assert "\x1b[" in run("rule", "DF201", "--color", "always").stdout


def test_rule_shows_the_unsafe_label_and_report_only_examples() -> None:
    text = run("rule", "DF202").stdout
    assert "Fix safety: unsafe" in text
    assert "after (--unsafe-fixes)" in text


def test_rule_json() -> None:
    data = json.loads(run("rule", "DF201", "--output-format", "json").stdout)
    assert data["code"] == "DF201" and data["safety"] == "safe" and data["aliases"] == ["DL3014"]
    assert data["invalid"][0]["expected"] == "FROM debian\nRUN apt-get install -y curl\n"


def test_rule_all_lists_every_rule_with_safety_and_aliases() -> None:
    result = run("rule", "--all")
    assert result.exit_code == 0
    for rule in all_rules():
        row = next(line for line in result.stdout.splitlines() if f" {rule.code} " in line)
        assert rule.name in row and str(rule.safety) in row
    assert "DL3014" in result.stdout
    data = json.loads(run("rule", "--all", "--output-format", "json").stdout)
    assert [entry["code"] for entry in data] == [rule.code for rule in all_rules()]


@pytest.mark.parametrize("args", [["rule"], ["rule", "DF201", "--all"]])
def test_rule_usage_errors(args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_unknown_rule_is_one_line_and_exit_2() -> None:
    result = run("rule", "DF999")
    assert result.exit_code == 2
    assert result.stderr.strip() == "dfix: error: unknown rule 'DF999'; `dfix rule --all` lists every rule"


def test_init_writes_a_loadable_config_once(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".dfix.toml").is_file()
    write_tree(tmp_path, {"Dockerfile": FIXABLE})
    assert run(".", cwd=tmp_path).exit_code == 1  # the starter config loads
    again = run("init", cwd=tmp_path)
    assert again.exit_code == 2
    assert "already exists" in again.stderr


def test_init_from_hadolint(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".hadolint.yaml": "ignored:\n  - DL3014\nfailure-threshold: error\n",
        "Dockerfile": FIXABLE + "RUN pip install flask\n",
    })
    result = run("init", "--from-hadolint", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "from .hadolint.yaml" in result.stderr
    checked = run("--output-format", "concise", cwd=tmp_path)
    assert "DF201" not in checked.stdout and "DF220" in checked.stdout
    assert checked.exit_code == 0  # failure-threshold: error


def test_init_from_a_named_hadolint_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ci/hadolint.yml": "ignored: [DL3014]\n"})
    assert run("init", "--from-hadolint", "ci/hadolint.yml", cwd=tmp_path).exit_code == 0
    assert "DL3014" in (tmp_path / ".dfix.toml").read_text()


def test_init_from_a_missing_hadolint_file(tmp_path: Path) -> None:
    result = run("init", "--from-hadolint", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no hadolint configuration" in result.stderr
    assert not (tmp_path / ".dfix.toml").exists()


def test_version() -> None:
    assert run("version").stdout == f"dfix, version {dfix.__version__}\n"
