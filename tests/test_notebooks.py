"""Notebooks grade the way Jupyter runs them: cell by cell, a failing or endless cell skipped
and noted, the functions of the cells that ran graded as usual; tagged cells pin an
exercise's function. Notebooks are shaped like the course's lesson notebooks (see
/work/shared/course-notes/ 001 and 004): widgets, fastai, a Kaggle download, the Titanic
CSV, @interact plots, training, and the student's answers in cells of their own."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, exercise_scores
from grader.release.strip import strip_hidden

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
ANSWERS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}
TOTAL = sum(e.points for e in EXERCISES)                                            # every answer right
PUBLIC_POINTS = sum(strip_hidden(e.checks.read_text()).points for e in EXERCISES)  # the public checks' share
#: The lessons' five exercises (weeks 3 and 5): a lesson-shaped notebook answers these, and is graded on them.
LESSON = ("triple_relu", "gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold")

WIDGETS_AND_FASTAI = "import ipywidgets as widgets\nfrom ipywidgets import interact\nfrom fastai.basics import *\n" \
                     "plt.rc('figure', dpi=90)"
KAGGLE_DOWNLOAD = ("import os, zipfile\nimport kaggle\n"
                   "if not os.path.exists('../input/titanic'):\n"
                   "    kaggle.api.competition_download_cli('titanic')\n"
                   "    zipfile.ZipFile('titanic.zip').extractall('../input/titanic')")
READ_CSV = "import pandas as pd\ndf = pd.read_csv('../input/titanic/train.csv')\ndf.head()"
INTERACT = ("@interact(m1=1.0, b1=-1.0, m2=-0.5, b2=0.25, m3=2.0, b3=-3.0)\n"
            "def plot_relus(m1, b1, m2, b2, m3, b3):\n"
            "    x = torch.linspace(-3, 3, 100)\n"
            "    plt.plot(x, triple_relu(m1, b1, m2, b2, m3, b3, x))")
TRAINING = ("import torch\n"
            "torch.manual_seed(42)\n"
            "indeps = torch.rand(891, 12)\ndeps = (torch.rand(891) > 0.6).float()\n"
            "coeffs = (torch.rand(12) - 0.5).requires_grad_()\n"
            "for epoch in range(10_000_000):\n"
            "    loss = torch.abs(calc_preds(coeffs, indeps) - deps).mean()\n"
            "    loss.backward()\n"
            "    gradient_step([coeffs], 0.1)\n"
            "print(f'{loss:.3f}')")
FINE_TUNE = "dls = ImageDataLoaders.from_folder(path, valid_pct=0.2)\nlearn = vision_learner(dls, resnet18)\n" \
            "learn.fine_tune(3)"


def answers(*ids: str) -> list:
    return [cell for e in (ids or [e.id for e in EXERCISES])
            for cell in (new_markdown_cell(f"## {e}"), new_code_cell(ANSWERS[e]))]


def write(path: Path, *cells) -> Path:
    cells = [c if isinstance(c, dict) else new_code_cell(c) for c in cells]
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Lesson"), *cells]), str(path))
    return path


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=3, timeout=2.0)) as g:
        yield g


def scores(results):
    return {k: v[0] for k, v in exercise_scores(results, EXERCISES).items()}


def outputs(results, exercise):
    return [t["output"] for t in results["tests"] if t["tags"][0] == exercise and t["status"] == "failed"]


def lesson_week3(path: Path) -> Path:
    """'How does a neural net really work': widgets and fastai first, sliders, the answers, training."""
    return write(path, WIDGETS_AND_FASTAI, "%matplotlib inline\n!pip install -q kaggle", *answers("triple_relu"),
                 INTERACT, *answers("gradient_step", "calc_preds"), TRAINING,
                 *answers("fill_missing_with_mode", "f1_at_threshold"), FINE_TUNE)


def lesson_week5(path: Path) -> Path:
    """'Linear model and neural net from scratch': the Kaggle download, the Titanic CSV, cleaning."""
    return write(path, WIDGETS_AND_FASTAI, KAGGLE_DOWNLOAD, READ_CSV, *answers("fill_missing_with_mode"),
                 "df = fill_missing_with_mode(df)\ndf['LogFare'] = np.log(df['Fare'] + 1)",
                 *answers("calc_preds", "gradient_step"), TRAINING, *answers("f1_at_threshold", "triple_relu"),
                 "preds = calc_preds(coeffs, val_indep)\nprint(f1_at_threshold(val_dep, preds))")


def kaggle_style(path: Path) -> Path:
    """A Kaggle copy: a cell magic around the download, plots, and a training cell in the middle."""
    return write(path, "!pip install -Uqq fastbook\nimport fastbook\nfastbook.setup_book()\nfrom fastbook import *",
                 "%%time\n" + KAGGLE_DOWNLOAD, *answers("calc_preds", "triple_relu", "gradient_step"), INTERACT,
                 TRAINING, READ_CSV, *answers("fill_missing_with_mode", "f1_at_threshold"),
                 "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])")


@pytest.mark.parametrize("make", [lesson_week3, lesson_week5, kaggle_style])
def test_lesson_shaped_notebooks_with_every_answer_right_score_full_marks(grader, tmp_path, make):
    results = grader.grade(make(tmp_path / f"{make.__name__}.ipynb"), only=LESSON)
    assert results["score"] == results["max_score"] == 50, [t["output"] for t in results["tests"] if t["output"]]
    notes = results["extra_data"]["notes"]
    name = f"{make.__name__}.ipynb"
    # Cells are counted among all cells (the markdown title is cell 1).
    assert any(n.startswith(f"{name}: cell 2 stopped at line 1: ModuleNotFoundError: No module named 'ipywidgets'")
               for n in notes) \
        or f"{name}: cell 2 stopped at line 2: ModuleNotFoundError: No module named 'fastbook'" in notes, notes
    # The training cell is interrupted by its CPU budget (or its wall-clock one on a busy machine).
    assert any(re.search(r"cell \d+ (used more than 1 s of CPU time|ran for more than 2 s); "
                         r"interrupted (at line \d+|\(cell \d+, line \d+\))$", n) for n in notes), notes
    assert len(notes) == len(set(notes)) and all(len(n) <= 300 for n in notes)


def test_each_skipped_cell_is_noted_once_with_its_reason(grader, tmp_path):
    results = grader.grade(lesson_week5(tmp_path / "week5.ipynb"))
    notes = results["extra_data"]["notes"]
    # A cell that raised ran up to its error: it "stopped at line N". The cells that then failed only
    # for want of a name it defines are told in its note (cell 7 uses the `df` of cell 4).
    assert notes[:3] == [
        "week5.ipynb: cell 2 stopped at line 1: ModuleNotFoundError: No module named 'ipywidgets'",
        "week5.ipynb: cell 3 stopped at line 2: ModuleNotFoundError: No module named 'kaggle'",
        "week5.ipynb: cell 4 stopped at line 2: FileNotFoundError: [Errno 2] No such file or directory: "
        "'../input/titanic/train.csv'; then cell 7, which uses what it defines, stopped too",
    ], notes
    assert not any("NameError: name 'df'" in n for n in notes)
    assert notes[-1] == "week5.ipynb: cell 17 stopped at line 1: NameError: name 'val_indep' is not defined"


def test_magics_and_shell_lines_never_run(grader, tmp_path):
    marker = "/scratch/magic-ran"
    path = write(tmp_path / "magic.ipynb", f"!touch {marker}\n%env X=1", f"%%bash\ntouch {marker}",
                 *answers(), f"import os\nassert not os.path.exists({marker!r}), 'a magic ran'")
    results = grader.grade(path)
    assert results["score"] == TOTAL
    assert results["extra_data"]["notes"] == ["magic.ipynb: cell 3 is a %%bash cell magic; not run"]


def test_a_name_from_a_skipped_star_import_is_explained(grader, tmp_path):
    answer = ANSWERS["calc_preds"].replace("import torch\n", "")
    # Only this answer: a later cell's `import torch` would define torch for it too, as in Jupyter.
    path = write(tmp_path / "hint.ipynb", "from fastai.basics import *", answer,
                 *answers("fill_missing_with_mode", "f1_at_threshold"))
    results = grader.grade(path)
    assert scores(results)["calc_preds"] == 0 and results["score"] == 20
    public = [o for o in outputs(results, "calc_preds") if "torch.tensor" in o]
    assert public and all(o.endswith(
        "raised NameError: name 'torch' is not defined (hint.ipynb, cell 3, line 7); name 'torch' is not defined: "
        "cell 2 (`from fastai.basics import *`) stopped at line 1 because fastai is not installed in the grader; "
        "import torch in your own cell") for o in public), public


def test_a_name_from_a_skipped_plain_import_is_explained(grader, tmp_path):
    answer = ANSWERS["f1_at_threshold"].replace("import numpy as np\n", "")
    path = write(tmp_path / "plain.ipynb", "import ipywidgets\nimport numpy as np", answer)
    results = grader.grade(path)
    public = [o for o in outputs(results, "f1_at_threshold") if "hidden input" not in o]
    assert public and all("cell 2 (`import numpy as np`) stopped at line 1 because ipywidgets is not installed in the "
                          "grader; import numpy as np in your own cell" in o for o in public), public


def test_a_cell_that_loops_forever_is_skipped_and_the_rest_graded(grader, tmp_path):
    path = write(tmp_path / "loop.ipynb", *answers("triple_relu", "calc_preds"), "while True:\n    pass",
                 *answers("gradient_step", "fill_missing_with_mode", "f1_at_threshold"))
    results = grader.grade(path)
    assert results["score"] == 50
    assert any(re.fullmatch(r"loop\.ipynb: cell 6 (used more than 1 s of CPU time|ran for more than 2 s); "
                            r"interrupted at line \d", n) for n in results["extra_data"]["notes"]), results["extra_data"]


def test_a_cell_that_sleeps_is_interrupted_by_its_wall_clock_budget(grader, tmp_path):
    path = write(tmp_path / "sleepy.ipynb", "import time\ntime.sleep(600)", *answers())
    results = grader.grade(path)
    assert results["score"] == TOTAL
    assert results["extra_data"]["notes"] == ["sleepy.ipynb: cell 2 ran for more than 2 s; interrupted at line 2"]


def test_a_cell_that_ignores_the_interruption_is_killed_at_the_load_deadline(tmp_path):
    stubborn = "import signal\nfor s in (signal.SIGPROF, signal.SIGALRM):\n    signal.signal(s, signal.SIG_IGN)\n" \
               "while True:\n    pass"
    path = write(tmp_path / "stubborn.ipynb", *answers(), stubborn)
    with Grader(COURSE, GradeOptions(hidden=False, seed=3, load_time=4.0)) as g:
        results = g.grade(path)
        assert results["score"] == 0
        stopped = {"loading stubborn.ipynb failed: used more than 4 s of CPU time without answering (an endless "
                   "loop, or far too slow?)",
                   "loading stubborn.ipynb failed: no answer within 4 s (an endless loop, or too slow?)"}
        messages = {t["output"] for t in results["tests"]}
        assert len(messages) == 1 and messages <= stopped, messages
        assert g.grade(COURSE / "solutions")["score"] == PUBLIC_POINTS   # the grader goes on


def test_a_syntax_error_in_one_cell_skips_only_that_cell(grader, tmp_path):
    path = write(tmp_path / "nb.ipynb", "x = 1", "y = 2\ndef f(:\n    pass", *answers())
    results = grader.grade(path)
    assert results["score"] == TOTAL
    assert results["extra_data"]["notes"] == ["nb.ipynb: cell 3 has a SyntaxError (line 2): invalid syntax; skipped"]


def test_an_error_inside_a_function_defined_in_another_cell_names_that_cell(grader, tmp_path):
    path = write(tmp_path / "other.ipynb", "def load():\n    return open('../input/titanic/train.csv')", "df = load()",
                 *answers())
    notes = grader.grade(path)["extra_data"]["notes"]
    assert notes == ["other.ipynb: cell 3 stopped: FileNotFoundError: [Errno 2] No such file or directory: "
                     "'../input/titanic/train.csv' (cell 2, line 2)"]


def test_messages_from_the_child_are_capped_and_cleaned(grader, tmp_path):
    path = write(tmp_path / "noisy.ipynb", "raise ValueError('\\x1b[31mred\\x1b]0;title\\x07' + 'x' * 5000)", *answers())
    notes = grader.grade(path)["extra_data"]["notes"]
    assert len(notes) == 1 and len(notes[0]) <= 300 and "\x1b" not in notes[0] and "\x07" not in notes[0]
    assert notes[0].startswith("noisy.ipynb: cell 2 stopped at line 1: ValueError: [31mred]0;titlex")


# ----------------------------------------------------------------------------- .py files


def test_a_py_file_keeps_import_semantics_and_suggests_main(grader, tmp_path):
    path = tmp_path / "heavy.py"
    path.write_text("\n\n".join(ANSWERS.values()) + "\n\nx = 0\nwhile True:\n    x += 1\n")
    results = grader.grade(path)
    assert results["score"] == 0
    messages = {t["output"] for t in results["tests"]}
    assert len(messages) == 1
    message = messages.pop()
    assert re.fullmatch(r"loading heavy\.py (used more than 1 s of CPU time|ran for more than 2 s) at its top level "
                        r"\(line \d+\); the grader imports your file, so put work that is not a definition \(reading "
                        r"data, training, demos\) under `if __name__ == \"__main__\":`", message), message


def test_a_py_syntax_error_names_its_line(grader, tmp_path):
    path = tmp_path / "grace.py"
    path.write_text("import torch\n\ndef calc_preds(c, i)\n    return c\n")
    assert {t["output"] for t in grader.grade(path)["tests"]} == {"SyntaxError in grace.py, line 3: expected ':'"}
    path = tmp_path / "nul.py"
    path.write_bytes(b"x = 1\x00\n")
    assert {t["output"] for t in grader.grade(path)["tests"]} == {"nul.py is not a text file (it holds null bytes)"}


# ----------------------------------------------------------------------------- exercise tags


def redefining(tagged: bool) -> list:
    """The lesson redefines calc_preds four times; the student's answer is the tagged cell."""
    metadata = {"tags": ["calc_preds"]} if tagged else {}
    lesson = [f"def calc_preds(coeffs, indeps):\n    return (indeps * coeffs).sum(axis=1) * {k}" for k in (1, 2, 3)]
    return [new_markdown_cell("**Exercise**: write `calc_preds`."),
            new_code_cell(ANSWERS["calc_preds"], metadata=metadata), *lesson,
            "def calc_preds(coeffs, indeps):\n    return indeps @ coeffs"]


