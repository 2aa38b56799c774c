"""Benchmark: batch grading against a naive baseline, and `grader check` against a bare import.

    python benchmarks/bench_grading.py [--complete 100] [--copies 10] [--jobs 2] [--naive 12] [--check-runs 5]
    python benchmarks/bench_grading.py --assignment week5 [--complete 100]

Prints submissions per second for `grade_many` (pre-warmed workers and zygotes, one
forked child per submission) on these classes: a class of complete submissions of the
course's first five exercises (every check run: copies of the sample class's full-mark
students and of the reference solutions), graded on those five; when the course has more
exercises, a class of complete submissions of all of them (the reference solutions, as a
folder and as one file); and copies of the sample class (where many submissions stop early);
the naive baseline (a fresh `python -m pytest -p grader.grading.plugin` process per complete
submission, the same checks and sandbox, run with the same parallelism) and the ratio;
the peak memory of the whole process tree for a small and a large class; and the wall
time of `grader check calc_preds` in a copy of the course against a bare
`python -c "import torch, pandas, numpy"` (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.grading import GradeOptions, grade_many  # noqa: E402

CLASS = ROOT / "examples" / "class"


def tree_pss_mb(pid: int) -> float:
    """Proportional memory (PSS: shared pages split between their sharers) of ``pid`` and all
    its descendants, in MB. Forked children share most of their pages with the zygote, so
    adding up their resident sizes would count torch many times over."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total / 1e6


class PeakMemory:
    """Samples the process tree's memory (PSS) every 500 ms while in use (reading it costs CPU)."""

    def __enter__(self) -> "PeakMemory":
        self.peak, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, tree_pss_mb(os.getpid()))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def make_class(folder: Path, copies: int) -> list[Path]:
    """``copies`` copies of the sample class, each submission under a unique name."""
    paths = []
    for i in range(copies):
        for item in sorted(CLASS.iterdir()):
            if item.name.startswith(("README", ".")):
                continue
            target = folder / f"copy{i}" / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if item.is_dir() else shutil.copy)(item, target)
            paths.append(target)
    return paths


COMPLETE = ["alice", "bob.py", "carol.ipynb"]  # full marks in the sample class
#: The course's first five exercises, which the sample class's complete submissions do (issue 6's class).
CORE = ("triple_relu", "gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold")


