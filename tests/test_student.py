"""The student loop: `grader watch` (in a real pty and as a plain object), `grader status`, the state
in .grader/, and `grader check --ci/--junit/--json` as a CI system runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import in_course_order, load_exercises
from grader.grading import GradeOptions, Grader, GradingError
from grader.quiz.parse import load_quiz
from grader.quiz.scoring import answers_document, perfect_answers
from grader.quiz.take import answers_path, progress_path, save_progress
from grader.release.strip import strip_hidden
from grader.student import ci
from grader.student.state import State, read_json, write_json
from grader.student.watch import Watch, hint_text, progress_bar

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
N = len(EXERCISES)                                                                 # watch and status count them all
PUBLIC_POINTS = sum(strip_hidden(e.checks.read_text()).points for e in EXERCISES)  # what `grader check` checks
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def copy_course(dest: Path) -> Path:
    for folder in ("exercises", "solutions", "quizzes"):
        shutil.copytree(COURSE / folder, dest / folder)
    return dest


def solve(course: Path, exercise_id: str) -> None:
    path = BY_ID[exercise_id].path
    shutil.copy(course / "solutions" / path, course / "exercises" / path)


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the course; GRADER_COURSE points at it."""
    copy_course(tmp_path)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def grader_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "CI", "GITHUB_STEP_SUMMARY")}
    return {**env, **extra}


# ----------------------------------------------------------------------------- watch, in a real pty


def spawn_watch(course: Path) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "grader", "watch"], cwd=str(course),
                         env=grader_env(TERM="xterm"), dimensions=(60, 250), encoding="utf-8", timeout=120)


def next_screen(child: pexpect.spawn, showing: str = "") -> str:
    """The next whole screen (from its title to the key line) that contains ``showing``, as plain text."""
    while True:
        child.expect(r"grader watch.*?q quit")
        screen = ANSI.sub("", child.match.group(0))
        if showing in screen:
            return screen


def test_watch_in_a_pty_checks_on_save_moves_on_and_answers_keys(tmp_path):
    course = copy_course(tmp_path)
    child = spawn_watch(course)
    try:
        screen = next_screen(child)
        assert f"] 0/{N} exercises done" in screen       # the course's first exercise, week 1's
        assert "✗ loss_slope  0/5 points" in screen and "not written yet: loss_slope raises NotImplementedError" in screen
        solve(course, "loss_slope")      # its file, week1/multiplier.py, holds fit_multiplier too
        screen = next_screen(child, "passes")
        assert "✓ loss_slope passes! Next: count_dense_parameters." in screen and f"] 2/{N} exercises done" in screen
        assert "✗ count_dense_parameters  0/7 points" in screen
        child.send("h")
        screen = next_screen(child)
        assert " ".join(f"Hint for count_dense_parameters: {hint_text('count_dense_parameters')}".split()) \
            in " ".join(screen.split())
        child.send("l")
        screen = next_screen(child)
        assert re.search(r"✓\s+loss_slope\s+5/5", screen)
        assert re.search(r"✗\s+count_dense_parameters\s+0/7\s+exercises/week1/parameters.py\s+← current", screen)
        listed = re.findall(r"[✓✗]\s+(\w+)\s+\d+/\d+\s+exercises/", screen)     # in the order of the course
        assert listed == [e.id for e in in_course_order(EXERCISES)] and listed[:2] == ["loss_slope", "fit_multiplier"]
        solve(course, "calc_preds")       # saved while count_dense_parameters is current: it is checked, we stay
        screen = next_screen(child, "calc_preds passes")
        assert f"] 3/{N} exercises done" in screen and "Next: fill_missing_with_mode." in screen
        child.send("c")
        screen = next_screen(child)
        assert f"Checked all {N} exercises." in screen and f"] 3/{N} exercises done" in screen
        child.send("q")
        child.expect(pexpect.EOF)
        assert "Stopped watching." in child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    records = json.loads((course / ".grader/checks.json").read_text())["exercises"]
    assert records["loss_slope"]["score"] == records["loss_slope"]["max_score"] == 5
    assert records["count_dense_parameters"]["score"] == 0 and records["count_dense_parameters"]["failed"]
    assert records["calc_preds"]["failed"] == [] and records["calc_preds"]["source"] == "exercises"


