"""The interactive session: typed input, hints, feedback, Ctrl-C and resume.

Unit tests drive `run_session` with a scripted reader; the pexpect tests run the real
`grader quiz take` in a pseudo-terminal as a student would.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader.quiz.parse import load_quiz
from grader.quiz.model import readable_answer, readable_pattern
from grader.quiz.take import parse_response, reader, run_session

from .conftest import FIXTURES


class Script:
    """A reader that returns scripted lines; a KeyboardInterrupt item simulates Ctrl-C."""

    def __init__(self, *lines):
        self.lines = list(lines)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        item = self.lines.pop(0)
        if item is KeyboardInterrupt:
            raise KeyboardInterrupt
        return item


def session(quiz, script, tmp_path, **kw):
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    outcome = run_session(quiz, console, script, tmp_path / "progress.json", tmp_path / "answers.json", **kw)
    return outcome, out.getvalue()


@pytest.fixture
def three():
    return load_quiz(FIXTURES / "three.md")


@pytest.mark.parametrize("qid, typed, expected", [
    ("relu-negative", "b", "B"), ("relu-negative", " B ", "B"),
    ("softmax-props", "A,C", ["A", "C"]), ("softmax-props", "a c", ["A", "C"]),
    ("softmax-props", "c; a", ["A", "C"]), ("softmax-props", "AC", ["A", "C"]),
    ("is-linear", "t", True), ("is-linear", "true", True), ("is-linear", "F", False),
    ("lr-value", "1/2", "1/2"), ("lr-value", "-6", "-6"), ("lr-value", "8.1e1", "8.1e1"),
    ("train-steps", "C A D B", ["C", "A", "D", "B"]), ("train-steps", "c,a,d,b", ["C", "A", "D", "B"]),
    ("train-steps", "cadb", ["C", "A", "D", "B"]),
    ("first-step", "forward pass", "forward pass"),
])
def test_parse_response(all_types, qid, typed, expected):
    assert parse_response(all_types.question(qid), typed) == expected


@pytest.mark.parametrize("qid, typed, words", [
    ("relu-negative", "E", "one letter, A–C"), ("relu-negative", "A,B", "one letter"),
    ("softmax-props", "A,Z", "no option Z"), ("is-linear", "maybe", "t (true) or f (false)"),
    ("lr-value", "half", "Please enter a number"), ("train-steps", "A B C", "exactly once"),
    ("train-steps", "A B C E", "no item E"), ("first-step", "   ", "Please type an answer"),
])
def test_parse_response_rejects(all_types, qid, typed, words):
    with pytest.raises(ValueError) as info:
        parse_response(all_types.question(qid), typed)
    assert words in str(info.value)


def test_full_session_with_hint_and_invalid_input(three, tmp_path):
    script = Script("zz", "?", "B", "one half", "0.5", "A")
    outcome, text = session(three, script, tmp_path)
    assert outcome.finished
    assert "Question 1 of 3" in text and "Question 3 of 3" in text
    assert "Please answer with one letter, A–C." in text
    assert "Hint: Look at the left half of ReLU's graph." in text
    assert "Please enter a number" in text
    assert "Score so far: 2 / 2" in text  # before question 3
    assert "Partly right" in text and "Correct answer: A) ReLU, C) Sigmoid" in text
    assert "Adam is an optimizer." in text  # explanation after the answer
    assert "Score: 3 / 4 (75%)" in text
    saved = json.loads((tmp_path / "answers.json").read_text())
    assert saved == {"quiz": "three", "answers": {"pick-zero": "B", "half": "0.5", "pick-two": ["A"]}}
    assert not (tmp_path / "progress.json").exists()


def test_no_hint_available(three, tmp_path):
    outcome, text = session(three, Script("B", "hint", "0.5", "A C"), tmp_path)
    assert "There is no hint for this question." in text and outcome.result.score == 4


def test_interrupt_saves_progress_and_resume_continues(three, tmp_path):
    outcome, text = session(three, Script("B", KeyboardInterrupt), tmp_path)
    assert not outcome.finished
    assert "Progress saved" in text and "resume at question 2" in text
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert progress["answers"] == {"pick-zero": "B"}

    script = Script("1/2", "A,C")
    outcome, text = session(three, script, tmp_path)
    assert "Resuming your saved progress: 1 of 3 answered; continuing at question 2." in text
    assert "Question 1 of 3" not in text and "Question 2 of 3" in text
    assert outcome.finished and outcome.result.score == 4
    assert json.loads((tmp_path / "answers.json").read_text())["answers"]["pick-zero"] == "B"


def test_shuffle_keeps_canonical_labels_and_resumes_same_order(all_types, tmp_path):
    order = [q.id for q in all_types.questions]
    rng2 = random.Random(3)
    rng2.shuffle(order)
    assert order != [q.id for q in all_types.questions]
    first = all_types.question(order[0])
    answer = {"single": "B", "multiple": "A,C", "truefalse": "t", "numeric": "0.5", "ordering": "A C B D",
              "short": "forward pass", "text": "too far and the loss grows"}
    outcome, text = session(all_types, Script(answer[first.type], KeyboardInterrupt), tmp_path,
                            shuffle=True, rng=random.Random(3))
    assert json.loads((tmp_path / "progress.json").read_text())["order"] == order
    rest = [line for q in order[1:] for line in
            ([answer["text"], "g"] if all_types.question(q).type == "text" else [answer[all_types.question(q).type]])]
    outcome, text = session(all_types, Script(*rest), tmp_path, shuffle=True, rng=random.Random(99))
    assert outcome.finished and outcome.result.score == all_types.total_points
    saved = json.loads((tmp_path / "answers.json").read_text())["answers"]
    assert saved["relu-negative"] == "B" and saved["softmax-props"] == ["A", "C"]
    assert list(saved) == [q.id for q in all_types.questions]  # file in canonical question order


def test_free_text_shows_the_model_answer_and_the_student_rates_it(all_types, tmp_path):
    quiz = all_types
    quiz.questions = [quiz.question("why-lr")]
    script = Script("It will overshoot", "x", "p")
    outcome, text = session(quiz, script, tmp_path)
    assert "Model answer: Each step moves the parameters too far" in text
    assert "How close was yours?" in script.prompts[1] and "Please type g, p or m." in text
    assert "Not right" not in text and "Concepts found" not in text   # no keyword verdict
    assert outcome.result.score == 1   # "partly" of 2 points, whatever the rubric says


def test_the_rating_prompt_keeps_its_letters(all_types, tmp_path):
    """The CLI's reader prints prompts as written: `[g]ot it` is not rich markup."""
    quiz = all_types
    quiz.questions = [quiz.question("why-lr")]
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    outcome = run_session(quiz, console, reader(console, io.StringIO("It will overshoot\ng\n")),
                          tmp_path / "progress.json", tmp_path / "answers.json")
    assert outcome.finished and outcome.result.score == 2
    assert "How close was yours? [g]ot it / [p]artly / [m]issed it: " in out.getvalue()
    assert "ot it / artly" not in out.getvalue().replace("[g]ot it / [p]artly", "")


