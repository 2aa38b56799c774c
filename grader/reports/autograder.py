"""`grader autograder`: the bundle Gradescope runs, and what it runs (``python -m grader.reports.autograder``).

Gradescope's programming assignments run an instructor's zip (its "Autograder Specifications"):
``setup.sh`` at the zip's root installs what grading needs once, when the image is built, and
``run_autograder`` grades ``/autograder/submission`` into ``/autograder/results/results.json``,
with ``/autograder/submission_metadata.json`` telling who submitted, when, and the due dates.

The bundle is the instructor's grader: the course package with every check (hidden ones too),
the reference solutions and the stubs, plus ``autograder.json`` (the assignment's exercises, the
batch seed, the late penalty and the limits chosen at bundle time). ``setup.sh`` installs Python,
the CPU build of torch and the course; ``run_autograder`` runs ``run()`` below, which:

- lays the submission out as the course expects (``week5/calc_preds.py``, or the file alone at
  the top, or inside ``exercises/``; or one notebook) under a folder named after the Gradescope
  user ids (else the submission id): the grader draws each student's hidden inputs from the batch
  seed and that name, so resubmitting meets the same inputs and another student other ones;
- grades it with the assignment's public and hidden checks, exactly as ``grader grade`` does with
  the same seed and name;
- writes results.json: every check as a test (hidden checks ``"visibility": "after_published"``),
  a top-level ``output`` about the public checks only (never the total or the hidden points), the
  late penalty from the metadata's ``created_at`` and ``assignment.due_date``, and, when the
  submission has hidden checks, a top-level ``"visibility": "after_published"`` (see the README).

Nothing here runs the submission: the grader's sandbox does, as for ``grader grade``.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader import bounds
from grader.course import Exercise, load_exercises
from grader.safetext import clean

TORCH_PIN = "torch==2.13.0"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
CONFIG = "autograder.json"
BUNDLED = ("grader", "solutions", "exercises", "pyproject.toml", "README.md")
SKIPPED_PARTS = {"__pycache__", ".grader", ".pytest_cache"}
ZIP_TIME = (2020, 1, 1, 0, 0, 0)     # every entry's time: the same course gives the same bytes
OUTPUT_LIMIT = 8000                  # characters of the top-level output

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# It installs Python 3.11 or newer, the CPU build of torch and the course (from this folder).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
if [ "${{GRADER_SETUP_OFFLINE:-}}" = "1" ]; then
    # For testing the bundle without a network: nothing is installed; the interpreter in
    # GRADER_SETUP_PYTHON, which must already have the course's dependencies, runs the grader.
    PYTHON="${{GRADER_SETUP_PYTHON:?GRADER_SETUP_OFFLINE=1 needs GRADER_SETUP_PYTHON}}"
else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q python3 python3-venv python3-pip libseccomp2
    PY=python3
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        apt-get install -y -q python3.11 python3.11-venv
        PY=python3.11
    fi
    "$PY" -m venv "$ROOT/venv"
    PYTHON="$ROOT/venv/bin/python"
    "$PYTHON" -m pip install -q --upgrade pip
    "$PYTHON" -m pip install -q {TORCH_PIN} --index-url {TORCH_INDEX}
    "$PYTHON" -m pip install -q "$SOURCE"
fi
printf '%s\\n' "$PYTHON" > "$ROOT/.grader-python"
(cd "$SOURCE" && PYTHONPATH="$SOURCE" "$PYTHON" -c 'import grader, torch, pandas, numpy') 2>/dev/null || {{
    echo "setup.sh: $PYTHON cannot import the grader's libraries" >&2; exit 1; }}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission into
# /autograder/results/results.json (AUTOGRADER_ROOT replaces /autograder, for tests).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="$(cat "$ROOT/.grader-python" 2>/dev/null || echo python3)"
cd "$SOURCE" || exit 1
GRADER_COURSE="$SOURCE" PYTHONPATH="$SOURCE" exec "$PYTHON" -m grader.reports.autograder --root "$ROOT"
"""