def test_watch_quits_on_ctrl_c_with_one_line(tmp_path):
    course = copy_course(tmp_path)
    child = spawn_watch(course)
    try:
        next_screen(child)
        child.sendintr()
        child.expect(pexpect.EOF)
        after = ANSI.sub("", child.before).strip()
    finally:
        child.close(force=True)
    assert after == "Stopped watching."
    assert child.exitstatus == 130


# ----------------------------------------------------------------------------- watch, the plain loop


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """One course copy and one Grader for the loop tests, as `grader watch` keeps one."""
    course = copy_course(tmp_path_factory.mktemp("watched"))
    with Grader(course, GradeOptions(hidden=False)) as grader:
        yield course, grader


@pytest.fixture
def watched(warm):
    course, grader = warm
    for exercise in EXERCISES:   # every test starts from the stubs
        shutil.copy(COURSE / "exercises" / exercise.path, course / "exercises" / exercise.path)
    shutil.rmtree(course / ".grader", ignore_errors=True)
    calls = []

    def check(ids):
        calls.append(ids)
        return grader.grade(course / "exercises", only=ids)

    return Watch(course, EXERCISES, check, State(course)), calls


def test_watch_loop_rechecks_only_the_saved_exercise_and_moves_on(watched):
    watch, calls = watched
    course = watch.course
    screen = watch.start().plain
    assert calls == [tuple(e.id for e in in_course_order(EXERCISES))]
    assert watch.current.id == "loss_slope" and f"0/{N} exercises done" in screen
    assert watch.changed([course / "solutions/week3/triple_relu.py", course / "notes.txt"]) is None
    assert len(calls) == 1
    solve(course, "calc_preds")            # not the current one: it becomes the one being edited
    screen = watch.changed([course / "exercises/week5/calc_preds.py"]).plain
    assert calls[-1] == ("calc_preds",)
    assert "✓ calc_preds passes! Next: fill_missing_with_mode." in screen
    assert watch.current.id == "fill_missing_with_mode" and f"1/{N} exercises done" in screen
    assert watch.last_seconds is not None and watch.last_seconds > 0
    saved = State(course).exercises()
    assert saved["calc_preds"].passed and not saved["triple_relu"].passed


def test_watch_loop_shows_failures_and_keys(watched):
    watch, calls = watched
    course = watch.course
    watch.start()
    path = course / "exercises" / BY_ID["triple_relu"].path
    path.write_text("def triple_relu(m1, b1, m2, b2, m3, b3, x):\n    return x * 0\n")
    screen = watch.changed([path]).plain
    assert watch.current.id == "triple_relu" and "✗ triple_relu  0/5 points" in screen
    assert "matches the sum of three relus:" in screen
    assert "Hint" not in screen
    screen = watch.key("h").plain
    assert f"Hint for triple_relu: {BY_ID['triple_relu'].hint}" in screen
    listing = watch.key("l").plain
    assert "Exercises" in listing and "triple_relu" in listing and "← current" in listing
    assert watch.key("x") is None and not watch.finished
    before = len(calls)
    assert f"Checked all {N} exercises." in watch.key("c").plain
    assert calls[before:] == [tuple(e.id for e in in_course_order(EXERCISES))]
    assert watch.key("q") is None and watch.finished


def test_watch_loop_finishes_when_all_pass_and_reports_a_broken_check(watched, warm):
    watch, _ = watched
    for exercise in EXERCISES:
        solve(watch.course, exercise.id)
    screen = watch.start().plain
    assert f"{N}/{N} exercises done" in screen and f"All {N} exercises pass" in screen

    def broken(_ids):
        raise GradingError("the sandbox stopped")

    watch.check = broken
    screen = watch.changed([watch.course / "exercises/week5/calc_preds.py"]).plain
    assert "The checks could not run: the sandbox stopped" in screen


def released_notebooks(course: Path) -> Path:
    """notebooks/ as `grader release` writes it: one notebook per week, a tagged stub cell per exercise file."""
    from grader.release.notebooks import write_notebooks

    stubs = {e.id: (COURSE / "exercises" / e.path).read_text() for e in EXERCISES}
    write_notebooks(course / "notebooks", EXERCISES, stubs)
    return course / "notebooks"


