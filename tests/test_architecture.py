"""Imports point one way, as the README's "Layout" says; this test reads them and fails
on any that does not.

    assembly    gateway/app.py, gateway/cli.py (and its gateway/cli_ids.py),
                jobs/worker.py, demo/**: wire everything, may import anything
    graph       resolvers/**: imports the core only (it queues work through the
                core's ``TaskQueue`` port, never through ``jobs``)
    tasks       jobs/** but the worker: imports the core and connectors
    core        the rest of gateway/: imports connectors only (no GraphQL, no arq)
    connectors  connectors/**: imports none of the others

Every import form counts, wherever it is written: ``import a.b``, ``from a import b``,
relative ones (``from . import x``, ``from ..y import z``), and those inside a function
or under ``if TYPE_CHECKING:``. Besides the layer rules, the top-level packages (the
core, resolvers, jobs, connectors, demo; the assembly's own modules aside) must not
import each other in a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "resolvers", "connectors", "jobs", "demo")

ASSEMBLY_MODULES = frozenset({"gateway.app", "gateway.cli", "gateway.cli_ids", "jobs.worker"})
"""The assembly inside the service's packages. ``gateway.cli_ids`` is the CLI's own id
parsing (it reads ids with the API's parser) and only ``gateway.cli`` imports it."""

LAYER_OF_PACKAGE = {
    "gateway": "core",
    "resolvers": "graph",
    "jobs": "tasks",
    "connectors": "connectors",
    "demo": "assembly",
}
MAY_IMPORT = {
    "assembly": frozenset({"assembly", "graph", "tasks", "core", "connectors"}),
    "graph": frozenset({"graph", "core"}),
    "tasks": frozenset({"tasks", "core", "connectors"}),
    "core": frozenset({"core", "connectors"}),
    "connectors": frozenset({"connectors"}),
}

ALLOWED_EXCEPTIONS: dict[tuple[str, str], str] = {
    # (importing module, imported module): why this arrow may stay for now.
    # Empty: every import keeps the direction. An entry here is a debt with its reason;
    # one that no longer matches an import fails the test, so the list only shrinks.
}


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported_names(
    source: str, module: str, *, is_package: bool, known: frozenset[str]
) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in ``source``, resolved to absolute
    names; ``from p import x`` names ``p.x`` when that is a module, else ``p``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in known else base), node.lineno


def all_imports() -> list[Import]:
    modules = our_modules()
    known = frozenset(modules)
    found: list[Import] = []
    for module, path in modules.items():
        names = imported_names(
            path.read_text(), module, is_package=path.name == "__init__.py", known=known
        )
        for imported, line in names:
            if imported.split(".")[0] in PACKAGES:
                found.append(Import(module, imported, path, line))
    return found


def layer(module: str) -> str:
    if module in ASSEMBLY_MODULES:
        return "assembly"
    return LAYER_OF_PACKAGE[module.split(".")[0]]


def package_node(module: str) -> str | None:
    """The top-level package ``module`` counts for in the cycle check; None for the
    assembly's modules inside the service's packages (they import everything)."""
    return None if module in ASSEMBLY_MODULES else module.split(".")[0]


def direction_violations(imports: list[Import]) -> list[str]:
    problems = []
    for item in imports:
        source, target = layer(item.importer), layer(item.imported)
        if target in MAY_IMPORT[source]:
            continue
        if (item.importer, item.imported) in ALLOWED_EXCEPTIONS:
            continue
        allowed = ", ".join(sorted(MAY_IMPORT[source]))
        problems.append(
            f"{item.where()}: {item.importer} ({source}) imports {item.imported} ({target}); "
            f"{source} may import only {allowed}"
        )
    return problems


