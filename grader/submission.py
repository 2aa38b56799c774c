"""Reading a submission: a folder mirroring exercises/, one .py file, a notebook, or a student
repository (a folder with exercises/ and notebooks/, where an exercise may be done in either).

Nothing here runs or parses submission code: files are read as bounded text (notebooks
as JSON), and the file that defines a function is found by a text scan. The child
compiles the code and reports syntax errors (``grader.sandbox.child``). Each exercise gets
a ``Source`` or the reason it has none (a missing or oversized file, an unreadable notebook).

The work is bounded (the caps are in ``grader.bounds``): a folder's files are read at most
once each, at most ``MAX_FOLDER_READ_BYTES`` of them together, and each is scanned once for
the names it defines; anything that is not a regular file or a folder (a FIFO, a socket, a
device) is refused from its ``lstat`` without being opened, and files are opened with
``O_NONBLOCK | O_NOFOLLOW`` and checked again on the open descriptor.
"""

from __future__ import annotations

import json
import os
import re
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from grader import bounds
from grader.bounds import MAX_FOLDER_ENTRIES, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_CELLS, MAX_SOURCE_BYTES, MB
from grader.course import Exercise
from grader.definitions import defined_names, defines, provided_names, untouched_stub
from grader.notebook_calls import notebook_without_grader_calls
from grader.safetext import clean

SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git", ".venv", "venv", "node_modules"}


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook, as the child will run it."""

    number: int                 # its position among all the notebook's cells, markdown included (1 first)
    code: str                   # magics and shell lines replaced by ``pass``
    first_line: int             # where the cell starts in ``Source.text``
    tags: tuple[str, ...] = ()  # Jupyter's metadata.tags
    magic: str = ""             # "%%time" and the like: a cell magic, never run
    count: int | None = None    # the execution_count the notebook saved: ``In [count]``

    @property
    def label(self) -> str:
        """The cell as a person sees it: 'cell 7 (In [3])', or 'cell 7' when it has no saved count."""
        return f"cell {self.number}" + (f" (In [{self.count}])" if self.count is not None else "")

    @cached_property
    def names(self) -> set[str]:
        """The names the cell defines at its top level (``defined_names``), worked out once."""
        return defined_names(self.code)

    @cached_property
    def _untouched(self) -> dict[str, bool]:
        return {}

    def untouched(self, name: str) -> bool:
        """Whether the cell's definition of ``name`` is still a stub (``untouched_stub``), worked
        out once per name: reading a repository and choosing the graded cell both ask."""
        if name not in self._untouched:
            self._untouched[name] = untouched_stub(self.code, name)
        return self._untouched[name]

    @cached_property
    def provided(self) -> dict[str, tuple[str, str]]:
        """``provided_names(self.code)``, worked out once: every failed check that meets a
        NameError asks it of every skipped cell."""
        return provided_names(self.code)

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

    @cached_property
    def _first_lines(self) -> list[int]:
        return [c.first_line for c in self.cells]   # increasing: each cell has a line at least

    def cell_at(self, line: int) -> Cell | None:
        """The notebook cell that holds ``line`` of ``text`` (a binary search: a note per skipped
        cell asks this once, so a notebook of many cells costs n log n, not n squared)."""
        index = bisect_right(self._first_lines, line)
        return self.cells[index - 1] if index else None

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
    # A student repository (``is_student_repository``): the exercise's other place when both
    # exercises/ and a notebook in notebooks/ hold it written; the better result counts.
    alternatives: dict[str, Source] = field(default_factory=dict)
    repository: bool = False


NOTEBOOKS = "notebooks"


def is_student_repository(path: Path) -> bool:
    """A folder with both ``exercises/`` and ``notebooks/`` (real folders, not links): a student's
    copy of the course, whose exercises may be done in either place."""
    try:
        return all(stat.S_ISDIR((Path(path) / part).lstat().st_mode) for part in ("exercises", NOTEBOOKS))
    except OSError:
        return False


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
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        problem: str | None = f"cannot read {path.name}: {exc.strerror or exc}"
        for exercise in exercises:
            submission.problems[exercise.id] = problem
        return
    if mode is not None and stat.S_ISLNK(mode):
        for exercise in exercises:
            submission.problems[exercise.id] = f"{path.name} is a symbolic link; submit the file or folder itself"
        return
    if mode is not None and stat.S_ISDIR(mode) and is_student_repository(path):
        _read_repository(submission, path, exercises)
        return
    if mode is not None and stat.S_ISDIR(mode):
        found_all = _Folder(path).find_all(exercises)
        for exercise in exercises:
            _record(submission, exercise, found_all[exercise.id])
        return
    if mode is None:
        problem = f"{path} does not exist"
    elif not stat.S_ISREG(mode):
        problem = f"{path.name} is {file_kind(mode)}, not a regular file or a folder; submit the file or folder itself"
    elif path.suffix not in (".py", ".ipynb"):
        problem = f"{path.name} is not a .py file, a notebook or a folder"
    else:
        problem = None
    found: Source | str = problem if problem else _read(path, path.name)
    for exercise in exercises:
        _record(submission, exercise, found)


def _read_repository(submission: Submission, path: Path, exercises: list[Exercise]) -> None:
    """A student repository: each exercise from its file in ``exercises/`` and from the notebooks of
    ``notebooks/`` (the one named for its week first, then the others in name order), read within
    one folder budget. Where only one place holds it written, that place is its source; where both
    do, the file is its source and the notebook its alternative; where neither does, its file."""
    submission.repository = True
    files = _Folder(path / "exercises")
    found = files.find_all(exercises)
    notebooks = _Folder(path / NOTEBOOKS, prefix=f"{NOTEBOOKS}/", spent=files.spent)
    by_week: dict[str, Source] = {}
    readable: list[Source] = []
    for candidate in notebooks.files():
        if candidate.suffix != ".ipynb":
            continue
        source = notebooks.read(candidate)
        if isinstance(source, Source):
            readable.append(source)
            by_week.setdefault(candidate.stem, source)
    for exercise in exercises:
        own = found[exercise.id]
        week = Path(exercise.path).parts[0] if len(Path(exercise.path).parts) > 1 else ""
        ordered = ([by_week[week]] if week in by_week else []) + [s for s in readable if s is not by_week.get(week)]
        notebook = next((s for s in ordered if written(s, exercise.function)), None)
        if notebook is None:
            _record(submission, exercise, own)
        elif isinstance(own, Source) and written(own, exercise.function):
            submission.sources[exercise.id] = own
            submission.alternatives[exercise.id] = notebook
        else:
            submission.sources[exercise.id] = notebook


def written(source: Source, name: str) -> bool:
    """Whether ``source`` defines ``name`` beyond a stub: a file's last definition, or any notebook
    cell's, is not ``untouched_stub``."""
    if source.cells:
        return any(name in cell.names and not cell.untouched(name) for cell in source.cells)
    return defines(source.text, name) and not untouched_stub(source.text, name)


