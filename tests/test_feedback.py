"""Feedback: nothing a submission says is shown raw, and what is shown can be acted on."""

import io
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from rich.console import Console

from grader.checking import show, show_call
from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, build_results, exercise_scores, grade_many
from grader.grading.references import load_reference
from grader.reports.table import class_table, submission_note
from grader.student.feedback import print_feedback
from grader.safetext import clean, identifier
from grader.sandbox.host import _student_error
from grader.submission import read_submission

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}
TOTAL = sum(e.points for e in EXERCISES)
#: The course's first five exercises (the sample class's): a class table of five columns leaves its
#: names and notes room to be read whole at the width these tests render.
CORE = ("triple_relu", "gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold")
CORE_EXERCISES = [e for e in EXERCISES if e.id in CORE]


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=11, timeout=2.0)) as g:
        yield g


def submission(tmp_path, name="student.py", **replacements):
    parts = [SOLUTIONS[e.id] for e in EXERCISES if e.id not in replacements]
    path = tmp_path / name
    path.write_text("\n\n".join(parts + list(replacements.values())))
    return path


def outputs(results, exercise, tag):
    return [t["output"] for t in results["tests"] if t["tags"] == [exercise, tag] and t["status"] == "failed"]


def render(renderable, **kwargs) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200, force_terminal=True, color_system="truecolor", **kwargs).print(renderable)
    return buffer.getvalue()


# ------------------------------------------------------------------ point 6: cleaning and caps


def test_clean_strips_escapes_and_caps():
    hostile = "a\x1b[2J\x1b]0;owned\x07b\u202ec\x00d\ud800e\r\nf"
    assert clean(hostile) == "a[2J]0;ownedbcde\nf"
    assert clean("x\ny\tz", lines=False) == "x y z"
    assert clean("[bold green]50 of 50") == "[bold green]50 of 50"  # markup is kept as text, never read
    long = clean("y" * 10_000, 100)
    assert long.startswith("y" * 100) and "9,900 more characters" in long and len(long) < 130


def test_identifier_accepts_only_short_names():
    assert identifier("ValueError") == "ValueError"
    assert identifier("torch.OutOfMemoryError") == "torch.OutOfMemoryError"
    assert identifier("X" * 3_000_000) == "Exception"
    assert identifier("Bad name[red]") == "Exception" and identifier(None) == "Exception"


def test_the_host_caps_what_the_child_reports_about_an_exception():
    error = _student_error({"ok": False, "error": {"type": "E" * 3_000_000, "message": "m\x1b]8;;x\x07" * 100_000,
                                                    "line": 10**12}})
    assert error.type == "Error" and len(error.message) < 600 and "\x1b" not in error.message
    assert error.line is None


def test_a_huge_exception_type_name_makes_a_small_results_file(grader, tmp_path):
    wrong = ("def calc_preds(coeffs, indeps):\n"
             "    raise type('E' * 3_000_000, (Exception,), {})('x' * 3_000_000)\n")
    results = grader.grade(submission(tmp_path, calc_preds=wrong))
    size = len(json.dumps(results))
    assert size < 100_000, size
    assert exercise_scores(results, EXERCISES)["calc_preds"][0] == 0
    assert any("raised Error" in o for o in outputs(results, "calc_preds", "public"))


def test_hidden_checks_do_not_name_a_submissions_own_exception_type(grader, tmp_path):
    # The class's name carries the input: shown on public checks (the input is public), never on hidden ones.
    wrong = ("def calc_preds(coeffs, indeps):\n"
             "    name = 'Input' + '_'.join(str(abs(int(v * 1000))) for v in coeffs.flatten().tolist())\n"
             "    raise type(name, (Exception,), {})()\n"
             "\n\ndef f1_at_threshold(y_true, y_prob, threshold=0.5):\n"
             "    raise KeyError(repr(list(y_prob)))\n")
    results = grader.grade(submission(tmp_path, calc_preds=wrong, f1_at_threshold=""))
    assert any("raised Input300_800_500" in o for o in outputs(results, "calc_preds", "public"))
    hidden = outputs(results, "calc_preds", "hidden")
    assert hidden and all("Input" not in o and "raised an exception" in o for o in hidden)
    f1_hidden = outputs(results, "f1_at_threshold", "hidden")
    assert f1_hidden and all("raised KeyError" in o and "[" not in o.split("raised", 1)[1] for o in f1_hidden)


