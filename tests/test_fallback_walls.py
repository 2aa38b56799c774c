"""Where a wall is missing (GitHub's ubuntu-24.04 runners, Docker, Kaggle and Colab deny Linux
namespaces or seccomp; macOS has neither): the student's commands run with the walls the
machine allows and say so in one line; the instructor's `grade` refuses in one line.

The machine is made to deny a wall by running the command under ``tests/deny_walls.py``,
which loads a seccomp filter into itself and execs the command (the tests skip only where
that wrapper cannot load its filter).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.cli.common import isolation_policy
from grader.grading import GradeOptions

COURSE = Path(__file__).resolve().parents[1]
WRAPPER = Path(__file__).with_name("deny_walls.py")
NOT_LOADED = 125
NAMESPACES_REFUSAL = ("Error: the sandbox cannot isolate submissions on this machine (Linux namespaces are "
                      "unavailable): run as root, enable unprivileged user namespaces, or pass --isolation weak "
                      "to accept weaker walls")
SECCOMP_REFUSAL = ("Error: the sandbox cannot filter submissions' system calls on this machine (seccomp is "
                   "denied): install libseccomp2 and allow seccomp, or pass --isolation weak to accept weaker walls")


@functools.cache
def wrapper_works(wall: str) -> str | None:
    """None when ``deny_walls.py WALL`` loads its filter here, else why not."""
    done = subprocess.run([sys.executable, str(WRAPPER), wall, "true"], capture_output=True, text=True, timeout=60)
    return None if done.returncode == 0 else (done.stderr.strip() or f"exit status {done.returncode}")


def grader(wall: str | None, *args: str, course: Path) -> subprocess.CompletedProcess:
    """`grader ARGS...` in a fresh process, on a machine that denies ``wall`` (None: denies nothing)."""
    if wall is not None and (reason := wrapper_works(wall)):
        pytest.skip(f"the wrapper cannot deny {wall} here: {reason}")
    env = dict(os.environ, GRADER_COURSE=str(course), COLUMNS="200", PYTHONPATH=str(COURSE))
    env.pop("CI", None)
    command = [sys.executable, "-m", "grader", *args]
    if wall is not None:
        command = [sys.executable, str(WRAPPER), wall, *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=course)


@pytest.fixture
def course(tmp_path):
    """A copy of the course in which calc_preds is solved."""
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    shutil.copy(COURSE / "solutions/week5/calc_preds.py", tmp_path / "exercises/week5/calc_preds.py")
    return tmp_path


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("note:")]


def assert_checked(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ calc_preds" in done.stdout and "Score: 5/5" in done.stdout
    assert "Traceback" not in done.stderr and "sandbox setup failed" not in done.stderr, done.stderr


# ----------------------------------------------------------------------------- the policy


def test_auto_is_the_best_walls_for_your_own_code_and_all_of_them_for_others():
    assert isolation_policy("auto", own_code=True) == "best"
    assert isolation_policy("auto", own_code=False) == "full"
    assert isolation_policy("weak", own_code=False) == "weak"
    assert isolation_policy("full", own_code=True) == "full"
    assert GradeOptions().isolation == "full"  # a library caller gets every wall, or a refusal
    with pytest.raises(ValueError, match="isolation must be one of full, best, weak"):
        GradeOptions(isolation="auto")


# ----------------------------------------------------------------------------- no namespaces


def test_check_without_namespaces_runs_and_says_so_once(course):
    done = grader("namespaces", "check", "calc_preds", course=course)
    assert_checked(done)
    (note,) = notes(done.stderr)
    assert note.startswith("note: this machine allows no Linux namespaces; your code runs in a process of its own "
                           "with rlimits")
    assert note.endswith(" only (fine for checking your own work)") and "Linux namespaces, " not in note
    assert "note:" not in done.stdout


def test_check_json_without_namespaces_keeps_stdout_for_the_results(course):
    import json

    done = grader("namespaces", "check", "calc_preds", "--json", course=course)
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 5
    assert len(notes(done.stderr)) == 1


def test_grade_without_namespaces_refuses_in_one_line(course, tmp_path):
    done = grader("namespaces", "grade", str(course / "solutions"), "--gradebook", str(tmp_path / "g.db"),
                  course=course)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "sandbox setup failed" not in done.stderr, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("Error")] == [NAMESPACES_REFUSAL]
    assert done.stderr.strip().splitlines()[-1] == NAMESPACES_REFUSAL
    assert "Class results" not in done.stdout  # refused before grading anything


def test_grade_without_namespaces_runs_when_asked_for_weak_walls(course, tmp_path):
    done = grader("namespaces", "grade", str(course / "solutions"), "--gradebook", str(tmp_path / "g.db"),
                  "--isolation", "weak", "--json", str(tmp_path / "r.json"), course=course)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and not notes(done.stderr)
    import json

    results = json.loads((tmp_path / "r.json").read_text())
    assert results["score"] == results["max_score"] == sum(e.points for e in load_exercises())


# ----------------------------------------------------------------------------- no seccomp


def test_check_without_seccomp_runs_and_says_so_once(course):
    done = grader("seccomp", "check", "calc_preds", course=course)
    assert_checked(done)
    (note,) = notes(done.stderr)
    assert "allows no seccomp filter;" in note and note.endswith(" only (fine for checking your own work)")
    assert ", seccomp" not in note and "and seccomp" not in note


def test_grade_without_seccomp_refuses_in_one_line(course, tmp_path):
    done = grader("seccomp", "grade", str(course / "solutions"), "--gradebook", str(tmp_path / "g.db"),
                  course=course)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    # Without namespaces here as well, the namespaces are what the refusal names first.
    assert errors in ([SECCOMP_REFUSAL], [NAMESPACES_REFUSAL])
    assert done.stderr.strip().splitlines()[-1] == errors[0]


# ----------------------------------------------------------------------------- every wall


def test_check_with_every_wall_says_nothing_about_walls(course):
    done = grader(None, "check", "calc_preds", course=course)
    assert_checked(done)
    probe = grader(None, "grade", str(course / "solutions"), "--gradebook", str(course / "g.db"),
                   "--json", str(course / "r.json"), course=course)
    if probe.returncode != 0:  # this machine lacks a wall of its own: then the note is right to be there
        pytest.skip("this machine does not allow every wall: " + probe.stderr.strip()[-300:])
    assert not notes(done.stderr), done.stderr


# ----------------------------------------------------------------------------- the in-notebook checks


GRADER_IN_PROCESS = textwrap.dedent("""
    import sys
    from pathlib import Path
    from grader.grading import GradeOptions, Grader, GradingError

    course = Path(sys.argv[1])
    try:
        with Grader(course, GradeOptions(hidden=False, isolation=sys.argv[2], exercises=("calc_preds",))) as g:
            print("NOTE", g.walls_note)
            print("SCORE", g.grade(course / "exercises")["score"])
    except GradingError as exc:
        print("REFUSED", exc)
