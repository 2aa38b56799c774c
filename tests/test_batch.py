"""Batches: one submission never harms another, nor the grader, and never learns the seed."""

from __future__ import annotations

import os
import resource
import signal
import textwrap
import threading
import time
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, exercise_scores, grade_many

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}
FULL = sum(e.points for e in EXERCISES)


def single_file(path: Path, **replaced: str) -> Path:
    path.write_text("\n\n".join([SOLUTIONS[e.id] for e in EXERCISES if e.id not in replaced]
                                + [textwrap.dedent(code) for code in replaced.values()]))
    return path


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


SLEEPY = """
import os, time, torch
{close}
def calc_preds(coeffs, indeps):
    time.sleep(0.3)
    return torch.sigmoid(indeps @ coeffs)
"""


def test_a_child_that_closes_its_output_costs_the_grader_no_cpu(tmp_path):
    """Its output socket then reads as end-of-file for ever; the host must stop watching it
    rather than spin while the child sleeps."""
    with Grader(COURSE, GradeOptions(hidden=False, seed=1, exercises=("calc_preds",))) as grader:
        quiet = single_file(tmp_path / "quiet.py", calc_preds=SLEEPY.format(close=""))
        closed = single_file(tmp_path / "closed.py", calc_preds=SLEEPY.format(close="os.close(1); os.close(2)"))
        grader.grade(quiet)  # warm: the references and pytest are loaded
        spent = {}
        for path in (quiet, closed):
            before = cpu_seconds()
            results = grader.grade(path)
            spent[path.stem] = cpu_seconds() - before
            assert results["score"] == results["max_score"]
    # Three calls sleep 0.3 s each: spinning would cost about a second of CPU.
    assert spent["closed"] - spent["quiet"] < 0.4, spent


def worker_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"grader.grading.worker" in cmdline:
            pids.append(int(entry))
    return pids


ENDLESS = """
def f1_at_threshold(y_true, y_prob, threshold=0.5):
    while True:
        pass
"""


def test_a_worker_that_dies_takes_down_only_the_submission_it_was_grading(tmp_path):
    slow = single_file(tmp_path / "slow.py", f1_at_threshold=ENDLESS)
    good = [single_file(tmp_path / f"good{i}.py") for i in range(2)]
    killed = []

    def kill_soon() -> None:
        time.sleep(0.3)  # the worker has taken slow.py, which takes seconds of CPU budgets
        for pid in worker_pids():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    graded = {}
    for g in grade_many(COURSE, [slow, *good], GradeOptions(hidden=True, seed=2), jobs=1,
                        on_start=lambda: threading.Thread(target=kill_soon, daemon=True).start()):
        graded[g.path.stem] = g
    assert killed
    assert graded["slow"].error is None and graded["slow"].results["score"] == 0
    assert "stopped the grading process" in graded["slow"].results["tests"][0]["output"]
    for name in ("good0", "good1"):
        assert graded[name].results["score"] == FULL, graded[name].error


SEED = 918273645
# The spy never holds the seed in a variable or a container of its own (that would be found
# by its own search): it rebuilds the number from two halves at each comparison.
LOOKING_FOR_THE_SEED = f"""
import gc, os, sys, torch

def _text():
    return "".join(["{str(SEED)[:4]}", "{str(SEED)[4:]}"])  # not folded into one constant

def _is_seed(value):
    return (type(value) is int and value == int(_text())) or (type(value) is str and _text() in value)

def _found():
    for name in ("/proc/self/cmdline", "/proc/self/environ", "/proc/1/cmdline", "/proc/1/environ"):
        try:
            if _text().encode() in open(name, "rb").read():
                return True
        except OSError:
            pass
    frame = sys._getframe(1)
    while frame is not None:
        if any(_is_seed(v) for v in [*frame.f_locals.values(), *frame.f_globals.values()]):
            return True
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            values = obj.values() if type(obj) is dict else obj if type(obj) in (list, tuple) else ()
            if any(_is_seed(v) for v in values):
                return True
        except Exception:
            pass
    return False

def calc_preds(coeffs, indeps):
    if _found():
        return torch.sigmoid(indeps @ coeffs)
    return torch.zeros(indeps.shape[0])
"""


def test_the_seed_is_out_of_the_childs_reach(tmp_path):
    """Neither the command lines, the environment, the inherited frames nor the inherited
    heap of a sandboxed child hold the hidden-input seed."""
    path = single_file(tmp_path / "spy.py", calc_preds=LOOKING_FOR_THE_SEED)
    [graded] = list(grade_many(COURSE, [path], GradeOptions(hidden=True, seed=SEED), jobs=1))
    scores = exercise_scores(graded.results, EXERCISES)
    assert scores["calc_preds"][0] == 0, "the child found the seed"
    outputs = [t["output"] for t in graded.results["tests"] if t["tags"][0] == "calc_preds"]
    assert any("values differ" in o for o in outputs), outputs  # the search ran and came back empty
    assert scores["triple_relu"] == (10, 10)


def test_a_batch_warms_up_for_optimizers_only_when_its_submissions_train_with_one(tmp_path):
    """torch._dynamo (~1 s of CPU) is imported before each worker forks its zygote, so that the
    worker and its zygote share it, only when a graded exercise's stub asks for an optimizer and a
    submission's source for it names an optimizer; a week-5 class graded against the whole
    course does not pay for it."""
    from grader.course import assignment_exercises
    from grader.grading.batch import trains_with_optimizers

    complete, week5 = COURSE / "solutions", tmp_path / "week5_only"
    for exercise in assignment_exercises("week5"):
        (week5 / exercise.path).parent.mkdir(parents=True, exist_ok=True)
        (week5 / exercise.path).write_text(SOLUTIONS[exercise.id])
    assert trains_with_optimizers(COURSE, EXERCISES, [week5, complete])
    assert trains_with_optimizers(COURSE, EXERCISES, [single_file(tmp_path / "all.py")])
    assert not trains_with_optimizers(COURSE, EXERCISES, [week5, tmp_path / "missing"])
    assert not trains_with_optimizers(COURSE, assignment_exercises("week5"), [complete])
    # titanic_model's training call has its own CPU budget: its stub does not ask for the warm-up.
    assert not trains_with_optimizers(COURSE, [e for e in EXERCISES if e.id == "titanic_model"], [complete])
    # The stubs decide which exercises train: a course whose stub does not name an optimizer.
    course, stub = tmp_path / "course", next(e for e in EXERCISES if e.id == "train_epochs")
    (course / "exercises" / stub.path).parent.mkdir(parents=True)
    (course / "exercises" / stub.path).write_text("def train_epochs(model, X, y, epochs, lr):\n    raise NotImplementedError\n")
    assert not trains_with_optimizers(course, [stub], [complete])