def test_a_hidden_backward_error_does_not_carry_its_message(grader, tmp_path):
    wrong = ("import torch\n"
             "class Leak(torch.autograd.Function):\n"
             "    @staticmethod\n"
             "    def forward(ctx, x):\n"
             "        ctx.save_for_backward(x)\n"
             "        return x.clone()\n"
             "    @staticmethod\n"
             "    def backward(ctx, g):\n"
             "        (x,) = ctx.saved_tensors\n"
             "        raise RuntimeError('LEAK' + repr(x.tolist()))\n"
             "def calc_preds(coeffs, indeps):\n"
             "    return torch.sigmoid(indeps @ Leak.apply(coeffs))\n")
    results = grader.grade(submission(tmp_path, calc_preds=wrong))
    assert any("LEAK" in o for o in outputs(results, "calc_preds", "public"))
    hidden = outputs(results, "calc_preds", "hidden")
    assert hidden and not any("LEAK" in o for o in hidden)
    assert any(o == "failed on a hidden input: wrong value" for o in hidden)  # the fixed vocabulary, no more


def test_output_printed_during_hidden_checks_is_never_kept(grader, tmp_path):
    # calc_preds prints its input; f1_at_threshold prints every input calc_preds has seen so far.
    spy = ("import torch\nSEEN = []\n"
           "def calc_preds(coeffs, indeps):\n"
           "    SEEN.append(f'{indeps.dtype} {tuple(indeps.shape)}')\n"
           "    print('CALC', SEEN[-1])\n"
           "    return torch.sigmoid(indeps @ coeffs)\n")
    f1 = SOLUTIONS["f1_at_threshold"].replace("def f1_at_threshold(y_true, y_prob, threshold=0.5):",
                                              "def f1_at_threshold(y_true, y_prob, threshold=0.5):\n"
                                              "    print('SO FAR', SEEN)")
    assert f1 != SOLUTIONS["f1_at_threshold"]
    results = grader.grade(submission(tmp_path, calc_preds=spy, f1_at_threshold=f1))
    assert results["score"] == TOTAL  # the spies still answer right, every other exercise is the reference
    extra = results["extra_data"]
    everything = json.dumps(results)
    public_shape = "torch.float32 (4, 3)"
    assert f"CALC {public_shape}" in extra["printed_by_exercise"]["calc_preds"]
    assert "SO FAR" in extra["printed_by_exercise"]["f1_at_threshold"]
    # Every hidden input has another shape or dtype; none of them appears anywhere in the results.
    kept = re.findall(r"torch\.float\d+ \(\d+, \d+\)", everything)
    assert kept and set(kept) == {public_shape}
    assert extra["printed"].count("CALC") == 3  # the three public calls


def test_a_file_name_with_markup_or_escapes_is_shown_as_written(grader, tmp_path):
    spoof = tmp_path / "[bold green]50 of 50.py"
    spoof.write_text("")
    escape = tmp_path / "x\x1b]0;owned\x07\x1b[2Jy.py"
    escape.write_text("")
    rows = [(p.stem, grader.grade(p), None) for p in (spoof, escape)]
    rows.append(("\x1b[31mboom", None, "worker \x1b]8;;http://x\x07stopped"))
    text = render(class_table(rows, CORE_EXERCISES))
    assert "[bold green]50 of 50" in text
    assert "\x1b]" not in text and "\x1b[2J" not in text and "\x1b[31mboom" not in text
    assert "x]0;owned[2Jy" in text and "is empty" in text


# ------------------------------------------------------------------ point 7: feedback to act on


def test_a_stub_is_said_once_per_exercise(grader):
    results = grader.grade(COURSE / "exercises")
    text = _feedback(results)
    for exercise in EXERCISES:
        assert text.count(f"not written yet: {exercise.function} raises NotImplementedError") == 1
    assert "•" not in text  # no check is listed one by one


