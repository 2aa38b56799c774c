"""Reading a submission: a folder mirroring exercises/, one .py file, or a notebook.

Nothing here runs submission code: files are read as text, notebooks with nbformat
and syntax is checked with ``ast``. Each exercise gets a ``Source`` or the reason
it has none (a missing file, a syntax error, an unreadable notebook).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Exercise
from grader.safetext import clean

SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git", ".venv", "venv"}


@dataclass(frozen=True)
class Source:
    """The code that defines an exercise's function, as the child will run it."""

    text: str
    filename: str                       # shown in messages and tracebacks
    cells: tuple[int, ...] = ()          # notebooks: the first line of each code cell

    def where(self, line: int | None) -> str:
        """'line 4' for files, 'cell 2, line 3' for notebooks."""
        if line is None:
            return ""
        if not self.cells:
            return f"line {line}"
        cell = max(i for i, first in enumerate(self.cells) if first <= line)
        return f"cell {cell + 1}, line {line - self.cells[cell] + 1}"


@dataclass
class Submission:
    name: str
    path: Path
    sources: dict[str, Source] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)   # exercise id -> why it has no source


def submission_name(path: Path) -> str:
    """The name results are filed under: the file or folder name without its extension."""
    return path.name if path.is_dir() else path.stem


def read_submission(path: Path, exercises: list[Exercise]) -> Submission:
    """Find each exercise's source in ``path``; problems are recorded per exercise, never raised."""
    path = Path(path)
    submission = Submission(submission_name(path), path)
    if path.is_symlink():
        for exercise in exercises:
            submission.problems[exercise.id] = f"{path.name} is a symbolic link; submit the file or folder itself"
        return submission
    if path.is_dir():
        for exercise in exercises:
            found = _find_in_folder(path, exercise)
            _record(submission, exercise, found)
        return submission
    if not path.exists():
        problem = f"{path} does not exist"
    elif path.suffix not in (".py", ".ipynb"):
        problem = f"{path.name} is not a .py file, a notebook or a folder"
    else:
        problem = None
    found: Source | str = problem if problem else _read(path, path.name)
    for exercise in exercises:
        _record(submission, exercise, found)
    return submission


def _record(submission: Submission, exercise: Exercise, found: Source | str) -> None:
    if isinstance(found, Source):
        submission.sources[exercise.id] = found
    else:
        submission.problems[exercise.id] = found


def _inside(root: Path, path: Path) -> bool:
    """True when ``path`` is a real file of the submission: no symbolic link on the way."""
    relative = path.relative_to(root)
    for depth in range(1, len(relative.parts) + 1):
        if (root / Path(*relative.parts[:depth])).is_symlink():
            return False
    return True


def _find_in_folder(root: Path, exercise: Exercise) -> Source | str:
    # Symbolic links are never followed: one could point at the reference solution.
    exact = root / exercise.path
    if exact.is_file() or exact.is_symlink():
        if not _inside(root, exact):
            return f"{exercise.path} is a symbolic link; submit the file itself"
        return _read(exact, exercise.path)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".ipynb") and _inside(root, p)
                   and p.is_file() and not SKIP_PARTS & set(p.relative_to(root).parts))
    named = [p for p in files if p.name == Path(exercise.path).name]
    if named:
        return _read(named[0], str(named[0].relative_to(root)))
    for candidate in files:
        source = _read(candidate, str(candidate.relative_to(root)))
        if isinstance(source, Source) and _defines(source.text, exercise.function):
            return source
    return f"no file for this exercise: expected {exercise.path} (or a notebook defining {exercise.function})"


def _defines(text: str, name: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
    return False


def _read(path: Path, display: str) -> Source | str:
    try:
        if path.suffix == ".ipynb":
            source = _read_notebook(path, display)
        else:
            source = Source(path.read_bytes().decode("utf-8"), display)
    except UnicodeDecodeError:
        return f"{display} is not UTF-8 text"
    except OSError as exc:
        return f"cannot read {display}: {exc.strerror or exc}"
    except ValueError as exc:
        first = (str(exc).splitlines() or [""])[0]
        return f"{display} is not a readable notebook: {clean(first, 200, lines=False)}"
    if not source.text.strip():
        return f"{display} is empty" if not source.cells else f"{display} has no code in its cells"
    if "\x00" in source.text:
        return f"{display} is not a text file (it holds null bytes)"
    try:
        ast.parse(source.text, filename=display)
    except SyntaxError as exc:
        where = source.where(exc.lineno)
        return f"SyntaxError in {display}{', ' + where if where else ''}: {exc.msg}"
    except ValueError as exc:  # e.g. null bytes
        return f"{display} cannot be parsed: {exc}"
    return source


def _read_notebook(path: Path, display: str) -> Source:
    import nbformat  # about a second to import: only when a notebook is met

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for bad JSON
        raise ValueError(str(exc) or type(exc).__name__) from None
    lines: list[str] = []
    starts: list[int] = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        starts.append(len(lines) + 1)
        for line in str(cell.get("source", "")).splitlines():
            stripped = line.lstrip()
            # IPython magics and shell escapes are not Python: keep the line count, drop the code.
            if stripped.startswith(("%", "!")):
                line = f"{line[: len(line) - len(stripped)]}pass  # {stripped}"
            lines.append(line)
    return Source("\n".join(lines) + "\n", display, tuple(starts))
