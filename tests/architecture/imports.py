"""An import checker read from the source with ``ast``: cycles, layers and the rule contract.

The checker knows nothing about dfix. It reads every ``import`` statement of
the given packages (module level, inside functions and under
``TYPE_CHECKING`` alike: each one is a dependency a reader has to follow),
resolves relative imports, and gives three kinds of :class:`Violation`:

* ``cycle``: modules that import each other, directly or through others,
  reported as the path ``a → b → … → a`` with each hop's file and line;
* ``layer``: a module importing a module of a higher layer (:class:`Layer`),
  or a module that no layer claims;
* ``contract``: a rule module importing anything but the package fronts and
  the rule kit, or another rule module (:class:`RuleContract`).

A ``(file, imported module)`` pair in ``allowed`` is left out of every check:
that is how a test carries known violations while they are being removed.
:func:`stale_allowances` names the pairs that are no longer violations, so
such a list can only shrink.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

#: ``(file relative to the scanned base, imported module)``: the key of an allowance.
Pair = tuple[str, str]


@dataclass(frozen=True)
class Import:
    """One imported module, at the line of the statement that imports it."""

    importer: str  # module name, e.g. "dfix.engine.registry"
    file: str  # posix path relative to the base folder, e.g. "dfix/engine/registry.py"
    line: int
    target: str  # the module imported, relative imports resolved
    statement: str  # the statement as written, on one line

    @property
    def pair(self) -> Pair:
        return (self.file, self.target)

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ImportGraph:
    """Every module of the scanned packages and the imports between them."""

    modules: Mapping[str, str]  # module name -> file
    imports: tuple[Import, ...]


@dataclass(frozen=True)
class Violation:
    kind: str  # "cycle" | "layer" | "contract"
    message: str
    #: The imports at fault (one for a layer or contract violation, every hop of a cycle).
    imports: tuple[Import, ...] = ()

    @property
    def pairs(self) -> frozenset[Pair]:
        return frozenset(imp.pair for imp in self.imports)

    def __str__(self) -> str:
        if self.kind == "cycle":
            hops = "".join(f"\n    {imp.where()}: {imp.statement}" for imp in self.imports)
            return f"{self.message}{hops}"
        if self.imports:
            (imp,) = self.imports
            return f"{imp.where()}: {self.message}: {imp.statement}"
        return self.message


@dataclass(frozen=True)
class Layer:
    """Modules (``fnmatch`` patterns on module names) that may import their own layer and the ones below."""

    name: str
    modules: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True)
class RuleContract:
    """What a rule module may import from inside the project.

    ``rules`` is the rule package; its modules whose name starts with ``_``
    are the kit (shared helpers), the others are rules. A module of the rule
    package may import the ``fronts`` (exactly those modules, not their
    submodules) and kit modules, nothing else of the project.
    """

    rules: str
    fronts: tuple[str, ...]

    def is_kit(self, module: str) -> bool:
        head, _, last = module.rpartition(".")
        return head == self.rules and last.startswith("_") and last != "__init__"

    def governs(self, module: str) -> bool:
        return module == self.rules or module.startswith(self.rules + ".")


# -- reading the source ---------------------------------------------------------------------------


def _module_files(package: str, folder: Path) -> Iterable[tuple[str, Path]]:
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join([package, *parts]), path


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def _one_line(source: str, node: ast.stmt) -> str:
    return " ".join((ast.get_source_segment(source, node) or "").split())


def scan(base: Path, packages: Mapping[str, Path]) -> ImportGraph:
    """Read the packages' modules (package name → its folder) and their imports of one another.

    ``from package import name`` imports the submodule ``package.name`` when
    there is one, and ``package`` itself otherwise. Imports of anything
    outside the scanned packages (the standard library, dependencies) are
    not recorded.
    """
    modules: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for package, folder in packages.items():
        for module, path in _module_files(package, folder):
            modules[module] = path.relative_to(base).as_posix()
            paths[module] = path

    def inside(name: str) -> bool:
        return any(name == package or name.startswith(package + ".") for package in packages)

    found: dict[tuple[str, int, str], Import] = {}
    for importer, path in paths.items():
        source = path.read_text(encoding="utf-8")
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(source, str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                origin = _resolve(node, importer, is_package)
                targets = [
                    f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin for alias in node.names
                ]
            for target in targets:
                if inside(target):
                    key = (importer, node.lineno, target)
                    found.setdefault(key, Import(importer, modules[importer], node.lineno, target, _one_line(source, node)))
    ordered = sorted(found.values(), key=lambda imp: (imp.file, imp.line, imp.target))
    return ImportGraph(modules, tuple(ordered))


# -- cycles ---------------------------------------------------------------------------------------


def _strongly_connected(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (no recursion limit on long chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _shortest_cycle(start: str, members: set[str], edges: Mapping[str, Iterable[str]]) -> list[str]:
    """The shortest path ``start → … → start`` inside one strongly connected component."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges.get(node, ())):
            if child not in members:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is on no cycle")  # pragma: no cover - members come from a component