def _feedback(results, **kwargs):
    buffer = io.StringIO()
    print_feedback(Console(file=buffer, width=300), results, EXERCISES, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("value", [
    torch.tensor([0.1, 1 / 3, 1e-8, 3.4e38, float("nan"), float("inf"), -float("inf"), -0.0]),
    torch.tensor([0.1, 1 / 3], dtype=torch.float64),
    torch.tensor([[1, 2], [3, 4]]),
    torch.tensor([1, 2], dtype=torch.int32),
    torch.tensor([True, False]),
    torch.tensor([0.5, 2.0], dtype=torch.float16),
    torch.empty(0, 3),
    torch.tensor([], dtype=torch.int64),
    torch.tensor(1.5, requires_grad=True),
    torch.nn.Parameter(torch.tensor([0.25, -1.0])),
    np.array([0.1, float("nan")]),
    np.array([0.1, 1 / 3], dtype=np.float32),
    np.array([[1, 2]]),
])
def test_a_shown_array_rebuilds_the_same_values(value):
    text = show(value)
    back = eval(text, {"torch": torch, "np": np})
    assert type(back) is type(value) and back.dtype == value.dtype and tuple(back.shape) == tuple(value.shape)
    if isinstance(value, torch.Tensor):
        assert back.requires_grad == value.requires_grad
        assert torch.equal(torch.nan_to_num(back.detach().double(), nan=7.0),
                           torch.nan_to_num(value.detach().double(), nan=7.0))
        assert torch.equal(torch.signbit(back.detach()), torch.signbit(value.detach()))
    else:
        np.testing.assert_array_equal(back, value)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"Age": [22.0, None, 26.0], "Embarked": ["S", None, "Q"], "Pclass": [3, 1, 3]}),
    pd.DataFrame({"a": [1, None]}, dtype="Int64", index=[5, 7]),
    pd.DataFrame({"a": pd.Series(["x", None], dtype=object)}),
    pd.DataFrame({"a": [], "b": []}),
])
def test_a_shown_frame_rebuilds_the_same_frame(frame):
    back = eval(show(frame), {"pd": pd})
    pd.testing.assert_frame_equal(back, frame)


def test_a_public_call_is_shown_in_full_and_a_tensor_with_a_gradient_is_set_up_first():
    big = torch.arange(500, dtype=torch.float32) / 7
    text = show_call("f", (big,))
    assert "..." not in text and text.endswith(", " + str(np.float32(big[-1].item())) + "]))")
    assert torch.equal(eval(text[2:-1], {"torch": torch}), big)
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    p.grad = torch.tensor([0.5, -1.0])
    text = show_call("gradient_step", ([p], 0.1))
    assert text == ("p1 = torch.tensor([1.0, 2.0], requires_grad=True); p1.grad = torch.tensor([0.5, -1.0]); "
                    "gradient_step([p1], 0.1)")
    namespace = {"torch": torch, "gradient_step": lambda params, lr: params}
    *setup, call = text.split("; ")
    exec("; ".join(setup), namespace)
    [q] = eval(call, namespace)
    assert torch.equal(q, p) and torch.equal(q.grad, p.grad) and q.requires_grad


def _call_of(message: str) -> str:
    """The pasteable part of a failure message: up to the close of the call's parenthesis."""
    depth, start = 0, message.index("(")
    for i, char in enumerate(message[start:], start):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return message[: i + 1]
    raise AssertionError(message)


def test_a_failing_public_call_pasted_with_the_reference_gives_the_expected_value(tmp_path):
    wrong = {
        "triple_relu": "import torch\ndef triple_relu(m1, b1, m2, b2, m3, b3, x):\n"
                       "    return torch.relu(m1 * x + b1) + torch.relu(m2 * x + b2) + 0 * x\n",
        "calc_preds": "import torch\ndef calc_preds(coeffs, indeps):\n    return (indeps @ coeffs) * 1.0\n",
        "f1_at_threshold": "def f1_at_threshold(y_true, y_prob, threshold=0.5):\n"
                           "    if len(y_true) != len(y_prob):\n        raise ValueError('lengths')\n"
                           "    return 0.125\n",
    }
    with Grader(COURSE, GradeOptions(hidden=False, timeout=2.0)) as g:
        results = g.grade(submission(tmp_path, **wrong))
    references = {e.function: load_reference(COURSE / "solutions" / e.path, e) for e in EXERCISES}
    checked = 0
    for test in results["tests"]:
        message = test["output"]
        function = test["tags"][0]
        if test["status"] != "failed" or not message.startswith(f"{function}(") or "gradient" in message:
            continue
        call = _call_of(message)
        namespace = {"torch": torch, "np": np, "pd": pd, function: getattr(references[function], function)}
        got = eval(call, namespace)
        if match := re.search(r"at index (\d+) expected (\S+),", message):
            assert f"{got.detach().flatten()[int(match[1])].item():.6g}" == match[2]
            checked += 1
        elif match := re.search(r": expected ([-0-9.e]+), got", message):
            assert math.isclose(got, float(match[1]))
            checked += 1
    assert checked >= 5, results["tests"]


