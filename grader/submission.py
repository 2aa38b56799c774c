"""Reading a submission: a folder mirroring exercises/, one .py file, or a notebook.

Nothing here runs or parses submission code: files are read as bounded text (notebooks
with nbformat), and the file that defines a function is found by a text scan. The child
compiles the code and reports syntax errors (``grader.sandbox.child``). Each exercise gets
a ``Source`` or the reason it has none (a missing or oversized file, an unreadable notebook).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Exercise
from grader.safetext import clean

SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git", ".venv", "venv", "node_modules"}
MAX_SOURCE_BYTES = 1024 * 1024           # a .py file, and the code cells of a notebook together
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024    # a notebook file, outputs included
MAX_FOLDER_ENTRIES = 2000                # files and folders looked at in a submission folder
MB = 1024 * 1024


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook, as the child will run it."""

    number: int                 # 1 for the first code cell
    code: str                   # magics and shell lines replaced by ``pass``
    first_line: int             # where the cell starts in ``Source.text``
    tags: tuple[str, ...] = ()  # Jupyter's metadata.tags
    magic: str = ""             # "%%time" and the like: a cell magic, never run

    @property
    def first_code_line(self) -> str:
        """The cell's first line of code, as a short reminder of which cell it is."""
        line = next((ln.strip() for ln in self.code.splitlines() if ln.strip()), "")
        return line if len(line) <= 60 else line[:57] + "..."


@dataclass(frozen=True)
class Source:
    """The code that defines an exercise's function: a file's text, or a notebook's code cells."""

    text: str
    filename: str                       # shown in messages and tracebacks
    cells: tuple[Cell, ...] = ()        # notebooks only; ``text`` is then their code, joined

    @property
    def notebook(self) -> bool:
        return bool(self.cells)

    def cell_at(self, line: int) -> Cell | None:
        """The notebook cell that holds ``line`` of ``text``."""
        inside = [c for c in self.cells if c.first_line <= line]
        return inside[-1] if inside else None

    def where(self, line: int | None) -> str:
        """'line 4' for files, 'cell 2, line 3' for notebooks."""
        if line is None:
            return ""
        if not self.cells:
            return f"line {line}"
        cell = self.cell_at(line)
        if cell is None:
            return ""
        return f"cell {cell.number}, line {line - cell.first_line + 1}"


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
    _read_into(submission, path, exercises)
    return submission


def provided(path: Path, exercises: list[Exercise]) -> list[Exercise]:
    """The exercises whose function the file at ``path`` (a notebook or a .py file) defines, in
    course order; a file that cannot be read, or defines none of them, is a ``ValueError`` that
    says why."""
    submission = read_submission(path, exercises)
    # A file is every exercise's source until it runs; what it defines shows in its text (bounded
    # by the size limits above, and never parsed as Python here).
    found = [e for e in exercises if e.id in submission.sources
             and re.search(rf"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+{re.escape(e.function)}\b",
                           submission.sources[e.id].text, re.MULTILINE)]
    if found:
        return found
    reasons = {p for p in submission.problems.values() if not p.startswith("no file for this exercise")}
    raise ValueError(sorted(reasons)[0] if len(reasons) == 1 else
                     f"{path.name} defines none of the course's functions (`grader list` shows them)")


def _read_into(submission: Submission, path: Path, exercises: list[Exercise]) -> None:
    if path.is_symlink():
        for exercise in exercises:
            submission.problems[exercise.id] = f"{path.name} is a symbolic link; submit the file or folder itself"
        return
    if path.is_dir():
        folder = _Folder(path)
        for exercise in exercises:
            _record(submission, exercise, folder.find(exercise))
        return
    if not path.exists():
        problem = f"{path} does not exist"
    elif path.suffix not in (".py", ".ipynb"):
        problem = f"{path.name} is not a .py file, a notebook or a folder"
    else:
        problem = None
    found: Source | str = problem if problem else _read(path, path.name)
    for exercise in exercises:
        _record(submission, exercise, found)


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


