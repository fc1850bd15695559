"""The package's shape: subpackages in pipeline order, each importing only what LAYERS
allows, no import cycle, and no import of a project module inside a function.

LAYERS is the one list of what each subpackage of transforms/ (and the expectations
package beside it) may import; a new arrow means editing it here, on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = ("transforms", "expectations", "claimledger", "bench", "dags", "tests")

LAYERS: dict[str, set[str]] = {
    "transforms.kernel": set(),
    "transforms.ingest": {"transforms.kernel"},
    "transforms.extract": {"transforms.kernel"},
    "transforms.clean": {"transforms.kernel"},
    "transforms.figures": {"transforms.kernel"},
    "transforms.warehouse": {"transforms.kernel"},
    "transforms.checks": {"transforms.kernel"},
    "expectations": {"transforms.kernel", "transforms.checks"},
    "transforms.publish": {"transforms.kernel", "transforms.warehouse", "transforms.checks"},
    "transforms.reports": {"transforms.kernel", "transforms.checks", "transforms.publish"},
    "transforms.pipeline": {"transforms.kernel", "transforms.ingest", "transforms.extract",
                            "transforms.clean", "transforms.figures", "transforms.warehouse",
                            "transforms.checks", "expectations", "transforms.publish",
                            "transforms.reports"},
}
# Nothing in the pipeline's packages imports Airflow or the tools built on them.
FORBIDDEN = ("airflow", "claimledger", "bench", "dags", "tests")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    files = [*sorted((REPO / "transforms").rglob("*.py")),
             *sorted((REPO / "expectations").rglob("*.py"))]
    return {_module_name(path): path for path in files}


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, whether inside a function) of every import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                               | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, child.lineno, inside))
                # `from transforms.clean import search` imports the module transforms.clean.search
                found.extend((f"{child.module}.{alias.name}", child.lineno, inside)
                             for alias in child.names
                             if f"{child.module}.{alias.name}" in MODULES)
            visit(child, inside)

    visit(tree, False)
    return found


def _layer(module: str) -> str | None:
    return next((layer for layer in LAYERS
                 if module == layer or module.startswith(layer + ".")), None)


def _project_imports(path: Path) -> list[tuple[str, int, bool]]:
    return [(name, line, inside) for name, line, inside in _imports(path)
            if name.split(".")[0] in PROJECT or name.split(".")[0] == "airflow"]


def test_every_module_belongs_to_a_layer():
    stray = [m for m in MODULES if _layer(m) is None and m not in ("transforms",)]
    assert not stray, f"modules outside every layer of LAYERS: {stray}"


def test_no_import_of_a_project_module_inside_a_function():
    late = [f"{path.relative_to(REPO)}:{line} imports {name}"
            for path in MODULES.values()
            for name, line, inside in _project_imports(path) if inside]
    assert not late, "imports inside functions:\n" + "\n".join(late)


def test_each_layer_imports_only_what_layers_allows():
    wrong = []
    for module, path in MODULES.items():
        own = _layer(module)
        for name, line, _ in _project_imports(path):
            if name.split(".")[0] in FORBIDDEN:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {name}")
                continue
            target = _layer(name)
            if target is None or target == own:
                continue
            if own is None or target not in LAYERS[own]:
                wrong.append(f"{path.relative_to(REPO)}:{line} ({own}) imports {name}")
    assert not wrong, "imports LAYERS does not allow:\n" + "\n".join(wrong)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for name, _, _ in _project_imports(path):
            # the deepest project module the import names (a package's __init__ otherwise)
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
])
def test_the_cycle_check_finds_a_planted_cycle(graph, expected):
    assert _cycle(graph) == expected


def test_the_late_import_check_sees_an_import_in_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("import os\n\ndef f():\n    from transforms.kernel import keys\n")
    assert [(name, inside) for name, _, inside in _imports(module)
            if name.startswith("transforms")] == [("transforms.kernel", True),
                                                  ("transforms.kernel.keys", True)]
