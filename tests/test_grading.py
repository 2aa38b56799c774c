"""Grading: full marks for the references, zero for the stubs, and precise, safe feedback."""

import json
import shutil
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, exercise_scores

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}
TOTAL = sum(e.points for e in EXERCISES)  # 10 per exercise


def public_points():
    """The points of the public checks, read from the check modules' markers."""
    import importlib.util

    total = 0.0
    for e in EXERCISES:
        spec = importlib.util.spec_from_file_location(f"public_points_{e.id}", e.checks)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, function in vars(module).items():
            marks = {m.name: m for m in getattr(function, "pytestmark", [])}
            if name.startswith("check_") and "hidden" not in marks:
                total += float(marks["points"].args[0]) if "points" in marks else 1.0
    return total


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=11, timeout=2.0)) as g:
        yield g


def submission(tmp_path, **replacements):
    """A single-file submission: the references, with some functions replaced."""
    parts = [SOLUTIONS[e.id] for e in EXERCISES if e.id not in replacements]
    path = tmp_path / "student.py"
    path.write_text("\n\n".join(parts + list(replacements.values())))
    return path


def failures(results, exercise):
    return {t["name"].split(": ", 1)[1]: t["output"] for t in results["tests"]
            if t["tags"][0] == exercise and t["status"] == "failed"}


def test_the_references_score_full_marks(grader):
    results = grader.grade(COURSE / "solutions")
    assert results["score"] == results["max_score"] == TOTAL == sum(e.points for e in EXERCISES)
    assert {t["status"] for t in results["tests"]} == {"passed"}


def test_the_stubs_score_zero_and_say_what_to_do(grader):
    results = grader.grade(COURSE / "exercises")
    assert results["score"] == 0 and results["max_score"] == TOTAL
    public = [t for t in results["tests"] if "public" in t["tags"]]
    assert all("not written yet" in t["output"] and "NotImplementedError" in t["output"] for t in public)


def test_results_follow_gradescopes_format(grader):
    results = grader.grade(COURSE / "solutions")
    assert {"score", "max_score", "execution_time", "tests"} <= set(results)
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility", "tags"}
        assert test["tags"][0] in {e.id for e in EXERCISES}
        assert test["visibility"] == ("after_published" if "hidden" in test["tags"] else "visible")
    json.dumps(results)


def test_public_mode_runs_only_the_public_checks(tmp_path):
    with Grader(COURSE, GradeOptions(hidden=False, timeout=2.0)) as g:
        results = g.grade(COURSE / "solutions")
    assert results["max_score"] == public_points() and 0 < results["max_score"] < TOTAL and all("public" in t["tags"] for t in results["tests"])


def test_two_relus_instead_of_three_fail_with_the_input_shown(grader, tmp_path):
    wrong = "import torch\ndef triple_relu(m1, b1, m2, b2, m3, b3, x):\n" \
            "    return torch.relu(m1*x+b1) + torch.relu(m2*x+b2)\n"
    results = grader.grade(submission(tmp_path, triple_relu=wrong))
    scores = exercise_scores(results, EXERCISES)
    assert scores["triple_relu"][0] < 10 and scores["calc_preds"] == (10, 10)
    message = failures(results, "triple_relu")["matches the sum of three relus"]
    assert message.startswith("triple_relu(1.0, -1.0, -0.5, 0.25, 2.0, -3.0, torch.tensor([-3.0, -2.5")
    assert "values differ; at index" in message and "expected" in message


def test_hidden_failures_never_show_the_input(grader, tmp_path):
    wrong = "import torch\ndef calc_preds(coeffs, indeps):\n    return indeps @ coeffs\n"
    results = grader.grade(submission(tmp_path, calc_preds=wrong))
    hidden = [t for t in results["tests"] if "hidden" in t["tags"] and t["tags"][0] == "calc_preds"
              and t["status"] == "failed"]
    assert hidden
    for test in hidden:
        assert "hidden input" in test["output"] and "tensor(" not in test["output"]
        assert "expected" not in test["output"] or "at index" not in test["output"]


def test_updating_outside_no_grad_is_explained(grader, tmp_path):
    wrong = "def gradient_step(params, lr):\n    for p in params:\n        p -= lr * p.grad\n" \
            "        p.grad.zero_()\n"
    results = grader.grade(submission(tmp_path, gradient_step=wrong))
    assert exercise_scores(results, EXERCISES)["gradient_step"][0] == 0
    assert "leaf Variable that requires grad" in failures(results, "gradient_step")["updates a parameter in place"]


def test_rebinding_instead_of_updating_in_place_is_caught(grader, tmp_path):
    wrong = "import torch\ndef gradient_step(params, lr):\n    with torch.no_grad():\n" \
            "        for p in params:\n            p = p - lr * p.grad\n            p.grad = None\n"
    results = grader.grade(submission(tmp_path, gradient_step=wrong))
    message = failures(results, "gradient_step")["updates a parameter in place"]
    assert "parameter #1: 3 of 3 values differ" in message


