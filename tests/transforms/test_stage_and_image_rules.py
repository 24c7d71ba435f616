"""The stage, platform, registry and user rules (DF303-DF311, DF402, DF403, DF626, DF702) beyond their own examples.

What the examples cannot show: a hadolint ``trustedRegistries`` converted by
``dfix init --from-hadolint`` reaching DF303 through configuration discovery,
options (DF304's strict mode), how the kit reads stage references, and fixes
that must compose with each other and stay idempotent.
"""

from __future__ import annotations

import pytest

import dfix
from dfix.hadolint_config import convert_hadolint
from dfix.engine import Context
from dfix.syntax import parse
from dfix.config import ConfigResolver
from dfix.transforms._platforms import parse_platform
from dfix.transforms._stages import stage_references


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def codes(text: str, *selected: str, **settings) -> list[tuple[str, int]]:
    found = dfix.check(text, select=list(selected) or None, settings=settings or None)
    return [(d.code, d.span.line) for d in found]


# -- DF303 and hadolint's trustedRegistries -----------------------------------------------------


def test_trusted_registries_from_hadolint_reach_df303(tmp_path):
    text = convert_hadolint('trustedRegistries:\n  - docker.io\n  - "*.corp.example"\n')
    write(tmp_path / ".dfix.toml", text)
    dockerfile = write(tmp_path / "Dockerfile", "FROM python:3.12\nFROM quay.io/org/app:1\nFROM reg.corp.example/x:1\n")
    settings = ConfigResolver(cwd=tmp_path).settings_for(dockerfile)
    options = settings.rule_options["DF303"]
    assert options == {"trusted-registries": ["docker.io", "*.corp.example"]}
    found = dfix.check(dockerfile.read_text(), select=["DF303"], settings=settings.rule_options)
    assert [d.span.line for d in found] == [2]
    assert found[0].message == (
        "`quay.io/org/app:1` comes from `quay.io`, which is not a trusted registry (`docker.io`, `*.corp.example`)"
    )


def test_df303_judges_every_pull_but_not_stages_or_triggers():
    text = (
        "FROM ghcr.io/o/base:1 AS base\n"
        "FROM base\n"
        "COPY --from=base /a /a\n"
        "COPY --from=quay.io/o/tool:1 /t /t\n"
        "RUN --mount=type=bind,from=gcr.io/o/src:1,target=/src ls /src\n"
        "ONBUILD COPY --from=quay.io/o/other:1 /x /x\n"
    )
    assert codes(text, "DF303", DF303={"trusted-registries": ["ghcr.io"]}) == [("DF303", 4), ("DF303", 5)]


def test_df303_hub_aliases_both_ways():
    text = "FROM index.docker.io/library/python:3\nFROM registry-1.docker.io/library/nginx:1\nFROM nginx:1\n"
    assert codes(text, "DF303", DF303={"trusted-registries": ["docker.io"]}) == []
    assert codes(text, "DF303", DF303={"trusted-registries": ["docker.io/bitnami/*"]}) == [
        ("DF303", 1), ("DF303", 2), ("DF303", 3),
    ]


# -- stage references ---------------------------------------------------------------------------


def test_stage_references_follow_buildkit_resolution():
    tree = parse(
        "FROM alpine:3 AS Build\n"
        "FROM build AS test\n"
        "COPY --from=LATER /a /b\n"
        "COPY --from=0 /a /b\n"
        "COPY --from=nginx:1 /a /b\n"
        "RUN --mount=from=build,target=/x ls\n"
        "FROM scratch AS later\n"
    )
    found = [(r.kind, r.value, r.stage, r.is_index, r.is_image) for r in stage_references(Context(tree))]
    assert found == [
        ("from", "build", 0, False, False),
        ("copy", "LATER", 2, False, False),  # --from may name a later stage
        ("copy", "0", 0, True, False),
        ("copy", "nginx:1", None, False, True),
        ("mount", "build", 0, False, False),
    ]


def test_a_from_never_names_a_later_stage():
    tree = parse("FROM later\nFROM alpine:3 AS later\n")
    assert stage_references(Context(tree)) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux/amd64", ("linux", "amd64")),
        ("linux/arm64/v8", ("linux", "arm64")),
        ("linux/x86_64", ("linux", "amd64")),
        ("arm64", ("linux", "arm64")),
        ("windows", ("windows", "amd64")),
        ("not-a-platform", None),
        ("linux/", None),
    ],
)
def test_parse_platform(text, expected):
    assert parse_platform(text) == expected


# -- options and composition ------------------------------------------------------------------------


def test_df304_strict_is_hadolints_reading():
    text = "FROM --platform=$MYPLATFORM alpine:3\nFROM --platform=$BUILDPLATFORM alpine:3\n"
    assert codes(text, "DF304") == []
    assert codes(text, "DF304", DF304={"strict": True}) == [("DF304", 1)]


def test_reserved_and_casing_renames_compose():
    text = "FROM alpine:3 AS Scratch\nRUN true\nFROM scratch\nCOPY --from=SCRATCH /a /a\n"
    result = dfix.fix(text, select=["DF307", "DF308"], unsafe=True)
    assert result.failed == ()
    assert result.text == "FROM alpine:3 AS scratch-stage\nRUN true\nFROM scratch-stage\nCOPY --from=scratch-stage /a /a\n"
    assert dfix.fix(result.text, select=["DF307", "DF308"], unsafe=True).text == result.text


def test_df403_keeps_the_rule_of_one_finding_per_run_with_every_sudo_removed():
    text = "FROM ubuntu:22.04\nRUN sudo apt-get update && \\\n    sudo -EH apt-get install -y curl\n"
    found = dfix.check(text, select=["DF403"])
    assert len(found) == 1 and found[0].span.line == 2
    fixed = dfix.fix(text, select=["DF403"], unsafe=True).text
    assert fixed == "FROM ubuntu:22.04\nRUN apt-get update && \\\n    apt-get install -y curl\n"
    # one use that switches user: nothing is removed
    text = "FROM ubuntu:22.04\nRUN sudo apt-get update && sudo -u nobody id\n"
    assert dfix.fix(text, select=["DF403"], unsafe=True).text == text


def test_df402_through_an_in_file_parent_stage():
    text = (
        "FROM debian:12 AS base\nRUN useradd --uid 10001 app\n"
        "FROM base\nUSER app\n"
    )
    fixed = dfix.fix(text, select=["DF402"], unsafe=True).text
    assert fixed.endswith("FROM base\nUSER 10001\n")


def test_off_by_default_rules_run_only_when_named():
    text = "# Build stage\nFROM alpine:3 AS build\n"
    assert not {"DF626", "DF702"} & {code for code, _ in codes(text)}
    assert not {"DF626", "DF702"} & {code for code, _ in codes(text, "ALL")}
    assert codes(text, "DF626") == [("DF626", 2)]
    assert codes(text, "DL3057") == [("DF702", 2)]
