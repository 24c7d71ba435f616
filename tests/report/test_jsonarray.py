"""The JSON writers print exactly what ``json.dumps(..., indent=2, ensure_ascii=False)`` prints."""

from __future__ import annotations

import json

from hypothesis import given, strategies as st

from dfix.report.jsonarray import JsonArrayWriter, indented

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text())
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6))
def test_an_object_prints_as_the_standard_library_prints_it(item):
    assert indented(item) == json.dumps(item, indent=2, ensure_ascii=False)


def test_control_characters_and_separators_are_escaped_alike():
    item = {"s": "\x00\x08\t\n\x0c\r\x1f\x7f\"\\/\u2028\u2029\ufeffé", "empty": [[], {}], "n": [0, -1, 2**62]}
    assert indented(item) == json.dumps(item, indent=2, ensure_ascii=False)


def test_a_lone_surrogate_falls_back_to_the_standard_library():
    item = {"s": "a\udcffb"}
    assert indented(item) == json.dumps(item, indent=2, ensure_ascii=False)


def test_the_array_is_the_one_json_dumps_prints():
    items = [{"a": 1, "b": [1, {"c": None}]}, {"a": "é\n"}, {}]
    writer = JsonArrayWriter(lambda result: result)
    text = writer.add(items[:2]) + writer.add(items[2:]) + writer.close()
    assert text == json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    assert JsonArrayWriter(lambda result: result).close() == json.dumps([], indent=2) + "\n"