def _record(submission: Submission, exercise: Exercise, found: Source | str) -> None:
    if isinstance(found, Source):
        submission.sources[exercise.id] = found
    else:
        submission.problems[exercise.id] = found


def file_kind(mode: int) -> str:
    """'a FIFO (named pipe)' and the like: what a file that is not a regular file is, from its mode."""
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "not a regular file"


class NotRegularFile(OSError):
    """A path that turned out not to be a regular file when it was opened."""

    def __init__(self, mode: int) -> None:
        super().__init__(f"it is {file_kind(mode)}, not a regular file")
        self.mode = mode


def open_regular(path: Path) -> int:
    """A descriptor of the regular file at ``path``, opened without blocking and without following
    a symbolic link: a FIFO swapped in after an ``lstat`` never blocks the grader (it is refused,
    ``NotRegularFile``, from its descriptor). The caller closes the descriptor."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file at ``path`` (one more tells that it is longer)."""
    fd = open_regular(path)
    try:
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, MB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _inside(root: Path, path: Path) -> bool:
    """True when ``path`` is a real file of the submission: no symbolic link on the way."""
    relative = path.relative_to(root)
    for depth in range(1, len(relative.parts) + 1):
        if (root / Path(*relative.parts[:depth])).is_symlink():
            return False
    return True


