"""Every hadolint code is known: suppressions of real DL and SC codes are never "unknown", typos are."""

from __future__ import annotations

import pytest

import dfix
from dfix.engine import catalogue

#: Every code of hadolint 2.15.1: DL1000 (its parser failed), its ``src/Hadolint/Rule`` modules (the codes
#: its binary knows), and the upgrade rules deleted upstream that configurations still name.
HADOLINT_CODES = (
    "DL1000 DL1001 DL3000 DL3001 DL3002 DL3003 DL3004 DL3005 DL3006 DL3007 DL3008 DL3009 DL3010 DL3011 DL3012 DL3013 "
    "DL3014 DL3015 DL3016 DL3017 DL3018 DL3019 DL3020 DL3021 DL3022 DL3023 DL3024 DL3025 DL3026 DL3027 DL3028 "
    "DL3029 DL3030 DL3031 DL3032 DL3033 DL3034 DL3035 DL3036 DL3037 DL3038 DL3039 DL3040 DL3041 DL3042 DL3043 "
    "DL3044 DL3045 DL3046 DL3047 DL3048 DL3049 DL3050 DL3051 DL3052 DL3053 DL3054 DL3055 DL3056 DL3057 DL3058 "
    "DL3059 DL3060 DL3061 DL3062 DL3063 DL3064 DL3065 DL3066 DL3067 DL4000 DL4001 DL4003 DL4004 DL4005 DL4006"
).split()


def unknown_codes(comment: str) -> list[str]:
    text = f"FROM debian:12\n{comment}\nRUN true\n"
    return [d.message for d in dfix.check(text, select=["DF003"])]


@pytest.mark.parametrize("code", HADOLINT_CODES)
def test_every_hadolint_code_names_something(code):
    assert catalogue().suppressed_by(code), f"{code} names no rule"
    assert unknown_codes(f"# hadolint ignore={code}") == []
    assert unknown_codes(f"# dfix: ignore[{code}]") == []


@pytest.mark.parametrize("code", ["SC1000", "SC2086", "SC2164", "SC3037", "sc2046"])
def test_shellcheck_codes_are_known(code):
    assert unknown_codes(f"# hadolint ignore=DL3008,{code},DL3015") == []


@pytest.mark.parametrize("code", ["DF999", "DL9999", "SC4000", "SC86", "DF2O1"])
def test_codes_that_name_nothing_are_reported(code):
    assert unknown_codes(f"# dfix: ignore[{code}]") == [f"unknown rule code {code!r} in suppression"]


def test_a_planned_code_suppresses_its_rule_once_it_exists():
    assert catalogue().suppressed_by("DL3008") == {"DF230"}
    assert catalogue().suppressed_by("DL4003") == {"DF614"}


def test_unimplemented_notes_name_the_rule():
    note = catalogue().unimplemented_note("hardcoded-secret-value")
    assert note is not None and "DF501 hardcoded-secret-value" in note and "planned" in note
    assert "hadolint's check against its own ignore comments" in catalogue().unimplemented_note("DL1001")
    assert catalogue().unimplemented_note("DL3014") is None  # DF201 is implemented
    assert catalogue().unimplemented_note("NOPE") is None
