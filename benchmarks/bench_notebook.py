"""Benchmark: checking from inside a notebook (``grader.notebook``) in a real Jupyter kernel.

    python benchmarks/bench_notebook.py [--runs 2] [--checks 6] [--released]

Prints, as medians (and the range) over ``--runs`` fresh kernels:

- bare import: ``python -c "import torch, pandas, numpy"``, a new process each time (the yardstick);
- kernel ready: ``import torch`` and a calc_preds cell run in the kernel (not the grader's time);
- first check: ``grader.check("calc_preds")`` the first time in a kernel (``import grader.notebook``
  included): it starts the sandbox (its zygote imports torch) and the grader (pytest, the checks);
- later checks: each of ``--checks`` more ``grader.check("calc_preds")`` calls, alternating a wrong
  and a right calc_preds (the kernel's cells are graded again each time, in a fresh child).

The course is this checkout (``PYTHONPATH``), or with ``--released`` a copy made by ``grader release``
(as a student has it: the references recorded). Times are measured inside the kernel.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

WRONG = "def calc_preds(coeffs, indeps):\n    return torch.sigmoid(indeps @ coeffs).squeeze()\n"
RIGHT = "def calc_preds(coeffs, indeps):\n    return torch.sigmoid(indeps @ coeffs)\n"
TIMED = ("import time as _t\n_s = _t.perf_counter()\nimport grader.notebook as grader\n"
         "_r = grader.check(\"calc_preds\")\nprint(json.dumps([_t.perf_counter() - _s, _r.points]))")


def bare_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch, pandas, numpy"], check=True)
    return time.perf_counter() - started


def one_kernel(course: Path, checks: int, work: Path) -> dict:
    cells = ["import json, time\n_k = time.perf_counter()\nimport torch", WRONG,
             "print(json.dumps(time.perf_counter() - _k))", TIMED]
    for i in range(checks):
        cells += [RIGHT if i % 2 == 0 else WRONG, TIMED]
    notebook = new_notebook(cells=[new_code_cell(c) for c in cells])
    env = {k: v for k, v in os.environ.items() if k != "GRADER_COURSE"}
    env["PYTHONPATH"] = str(course)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)

    def printed(cell) -> object:
        return json.loads("".join(o.text for o in cell.outputs if o.output_type == "stream"))

    ready = printed(notebook.cells[2])
    timed = [printed(c) for c in notebook.cells[3::2]]
    points = [p for _, p in timed]
    expected = [4.0] + [5.0 if i % 2 == 0 else 4.0 for i in range(checks)]
    if points != expected:
        print(f"warning: points {points}, expected {expected}", file=sys.stderr)
    return {"ready": ready, "first": timed[0][0], "later": [t for t, _ in timed[1:]]}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s (range {min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="fresh kernels (and bare imports)")
    parser.add_argument("--checks", type=int, default=6, help="later checks per kernel")
    parser.add_argument("--released", action="store_true", help="check with a released copy of the course")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        course = ROOT
        if args.released:
            from grader.release.build import release_course

            course = Path(tmp) / "dl-course"
            release_course(ROOT, course)
        bare = [bare_import() for _ in range(args.runs)]
        kernels = [one_kernel(course, args.checks, Path(tmp)) for _ in range(args.runs)]
    first = [k["first"] for k in kernels]
    later = [t for k in kernels for t in k["later"]]
    print(f"course: {'a released copy' if args.released else 'this checkout'}; {args.runs} kernels, "
          f"{args.checks} later checks each")
    print(f"bare import torch, pandas, numpy (new process): {spread(bare)}")
    print(f"kernel: import torch and define calc_preds:     {spread([k['ready'] for k in kernels])}")
    print(f"first grader.check('calc_preds'):              {spread(first)}  "
          f"= {statistics.median(first) / statistics.median(bare):.2f}x the bare import")
    print(f"later grader.check('calc_preds'):              {spread(later)}")


if __name__ == "__main__":
    main()
