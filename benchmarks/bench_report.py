"""Benchmark: `grader report` and `grader feedback` for a class of 200.

    python benchmarks/bench_report.py [--students 200] [--results DIR] [--out report.html]
    python benchmarks/bench_report.py --gradebook-class 300   # only: a class made straight into a gradebook

Grades the sample class once (or reads DIR, as `grader grade --out DIR` wrote it), then makes
a class of --students records by copying those results and flipping checks at random, so the
scores vary: a passed check fails with the message another student got for it, a failed one
passes. Prints the time to build the page (with the similarity section over the sample
class's submissions, and without), its size, the time to compare the code of as many
submissions (copies of the sample class) and the time to write every feedback file.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.course import load_exercises  # noqa: E402
from grader.grading import GradeOptions, grade_many  # noqa: E402
from grader.reports.feedback import write_feedback  # noqa: E402
from grader.reports.html import ReportInputs, build_report  # noqa: E402
from grader.reports.records import GradedRecord, records_from_results_dir  # noqa: E402
from grader.reports.similarity import find_similar  # noqa: E402

CLASS = ROOT / "examples" / "class"


def graded_class(results: Path | None) -> list[GradedRecord]:
    if results:
        return records_from_results_dir(results)
    out = Path(tempfile.mkdtemp()) / "results"
    out.mkdir()
    for graded in grade_many(ROOT, sorted(CLASS.iterdir()), GradeOptions(seed=1), jobs=2):
        name = graded.path.name if graded.path.is_dir() else graded.path.stem
        (out / f"{name}.json").write_text(json.dumps(graded.results))
    return records_from_results_dir(out)


def make_class(base: list[GradedRecord], students: int, rng: random.Random) -> list[GradedRecord]:
    failures: dict[str, list[str]] = {}
    for record in base:
        for test in record.results["tests"]:
            if test["status"] == "failed":
                failures.setdefault(test["name"], []).append(test["output"])
    made = []
    for i in range(students):
        results = copy.deepcopy(rng.choice(base).results)
        flip = rng.uniform(0, 0.3)
        for test in results["tests"]:
            if rng.random() < flip:
                if test["status"] == "passed" and test["name"] in failures:
                    test.update(status="failed", score=0.0, output=rng.choice(failures[test["name"]]))
                elif test["status"] == "failed":
                    test.update(status="passed", score=test["max_score"], output="")
        results["score"] = round(sum(t["score"] for t in results["tests"]), 4)
        results["execution_time"] = round(rng.uniform(0.05, 3.0), 3)
        made.append(GradedRecord(f"student{i:03d}", results, results["execution_time"]))
    return made


def gradebook_class(students: int, out: Path) -> None:
    """The report for a class made straight into a gradebook with a roster (tests/report_class.py: each
    student attempts part of the 26 exercises), read back as `grader report` reads it: size and build time."""
    sys.path.insert(0, str(ROOT / "tests"))
    from report_class import make_class

    from grader.reports.records import records_from_gradebook

    book = Path(tempfile.mkdtemp()) / "gradebook.db"
    make_class(book, students)
    start = time.perf_counter()
    records = records_from_gradebook(book)
    read = time.perf_counter() - start
    times = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        page = build_report(ReportInputs(records))
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    out.write_text(page, encoding="utf-8")
    best = min(times)
    print(f"{students} students from a gradebook: read in {read:.2f} s; the page built in {best[0]:.2f} s "
          f"({best[1]:.2f} s of CPU; best of 3), {len(page.encode()) / 1024:.0f} KiB ({out})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-report.html")
    parser.add_argument("--gradebook-class", type=int, default=None, metavar="N",
                        help="Only build the report of N students made straight into a gradebook.")
    args = parser.parse_args()
    if args.gradebook_class:
        gradebook_class(args.gradebook_class, args.out)
        return
    records = make_class(graded_class(args.results), args.students, random.Random(0))
    scores = sorted(r.results["score"] for r in records)
    print(f"{len(records)} students, scores {scores[0]:g}-{scores[-1]:g}, "
          f"{len({*scores})} distinct totals")

    start = time.perf_counter()
    page = build_report(ReportInputs(records))
    plain = time.perf_counter() - start
    start = time.perf_counter()
    matches = find_similar(ROOT, sorted(CLASS.iterdir()), load_exercises())
    compared = time.perf_counter() - start
    start = time.perf_counter()
    page = build_report(ReportInputs(records, similarity=tuple(matches)))
    full = time.perf_counter() - start
    args.out.write_text(page, encoding="utf-8")
    print(f"report: {plain:.2f} s to build ({full:.2f} s with {len(matches)} similar pairs; comparing the "
          f"{len(list(CLASS.iterdir()))} sample submissions' code took {compared:.2f} s)")
    print(f"report size: {len(page.encode()) / 1024:.0f} KiB ({args.out})")
    copies = Path(tempfile.mkdtemp())
    paths = []
    for i in range(-(-args.students // len(list(CLASS.iterdir())))):
        for source in sorted(CLASS.iterdir()):
            target = copies / f"{source.stem}{i:02d}{source.suffix}"
            (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
            paths.append(target)
    start = time.perf_counter()
    matches = find_similar(ROOT, paths[:args.students], load_exercises())
    print(f"similarity over {args.students} submissions (copies of the sample class, so many alike): "
          f"{time.perf_counter() - start:.2f} s, {len(matches)} pairs")
    start = time.perf_counter()
    page = build_report(ReportInputs(records, similarity=tuple(matches)))
    print(f"report with all those pairs (30 side by side): {time.perf_counter() - start:.2f} s, "
          f"{len(page.encode()) / 1024:.0f} KiB")
    start = time.perf_counter()
    written = write_feedback(records, Path(tempfile.mkdtemp()) / "feedback")
    print(f"feedback: {len(written)} files in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
