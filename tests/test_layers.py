"""The package's modules form layers: no module imports, however indirectly and however lazily
(an import inside a function counts), one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "scripts" / "chipcontrols"


def imports_of(path: Path, package: str) -> set[str]:
    """The sibling modules that a module imports, anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(package + ".")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x` or `from .x import y`
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif node.module == package:
                found |= {a.name for a in node.names}
            elif node.module and node.module.startswith(package + "."):
                found.add(node.module.split(".")[1])
    return found


def import_graph(folder: Path) -> dict[str, set[str]]:
    modules = {p.stem: p for p in folder.glob("*.py")}
    return {name: imports_of(path, folder.name) & set(modules) - {name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a closed path."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(_closed_path(graph, set(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _closed_path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One cycle through the component, to name in the failure: a -> b -> ... -> a."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        successors = sorted(graph[path[-1]] & component)
        if start in successors and len(path) > 1:
            return path + [start]
        step = next((s for s in successors if s not in seen), None)
        if step is None:  # walked into a corner: the shortest way back is enough to name the cycle
            return path + [successors[0]]
        path.append(step)
        seen.add(step)


def test_the_package_has_no_import_cycle():
    found = cycles(import_graph(PACKAGE))
    assert not found, "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_graph_sees_every_kind_of_import():
    graph = import_graph(PACKAGE)
    assert "validate" in graph["cli"]  # `from chipcontrols.validate import ...` inside a function
    assert "sitecharts" in graph["site"]  # `from chipcontrols import sitecharts`
    assert "archive" in graph["verify"] and "table" in graph["export"]


def test_a_cycle_is_found_however_it_is_written(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "a.py").write_text("import json\nfrom pkg.b import thing\n")
    (folder / "b.py").write_text("def f():\n    from pkg import c\n")
    (folder / "c.py").write_text("import pkg.a\n")
    (folder / "d.py").write_text("from .a import x\n")
    graph = import_graph(folder)
    assert graph["d"] == {"a"}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    (folder / "c.py").write_text("import json  # the import back to a removed\n")
    assert cycles(import_graph(folder)) == []