def test_a_tagged_cell_pins_its_function_even_when_redefined_later(grader, tmp_path):
    path = write(tmp_path / "tagged.ipynb", *answers("triple_relu", "gradient_step"), *redefining(True),
                 *answers("fill_missing_with_mode", "f1_at_threshold"))
    results = grader.grade(path)
    assert results["score"] == 50, [t["output"] for t in results["tests"] if t["output"]]


def test_an_untagged_notebook_keeps_the_last_definition(grader, tmp_path):
    path = write(tmp_path / "untagged.ipynb", *answers("triple_relu", "gradient_step"), *redefining(False),
                 *answers("fill_missing_with_mode", "f1_at_threshold"))
    results = grader.grade(path)
    assert scores(results)["calc_preds"] < 10 and results["score"] == 40 + scores(results)["calc_preds"]


def test_a_released_student_notebook_grades_each_tagged_stub(grader, tmp_path):
    """The released notebooks' convention: a markdown cell with the task, then a stub cell tagged with the
    exercise id. Filled in, every exercise scores; a stub left as it is says it is not written yet."""
    stubs = {e.id: (COURSE / "exercises" / e.path).read_text() for e in EXERCISES}
    cells = []
    for e in EXERCISES:
        code = stubs[e.id] if e.id == "f1_at_threshold" else ANSWERS[e.id]
        cells += [new_markdown_cell(f"### {e.id}\n\nThe task."), new_code_cell(code, metadata={"tags": [e.id]})]
    cells.append(new_code_cell("def triple_relu(*args):\n    return 0  # trying something out"))
    results = grader.grade(write(tmp_path / "week.ipynb", *cells))
    assert scores(results) == {e.id: 0 if e.id == "f1_at_threshold" else e.points for e in EXERCISES}
    assert any("not written yet" in o for o in outputs(results, "f1_at_threshold"))


