"""The package's architecture: layers import downwards only, no import cycles across
sub-packages, small modules.

The import graph is read from the source with ``ast`` (module-level and function-level
imports, relative ones resolved), without importing anything. Layers, lowest first::

    core < config < data < survival < design, meta < ard < analyses < report < notebook < run < render

A module may import its own layer and the layers below it. A module over ``MAX_LINES`` lines
states why in its module docstring ("Over 400 lines because ...").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
LAYERS = {
    "core": 0, "config": 1, "data": 2, "survival": 3, "design": 4, "meta": 4, "ard": 5,
    "analyses": 6, "report": 7, "notebook": 8, "run": 9, "render": 10,
}
MAX_LINES = 400
LONG_REASON = "Over 400 lines because"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(HELPERS.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(HELPERS.rglob("*.py")) if "__pycache__" not in p.parts}


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The helpers modules ``name`` imports anywhere in its source (module or function level).
    ``from package import x`` counts as an import of ``package.x`` when that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # helpers.x.y.Name -> helpers.x.y
                target = target.rpartition(".")[0]
            if target.startswith("helpers") and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported_modules(name, path, set(found)) for name, path in found.items()}


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the package root helpers/__init__.py


def test_the_graph_holds_module_and_function_level_imports():
    graph = import_graph()
    assert "helpers.survival.cox" in graph["helpers.analyses.endpoint"]          # module level
    assert "helpers.analyses.populations" in graph["helpers.analyses.reproduction"]  # in a function
    assert "helpers.design.simulation.scenario" in graph["helpers.design.simulation"]  # relative
    assert "helpers.core.atomic" in graph["helpers.render.pandoc_book"]


def test_every_module_belongs_to_a_layer():
    unplaced = sorted(name for name in modules() if name != "helpers" and layer(name) not in LAYERS)
    assert not unplaced, f"modules outside the layers {list(LAYERS)}: {unplaced}"


def test_layers_import_only_the_same_or_lower_layers():
    upward = []
    for name, targets in import_graph().items():
        if layer(name) is None:
            continue
        for target in sorted(targets):
            if layer(target) is not None and LAYERS[layer(target)] > LAYERS[layer(name)]:
                upward.append(f"{name} ({layer(name)}) imports {target} ({layer(target)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph``."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_strongly_connected_finds_a_cycle():
    cycles = [c for c in strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) if len(c) > 1]
    assert cycles == [["a", "b", "c"]]


def test_no_import_cycle_across_sub_packages():
    graph = import_graph()
    crossing = [c for c in strongly_connected(graph) if len({layer(m) for m in c}) > 1]
    assert not crossing, f"import cycles across sub-packages: {crossing}"


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_small_or_says_why_not(name):
    path = modules()[name]
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    if lines > MAX_LINES:
        docstring = ast.get_docstring(ast.parse(source)) or ""
        assert LONG_REASON in docstring, (
            f"{path.relative_to(HELPERS.parent)} has {lines} lines (> {MAX_LINES}): split it, or "
            f"say in its module docstring '{LONG_REASON} ...'")