class AutograderError(Exception):
    """The bundle cannot be made, or the autograder cannot run; the message says what to do."""


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    files: int
    bytes: int
    exercises: tuple[str, ...]
    seed: int


# ----------------------------------------------------------------------------- the bundle


def assignment_exercises(assignment: str, exercises: list[Exercise] | None = None) -> list[Exercise]:
    """The exercises of ``assignment``: the course's ``[[assignment]]`` tables where the course has
    them, else the exercises under the folder of that name (``week5`` -> ``week5/*.py``);
    ``default`` is every exercise. An unknown assignment is an ``AutograderError``."""
    try:
        from grader.course import assignment_exercises as listed  # type: ignore[attr-defined]
    except ImportError:
        listed = None
    if listed is not None:
        from grader.course import CourseError

        try:
            return listed(assignment)
        except CourseError as exc:
            raise AutograderError(str(exc)) from None
    exercises = exercises if exercises is not None else load_exercises()
    if assignment == "default":
        return exercises
    chosen = [e for e in exercises if Path(e.path).parts[0] == assignment]
    if not chosen:
        folders = sorted({Path(e.path).parts[0] for e in exercises})
        raise AutograderError(f"unknown assignment {assignment!r}: give one of {', '.join(folders)} "
                              "(a folder of exercises/) or default (the whole course)")
    return chosen


def _course_files(course: Path) -> list[tuple[str, Path]]:
    files = []
    for name in BUNDLED:
        path = course / name
        if path.is_file():
            files.append((name, path))
        elif path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(course)
                if found.is_file() and not found.is_symlink() and not SKIPPED_PARTS & set(relative.parts) \
                        and found.suffix not in (".pyc", ".db"):
                    files.append((relative.as_posix(), found))
        elif name in ("grader", "solutions", "exercises"):
            raise AutograderError(f"{course} has no {name}/ folder: make the bundle in the instructor's course")
    return files


def build_bundle(course: Path, out: Path, assignment: str, *, late_penalty: float = 0.0, seed: int | None = None,
                 timeout: float = 2.0, cpu_time: float = 0.5, isolation: str = "auto") -> BundleSummary:
    """Write the zip Gradescope runs to ``out``: setup.sh and run_autograder at its root, the
    course (package, checks, solutions, stubs) and autograder.json."""
    import secrets

    course = Path(course)
    exercises = assignment_exercises(assignment)
    if not 0 <= late_penalty <= 100:
        raise AutograderError(f"--late-penalty {late_penalty} is not a percentage: give 0 to 100 (per day late)")
    seed = seed if seed is not None else secrets.randbits(32)
    config = {"assignment": assignment, "exercises": [e.id for e in exercises], "seed": seed,
              "late_penalty_per_day": late_penalty, "timeout": timeout, "cpu_time": cpu_time, "isolation": isolation}
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
        (CONFIG, (json.dumps(config, indent=2) + "\n").encode(), 0o644),
    ]
    entries += [(name, path.read_bytes(), 0o644) for name, path in _course_files(course)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise AutograderError(f"cannot write {out}: {exc.strerror}; choose another --out file") from None
    return BundleSummary(out, len(entries), len(buffer.getvalue()), tuple(e.id for e in exercises), seed)


# ------------------------------------------------------------------- grading one submission


def student_name(metadata: dict) -> str:
    """The name the submission is graded under (and its hidden inputs drawn with): the Gradescope
    user ids (a group's, sorted), else the submission id."""
    users = metadata.get("users") or []
    ids = sorted(str(u.get("id")) for u in users if isinstance(u, dict) and u.get("id") not in (None, ""))
    if ids:
        return clean("gs-" + "-".join(ids), 200, lines=False).replace("/", "_")
    if metadata.get("id") not in (None, ""):
        return clean(f"gs-submission-{metadata['id']}", 200, lines=False).replace("/", "_")
    return "gs-submission"


def lay_out(submission: Path, exercises: list[Exercise], dest: Path, name: str) -> tuple[Path, list[str]]:
    """Copy the submission's files for ``exercises`` into ``dest/name`` as the course lays them out
    (``week5/calc_preds.py``) from where students put them: at that path, under ``exercises/``, or
    alone at the top. A single notebook is graded as it is. Returns the path to grade and the
    problems found (one line each). Symbolic links and files over the cap are not copied."""
    problems: list[str] = []
    notebooks: list[Path] = []
    if submission.is_dir():      # at the top or one folder down, looking at a bounded number of entries
        entries = itertools.islice(itertools.chain(submission.glob("*.ipynb"), submission.glob("*/*.ipynb")),
                                   bounds.MAX_FOLDER_ENTRIES)
        notebooks = sorted(p for p in entries if ".ipynb_checkpoints" not in p.parts)[:2]
    wanted = {e.path for e in exercises}
    found: dict[str, Path] = {}
    for path in sorted(wanted):
        for candidate in (submission / path, submission / "exercises" / path, submission / Path(path).name):
            if candidate.is_symlink():
                problems.append(f"{Path(path).name} is a symbolic link: upload the file itself")
                break
            if candidate.is_file():
                if candidate.stat().st_size > bounds.MAX_SOURCE_BYTES:
                    problems.append(f"{Path(path).name} is larger than {bounds.MAX_SOURCE_BYTES // bounds.MB} MB: "
                                    "upload your code only")
                else:
                    found[path] = candidate
                break
    if not found and len(notebooks) == 1 and not notebooks[0].is_symlink() \
            and notebooks[0].stat().st_size <= bounds.MAX_NOTEBOOK_BYTES:
        target = dest / f"{name}.ipynb"
        shutil.copyfile(notebooks[0], target)
        return target, problems
    folder = dest / name
    folder.mkdir(parents=True)
    for path, source in found.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / path)
    return folder, problems   # a missing file is the grader's own problem note, per exercise