def test_modifying_the_input_frame_is_caught(grader, tmp_path):
    wrong = "def fill_missing_with_mode(df):\n    df.fillna(df.mode().iloc[0], inplace=True)\n    return df\n"
    results = grader.grade(submission(tmp_path, fill_missing_with_mode=wrong))
    fails = failures(results, "fill_missing_with_mode")
    assert "the DataFrame passed in was modified" in fails["leaves the input unmodified"]
    assert "fills numbers and text with the mode" not in fails


def test_a_numpy_float_is_not_a_python_float(grader, tmp_path):
    wrong = SOLUTIONS["f1_at_threshold"].replace("return 0.0 if denominator == 0 else 2 * tp / denominator",
                                                 "return np.float64(0.0 if denominator == 0 else 2 * tp / denominator)")
    results = grader.grade(submission(tmp_path, f1_at_threshold=wrong))
    message = failures(results, "f1_at_threshold")["lists at the default threshold"]
    assert "expected a Python float, got a numpy.float64 (wrap the result in float(...))" in message


def test_a_missing_value_error_is_reported(grader, tmp_path):
    wrong = ("def f1_at_threshold(y_true, y_prob, threshold=0.5):\n"
             "    pairs = [(int(t), float(p) >= threshold) for t, p in zip(y_true, y_prob)]\n"
             "    tp = sum(t and p for t, p in pairs)\n"
             "    wrong = sum(t != p for t, p in pairs)\n"
             "    return 2 * tp / (2 * tp + wrong) if tp or wrong else 0.0\n")
    results = grader.grade(submission(tmp_path, f1_at_threshold=wrong))
    assert "expected ValueError" in failures(results, "f1_at_threshold")["different lengths raise value error"]


def test_a_missing_function_scores_zero_with_a_message(grader, tmp_path):
    path = submission(tmp_path)
    path.write_text(path.read_text().replace("def calc_preds(", "def calc_pred("))
    results = grader.grade(path)
    scores = exercise_scores(results, EXERCISES)
    assert scores["calc_preds"] == (0, 10) and scores["triple_relu"] == (10, 10)
    assert set(failures(results, "calc_preds").values()) == {"calc_preds is not defined in student.py"}


def test_an_error_at_import_in_one_file_leaves_the_other_files_graded(grader, tmp_path):
    shutil.copytree(COURSE / "solutions", tmp_path / "sub")
    target = tmp_path / "sub" / "week5" / "calc_preds.py"
    target.write_text(target.read_text() + "\nraise RuntimeError('boom')\n")
    results = grader.grade(tmp_path / "sub")
    scores = exercise_scores(results, EXERCISES)
    assert scores["calc_preds"] == (0, 10)
    assert all(scores[e.id] == (e.points, e.points) for e in EXERCISES if e.id != "calc_preds")
    message = "loading week5/calc_preds.py raised RuntimeError: boom (line 10); the grader imports your file, so " \
              "put work that is not a definition (reading data, training, demos) under `if __name__ == \"__main__\":`"
    assert set(failures(results, "calc_preds").values()) == {message}


def test_the_same_seed_gives_the_same_results(tmp_path):
    wrong = "import torch\ndef calc_preds(coeffs, indeps):\n    return torch.sigmoid(indeps @ coeffs).double()\n"
    path = submission(tmp_path, calc_preds=wrong)
    outputs = []
    for _ in range(2):
        with Grader(COURSE, GradeOptions(hidden=True, seed=5)) as g:
            outputs.append([(t["name"], t["status"], t["output"]) for t in g.grade(path)["tests"]])
    assert outputs[0] == outputs[1]


def standalone(*args, cwd=COURSE):
    """`python -m pytest -p grader.grading.plugin ...` as the README shows it: exit code and output."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.grading.plugin", "-q", "-p", "no:cacheprovider",
                           *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_the_standalone_pytest_plugin_grades_as_grader_grade_does(tmp_path):
    erin = COURSE / "examples" / "class" / "erin.py"
    code, out = standalone(COURSE / "grader" / "checks", "--submission", erin, "--hidden-checks", "--grader-seed", "3")
    with Grader(COURSE, GradeOptions(hidden=True, seed=3)) as g:
        results = g.grade(erin)
    assert f"Points: {results['score']:g}/{TOTAL:g}" in out and 0 < results["score"] < TOTAL
    assert code == 1 and f"{sum(t['status'] == 'passed' for t in results['tests'])} passed" in out


def test_the_standalone_plugin_passes_a_correct_submission_and_names_its_mistakes(tmp_path):
    checks = COURSE / "grader" / "checks" / "check_calc_preds.py"
    code, out = standalone(checks, "--submission", COURSE / "solutions")
    assert code == 0 and "Points: 5/5" in out
    code, out = standalone(checks, "--submission", COURSE / "exercises")
    assert code == 1 and "Points: 0/5" in out and "not written yet: calc_preds raises NotImplementedError" in out
    for args, message in [((checks, "--submission", COURSE / "solutions"), "is not inside a course"),
                          ((checks, "--submission", tmp_path / "nowhere.py"), "no such file or folder")]:
        code, out = standalone(*args, cwd=tmp_path)
        assert code != 0 and message in out and "Traceback" not in out and "INTERNALERROR" not in out
