"""The import checker is proven on small module trees: each check passes on a clean tree and fails when broken.

The tree, written to ``tmp_path``: a package ``app`` with an entry point
(``app.cli``), a core with a front (``app.core``) and an internal module
(``app.core.engine``), a bottom layer (``app.text``), and a rule package
(``app.rules``, from the folder ``rules/``) with a kit module and two rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .imports import Layer, RuleContract, check, cycles, layer_violations, contract_violations, scan, stale_allowances

LAYERS = (
    Layer("entry", ("app", "app.cli")),
    Layer("rules", ("app.rules", "app.rules.[!_]*")),
    Layer("kit", ("app.rules._*",)),
    Layer("core", ("app.core", "app.core.*")),
    Layer("text", ("app.text", "app.text.*")),
)
CONTRACT = RuleContract("app.rules", ("app.core", "app.text"))

CLEAN = {
    "app/__init__.py": "from app.core import run\n",
    "app/cli.py": "import sys\n\nfrom app import core\nfrom app.rules import tidy\n",
    "app/core/__init__.py": "from .engine import run\n",
    "app/core/engine.py": "from __future__ import annotations\n\nfrom app.text import words\n\n\ndef run():\n    return words\n",
    "app/text/__init__.py": "words = ()\n",
    "rules/__init__.py": "",
    "rules/_kit.py": "from app.core import run\nfrom app.text import words\n",
    "rules/tidy.py": "import re\n\nfrom app.core import run\nfrom . import _kit\nfrom ._kit import words\n",
    "rules/sorted_list.py": "from app.text import words\n",
}


def write_tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {"app": root / "app", "app.rules": root / "rules"}


def graph_of(root: Path, changes: dict[str, str] | None = None):
    """The import graph of the clean tree with some files replaced or added."""
    return scan(root, write_tree(root, {**CLEAN, **(changes or {})}))


def messages(violations) -> list[str]:
    return [str(violation) for violation in violations]


def test_the_clean_tree_passes_every_check(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert set(graph.modules) == {
        "app", "app.cli", "app.core", "app.core.engine", "app.text", "app.rules", "app.rules._kit",
        "app.rules.tidy", "app.rules.sorted_list",
    }
    assert check(graph, LAYERS, CONTRACT) == []


def test_imports_are_resolved_to_modules(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    edges = {(imp.importer, imp.target) for imp in graph.imports}
    # "from app import core": the submodule; "from . import _kit": the kit module, relative to the rule package
    assert ("app.cli", "app.core") in edges
    assert ("app.rules.tidy", "app.rules._kit") in edges
    # "from .engine import run" in a package's __init__ is relative to the package itself
    assert ("app.core", "app.core.engine") in edges
    # the standard library is not the project's business
    assert not any(imp.target in {"sys", "re", "__future__"} for imp in graph.imports)


# -- cycles -------------------------------------------------------------------------------------------


def test_a_cycle_is_reported_with_its_path_files_and_lines(tmp_path: Path) -> None:
    # the import back is inside a function (deferred to dodge the cycle at import time): still a cycle
    graph = graph_of(tmp_path, {
        "app/text/__init__.py": "words = ()\n\n\ndef late():\n    from app.text import spelling\n",
        "app/text/spelling.py": "from __future__ import annotations\n\nfrom app.text import words\n",
    })
    (violation,) = cycles(graph)
    assert messages([violation]) == [
        "import cycle: app.text → app.text.spelling → app.text\n"
        "    app/text/__init__.py:5: from app.text import spelling\n"
        "    app/text/spelling.py:3: from app.text import words"
    ]


def test_a_longer_cycle_through_type_checking_imports_is_reported(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {
        "app/core/a.py": "from app.core import b\n",
        "app/core/b.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.core.c import Thing\n",
        "app/core/c.py": "import app.core.a\n",
    })
    (violation,) = cycles(graph)
    assert violation.message == "import cycle: app.core.a → app.core.b → app.core.c → app.core.a"
    assert [imp.where() for imp in violation.imports] == ["app/core/a.py:1", "app/core/b.py:4", "app/core/c.py:1"]


def test_a_module_importing_itself_is_a_cycle(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"app/core/engine.py": "from app.core import engine\n"})
    assert [v.message for v in cycles(graph)] == ["import cycle: app.core.engine → app.core.engine"]


# -- layers -------------------------------------------------------------------------------------------


def test_an_upward_import_names_file_line_layers_and_statement(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"app/text/extra.py": "def lazily():\n    from app.core.engine import (\n        run,\n    )\n"})
    assert messages(layer_violations(graph, LAYERS)) == [
        "app/text/extra.py:2: app.text.extra (layer 'text') imports app.core.engine of the higher layer 'core': "
        "from app.core.engine import ( run, )"
    ]
    assert cycles(graph) == []


def test_importing_the_package_front_from_inside_is_an_upward_import(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"app/text/extra.py": "import app\n"})
    (violation,) = layer_violations(graph, LAYERS)
    assert violation.message == "app.text.extra (layer 'text') imports app of the higher layer 'entry'"


def test_a_module_without_a_layer_is_reported(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"app/plugins.py": ""})
    assert messages(layer_violations(graph, LAYERS)) == [
        "app.plugins (app/plugins.py) is in no layer: add it to the layer table"
    ]


def test_a_module_in_two_layers_is_reported(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    overlapping = (*LAYERS[:1], Layer("rules", ("app.rules", "app.rules.*")), *LAYERS[2:])
    assert [v.message for v in layer_violations(graph, overlapping)] == [
        "app.rules._kit (rules/_kit.py) is in more than one layer: rules, kit"
    ]


def test_the_kit_is_below_the_rules(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"rules/_kit.py": "from app.rules import tidy\n"})
    assert [v.message for v in layer_violations(graph, LAYERS)] == [
        "app.rules._kit (layer 'kit') imports app.rules.tidy of the higher layer 'rules'"
    ]


# -- the rule contract --------------------------------------------------------------------------------


def test_a_rule_reaching_into_an_internal_module_is_named(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"rules/tidy.py": "from app.core.engine import run\n"})
    assert messages(contract_violations(graph, CONTRACT)) == [
        "rules/tidy.py:1: reaches past the front app.core into its internal module app.core.engine "
        "(import the name from app.core): from app.core.engine import run"
    ]


def test_a_rule_importing_another_rule_is_named(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"rules/sorted_list.py": "from app.text import words\nfrom .tidy import run\n"})
    assert messages(contract_violations(graph, CONTRACT)) == [
        "rules/sorted_list.py:2: imports the rule module app.rules.tidy "
        "(what two rules share belongs in a kit module, app.rules._*): from .tidy import run"
    ]


def test_a_kit_module_is_held_to_the_contract_too(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {"rules/_kit.py": "from app import cli\n"})
    assert messages(contract_violations(graph, CONTRACT)) == [
        "rules/_kit.py:1: imports app.cli, which is not part of the rule API "
        "(app.core, app.text and the kit app.rules._*): from app import cli"
    ]


# -- allowances ---------------------------------------------------------------------------------------


def test_an_allowed_pair_is_left_out_of_every_check(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, {
        "rules/tidy.py": "from app.core.engine import run\n",
        "app/core/engine.py": "from app.rules import tidy\n",
    })
    assert {v.kind for v in check(graph, LAYERS, CONTRACT)} == {"cycle", "layer", "contract"}
    allowed = frozenset({("app/core/engine.py", "app.rules.tidy"), ("rules/tidy.py", "app.core.engine")})
    assert check(graph, LAYERS, CONTRACT, allowed) == []
    assert stale_allowances(graph, LAYERS, CONTRACT, allowed) == set()


@pytest.mark.parametrize(
    "pair",
    [
        ("rules/tidy.py", "app.core.engine"),  # no such import
        ("rules/tidy.py", "app.rules._kit"),  # imported, but allowed by the contract
        ("app/cli.py", "app.core"),  # imported downwards, on no cycle
    ],
)
def test_an_allowance_that_is_no_violation_is_stale(tmp_path: Path, pair: tuple[str, str]) -> None:
    graph = graph_of(tmp_path)
    assert stale_allowances(graph, LAYERS, CONTRACT, frozenset({pair})) == {pair}


def test_an_allowed_edge_of_a_cycle_stays_needed_while_the_cycle_exists(tmp_path: Path) -> None:
    cyclic = {"app/text/__init__.py": "from app.text.spelling import x\n", "app/text/spelling.py": "import app.text\n"}
    edge = frozenset({("app/text/spelling.py", "app.text")})
    graph = graph_of(tmp_path / "with", cyclic)
    assert cycles(graph, edge) == []
    assert stale_allowances(graph, LAYERS, CONTRACT, edge) == set()
    # once the other side of the cycle is gone, the allowance is stale
    fixed = graph_of(tmp_path / "without", {**cyclic, "app/text/__init__.py": "words = ()\n"})
    assert stale_allowances(fixed, LAYERS, CONTRACT, edge) == set(edge)