def _time(text: object) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def late_penalty(metadata: dict, per_day: float) -> tuple[float, str]:
    """The share of the score lost (0-1) and a line saying why ("" when on time): whole days after
    ``assignment.due_date``, counted up, ``per_day`` percent each, at most all of it."""
    assignment = metadata.get("assignment") or {}
    submitted, due = _time(metadata.get("created_at")), _time(assignment.get("due_date"))
    if submitted is None or due is None or submitted <= due:
        return 0.0, ""
    days = math.ceil((submitted - due).total_seconds() / 86400)
    percent = min(100.0, days * per_day)
    late_due = _time(assignment.get("late_due_date"))
    after = " and after the late due date" if late_due is not None and submitted > late_due else ""
    line = (f"Submitted {days} day{'s' if days != 1 else ''} after the due date{after}: "
            + (f"{percent:g}% off the score ({per_day:g}% a day late)." if per_day else "no late penalty is set."))
    return percent / 100, line


def summary(results: dict, exercises: list[Exercise], problems: list[str], late: str) -> str:
    """The top-level output students see: the public checks per exercise, never the total, the
    hidden checks' points or their results (Markdown)."""
    lines = ["**Public checks** (the hidden checks ran too: their results come when grades are published)", ""]
    passed = total = points = maximum = 0.0
    for exercise in exercises:
        public = [t for t in results["tests"] if t["tags"][0] == exercise.id and t["visibility"] == "visible"]
        got = sum(t["score"] for t in public)
        most = sum(t["max_score"] for t in public)
        ok = sum(t["status"] == "passed" for t in public)
        passed, total, points, maximum = passed + ok, total + len(public), points + got, maximum + most
        lines.append(f"- `{exercise.id}`: {ok} of {len(public)} public checks passed, {got:g}/{most:g} public points")
    lines += ["", f"Public checks: {passed:g} of {total:g} passed, {points:g}/{maximum:g} public points."]
    notes = list(problems) + [f"`{e}`: {clean(reason, 300, lines=False)}"
                              for e, reason in results.get("extra_data", {}).get("problems", {}).items()
                              if not any(reason in p for p in problems)]
    if notes:
        lines += ["", "**Problems**", "", *(f"- {clean(n, 300, lines=False)}" for n in notes[:30])]
    if late:
        lines += ["", late]
    return clean("\n".join(lines), OUTPUT_LIMIT)