def test_a_tagged_cell_that_defines_nothing_falls_back_to_the_last_definition(grader, tmp_path):
    path = write(tmp_path / "empty.ipynb", new_code_cell("x = 1", metadata={"tags": ["calc_preds"]}), *answers())
    assert grader.grade(path)["score"] == TOTAL


# ----------------------------------------------------------------------------- which cell is graded


def released_week5(tmp_path: Path) -> Path:
    """The released notebooks of the course (``grader release``'s), in ``tmp_path/notebooks``."""
    from grader.release.notebooks import write_notebooks

    stubs = {e.id: (COURSE / "exercises" / e.path).read_text() for e in EXERCISES}
    write_notebooks(tmp_path / "notebooks", EXERCISES, stubs)
    return tmp_path / "notebooks" / "week5.ipynb"


def add_cells(path: Path, *codes: str, first_count: int | None = None) -> None:
    notebook = nbformat.read(str(path), as_version=4)
    for k, code in enumerate(codes):
        count = None if first_count is None else first_count + k
        notebook.cells.append(new_code_cell(code, execution_count=count))
    nbformat.write(notebook, str(path))


def test_a_later_written_definition_beats_the_untouched_tagged_stub(grader, tmp_path):
    path = released_week5(tmp_path)
    add_cells(path, ANSWERS["calc_preds"], first_count=7)
    results = grader.grade(path, only=("calc_preds", "gradient_step"))
    assert scores(results)["calc_preds"] == 10, outputs(results, "calc_preds")
    assert scores(results)["gradient_step"] == 0   # still its stub: not written yet
    assert any("not written yet" in o for o in outputs(results, "gradient_step"))
    position = len(nbformat.read(str(path), as_version=4).cells)
    stub = next(i for i, c in enumerate(nbformat.read(str(path), as_version=4).cells, 1)
                if "calc_preds" in c.metadata.get("tags", []))
    assert (f"week5.ipynb: calc_preds is defined in 2 cells; the last written one, cell {position} (In [7]), is "
            f"graded (cell {stub} still holds the stub); tag a cell to choose") in results["extra_data"]["notes"]