def make_complete_class(folder: Path, count: int, exercises: tuple[str, ...] = CORE) -> list[Path]:
    """``count`` complete submissions of ``exercises``: for the core five, the sample class's
    full-mark students in turn with the solutions folder and the solutions as one file; for
    any other set, the last two alone."""
    from grader.course import load_exercises

    chosen = [e for e in load_exercises() if e.id in exercises]
    one_file = "\n\n".join(dict.fromkeys((ROOT / "solutions" / e.path).read_text() for e in chosen))
    students = COMPLETE if set(exercises) == set(CORE) else []
    paths = []
    for i in range(count):
        kind = i % (len(students) + 2)
        if kind < len(students):
            source = CLASS / students[kind]
            target = folder / f"student{i:03d}{source.suffix}"
            (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
        elif kind == len(students):
            target = folder / f"student{i:03d}"
            for e in chosen:
                (target / e.path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / "solutions" / e.path, target / e.path)
        else:
            target = folder / f"student{i:03d}.py"
            target.write_text(one_file)
        paths.append(target)
    return paths


def run_batch(paths: list[Path], jobs: int, timeout: float,
              exercises: tuple[str, ...] = ()) -> tuple[float, float, float, int, float]:
    """Wall time, time after the first result, peak MB, submissions graded, total score."""
    graded, first, score = 0, None, 0.0
    started = time.perf_counter()
    options = GradeOptions(hidden=True, seed=7, timeout=timeout, exercises=exercises)
    with PeakMemory() as memory:
        for item in grade_many(ROOT, paths, options, jobs):
            graded += item.results is not None
            score += item.results["score"] if item.results else 0
            first = first or time.perf_counter()
    wall = time.perf_counter() - started
    return wall, time.perf_counter() - (first or started), memory.peak, graded, score


def run_naive(paths: list[Path], jobs: int, timeout: float) -> tuple[float, list[str]]:
    """Wall time to grade ``paths`` with one fresh pytest process per submission, and the
    points line each process printed (``Points: 50/50``: proof that it graded)."""
    def one(path: Path) -> str:
        checks = [str(ROOT / "grader" / "checks" / f"check_{e}.py") for e in CORE]  # the same five exercises
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.grading.plugin", *checks,
                               "--submission", str(path), "--hidden-checks", "--grader-seed", "7",
                               "--grader-timeout", str(timeout), "-q", "-p", "no:cacheprovider"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        return next((line for line in done.stdout.splitlines() if line.startswith("Points: ")), "no points")

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        points = list(pool.map(one, paths))
    return time.perf_counter() - started, points


def median_wall(command: list[str], runs: int, cwd: Path, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def check_ratio(folder: Path, runs: int) -> tuple[float, float]:
    """Median wall time of `grader check calc_preds` in a copy of the course, and of a bare import."""
    course = folder / "course"
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part, course / part)
    grader = str(Path(sys.executable).with_name("grader"))
    env = dict(os.environ, GRADER_COURSE=str(course))
    check = median_wall([grader, "check", "calc_preds"], runs, course, env)
    bare = median_wall([sys.executable, "-c", "import torch, pandas, numpy"], runs, course)
    return check, bare


def report_batch(label: str, paths: list[Path], result: tuple) -> float:
    wall, after_first, peak, graded, _ = result
    rate = len(paths) / wall
    print(f"{label}: {len(paths):4d} submissions in {wall:6.2f} s = {rate:5.1f}/s overall, "
          f"{(len(paths) - 1) / after_first:5.1f}/s in the steady state; peak memory (PSS) {peak:6.0f} MB")
    if graded != len(paths):
        print(f"warning: {len(paths) - graded} submissions could not be graded", file=sys.stderr)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complete", type=int, default=100, help="complete submissions in the complete class")
    parser.add_argument("--copies", type=int, default=10, help="copies of the sample class to grade")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (both sides)")
    parser.add_argument("--naive", type=int, default=12, help="complete submissions graded the naive way")
    parser.add_argument("--check-runs", type=int, default=5, help="runs of `grader check` and of the bare import")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds a call may take")
    parser.add_argument("--assignment", default=None,
                        help="only this: the complete class of an assignment's exercises (week5), graded as the "
                             "assignment and against the whole course")
    args = parser.parse_args()
    if args.assignment:
        assignment_class(args.assignment, args.complete, args.jobs, args.timeout)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        complete = make_complete_class(tmp / "complete", args.complete)
        sample = make_class(tmp / "sample", args.copies)
        per_copy = len(sample) // args.copies
        print(f"{os.cpu_count()} CPUs; {args.jobs} jobs; timeout {args.timeout:g} s")
        from grader.course import load_exercises

        everything = load_exercises()
        core_points = sum(e.points for e in everything if e.id in CORE)
        print(f"the course has {len(everything)} exercises; the complete class does the first five "
              f"({', '.join(CORE)}), graded on those")
        small = run_batch(complete[:10], args.jobs, args.timeout, CORE)
        big = run_batch(complete, args.jobs, args.timeout, CORE)
        rate = report_batch("complete class, 10  ", complete[:10], small)
        rate = report_batch(f"complete class, {args.complete:<4d}", complete, big)
        if big[4] != len(complete) * core_points:
            print(f"warning: the complete class scored {big[4]:g} of {len(complete) * core_points:g}", file=sys.stderr)
        if len(everything) > len(CORE):
            ids = tuple(e.id for e in everything)
            whole = make_complete_class(tmp / "whole", args.complete, ids)
            result = run_batch(whole, args.jobs, args.timeout)
            whole_rate = report_batch(f"whole course ({len(ids)} exercises), {args.complete}", whole, result)
            print(f"  = {whole_rate * len(ids):.0f} exercises graded per second "
                  f"(the five-exercise class: {rate * len(CORE):.0f})")
            total = len(whole) * sum(e.points for e in everything)
            if result[4] != total:
                print(f"warning: the whole-course class scored {result[4]:g} of {total:g}", file=sys.stderr)
        sample_small = run_batch(sample[:per_copy], args.jobs, args.timeout)
        sample_big = run_batch(sample, args.jobs, args.timeout)
        report_batch("sample class, 1 copy ", sample[:per_copy], sample_small)
        report_batch(f"sample class, {args.copies} copies", sample, sample_big)
        naive_paths = complete[: args.naive]
        naive, points = run_naive(naive_paths, args.jobs, args.timeout)
        full = f"Points: {core_points:g}/{core_points:g}"
        if any(p != full for p in points):
            print(f"warning: the naive baseline did not grade every submission in full: {sorted(set(points))}",
                  file=sys.stderr)
        naive_rate = len(naive_paths) / naive
        print(f"naive baseline: {len(naive_paths):4d} complete submissions in {naive:6.2f} s ({naive_rate:.2f}/s); "
              f"the complete class grades {rate / naive_rate:.1f}x as fast")
        check, bare = check_ratio(tmp, args.check_runs)
        print(f"grader check calc_preds: {check:.2f} s; bare import of torch, pandas, numpy: {bare:.2f} s; "
              f"ratio {check / bare:.2f} (medians of {args.check_runs})")


def assignment_class(assignment: str, count: int, jobs: int, timeout: float) -> None:
    """``count`` complete submissions of an assignment's exercises, graded as the assignment
    (``grade --assignment``), then against the whole course: what the exercises a submission does
    not define cost it (issue 17: at most 10% more)."""
    from grader.course import assignment_exercises

    ids = tuple(e.id for e in assignment_exercises(assignment))
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_complete_class(Path(tmp) / "class", count, ids)
        print(f"{os.cpu_count()} CPUs; {jobs} jobs; {count} complete submissions of {assignment} ({', '.join(ids)})")
        alone = run_batch(paths, jobs, timeout, ids)
        rate = report_batch(f"as the assignment {assignment}", paths, alone)
        whole = run_batch(paths, jobs, timeout)
        report_batch("against the whole course", paths, whole)
        print(f"the whole course takes {whole[0] / alone[0]:.2f}x the assignment's time ({rate:.1f}/s as {assignment})")


if __name__ == "__main__":
    main()
