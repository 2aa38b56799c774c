"""Checks of training itself: the child watches the model (plain events), the trusted side judges."""

import math
from pathlib import Path

import pytest

from grader.grading import GradeOptions, Grader, training
from grader.sandbox.host import _observed

COURSE = Path(__file__).resolve().parents[1]
CHECK = "train_epochs: trains in training mode with fresh gradients"
SOLUTION = (COURSE / "solutions" / "week3" / "training.py").read_text()


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=False, seed=3, timeout=2.0, exercises=["train_epochs"])) as g:
        yield g


def outcome_of(grader, tmp_path, code):
    path = tmp_path / "training.py"
    path.write_text(code)
    return {t["name"]: t for t in grader.grade(path)["tests"]}[CHECK]


def test_the_reference_trains_in_training_mode_with_fresh_gradients(grader, tmp_path):
    assert outcome_of(grader, tmp_path, SOLUTION)["status"] == "passed"


@pytest.mark.parametrize(("change", "said"), [
    (("        optimizer.zero_grad()\n", "        pass\n"), "gradients pile up across steps"),
    (("    optimizer = torch", "    model.eval()\n    optimizer = torch"), "ran in eval mode: call model.train()"),
    (("        loss.backward()\n", "        (loss * 0).backward()\n"), "every gradient is zero"),
    (("        loss.backward()\n", "        (loss * float('nan')).backward()\n"), "not finite"),
])
def test_each_fault_of_a_training_loop_is_named(grader, tmp_path, change, said):
    assert change[0] in SOLUTION
    result = outcome_of(grader, tmp_path, SOLUTION.replace(*change))
    assert result["status"] == "failed" and said in result["output"], result["output"]


def test_the_judges_on_plain_events():
    assert training.loss_decreases([1.0, 0.5]) is None
    assert "did not decrease" in training.loss_decreases([1.0, 1.2])
    assert "not finite" in training.loss_decreases([1.0, math.nan])
    assert training.overfits([1.0, 0.05]) is None and "not overfit" in training.overfits([1.0, 0.5])
    assert training.eval_mode([("forward", False)]) is None
    assert "model.eval()" in training.eval_mode([("forward", False), ("forward", True)])
    assert "never called" in training.train_mode([])
    fresh = [("grad", 0, 2.0), ("sum", 0, 2.0), ("grad", 0, 1.0), ("sum", 0, 1.0)]
    assert training.gradients_zeroed(fresh) is None
    assert "pile up" in training.gradients_zeroed([("grad", 0, 2.0), ("sum", 0, 2.0), ("grad", 0, 1.0), ("sum", 0, 3.0)])


@pytest.mark.parametrize("events", [
    "not a list", [["forward", 1]], [["grad", -1, 1.0]], [["grad", 0, "1"]], [["grad", 0, "-inf!"]], [["sum", 0]], [["other", True]],
    [["forward", True]] * 20001,
])
def test_a_malformed_report_of_events_is_refused(events):
    assert _observed(events) is None


def test_a_wellformed_report_becomes_tuples():
    assert _observed([["forward", True], ["grad", 0, 1], ["sum", 0, 1.5]]) == [
        ("forward", True), ("grad", 0, 1.0), ("sum", 0, 1.5)]


CLASSIFIER = (COURSE / "solutions" / "week3" / "classifier.py").read_text()


@pytest.fixture(scope="module")
def classifier_grader():
    with Grader(COURSE, GradeOptions(hidden=False, seed=3, timeout=2.0,
                                     exercises=["train_classifier", "predict_classes"])) as g:
        yield g


@pytest.mark.parametrize(("change", "check", "said"), [
    (("    model.train()\n", ""), "train_classifier: trains in training mode with fresh gradients",
     "6 of 6 forward passes ran in eval mode: call model.train() before training"),
    (("    model.eval()\n", ""), "predict_classes: predicts in eval mode",
     "1 of 1 forward passes ran in training mode: call model.eval() before predicting"),
])
def test_a_forgotten_mode_switch_is_named_and_dropout_makes_the_answer_wrong(classifier_grader, tmp_path, change, check,
                                                                              said):
    """The model comes to the call in the other mode; forgetting to switch it is named from what the
    child saw, and dropout (on, or off) changes the answer, so the comparison with the reference fails too."""
    assert change[0] in CLASSIFIER
    path = tmp_path / "classifier.py"
    path.write_text(CLASSIFIER.replace(*change, 1))
    tests = {t["name"]: t for t in classifier_grader.grade(path)["tests"]}
    assert tests[check]["status"] == "failed" and said in tests[check]["output"], tests[check]["output"]
    other = "train_classifier: the losses of a few epochs" if check.startswith("predict") else \
        "predict_classes: the classes of a model with dropout"
    assert tests[other]["status"] == "passed"  # the other function is untouched
    if check.startswith("predict"):  # in training mode, dropout makes the predictions wrong
        assert tests["predict_classes: the classes of a model with dropout"]["status"] == "failed"


def test_the_reference_and_the_child_draw_the_same_dropout_masks(classifier_grader, tmp_path):
    """The child seeds its generators before the call, the check seeds the reference's alike: the
    reference's own code, run in the child, gets every point of both exercises."""
    path = tmp_path / "classifier.py"
    path.write_text(CLASSIFIER)
    results = classifier_grader.grade(path)
    assert results["score"] == results["max_score"] == 14
