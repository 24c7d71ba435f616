"""``[lint.labels]``: the label schema (hadolint's ``label-schema``/``strict-labels``) reaches DF620-DF622."""

from __future__ import annotations

import pytest

from dfix.config import load_config_text
from dfix.config.errors import ConfigError
from dfix.config import ConfigResolver
from dfix.process import process_text, task_for

SCHEMA = """
[lint.labels]
strict = true

[lint.labels.required]
version = "semver"
"org.opencontainers.image.source" = "url"

[lint.labels.values]
"org.opencontainers.image.source" = "https://example.com/app"
"""


def test_the_schema_loads():
    values = load_config_text(SCHEMA)
    assert values["labels"] == {
        "strict": True,
        "required": {"version": "semver", "org.opencontainers.image.source": "url"},
        "values": {"org.opencontainers.image.source": "https://example.com/app"},
    }


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('[lint.labels.required]\nversion = "number"\n', "lint.labels.required.version",
         "expected one of text, url, semver, hash, rfc3339, spdx, email, got string 'number'"),
        ("[lint.labels]\nstrict = 1\n", "lint.labels.strict", "expected true or false"),
        ('[lint.labels]\nrequire = {}\n', "lint.labels.require", "unknown key"),
        ('[lint.labels.values]\nversion = "1.0.0"\n', "lint.labels.values.version",
         "a value for a label that lint.labels.required does not list"),
    ],
)
def test_bad_schemas_are_refused(text, key, message):
    with pytest.raises(ConfigError) as caught:
        load_config_text(text)
    assert caught.value.key == key
    assert message in str(caught.value)


def test_the_schema_drives_the_label_rules(tmp_path):
    (tmp_path / ".dfix.toml").write_text(SCHEMA, encoding="utf-8")
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM debian:12\nLABEL version=v1 team=core\n"
    dockerfile.write_text(text, encoding="utf-8")
    settings = ConfigResolver(cwd=tmp_path, boundary=tmp_path).settings_for(dockerfile)
    assert settings.rule_options["DF620"]["required"]["version"] == "semver"
    assert settings.rule_options["DF621"]["strict"] is True
    result = process_text(task_for(str(dockerfile), "diff", settings), text).result
    messages = {(d.code, d.message) for d in (*result.diagnostics, *result.applied)}
    assert ("DF622", "Label `version` (v1) is not a semantic version (such as 1.4.2)") in messages
    assert ("DF621", "Superfluous label(s) present: `team` is not in the label schema") in messages
    assert ("DF620", "Label `org.opencontainers.image.source` is missing") in messages
    # the configured value is the fix
    assert 'LABEL org.opencontainers.image.source="https://example.com/app"\n' in result.fixed


def test_without_a_schema_the_label_rules_only_check_keys(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM debian:12\nLABEL version=v1 Team=core\n"
    settings = ConfigResolver(cwd=tmp_path, boundary=tmp_path).settings_for(dockerfile)
    result = process_text(task_for(str(dockerfile), "check", settings), text).result
    assert [(d.code, d.severity) for d in result.diagnostics if d.code.startswith("DF62")] == [("DF622", "style")]