""")


def test_a_grader_with_hidden_false_takes_the_walls_it_is_told_to(course):
    """The in-notebook checks use the same Grader, with hidden=False and the policy "best"."""
    if reason := wrapper_works("namespaces"):
        pytest.skip(f"the wrapper cannot deny namespaces here: {reason}")
    env = dict(os.environ, PYTHONPATH=str(COURSE))
    outputs = {}
    for policy in ("best", "full"):
        done = subprocess.run([sys.executable, str(WRAPPER), "namespaces", sys.executable, "-c", GRADER_IN_PROCESS,
                               str(course), policy], capture_output=True, text=True, env=env, timeout=300)
        assert "Traceback" not in done.stderr, done.stderr
        outputs[policy] = done.stdout.splitlines()
    assert outputs["best"][0].startswith("NOTE note: this machine allows no Linux namespaces;")
    assert outputs["best"][1] == "SCORE 5.0"
    assert outputs["full"] == ["REFUSED " + NAMESPACES_REFUSAL.removeprefix("Error: ")]


IN_IPYTHON = textwrap.dedent("""
    import sys
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()   # a real IPython shell: its input history is what a kernel's is
    shell.run_cell(open(sys.argv[1]).read(), store_history=True)
    shell.run_cell(sys.argv[2], store_history=True)
""")
NOTEBOOK_CHECKS = textwrap.dedent("""
    import grader.notebook as grader
    for _ in range(2):
        result = grader.check("calc_preds")
        print("CHECK", result.points, result.max_points, [n[:50] for n in result.notes])
    grader.configure(isolation="full")
    try:
        grader.check("calc_preds")
    except grader.NotebookError as exc:
        print("REFUSED", exc)
""")


def test_the_notebook_check_without_namespaces_runs_and_says_so_once(course):
    """grader.check in IPython where unshare is denied (Kaggle's and Colab's containers): the
    student's own code runs with the walls there are, one note with the first check; asked for
    every wall, it refuses in one line that says how to go on."""
    if reason := wrapper_works("namespaces"):
        pytest.skip(f"the wrapper cannot deny namespaces here: {reason}")
    env = dict(os.environ, PYTHONPATH=str(COURSE), GRADER_COURSE=str(course))
    done = subprocess.run([sys.executable, str(WRAPPER), "namespaces", sys.executable, "-c", IN_IPYTHON,
                           str(course / "exercises/week5/calc_preds.py"), NOTEBOOK_CHECKS],
                          capture_output=True, text=True, env=env, timeout=300, cwd=course)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(("CHECK", "REFUSED"))]
    assert lines[:2] == ["CHECK 5.0 5.0 ['this machine allows no Linux namespaces; your code']",
                         "CHECK 5.0 5.0 []"], done.stdout + done.stderr
    assert lines[2] == ("REFUSED the sandbox cannot isolate submissions on this machine (Linux namespaces are "
                        "unavailable): run as root, enable unprivileged user namespaces, or run "
                        'grader.configure(isolation="weak") to accept weaker walls')


def test_the_seccomp_probe_binds_only_its_own_thread():
    """The zygote tries the filter in a throwaway thread: the zygote itself stays unfiltered."""
    from grader.sandbox import seccomp

    program = seccomp.compile_filter()
    if program is None:
        pytest.skip("no libseccomp here")
    status = lambda: dict(line.split(":\t", 1) for line in Path("/proc/self/status").read_text().splitlines()
                          if ":\t" in line)
    before = status()
    assert seccomp.loads(program) is True
    after = status()
    assert (after["Seccomp"], after["NoNewPrivs"]) == (before["Seccomp"], before["NoNewPrivs"])
    if reason := wrapper_works("seccomp"):
        pytest.skip(f"the wrapper cannot deny seccomp here: {reason}")
    # Compiled here: where seccomp(2) is denied, libseccomp cannot even set up a filter (compile_filter raises).
    code = "import sys; from grader.sandbox import seccomp; print(seccomp.loads(bytes.fromhex(sys.argv[1])))"
    done = subprocess.run([sys.executable, str(WRAPPER), "seccomp", sys.executable, "-c", code, program.hex()],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(COURSE)), timeout=60)
    assert done.stdout.strip() == "False" and "Traceback" not in done.stderr, done.stderr