def answer_in_notebook(notebook: Path, exercise_id: str, before: str = "") -> None:
    """The student's own cell at the end of ``notebook``: the reference's code (``before`` it)."""
    import nbformat
    from nbformat.v4 import new_code_cell

    book = nbformat.read(str(notebook), as_version=4)
    book.cells.append(new_code_cell(before + (COURSE / "solutions" / BY_ID[exercise_id].path).read_text()))
    nbformat.write(book, str(notebook))


def test_watch_loop_follows_notebooks(warm):
    """Saving a notebook in notebooks/ re-checks the exercises it holds; the screen says where the
    exercise was graded from and shows what its code printed."""
    course, grader = warm
    for exercise in EXERCISES:
        shutil.copy(COURSE / "exercises" / exercise.path, course / "exercises" / exercise.path)
    shutil.rmtree(course / ".grader", ignore_errors=True)
    notebooks = released_notebooks(course)
    calls = []

    def check(ids):
        calls.append(ids)
        return grader.grade(course, only=ids)

    try:
        watch = Watch(course, EXERCISES, check, State(course))
        watch.start()
        answer_in_notebook(notebooks / "week5.ipynb", "calc_preds", before="print('my preds cell ran')\n")
        screen = watch.changed([notebooks / "week5.ipynb"]).plain
        assert calls[-1] == tuple(e.id for e in EXERCISES if e.path.startswith("week5/"))
        assert "✓ calc_preds passes!" in screen, screen
        watch.current = BY_ID["calc_preds"]
        screen = watch.screen().plain
        assert "calc_preds  5/5 points  notebooks/week5.ipynb" in screen, screen
        assert "your code printed:" in screen and "│ my preds cell ran" in screen
        assert watch.changed([course / "notes.ipynb", notebooks / "scratch.txt"]) is None
    finally:
        shutil.rmtree(notebooks)


def test_check_in_ci_counts_an_exercise_done_in_a_notebook(course):
    """A student repository (exercises/ and notebooks/): `grader check --ci` counts the notebook's
    calc_preds, says where it came from, and annotates nothing (the other exercises are untouched stubs)."""
    notebooks = released_notebooks(course)
    answer_in_notebook(notebooks / "week5.ipynb", "calc_preds")
    solve(course, "triple_relu")
    result = run("check", "--ci", "--exit-zero")
    lines = result.output.splitlines()
    assert lines[-1] == f"Points: 10/{PUBLIC_POINTS:g}", result.output
    assert "note: calc_preds: from notebooks/week5.ipynb" in lines
    assert any(line.startswith("✓ calc_preds  5/5  notebooks/week5.ipynb") for line in lines), result.output
    assert not any(line.startswith("::error") for line in lines)  # nothing wrong: the rest are untouched stubs
    # One notebook still checks on its own.
    result = run("check", "--ci", "--exit-zero", str(notebooks / "week5.ipynb"))
    assert result.output.splitlines()[-1] == "Points: 5/20", result.output


def test_progress_bar_counts_exercises():
    assert progress_bar(3, 5, width=10) == "[██████░░░░] 3/5 exercises done"
    assert progress_bar(0, 5, width=4) == "[░░░░] 0/5 exercises done"


# ----------------------------------------------------------------------------- state


