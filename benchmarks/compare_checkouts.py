"""Benchmark: the whole-course batch of one checkout, to compare checkouts on the same exercises.

    python benchmarks/compare_checkouts.py CHECKOUT [--complete 100] [--leave-out titanic_model,...] [--one-grader]

Grades ``--complete`` complete submissions of CHECKOUT's course (every exercise, less those left
out) with CHECKOUT's own grader (``grade_many``) and the class its own
``benchmarks/bench_grading.py`` makes (``make_complete_class``), two workers, no memory
sampler, and prints the rate. With ``--one-grader``, no batch: one
``Grader`` in this process grades the reference solutions ``--complete`` times in one stream,
after a first grading that warms it up, and prints the wall time and this process's CPU time
per submission (the grading engine without the batch's workers). To compare today's code with an older
commit on the exercises both have, check the older one out beside this one
(``git worktree add ../base 61d3adb``), then run both back to back, each with its own path, and
leave out here the exercises the older one lacks; the machine's speed drifts between runs, so
alternate them and run each more than once.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="a checkout of this project (its grader and course are used)")
    parser.add_argument("--complete", type=int, default=100, help="complete submissions")
    parser.add_argument("--leave-out", default="", help="exercises not graded, comma-separated")
    parser.add_argument("--one-grader", action="store_true", help="one Grader in this process, no batch workers")
    args = parser.parse_args()
    root = args.checkout.resolve()
    sys.path.insert(0, str(root))
    os.environ["PYTHONPATH"] = str(root)  # the batch's workers import that checkout's grader too
    os.chdir(root)  # `python -m` puts the working folder first on the path, before PYTHONPATH
    spec = importlib.util.spec_from_file_location("bench_grading", root / "benchmarks" / "bench_grading.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from grader.course import load_exercises

    left_out = set(filter(None, args.leave_out.split(",")))
    ids = tuple(e.id for e in load_exercises() if e.id not in left_out)
    if args.one_grader:
        one_grader(root, ids, args.complete)
        return
    with tempfile.TemporaryDirectory() as tmp:
        paths = bench.make_complete_class(Path(tmp) / "class", args.complete, ids)
        batch(root, paths, ids if left_out else (), f"{root.name}: {len(ids)} exercises, {args.complete}")


def batch(root: Path, paths: list, ids: tuple[str, ...], label: str) -> None:
    """Grade ``paths`` with the checkout's ``grade_many``, two workers, and print the rates. No
    memory sampler runs beside it (``bench_grading.py``'s reads every process's PSS twice a
    second, about 80 ms of kernel time each on this machine, which slows the batch it measures)."""
    from grader.grading import GradeOptions, grade_many

    options = GradeOptions(hidden=True, seed=7, timeout=2.0, exercises=ids)
    graded, first, started = 0, None, time.perf_counter()
    for item in grade_many(root, paths, options, 2):
        graded += item.results is not None
        first = first or time.perf_counter()
    ended = time.perf_counter()
    wall, steady = ended - started, (len(paths) - 1) / max(ended - (first or started), 1e-9)
    print(f"{label}: {len(paths)} submissions in {wall:6.2f} s = {len(paths) / wall:5.1f}/s overall, "
          f"{steady:5.1f}/s after the first result" + ("" if graded == len(paths) else
                                                        f"; {len(paths) - graded} could not be graded"))


def one_grader(root: Path, ids: tuple[str, ...], count: int) -> None:
    from grader.grading import GradeOptions, Grader

    with Grader(root, GradeOptions(hidden=True, seed=7, exercises=ids)) as grader:
        grader.sandbox.warm()
        grader.grade(root / "solutions")
        wall, cpu = time.perf_counter(), time.process_time()
        grader.grade_stream([root / "solutions"] * count, lambda _path, _results: None)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{root.name}: {len(ids)} exercises, one Grader: {wall / count * 1000:.1f} ms a submission, "
          f"{cpu / count * 1000:.1f} ms of it this process's CPU")


if __name__ == "__main__":
    main()
