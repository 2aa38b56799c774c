"""The house: no import circles in ``grader/``, the sample class's outputs unchanged, and a
released copy whose ``grader --help`` shows only the student's commands."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

from sample_outputs import sample_outputs

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "grader"
GOLDEN = ROOT / "tests" / "golden" / "sample_outputs.json"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth of the code (inside functions too)."""
    modules = {_module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
            for target in targets:
                # `from grader.x import y`: y may be a module of the package or a name in x.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_is_read_inside_functions_too(tmp_path):
    package = tmp_path / "grader"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from grader.sub import b\n")
    (package / "sub" / "b.py").write_text("from .. import a\n")
    graph = {name.replace(str(tmp_path.name), ""): deps for name, deps in _graph_at(tmp_path, package).items()}
    assert circles(graph) == [["grader.a", "grader.sub.b"]]


def _graph_at(root: Path, package: Path) -> dict[str, set[str]]:
    global ROOT
    saved, ROOT = ROOT, root
    try:
        return import_graph(package)
    finally:
        ROOT = saved


def test_grader_has_no_import_circles():
    graph = import_graph()
    assert len(graph) > 50
    assert circles(graph) == []


def test_sample_outputs_are_unchanged(tmp_path):
    """grade, check, watch, status, report, feedback and every export print and write what they did."""
    got = sample_outputs(tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("wrote tests/golden/sample_outputs.json anew; review its diff")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