def test_a_function_defined_in_several_cells_says_which_is_graded(grader, tmp_path):
    tries = [f"def calc_preds(coeffs, indeps):\n    return (indeps * coeffs).sum(axis=1) * {k}" for k in (2, 3)]
    path = write(tmp_path / "tries.ipynb", *tries, *answers("calc_preds"))
    results = grader.grade(path, only=("calc_preds",))
    assert results["score"] == 10
    assert results["extra_data"]["notes"] == [
        "tries.ipynb: calc_preds is defined in 3 cells; the last, cell 5, is graded; tag a cell to choose"]
    # Tagged, a cell is chosen; its label carries the In [n] the notebook saved.
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[1].metadata["tags"] = ["calc_preds"]
    notebook.cells[1].execution_count = 4
    nbformat.write(notebook, str(path))
    results = grader.grade(path, only=("calc_preds",))
    assert results["score"] < 10
    assert results["extra_data"]["notes"] == [
        "tries.ipynb: calc_preds is defined in 3 cells; cell 2 (In [4]), tagged calc_preds, is graded"]


def test_the_same_cell_twice_is_no_choice(grader, tmp_path):
    """mae and fit_quadratic share a file: a notebook holding that file twice says nothing of it."""
    path = write(tmp_path / "twice.ipynb", *answers("mae", "fit_quadratic"))
    results = grader.grade(path, only=("mae", "fit_quadratic"))
    assert results["score"] == 20 and results["extra_data"]["notes"] == []


