"""Where a complete submission's grading time goes.

    python benchmarks/profile_grading.py [--submissions 40] [--leave-out titanic_model,...]

Grades the reference solutions (every check runs and passes) over and over in one
``Grader``, as a batch worker does, and splits the time per submission into: forking the
sandboxed child, loading the submission's code in it, the round trips of the calls
(the child's own work included), the reference computations, the comparisons, and what
is left, which is pytest's own work per check plus the checks' code. Times are wall-clock
in this process, which is idle while it waits for the child.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import checking  # noqa: E402
from grader.grading import GradeOptions, Grader  # noqa: E402
from grader.grading import run as grading_run  # noqa: E402
from grader.grading import session  # noqa: E402
from grader.grading import values  # noqa: E402
from grader.sandbox import host  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
COUNT: dict[str, int] = defaultdict(int)
DEPTH = [0]


def timed(name: str, function):
    """``function``, adding its wall time to SPENT[name] (outermost timed call only)."""
    def wrapper(*args, **kwargs):
        if DEPTH[0]:
            return function(*args, **kwargs)
        DEPTH[0] += 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - started
            COUNT[name] += 1
            DEPTH[0] -= 1
    return wrapper


class TimedReference:
    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        value = getattr(self._module, name)
        return timed("reference", value) if callable(value) else value


BY_EXERCISE: dict[str, float] = defaultdict(float)


def time_checks() -> None:
    """Each check's wall time, added up by exercise."""
    original = session.Check.run

    def run(self, grading):
        started = time.perf_counter()
        try:
            return original(self, grading)
        finally:
            BY_EXERCISE[self.exercise] += time.perf_counter() - started
    session.Check.run = run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--leave-out", default="", help="exercises not graded, comma-separated (to compare courses)")
    args = parser.parse_args()
    time_checks()
    host.Sandbox.spawn = timed("fork a child", host.Sandbox.spawn)
    host.Child.load = timed("load the code", host.Child.load)
    host.Child._request = timed("call round trips", host.Child._request)
    host.Child.kill = timed("end the child", host.Child.kill)
    values.mismatch = timed("compare", values.mismatch)
    checking.expect_unchanged = timed("compare", checking.expect_unchanged)
    checking.reference_grads = timed("reference", checking.reference_grads)
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("check_") or "grader/checks/" in str(getattr(module, "__file__", "")):
            for name in ("expect_same", "expect_unchanged", "reference_grads"):
                if hasattr(module, name):
                    setattr(module, name, getattr(checking, name))
    original = grading_run.GradingRun.reference
    grading_run.GradingRun.reference = lambda self, exercise: TimedReference(original(self, exercise))

    from grader.course import load_exercises

    left_out = set(filter(None, args.leave_out.split(",")))
    chosen = tuple(e.id for e in load_exercises() if e.id not in left_out) if left_out else ()
    with Grader(ROOT, GradeOptions(hidden=True, seed=7, exercises=chosen)) as grader:
        grader.grade(ROOT / "solutions")  # warm: the first run imports and fills caches
        SPENT.clear()
        COUNT.clear()
        BY_EXERCISE.clear()
        results = []
        started = time.perf_counter()
        grader.grade_stream([ROOT / "solutions"] * args.submissions, lambda _p, r: results.append(r))
        wall = time.perf_counter() - started
    assert all(r["score"] == r["max_score"] for r in results)
    n, checks = len(results), len(results[0]["tests"])
    print(f"{n} complete submissions, {checks} checks each, one worker: {wall / n * 1000:.1f} ms per submission "
          f"({n / wall:.1f}/s)")
    print("  the checks' own time by exercise (calls and references included):", ", ".join(
        f"{name} {seconds / n * 1000:.0f} ms" for name, seconds in sorted(BY_EXERCISE.items(), key=lambda kv: -kv[1])))
    rest = wall - sum(SPENT.values())
    rows = sorted(SPENT.items(), key=lambda kv: -kv[1]) + [("pytest and the checks' own code", rest)]
    for name, seconds in rows:
        calls = COUNT.get(name)
        per = f"{calls / n:5.1f} per submission, {seconds / calls * 1000:6.2f} ms each" if calls else ""
        print(f"  {name:32s} {seconds / n * 1000:7.2f} ms  {seconds / wall:5.1%}  {per}")


if __name__ == "__main__":
    main()
