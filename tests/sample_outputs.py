"""What the commands print and write for the sample class, with timings taken out.

``tests/test_layout.py`` compares this with ``tests/golden/sample_outputs.json`` so that a change
that moves code around cannot change what a user sees. When a change is *meant* to change an
output, write the file anew and review its diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_layout.py -k sample_outputs

The class is graded with a fixed seed and roster into a fresh gradebook; the student's commands
run in a temporary copy of the course (``GRADER_COURSE``) so that nothing is written here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASS = ROOT / "examples" / "class"
ROSTER = ROOT / "examples" / "roster.csv"

#: Timings, dates and the temporary folder differ from run to run; nothing else may.
_VOLATILE = [
    (re.compile(r"\b\d+\.\d+s\b"), "<s>"),
    (re.compile(r'"execution_time": [0-9.]+'), '"execution_time": <s>'),
    (re.compile(r'"(seconds|graded_at|submitted_at|created|time|when)": "?[^",\n]*"?'), r'"\1": <v>'),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d| UTC)?"), "<date>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|seconds|s)\b"), "<t>"),
    (re.compile(r"\b\d+ KiB\b"), "<size>"),
    # A busy loop is stopped by its CPU budget or, on a loaded machine, by the wall clock first.
    (re.compile(r"(used more than <t> of CPU time|ran for more than <t>) without answering"), "<stopped> without answering"),
    (re.compile(r'<td class=n data-sort="[0-9.]+">[0-9.]+</td></tr>'), "<td>time</td></tr>"),
    (re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+"), "data:image/png;base64,<png>"),
]


def normalise(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp), "<tmp>").replace(str(ROOT), "<root>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    return f"rc={done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"


def _without_time_plot(html: str) -> str:
    """The page without the plot of grading times (its bars and its SVG ids change every run)."""
    parts = html.split("</svg>")
    return "</svg>".join(p[:p.rfind("<svg")] + "<svg>time plot" if "plot-time" in p else p for p in parts)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else f"<no file {path.name}>"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sample_outputs(tmp: Path) -> dict[str, str]:
    """Every output, keyed by a name; long ones (results, pages) by their normalised digest."""
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb", "CI": "", "GITHUB_ACTIONS": ""}
    env.pop("GRADER_COURSE", None)
    gradebook, out = tmp / "gradebook.db", tmp / "out"
    outputs: dict[str, str] = {}
    outputs["grade"] = _run(["grade", *sorted(str(p) for p in CLASS.iterdir()), "--seed", "1",
                             "--roster", str(ROSTER), "--gradebook", str(gradebook), "--out", str(out)], ROOT, env)
    for path in sorted(out.glob("*.json")):
        outputs[f"results/{path.name}"] = normalise(path.read_text(encoding="utf-8"), tmp)
    outputs["report"] = _run(["report", "--gradebook", str(gradebook), "--out", str(tmp / "report.html"),
                              *sorted(str(p) for p in CLASS.iterdir())], ROOT, env)
    outputs["report.html"] = _digest(_without_time_plot(
        normalise(_read(tmp / "report.html"), tmp)))
    outputs["feedback"] = _run(["feedback", "--gradebook", str(gradebook), "--out", str(tmp / "feedback")],
                               ROOT, env)
    for path in sorted((tmp / "feedback").glob("*")):
        text = normalise(path.read_text(encoding="utf-8"), tmp)
        outputs[f"feedback/{path.name}"] = text if path.suffix == ".md" else _digest(_without_time_plot(text))
    for fmt, target in (("csv", "grades.csv"), ("canvas", "canvas.csv"), ("moodle", "moodle.csv"),
                        ("gradescope", "gradescope")):
        outputs[f"export {fmt}"] = _run(["export", "--format", fmt, "--gradebook", str(gradebook),
                                         "--out", str(tmp / target)], ROOT, env)
        files = sorted((tmp / target).glob("*")) if (tmp / target).is_dir() else [tmp / target]
        for path in files:
            outputs[f"export {fmt}/{path.name}"] = normalise(_read(path), tmp)
    # The student's side, in a copy of the course: check the stubs, one exercise, a notebook, status.
    course = tmp / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    student_env = {**env, "GRADER_COURSE": str(course)}
    outputs["check"] = _run(["check"], course, student_env)
    outputs["check calc_preds --hint"] = _run(["check", "calc_preds", "--hint"], course, student_env)
    outputs["check carol.ipynb"] = _run(["check", str(CLASS / "carol.ipynb")], course, student_env)
    # A student's check draws no hidden inputs, and its seed is random.
    outputs["check erin.py --json"] = re.sub(r'"seed": \d+', '"seed": <random>',
                                             _run(["check", str(CLASS / "erin.py"), "--json"], course, student_env))
    outputs["status"] = _run(["status"], course, student_env)
    outputs["watch"] = _watch_screens(course)
    return {name: normalise(text, tmp) for name, text in outputs.items()}


def _watch_screens(course: Path) -> str:
    """The screens `grader watch` shows: at start, after a save, the list and a hint."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rich.console import Console\n"
        "from grader.course import load_exercises\n"
        "from grader.grading import GradeOptions, Grader\n"
        "from grader.student.watch import Watch\n"
        "course = Path(sys.argv[1])\n"
        "exercises = load_exercises()\n"
        "console = Console(width=120, color_system=None, force_terminal=False)\n"
        "with Grader(course, GradeOptions(hidden=False)) as grader:\n"
        "    check = lambda ids: grader.grade(course / 'exercises', only=ids)\n"
        "    watch = Watch(course, exercises, check)\n"
        "    for screen in (watch.start(), watch.changed([course / 'exercises' / exercises[0].path]),\n"
        "                   watch.key('l'), watch.key('h')):\n"
        "        console.print(screen)\n"
        "        console.print('=' * 20)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(course)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GRADER_COURSE": str(course)})
    return f"rc={done.returncode}\n{done.stdout}{done.stderr[-2000:]}"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(sample_outputs(Path(folder)), indent=1, sort_keys=True))