def test_state_round_trips_and_writes_atomically(tmp_path, monkeypatch):
    path = tmp_path / ".grader" / "checks.json"
    write_json(path, {"version": 1, "exercises": {}})
    assert read_json(path) == ({"version": 1, "exercises": {}}, None)

    def crash(_fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        write_json(path, {"version": 1, "exercises": {"x": "half-written"}})
    assert json.loads(path.read_text()) == {"version": 1, "exercises": {}}
    assert sorted(p.name for p in path.parent.iterdir()) == ["checks.json"]   # no temp file left


def test_state_survives_a_writer_killed_at_any_moment(tmp_path):
    path = tmp_path / ".grader" / "checks.json"
    writer = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from grader.student.state import write_json
        path = Path({str(path)!r})
        i = 0
        while True:
            write_json(path, {{"version": 1, "n": i, "filler": ["x" * 1000] * 500}})
            if i == 0:
                print("started", flush=True)
            i += 1
    """)
    for delay in (0.0, 0.01, 0.03, 0.07, 0.15):
        process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline() == "started\n"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        data, problem = read_json(path)
        assert problem is None and data["version"] == 1 and len(data["filler"]) == 500


@pytest.mark.parametrize("content, reason", [
    ("{not json", "it is not valid JSON"),
    ("[1, 2]", "it is not a grader state file"),
    (b"\xff\xfe", "it is not UTF-8 text"),
    ('{"version": 1, "exercises": {"calc_preds": {"score": "lots"}}}', "1 of its entries are malformed"),
])
def test_a_corrupt_state_file_is_reported_in_one_line_and_ignored(tmp_path, content, reason):
    path = tmp_path / ".grader" / "checks.json"
    path.parent.mkdir()
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    state = State(tmp_path)
    assert state.exercises() == {}
    (problem,) = state.problems
    assert problem.startswith(f".grader/checks.json: {reason}") and "\n" not in problem
    assert problem.endswith("; ignoring it (the next save replaces it)")


def test_status_and_check_get_past_a_corrupt_state_file(course):
    (course / ".grader").mkdir()
    (course / ".grader/checks.json").write_text('{"version": 1, "exercises": {"calc_pre')
    result = run("status")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert result.output.count(".grader/checks.json: it is not valid JSON") == 1
    solve(course, "calc_preds")
    result = run("check", "calc_preds")
    assert result.exit_code == 0 and "it is not valid JSON" in result.output
    assert State(course).exercises()["calc_preds"].passed       # rewritten whole


def test_check_still_reports_when_the_state_cannot_be_saved(course):
    (course / ".grader").write_text("a file where the state folder should be")
    result = run("check", "calc_preds")
    assert result.exit_code == 1 and "Score: 0/5" in result.output
    assert "cannot save the grader's state" in result.output and "Traceback" not in result.output


# ----------------------------------------------------------------------------- status


def test_status_shows_exercises_quiz_progress_and_best_scores(course, monkeypatch):
    solve(course, "triple_relu")
    assert run("check", "triple_relu", "calc_preds").exit_code == 1
    quiz = load_quiz(course / "quizzes/week3a-pytorch-basics.md")
    other = load_quiz(course / "quizzes/week1-hello-deep-learning.md")
    monkeypatch.chdir(course)
    perfect = course / "perfect.json"
    perfect.write_text(json.dumps(answers_document(quiz, perfect_answers(quiz))))
    empty = course / "empty.json"
    empty.write_text(json.dumps({"quiz": quiz.id, "answers": {}}))
    first = run("quiz", "take", quiz.id, "--answers", str(perfect))
    assert first.exit_code == 0 and f"New best score for {quiz.id}" in first.output
    second = run("quiz", "take", quiz.id, "--answers", str(empty), "--save", str(answers_path(quiz, course)))
    assert second.exit_code == 0 and "New best" not in second.output
    first_id = other.questions[0].id
    save_progress(progress_path(other, course), other, [q.id for q in other.questions],
                  {first_id: perfect_answers(other)[first_id]})
    (course / "exercises/week5/calc_preds.py").write_text("# edited after the check\n")

    data = json.loads(run("status", "--json").output)
    exercises = {e["id"]: e for e in data["exercises"]}
    assert exercises["triple_relu"]["passed"] and exercises["triple_relu"]["score"] == 5
    assert not exercises["calc_preds"]["passed"] and exercises["calc_preds"]["edited_since"]
    assert exercises["gradient_step"]["score"] is None
    quizzes = {q["id"]: q for q in data["quizzes"]}
    assert quizzes[quiz.id]["best"] == quiz.total_points and quizzes[quiz.id]["last"] == 0
    assert quizzes[quiz.id]["attempts"] == 2
    assert quizzes[other.id]["answered"] == 1 and quizzes[other.id]["best"] is None

    text = run("status").output
    assert re.search(r"✓ │ triple_relu .*5/5", text)
    assert re.search(r"✗ │ calc_preds .*0/5.*· edited since", text)
    assert re.search(rf"{quiz.id}\s+│ finished\s+│\s+0/{quiz.total_points:g} │\s+{quiz.total_points:g}/", text)
    assert re.search(rf"{other.id}\s+│ 1/{len(other.questions)} answered, unfinished", text)
    assert f"1/{N} exercises pass · 1/7 quizzes done" in text


def test_status_shows_the_students_own_work_only(course):
    """A file checked by name (a classmate's, a solution) is recorded with its source, and neither
    shows in `grader status` nor replaces the result of exercises/; a notebook of the course does."""
    import nbformat

    other = course / "submissions/alice.py"
    other.parent.mkdir()
    other.write_text((COURSE / "solutions/week3/triple_relu.py").read_text())
    assert run("check", str(other)).exit_code == 0
    records = State(course).exercises()
    assert records["triple_relu"].source == "submissions/alice.py" and not records["triple_relu"].own
    data = json.loads(run("status", "--json").output)
    assert [e["id"] for e in data["exercises"]] == [e.id for e in in_course_order(EXERCISES)]  # the course's order
    assert {e["id"]: e["score"] for e in data["exercises"]}["triple_relu"] is None
    assert "5/5" not in run("status").output
    assert run("check", "triple_relu").exit_code == 1                  # the stub, in exercises/
    assert run("check", str(other)).exit_code == 0                     # does not replace it
    assert State(course).exercises()["triple_relu"].source == "exercises"
    assert {e["id"]: e["passed"] for e in json.loads(run("status", "--json").output)["exercises"]}["triple_relu"] is False
    notebook = course / "notebooks/week3.ipynb"
    notebook.parent.mkdir()
    cell = nbformat.v4.new_code_cell(other.read_text(), metadata={"tags": ["triple_relu"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    assert run("check", str(notebook)).exit_code == 0
    rows = {e["id"]: e for e in json.loads(run("status", "--json").output)["exercises"]}
    assert rows["triple_relu"]["passed"] and rows["triple_relu"]["source"] == "notebooks/week3.ipynb"
    assert not rows["triple_relu"]["edited_since"]
    assert re.search(r"✓ │ triple_relu .*5/5 │ notebooks/week3.ipynb", run("status").output)


# ----------------------------------------------------------------------------- CI


def test_annotation_escaping_follows_githubs_rules():
    assert ci.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert ci.escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def _test(exercise: str, check: str, output: str = "", line: int | None = None) -> dict:
    test = {"name": f"{exercise}: {check}", "tags": [exercise, "public"], "score": 0.0 if output else 1.0,
            "max_score": 1.0, "status": "failed" if output else "passed", "output": output}
    if line is not None:
        test["extra_data"] = {"file": BY_ID[exercise].path, "line": line}
    return test


def test_annotations_are_the_ten_that_matter_wrong_answers_first_on_the_def_line(tmp_path):
    """GitHub shows ten error annotations per step: wrong answers first, then errors, each in the
    order of the course; untouched stubs never; each on the function's def line, read with ast."""
    course = copy_course(tmp_path / "course")
    solve(course, "calc_preds")
    (course / "exercises/week2/tanh.py").write_text("import math\n\n\ndef tanh_and_grad(x):\n    return 1\n\n\n"
                                                    "def tanh_and_grad(x):\n    return 2\n")  # the last def counts
    (course / "exercises/week1/bmi.py").write_text("def bmi(\n")                          # no def to find
    tests = [_test("bmi", "syntax", "SyntaxError in week1/bmi.py, line 1: '(' was never closed")]
    for exercise in in_course_order(EXERCISES):
        if exercise.id == "bmi":
            continue
        if exercise.id in ("loss_slope", "gradient_advice", "best_threshold"):   # stubs: never annotated
            tests.append(_test(exercise.id, "a", "not written yet: it raises NotImplementedError", 7))
        elif exercise.id in ("value", "mae"):                                      # raised: an error
            tests.append(_test(exercise.id, "a", "f(1) raised ValueError: no", 9))
        else:
            tests += [_test(exercise.id, "a", "expected 1, got 2"), _test(exercise.id, "b")]
    results = {"score": 0, "max_score": 1, "tests": tests}
    fixes = ci.to_fix(results, EXERCISES, course)
    assert not {"loss_slope", "gradient_advice", "best_threshold"} & {f.exercise for f in fixes}
    errors = ["bmi", "value", "mae"]
    assert [f.exercise for f in fixes] == [e.id for e in in_course_order(EXERCISES)
                                           if e.id not in errors + ["loss_slope", "gradient_advice", "best_threshold"]] + errors
    by_id = {f.exercise: f for f in fixes}
    assert by_id["tanh_and_grad"].line == 8 and by_id["tanh_and_grad"].wrong_answer
    assert by_id["calc_preds"].line == ci.definition_line(course / "exercises/week5/calc_preds.py", "calc_preds") > 1
    assert by_id["bmi"].line == 1 and not by_id["bmi"].wrong_answer                  # the syntax error's line
    assert by_id["value"].line == ci.definition_line(course / "exercises/week2/value.py", "Value")  # a class
    elsewhere = ci.to_fix(results, EXERCISES, None)       # a notebook was checked: no exercises/ file named
    assert all(f.file is None and f.line is None for f in elsewhere)
    assert elsewhere[0].command().startswith("::error title=fit_multiplier%3A 1 check failed (1/2 points)::a: expected 1, got 2")
    lines = ci.annotations(results, EXERCISES, course)
    assert len(lines) == 10 and len(fixes) > 10
    assert lines[0].startswith("::error file=exercises/week1/multiplier.py,line=") and "fit_multiplier" in lines[0]
    assert not any("file=exercises/week1/bmi.py" in line for line in lines)          # errors come after
    # The summary starts with what to fix; the stubs are last.
    text = ci.summary_markdown(results, EXERCISES, course)
    assert text.splitlines()[2] == f"#### To fix ({len(fixes)} exercises)"
    assert text.index("`fit_multiplier`") < text.index("#### Points per exercise") < text.index("`loss_slope` (not started)")


def test_the_def_line_is_read_safely(tmp_path):
    path = tmp_path / "f.py"
    for text, line in [("x = 1\ndef f():\n    pass\n", 2), ("class f:\n    pass\n", 1), ("def g():\n    def f(): pass\n", None),
                       ("def f(:\n", None), ("\x00", None), ("(" * 100_000, None), ("#" * (2 * 1024 * 1024), None)]:
        path.write_text(text)
        assert ci.definition_line(path, "f") == line, text[:20]
    assert ci.definition_line(tmp_path / "missing.py", "f") is None


def test_ci_mode_is_on_where_ci_says_so():
    assert ci.ci_default({"CI": "true"}) and ci.ci_default({"CI": "True"})
    assert not ci.ci_default({}) and not ci.ci_default({"CI": "false"})


HOSTILE = '''\
import torch


def calc_preds(coeffs, indeps):
    raise ValueError("100% wrong\\n::error file=x.py,line=1::forged | <b>bold</b> \\x1b[31mred")
'''


def test_check_in_ci_from_the_course_folder(tmp_path):
    """What the student repository's workflow runs: `grader check --ci --junit grader-junit.xml`,
    in the course folder, with CI=true and GITHUB_STEP_SUMMARY set."""
    course = copy_course(tmp_path / "course")
    solve(course, "triple_relu")
    (course / "exercises/week5/calc_preds.py").write_text(HOSTILE)
    (course / "exercises/week5/f1_at_threshold.py").write_text("def f1_at_threshold(y_true, y_prob):\n\n    return (\n")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = grader_env(CI="true", GITHUB_STEP_SUMMARY=str(summary), FORCE_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "grader", "check", "--junit", "grader-junit.xml"], cwd=course,
                          env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout
    assert done.returncode == 1, done.stderr
    assert "\x1b" not in out and "Checking…" not in out  # no live display in a CI log
    lines = out.splitlines()
    assert lines[-1] == f"Points: 5/{PUBLIC_POINTS:g}"  # triple_relu's public 5; every other exercise fails

    # annotations: one per exercise to fix, on its def line (found with ast) or its syntax error's,
    # none for the untouched stubs; nothing forged
    errors = [line for line in lines if line.startswith("::")]
    assert all(line.startswith("::error file=exercises/") for line in errors)
    assert len(errors) == 2 and not [line for line in errors if "gradient_step.py" in line]
    calc, syntax = errors
    assert calc.startswith("::error file=exercises/week5/calc_preds.py,line=4,"
                           "title=calc_preds%3A 3 checks failed (0/5 points)::coeffs of shape k")
    # a line per distinct message (two checks share one): "coeffs of shape k and 1 more check: ..."
    assert calc.count("%0A") + 1 == calc.count("(week5/calc_preds.py, line 5)") >= 2
    assert "100%25 wrong ::error file=x.py" in calc and "\x1b" not in calc and "[31mred" in calc
    assert syntax.startswith("::error file=exercises/week5/f1_at_threshold.py,line=3,")
    # the plain report keeps each message on one line (no wrapping at a terminal width), and no
    # message can start a line (where the runner would take it for a command)
    assert any(line.strip().startswith("• coeffs of shape k") and "100% wrong ::error file=x.py" in line
               and line.endswith("(week5/calc_preds.py, line 5)") for line in lines)

    # the step summary: appended; what to fix first, then a row per exercise with its points, the
    # exercises not started last
    text = summary.read_text()
    assert text.startswith(f"earlier step\n### Exercise checks: 5/{PUBLIC_POINTS:g} points\n\n#### To fix (2 exercises)\n")
    fixes = [line for line in text.splitlines() if line.startswith("- **")]
    assert fixes == ["- **`calc_preds`** (`exercises/week5/calc_preds.py`, line 4), 0/5, error:",
                     "- **`f1_at_threshold`** (`exercises/week5/f1_at_threshold.py`, line 3), 0/5, error:"]
    assert text.index("#### To fix") < text.index("#### Points per exercise") < text.index("not started")
    rows = [line for line in text.splitlines() if line.startswith(("| ✅", "| ❌", "| ⬜"))]
    assert len(rows) == N
    assert rows[:3] == ["| ✅ | `triple_relu` | 5/5 | `exercises/week3/triple_relu.py` |",
                        "| ❌ | `calc_preds` | 0/5 | `exercises/week5/calc_preds.py` |",
                        "| ❌ | `f1_at_threshold` | 0/5 | `exercises/week5/f1_at_threshold.py` |"]
    assert rows[3] == "| ⬜ | `loss_slope` (not started) | 0/5 | `exercises/week1/multiplier.py` |"
    results = json.loads(subprocess.run([sys.executable, "-m", "grader", "check", "--json"], cwd=course, env=env,
                                        capture_output=True, text=True, timeout=300).stdout)
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert "\\<b\\>bold\\<\\/b\\>" in text and "<b>" not in text and "\\|" in text

    # JUnit: well formed, a testsuite per exercise, a testcase per check, failures with messages
    root = ET.parse(course / "grader-junit.xml").getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == (str(len(results["tests"])), str(len(failed)))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [e.id for e in EXERCISES]
    for suite, exercise in zip(suites, EXERCISES):
        tests = [t for t in results["tests"] if t["tags"][0] == exercise.id]
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [t["name"].split(": ", 1)[1] for t in tests]
        assert suite.get("tests") == str(len(tests))
        assert suite.get("failures") == str(sum(t["status"] == "failed" for t in tests))
        for case, test in zip(cases, tests):
            assert case.get("classname") == exercise.id and case.get("file") == f"exercises/{exercise.path}"
            failure = case.find("failure")
            assert (failure is None) == (test["status"] == "passed")
            if failure is not None:
                assert failure.get("message") and failure.text == ci.printable(test["output"], ci.MESSAGE_LIMIT)
    hostile = suites[2].find("testcase/failure")
    assert "\x1b" not in hostile.text and "[31mred" in hostile.text

    # --exit-zero: the same report, status 0
    done = subprocess.run([sys.executable, "-m", "grader", "check", "--exit-zero", "calc_preds"], cwd=course,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "Points: 0/5"


def test_check_json_gives_the_graders_results(course):
    solve(course, "calc_preds")
    result = run("check", "--json", "calc_preds", "gradient_step")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) >= {"score", "max_score", "execution_time", "tests", "extra_data"}
    assert (data["score"], data["max_score"]) == (5, 10)
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["tags"] == ["gradient_step", "public"] for t in failed)
    assert all(t["extra_data"] == {"file": "week5/gradient_step.py", "line": 26} for t in failed)
    assert "Points:" not in result.output


def test_check_all_passing_in_ci_exits_zero(course, tmp_path):
    for exercise in EXERCISES:
        solve(course, exercise.id)
    junit = tmp_path / "j.xml"
    result = run("check", "--ci", "--junit", str(junit))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == f"Points: {PUBLIC_POINTS:g}/{PUBLIC_POINTS:g}" and "::error" not in result.output
    root = ET.parse(junit).getroot()
    assert root.get("failures") == "0" and not root.findall(".//failure")


def test_check_says_in_one_line_when_a_ci_file_cannot_be_written(course, tmp_path):
    result = run("check", "calc_preds", "--junit", str(tmp_path / "no" / "such" / "j.xml"),
                 env={"CI": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[-1] == (f"Error: cannot write {tmp_path / 'no' / 'such' / 'j.xml'}: "
                                              "No such file or directory; check the folder exists and is writable")
