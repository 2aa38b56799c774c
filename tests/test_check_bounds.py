"""Issue 15: the checks' own work on what a submission returns is bounded, and a check that
expects an error pays only for a function that also works.

A submission controls the size of what it returns (up to the sandbox's result limit). Whatever
a check does with it (compare, describe, count) must not grow faster than linearly in it, and
a check that describes it looks at a bounded part of it (grader/bounds.py). Timing tests compare
the work for a size n and 4n, never an absolute wall-clock figure.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from grader.bounds import DESCRIBE_CHARS
from grader.checking import CheckFailure, brief, expect_value_error, mismatch, show
from grader.course import load_exercises
from grader.grading import GradeOptions, Grader

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}


def check_module(exercise: str):
    spec = importlib.util.spec_from_file_location(f"bounds_checks_{exercise}", BY_ID[exercise].checks)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_of(work, repeats: int = 3) -> float:
    """The shortest of a few timings of ``work()`` (what it costs, without the machine's noise)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def grows_at_most_linearly(work_for, n: int) -> None:
    """``work_for(4n)`` costs at most about 4x ``work_for(n)`` (8x, for noise; a floor of 2 ms,
    since constant work is noise only): quadratic work would cost 16x."""
    small, large = best_of(lambda: work_for(n)), best_of(lambda: work_for(4 * n))
    assert large <= 8 * max(small, 0.002), (small, large)


class FakeFunction:
    """A submission's function as a check sees it, returning a fixed value (no sandbox)."""

    def __init__(self, name: str, value, public: bool = True) -> None:
        self.name, self._value, self.public = name, value, public

    def run(self, *args, **kwargs):
        return SimpleNamespace(error=None, value=self._value, inputs=[])

    def __call__(self, *args, **kwargs):
        return self._value


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=3, timeout=2.0)) as g:
        yield g


def batch(grader, tmp_path: Path, hostile: str, exercise: str) -> tuple[dict, dict]:
    """Grade a submission whose ``exercise`` is ``hostile`` and, in the same batch after it, an
    innocent neighbour (the reference solutions); both results."""
    path = tmp_path / "hostile.py"
    path.write_text("\n\n".join([SOLUTIONS[e.id] for e in EXERCISES if e.id != exercise] + [hostile]))
    results = []
    grader.grade_stream([path, COURSE / "solutions"], lambda _path, result: results.append(result), (exercise,))
    return results[0], results[1]


def scores(results: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in results["tests"]}


# ------------------------------------------------------------------ 1. topological_order


PADDED = '''
def topological_order(graph):
    order, done = [], set()
    def visit(node):
        if node in done:
            return
        done.add(node)
        for dep in graph.get(node, []):
            visit(dep)
        order.append(node)
    for node in graph:
        visit(node)
    if any(node in graph.get(dep, []) for node in graph for dep in graph[node]) or len(graph) == 3:
        raise ValueError("cycle")
    return order + [order[0]] * 100_000
'''


def test_a_padded_topological_order_fails_fast_with_a_fixed_message(grader, tmp_path):
    hostile, neighbour = batch(grader, tmp_path, PADDED, "topological_order")
    tests = {t["name"]: t for t in hostile["tests"]}
    lesson = tests["topological_order: the lessons graph"]
    assert lesson["status"] == "failed"
    assert lesson["output"].endswith("every node must appear exactly once, but the order has more entries "
                                     "than the graph has nodes")
    assert neighbour["score"] == neighbour["max_score"] == BY_ID["topological_order"].points


def test_the_topological_check_is_linear_in_the_returned_order():
    valid = check_module("topological_order").valid
    graph = check_module("topological_order").LESSON
    order = ["a", "b", "e", "c", "d", "f", "L"]

    def padded(n):
        student = SimpleNamespace(topological_order=FakeFunction("topological_order", order + ["L"] * n))
        with pytest.raises(CheckFailure):  # whatever it says (the message: the test above)
            valid(student, graph)

    grows_at_most_linearly(padded, 20_000)


def test_a_long_valid_order_is_checked_in_linear_time():
    valid = check_module("topological_order").valid

    def chain(n):
        graph = {f"n{i}": [f"n{i - 1}"] if i else [] for i in range(n)}
        student = SimpleNamespace(topological_order=FakeFunction("topological_order", list(graph)))
        valid(student, graph)

    grows_at_most_linearly(chain, 20_000)


# ------------------------------------------------------------------ 2. describing a returned value


