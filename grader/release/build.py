"""``grader release DEST``: the student's copy of the course, ready to push as a repository.

DEST gets the stubs, the quizzes, the grader package with only the public checks (hidden
checks and the generators of their inputs stripped by ``strip.strip_hidden``) and the
recorded expected results of the public checks (``record.record_references``), a student
``pyproject.toml``, README, CI workflow, ``.gitignore``, one notebook per week and, in ``dist/``,
the student course as a wheel (``wheel.build_wheel``) to install offline in a notebook (Kaggle). Never
``solutions/``, the instructor's tests, ``benchmarks/`` or ``examples/``. Everything is written
in a fixed order with fixed contents, so the same course gives the same bytes; ``git=True``
also makes the first commit with a fixed author and date, so its id is the same too.

``assignments`` releases only those assignments' exercises (the weeks published so far): their
stubs, notebooks and checks, and a metadata file listing them alone. Released again with more
weeks into the students' repository (an existing DEST whose history has a release commit), the
new weeks' files are added; a file the student changed since the last release (compared with
that commit) is never overwritten, and one they left as released is brought up to date.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.course import (CHECKS_DIR, METADATA, PACKAGE_DIR, CourseError, Exercise, find_assignment,
                           in_course_order, load_exercises)
from grader.release.notebooks import write_notebooks
from grader.release.record import record_references
from grader.grading.recording import RECORDING, RecordingError
from grader.release.strip import StripError, Stripped, strip_hidden
from grader.release.wheel import build_wheel, wheel_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
SKIP = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".DS_Store"}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "grader release", "GIT_AUTHOR_EMAIL": "release@dl-grader.invalid",
    "GIT_COMMITTER_NAME": "grader release", "GIT_COMMITTER_EMAIL": "release@dl-grader.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}

#: What only the instructor uses: the students' copy of the package goes without it, so that its
#: `grader --help` lists the student's commands alone (grader/cli/__init__.py).
INSTRUCTOR_ONLY = ("cli/instructor", "release", "reports")

#: The torch students install: the CPU build, from PyTorch's own CPU wheel index (PyPI's Linux
#: wheel is the CUDA build, several GB). The README, pyproject.toml and the CI workflow say so.
TORCH = "torch==2.13.0"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_INSTALL = f"pip install {TORCH} --index-url {CPU_INDEX}"

#: A check that joins a path with the checks' "data" folder (`Path(__file__).parent / "data"`).
DATA_FOLDER = re.compile(r"/\s*[\"']data[\"']")


class ReleaseError(Exception):
    """The course cannot be released as it is, or DEST cannot be written; the message says why."""


@dataclass(frozen=True)
class ReleaseOptions:
    git: bool = False               # also `git init` and make the first commit
    quiz_keys: bool = True          # False: strip answers, feedback and rubrics from the quizzes
    isolation: str = "full"         # the sandbox used while recording the references' answers
    assignments: tuple[str, ...] = ()   # only these assignments' exercises (all when empty)


@dataclass(frozen=True)
class ReleaseSummary:
    dest: Path
    files: int
    bytes: int
    seconds: float
    commit: str | None              # the first commit's id with ``git``
    wheel: Path | None = None       # dist/<name>-<version>-py3-none-any.whl, for notebooks (Kaggle, Colab)
    added: tuple[str, ...] = ()     # a release into an earlier one: the files it added,
    updated: tuple[str, ...] = ()   # the files it brought up to date (unchanged by the student),
    kept: tuple[str, ...] = ()      # and the files the student changed, left as they are


def release_course(course: Path, dest: Path, options: ReleaseOptions = ReleaseOptions()) -> ReleaseSummary:
    """Write the student's copy of ``course`` to ``dest`` (new or empty).

    Example:
        release_course(find_root(), Path("../dl-course"), ReleaseOptions(git=True))
    """
    started = time.monotonic()
    course, dest = Path(course).resolve(), Path(dest).absolute()
    exercises = released_exercises(options.assignments)
    previous = _previous_release(dest)
    if previous is None:
        _check_target(course, dest)
    if not (course / "solutions").is_dir():
        raise ReleaseError(f"{course} has no solutions/ folder: a release is made from the instructor's course "
                           "(it records the references' answers to the public checks)")
    stripped = {}
    for exercise in exercises:
        try:
            stripped[exercise.id] = strip_hidden(exercise.checks.read_text(encoding="utf-8"), str(exercise.checks))
        except (OSError, SyntaxError, StripError) as exc:
            raise ReleaseError(f"cannot strip the hidden checks of {exercise.checks.name}: {exc}") from None
    try:
        recording = record_references(course, exercises, options.isolation).to_bytes()
    except RecordingError as exc:
        raise ReleaseError(f"cannot record the expected results: {exc}") from None
    partial = dest.parent / f".{dest.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    if previous is not None:
        try:
            _write_tree(course, partial, exercises, stripped, recording, options)
            added, updated, kept = _merge_into(partial, dest, previous)
        except OSError as exc:
            raise ReleaseError(f"cannot write {dest}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        tracked = [p for p in (*added, *updated) if not p.startswith("dist/")]  # dist/ is git-ignored
        commit = _git_commit(dest, tracked, options.assignments) if options.git and tracked else None
        files = [p for p in dest.rglob("*") if p.is_file() and ".git" not in p.relative_to(dest).parts]
        wheels = sorted((dest / "dist").glob("*.whl"))
        return ReleaseSummary(dest, len(files), sum(p.stat().st_size for p in files), time.monotonic() - started,
                              commit, wheels[0] if wheels else None, added=tuple(added), updated=tuple(updated),
                              kept=tuple(kept))
    try:
        _write_tree(course, partial, exercises, stripped, recording, options)
        if dest.exists():
            dest.rmdir()  # empty: _check_target said so
        partial.rename(dest)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise ReleaseError(f"cannot write {dest}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    commit = _git_commit(dest) if options.git else None
    files = [p for p in dest.rglob("*") if p.is_file() and ".git" not in p.relative_to(dest).parts]
    wheels = sorted((dest / "dist").glob("*.whl"))
    return ReleaseSummary(dest, len(files), sum(p.stat().st_size for p in files),
                          time.monotonic() - started, commit, wheels[0] if wheels else None)


def released_exercises(assignments: tuple[str, ...]) -> list[Exercise]:
    """The exercises of ``assignments`` in the course's order (every exercise when empty)."""
    exercises = load_exercises()
    if not assignments:
        return exercises
    chosen: set[str] = set()
    for assignment in assignments:
        try:
            found = find_assignment(assignment)
        except CourseError as exc:
            raise ReleaseError(str(exc)) from None
        chosen |= set(found.exercises) if found else {e.id for e in exercises}
    return [e for e in exercises if e.id in chosen]


