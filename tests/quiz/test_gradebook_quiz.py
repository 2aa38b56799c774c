"""Quiz results in the gradebook: `quiz score ... --gradebook`, needs review, reflective questions."""

import json
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz.parse import load_quiz
from grader.quiz.scoring import score_answer

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
LAB5 = load_quiz(QUIZZES / "lab5-from-scratch-model.md")


def test_a_rubric_score_is_a_suggestion_needing_review():
    q = next(q for q in LAB5.questions if q.type == "text" and not q.reflective
             and any("squash" in alt for item in q.rubric for alt in item.alternatives))
    r = score_answer(q, "squash flat")
    assert r.status == "needs review"
    assert "needs review" in r.summary and "Suggested" in r.summary and "Not right" not in r.summary


def test_reflective_questions_are_graded_for_completion():
    q = LAB5.question("team-tabular-use-case")
    assert q.reflective
    r = score_answer(q, "We keep a spreadsheet of orders and could guess late deliveries.")
    assert (r.score, r.status) == (q.points, "complete") and "Not right" not in r.summary
    short = score_answer(q, "yes")
    assert (short.score, short.status) == (0.0, "complete")


def test_reflective_must_be_yes_on_free_text(tmp_path):
    from grader.quiz.model import QuizError
    from grader.quiz.parse import parse_quiz
    import pytest

    text = "---\nid: r\ntitle: R\n---\n\n## q\n\nWhy?\n\n- (x) a\n- ( ) b\n\nReflective: yes\n"
    with pytest.raises(QuizError, match="only a free-text question"):
        parse_quiz(text)


def test_quiz_score_records_each_student_in_the_gradebook(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "alice.json").write_text(json.dumps({"quiz": LAB5.id, "answers": {
        "team-tabular-use-case": "Our shop has one row per order and we would predict returns."}}))
    (folder / "bob.json").write_text(json.dumps({"quiz": LAB5.id, "student": "bob", "answers": {}}))
    db = tmp_path / "gb.db"
    result = CliRunner().invoke(main, ["quiz", "score", str(QUIZZES / "lab5-from-scratch-model.md"),
                                       str(folder / "alice.json"), str(folder / "bob.json"), "--gradebook", str(db),
                                       "--assignment", "quiz-5"])
    assert result.exit_code == 0, result.output
    assert "Recorded 2 results" in result.output
    with Gradebook(db) as book:
        rows = {a.student: a for a in book.quiz_results(LAB5.id)}
    assert set(rows) == {"alice", "bob"} and {a.assignment for a in rows.values()} == {"quiz-5"}
    reflective = next(q for q in rows["alice"].questions if q["id"] == "team-tabular-use-case")
    assert reflective["status"] == "complete" and reflective["score"] == LAB5.question("team-tabular-use-case").points
    assert rows["bob"].score == 0