def frame_of(rows: int) -> pd.DataFrame:
    """A frame a submission might return: many rows, cheap to send (one byte a row)."""
    return pd.DataFrame({"Fare": torch.zeros(rows, dtype=torch.bool).numpy()})


def test_a_huge_value_where_value_error_was_expected_is_described_in_bounded_work():
    passengers = pd.DataFrame({"Name": ["Braund"], "Age": [22.0]})

    def refused(rows):
        function = FakeFunction("add_log_fare", frame_of(rows))
        with pytest.raises(CheckFailure) as failure:
            expect_value_error(function, passengers)
        assert len(str(failure.value)) < 400

    grows_at_most_linearly(refused, 200_000)
    small, large = best_of(lambda: refused(200_000)), best_of(lambda: refused(800_000))
    assert large <= 2 * max(small, 0.002), (small, large)  # in fact constant: it looks at a few rows at most


HUGE = {  # a value of each kind a submission can return, of size n
    "frame": frame_of,
    "tensor": lambda n: torch.zeros(n),
    "array": lambda n: torch.zeros(n).numpy(),
    "list": lambda n: list(range(n)),
    "int": lambda n: 7 ** (n // 10),
    "dict": lambda n: {i: "v" for i in range(n)},
    "nested": lambda n: (["y" * n] * 100,),
    "series": lambda n: pd.Series(range(n)),
    "model": lambda n: torch.nn.Sequential(*[torch.nn.ReLU() for _ in range(n // 100)]),
}


@pytest.mark.parametrize("kind", sorted(HUGE))
def test_brief_looks_at_a_bounded_part_of_any_value(kind):
    values = {n: HUGE[kind](n) for n in (100_000, 400_000)}
    for value in values.values():
        assert len(brief(value)) <= DESCRIBE_CHARS
        assert len(show(value, 80)) <= 80
    small, large = best_of(lambda: brief(values[100_000])), best_of(lambda: brief(values[400_000]))
    assert large <= 2 * max(small, 0.002), (small, large)  # constant: it does not depend on the size


def test_brief_writes_small_values_as_show_does_and_large_ones_by_kind():
    assert brief(pd.DataFrame(index=pd.RangeIndex(20_000_000))) == "a DataFrame of shape (20000000, 0)"
    assert brief(torch.zeros(5_000_000)) == "a tensor of shape (5000000,) and dtype torch.float32"
    assert brief([1.5, "a", None, (2,)]) == "[1.5, 'a', None, (2,)]"
    assert brief(torch.tensor([1.0, 2.5])) == show(torch.tensor([1.0, 2.5]))
    assert brief(list(range(100))).endswith(", 39, ...]")


def test_mismatch_messages_work_on_the_expected_size_not_the_returned_one():
    want_frame = pd.DataFrame({"Fare": [1.0, 2.0]})
    want_list = ["parameter a should be increased", "parameter b should stay"]

    def compare(n):
        assert mismatch(frame_of(n), want_frame, public=True) is not None
        assert mismatch(pd.DataFrame({"Fare": [0.0] * 2}, index=range(0, 2 * n, n)), want_frame, public=True)
        assert mismatch(["z" * n] * 2, want_list, public=True) is not None
        assert len(mismatch(["x"] * n, want_list, public=True)) < 400
        assert len(mismatch(want_list[:1] + ["x" * n], want_list, public=True)) < 400

    grows_at_most_linearly(compare, 200_000)
    small, large = best_of(lambda: compare(200_000)), best_of(lambda: compare(800_000))
    assert large <= 2 * max(small, 0.002), (small, large)
    assert mismatch(frame_of(7), want_frame, public=True) == "expected 2 rows, got 7"
    assert mismatch(frame_of(7), want_frame, public=False) == "the number of rows differs from the expected one"


HUGE_FRAME = '''
import numpy as np
import pandas as pd
def add_log_fare(df):
    if "Fare" not in df.columns:
        return pd.DataFrame({"Fare": np.zeros(20_000_000, dtype=bool)})
    return df.assign(LogFare=np.log(df["Fare"] + 1))
'''


def test_a_20_million_row_frame_instead_of_value_error_fails_quickly(grader, tmp_path):
    hostile, neighbour = batch(grader, tmp_path, HUGE_FRAME, "add_log_fare")
    tests = {t["name"]: t for t in hostile["tests"]}
    refused = tests["add_log_fare: a frame without fare raises value error"]
    assert refused["status"] == "failed"
    assert "expected ValueError, but it returned a DataFrame of shape (20000000, 1)" in refused["output"]
    assert neighbour["score"] == neighbour["max_score"] == BY_ID["add_log_fare"].points
