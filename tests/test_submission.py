"""Reading submissions: folders, single files, notebooks, and every way they go wrong."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.course import load_exercises
from grader.submission import read_submission, submission_name

EXERCISES = load_exercises()
IDS = [e.id for e in EXERCISES]


def notebook(path, *cells):
    nb = new_notebook(cells=[new_markdown_cell("# Homework"), *[new_code_cell(c) for c in cells]])
    nbformat.write(nb, str(path))
    return path


def test_a_folder_mirroring_exercises_gives_each_exercise_its_file(tmp_path):
    for e in EXERCISES:
        (tmp_path / e.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / e.path).write_text(f"def {e.function}(*a):\n    return 1\n")
    sub = read_submission(tmp_path, EXERCISES)
    assert sub.problems == {}
    assert {k: s.filename for k, s in sub.sources.items()} == {e.id: e.path for e in EXERCISES}


def test_a_folder_with_files_elsewhere_or_a_notebook_is_searched(tmp_path):
    (tmp_path / "calc_preds.py").write_text("def calc_preds(c, i):\n    return 0\n")
    (tmp_path / "work").mkdir()
    notebook(tmp_path / "work" / "hw.ipynb", "def triple_relu(*a):\n    return 0")
    sub = read_submission(tmp_path, EXERCISES)
    assert sub.sources["calc_preds"].filename == "calc_preds.py"
    assert sub.sources["triple_relu"].filename == "work/hw.ipynb"
    assert "expected week5/f1_at_threshold.py" in sub.problems["f1_at_threshold"]


def test_a_single_file_serves_every_exercise(tmp_path):
    path = tmp_path / "bob.py"
    path.write_text("x = 1\n")
    sub = read_submission(path, EXERCISES)
    assert set(sub.sources) == set(IDS) and sub.name == "bob"


def test_notebook_magics_are_dropped_and_lines_map_to_cells(tmp_path):
    path = notebook(tmp_path / "carol.ipynb", "%matplotlib inline\nimport torch", "x = 1\n!pip install y\ny = 2")
    source = read_submission(path, EXERCISES).sources["triple_relu"]
    assert "pass  # %matplotlib inline" in source.text and "pass  # !pip install y" in source.text
    # Cells are numbered among all cells, as Jupyter shows them: the markdown title is cell 1.
    assert source.where(1) == "cell 2, line 1" and source.where(4) == "cell 3, line 2"


def test_code_is_never_parsed_here_syntax_errors_are_the_childs_to_report(tmp_path):
    # The grader's process never parses submission code (tests/test_notebooks.py grades
    # syntax errors, reported by the child with their line or cell).
    path = tmp_path / "grace.py"
    path.write_text("import torch\n\ndef calc_preds(c, i)\n    return c\n")
    sub = read_submission(path, EXERCISES)
    assert sub.problems == {} and sub.sources["calc_preds"].text.startswith("import torch")


def test_notebook_cells_keep_their_tags_and_cell_magics(tmp_path):
    nb = new_notebook(cells=[new_code_cell("%%time\nx = 1"), new_markdown_cell("task"),
                             new_code_cell("def calc_preds(c, i):\n    return c", metadata={"tags": ["calc_preds"]})])
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    source = read_submission(tmp_path / "nb.ipynb", EXERCISES).sources["calc_preds"]
    assert [(c.number, c.magic, c.tags, c.first_line) for c in source.cells] == [(1, "%%time", (), 1),
                                                                                 (3, "", ("calc_preds",), 3)]
    assert source.where(4) == "cell 3, line 2"


def test_a_cell_is_labelled_with_its_saved_execution_count(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("task"), new_code_cell("x = 1", execution_count=7),
                             new_code_cell("y = 2")])
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    source = read_submission(tmp_path / "nb.ipynb", EXERCISES).sources["calc_preds"]
    assert [c.label for c in source.cells] == ["cell 2 (In [7])", "cell 3"]


@pytest.mark.parametrize("name, content, message", [
    ("broken.ipynb", b"{not json", "is not a readable notebook"),
    ("latin.py", "caf\xe9 = 1\n".encode("latin-1"), "is not UTF-8 text"),
    ("nul.py", b"x = 1\x00\n", "nul.py is not a text file (it holds null bytes)"),
    ("notes.txt", b"hello", "is not a .py file, a notebook or a folder"),
])
def test_unreadable_files_are_a_clear_problem_for_every_exercise(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    sub = read_submission(path, EXERCISES)
    assert sub.sources == {}
    assert all(message in p for p in sub.problems.values()) and set(sub.problems) == set(IDS)


def test_a_missing_path_is_a_problem_not_an_exception(tmp_path):
    sub = read_submission(tmp_path / "nobody.py", EXERCISES)
    assert "does not exist" in sub.problems["triple_relu"]


def test_submission_names_drop_the_extension(tmp_path):
    assert submission_name(tmp_path / "alice.ipynb") == "alice"
    assert submission_name(tmp_path) == tmp_path.name


def test_an_old_format_notebook_is_converted(tmp_path):
    from nbformat.v3 import new_code_cell as v3_cell, new_notebook as v3_notebook, new_worksheet

    nb = v3_notebook(worksheets=[new_worksheet(cells=[v3_cell(input="def calc_preds(c, i):\n    return c")])])
    (tmp_path / "old.ipynb").write_text(nbformat.writes(nb, version=3))
    source = read_submission(tmp_path / "old.ipynb", EXERCISES).sources["calc_preds"]
    assert [c.code for c in source.cells] == ["def calc_preds(c, i):\n    return c\n"]


@pytest.mark.parametrize("content", ['{"nbformat": 4, "cells": 3}', "[1, 2]", '{"cells": []}'])
def test_json_that_is_not_a_notebook_is_a_problem(tmp_path, content):
    (tmp_path / "odd.ipynb").write_text(content)
    problems = read_submission(tmp_path / "odd.ipynb", EXERCISES).problems
    assert set(IDS) == set(problems) and all("is not a readable notebook" in p for p in problems.values())


# ----------------------------------------------------------------------- bounded work (issue 15)

import json  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def _fastest(work, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def test_a_folder_is_read_once_and_searched_once_not_once_per_exercise(tmp_path):
    """100 files of 1 MB took 56 s: each was searched once per exercise. Looking for all 26
    exercises must cost about what looking for one does (it was 26 times as much)."""
    line = "value_%d = some_function(argument, other_argument) + 12345\n"
    text = "".join(line % i for i in range(4000))          # 240 kB defining none of the exercises
    for i in range(12):
        (tmp_path / f"f{i:02d}.py").write_text(text)
    one = _fastest(lambda: read_submission(tmp_path, EXERCISES[:1]))
    every = _fastest(lambda: read_submission(tmp_path, EXERCISES))
    assert every < 4 * one + 0.05, f"one exercise {one:.3f} s, all {len(EXERCISES)}: {every:.3f} s"


def test_a_folder_found_by_searching_gives_what_it_gave_before(tmp_path):
    """The single search keeps the order: the first file (by path) defining a function wins."""
    (tmp_path / "b").mkdir()
    (tmp_path / "a.py").write_text("def other():\n    pass\ncalc_preds = None\n")
    (tmp_path / "b" / "z.py").write_text("def calc_preds(c, i):\n    return c\ndef triple_relu(*a):\n    pass\n")
    (tmp_path / "c.py").write_text("    def triple_relu(*a):\n        pass\nclass f1_at_threshold:\n    pass\n")
    sub = read_submission(tmp_path, EXERCISES)
    assert sub.sources["calc_preds"].filename == "a.py"
    assert sub.sources["triple_relu"].filename == "b/z.py"
    assert sub.sources["f1_at_threshold"].filename == "c.py"


def test_the_bytes_read_from_a_folder_are_capped_and_its_own_paths_come_first(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.bounds.MAX_FOLDER_READ_BYTES", 1024 * 1024)
    for i in range(8):
        (tmp_path / f"a{i}.py").write_text("# filler\n" * 30_000)     # 270 kB each, first in path order
    (tmp_path / "week5").mkdir()
    (tmp_path / "week5" / "calc_preds.py").write_text("def calc_preds(c, i):\n    return c\n")
    (tmp_path / "zz.py").write_text("def triple_relu(*a):\n    return 0\n")
    sub = read_submission(tmp_path, EXERCISES)
    assert sub.sources["calc_preds"].filename == "week5/calc_preds.py"    # its own path is read first
    assert "triple_relu" not in sub.sources
    assert sub.problems["triple_relu"].endswith("only the first 1 MB of the folder's files were read")


def _read_with_deadline(path, fifos, seconds=10.0):
    """read_submission(path), failing (not hanging) if it blocks; a blocked open of a FIFO is let go."""
    found = []
    worker = threading.Thread(target=lambda: found.append(read_submission(path, EXERCISES)), daemon=True)
    worker.start()
    worker.join(seconds)
    for fifo in fifos:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    worker.join(5)
    assert found, f"reading {path.name} blocked"
    return found[0]


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    """A FIFO given as a submission blocked its worker forever."""
    os.mkfifo(tmp_path / "alice.py")
    sub = _read_with_deadline(tmp_path / "alice.py", [tmp_path / "alice.py"])
    assert set(sub.problems) == set(IDS) and set(sub.problems.values()) == {
        "alice.py is a FIFO (named pipe), not a regular file or a folder; submit the file or folder itself"}


def test_a_fifo_inside_a_folder_is_refused_with_a_message(tmp_path):
    folder = tmp_path / "bob"
    (folder / "week5").mkdir(parents=True)
    os.mkfifo(folder / "week5" / "calc_preds.py")
    os.mkfifo(folder / "helpers.py")
    (folder / "week3").mkdir()
    (folder / "week3" / "triple_relu.py").write_text("def triple_relu(*a):\n    return 0\n")
    sub = _read_with_deadline(folder, [folder / "week5" / "calc_preds.py", folder / "helpers.py"])
    assert sub.problems["calc_preds"] == "week5/calc_preds.py is a FIFO (named pipe), not a regular file; submit the file itself"
    assert sub.problems["f1_at_threshold"].endswith("; helpers.py is a FIFO (named pipe), not a regular file, and was not read")
    assert sub.sources["triple_relu"].filename == "week3/triple_relu.py"


def test_a_notebook_of_too_many_cells_is_refused(tmp_path):
    from grader.bounds import MAX_NOTEBOOK_CELLS

    cells = [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [], "execution_count": None}] * (MAX_NOTEBOOK_CELLS + 1)
    (tmp_path / "many.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}))
    problems = read_submission(tmp_path / "many.ipynb", EXERCISES).problems
    assert set(problems.values()) == {
        f"many.ipynb has {MAX_NOTEBOOK_CELLS + 1:,} cells; a notebook may have at most {MAX_NOTEBOOK_CELLS:,}"}


def test_finding_the_cell_of_every_line_is_not_quadratic_in_the_cells(tmp_path):
    """A note per skipped cell asks which cell holds a line: n cells, n questions."""
    def where_all(n: int) -> float:
        path = notebook(tmp_path / f"nb{n}.ipynb", *[f"x{i} = {i}" for i in range(n)])
        source = read_submission(path, EXERCISES).sources["calc_preds"]
        assert source.where(n) == f"cell {n + 1}, line 1"   # after the markdown title
        return _fastest(lambda: [source.where(line) for line in range(1, n + 1)])

    small, large = where_all(400), where_all(1600)
    assert large < 8 * small + 0.01, f"400 cells: {small:.4f} s, 1600 cells: {large:.4f} s"  # quadratic: 16x