def test_check_shows_what_the_code_printed_bounded(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import main

    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    target = tmp_path / "exercises/week5/calc_preds.py"
    target.write_text(SOLUTIONS["calc_preds"].replace(
        "def calc_preds(coeffs, indeps):",
        "def calc_preds(coeffs, indeps):\n    for i in range(50):\n        print(f'line {i} \\x1b[31m[red]x[/red]')"))
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(main, ["check", "calc_preds"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "your code printed:" in result.output
    assert "│ line 0 [31m[red]x[/red]" in result.output and "\x1b" not in result.output
    assert result.output.count("│ line ") == 40 and "more lines not shown" in result.output


def test_notes_from_the_grading_run_are_shown_under_the_score():
    results = {"score": 0, "max_score": 5, "tests": [], "extra_data": {"notes": ["cell 3 raised \x1b[2JOops"]}}
    text = _feedback(results)
    assert "note: cell 3 raised [2JOops" in text and "\x1b" not in text


def test_read_submission_says_what_is_wrong_with_a_file(tmp_path):
    cases = {
        "empty.py": (b"", "empty.py is empty"),
        "binary.py": (b"\xff\xfe\x00\x01", "binary.py is not UTF-8 text"),
        "nulls.py": (b"x = 1\x00\n", "nulls.py is not a text file"),
        "broken.ipynb": (b"{ not json", "broken.ipynb is not a readable notebook"),
        "README.md": (b"# hello", "README.md is not a .py file, a notebook or a folder"),
    }
    for name, (data, problem) in cases.items():
        (tmp_path / name).write_bytes(data)
        read = read_submission(tmp_path / name, EXERCISES)
        assert not read.sources and set(read.problems) == {e.id for e in EXERCISES}
        assert all(p.startswith(problem) for p in read.problems.values()), read.problems


def test_the_class_table_gives_the_reason_for_a_zero(tmp_path):
    files = {"empty.py": b"", "binary.py": b"\xff\xfe\x00", "broken.ipynb": b"{ nope", "README.md": b"# hi",
             "syntax.py": b"def triple_relu(:\n    pass\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    folder = tmp_path / "partial"
    (folder / "week5").mkdir(parents=True)
    (folder / "week5/calc_preds.py").write_text(SOLUTIONS["calc_preds"])
    (tmp_path / "one_file.py").write_text(SOLUTIONS["calc_preds"] + "\n\n" + SOLUTIONS["f1_at_threshold"])
    paths = [tmp_path / n for n in files] + [folder, tmp_path / "one_file.py"]
    graded = list(grade_many(COURSE, paths, GradeOptions(hidden=False, timeout=2.0, exercises=CORE), jobs=1))
    notes = {g.path.name: submission_note(g.results) for g in graded}
    assert notes == {"empty.py": "empty.py is empty", "binary.py": "binary.py is not UTF-8 text",
                     "broken.ipynb": notes["broken.ipynb"], "README.md": "README.md is not a .py file, a notebook "
                     "or a folder", "syntax.py": "SyntaxError in syntax.py, line 1: invalid syntax",
                     "partial": "no file for 4 exercises", "one_file.py": "3 functions not defined"}
    assert notes["broken.ipynb"].startswith("broken.ipynb is not a readable notebook")
    rows = [(g.path.stem, g.results, None) for g in graded]
    text = render(class_table(rows, CORE_EXERCISES))
    assert "notes" in text and "no file for 4 exercises" in text and "empty.py is empty" in text


def test_a_load_error_is_the_note_of_the_class_table(grader, tmp_path):
    path = submission(tmp_path)
    path.write_text(path.read_text() + "\nraise RuntimeError('at import')\n")
    note = submission_note(grader.grade(path))
    assert re.fullmatch(r"loading student\.py raised RuntimeError: at import \(line \d+\)", note), note


def test_a_long_note_keeps_the_error_and_is_cut_at_a_word():
    error = ("loading heidi.py raised FileNotFoundError: [Errno 2] No such file or directory: 'train.csv' (line 44); "
             "the grader imports your file, so put work that is not a definition under `if __name__ == ...`")
    results = {"extra_data": {"problems": {"calc_preds": error}}}
    assert submission_note(results) == error.split("; ")[0]
    long = {"extra_data": {"problems": {"calc_preds": "cell 3 raised ValueError: " + "word " * 60}}}
    note = submission_note(long)
    assert note.endswith(" …") and len(note) <= 122 and note.startswith("cell 3 raised ValueError: word word")
    hostile = {"extra_data": {"problems": {"x": "\x1b[2J" + "y" * 500}}}
    assert "\x1b" not in submission_note(hostile) and len(submission_note(hostile)) <= 122


def test_hints_are_nudges_without_the_answers_code():
    for exercise in EXERCISES:
        hint = exercise.hint
        assert len(hint) > 80 and "`" not in hint and "@" not in hint
        assert not re.search(r"[A-Za-z_][\w.]*\(", hint), (exercise.id, hint)  # no call of anything
        code = [line.strip() for line in SOLUTIONS[exercise.id].splitlines()
                if line.strip() and not line.strip().startswith(("#", "def ", '"""', "import", "from"))]
        assert not any(len(line) > 12 and line in hint for line in code)
        assert re.search(r"lab sheet|lesson|notes", hint, re.I), exercise.id


def test_build_results_caps_every_output(grader, tmp_path):
    class Run:  # the least of a GradingRun that build_results reads
        submission = read_submission(tmp_path / "x.py", EXERCISES)
        seed, printed, printed_by, notes = 1, "p" * 100_000, {"calc_preds": "p" * 100_000}, ["n" * 100_000]
        failed_loads, undefined = {}, {"triple_relu": "triple_relu is not defined in " + "y" * 100_000}
        results = [type("R", (), {"exercise": "calc_preds", "name": "n", "points": 1.0, "hidden": False,
                                  "passed": False, "output": "o\x1b[2J" * 100_000, "file": None,
                                  "line": None, "score": 0.0, "leaderboard": None})()]
    results = build_results(Run(), 1.0, "full")
    assert len(results["tests"][0]["output"]) < 2100 and "\x1b" not in results["tests"][0]["output"]
    assert all(len(note) <= 400 for note in results["extra_data"]["notes"])
    assert len(results["extra_data"]["printed"]) <= 2000
    assert len(results["extra_data"]["printed_by_exercise"]["calc_preds"]) < 4200
    assert all(len(problem) <= 400 for problem in results["extra_data"]["problems"].values())


def test_a_large_course_shows_a_column_per_folder_in_the_class_table():
    from grader.reports.table import MAX_EXERCISE_COLUMNS, column_groups

    assert len(EXERCISES) > MAX_EXERCISE_COLUMNS
    groups = column_groups(EXERCISES)
    folders = [name for name, _ in groups]
    assert folders == sorted(folders, key=lambda f: (int("".join(c for c in f if c.isdigit())), f.startswith("lab")))
    assert sorted(e.id for _, members in groups for e in members) == sorted(e.id for e in EXERCISES)
    # A submission with full marks on week 5 only: its week5 column is full, the others empty.
    week5 = [e for e in EXERCISES if e.path.startswith("week5/")]
    tests = [{"name": f"{e.id}: c", "score": float(e.points if e in week5 else 0), "max_score": float(e.points),
              "tags": [e.id, "public"]} for e in EXERCISES]
    results = {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
               "execution_time": 0.1, "tests": tests, "extra_data": {}}
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(class_table([("sam", results, None)], EXERCISES))
    text = console.export_text()
    week5_points = sum(e.points for e in week5)
    assert f"{week5_points:g}/{week5_points:g}" in text and "points per folder of exercises/" in text
    assert not [e.id for e in EXERCISES if re.search(rf"\b{e.id}\b", text)]  # no column per exercise
    assert "week1" in text and "lab5" in text
