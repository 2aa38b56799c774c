"""The student notebooks: one per week, written with nbformat.

After an introduction (how to check from inside the notebook, ``grader.notebook``) and a cell
that imports the in-notebook grader, for each exercise file of the week
(``exercises/<week>/<file>.py``, in the order of the course): a markdown cell with the task (the
stub's docstring); a code cell with the stub's code, tagged in ``metadata.tags`` with the id of
every exercise the file holds (a file with two exercises, ``mae`` and ``fit_quadratic``, whose
reference uses ``mae``, is one cell, as it is one file, so that the two functions see each other
as they do in the file); and a cell that checks them, ``grader.check("mae", "fit_quadratic")``
(taken out when the notebook is graded, see ``grader.notebook_calls``). Cell ids are derived
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


def check_call(members: list[Exercise]) -> str:
    """The cell that checks a file's exercises from inside the notebook: 'grader.check("calc_preds")'."""
    names = ", ".join(f'"{e.id}"' for e in members)
    return f"grader.check({names})"


def week_notebook(week: str, exercises: list[Exercise], stubs: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook of ``week``: an introduction and the grader's import, then a task cell, a tagged stub
    cell and a check cell per exercise file."""
    names = ", ".join(f"`{e.id}`" for e in exercises)
    label = re.sub(r"(\D)(\d)", r"\1 \2", week, count=1)  # "week5" -> "week 5"
    intro = (f"# {label.capitalize()} exercises\n\n"
             f"This notebook holds the exercises of {label}: {names}. For each task, read it, then "
             "write its functions in the code cell below it (the cell's tags tell the grader which exercises "
             "it holds; keep them).\n\n"
             "Check your work from inside this notebook: run the cell `import grader.notebook as grader` below "
             "once, then, after running your cell, the `grader.check(...)` cell under it. It checks your functions "
             "as this notebook's kernel has them now (the cells you ran, in the order you ran them), shows your "
             "points and, for each failed check, the call to paste, what was expected and what came back. "
             "`grader.hint(\"EXERCISE\")` gives a nudge, and `grader.check()` checks every exercise you wrote. "
             "The course must be installed where the kernel runs: `pip install -e .` in the course folder, or "
             "on Kaggle and Colab its wheel (see the course's README). From a terminal in the course folder, "
             f"`grader check notebooks/{week}.ipynb` checks this notebook as it is saved.")
    cells = [new_markdown_cell(intro, id=f"{week}-intro"),
             new_code_cell("import grader.notebook as grader", id=f"{week}-grader")]
    for members in files_of(in_course_order(exercises)).values():
        docstring, code = split_stub(stubs[members[0].id])
        cells.append(new_markdown_cell(task_markdown(members, docstring, week), id=cell_id(members, "task")))
        cells.append(new_code_cell(code, id=cell_id(members, "code"), metadata={"tags": [e.id for e in members]}))
        cells.append(new_code_cell(check_call(members), id=cell_id(members, "check")))
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
