"""Rule modules share code through the underscore kit modules, never by importing one another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRANSFORMS = Path(__file__).resolve().parents[2] / "transforms"
RULE_MODULES = sorted(p for p in TRANSFORMS.glob("*.py") if not p.name.startswith("_"))
ALL_MODULES = sorted(TRANSFORMS.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """The transforms modules ``path`` imports (relative ``from .x import`` or ``dfix.transforms.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith(("dfix.transforms.", "transforms.")):
                found.add(node.module.split(".")[-1])
    return found


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: p.stem)
def test_no_module_imports_a_rule_module(path: Path) -> None:
    rules = {p.stem for p in RULE_MODULES}
    assert not imported_modules(path) & rules, "share code through an underscore kit module instead"


def test_the_check_sees_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "x.py"
    module.write_text("from .no_user import NoUser\nfrom ._users import situation_of\nfrom . import apk_no_cache\n")
    assert imported_modules(module) == {"no_user", "_users", "apk_no_cache"}
