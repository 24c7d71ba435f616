"""A JSON array written one item at a time, byte for byte as ``json.dumps(items, indent=2)`` prints it."""

from __future__ import annotations

import json
import textwrap
from typing import Any, Callable, Iterable

from ..results import FileResult


class JsonArrayWriter:
    """A JSON array of objects, as ``json.dumps(items, indent=2)`` would print it, one file's objects at a time."""

    def __init__(self, objects_of: Callable[[FileResult], Iterable[dict[str, Any]]]) -> None:
        self.objects_of = objects_of
        self.count = 0

    def add(self, result: FileResult) -> str:
        parts = []
        for item in self.objects_of(result):
            parts.append("[\n" if self.count == 0 else ",\n")
            parts.append(textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "  "))
            self.count += 1
        return "".join(parts)

    def close(self) -> str:
        return "[]\n" if self.count == 0 else "\n]\n"