def test_the_correct_answer_is_one_a_person_reads(tmp_path):
    """A short answer's "Correct answer:" is its first plain accepted form, not the matching patterns."""
    quiz = load_quiz(Path(__file__).resolve().parents[2] / "quizzes/questionnaire-chapter5.md")
    question = quiz.question("view-batch-method")
    assert any(form.startswith("/") for form in question.forms)
    quiz.questions = [question]
    outcome, text = session(quiz, Script("plot_batch"), tmp_path)
    assert "Correct answer: show_batch\n" in text and "/.*" not in text and "*show" not in text
    assert readable_answer(["/.*show[ _]?batch.*/"]) == "show batch"            # no plain form: an example
    assert readable_answer(["*forward*", "/back-?prop(agation)?/"]) == "forward"
    assert readable_answer(["/one[- ]?hot[- ]?(encod(e|ed|ing))?/"]) == "one hot"
    assert readable_pattern(r"6\s*[*·]?\s*cos\s*\(\s*6\s*[*·]?\s*x\s*\)") == "6cos(6x)"
    assert readable_pattern("(") == ""                                            # not a pattern: nothing


def test_a_self_rating_survives_ctrl_c_and_resume(all_types, tmp_path):
    quiz = all_types
    quiz.questions = [quiz.question("why-lr"), quiz.question("relu-negative")]
    session(quiz, Script("nothing relevant", "g", KeyboardInterrupt), tmp_path)
    assert json.loads((tmp_path / "progress.json").read_text())["ratings"] == {"why-lr": "g"}
    outcome, text = session(quiz, Script("B"), tmp_path)
    assert outcome.finished and outcome.result.score == 3   # 2 (got it) + 1


