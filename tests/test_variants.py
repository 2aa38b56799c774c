"""Every correct answer gets its points: a corpus of correct variants, written the ways
students write them (tests/variants/<exercise>/<idiom>.py), each scores full marks.

Library start-up is never billed to the student: torch's first optimizer imports
torch._dynamo (about 1 s of CPU, twice the call's CPU budget), so the optimizer variants
also pass in `grader check` mode and in a batch worker: in both, the zygote warms up for
torch's optimizers only when a submission needs them.
"""

import ast
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, grade_many
from grader.sandbox.host import Sandbox, SandboxConfig, grader_paths

COURSE = Path(__file__).resolve().parents[1]
VARIANTS = COURSE / "tests" / "variants"
EXERCISES = {e.id: e for e in load_exercises()}
CASES = sorted((folder.name, path) for folder in VARIANTS.iterdir() if folder.is_dir()
               for path in folder.glob("*.py"))
SGD = VARIANTS / "gradient_step" / "optim_sgd.py"


def exercise_results(results: dict, exercise: str) -> list[dict]:
    return [t for t in results["tests"] if t["tags"][0] == exercise]


def test_the_corpus_covers_every_exercise_with_documented_variants():
    assert len(CASES) >= 40
    assert {exercise for exercise, _ in CASES} == set(EXERCISES)
    for exercise, path in CASES:
        tree = ast.parse(path.read_text())
        functions = {f.name: f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.ClassDef))}  # Value is a class
        function = functions.get(EXERCISES[exercise].function)
        assert function is not None, f"{path.name} does not define {EXERCISES[exercise].function}"
        doc = ast.get_docstring(function)
        assert doc and "\n" not in doc, f"{path.name}: the function needs a one-line docstring (its idiom)"


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=5, timeout=2.0)) as g:
        yield g


@pytest.mark.parametrize(("exercise", "path"), CASES, ids=[f"{e}/{p.stem}" for e, p in CASES])
def test_every_variant_scores_full_marks(grader, exercise, path):
    tests = exercise_results(grader.grade(path), exercise)
    assert {t["name"]: t["output"] for t in tests if t["status"] != "passed"} == {}
    assert {"public", "hidden"} <= {t["tags"][1] for t in tests}
    assert sum(t["score"] for t in tests) == EXERCISES[exercise].points


def check_mode() -> Grader:
    """A grader as `grader check gradient_step` makes it: public checks, a fresh zygote."""
    return Grader(COURSE, GradeOptions(hidden=False, exercises=("gradient_step",)))


def test_an_optimizer_gets_full_public_points_in_check_mode():
    with check_mode() as fresh:
        results = fresh.grade(SGD)
    assert [t["output"] for t in results["tests"] if t["status"] != "passed"] == []
    assert results["score"] == results["max_score"] == 5


def test_an_optimizer_at_the_top_level_of_a_file_still_loads(tmp_path):
    path = tmp_path / "notebook_style.py"
    path.write_text("import torch\nwarm = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n\n"
                    + SGD.read_text())
    with check_mode() as fresh:
        results = fresh.grade(path)
    assert [t["output"] for t in results["tests"] if t["status"] != "passed"] == []


def test_an_endless_loop_is_still_stopped_after_the_warm_up(tmp_path):
    path = tmp_path / "loop.py"
    path.write_text("import torch\ndef gradient_step(params, lr):\n    torch.optim.SGD(params, lr)\n"
                    "    while True:\n        pass\n")
    with check_mode() as fresh:
        first = fresh.grade(path)
        again = fresh.grade(path)  # the zygote is warm now: no second retry
        after = fresh.grade(SGD)
    for results in (first, again):
        assert results["score"] == 0
        assert "CPU time" in results["tests"][0]["output"]
        assert all("not run" in t["output"] for t in results["tests"][1:])
    assert after["score"] == 5  # a correct submission after it still passes


def test_the_zygote_warms_up_fully_once():
    with Sandbox(SandboxConfig(hidden=tuple(grader_paths()))) as sandbox:
        assert sandbox.warm() is True
        assert sandbox.warm() is False
        child = sandbox.spawn()
        source = "import sys\ndef imported():\n    return 'torch._dynamo' in sys.modules\n"
        assert child.load("m", source, "m.py", ["imported"]) == []
        assert child.call("m", "imported", timeout=2.0).value is True
        child.close()


def test_a_batch_worker_grades_an_optimizer_with_full_marks():
    (graded,) = list(grade_many(COURSE, [SGD], GradeOptions(hidden=True, seed=2, exercises=("gradient_step",)),
                                jobs=1))
    assert graded.error is None
    assert graded.results["score"] == graded.results["max_score"] == 10