class _Folder:
    """A submission folder: its .py and notebook files (a bounded scan), each read at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: list[Path] | None = None
        self._truncated = False
        self._read: dict[Path, Source | str] = {}

    def find(self, exercise: Exercise) -> Source | str:
        # Symbolic links are never followed: one could point at the reference solution.
        exact = self.root / exercise.path
        if exact.is_file() or exact.is_symlink():
            if not _inside(self.root, exact):
                return f"{exercise.path} is a symbolic link; submit the file itself"
            return self.read(exact)
        files = self.files()
        named = [p for p in files if p.name == Path(exercise.path).name]
        if named:
            return self.read(named[0])
        for candidate in files:
            source = self.read(candidate)
            if isinstance(source, Source) and defines(source.text, exercise.function):
                return source
        more = f"; only the first {MAX_FOLDER_ENTRIES} files and folders were looked at" if self._truncated else ""
        return f"no file for this exercise: expected {exercise.path} (or a notebook defining {exercise.function}){more}"

    def read(self, path: Path) -> Source | str:
        if path not in self._read:
            self._read[path] = _read(path, str(path.relative_to(self.root)))
        return self._read[path]

    def files(self) -> list[Path]:
        """The folder's .py and .ipynb files, breadth first, never through a symbolic link,
        looking at no more than ``MAX_FOLDER_ENTRIES`` entries."""
        if self._files is not None:
            return self._files
        found: list[Path] = []
        folders, seen = [self.root], 0
        while folders and seen < MAX_FOLDER_ENTRIES:
            folder = folders.pop(0)
            entries: list[os.DirEntry] = []
            try:
                with os.scandir(folder) as it:
                    for entry in it:
                        entries.append(entry)
                        seen += 1
                        if seen >= MAX_FOLDER_ENTRIES:
                            self._truncated = True
                            break
            except OSError:
                continue
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_symlink() or entry.name in SKIP_PARTS:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.name.endswith((".py", ".ipynb")):
                    found.append(Path(entry.path))
        self._truncated = self._truncated or bool(folders)
        self._files = sorted(found)
        return self._files


def defines(text: str, name: str) -> bool:
    """Whether ``text`` defines ``name`` at the top level (a def, class or assignment at the
    start of a line): a linear text scan, since the grader never parses submission code."""
    pattern = rf"^(?:(?:async[ \t]+)?def|class)[ \t]+{re.escape(name)}\b|^{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)"
    return re.search(pattern, text, re.MULTILINE) is not None


def _read(path: Path, display: str) -> Source | str:
    notebook = path.suffix == ".ipynb"
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES
    try:
        size = path.lstat().st_size
        if size > limit:
            return _too_big(display, size, limit)
        with path.open("rb") as f:
            data = f.read(limit + 1)   # the file may have grown since
        if len(data) > limit:
            return _too_big(display, len(data), limit)
        text = data.decode("utf-8")
        source = _read_notebook(text, display) if notebook else Source(text, display)
    except UnicodeDecodeError:
        return f"{display} is not UTF-8 text"
    except OSError as exc:
        return f"cannot read {display}: {exc.strerror or exc}"
    except (ValueError, RecursionError, MemoryError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"{display} is not a readable notebook: {clean(first, 200, lines=False)}"
    if not source.text.strip():
        return f"{display} is empty" if not source.cells else f"{display} has no code in its cells"
    if "\x00" in source.text:
        return f"{display} is not a text file (it holds null bytes)"
    return source


def _too_big(display: str, size: int, limit: int) -> str:
    what = "a notebook" if display.endswith(".ipynb") else "a source file"
    return f"{display} is {size / MB:.1f} MB; {what} may be at most {limit // MB} MB"


CELL_MAGIC = re.compile(r"\s*(%%\S*)")


def _read_notebook(text: str, display: str) -> Source:
    # Plain JSON for the current format: nbformat's validation and conversion take seconds on a
    # notebook of many small outputs, and only the code cells matter here. Older formats are
    # converted by nbformat.
    try:
        notebook = json.loads(text)
        if not isinstance(notebook, dict) or "nbformat" not in notebook:
            raise ValueError("no nbformat version in it")
        if notebook["nbformat"] != 4:
            import nbformat  # about a second to import: only when an old notebook is met

            notebook = nbformat.convert(nbformat.from_dict(notebook), 4)
    except Exception as exc:  # json and nbformat raise several unrelated types
        raise ValueError(str(exc) or type(exc).__name__) from None
    cells_in = notebook.get("cells")
    if not isinstance(cells_in, list):
        raise ValueError("it has no list of cells")
    lines: list[str] = []
    cells: list[Cell] = []
    size = 0
    for cell in cells_in:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code = cell.get("source", "")
        code = "".join(code) if isinstance(code, list) else str(code)
        size += len(code.encode("utf-8", "replace"))
        if size > MAX_SOURCE_BYTES:
            raise ValueError(f"its code cells hold more than {MAX_SOURCE_BYTES // MB} MB of code")
        tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell.get("metadata"), dict) else []
        tags = tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()
        magic = CELL_MAGIC.match(code)
        kept = []
        for line in code.splitlines():
            stripped = line.lstrip()
            # IPython magics and shell escapes are not Python: keep the line count, drop the code.
            if magic or stripped.startswith(("%", "!")):
                line = f"{line[: len(line) - len(stripped)]}pass  # {stripped}" if not magic else f"# {line}"
            kept.append(line)
        cells.append(Cell(len(cells) + 1, "\n".join(kept) + "\n", len(lines) + 1, tags,
                          magic.group(1) if magic else ""))
        lines.extend(kept or [""])
    return Source("\n".join(lines) + "\n", display, tuple(cells))


# --------------------------------------------------------------- what a cell would have defined
#
# For the hint on a NameError: the names a notebook cell that did not run would have
# defined, read from its import lines. Star imports are known by this small table only.

_FASTAI = ("torch", "nn", "F", "np", "pd", "plt", "Path", "partial", "tensor", "Tensor")
STAR_IMPORTS: dict[str, tuple[str, ...]] = {
    "fastai.basics": _FASTAI,
    "fastai.vision.all": _FASTAI,
    "fastai.tabular.all": _FASTAI,
    "fastai.text.all": _FASTAI,
    "fastai.imports": _FASTAI,
    "fastbook": _FASTAI,
    "numpy": (),
    "torch": ("tensor", "Tensor"),
}
IMPORT_FOR: dict[str, str] = {
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "import torch.nn.functional as F",
    "np": "import numpy as np",
    "pd": "import pandas as pd",
    "plt": "import matplotlib.pyplot as plt",
    "Path": "from pathlib import Path",
    "partial": "from functools import partial",
    "tensor": "from torch import tensor",
    "Tensor": "from torch import Tensor",
}
_ASSIGNED = re.compile(r"(\w+)[ \t]*(?::[^=]*)?=(?!=)")
_DEFINED = re.compile(r"(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)")
LONGEST_SCANNED_LINE = 300


def provided_names(code: str) -> dict[str, tuple[str, str]]:
    """name -> (the line that defines it, the import to write instead or "") for one cell's code.

    A line-by-line scan of import, def, class and assignment lines (longer lines are skipped)."""
    names: dict[str, tuple[str, str]] = {}
    for raw in code.splitlines():
        if len(raw) > LONGEST_SCANNED_LINE:
            continue
        line = raw.split("#", 1)[0].strip()
        shown = line if len(line) <= 60 else line[:57] + "..."
        found: list[tuple[str, str]] = []
        if line.startswith("import "):
            for part in line[len("import "):].split(","):
                words = part.split()
                if len(words) == 3 and words[1] == "as":
                    found.append((words[2], f"import {words[0]} as {words[2]}"))
                elif len(words) == 1:
                    top = words[0].split(".")[0]
                    found.append((top, IMPORT_FOR.get(top, f"import {words[0]}")))
        elif line.startswith("from ") and " import " in line:
            module, _, imported = line[len("from "):].partition(" import ")
            module = module.strip()
            for part in imported.strip("() ").split(","):
                words = part.split()
                if words == ["*"]:
                    found += [(name, IMPORT_FOR.get(name, "")) for name in STAR_IMPORTS.get(module, ())]
                elif len(words) == 3 and words[1] == "as":
                    found.append((words[2], f"from {module} import {words[0]} as {words[2]}"))
                elif len(words) == 1:
                    found.append((words[0], f"from {module} import {words[0]}"))
        elif match := (_DEFINED.match(raw) or _ASSIGNED.match(raw)):
            found.append((match.group(1), ""))
        for name, instead in found:
            if name.isidentifier():
                names.setdefault(name, (shown, instead))
    return names
