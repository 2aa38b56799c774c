"""Issue 15: points only for work done, and no rule the grader cannot enforce.

A check that expects an error (ValueError for bad input) also calls the function on a valid
input and needs the right answer: a function that only raises earns nothing. A stub does not
forbid a library routine whose results the checks cannot tell from the student's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader
from grader.release.notebooks import split_stub, task_markdown

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=3, timeout=2.0)) as g:
        yield g


def batch(grader, tmp_path: Path, source: str, only: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """Grade ``source`` and, in the same batch after it, an innocent neighbour (the references)."""
    path = tmp_path / "submission.py"
    path.write_text(source)
    results = []
    grader.grade_stream([path, COURSE / "solutions"], lambda _path, result: results.append(result), only)
    return results[0], results[1]


def only_raises() -> str:
    """A submission whose every function (and Value's every method) just raises ValueError."""
    parts = []
    for exercise in EXERCISES:
        if exercise.function == "Value":
            parts.append("class Value:\n    def __init__(self, *args, **kwargs):\n        raise ValueError('no')\n")
        else:
            parts.append(f"def {exercise.function}(*args, **kwargs):\n    raise ValueError('no')\n")
    return "\n\n".join(parts)


def test_functions_that_only_raise_value_error_score_zero_on_the_whole_course(grader, tmp_path):
    raising, neighbour = batch(grader, tmp_path, only_raises())
    assert {t["name"]: t["output"] for t in raising["tests"] if t["score"]} == {}
    assert raising["score"] == 0 and raising["max_score"] == sum(e.points for e in EXERCISES) == 300
    assert neighbour["score"] == neighbour["max_score"] == 300
    refusals = [t for t in raising["tests"] if "value error" in t["name"] or "bad size" in t["name"]]
    assert len(refusals) == 11
    for t in refusals:  # a hidden check says only the fixed vocabulary's words
        assert t["output"].endswith("it also has to work on valid input") if "public" in t["tags"] else \
            t["output"] == "failed on a hidden input: wrong value", t


# ------------------------------------------------------------------ 4. rules the grader cannot enforce
#
# A stub may not forbid what the trusted side cannot tell apart: the submission's code runs in a
# child it controls and only values come back, so a value that torch's routine computed is the same
# value however it is wrapped. The stubs of softmax, cross_entropy and Value therefore allow the
# library routine (and say so); these tests keep them from forbidding it again while the checks
# would still give it full marks.

FORBIDDING = re.compile(r"\b(without|do not|don't|never|must not|not)\s+(call|calling|use|using)\b|\bforbid",
                        re.IGNORECASE)

LIBRARY = {
    "softmax": ("torch.softmax", "import torch\ndef softmax(x, dim=-1):\n    return torch.softmax(x, dim)\n"),
    "cross_entropy": ("F.cross_entropy", "import torch.nn.functional as F\ndef cross_entropy(logits, targets):\n"
                      "    return F.cross_entropy(logits, targets)\n"),
    "value": ("torch's autograd", '''
import torch

class Value:
    """A Value on torch's autograd: torch does the backward pass."""
    def __init__(self, data, _t=None):
        self._t = torch.tensor(float(data), dtype=torch.float64, requires_grad=True) if _t is None else _t
        if not self._t.is_leaf:
            self._t.retain_grad()
    data = property(lambda self: float(self._t.detach()))
    grad = property(lambda self: 0.0 if self._t.grad is None else float(self._t.grad))
    def _of(self, other):
        return other._t if isinstance(other, Value) else other
    def __add__(self, other): return Value(None, self._t + self._of(other))
    def __mul__(self, other): return Value(None, self._t * self._of(other))
    def __pow__(self, k): return Value(None, self._t ** k)
    def __neg__(self): return Value(None, -self._t)
    def __sub__(self, other): return Value(None, self._t - self._of(other))
    def __radd__(self, other): return Value(None, other + self._t)
    def __rmul__(self, other): return Value(None, other * self._t)
    def __rsub__(self, other): return Value(None, other - self._t)
    def tanh(self): return Value(None, torch.tanh(self._t))
    def backward(self): self._t.backward()
'''),
}


def stub_task(exercise: str) -> str:
    return split_stub((COURSE / "exercises" / BY_ID[exercise].path).read_text())[0]


@pytest.mark.parametrize("exercise", sorted(LIBRARY))
def test_a_stub_does_not_forbid_the_library_routine_that_the_checks_cannot_tell_apart(grader, tmp_path, exercise):
    routine, code = LIBRARY[exercise]
    others = "\n\n".join(SOLUTIONS[e.id] for e in EXERCISES if e.path != BY_ID[exercise].path)
    results, neighbour = batch(grader, tmp_path, others + "\n\n" + code, (exercise,))
    assert results["score"] == results["max_score"] == BY_ID[exercise].points  # the checks cannot tell
    assert neighbour["score"] == neighbour["max_score"]
    task = stub_task(exercise)
    for text in (task, task_markdown([BY_ID[exercise]], task)):  # the stub and the released notebook's task
        flat = " ".join(text.split())
        assert not [m.group(0) for m in FORBIDDING.finditer(flat)], flat
        assert f"{routine.strip('`')}" in flat.replace("``", "").replace("`", "") and "is allowed" in flat
