"""Forged reports: the submission controls the child, so it can rewrite what the child reports.

Each attack rewrites the list of reported inputs from inside the student's function (it is
a local of the child's caller frame). The trusted side knows what it sent and refuses any
report that is not complete, so the attacked exercise scores zero and the others, graded
in the same submission, keep full marks.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, exercise_scores

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}

# Walks up to the child's frame that holds the reported inputs and rewrites them.
FORGE = """
import sys

def _forge(how):
    frame = sys._getframe(1)
    while frame is not None:
        reported = frame.f_locals.get("inputs")
        if type(reported) is list:
            how(reported)
            return True
        frame = frame.f_back
    return False
"""

ATTACKS = {
    # does nothing, and hides that the parameters never moved
    "gradient_step clears the reported inputs": ("gradient_step", FORGE + """
def gradient_step(params, lr):
    _forge(list.clear)
"""),
    "gradient_step reports only the first parameter, updated": ("gradient_step", FORGE + """
import torch
def gradient_step(params, lr):
    with torch.no_grad():
        params[0] -= lr * params[0].grad
        params[0].grad.zero_()
    _forge(lambda reported: reported.__delitem__(slice(1, None)))
"""),
    "gradient_step replaces its inputs with other tensors": ("gradient_step", FORGE + """
import torch
def gradient_step(params, lr):
    _forge(lambda reported: reported.__setitem__(slice(None), [torch.zeros(1, dtype=torch.int64)] * len(reported)))
"""),
    # detached from the graph: no gradient reaches coeffs, so it hides coeffs
    "calc_preds detached, hiding its inputs": ("calc_preds", FORGE + """
import torch
def calc_preds(coeffs, indeps):
    _forge(list.clear)
    return torch.sigmoid(indeps @ coeffs.detach())
"""),
    "triple_relu of floats, hiding its inputs": ("triple_relu", FORGE + """
import torch
def triple_relu(m1, b1, m2, b2, m3, b3, x):
    _forge(list.clear)
    m1, b1, m2, b2, m3, b3 = map(float, (m1, b1, m2, b2, m3, b3))
    return torch.relu(m1*x+b1) + torch.relu(m2*x+b2) + torch.relu(m3*x+b3)
"""),
    "fill_missing_with_mode fills in place and hides the input": ("fill_missing_with_mode", FORGE + """
def fill_missing_with_mode(df):
    if len(df) == 0:
        return df.copy()
    df.fillna(df.mode().iloc[0], inplace=True)
    _forge(list.clear)
    return df
"""),
}


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=5, timeout=2.0)) as g:
        yield g


def submission(tmp_path: Path, exercise: str, code: str) -> Path:
    path = tmp_path / "forger.py"
    path.write_text("\n\n".join([SOLUTIONS[e.id] for e in EXERCISES if e.id != exercise]
                                + [textwrap.dedent(code)]))
    return path


@pytest.mark.parametrize("name", ATTACKS)
def test_forged_input_reports_earn_nothing(grader, tmp_path, name):
    exercise, code = ATTACKS[name]
    results = grader.grade(submission(tmp_path, exercise, code))
    scores = exercise_scores(results, EXERCISES)
    others = {e.id: scores[e.id] for e in EXERCISES if e.id != exercise}
    assert all(got == most for got, most in others.values()), others
    looked = [t for t in results["tests"] if t["tags"][0] == exercise and "incomplete report" in t["output"]]
    assert looked, [t["output"] for t in results["tests"] if t["tags"][0] == exercise]
    # The same code without the forgery earns at least as much: forging buys nothing.
    honest = grader.grade(submission(tmp_path, exercise, code.replace("    _forge(", "    (lambda *a: None)(")))
    assert scores[exercise][0] <= exercise_scores(honest, EXERCISES)[exercise][0]


def test_a_gradient_step_that_does_nothing_scores_zero(grader, tmp_path):
    exercise, code = ATTACKS["gradient_step clears the reported inputs"]
    results = grader.grade(submission(tmp_path, exercise, code))
    assert exercise_scores(results, EXERCISES)["gradient_step"] == (0, 10)


def test_a_detached_calc_preds_gets_no_gradient_points(grader, tmp_path):
    exercise, code = ATTACKS["calc_preds detached, hiding its inputs"]
    results = grader.grade(submission(tmp_path, exercise, code))
    gradient_checks = [t for t in results["tests"] if t["tags"][0] == "calc_preds" and "gradient" in t["name"]]
    assert gradient_checks and all(t["status"] == "failed" for t in gradient_checks)


def test_a_gradient_check_needs_the_right_value_too(grader, tmp_path):
    # Right gradients for coeffs (sum over rows of sigmoid'), but the predictions are flattened
    # to the wrong shape for coeffs of shape (k, 1): the gradient check must not pay for it.
    wrong_shape = """
import torch
def calc_preds(coeffs, indeps):
    return torch.sigmoid(indeps @ coeffs).reshape(-1)[:-1]
"""
    results = grader.grade(submission(tmp_path, "calc_preds", wrong_shape))
    gradient_checks = [t for t in results["tests"] if t["tags"][0] == "calc_preds" and "gradient" in t["name"]]
    assert gradient_checks and all(t["status"] == "failed" for t in gradient_checks), gradient_checks
    assert exercise_scores(results, EXERCISES)["calc_preds"][0] == 0


def test_a_refused_report_never_shows_a_count_the_child_chose(grader, tmp_path):
    """The report padded to thousands of inputs (a number the child chose: on a hidden check it
    could be the hidden input's size) is refused in the trusted side's words, with no count."""
    import json
    import re

    code = FORGE + """
import torch
def calc_preds(coeffs, indeps):
    _forge(lambda reported: reported.extend([reported[0]] * 4300))
    return torch.sigmoid(indeps @ coeffs)
"""
    results = grader.grade(submission(tmp_path, "calc_preds", code))
    scores = exercise_scores(results, EXERCISES)
    assert all(scores[e.id][0] == scores[e.id][1] for e in EXERCISES if e.id != "calc_preds"), scores
    said = [t["output"] for t in results["tests"] if t["tags"][0] == "calc_preds" and "incomplete report" in t["output"]]
    assert said, [t["output"] for t in results["tests"] if t["tags"][0] == "calc_preds"]
    everything = json.dumps(results)
    assert not re.search(r"43\d\d", everything) and "inputs reported" not in everything, said
    assert "another number of inputs than were sent" in everything
