"""Hostile source files: each is that submission's own result, and an innocent submission
graded beside it in the same batch worker keeps its score.

All attackers and their innocent neighbours go through ``grade_many`` with ``jobs=1``: one
worker holds them all, so an attack that crashed the worker would lose every neighbour.
The grader's process never parses submission code and refuses oversized files before
reading them (grader/submission.py).
"""

from __future__ import annotations

import json
import resource
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.course import load_exercises
from grader.grading import GradeOptions, grade_many
from grader.submission import MAX_FOLDER_ENTRIES, read_submission

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
ANSWERS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}
ALL_ANSWERS = "\n\n".join(ANSWERS.values())
TOTAL = sum(e.points for e in EXERCISES)  # what every answer right scores
BOMB = "x = " + "+".join(["1"] * 300_000) + "\n"


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk."""
    with path.open("wb") as f:
        f.truncate(size)
    return path


def attackers(root: Path) -> dict[str, Path]:
    out = {}
    # 1. A 300,000-term expression: RecursionError/MemoryError in any ast.parse.
    out["bomb_py"] = root / "bomb.py"
    out["bomb_py"].write_text(ALL_ANSWERS + "\n\n" + BOMB)
    out["bomb_ipynb"] = root / "bomb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(a) for a in ANSWERS.values()] + [new_code_cell(BOMB)]),
                   str(out["bomb_ipynb"]))
    # In a folder without the mirrored paths, so the grader looks for the file defining each function.
    out["bomb_folder"] = root / "bomb_folder"
    out["bomb_folder"].mkdir()
    (out["bomb_folder"] / "a_bomb.py").write_text(BOMB)
    (out["bomb_folder"] / "work.py").write_text(ALL_ANSWERS)
    # 2. Oversized files, refused before they are read.
    out["huge_py"] = sparse(root / "huge.py", 400 * 1024 * 1024)
    out["huge_ipynb"] = sparse(root / "huge.ipynb", 30 * 1024 * 1024)
    out["huge_code"] = root / "huge_code.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(ALL_ANSWERS), new_code_cell("#" * (2 * 1024 * 1024))]),
                   str(out["huge_code"]))
    out["deep_json"] = root / "deep.ipynb"
    out["deep_json"].write_text("[" * 1_000_000 + "]" * 1_000_000)
    # 3. A folder of thousands of files: only the first MAX_FOLDER_ENTRIES are looked at.
    out["many_files"] = root / "many_files"
    for i in range(3 * MAX_FOLDER_ENTRIES):
        folder = out["many_files"] / f"d{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i}.txt").touch()
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    hostile = attackers(root)
    paths: list[Path] = []
    for name, path in hostile.items():
        paths.append(path)
        innocent = root / f"innocent_after_{name}"
        shutil.copytree(COURSE / "solutions", innocent)
        paths.append(innocent)
    graded = list(grade_many(COURSE, paths, GradeOptions(hidden=True, seed=7), jobs=1))
    by_path = {g.path: g for g in graded}
    assert len(by_path) == len(paths)
    return hostile, by_path, root


def outputs(graded) -> set[str]:
    return {t["output"] for t in graded.results["tests"]}


@pytest.mark.parametrize("name", ["bomb_py", "bomb_ipynb", "bomb_folder", "huge_py", "huge_ipynb", "huge_code",
                                  "deep_json", "many_files"])
def test_an_innocent_neighbour_keeps_its_score(batch, name):
    hostile, by_path, root = batch
    attacker, innocent = by_path[hostile[name]], by_path[root / f"innocent_after_{name}"]
    assert attacker.error is None and attacker.results is not None
    assert innocent.error is None and innocent.results["score"] == innocent.results["max_score"] == TOTAL


def test_a_300000_term_expression_fails_only_its_own_file(batch):
    hostile, by_path, _ = batch
    (message,) = outputs(by_path[hostile["bomb_py"]])
    assert message.startswith("bomb.py cannot be compiled: RecursionError: maximum recursion depth exceeded during")
    notebook = by_path[hostile["bomb_ipynb"]].results
    assert notebook["score"] == TOTAL
    (note,) = notebook["extra_data"]["notes"]
    bomb_cell = len(ANSWERS) + 1  # after one cell per answer
    assert note.startswith(f"bomb.ipynb: cell {bomb_cell} cannot be compiled (RecursionError: maximum recursion depth exceeded")
    assert by_path[hostile["bomb_folder"]].results["score"] == TOTAL


def test_oversized_files_are_refused_with_a_message(batch):
    hostile, by_path, _ = batch
    assert outputs(by_path[hostile["huge_py"]]) == {"huge.py is 400.0 MB; a source file may be at most 1 MB"}
    assert outputs(by_path[hostile["huge_ipynb"]]) == {"huge.ipynb is 30.0 MB; a notebook may be at most 20 MB"}
    assert outputs(by_path[hostile["huge_code"]]) == {
        "huge_code.ipynb is not a readable notebook: its code cells hold more than 1 MB of code"}
    assert all(o.startswith("deep.ipynb is not a readable notebook") for o in outputs(by_path[hostile["deep_json"]]))


def test_a_folder_scan_is_bounded(batch):
    hostile, by_path, _ = batch
    assert all(o.endswith(f"only the first {MAX_FOLDER_ENTRIES} files and folders were looked at")
               for o in outputs(by_path[hostile["many_files"]]))


def test_an_oversized_file_is_never_read_into_memory(tmp_path):
    path = sparse(tmp_path / "huge.py", 2 * 1024**3)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    submission = read_submission(path, EXERCISES)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024   # KB
    assert set(submission.problems.values()) == {"huge.py is 2048.0 MB; a source file may be at most 1 MB"}


def test_a_bomb_is_never_parsed_in_the_graders_process(tmp_path):
    path = tmp_path / "bomb.py"
    path.write_text(BOMB)
    assert read_submission(path, EXERCISES).sources["calc_preds"].text == BOMB
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": [{"id": "c1", "cell_type": "code", "source": BOMB,
                                                              "metadata": {}, "outputs": [],
                                                              "execution_count": None}],
                                                   "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert read_submission(tmp_path / "nb.ipynb", EXERCISES).sources["calc_preds"].cells[0].code == BOMB