class _Folder:
    """A submission folder: its .py and notebook files (a bounded scan), each read at most once and
    at most ``bounds.MAX_FOLDER_READ_BYTES`` of them together, each scanned once for its names."""

    def __init__(self, root: Path, prefix: str = "", spent: int = 0) -> None:
        self.root = root
        self.prefix = prefix                           # before each file's name in messages
        self._files: list[Path] | None = None
        self._truncated = False
        self._special: list[tuple[Path, int]] = []   # .py and .ipynb entries that are not regular files
        self._read: dict[Path, Source | str] = {}
        self._spent = spent                            # bytes read from the folder's files (and before it)
        self._over_budget = False                      # a file was left unread for want of bytes

    def find_all(self, exercises: list[Exercise]) -> dict[str, Source | str]:
        """Each exercise's source (or why it has none): its own path first, then a file of that
        name anywhere, then the first file (in path order) that defines its function. Files are
        read once each and searched in memory, so the work is linear in the bytes read."""
        found: dict[str, Source | str] = {}
        for exercise in exercises:
            exact = self._exact(exercise)
            if exact is not None:
                found[exercise.id] = exact
        rest = [e for e in exercises if e.id not in found]
        if not rest:
            return found
        files = self.files()
        by_name: dict[str, Path] = {}
        for candidate in files:
            by_name.setdefault(candidate.name, candidate)
        for exercise in rest:
            named = by_name.get(Path(exercise.path).name)
            if named is not None:
                found[exercise.id] = self.read(named)
        wanted: dict[str, list[Exercise]] = {}
        for exercise in exercises:
            if exercise.id not in found:
                wanted.setdefault(exercise.function, []).append(exercise)
        for candidate in files:
            if not wanted:
                break
            source = self._read.get(candidate) or self.read(candidate, keep=False)
            if not isinstance(source, Source):
                continue
            for name in defined_names(source.text) & wanted.keys():
                self._read[candidate] = source
                for exercise in wanted.pop(name):
                    found[exercise.id] = source
        for group in wanted.values():
            for exercise in group:
                found[exercise.id] = self._not_found(exercise)
        return found

    def _exact(self, exercise: Exercise) -> Source | str | None:
        """What the file at the exercise's own path gives, or None when nothing (or a folder) is there."""
        # Symbolic links are never followed: one could point at the reference solution.
        exact = self.root / exercise.path
        try:
            mode = exact.lstat().st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode):
            return None
        if not _inside(self.root, exact):
            return f"{exercise.path} is a symbolic link; submit the file itself"
        if not stat.S_ISREG(mode):
            return f"{exercise.path} is {file_kind(mode)}, not a regular file; submit the file itself"
        return self.read(exact)

    def _not_found(self, exercise: Exercise) -> str:
        more = f"; only the first {MAX_FOLDER_ENTRIES} files and folders were looked at" if self._truncated else ""
        if self._over_budget:
            more += f"; only the first {bounds.MAX_FOLDER_READ_BYTES // MB} MB of the folder's files were read"
        if self._special:
            path, mode = self._special[0]
            more += f"; {path.relative_to(self.root)} is {file_kind(mode)}, not a regular file, and was not read"
        return f"no file for this exercise: expected {exercise.path} (or a notebook defining {exercise.function}){more}"

    def read(self, path: Path, keep: bool = True) -> Source | str:
        """The file at ``path`` read (once: with ``keep`` it is remembered), within the folder's budget."""
        if path in self._read:
            return self._read[path]
        display = self.prefix + str(path.relative_to(self.root))
        try:
            if self._over_budget:   # the first file that did not fit ends the reading
                raise _OverBudget(_over_budget(display))
            source, spent = _read_counted(path, display, room=bounds.MAX_FOLDER_READ_BYTES - self._spent)
        except _OverBudget as exc:
            source, spent = str(exc), 0
            self._over_budget = True
        self._spent += spent
        if keep:
            self._read[path] = source
        return source

    @property
    def spent(self) -> int:
        """Bytes read from the folder's files so far (with what was spent before it)."""
        return self._spent

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
                elif entry.is_file(follow_symlinks=False):
                    if entry.name.endswith((".py", ".ipynb")):
                        found.append(Path(entry.path))
                elif entry.name.endswith((".py", ".ipynb")):   # a FIFO, socket or device: never opened
                    try:
                        self._special.append((Path(entry.path), entry.stat(follow_symlinks=False).st_mode))
                    except OSError:
                        pass
        self._truncated = self._truncated or bool(folders)
        self._files = sorted(found)
        self._special.sort()
        return self._files


def _read(path: Path, display: str) -> Source | str:
    """The file at ``path`` as a ``Source``, or why not."""
    return _read_counted(path, display)[0]


class _OverBudget(Exception):
    """A folder's file left unread: the folder's bytes are spent."""


