"""Hidden checks out of a check module: an AST transform of the trusted ``check_<id>.py``.

A check module's public checks are its ``check_*`` functions without ``@pytest.mark.hidden``.
``strip_hidden`` keeps those and, transitively, every module-level name they use (helpers,
constants, imports, decorators and default values included); everything else goes: the hidden
checks and the generators of their inputs. Kept statements keep their original text and the
comment lines just above them; an import keeps only the names still used.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


class StripError(Exception):
    """A check module that cannot be released as it is; the message names the check."""


@dataclass(frozen=True)
class Stripped:
    source: str                  # the module with only what the public checks need
    public: tuple[str, ...]      # the public checks' function names, in order
    hidden: tuple[str, ...]      # the hidden checks' function names, in order
    removed: tuple[str, ...]     # the other module-level names that went with them
    points: float                # what the public checks are worth together


def is_hidden(node: ast.AST) -> bool:
    """Does this function carry ``@pytest.mark.hidden`` (or ``@mark.hidden``)?"""
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "hidden":
            return True
    return False


def _defined(node: ast.stmt) -> set[str]:
    """The module-level names a statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    names = set()
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    for target in targets:
        if target is not None:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _used(node: ast.stmt) -> set[str]:
    """Every name a statement reads (its body, decorators, defaults and annotations)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _check_name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("check_"):
        return node.name
    return None


def strip_hidden(source: str, filename: str = "<checks>") -> Stripped:
    """The check module ``source`` without its hidden checks and what only they use."""
    tree = ast.parse(source, filename)
    body = list(tree.body)
    docstring = None
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        docstring = body.pop(0)
    public = [n for n in body if _check_name(n) and not is_hidden(n)]
    hidden = [n for n in body if _check_name(n) and is_hidden(n)]
    definers: dict[str, list[ast.stmt]] = {}
    for node in body:
        for name in _defined(node):
            definers.setdefault(name, []).append(node)
    # Roots: the public checks and any statement that is not a definition (it runs on import).
    plain = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
             ast.Assign, ast.AnnAssign)
    keep: set[int] = set()
    star = [n for n in body if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)]
    todo = [n for n in body if n in public or n in star or not isinstance(n, plain)]
    needed: set[str] = set()
    while todo:
        node = todo.pop()
        if id(node) in keep:
            continue
        keep.add(id(node))
        for name in _used(node):
            needed.add(name)
            for definer in definers.get(name, []):
                if isinstance(definer, (ast.Import, ast.ImportFrom)):
                    keep.add(id(definer))
                elif _check_name(definer) and is_hidden(definer):
                    raise StripError(f"{filename}: a public check uses the hidden check {definer.name}")
                else:
                    todo.append(definer)
    lines = source.splitlines()
    parts: list[tuple[ast.stmt, str]] = []
    for node in body:
        if id(node) not in keep:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in star:
            text = _pruned_import(node, needed, lines)
            if text:
                parts.append((node, text))
            continue
        parts.append((node, _segment(node, lines)))
    out: list[str] = []
    previous: ast.stmt | None = None
    order = {id(n): i for i, n in enumerate([docstring, *body] if docstring is not None else body)}
    for node, text in ([(docstring, _segment(docstring, lines))] if docstring is not None else []) + parts:
        if previous is not None:
            out.append("\n" * (_gap(previous, node, lines, order) + 1))
        out.append(text)
        previous = node
    removed = sorted({name for n in body if id(n) not in keep and not _check_name(n) for name in _defined(n)}
                     | {a for n in body if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) in keep
                        for a in _defined(n) if a not in needed})
    text = "".join(out) + "\n"
    compile(text, filename, "exec")  # the transform must leave valid Python
    return Stripped(text, tuple(n.name for n in public), tuple(n.name for n in hidden), tuple(removed),
                    sum(_points(n) for n in public))


def _points(node: ast.FunctionDef) -> float:
    """The ``@pytest.mark.points(n)`` of a check (1 without it)."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) \
                and decorator.func.attr == "points" and decorator.args:
            return float(ast.literal_eval(decorator.args[0]))
    return 1.0


def _gap(previous: ast.stmt, node: ast.stmt, lines: list[str], order: dict[int, int]) -> int:
    """Blank lines between two kept statements: as in the source when they were neighbours there,
    else two around a definition and one otherwise."""
    if order[id(node)] == order[id(previous)] + 1:
        start = len(_segment(node, lines).split("\n"))
        return max(0, node.end_lineno - start - previous.end_lineno)
    definition = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return 2 if isinstance(node, definition) or isinstance(previous, definition) else 1


def _segment(node: ast.stmt, lines: list[str]) -> str:
    """A statement's own lines, its decorators and the comment lines right above it."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return "\n".join(lines[start:node.end_lineno])


def _pruned_import(node: ast.Import | ast.ImportFrom, needed: set[str], lines: list[str]) -> str:
    """The import with only the names still used ('' when none is)."""
    names = [a for a in node.names if (a.asname or a.name).split(".")[0] in needed]
    if len(names) == len(node.names):
        return _segment(node, lines)
    if not names:
        return ""
    pruned = ast.ImportFrom(node.module, names, node.level) if isinstance(node, ast.ImportFrom) \
        else ast.Import(names)
    return ast.unparse(pruned)
