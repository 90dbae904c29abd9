"""Every GraphQL domain package is laid out the same way (``resolvers/<domain>/``):

- its input filters and sorts live in ``filters.py``;
- its ``types.py`` names another domain's types with ``strawberry.lazy`` and calls their
  builders through ``resolvers.lazy.lazy_callable``: it imports no other domain's types
  module when loaded (only under ``if TYPE_CHECKING:``) and none inside a function.

So loading one domain's types never drags in the ring of the others, and the order the
schema imports them in does not matter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOLVERS = ROOT / "resolvers"
DOMAINS = sorted(path.parent.name for path in RESOLVERS.glob("*/types.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    return []


def _load_time_imports(tree: ast.Module) -> list[str]:
    """Modules imported when the module runs: top level, not under ``TYPE_CHECKING``."""
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        found.extend(_imported(node))
    return found


def _function_imports(tree: ast.Module) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.stmt):
                    found.extend((node.lineno, name) for name in _imported(node))
    return found


def test_the_domains_are_found() -> None:
    assert {"activities", "jobs", "recruiters", "tenant_settings"} <= set(DOMAINS)
    assert not (RESOLVERS / "admin").exists()


@pytest.mark.parametrize("domain", DOMAINS)
def test_types_import_no_other_domain_types_when_loaded(domain: str) -> None:
    tree = _tree(RESOLVERS / domain / "types.py")
    others = [
        name
        for name in _load_time_imports(tree)
        if name.startswith("resolvers.")
        and name.endswith(".types")
        and name != f"resolvers.{domain}.types"
    ]
    assert others == [], f"resolvers/{domain}/types.py imports {others} when loaded"


@pytest.mark.parametrize("domain", DOMAINS)
def test_types_import_nothing_inside_functions(domain: str) -> None:
    found = _function_imports(_tree(RESOLVERS / domain / "types.py"))
    assert found == [], f"resolvers/{domain}/types.py imports inside functions: {found}"


def _input_classes(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            "input" in ast.unparse(decorator) for decorator in node.decorator_list
        ):
            names.append(node.name)
    return names


@pytest.mark.parametrize(
    "path", sorted(RESOLVERS.glob("*/*.py")), ids=lambda p: p.parent.name + "/" + p.name
)
def test_filter_and_sort_inputs_live_in_filters(path: Path) -> None:
    if path.name == "filters.py":
        return
    misplaced = [name for name in _input_classes(_tree(path)) if name.endswith(("Filter", "Sort"))]
    assert misplaced == [], f"{path.relative_to(ROOT)} defines {misplaced}: move to filters.py"


def test_loading_one_domain_does_not_load_the_ring() -> None:
    """Importing activities' types loads none of the types it points at lazily; building
    the schema (which resolves the lazy references) still works afterwards."""
    script = (
        "import sys\n"
        "import resolvers.activities.types\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('resolvers.')"
        " and m.endswith('.types'))\n"
        "print(','.join(loaded))\n"
        "from resolvers.schema import build_schema\n"
        "assert 'type Activity implements Node' in build_schema().as_str()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "resolvers.activities.types"
