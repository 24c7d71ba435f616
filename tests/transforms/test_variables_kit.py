"""The variables kit: BuildKit's reading of ``$NAME`` in a word, its expansion, and the scope of ARG and ENV."""

from __future__ import annotations

import pytest

import dfix
from dfix.engine import Context
from dfix.transforms._variables import (
    base_env_is_known, edit_distance, expand, global_args, near_miss, references, stage_scopes,
)


@pytest.mark.parametrize("word,names", [
    ("$A", [("A", "")]),
    ("${A}/x", [("A", "")]),
    ("${A:-$B}", [("A", ":-"), ("B", "")]),
    ("${A%.*}", [("A", "%")]),
    ("${A%%.*}", [("A", "%%")]),
    ("${A/x/y}", [("A", "/")]),
    ("'$A'", []),
    ('"$A"', [("A", "")]),
    ("\\$A", []),
    ("$(date)", []),
    ("a$1b", [("1", "")]),
    ("cost $", []),
])
def test_references_read_as_buildkit_does(word, names):
    assert [(ref.name, ref.modifier) for ref in references(word)] == names


def test_a_nested_reference_is_guarded():
    outer, inner = references("${A:-$B}")
    assert outer.guarded and inner.nested and inner.guarded
    assert not references("$C")[0].guarded


@pytest.mark.parametrize("word", ["${", "${}", "${:x}", "'open", '"open', "${A:x}"])
def test_words_buildkit_rejects_have_no_reading(word):
    assert references(word) is None
    assert expand(word, {}) is None


@pytest.mark.parametrize("word,env,value", [
    ("busybox:${TAG}", {"TAG": "1.36"}, "busybox:1.36"),
    ("busybox:${TAG}", {}, "busybox:"),
    ("${TAG:-latest}", {"TAG": ""}, "latest"),
    ("${TAG-latest}", {"TAG": ""}, ""),
    ("${TAG:+set}", {"TAG": "x"}, "set"),
    ('"a b"\\ c', {}, "a b c"),
    ("`escaped", {}, "`escaped"),
])
def test_expand(word, env, value):
    assert expand(word, env) == value


def test_pattern_modifiers_are_not_evaluated():
    assert expand("${V%.*}", {"V": "3.12.1"}) is None


def test_the_escape_directive_changes_the_escape_character():
    assert [ref.name for ref in references("`$A $B", "`")] == ["B"]


def test_edit_distance_counts_a_swap_once():
    assert edit_distance("PAHT", "PATH") == 1
    assert edit_distance("APP_HOEM", "APP_HOME") == 1


def test_near_miss_is_unique_and_proportionate():
    assert near_miss("PY_VERSOIN", ("PY_VERSION", "VERSION")) == "PY_VERSION"
    assert near_miss("A", ("B",)) is None  # a short name never "means" another
    assert near_miss("VER_A", ("VER_B", "VER_C")) is None  # two equally near candidates
    assert near_miss("Base", ("BASE",)) == "BASE"


def _context(text: str) -> Context:
    return Context(dfix.parse(text))


def test_global_arg_defaults_are_evaluated_in_order():
    context = _context("ARG A=1\nARG B=${A}.2\nARG C\nFROM x\n")
    defaults = global_args(context).defaults
    assert (defaults["A"], defaults["B"], defaults["C"]) == ("1", "1.2", "")
    assert defaults["TARGETARCH"] == "amd64"


def test_stage_scope_inherits_env_but_not_arg():
    context = _context("FROM debian AS base\nARG A=1\nENV B=2\nFROM base\nRUN true\nENV C=3\n")
    scope = stage_scopes(context)[1]
    assert set(scope.defined_before(1)) == {"B"}
    assert set(scope.defined_before(2)) == {"B", "C"}
    assert scope.defined_later("C", 0).kind == "ENV"


@pytest.mark.parametrize("text,known", [
    ("FROM scratch\n", True),
    ("FROM debian:12\n", True),
    ("FROM docker.io/library/alpine:3.20\n", True),
    ("FROM python:3.12\n", False),
    ("FROM ghcr.io/acme/debian:12\n", False),
    ("FROM ubuntu AS base\nFROM base\n", True),
])
def test_which_bases_dfix_knows_every_variable_of(text, known):
    context = _context(text)
    scope = stage_scopes(context)[-1]
    assert base_env_is_known(context, scope) is known
