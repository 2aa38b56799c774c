"""The sample class, graded in a batch as the Quick start does: every score as documented."""

from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, exercise_scores, grade_many

CLASS = Path(__file__).resolve().parents[1] / "examples" / "class"
ORDER = ["triple_relu", "gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold"]
# The later weeks' exercises: only oscar hands any of them in; everybody else scores 0 on them.
LATER = [e.id for e in load_exercises() if e.id not in ORDER]
LATER_EXPECTED = {
    "oscar": {"loss_slope": 10, "fit_multiplier": 8, "count_dense_parameters": 0, "topological_order": 7,
              "softmax": 8, "normalize_columns": 10, "calc_loss": 10, "accuracy": 8, "build_mlp": 10,
              "count_parameters": 6, "train_epochs": 9, "add_log_fare": 6, "add_dummies": 10, "best_threshold": 7},
}
# Points per exercise, in ORDER, with --seed 1 (examples/README.md explains each).
EXPECTED = {
    "alice": [10, 10, 10, 10, 10],
    "bob": [10, 10, 10, 10, 10],
    "carol": [10, 10, 10, 10, 10],
    "dave": [0, 10, 10, 10, 4],
    "erin": [10, 1, 10, 5, 10],
    "frank": [10, 10, 0, 10, 0],
    "grace": [0, 0, 0, 0, 0],
    "heidi": [0, 0, 0, 0, 0],
    "ivan": [10, 10, 10, 10, 0],
    "judy": [10, 10, 1, 10, 2],
    "mallory": [0, 0, 0, 0, 0],
    "niaj": [1, 0, 10, 10, 10],
    "oscar": [0, 0, 0, 0, 0],
}


@pytest.fixture(scope="module")
def graded():
    paths = sorted(CLASS.iterdir())
    return {g.path.stem if g.path.is_file() else g.path.name: g
            for g in grade_many(CLASS.parents[1], paths, GradeOptions(hidden=True, seed=1, timeout=2.0), jobs=2)}


def test_every_submission_is_graded(graded):
    assert sorted(graded) == sorted(EXPECTED)
    assert all(g.error is None for g in graded.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scores_match_the_class_readme(graded, name):
    scores = exercise_scores(graded[name].results, load_exercises())
    assert [scores[e][0] for e in ORDER] == EXPECTED[name]
    assert {e: scores[e][0] for e in LATER} == {e: LATER_EXPECTED.get(name, {}).get(e, 0) for e in LATER}


def test_oscars_totals_match_the_class_readme(graded):
    assert graded["oscar"].results["score"] == sum(LATER_EXPECTED["oscar"].values()) == 109
    readme = (CLASS.parent / "README.md").read_text()
    assert "It scores **109**" in readme and "75 with\n`--public-only`" in readme


def test_feedback_names_the_cause(graded):
    def outputs(name):
        return [t["output"] for t in graded[name].results["tests"] if t["status"] == "failed"]

    assert "SyntaxError in grace.py, line 22: expected ':'" in outputs("grace")
    assert any("loading heidi.py raised FileNotFoundError" in o and "(line 44)" in o for o in outputs("heidi"))
    assert any("used more than 0.5 s of CPU time without answering" in o for o in outputs("ivan"))
    assert any(o.startswith("not run: an earlier check stopped the submission's process") for o in outputs("ivan"))
    assert any("no file for this exercise: expected week5/f1_at_threshold.py" in o for o in outputs("frank"))
    assert any("not plain data" in o for o in outputs("mallory"))
    assert "42 passed" in graded["mallory"].results["extra_data"]["printed"]
    assert graded["mallory"].results["score"] == 0


def test_an_endless_loop_costs_one_cpu_budget_not_one_per_check(graded):
    f1 = [t["output"] for t in graded["ivan"].results["tests"] if t["tags"][0] == "f1_at_threshold"]
    assert sum("used more than 0.5 s of CPU time" in o and not o.startswith("not run") for o in f1) == 1
    assert all(o.startswith("not run: an earlier check stopped") for o in f1[1:])
    assert graded["ivan"].results["execution_time"] < 10
