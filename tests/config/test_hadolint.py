"""``dfix init`` and the hadolint configuration converter."""

from __future__ import annotations

import pytest

from dfix.config import load_config_text
from dfix.hadolint_config import convert_hadolint, find_hadolint_config, write_init

from .helpers import dockerfile, error_of, resolver, write

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
    assert values["rules"]["DF303"] == {"trusted-registries": ["docker.io", "ghcr.io/my-org/*"]}
    assert values["labels"] == {
        "required": {"org.opencontainers.image.source": "url", "version": "semver", "author": "text"}, "strict": True,
    }
    assert '# label-schema: maintainer: "colour" not converted: label types are text, url' in text
    assert values["honor-suppressions"] is False
    assert "# ignored: DL9999 not converted" in text
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
        ("trustedRegistries: my.registry:5000\n", '[lint.rules.DF303]  # registry-not-allowed (hadolint DL3026)\ntrusted-registries = ["my.registry:5000"]'),
        ("trustedRegistries:\n  a: b\n", '# trustedRegistries: {"a": "b"} not converted: expected a list of registries'),
        ("format: checkstyle\n", '# format: "checkstyle" not converted: dfix formats are full, concise, json'),
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