def test_one_bad_answers_file_does_not_stop_the_others(tmp_path):
    good = [tmp_path / "alice.json", tmp_path / "carol.json"]
    for path in good:
        path.write_text(json.dumps({"quiz": LAB5.id, "answers": {}}))
    bad = tmp_path / "bob.json"
    bad.write_text("{ not json")
    db = tmp_path / "gb.db"
    result = CliRunner().invoke(main, ["quiz", "score", str(QUIZZES / "lab5-from-scratch-model.md"),
                                       str(good[0]), str(bad), str(good[1]), "--gradebook", str(db)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Recorded 2 results" in result.output and "carol" in result.output
    assert "bob.json" in result.stderr and "1 answers file could not be scored" in result.stderr
    with Gradebook(db) as book:
        assert {a.student for a in book.quiz_results(LAB5.id)} == {"alice", "carol"}


def test_quiz_score_rejects_a_gradebook_that_is_not_a_database(tmp_path):
    answers = tmp_path / "alice.json"
    answers.write_text(json.dumps({"quiz": LAB5.id, "answers": {}}))
    bad = tmp_path / "gb.db"
    bad.write_text("not a database at all " * 100)
    result = CliRunner().invoke(main, ["quiz", "score", str(QUIZZES / "lab5-from-scratch-model.md"), str(answers),
                                       "--gradebook", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not a usable gradebook" in result.output and len(result.output.strip().splitlines()) == 1


def _scored_class(tmp_path, *names):
    """Score one free-text answer per student into a fresh gradebook; return its path."""
    q = next(q for q in LAB5.questions if q.type == "text" and not q.reflective)
    folder = tmp_path / "answers"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.json").write_text(json.dumps({"quiz": LAB5.id, "answers": {q.id: "squash flat"}}))
    db = tmp_path / "gb.db"
    from grader.quiz.record import record_answers
    with Gradebook(db) as book:
        for name in names:
            record_answers(book, LAB5, folder / f"{name}.json")
    return db, q


def test_the_review_loop_accepts_sets_skips_and_stops(tmp_path):
    from grader.quiz.review import review_answers

    db, q = _scored_class(tmp_path, "ann", "ben", "cat", "dan")
    script = iter(["", "lots", "0", "s", "q"])   # ann: accept; ben: a bad entry, then 0; cat: skip; dan: stop
    shown: list[str] = []
    with Gradebook(db) as book:
        suggested = {a.student: next(x["score"] for x in a.questions if x["id"] == q.id)
                     for a in book.quiz_results(LAB5.id)}
        outcome = review_answers(book, LAB5, lambda prompt: next(script), shown.append)
        rows = {a.student: a for a in book.quiz_results(LAB5.id)}
        history = book.quiz_history("ben", LAB5.id)
    assert (outcome.reviewed, outcome.skipped, outcome.stopped) == (2, 1, True)
    text = "\n".join(shown)
    assert "squash flat" in text and q.reference in text and "Suggested" in text and "Type a number" in text
    pick = {s: next(x for x in rows[s].questions if x["id"] == q.id) for s in rows}
    assert (pick["ann"]["status"], pick["ann"]["score"]) == ("reviewed", suggested["ann"])
    assert (pick["ben"]["status"], pick["ben"]["score"]) == ("reviewed", 0.0)
    assert pick["cat"]["status"] == pick["dan"]["status"] == "needs review"
    assert len(history) == 2   # the suggestion stays as history


def test_quiz_review_cli_records_typed_points(tmp_path):
    db, q = _scored_class(tmp_path, "ann")
    result = CliRunner().invoke(main, ["quiz", "review", str(QUIZZES / "lab5-from-scratch-model.md"),
                                       "--gradebook", str(db)], input=f"{q.points:g}\n")
    assert result.exit_code == 0, result.output
    assert "Reviewed 1, skipped 0; 0 still need review." in result.output
    with Gradebook(db) as book:
        (row,) = book.quiz_results(LAB5.id)
    assert next(x for x in row.questions if x["id"] == q.id) == {"id": q.id, "score": q.points,
                                                                  "max_score": q.points, "status": "reviewed"}


def test_a_numeric_answer_is_shown_with_a_plus_minus_sign():
    from grader.quiz.parse import parse_quiz

    quiz = parse_quiz("---\nid: n\ntitle: N\n---\n\n## n\n\nHow much?\n\n= 0.5 +- 0.001\n= 2 +- 5%\n")
    q = quiz.question("n")
    assert q.describe_answer() == "0.5 ± 0.001 or 2 ± 5%"
    assert "0.5 ± 0.001" in score_answer(q, 3).summary and "+-" not in score_answer(q, 3).summary


def test_answers_files_a_user_can_get_wrong_are_one_line_errors(tmp_path):
    quiz = str(QUIZZES / "lab5-from-scratch-model.md")
    cases = {"notjson.json": ("{oops", "not valid JSON"),
             "list.json": ("[1, 2]", "expected"),
             "other.json": (json.dumps({"quiz": "week1-hello-deep-learning", "answers": {}}), "holds answers to quiz"),
             "unknown.json": (json.dumps({"quiz": LAB5.id, "answers": {"no-such-q": "A"}}), "has no question")}
    for name, (content, words) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        for extra in ([], ["--gradebook", str(tmp_path / "gb.db")]):
            result = CliRunner().invoke(main, ["quiz", "score", quiz, str(path), *extra])
            assert result.exit_code == 1 and words in result.output, (name, result.output)
            assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_take_from_a_file_never_gives_a_verdict_on_free_text(tmp_path):
    q = next(q for q in LAB5.questions if q.type == "text" and not q.reflective)
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"quiz": LAB5.id, "answers": {q.id: "squash flat"}}))
    result = CliRunner().invoke(main, ["quiz", "take", str(QUIZZES / "lab5-from-scratch-model.md"),
                                       "--answers", str(path)])
    assert result.exit_code == 0, result.output
    block = result.output.split(q.id, 1)[1].split("Question", 1)[0]
    assert "needs review" in block and "Not right" not in block and "Correct" not in block.replace("Correct answer", "")


def test_quiz_score_of_one_file_shows_needs_review_not_a_verdict(tmp_path):
    q = next(q for q in LAB5.questions if q.type == "text" and not q.reflective)
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"quiz": LAB5.id, "answers": {q.id: "squash flat"}}))
    result = CliRunner().invoke(main, ["quiz", "score", str(QUIZZES / "lab5-from-scratch-model.md"), str(path)],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.output.splitlines() if q.id in line]
    assert "needs review" in row and "✔" not in row and "✘" not in row


