"""Benchmark: batch grading against a naive baseline, on copies of the sample class.

    python benchmarks/bench_grading.py [--copies 10] [--jobs 2] [--naive 12]

Prints submissions per second for `grade_many` (pre-warmed workers and zygotes,
one forked child per submission) and for the naive baseline (a fresh
`python -m pytest -p grader.plugin` process per submission, the same checks and
sandbox, run with the same parallelism), their ratio, and the peak memory of the
whole process tree for one copy and for all copies.
"""

from __future__ import annotations

import argparse
import os
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


def run_batch(paths: list[Path], jobs: int, timeout: float) -> tuple[float, float, float, int]:
    """Wall time, time after the first result, peak MB, and submissions graded."""
    graded, first = 0, None
    started = time.perf_counter()
    with PeakMemory() as memory:
        for item in grade_many(ROOT, paths, GradeOptions(hidden=True, seed=7, timeout=timeout), jobs):
            graded += item.results is not None
            first = first or time.perf_counter()
    wall = time.perf_counter() - started
    return wall, time.perf_counter() - (first or started), memory.peak, graded


def run_naive(paths: list[Path], jobs: int, timeout: float) -> float:
    """Wall time to grade ``paths`` with one fresh pytest process per submission."""
    def one(path: Path) -> None:
        subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.plugin", str(ROOT / "grader" / "checks"),
                        "--submission", str(path), "--hidden-checks", "--grader-seed", "7",
                        "--grader-timeout", str(timeout), "-q", "-p", "no:cacheprovider"],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10, help="copies of the sample class to grade")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (both sides)")
    parser.add_argument("--naive", type=int, default=12, help="submissions graded the naive way")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds a call may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_class(Path(tmp), args.copies)
        per_copy = len(paths) // args.copies
        print(f"sample class: {per_copy} submissions; {args.copies} copies; {args.jobs} jobs; "
              f"timeout {args.timeout:g} s; {os.cpu_count()} CPUs")
        small = run_batch(paths[:per_copy], args.jobs, args.timeout)
        big = run_batch(paths, args.jobs, args.timeout)
        naive_paths = paths[: args.naive]
        naive = run_naive(naive_paths, args.jobs, args.timeout)
    rate = len(paths) / big[0]
    steady = (len(paths) - 1) / big[1]
    naive_rate = len(naive_paths) / naive
    print(f"batch, 1 copy : {per_copy:4d} submissions in {small[0]:6.2f} s; peak memory (PSS) {small[2]:6.0f} MB")
    print(f"batch, {args.copies} copies: {len(paths):4d} submissions in {big[0]:6.2f} s; "
          f"peak memory (PSS) {big[2]:6.0f} MB")
    print(f"  overall     : {rate:5.1f} submissions/s (start-up of {big[0] - big[1]:.1f} s included)")
    print(f"  steady state: {steady:5.1f} submissions/s (from the first result on)")
    print(f"naive         : {len(naive_paths):4d} submissions in {naive:6.2f} s ({naive_rate:.2f}/s)")
    print(f"speed-up      : {rate / naive_rate:.1f}x the naive baseline overall, "
          f"{steady / naive_rate:.1f}x in the steady state")
    if big[3] != len(paths):
        print(f"warning: {len(paths) - big[3]} submissions could not be graded", file=sys.stderr)


if __name__ == "__main__":
    main()
