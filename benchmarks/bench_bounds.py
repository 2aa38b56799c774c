"""Benchmark: the trusted side's work on the sizes of issue 15, each well under a minute.

    python benchmarks/bench_bounds.py [--files 100] [--file-mb 1]

Times, in the grader's own process: reading a folder of --files files of --file-mb MB that
define none of the exercises (it took 56 s for 100 files of 1 MB), hashing a folder holding a
1.5 GB (sparse) data file and a 20 MB one (the dispatcher was 1.57 GB resident), comparing
two copies of a 271 kB chain of helper functions (97 s), and reading a notebook of 100,000
empty cells (refused: more than MAX_NOTEBOOK_CELLS) and one of MAX_NOTEBOOK_CELLS cells.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.bounds import MAX_NOTEBOOK_CELLS  # noqa: E402
from grader.course import load_exercises  # noqa: E402
from grader.gradebook import content_hash  # noqa: E402
from grader.reports.similarity import api_names, find_similar  # noqa: E402
from grader.submission import read_submission  # noqa: E402


def timed(label: str, work, memory: bool = False) -> object:
    """Run ``work``, print its time (and with ``memory`` the peak it allocated, traced apart)."""
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = ""
    if memory:
        tracemalloc.start()
        work()
        peak = f"  peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB allocated"
        tracemalloc.stop()
    print(f"{label:<60} {seconds:7.2f} s{peak}")
    return result


def notebook(path: Path, cells: int) -> Path:
    cell = {"cell_type": "code", "source": "", "metadata": {}, "outputs": [], "execution_count": None}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                                "cells": [{**cell, "source": "x = 1"}] + [cell] * (cells - 1)}))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--file-mb", type=float, default=1.0)
    args = parser.parse_args()
    exercises = load_exercises()
    work = Path(tempfile.mkdtemp(prefix="bench-bounds-"))

    folder = work / "folder"
    folder.mkdir()
    line = "value_%d = some_function(argument, other_argument) + 12345\n"
    text = "".join(line % i for i in range(int(args.file_mb * 2**20) // 64))   # just under the size
    for i in range(args.files):
        (folder / f"f{i:04d}.py").write_text(text)
    timed(f"read a folder of {args.files} files of {len(text) / 2**20:.2f} MB, 26 exercises",
          lambda: read_submission(folder, exercises), memory=True)

    data = work / "data"
    data.mkdir()
    (data / "a.py").write_text("x = 1\n")
    with (data / "big.csv").open("wb") as f:
        f.truncate(int(1.5 * 2**30))
    with (data / "twenty.bin").open("wb") as f:
        f.truncate(20 * 2**20 - 1)
    timed("hash a folder with a 1.5 GB and a 20 MB file", lambda: content_hash(data), memory=True)

    api_names()
    chain = ["def calc_preds(c, i):\n    return h0(c)\n"] + [f"def h{i}(x):\n    return h{i + 1}(x)\n"
                                                            for i in range(8000)] + ["def h8000(x):\n    return x\n"]
    for name in ("a.py", "b.py"):
        (work / name).write_text("".join(chain))
    timed(f"similarity of two {len(''.join(chain)) / 1024:.0f} kB chains of helpers",
          lambda: find_similar(ROOT, [work / "a.py", work / "b.py"], exercises))

    timed("read a notebook of 100,000 empty cells (refused)",
          lambda: read_submission(notebook(work / "many.ipynb", 100_000), exercises))
    timed(f"read a notebook of {MAX_NOTEBOOK_CELLS:,} cells",
          lambda: read_submission(notebook(work / "cap.ipynb", MAX_NOTEBOOK_CELLS), exercises))


if __name__ == "__main__":
    main()