def _cyclic_components(
    graph: ImportGraph, allowed: frozenset[Pair]
) -> tuple[list[list[str]], dict[str, set[str]], dict[tuple[str, str], Import]]:
    """The groups of modules on a cycle, the module graph, and the first import of each edge."""
    edges: dict[str, set[str]] = defaultdict(set)
    first: dict[tuple[str, str], Import] = {}
    for imp in graph.imports:
        if imp.pair in allowed or imp.target not in graph.modules:
            continue
        edges[imp.importer].add(imp.target)
        first.setdefault((imp.importer, imp.target), imp)
    components = [
        component
        for component in _strongly_connected(sorted(graph.modules), edges)
        if len(component) > 1 or component[0] in edges.get(component[0], ())
    ]
    return components, edges, first


def cycles(graph: ImportGraph, allowed: frozenset[Pair] = frozenset()) -> list[Violation]:
    """One violation per group of modules that import each other, naming one shortest cycle."""
    components, edges, first = _cyclic_components(graph, allowed)
    found = []
    for component in components:
        path = _shortest_cycle(component[0], set(component), edges)
        hops = tuple(first[(a, b)] for a, b in zip(path, path[1:]))
        others = len(component) - (len(path) - 1)
        more = f" ({others} more module{'s' if others > 1 else ''} in the same tangle)" if others > 0 else ""
        found.append(Violation("cycle", "import cycle: " + " → ".join(path) + more, hops))
    return found


# -- layers ---------------------------------------------------------------------------------------


def layers_of(module: str, layers: tuple[Layer, ...]) -> list[int]:
    """The indexes (0 is the top) of the layers with a pattern matching the module: one, in a good table."""
    return [
        number
        for number, layer in enumerate(layers)
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in layer.modules)
    ]


def layer_of(module: str, layers: tuple[Layer, ...]) -> int | None:
    """The index of the module's layer, or None when no layer, or more than one, claims it."""
    found = layers_of(module, layers)
    return found[0] if len(found) == 1 else None


def layer_violations(graph: ImportGraph, layers: tuple[Layer, ...], allowed: frozenset[Pair] = frozenset()) -> list[Violation]:
    """Imports that point up the layer table, and modules the table places nowhere or twice."""
    found = []
    for module, file in sorted(graph.modules.items()):
        claims = [layers[number].name for number in layers_of(module, layers)]
        if not claims:
            found.append(Violation("layer", f"{module} ({file}) is in no layer: add it to the layer table"))
        elif len(claims) > 1:
            found.append(Violation("layer", f"{module} ({file}) is in more than one layer: {', '.join(claims)}"))
    for imp in graph.imports:
        if imp.pair in allowed:
            continue
        low, high = layer_of(imp.importer, layers), layer_of(imp.target, layers)
        if low is not None and high is not None and high < low:
            message = (
                f"{imp.importer} (layer {layers[low].name!r}) imports {imp.target} "
                f"of the higher layer {layers[high].name!r}"
            )
            found.append(Violation("layer", message, (imp,)))
    return found


# -- the rule contract ----------------------------------------------------------------------------


def contract_violations(
    graph: ImportGraph, contract: RuleContract, allowed: frozenset[Pair] = frozenset()
) -> list[Violation]:
    """Imports by rule and kit modules of anything but the fronts and the kit."""
    found = []
    for imp in graph.imports:
        if imp.pair in allowed or not contract.governs(imp.importer):
            continue
        target = imp.target
        if target in contract.fronts or contract.is_kit(target):
            continue
        front = next((f for f in contract.fronts if target.startswith(f + ".")), None)
        if front is not None:
            message = f"reaches past the front {front} into its internal module {target} (import the name from {front})"
        elif contract.governs(target):
            message = f"imports the rule module {target} (what two rules share belongs in a kit module, {contract.rules}._*)"
        else:
            allowed_names = ", ".join(contract.fronts)
            message = f"imports {target}, which is not part of the rule API ({allowed_names} and the kit {contract.rules}._*)"
        found.append(Violation("contract", message, (imp,)))
    return found


# -- all together ---------------------------------------------------------------------------------


def check(
    graph: ImportGraph, layers: tuple[Layer, ...], contract: RuleContract, allowed: frozenset[Pair] = frozenset()
) -> list[Violation]:
    return [*cycles(graph, allowed), *layer_violations(graph, layers, allowed), *contract_violations(graph, contract, allowed)]


def stale_allowances(
    graph: ImportGraph, layers: tuple[Layer, ...], contract: RuleContract, allowed: frozenset[Pair]
) -> set[Pair]:
    """The allowed pairs that no check would report: the import is gone or no longer wrong.

    An import is wrong when a layer or contract check reports it, or when it
    is an edge inside a group of modules that import each other (removing it
    is then one way of breaking the cycle).
    """
    wrong: set[Pair] = set()
    for violation in [*layer_violations(graph, layers), *contract_violations(graph, contract)]:
        wrong |= violation.pairs
    components, _, _ = _cyclic_components(graph, frozenset())
    tangled = {module: number for number, component in enumerate(components) for module in component}
    for imp in graph.imports:
        if imp.importer in tangled and tangled[imp.importer] == tangled.get(imp.target):
            wrong.add(imp.pair)
    return set(allowed) - wrong
