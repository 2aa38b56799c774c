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
    assert source.where(1) == "cell 1, line 1" and source.where(4) == "cell 2, line 2"


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
                                                                                 (2, "", ("calc_preds",), 3)]
    assert source.where(4) == "cell 2, line 2"


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