# --- in a real terminal ---------------------------------------------------------------------------

pexpect = pytest.importorskip("pexpect")


def grader_command() -> list[str]:
    script = Path(sys.executable).parent / "grader"
    return [str(script)] if script.exists() else [sys.executable, "-m", "grader"]


def spawn(args, cwd):
    cmd = grader_command() + args
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    env.pop("GRADER_QUIZZES", None)
    return pexpect.spawn(cmd[0], cmd[1:], cwd=str(cwd), env=env, encoding="utf-8", timeout=20,
                         dimensions=(40, 100))


def test_take_in_a_terminal_hint_ctrl_c_and_resume(tmp_path):
    shutil.copy(FIXTURES / "three.md", tmp_path / "three.md")
    child = spawn(["quiz", "take", "three.md"], tmp_path)
    child.expect("Question 1 of 3")
    child.expect(r"Your answer \(A–C, \? for a hint\)")
    child.sendline("?")
    child.expect("Hint:.*Look at the left half of ReLU's graph.")
    child.sendline("Q")
    child.expect("Please answer with one letter")
    child.sendline("b")
    child.expect("Correct")
    child.expect("ReLU computes max")
    child.expect("Question 2 of 3")
    child.expect(r"Score so far: 1 / 1")
    child.expect("Your answer")
    child.sendintr()  # Ctrl-C
    child.expect("Progress saved")
    child.expect("resume at question 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert json.loads((tmp_path / ".grader/quiz-progress/three.json").read_text())["answers"] == {"pick-zero": "B"}

    child = spawn(["quiz", "take", "three.md"], tmp_path)
    child.expect("Resuming your saved progress: 1 of 3 answered; continuing at question 2")
    child.expect("Question (\\d) of 3")
    assert child.match.group(1) == "2"
    child.expect("Score so far: 1 / 1")
    child.expect("Your answer")
    child.sendline("1/2")
    child.expect("Correct")
    child.expect("Question 3 of 3")
    child.expect("Your answer")
    child.sendline("a c")
    child.expect("Correct")
    child.expect(r"Score: 4 / 4 \(100%\)")
    child.expect(r"Answers saved to \.grader/answers/three\.json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = json.loads((tmp_path / ".grader/answers/three.json").read_text())
    assert saved == {"quiz": "three", "answers": {"pick-zero": "B", "half": "1/2", "pick-two": ["A", "C"]}}
    assert not (tmp_path / ".grader/quiz-progress/three.json").exists()


def test_take_by_id_finds_quizzes_folder_upwards(tmp_path):
    (tmp_path / "quizzes").mkdir()
    shutil.copy(FIXTURES / "three.md", tmp_path / "quizzes" / "three.md")
    work = tmp_path / "student" / "work"
    work.mkdir(parents=True)
    child = spawn(["quiz", "take", "three"], work)
    child.expect("Three quick questions")
    child.expect("Question 1 of 3")
    child.sendline("A")
    child.expect("Not right")
    child.expect("Correct answer: B\\) Zero")
    child.sendline("0.4")
    child.expect("Not right")
    child.sendline("A,C")
    child.expect(r"Score: 2 / 4 \(50%\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (work / ".grader/answers/three.json").exists()