def package_cycles(imports: list[Import]) -> list[str]:
    edges: dict[str, dict[str, Import]] = defaultdict(dict)
    for item in imports:
        source, target = package_node(item.importer), package_node(item.imported)
        if source and target and source != target and target not in edges[source]:
            edges[source][target] = item
    problems = []
    for component in _strongly_connected({node: set(out) for node, out in edges.items()}):
        if len(component) < 2:
            continue
        arrows = [
            f"  {source} -> {target} (e.g. {edges[source][target].where()}: "
            f"{edges[source][target].importer} imports {edges[source][target].imported})"
            for source in sorted(component)
            for target in sorted(edges[source])
            if target in component
        ]
        problems.append(
            f"import cycle between {', '.join(sorted(component))}:\n" + "\n".join(arrows)
        )
    return problems


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm over a graph of a handful of nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_imports_point_one_way(imports: list[Import]) -> None:
    problems = direction_violations(imports)
    assert not problems, (
        "imports against the dependency direction (README, Layout; tests/test_architecture.py"
        " says which layer may import which):\n" + "\n".join(problems)
    )


def test_no_cycle_between_top_level_packages(imports: list[Import]) -> None:
    problems = package_cycles(imports)
    assert not problems, "\n".join(problems)


def test_allowed_exceptions_still_name_real_imports(imports: list[Import]) -> None:
    seen = {(item.importer, item.imported) for item in imports}
    stale = sorted(set(ALLOWED_EXCEPTIONS) - seen)
    assert not stale, f"ALLOWED_EXCEPTIONS lists imports that are gone, remove them: {stale}"


def test_every_module_has_a_layer() -> None:
    modules = our_modules()
    assert {"gateway.app", "gateway.cli", "jobs.worker", "demo.sync"} <= set(modules)
    assert {layer(name) for name in modules} == set(MAY_IMPORT)
    assert layer("demo.sandbox.recruiterflow") == "assembly"
    assert layer("gateway.queue") == "core"
    assert layer("jobs.worker") == "assembly"
    assert layer("jobs.tasks") == "tasks"


def test_the_reader_sees_every_import_form() -> None:
    source = (
        "import jobs.tasks\n"
        "from connectors import models\n"
        "from . import context\n"
        "from ..gateway import queue as q\n"
        "from .types import Thing\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from demo.seed import DemoTenant\n"
        "def later():\n"
        "    from gateway.app import create_app\n"
    )
    known = frozenset(
        {
            "resolvers.sync",
            "resolvers.sync.mutations",
            "resolvers.sync.context",
            "resolvers.sync.types",
            "connectors.models",
            "gateway.queue",
        }
    )
    found = {
        name
        for name, _ in imported_names(
            source, "resolvers.sync.mutations", is_package=False, known=known
        )
    }
    assert {
        "jobs.tasks",
        "connectors.models",
        "resolvers.sync.context",
        "resolvers.gateway",  # ``..gateway`` from resolvers.sync: resolvers.gateway
        "resolvers.sync.types",
        "demo.seed",
        "gateway.app",
    } <= found


def test_a_wrong_arrow_is_reported_with_its_place() -> None:
    wrong = [
        Import("resolvers.sync.mutations", "jobs.tasks", ROOT / "resolvers/sync/mutations.py", 3),
        Import("gateway.queue", "demo.sync", ROOT / "gateway/queue.py", 9),
        Import("connectors.http", "gateway.settings", ROOT / "connectors/http.py", 5),
        Import("jobs.sync", "gateway.store", ROOT / "jobs/sync.py", 1),
    ]
    problems = direction_violations(wrong)
    assert problems == [
        "resolvers/sync/mutations.py:3: resolvers.sync.mutations (graph) imports jobs.tasks "
        "(tasks); graph may import only core, graph",
        "gateway/queue.py:9: gateway.queue (core) imports demo.sync (assembly); core may "
        "import only connectors, core",
        "connectors/http.py:5: connectors.http (connectors) imports gateway.settings (core); "
        "connectors may import only connectors",
    ]
    cycle = package_cycles([wrong[3], Import("gateway.queue", "jobs.tasks", ROOT / "x.py", 2)])
    assert len(cycle) == 1
    assert cycle[0].startswith("import cycle between gateway, jobs:")
