"""A JSON array written one item at a time, byte for byte as ``json.dumps(items, indent=2)`` prints it."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import msgspec

from ..results import FileResult


def indented(item: Any) -> str:
    """``json.dumps(item, indent=2, ensure_ascii=False)``, from msgspec's encoder written in C.

    The report's objects hold strings, integers, booleans, None, lists and
    dicts, which both print alike (the standard library's encoder runs in
    Python once it indents: about a tenth of a report run). Floats would
    print otherwise (``1e-05`` there, ``0.00001`` here), so a report must not
    carry any; a string msgspec refuses (a lone surrogate) goes the standard
    library's way.
    """
    try:
        return msgspec.json.format(msgspec.json.encode(item), indent=2).decode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(item, indent=2, ensure_ascii=False)


class JsonArrayWriter:
    """A JSON array of objects, as ``json.dumps(items, indent=2)`` would print it, one file's objects at a time."""

    def __init__(self, objects_of: Callable[[FileResult], Iterable[dict[str, Any]]]) -> None:
        self.objects_of = objects_of
        self.count = 0

    def add(self, result: FileResult) -> str:
        parts = []
        for item in self.objects_of(result):
            parts.append("[\n" if self.count == 0 else ",\n")
            # nested two more spaces; an indented JSON text has no empty line to leave alone
            parts.append("  " + indented(item).replace("\n", "\n  "))
            self.count += 1
        return "".join(parts)

    def close(self) -> str:
        return "[]\n" if self.count == 0 else "\n]\n"