# ----------------------------------------------------------------------------- a student repository


def student_repository(tmp_path: Path) -> Path:
    """A student's copy: the stubs in exercises/, the released notebooks in notebooks/."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(COURSE / "exercises", repo / "exercises")
    released_week5(repo)
    return repo


def test_a_student_repository_counts_an_exercise_done_in_a_notebook(grader, tmp_path):
    repo = student_repository(tmp_path)
    add_cells(repo / "notebooks/week5.ipynb", ANSWERS["calc_preds"])
    (repo / "exercises/week3/triple_relu.py").write_text(ANSWERS["triple_relu"])
    results = grader.grade(repo)
    assert scores(results) == {e.id: 10 if e.id in ("calc_preds", "triple_relu") else 0 for e in EXERCISES}
    assert results["extra_data"]["submission"] == "repo"
    assert "calc_preds: from notebooks/week5.ipynb" in results["extra_data"]["notes"]
    assert results["extra_data"]["sources"]["calc_preds"] == "notebooks/week5.ipynb"
    assert results["extra_data"]["sources"]["triple_relu"] == "exercises/week3/triple_relu.py"
    # Untouched in both places: graded (as not written yet) on its file, with no note.
    assert results["extra_data"]["sources"]["gradient_step"] == "exercises/week5/gradient_step.py"
    assert not any(n.startswith("gradient_step:") for n in results["extra_data"]["notes"])


@pytest.mark.parametrize("better", ["notebook", "file"])
def test_when_both_places_hold_an_exercise_the_better_counts(grader, tmp_path, better):
    repo = student_repository(tmp_path)
    wrong = "import torch\n\ndef calc_preds(coeffs, indeps):\n    return torch.zeros(len(indeps))\n"
    notebook, file = (ANSWERS["calc_preds"], wrong) if better == "notebook" else (wrong, ANSWERS["calc_preds"])
    add_cells(repo / "notebooks/week5.ipynb", "print('from the notebook')\n" + notebook)
    (repo / "exercises/week5/calc_preds.py").write_text("print('from the file')\n" + file)
    results = grader.grade(repo, only=("calc_preds", "gradient_step"))
    assert scores(results)["calc_preds"] == 10
    assert len([t for t in results["tests"] if t["tags"][0] == "calc_preds"]) == 7   # each check once
    notes = results["extra_data"]["notes"]
    printed = results["extra_data"]["printed_by_exercise"]["calc_preds"]
    if better == "notebook":
        assert "calc_preds: from notebooks/week5.ipynb (exercises/week5/calc_preds.py also holds it and scored less)" \
            in notes, notes
        assert printed == "from the notebook\n"
    else:
        assert "calc_preds: from exercises/week5/calc_preds.py (notebooks/week5.ipynb also holds it and scored less)" \
            in notes, notes
        assert printed == "from the file\n"


def test_what_a_cell_printed_is_shown_with_the_exercise_of_that_cell(grader, tmp_path):
    path = write(tmp_path / "chatty.ipynb", "print('setting up')",
                 "print('relu cell')\n" + ANSWERS["triple_relu"], "print('preds cell')\n" + ANSWERS["calc_preds"])
    results = grader.grade(path, only=("triple_relu", "calc_preds"))
    assert results["score"] == 20
    # The notebook loads for triple_relu's first check: the setting-up cell's output goes with it.
    assert results["extra_data"]["printed_by_exercise"] == {"triple_relu": "setting up\nrelu cell\n",
                                                            "calc_preds": "preds cell\n"}


def test_an_untouched_stub_is_told_from_written_code_by_a_text_scan():
    from grader.submission import untouched_stub

    for e in EXERCISES:   # every released stub is untouched; every reference is written
        assert untouched_stub((COURSE / "exercises" / e.path).read_text(), e.function), e.id
        assert not untouched_stub(ANSWERS[e.id], e.function), e.id
    documented = 'def f(x):\n    """Task.\n\n    More.\n    """\n    # TODO\n    raise NotImplementedError\n'
    assert untouched_stub(documented, "f") and not untouched_stub(documented, "g")
    assert not untouched_stub("def f(x):\n    if x:\n        raise NotImplementedError\n    return x\n", "f")
    # A class with one method written is written; the last definition counts.
    partly = "class V:\n    def __init__(self, d):\n        self.d = d\n\n    def t(self):\n        raise NotImplementedError\n"
    assert not untouched_stub(partly, "V")
    assert untouched_stub("def f():\n    return 1\n\ndef f():\n    raise NotImplementedError()\n", "f")


def test_a_student_repository_is_two_real_folders(tmp_path):
    from grader.submission import is_student_repository, read_submission

    (tmp_path / "exercises").mkdir()
    assert not is_student_repository(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "notebooks").symlink_to(tmp_path / "elsewhere")
    assert not is_student_repository(tmp_path)   # a link is never followed
    (tmp_path / "notebooks").unlink()
    (tmp_path / "notebooks").mkdir()
    assert is_student_repository(tmp_path)
    (tmp_path / "notebooks" / "week5.ipynb").write_text("{not json")
    submission = read_submission(tmp_path, EXERCISES)
    assert submission.repository and not submission.sources and not submission.alternatives
    assert submission.problems["calc_preds"].startswith("no file for this exercise: expected week5/calc_preds.py")
