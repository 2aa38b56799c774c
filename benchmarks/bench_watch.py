"""Benchmark: how fast `grader watch` answers a save, on a copy of the course.

    python benchmarks/bench_watch.py [--saves 10]

Prints, as medians (and the slowest) over ``--saves`` saves that alternate between a wrong and
a right calc_preds:

- re-check: the time one ``Watch.changed`` takes with the session's warm ``Grader`` (the checks
  of the saved exercise, in a child forked from the pre-warmed zygote);
- save to screen: from writing the file to the new screen appearing in the terminal of a real
  `grader watch` (pty), which adds watchfiles' 50 ms grouping step and the redraw;
- and, for comparison, a cold `grader check calc_preds` (a new process and zygote each time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pexpect  # noqa: E402

from grader.course import load_exercises  # noqa: E402
from grader.grading import GradeOptions, Grader  # noqa: E402
from grader.student.watch import Watch  # noqa: E402

WRONG = "import torch\n\n\ndef calc_preds(coeffs, indeps):\n    return indeps @ coeffs\n"
PATH = "week5/calc_preds.py"


def course_copy(folder: Path) -> Path:
    for part in ("exercises", "solutions"):
        shutil.copytree(ROOT / part, folder / part)
    return folder


def show(label: str, seconds: list[float]) -> None:
    print(f"{label:<34} median {statistics.median(seconds) * 1000:7.1f} ms   slowest {max(seconds) * 1000:7.1f} ms"
          f"   ({len(seconds)} saves)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    right = (ROOT / "solutions" / PATH).read_text()
    with tempfile.TemporaryDirectory() as tmp:
        course = course_copy(Path(tmp) / "loop")
        target = course / "exercises" / PATH
        with Grader(course, GradeOptions(hidden=False)) as grader:
            watch = Watch(course, load_exercises(), lambda ids: grader.grade(course / "exercises", only=ids))
            watch.start()
            timings = []
            for i in range(args.saves):
                target.write_text(right if i % 2 else WRONG)
                started = time.perf_counter()
                watch.changed([target])
                timings.append(time.perf_counter() - started)
        show("re-check (Watch.changed)", timings)

        course = course_copy(Path(tmp) / "pty")
        target = course / "exercises" / PATH
        env = {k: v for k, v in os.environ.items() if k != "GRADER_COURSE"}
        child = pexpect.spawn(sys.executable, ["-m", "grader", "watch"], cwd=str(course), env={**env, "TERM": "xterm"},
                              dimensions=(60, 250), encoding="utf-8", timeout=120)
        child.expect("q quit")
        timings = []
        for i in range(args.saves):
            wanted = "calc_preds passes" if i % 2 else r"✗ .*calc_preds.*  [0-4]/5 points"
            target.write_text(right if i % 2 else WRONG)
            started = time.perf_counter()
            child.expect(wanted)
            timings.append(time.perf_counter() - started)
            child.expect("q quit")
        child.send("q")
        child.expect(pexpect.EOF)
        show("save to screen (grader watch, pty)", timings)

        timings = []
        for _ in range(min(args.saves, 3)):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "grader", "check", "calc_preds"], cwd=course, env=env,
                           capture_output=True, check=False)
            timings.append(time.perf_counter() - started)
        show("cold `grader check calc_preds`", timings)


if __name__ == "__main__":
    main()
