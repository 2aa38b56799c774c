"""The student notebooks: one per week, written with nbformat.

For each exercise file of the week (``exercises/<week>/<file>.py``, in the order of the course),
a markdown cell with the task (the stub's docstring) and a code cell with the stub's code,
tagged in ``metadata.tags`` with the id of every exercise the file holds: a file with two
exercises (``mae`` and ``fit_quadratic``, whose reference uses ``mae``) is one cell, as it is one
file, so that the two functions see each other as they do in the file. Cell ids are derived
from the exercise ids, so the same course always gives the same bytes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.course import Exercise, in_course_order

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def week_of(exercise: Exercise) -> str:
    """The week an exercise belongs to: the folder of its file ('week5')."""
    return Path(exercise.path).parts[0] if len(Path(exercise.path).parts) > 1 else "exercises"


def split_stub(text: str) -> tuple[str, str]:
    """(the task: the module docstring, the code: everything after it)."""
    tree = ast.parse(text)
    first = tree.body[0] if tree.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return "", text.strip() + "\n"
    lines = text.splitlines()
    return first.value.value, "\n".join(lines[first.end_lineno:]).strip() + "\n"


#: A stub's last line, "Check your work with ``grader check calc_preds``.": that checks exercises/.
CHECK_YOUR_WORK = re.compile(r"Check your work with ``grader check [^`]*``\.")


def task_markdown(exercises: list[Exercise], docstring: str, week: str | None = None) -> str:
    """The task as markdown: the docstring's title as a heading, ``code`` as `code`; in ``week``'s
    notebook, "Check your work" names the command that checks the notebook, not exercises/."""
    title, _, rest = docstring.strip().partition("\n")
    if week is not None:
        rest = CHECK_YOUR_WORK.sub(f"Check your work with ``grader check notebooks/{week}.ipynb`` "
                                   "(in a terminal, in the course folder).", rest)
    body = re.sub(r"``(.+?)``", r"`\1`", rest.strip())
    return f"## {', '.join(e.id for e in exercises)}: {title.strip()}\n\n{body}\n"


def files_of(exercises: list[Exercise]) -> dict[str, list[Exercise]]:
    """The exercises grouped by their file, files in the order of their first exercise."""
    files: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        files.setdefault(exercise.path, []).append(exercise)
    return files


def cell_id(members: list[Exercise], kind: str) -> str:
    """'calc_preds-code', 'mae-fit_quadratic-task': nbformat allows 64 characters."""
    name = "-".join(e.id for e in members)
    if len(name) + len(kind) + 1 > 64:
        name = Path(members[0].path).stem
    return f"{name}-{kind}"[:64]


def week_notebook(week: str, exercises: list[Exercise], stubs: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook of ``week``: an introduction, then a task cell and a tagged stub cell per exercise file."""
    names = ", ".join(f"`{e.id}`" for e in exercises)
    label = re.sub(r"(\D)(\d)", r"\1 \2", week, count=1)  # "week5" -> "week 5"
    intro = (f"# {label.capitalize()} exercises\n\n"
             f"This notebook holds the exercises of {label}: {names}. For each task, read it, then "
             "write its functions in the code cell below it (the cell's tags tell the grader which exercises "
             "it holds; keep them).\n\n"
             f"Check your work from a terminal in the course folder with `grader check notebooks/{week}.ipynb`, "
             "or copy your functions into their file in `exercises/` and run `grader check`.")
    cells = [new_markdown_cell(intro, id=f"{week}-intro")]
    for members in files_of(in_course_order(exercises)).values():
        docstring, code = split_stub(stubs[members[0].id])
        cells.append(new_markdown_cell(task_markdown(members, docstring, week), id=cell_id(members, "task")))
        cells.append(new_code_cell(code, id=cell_id(members, "code"), metadata={"tags": [e.id for e in members]}))
    notebook = new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook


def write_notebooks(folder: Path, exercises: list[Exercise], stubs: dict[str, str]) -> list[Path]:
    """``folder/<week>.ipynb`` for every week of the course; returns the files written."""
    weeks: dict[str, list[Exercise]] = {}
    for exercise in exercises:  # in the course's order (grader/exercises.toml)
        weeks.setdefault(week_of(exercise), []).append(exercise)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for week, members in sorted(weeks.items()):
        path = folder / f"{week}.ipynb"
        path.write_text(nbformat.writes(week_notebook(week, members, stubs)) + "\n", encoding="utf-8")
        written.append(path)
    return written
