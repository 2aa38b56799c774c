"""Who an answers file belongs to, and what reaches the terminal (issue 15.1 and 15.2).

The student comes from what the instructor controls (the file's or its folder's name, matched to the
roster), never from the file's "student" field; nothing a student wrote reaches a terminal line, a
JSON document or a file raw."""

import json
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz.parse import load_quiz
from grader.quiz.scoring import answers_document, perfect_answers, score_quiz

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
QUIZ_FILE = str(QUIZZES / "lab5-from-scratch-model.md")
LAB5 = load_quiz(QUIZZES / "lab5-from-scratch-model.md")
PERFECT = answers_document(LAB5, perfect_answers(LAB5))
FULL = score_quiz(LAB5, PERFECT["answers"]).score
HOSTILE_NAME = "\x1b[2J\x1b]0;pwned\x07\u202e\x9b31m\nbob: 37 / 37"
HOSTILE_FILE = HOSTILE_NAME.replace("/", "of")   # a file name has no "/"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028")


def _score(*args):
    return CliRunner().invoke(main, ["quiz", "score", QUIZ_FILE, *map(str, args)])


def _current(db):
    with Gradebook(db) as book:
        return {a.student: a.score for a in book.quiz_results(LAB5.id)}


def _assert_clean(result):
    for stream in (result.output, result.stderr):
        assert "Traceback" not in stream
        assert not any(c in stream for c in UNSAFE), repr(stream)


def test_a_student_field_cannot_replace_another_students_result(tmp_path):
    """The hole: mallory's file said "student": "alice" and alice's 37/37 became 0."""
    db = tmp_path / "gb.db"
    (tmp_path / "alice.json").write_text(json.dumps(PERFECT))
    (tmp_path / "mallory.json").write_text(json.dumps({"quiz": LAB5.id, "student": "alice", "answers": {}}))
    result = _score(tmp_path / "alice.json", tmp_path / "mallory.json", "--gradebook", db)
    assert result.exit_code == 0, result.output
    assert _current(db) == {"alice": FULL, "mallory": 0.0} and FULL > 0
    result = _score(tmp_path / "mallory.json", "--gradebook", db)   # alone, in a later run
    assert result.exit_code == 0, result.output
    assert _current(db) == {"alice": FULL, "mallory": 0.0}
    with Gradebook(db) as book:
        assert len(book.quiz_history("alice", LAB5.id)) == 1


def test_two_files_of_one_student_are_a_one_line_error_and_the_rest_is_recorded(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email,section\nalice,Alice A,alice.smith@uni.edu,1\ncarol,Carol C,carol@uni.edu,1\n")
    db = tmp_path / "gb.db"
    for name in ("alice", "alice.smith", "carol"):
        (tmp_path / f"{name}.json").write_text(json.dumps(PERFECT))
    result = _score(tmp_path / "alice.json", tmp_path / "alice.smith.json", tmp_path / "carol.json",
                    "--gradebook", db, "--roster", roster)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "alice.json" in errors[0] and "alice.smith.json" in errors[0] and "alice" in errors[0]
    assert "2 answers files could not be scored" in result.stderr
    assert _current(db) == {"carol": FULL}


def test_a_file_named_after_the_quiz_is_its_folders(tmp_path):
    """Students' own .grader/answers/QUIZ.json files, collected one folder per student."""
    (tmp_path / "alice" / ".grader" / "answers").mkdir(parents=True)
    (tmp_path / "bob").mkdir()
    alice = tmp_path / "alice" / ".grader" / "answers" / f"{LAB5.id}.json"
    bob = tmp_path / "bob" / f"{LAB5.id}.json"
    alice.write_text(json.dumps(PERFECT))
    bob.write_text(json.dumps({"quiz": LAB5.id, "answers": {}, "student": "alice"}))
    db = tmp_path / "gb.db"
    result = _score(alice, bob, "--gradebook", db)
    assert result.exit_code == 0, result.output
    assert _current(db) == {"alice": FULL, "bob": 0.0}


def test_the_roster_names_the_students(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email,section\ns001,Alice A,alice@uni.edu,1\n")
    for name in ("ALICE", "dave"):
        (tmp_path / f"{name}.json").write_text(json.dumps(PERFECT))
    db = tmp_path / "gb.db"
    result = _score(tmp_path / "ALICE.json", tmp_path / "dave.json", "--gradebook", db, "--roster", roster)
    assert result.exit_code == 0, result.output
    assert _current(db) == {"s001": FULL, "dave": FULL}
    assert "Not on the roster" in result.stderr and "dave" in result.stderr
    (tmp_path / "alice.json").write_text(json.dumps({"quiz": LAB5.id, "answers": {}}))
    result = _score(tmp_path / "alice.json", "--gradebook", db)   # the gradebook keeps the roster
    assert result.exit_code == 0 and _current(db)["s001"] == 0.0


def test_a_hostile_student_field_and_file_name_never_reach_the_terminal(tmp_path):
    db = tmp_path / "gb.db"
    (tmp_path / "alice.json").write_text(json.dumps(PERFECT))
    (tmp_path / "mallory.json").write_text(json.dumps({"quiz": LAB5.id, "student": HOSTILE_NAME, "answers": {}}))
    evil = tmp_path / f"{HOSTILE_FILE}.json"
    evil.write_text(json.dumps({"quiz": LAB5.id, "answers": {}}))
    result = _score(tmp_path / "alice.json", tmp_path / "mallory.json", evil, "--gradebook", db)
    _assert_clean(result)
    assert result.exit_code == 1   # the file whose name has control characters is refused
    assert not any(line.startswith("bob: 37") for line in result.output.splitlines())
    assert sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1
    assert _current(db) == {"alice": FULL, "mallory": 0.0}


def test_error_lines_about_a_file_are_clean(tmp_path):
    evil = tmp_path / f"{HOSTILE_FILE}.json"
    evil.write_text("{ not json")
    for extra in ([], ["--json"], ["--gradebook", str(tmp_path / "gb.db")]):
        result = _score(evil, *extra)
        assert result.exit_code == 1
        _assert_clean(result)
        assert len(result.output.strip().splitlines()) == 1
        assert "not valid JSON" in result.output or "cannot name a student" in result.output


def test_stats_shows_no_raw_answer(tmp_path):
    short = next(q for q in LAB5.questions if q.type == "short")
    files = []
    for i, answer in enumerate([HOSTILE_NAME, "fine"]):
        path = tmp_path / f"s{i}.json"
        path.write_text(json.dumps({"quiz": LAB5.id, "answers": {short.id: answer}}, ensure_ascii=False))
        files.append(path)
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(main, ["quiz", "stats", QUIZ_FILE, *map(str, files), *extra])
        assert result.exit_code == 0, result.output
        _assert_clean(result)
    data = json.loads(result.output)
    responses = next(q for q in data["questions"] if q["id"] == short.id)["responses"]
    assert responses["fine"] == 1 and len(responses) == 2