def test_students_are_matched_to_the_roster_and_stats_read_the_gradebook(tmp_path):
    from grader.gradebook import Student
    from grader.quiz.record import record_answers
    from grader.quiz.stats import quiz_stats

    db = tmp_path / "gb.db"
    single = next(q for q in LAB5.questions if q.type == "single")
    with Gradebook(db) as book:
        book.set_roster([Student("s001", "Alice", "alice@example.edu", "A"), Student("s002", "Bob", "", "A")])
        for name, pick in (("alice", single.correct_answer()), ("S002", "A" if single.correct_answer() != "A" else "B")):
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps({"quiz": LAB5.id, "answers": {single.id: pick}}))
            record_answers(book, LAB5, path)
        assert [a.student for a in book.quiz_results(LAB5.id)] == ["s001", "s002"]
        stats = quiz_stats(LAB5, book.quiz_answer_sets(LAB5.id))
    assert stats.students == 2
    assert next(q for q in stats.questions if q.id == single.id).facility_index == 50


def test_quiz_review_stops_cleanly_at_the_end_of_input(tmp_path):
    db, q = _scored_class(tmp_path, "ann", "ben")
    result = CliRunner().invoke(main, ["quiz", "review", str(QUIZZES / "lab5-from-scratch-model.md"),
                                       "--gradebook", str(db)], input="0\n")
    assert result.exit_code == 130 and "Traceback" not in result.output
    assert "Reviewed 1, skipped 0; 1 still need review." in result.output


def test_the_review_loop_shows_a_students_answer_cleaned(tmp_path):
    from grader.quiz.record import record_answers
    from grader.quiz.review import review_answers

    q = next(q for q in LAB5.questions if q.type == "text" and not q.reflective)
    answers = tmp_path / "eve.json"
    answers.write_text(json.dumps({"quiz": LAB5.id, "answers": {q.id: "squash \x1b]0;pwned\x07 flat " + "x" * 9000}}))
    shown: list[str] = []
    with Gradebook(tmp_path / "gb.db") as book:
        record_answers(book, LAB5, answers)
        review_answers(book, LAB5, lambda prompt: "q", shown.append)
    text = "\n".join(shown)
    assert "squash" in text and "\x1b" not in text and "\x07" not in text and len(text) < 6000