def _previous_release(dest: Path) -> str | None:
    """The latest release commit in DEST's history when DEST is a git repository made by release, else None."""
    if not (dest / ".git").exists():
        return None
    done = _git(dest, ["log", "-1", "--topo-order", "--format=%H", f"--author={GIT_IDENTITY['GIT_AUTHOR_EMAIL']}"],
                check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout.strip()


def _git(dest: Path, args: list[str], *, check: bool = True, text: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    try:
        done = subprocess.run(["git", "-c", "safe.directory=*", *args], cwd=dest, env=env, capture_output=True,
                              text=text, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReleaseError(f"`git {' '.join(args)}` could not run in {dest} ({exc}); is git installed?") from None
    if check and done.returncode != 0:
        err = done.stderr if text else done.stderr.decode("utf-8", "replace")
        raise ReleaseError(f"`git {' '.join(args)}` failed in {dest}: {err.strip()[:300]}")
    return done


def _merge_into(new: Path, dest: Path, previous: str) -> tuple[list[str], list[str], list[str]]:
    """Bring DEST up to the release in ``new``: add what is missing, update what the student left as the
    last release commit that wrote it had it, keep what they changed. Returns (added, updated, kept) paths."""
    added, updated, kept = [], [], []
    author = f"--author={GIT_IDENTITY['GIT_AUTHOR_EMAIL']}"
    for source in _files(new):
        relative = source.relative_to(new).as_posix()
        target = dest / relative
        content = source.read_bytes()
        if not target.exists() and not target.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            added.append(relative)
            continue
        if target.is_symlink() or not target.is_file():
            kept.append(relative)
            continue
        theirs = target.read_bytes()
        if theirs == content:
            continue
        if relative.startswith("dist/"):  # the course's wheel: made by each release, never the student's work
            target.write_bytes(content)
            updated.append(relative)
            continue
        # What release last wrote at this path: the latest release commit that changed it.
        wrote = _git(dest, ["log", "-1", "--topo-order", "--format=%H", author, previous, "--", relative]).stdout.strip()
        before = _git(dest, ["show", f"{wrote}:{relative}"], text=False, check=False) if wrote else None
        if before is not None and before.returncode == 0 and theirs == before.stdout:
            target.write_bytes(content)
            updated.append(relative)
        else:
            kept.append(relative)
    return added, updated, kept


def _check_target(course: Path, dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ReleaseError(f"{dest} already exists and is not an empty folder; choose a new folder (or the "
                           "students' repository made by grader release --git, to add weeks to it)")
    if dest.resolve() == course or course in dest.resolve().parents:
        raise ReleaseError(f"{dest} is inside the course folder; release to a folder outside it")
    if not dest.parent.is_dir():
        raise ReleaseError(f"{dest.parent} does not exist; create it first")


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder``, sorted, without caches."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not SKIP & set(p.relative_to(folder).parts)
                  and p.suffix != ".pyc")


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _write_tree(course: Path, out: Path, exercises: list[Exercise], stripped: dict[str, Stripped],
                recording: bytes, options: ReleaseOptions) -> None:
    out.mkdir()
    stubs = {}
    paths = {e.path for e in exercises}
    for path in _files(course / "exercises"):
        relative = path.relative_to(course / "exercises")
        if relative.suffix == ".py" and relative.as_posix() not in paths:
            continue  # an exercise not released yet
        _copy(path, out / "exercises" / relative)
    for exercise in exercises:
        stubs[exercise.id] = (course / "exercises" / exercise.path).read_text(encoding="utf-8")
    _write_quizzes(course / "quizzes", out / "quizzes", options.quiz_keys)
    _write_package(out / "grader", exercises, stripped, recording)
    write_notebooks(out / "notebooks", exercises, stubs)
    _write(out / "pyproject.toml", _pyproject(course))
    _write(out / "README.md", _readme(course, exercises, stripped, options))
    _write(out / ".github" / "workflows" / "check.yml", _workflow())
    _copy(TEMPLATES / "gitignore", out / ".gitignore")
    build_wheel(out, out / "dist")   # after the package and pyproject: the wheel is made of them


def _write_quizzes(source: Path, target: Path, keys: bool) -> None:
    from grader.quiz.withhold import withhold_keys

    for path in _files(source):
        text = path.read_text(encoding="utf-8")
        if not keys and path.suffix == ".md" and not path.stem.isupper():
            text = withhold_keys(text, str(path))
        _write(target / path.relative_to(source), text)


def _write_package(target: Path, exercises: list[Exercise], stripped: dict[str, Stripped],
                   recording: bytes) -> None:
    """The grader package: the checks stripped, the recording, and everything else as it is but
    what only the instructor uses (``INSTRUCTOR_ONLY``)."""
    checks = CHECKS_DIR.relative_to(PACKAGE_DIR)
    for path in _files(PACKAGE_DIR):
        relative = path.relative_to(PACKAGE_DIR)
        if relative.parts[0] == checks.parts[0] and relative.name not in ("pytest.ini",):
            continue
        if any(relative.as_posix() == part or relative.as_posix().startswith(part + "/") for part in INSTRUCTOR_ONLY):
            continue
        if path == METADATA:
            _write(target / relative, released_metadata(path.read_text(encoding="utf-8"), exercises))
            continue
        _copy(path, target / relative)
    for exercise in exercises:
        _write(target / checks / exercise.checks.name, stripped[exercise.id].source)
    # Data files only when a public check still refers to them (hidden inputs' data stays home).
    if any(DATA_FOLDER.search(s.source) for s in stripped.values()):
        for path in _files(CHECKS_DIR / "data"):
            _copy(path, target / checks / "data" / path.relative_to(CHECKS_DIR / "data"))
    (target / RECORDING.relative_to(PACKAGE_DIR)).write_bytes(recording)


def released_metadata(text: str, exercises: list[Exercise]) -> str:
    """``grader/exercises.toml`` with only the released exercises and the assignments all of whose exercises
    are released (the whole text when every exercise is)."""
    ids = {e.id for e in exercises}
    if ids == {e.id for e in load_exercises()}:
        return text
    chunks = re.split(r"(?m)^(?=\[\[)", text)
    kept = [chunks[0]]
    for chunk in chunks[1:]:
        table = tomllib.loads(chunk)
        if "exercise" in table and table["exercise"][0]["id"] in ids:
            kept.append(chunk)
        elif "assignment" in table and set(table["assignment"][0]["exercises"]) <= ids:
            kept.append(chunk)
    return "".join(kept)


def _pyproject(course: Path) -> str:
    project = tomllib.loads((course / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = []
    for dependency in project["dependencies"]:
        if dependency.startswith("torch"):
            lines.append(f"    # Install the CPU build first: {TORCH_INSTALL} (see README).")
        lines.append(f'    "{dependency}",')
    return (TEMPLATES / "pyproject.toml").read_text(encoding="utf-8").format(
        version=project["version"], requires_python=project["requires-python"], dependencies="\n".join(lines))


def _workflow() -> str:
    """The CI workflow: torch's CPU build from PyTorch's index, then the course, then the checks."""
    text = (TEMPLATES / "check.yml").read_text(encoding="utf-8")
    return text.replace("{torch}", TORCH).replace("{cpu_index}", CPU_INDEX)


def _readme(course: Path, exercises: list[Exercise], stripped: dict[str, Stripped], options: ReleaseOptions) -> str:
    from grader.release.notebooks import week_of

    rows = "\n".join(f"| `{e.id}` | `exercises/{e.path}` | `notebooks/{week_of(e)}.ipynb` | "
                     f"{e.points:g} | {stripped[e.id].points:g} |" for e in in_course_order(exercises))
    if options.quiz_keys:
        quiz_note = ("The quizzes are self-checks: after each answer you see whether it is right and why, "
                     "and `grader quiz score QUIZ ANSWERS.json` scores an answers file.")
    else:
        quiz_note = ("Your instructor scores the quizzes: `grader quiz take` records your answers in "
                     "`.grader/answers/QUIZ.json` (it says where when you finish); hand in that file.")
    project = tomllib.loads((course / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return (TEMPLATES / "README.md").read_text(encoding="utf-8").format(
        title="Deep learning course: exercises and quizzes", exercise_table=rows, quiz_note=quiz_note,
        commit=_course_commit(course), wheel=wheel_name(project), distribution=project["name"], torch=TORCH,
        cpu_index=CPU_INDEX)


def _course_commit(course: Path) -> str:
    try:
        done = subprocess.run(["git", "-C", str(course), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "(unknown)"
    return f"`{done.stdout.strip()}`" if done.returncode == 0 else "(unknown)"


def _git_commit(dest: Path, paths: list[str] | None = None, assignments: tuple[str, ...] = ()) -> str:
    """``git init`` and the first commit, with a fixed author and date: the same id every time. With
    ``paths`` (a release into an earlier one), a commit of those paths alone on top of the student's work."""
    env = {**os.environ, **GIT_IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    if paths is not None:
        message = "Released " + (", ".join(assignments) if assignments else "the course")
        steps = [["git", "add", "--", *paths],
                 ["git", "-c", "commit.gpgsign=false", "-c", f"core.hooksPath={os.devnull}", "commit", "-q",
                  "--no-verify", "-m", message, "--only", "--", *paths],
                 ["git", "rev-parse", "HEAD"]]
    else:
        steps = [["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                 ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "The course, as released"],
                 ["git", "rev-parse", "HEAD"]]
    out = ""
    for step in steps:
        try:
            done = subprocess.run(step, cwd=dest, env=env, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReleaseError(f"`{' '.join(step)}` could not run in {dest} ({exc}); is git installed?") from None
        if done.returncode != 0:
            raise ReleaseError(f"`{' '.join(step)}` failed in {dest}: {done.stderr.strip()[:300]}")
        out = done.stdout.strip()
    return out
