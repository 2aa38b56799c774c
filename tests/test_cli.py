"""The `grader` command line, driven as a user would, on copies of the course."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_exercises

COURSE = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the course's exercises and solutions; GRADER_COURSE points at it."""
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_json_gives_the_exercise_metadata():
    result = run("list", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert [e["id"] for e in data] == [e.id for e in load_exercises()]
    assert [e["id"] for e in data][:5] == ["triple_relu", "gradient_step", "calc_preds", "fill_missing_with_mode",
                                           "f1_at_threshold"]
    assert {"loss_slope", "topological_order", "softmax", "fit_quadratic", "accuracy"} <= {e["id"] for e in data}
    assert data[0] == {"id": "triple_relu", "path": "week3/triple_relu.py", "function": "triple_relu",
                       "points": 10.0}


def test_list_prints_a_table():
    result = run("list")
    assert result.exit_code == 0 and "exercises/week5/calc_preds.py" in result.output


def test_check_fails_on_the_stubs_and_passes_once_solved(course):
    result = run("check", "calc_preds")
    assert result.exit_code == 1
    assert "calc_preds is not written yet" in result.output and "hint:" in result.output
    assert "Score: 0/5" in result.output
    shutil.copy(course / "solutions/week5/calc_preds.py", course / "exercises/week5/calc_preds.py")
    result = run("check", "calc_preds")
    assert result.exit_code == 0 and "Score: 5/5" in result.output and "hint:" not in result.output


def test_check_names_an_unknown_exercise(course):
    result = run("check", "nope")
    assert result.exit_code == 1 and "unknown exercise nope; `grader list` shows the exercises" in result.output


def test_grade_writes_one_results_file_per_submission(course, tmp_path):
    good = tmp_path / "good.py"
    exercises = load_exercises()
    total = int(sum(e.points for e in exercises))
    good.write_text("\n\n".join((course / "solutions" / p).read_text() for p in dict.fromkeys(e.path for e in exercises)))
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not a notebook")
    out = tmp_path / "reports"
    result = run("grade", str(good), str(broken), str(course / "exercises"), "--out", str(out), "-j", "2",
                 "--seed", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["broken.json", "exercises.json", "good.json"]
    assert json.loads((out / "good.json").read_text())["score"] == total
    broken_results = json.loads((out / "broken.json").read_text())
    assert broken_results["score"] == 0 and "is not a readable notebook" in broken_results["tests"][0]["output"]
    assert "good" in result.output and f"{total}/{total}" in result.output


def test_grade_json_takes_one_submission(course, tmp_path):
    result = run("grade", str(course / "solutions"), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())["max_score"] == 10 * len(load_exercises())
    result = run("grade", str(course / "solutions"), str(course / "exercises"), "--json", "x.json")
    assert result.exit_code == 1 and "--json takes one submission" in result.output


def test_grade_without_solutions_is_an_error(course):
    shutil.rmtree(course / "solutions")
    result = run("grade", str(course / "exercises"))
    assert result.exit_code == 1 and "has no solutions/ folder" in result.output


def test_validate_passes_on_the_course(course):
    result = run("validate")
    assert result.exit_code == 0 and "The course is sound" in result.output


def test_validate_names_what_is_wrong(course):
    stub = course / "exercises/week5/calc_preds.py"
    stub.write_text(stub.read_text().replace("# TODO:", "#"))
    (course / "solutions/week5/extra.py").write_text("x = 1\n")
    result = run("validate")
    assert result.exit_code == 1
    assert "calc_preds: exercises/week5/calc_preds.py has no TODO" in result.output
    assert "solutions/week5/extra.py has no counterpart in exercises/" in result.output


def test_validate_catches_a_stub_that_scores(course):
    stub = course / "exercises/week5/calc_preds.py"
    stub.write_text(stub.read_text() + "\n# TODO: NotImplementedError\ndef calc_preds(c, i):\n"
                    "    import torch\n    return torch.sigmoid(i @ c)\n")
    result = run("validate")
    assert result.exit_code == 1 and "calc_preds: the stub scores 10 points instead of zero" in result.output


def test_grade_refuses_a_path_that_does_not_exist(course, tmp_path):
    result = run("grade", str(tmp_path / "typo.py"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_grade_reports_results_it_cannot_write(course, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("grade", str(course / "solutions"), "--json", str(blocker / "r.json"))
    assert result.exit_code == 1
    assert "could not be graded or their results not written" in result.output