def gradescope_results(results: dict, exercises: list[Exercise], problems: list[str], metadata: dict,
                       per_day: float, isolation: str) -> dict:
    """results.json for Gradescope from the grader's results of the submission."""
    share, late = late_penalty(metadata, per_day)
    hidden = any(t["visibility"] != "visible" for t in results["tests"])
    total = sum(t["score"] for t in results["tests"])
    return {
        "score": round(total * (1 - share), 4),
        "execution_time": results.get("execution_time", 0.0),
        "output": summary(results, exercises, problems, late),
        "output_format": "md",
        # Gradescope keeps the total from students while any test is hidden; this says so twice.
        "visibility": "after_published" if hidden else "visible",
        "stdout_visibility": "hidden",
        "tests": [{k: t[k] for k in ("name", "score", "max_score", "status", "output", "visibility", "tags")}
                  for t in results["tests"]],
        "extra_data": {**results.get("extra_data", {}), "late_share": share, "unpenalised_score": round(total, 4),
                       "isolation": isolation},
    }


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AutograderError(f"cannot read {what} {path}: {exc}") from None
    if not isinstance(data, dict):
        raise AutograderError(f"{what} {path} is not a JSON object")
    return data


def run(root: Path) -> dict:
    """Grade ``root/submission`` as Gradescope asks and write ``root/results/results.json``."""
    from grader.grading import GradeOptions, Grader, GradingError
    from grader.sandbox.host import SandboxUnavailable

    source = root / "source"
    config = _read_json(source / CONFIG, "the bundle's settings")
    metadata = _read_json(root / "submission_metadata.json", "Gradescope's metadata") \
        if (root / "submission_metadata.json").is_file() else {}
    known = {e.id: e for e in load_exercises()}
    exercises = [known[i] for i in config["exercises"] if i in known]
    name = student_name(metadata)
    with tempfile.TemporaryDirectory(prefix="grader-autograder-") as scratch:
        target, problems = lay_out(root / "submission", exercises, Path(scratch), name)
        levels = ["full", "weak"] if config.get("isolation", "auto") in ("auto", "best") else [config["isolation"]]
        for level in levels:
            options = GradeOptions(hidden=True, timeout=float(config.get("timeout", 2.0)),
                                   cpu_time=float(config.get("cpu_time", 0.5)), seed=int(config["seed"]),
                                   exercises=tuple(e.id for e in exercises), isolation=level)
            try:
                with Grader(source, options) as grader:
                    results = grader.grade(target)
                    isolation = grader.sandbox.level
                break
            except (GradingError, SandboxUnavailable) as exc:
                if level == levels[-1]:
                    raise AutograderError(f"grading could not run: {exc}") from None
                print(f"full isolation is unavailable here ({exc}); grading with --isolation weak", flush=True)
    out = gradescope_results(results, exercises, problems, metadata, float(config.get("late_penalty_per_day", 0)),
                             isolation)
    (root / "results").mkdir(parents=True, exist_ok=True)
    partial = root / "results" / "results.json.partial"
    partial.write_text(json.dumps(out, indent=2), encoding="utf-8")
    os.replace(partial, root / "results" / "results.json")
    return out


def main(argv: list[str] | None = None) -> int:
    """``run_autograder``'s entry point: ``--root`` (default $AUTOGRADER_ROOT, else /autograder)."""
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    if args[:1] == ["--root"] and len(args) == 2:
        root = Path(args[1])
    elif args:
        print("usage: python -m grader.reports.autograder [--root /autograder]", file=sys.stderr)
        return 2
    try:
        out = run(root)
    except AutograderError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 1
    except (OSError, KeyError, ValueError, TypeError) as exc:   # a damaged bundle or root: one line
        print(f"autograder: cannot grade ({type(exc).__name__}: {clean(exc, 300, lines=False)}); check that "
              "the bundle is unpacked whole into source/ and that setup.sh ran", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    print(f"graded {out['extra_data'].get('submission', '?')}: {out['score']:g} points "
          f"({len(out['tests'])} checks, isolation {out['extra_data']['isolation']}) "
          f"by the grader in {Path(__file__).resolve().parents[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
