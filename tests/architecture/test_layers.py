"""dfix's imports point down: no cycle, no import from a lower layer to a higher one, rules use only the fronts.

The checker (``imports.py``, proven in ``test_checker.py``) reads every
import of ``dfix/`` and ``transforms/`` (installed as ``dfix.transforms``)
with ``ast``. This file holds dfix's own policy: :data:`LAYERS`,
:data:`RULE_CONTRACT` and :data:`KNOWN_VIOLATIONS` (empty: none is allowed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .imports import ImportGraph, Layer, RuleContract, check, layer_of, scan, stale_allowances

REPO = Path(__file__).resolve().parents[2]

#: The scanned packages and the folders they are read from (``transforms/`` and
#: ``grammar/`` install inside the package, see ``[tool.setuptools.package-dir]``).
PACKAGES = {"dfix": REPO / "dfix", "dfix.transforms": REPO / "transforms", "dfix.grammar": REPO / "grammar"}

#: dfix's layers, top first. A module may import its own layer and the layers below it, never above.
#:
#: The order is what each layer is built from. The user-facing entry points drive the
#: application; the application (settings, the per-file pipeline, reports, writes)
#: chooses rules and runs the engine; rules are written with the kit, and the kit with
#: the engine's protocol (``Rule``, ``Context``, ``Edit``), so both sit *above* the
#: engine: the engine runs whatever rule packages it is given and never imports them.
#: The engine reads RUN bodies through the shell layer and everything through the
#: syntax layer; the shell model and the OCI registry client are libraries that know
#: nothing of Dockerfiles' tree, and the syntax layer knows nothing of shells. The
#: version string, the base of user-facing errors and the grammar data sit at the bottom so
#: any layer may use them.
LAYERS = (
    Layer(
        "entry points",
        ("dfix", "dfix.__main__", "dfix.cli", "dfix.bot", "dfix.bot.*", "dfix.verify", "dfix.verify.*"),
        "what users run or import: the command, the bot, and the package front (dfix.parse, dfix.fix ...)",
    ),
    Layer(
        "application",
        (
            "dfix.pipeline", "dfix.process", "dfix.generated", "dfix.report", "dfix.report.*", "dfix.writer", "dfix.discover", "dfix.dockerfile_names", "dfix.config",
            "dfix.config.*", "dfix.results", "dfix.terminal", "dfix.explain", "dfix.hadolint_config", "dfix.oracle",
        ),
        "one run over many files: settings per file, the pipeline, reports, atomic writes",
    ),
    Layer("rules", ("dfix.transforms", "dfix.transforms.[!_]*"), "one module per rule (or small family)"),
    Layer("rule kit", ("dfix.transforms._*",), "what rules share: family bases, RUN edits, base-image facts"),
    Layer("engine", ("dfix.engine", "dfix.engine.*"), "the rule protocol, the context, the fix loop, suppressions"),
    Layer(
        "libraries",
        ("dfix.shell", "dfix.shell.*", "dfix.registry", "dfix.registry.*"),
        "the shell model of RUN bodies (tree-sitter-bash) and the OCI registry client the pinning rules use",
    ),
    Layer("syntax", ("dfix.syntax", "dfix.syntax.*"), "the lossless, BuildKit-faithful tree and file bytes"),
    Layer(
        "base", ("dfix._version", "dfix.errors", "dfix.grammar", "dfix.patterns", "dfix.rule_packages", "dfix.collector",
                 "dfix.cache_folder"),
        "the version string, the user-error base, the grammar data, patterns compiled when first used, "
        "the names of the default rule packages, the cycle collector's tuning, the cache folder",
    ),
)

#: Rule and kit modules import the engine, shell, syntax and registry through their
#: package fronts only, so that what a rule may use is declared in one place per layer
#: and internals can move; a rule never imports another rule. ``dfix.patterns`` (a
#: module of its own, no package) gives them ``lazy_pattern`` for their regular expressions.
RULE_CONTRACT = RuleContract(
    "dfix.transforms", ("dfix.engine", "dfix.shell", "dfix.syntax", "dfix.registry", "dfix.patterns"),
)

#: Allowed violations: none. The checker can take exact (file, imported module) pairs
#: while a refactor is under way; it then also fails on a pair that no longer occurs.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return scan(REPO, PACKAGES)


def test_the_scan_sees_the_whole_tree(graph: ImportGraph) -> None:
    # a scan that found nothing would pass every check below
    assert {"dfix.cli", "dfix.engine.runner", "dfix.shell.analysis", "dfix.syntax.cst"} <= set(graph.modules)
    assert any(module.startswith("dfix.transforms._") for module in graph.modules)
    assert len(graph.imports) > 100


def test_every_module_has_one_layer(graph: ImportGraph) -> None:
    unplaced = sorted(module for module in graph.modules if layer_of(module, LAYERS) is None)
    assert not unplaced, f"place each of these modules in exactly one of LAYERS: {unplaced}"


def test_no_cycle_no_upward_import_and_rules_use_only_the_fronts(graph: ImportGraph) -> None:
    violations = check(graph, LAYERS, RULE_CONTRACT, KNOWN_VIOLATIONS)
    assert not violations, "\n" + "\n".join(map(str, violations))


def test_known_violations_still_occur(graph: ImportGraph) -> None:
    gone = sorted(stale_allowances(graph, LAYERS, RULE_CONTRACT, KNOWN_VIOLATIONS))
    assert not gone, f"these are fixed: delete them from KNOWN_VIOLATIONS: {gone}"

