"""The `grader` command line, driven as a user would, on copies of the course."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_exercises

COURSE = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the course's exercises and solutions; GRADER_COURSE points at it."""
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)  # these are the terminal's output (CI mode: tests/test_student.py)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_json_gives_the_exercise_metadata():
    result = run("list", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert sorted(e["id"] for e in data) == sorted(e.id for e in load_exercises())
    # In the order of the course: week 1, week 2, week 3, lab 3, week 5, lab 5.
    folders = [e["path"].split("/")[0] for e in data]
    assert list(dict.fromkeys(folders)) == ["week1", "week2", "week3", "lab3", "week5", "lab5"]
    assert [e["id"] for e in data][:4] == ["loss_slope", "fit_multiplier", "count_dense_parameters", "bmi"]
    assert [e["id"] for e in data][-7:] == ["normalize_columns", "calc_loss", "accuracy", "add_log_fare",
                                            "add_dummies", "best_threshold", "titanic_model"]
    assert data[0] == {"id": "loss_slope", "path": "week1/multiplier.py", "function": "loss_slope",
                       "points": 10.0}


def test_list_prints_a_table():
    result = run("list")
    assert result.exit_code == 0 and "exercises/week5/calc_preds.py" in result.output
    rows = [line.split()[1] for line in result.output.splitlines() if line.startswith("│")]
    assert rows.index("bmi") < rows.index("value") < rows.index("triple_relu") < rows.index("mae") \
        < rows.index("calc_preds") < rows.index("best_threshold")


def test_piped_output_is_neither_wrapped_nor_padded(course):
    """`!grader check` in a notebook cell: stdout is a pipe, and lines stay whole, without padding."""
    (course / "exercises/week5/calc_preds.py").write_text(
        "import torch\ndef calc_preds(coeffs, indeps):\n    return (indeps @ coeffs).squeeze()\n")
    env = dict(os.environ, GRADER_COURSE=str(course), COLUMNS="80")
    env.pop("CI", None)
    outputs = {}
    for command in (["check", "calc_preds"], ["list"], ["status"], ["hint", "calc_preds"]):
        done = subprocess.run([GRADER, *command], env=env, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in done.stderr, done.stderr
        outputs[command[0]] = done.stdout
        assert not [line for line in done.stdout.splitlines() if line != line.rstrip()], command
    call = [line for line in outputs["check"].splitlines() if "coeffs of shape k by 1: calc_preds(" in line]
    assert len(call) == 1 and len(call[0]) > 120 and call[0].endswith("expected shape (4, 1), got shape (4,)")
    assert max(len(line) for line in outputs["list"].splitlines()) < 120     # a table as wide as its cells
    assert len(outputs["hint"].splitlines()) == 2 and len(outputs["hint"].splitlines()[1]) > 80

def test_check_fails_on_the_stubs_and_passes_once_solved(course, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = run("check", "calc_preds")
    assert result.exit_code == 1
    assert result.output.startswith(f"Checking {course / 'exercises'}\n")
    assert result.output.count("not written yet") == 1
    assert "not written yet: calc_preds raises NotImplementedError (week5/calc_preds.py, line 23) — " \
           "replace the TODO" in result.output
    assert "hint:" not in result.output and "grader hint EXERCISE" in result.output
    assert "Score: 0/5 public points (the other 5 of 10 are hidden checks your instructor runs)" in result.output
    assert "hint:" in run("check", "calc_preds", "--hint").output
    shutil.copy(course / "solutions/week5/calc_preds.py", course / "exercises/week5/calc_preds.py")
    result = run("check", "calc_preds")
    assert result.exit_code == 0 and "Score: 5/5 public points" in result.output and "hint" not in result.output


def _sample_block(readme: Path, indent: str = "") -> list[str]:
    """The README's sample output of `grader check`: the fenced block that starts with '✗ calc_preds'."""
    blocks, block = [], None
    for line in readme.read_text().splitlines():
        if line.strip().startswith("```"):
            if block is None:
                block = []
            else:
                blocks.append(block)
                block = None
        elif block is not None:
            block.append(line.removeprefix(indent))
    (sample,) = [b for b in blocks if b and b[0].startswith("✗ calc_preds")]
    return sample


def test_the_readmes_sample_output_is_what_check_prints(course):
    """README.md and the students' README show the output of a calc_preds that returns a row where a
    column is expected: exactly what `grader check calc_preds` prints for it."""
    (course / "exercises/week5/calc_preds.py").write_text(
        "import torch\n\n\ndef calc_preds(coeffs, indeps):\n"
        "    return torch.sigmoid((indeps * coeffs.flatten()).sum(dim=1))\n")
    printed = run("check", "calc_preds").output.splitlines()
    for sample in (_sample_block(COURSE / "README.md"),
                   _sample_block(COURSE / "grader/release/templates/README.md", "   ")):
        assert len(sample) == 4
        start = printed.index(sample[0])
        assert printed[start:start + len(sample)] == sample


def test_check_names_an_unknown_exercise(course):
    result = run("check", "nope")
    assert result.exit_code == 1 and "unknown exercise nope; `grader list` shows the exercises" in result.output


def test_check_a_notebook_checks_the_exercises_it_defines(course, monkeypatch):
    import nbformat

    monkeypatch.setenv("COLUMNS", "200")
    solutions = {e.id: (course / "solutions" / e.path).read_text() for e in load_exercises()}
    cells = [nbformat.v4.new_code_cell("!pip install -q fastai\nfrom fastai.basics import *"),
             nbformat.v4.new_code_cell(solutions["calc_preds"]),
             nbformat.v4.new_code_cell(solutions["triple_relu"].replace("return", "return 2 *", 1))]
    notebook = course / "mine.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)
    result = run("check", str(notebook))
    assert result.output.startswith(f"Checking {notebook}\n"), result.output
    assert f"✓ calc_preds  5/5  {notebook}" in result.output and "✗ triple_relu" in result.output
    assert "gradient_step" not in result.output  # not in the notebook: not checked
    assert "Score: " in result.output and "/10 public points" in result.output and result.exit_code == 1
    assert run("check", str(notebook), "calc_preds").output.count("✓ calc_preds") == 1
    (course / "other.py").write_text("x = 1\n")
    for args, words in ((["nope.ipynb"], "there is no file nope.ipynb"),
                        (["a.ipynb", "b.py"], "check one notebook at a time"),
                        ([str(course / "other.py")], "defines none of the course's functions")):
        result = CliRunner().invoke(main, ["check", *args])
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_released_copy_checked_by_another_grader_says_which_to_use(tmp_path, monkeypatch):
    shutil.copytree(COURSE / "exercises", tmp_path / "exercises")
    (tmp_path / "grader" / "checks").mkdir(parents=True)
    (tmp_path / "grader" / "checks" / "recorded.wire").write_bytes(b"")
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    result = CliRunner().invoke(main, ["check", "calc_preds"])
    assert result.exit_code == 1 and "is a copy made by `grader release`, but the grader running is not its own" \
        in result.output and f"pip install -e .` in {tmp_path}" in result.output


def test_grade_writes_one_results_file_per_submission(course, tmp_path):
    good = tmp_path / "good.py"
    exercises = load_exercises()
    total = int(sum(e.points for e in exercises))
    good.write_text("\n\n".join((course / "solutions" / p).read_text() for p in dict.fromkeys(e.path for e in exercises)))
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not a notebook")
    out = tmp_path / "reports"
    result = run("grade", str(good), str(broken), str(course / "exercises"), "--out", str(out), "-j", "2",
                 "--seed", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["broken.json", "exercises.json", "good.json"]
    assert json.loads((out / "good.json").read_text())["score"] == total
    broken_results = json.loads((out / "broken.json").read_text())
    assert broken_results["score"] == 0 and "is not a readable notebook" in broken_results["tests"][0]["output"]
    assert "good" in result.output and f"{total}/{total}" in result.output


def test_grade_json_takes_one_submission(course, tmp_path):
    result = run("grade", str(course / "solutions"), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())["max_score"] == sum(e.points for e in load_exercises())
    result = run("grade", str(course / "solutions"), str(course / "exercises"), "--json", "x.json")
    assert result.exit_code == 1 and "--json takes one submission" in result.output


def test_grade_without_solutions_is_an_error(course):
    shutil.rmtree(course / "solutions")
    result = run("grade", str(course / "exercises"))
    assert result.exit_code == 1 and "has no solutions/ folder" in result.output


def test_validate_passes_on_the_course(course):
    result = run("validate")
    assert result.exit_code == 0 and "The course is sound" in result.output


def test_validate_names_what_is_wrong(course):
    stub = course / "exercises/week5/calc_preds.py"
    stub.write_text(stub.read_text().replace("# TODO:", "#"))
    (course / "solutions/week5/extra.py").write_text("x = 1\n")
    result = run("validate")
    assert result.exit_code == 1
    assert "calc_preds: exercises/week5/calc_preds.py has no TODO" in result.output
    assert "solutions/week5/extra.py has no counterpart in exercises/" in result.output


def test_validate_catches_a_stub_that_scores(course):
    stub = course / "exercises/week5/calc_preds.py"
    stub.write_text(stub.read_text() + "\n# TODO: NotImplementedError\ndef calc_preds(c, i):\n"
                    "    import torch\n    return torch.sigmoid(i @ c)\n")
    result = run("validate")
    assert result.exit_code == 1 and "calc_preds: the stub scores 10 points instead of zero" in result.output


def test_grade_refuses_a_path_that_does_not_exist(course, tmp_path):
    result = run("grade", str(tmp_path / "typo.py"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_grade_reports_results_it_cannot_write(course, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("grade", str(course / "solutions"), "--json", str(blocker / "r.json"))
    assert result.exit_code == 1
    assert "could not be graded or their results not written" in result.output


# ------------------------------------------------------------------ ending well: Ctrl-C, closed pipes, no course

GRADER = Path(sys.executable).parent / "grader"
SLOW = "import time\nimport torch\n\n\ndef calc_preds(coeffs, indeps):\n    time.sleep(30)\n" \
       "    return torch.sigmoid(indeps @ coeffs)\n"


def _interrupt(args, started, cwd, env, delay=4.0):
    """Run the installed `grader` in a pty, press Ctrl-C `delay` seconds after `started` has shown
    (the slow submission keeps grading busy far longer), return the output and exit status."""
    pexpect = pytest.importorskip("pexpect")
    # Bytes, not text: the terminal echoes ^C wherever it lands, even inside a spinner's character.
    child = pexpect.spawn(str(GRADER), args, cwd=str(cwd), env=env, timeout=180)
    child.expect(started.encode())
    time.sleep(delay)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return child.before.decode("utf-8", "replace"), child.exitstatus


def _visible_lines(output):
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output).replace("^C", "")  # the terminal's own echo of Ctrl-C
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


@pytest.mark.parametrize("delay", [1.0, 4.0])  # while torch loads, and while a check runs
def test_ctrl_c_in_check_prints_one_line_and_exits_130(course, delay):
    (course / "exercises/week5/calc_preds.py").write_text(SLOW)
    env = dict(os.environ, GRADER_COURSE=str(course), COLUMNS="100")
    output, status = _interrupt(["check", "calc_preds", "--timeout", "60", "--cpu-time", "10"], "Checking",
                                course, env, delay)
    assert status == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output and "Aborted" not in output
    assert _visible_lines(output)[-1] == "Interrupted." and output.count("Interrupted.") == 1


def test_ctrl_c_in_grade_stops_the_workers_quietly(course, tmp_path):
    subs = []
    for name in ("s1", "s2"):
        shutil.copytree(course / "exercises", tmp_path / name)
        (tmp_path / name / "week5/calc_preds.py").write_text(SLOW)
        subs.append(str(tmp_path / name))
    env = dict(os.environ, GRADER_COURSE=str(course), COLUMNS="100")
    output, status = _interrupt(["grade", *subs, "-j", "2", "--timeout", "60", "--cpu-time", "10"], "Grading",
                                tmp_path, env)
    assert status == 130, output
    assert "Traceback" not in output and "BrokenPipeError" not in output and "KeyboardInterrupt" not in output
    assert _visible_lines(output)[-1] == "Interrupted." and output.count("Interrupted.") == 1


def test_a_closed_stdout_prints_no_traceback(course):
    env = dict(os.environ, GRADER_COURSE=str(course))
    done = subprocess.run(f"'{GRADER}' check calc_preds | head -1", shell=True, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.startswith("Checking ") and done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr


def test_check_outside_a_course_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_COURSE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert f"{tmp_path} is not inside a course: cd into the course folder (the one with exercises/)" in result.output
    assert "GRADER_COURSE" in result.output and "Checking" not in result.output and "solutions" not in result.output


def test_hint_is_shown_on_request(course):
    result = run("hint", "calc_preds")
    assert result.exit_code == 0 and "hint:" in result.output and "lab sheet" in result.output
    result = run("hint", "nope")
    assert result.exit_code == 1 and "unknown exercise nope; `grader list` shows the exercises" in result.output
    result = run("hint", "calc_pred")
    assert result.exit_code == 1
    assert "unknown exercise calc_pred (did you mean calc_preds?); `grader list` shows the exercises" in result.output
    assert "did you mean calc_preds?" in run("check", "calc_pred").output


def test_hint_without_a_name_gives_the_current_exercises(course):
    """The first exercise, in the order of the course, that did not pass its last check."""
    from grader.student.state import State

    exercises = {e.id: e for e in load_exercises()}
    result = run("hint")
    assert result.exit_code == 0 and result.output.startswith("loss_slope  exercises/week1/multiplier.py\n")
    assert f"hint: {exercises['loss_slope'].hint[:40]}" in result.output

    def results(passing: list[str], failing: list[str]) -> dict:
        tests = [{"name": f"{e}: c", "tags": [e], "score": 1.0 * (e in passing), "max_score": 1.0,
                  "status": "passed" if e in passing else "failed", "output": ""} for e in passing + failing]
        return {"tests": tests}

    state = State(course)
    state.record_results(results(["loss_slope", "fit_multiplier", "bmi"], ["calc_preds"]), list(exercises.values()))
    assert run("hint").output.startswith("count_dense_parameters  exercises/week1/parameters.py\n")
    week1_to_lab3 = [e for e in exercises if e not in ("gradient_step", "calc_preds", "fill_missing_with_mode",
                                                       "f1_at_threshold", "normalize_columns", "calc_loss",
                                                       "accuracy", "add_log_fare", "add_dummies", "best_threshold")]
    state.record_results(results(week1_to_lab3, []), list(exercises.values()))
    assert run("hint").output.startswith("gradient_step  exercises/week5/gradient_step.py\n")
    # A file checked by name is not the student's own work: it moves nothing.
    state.record_results(results(list(exercises), []), list(exercises.values()), "/elsewhere/alice.py")
    assert run("hint").output.startswith("gradient_step  ")
    state.record_results(results(list(exercises), []), list(exercises.values()), "notebooks/week5.ipynb")
    result = run("hint")
    assert result.exit_code == 0 and result.output.startswith("Every exercise passed when you last checked it.")


# ------------------------------------------------------------------ quiz messages are written for a person

QUIZ = "week1-hello-deep-learning"


@pytest.mark.parametrize("content, says", [
    ("[1, 2]", 'expected {"quiz": "week1-hello-deep-learning", "answers": {QUESTION_ID: ANSWER}}'),
    ("{bad", "not valid JSON"),
    ('{"answers": {}}', 'says no quiz; add "quiz": "week1-hello-deep-learning" to it'),
    ('{"quiz": "other", "answers": {}}', "holds answers to quiz 'other', not 'week1-hello-deep-learning'"),
    ('{"quiz": "week1-hello-deep-learning", "answers": []}', "expected {"),
    ('{"quiz": "week1-hello-deep-learning", "answers": {"llm-next-word": {"x": 1}}}',
     "takes one option label such as"),
])
def test_a_bad_answers_file_gets_a_one_line_message(tmp_path, content, says):
    answers = tmp_path / "answers.json"
    answers.write_text(content)
    result = run("quiz", "score", QUIZ, str(answers))
    assert result.exit_code == 1 and says in result.output
    assert "None" not in result.output and "object has no attribute" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_unknown_quiz_says_how_to_find_one():
    result = run("quiz", "take", "nope")
    assert result.exit_code == 1 and "unknown quiz 'nope'" in result.output and "grader quiz list" in result.output


@pytest.mark.parametrize("progress", ["[1]", "{bad", '{"quiz": "week1-hello-deep-learning", "order": [1, "a"], '
                                      '"answers": {}}', '{"quiz": "week1-hello-deep-learning", "answers": [3]}'])
def test_an_unusable_progress_file_is_set_aside_with_a_reason(tmp_path, monkeypatch, progress):
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / ".grader/quiz-progress" / f"{QUIZ}.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(progress)
    result = CliRunner().invoke(main, ["quiz", "take", QUIZ], input="", catch_exceptions=False)
    assert "Traceback" not in result.output
    if progress.startswith('{"quiz"') and '"order"' in progress:
        assert "Your saved progress could not be used" not in result.output  # only the order is ignored
    else:
        assert "Your saved progress could not be used" in result.output
        assert (saved.parent / f"{QUIZ}.json.unreadable").read_text() == progress


def test_a_quiz_file_with_broken_markdown_names_the_line(tmp_path):
    text = (COURSE / "quizzes" / f"{QUIZ}.md").read_text()
    (tmp_path / f"{QUIZ}.md").write_text(text.replace("## dl-experience (2 points)", "## dl-experience (two points)"))
    result = run("quiz", "--quizzes", str(tmp_path), "take", QUIZ)
    assert result.exit_code == 1 and "malformed question heading" in result.output and ".md:14:" in result.output
    (tmp_path / f"{QUIZ}.md").write_bytes(b"\xff\xfe")
    result = run("quiz", "--quizzes", str(tmp_path), "list")
    assert result.exit_code == 1 and ".md: the file is not UTF-8 text; save it as UTF-8" in result.output