def _over_budget(display: str) -> str:
    return (f"{display} was not read: a submission folder's files may hold at most "
            f"{bounds.MAX_FOLDER_READ_BYTES // MB} MB together")


def _read_counted(path: Path, display: str, room: int | None = None) -> tuple[Source | str, int]:
    """``_read``, and the bytes it read. With ``room`` (bytes left of a folder's budget) a larger
    file is not read at all: ``_OverBudget``."""
    notebook = path.suffix == ".ipynb"
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES
    data = b""
    try:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode):
            return f"{display} is {file_kind(status.st_mode)}, not a regular file", 0
        if status.st_size > limit:
            return _too_big(display, status.st_size, limit), 0
        if room is not None and status.st_size > room:
            raise _OverBudget(_over_budget(display))
        data = read_regular(path, limit)   # the file may have grown since
        if len(data) > limit:
            return _too_big(display, len(data), limit), len(data)
        text = data.decode("utf-8")
        source = _read_notebook(text, display) if notebook else Source(text, display)
    except NotRegularFile as exc:
        return f"{display} is {file_kind(exc.mode)}, not a regular file", 0
    except UnicodeDecodeError:
        return f"{display} is not UTF-8 text", len(data)
    except OSError as exc:
        return f"cannot read {display}: {exc.strerror or exc}", len(data)
    except _Refused as exc:
        return f"{display} {exc}", len(data)
    except (ValueError, RecursionError, MemoryError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"{display} is not a readable notebook: {clean(first, 200, lines=False)}", len(data)
    if not source.text.strip():
        return (f"{display} is empty" if not source.cells else f"{display} has no code in its cells"), len(data)
    if "\x00" in source.text:
        return f"{display} is not a text file (it holds null bytes)", len(data)
    return source, len(data)


def _too_big(display: str, size: int, limit: int) -> str:
    what = "a notebook" if display.endswith(".ipynb") else "a source file"
    return f"{display} is {size / MB:.1f} MB; {what} may be at most {limit // MB} MB"


class _Refused(ValueError):
    """A notebook refused whole; the message follows its name ("has 100,000 cells; ...")."""


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
    if len(cells_in) > MAX_NOTEBOOK_CELLS:
        raise _Refused(f"has {len(cells_in):,} cells; a notebook may have at most {MAX_NOTEBOOK_CELLS:,}")
    cells_in = notebook_without_grader_calls(cells_in)   # grader.check("...") cells: asking, not answering
    lines: list[str] = []
    cells: list[Cell] = []
    size = 0
    for position, cell in enumerate(cells_in, start=1):
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
        count = cell.get("execution_count")
        cells.append(Cell(position, "\n".join(kept) + "\n", len(lines) + 1, tags,
                          magic.group(1) if magic else "", count if type(count) is int and count >= 0 else None))
        lines.extend(kept or [""])
    return Source("\n".join(lines) + "\n", display, tuple(cells))


# --------------------------------------------------------------- which cell is graded


def graded_cell(source: Source, exercise: Exercise) -> tuple[Cell | None, str]:
    """The cell of notebook ``source`` whose definition of the exercise's function is graded, and a
    note when several cells define it. A cell tagged with the exercise's id wins unless it is still
    the untouched stub; then the last cell whose definition is written; then the last definition
    (a stub: "not written yet"). None when no cell that runs defines it."""
    function = exercise.function
    defining = [c for c in source.cells if not c.magic and function in c.names]
    if not defining:
        return None, ""
    live = [c for c in defining if not c.untouched(function)]
    tagged = [c for c in live if exercise.id in c.tags]
    stubs = [c for c in defining if c.untouched(function)]
    if tagged:
        chosen, how = tagged[-1], f"{tagged[-1].label}, tagged {exercise.id}, is graded"
    elif live and stubs:
        chosen = live[-1]
        how = f"the last written one, {chosen.label}, is graded ({', '.join(c.label for c in stubs[:5])} still " \
              f"{'holds' if len(stubs) == 1 else 'hold'} the stub); tag a cell to choose"
    elif live:
        chosen, how = live[-1], f"the last, {live[-1].label}, is graded; tag a cell to choose"
    else:
        chosen, how = defining[-1], f"the last, {defining[-1].label}, is graded"
    if len({c.code for c in defining}) == 1:   # one definition, or the same cell's code again: no choice
        return chosen, ""
    return chosen, f"{function} is defined in {len(defining)} cells; {how}"
