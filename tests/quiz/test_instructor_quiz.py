"""Quizzes for the instructor (issue 18, part 5): statistics from the gradebook, review by question in
bulk with a comment, blank answers settled at once, exports that say what they drop, score --json of
several files."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz.parse import load_quiz
from grader.quiz.record import record_answers
from grader.quiz.review import review_answers
from grader.quiz.scoring import score_answer
from grader.quiz.stats import quiz_stats

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
LAB5_PATH = QUIZZES / "lab5-from-scratch-model.md"
LAB5 = load_quiz(LAB5_PATH)
FREE = next(q for q in LAB5.questions if q.type == "text" and not q.reflective)
FIXTURE = Path(__file__).parent / "fixtures" / "all-types.md"


def scored(tmp_path, answers_by_student):
    folder = tmp_path / "answers"
    folder.mkdir(exist_ok=True)
    db = tmp_path / "gb.db"
    with Gradebook(db) as book:
        for name, answers in answers_by_student.items():
            path = folder / f"{name}.json"
            path.write_text(json.dumps({"quiz": LAB5.id, "answers": answers}))
            record_answers(book, LAB5, path)
    return db, folder


def test_stats_read_the_gradebook_so_reviewed_scores_count(tmp_path):
    db, folder = scored(tmp_path, {n: {FREE.id: "squash flat"} for n in ("ann", "ben", "cat")})
    before = quiz_stats(LAB5, [json.loads(p.read_text())["answers"] for p in sorted(folder.iterdir())])
    with Gradebook(db) as book:
        ann = next(a for a in book.quiz_results(LAB5.id) if a.student == "ann")
        book.review(ann.id, FREE.id, FREE.points)          # the instructor gives ann full marks
    result = CliRunner().invoke(main, ["quiz", "stats", str(LAB5_PATH), "--gradebook", str(db), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    item = next(q for q in stats["questions"] if q["id"] == FREE.id)
    old = next(q for q in before.questions if q.id == FREE.id)
    assert stats["students"] == 3
    assert item["mean"] > old.mean and abs(item["mean"] - (FREE.points + 2 * old.mean) / 3) < 1e-9
    # from the answers files, the review is not seen
    again = CliRunner().invoke(main, ["quiz", "stats", str(LAB5_PATH), *map(str, sorted(folder.iterdir())), "--json"])
    assert next(q for q in json.loads(again.output)["questions"] if q["id"] == FREE.id)["mean"] == old.mean


def test_stats_without_answers_or_results_are_one_line_errors(tmp_path):
    for args in ([], ["--gradebook", str(tmp_path / "none.db")]):
        result = CliRunner().invoke(main, ["quiz", "stats", str(LAB5_PATH), *args])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    db, _ = scored(tmp_path, {"ann": {}})
    other = CliRunner().invoke(main, ["quiz", "stats", str(QUIZZES / "week1-hello-deep-learning.md"), "--gradebook",
                                      str(db)])
    assert other.exit_code == 1 and "has no results of" in other.output


def test_blank_answers_score_zero_without_review(tmp_path):
    for blank in ("", "   \n "):
        r = score_answer(FREE, blank)
        assert (r.score, r.status) == (0.0, "scored")
    db, _ = scored(tmp_path, {"ann": {FREE.id: "  "}, "ben": {FREE.id: "squash flat"}})
    with Gradebook(db) as book:
        assert [a.student for a in book.needing_review(LAB5.id)] == ["ben"]


def test_review_by_question_in_bulk_with_a_comment(tmp_path):
    second = [q for q in LAB5.questions if q.type == "text" and not q.reflective][1]
    db, _ = scored(tmp_path, {n: {FREE.id: "squash flat", second.id: "squash flat"} for n in ("ann", "ben", "cat")})
    number = str(LAB5.questions.index(FREE) + 1)
    # ann: 0 points with a comment; then "a": accept the suggestion for ben and cat, with a comment
    script = iter(["0 # says nothing about the gradient", "a # rubric score kept"])
    with Gradebook(db) as book:
        suggested = {a.student: next(q["score"] for q in a.questions if q["id"] == FREE.id)
                     for a in book.quiz_results(LAB5.id)}
        from grader.quiz.review import question_id
        outcome = review_answers(book, LAB5, lambda prompt: next(script), lambda text: None,
                                 question=question_id(LAB5, number))
        rows = {a.student: {q["id"]: q for q in a.questions} for a in book.quiz_results(LAB5.id)}
    assert outcome.reviewed == 3
    assert rows["ann"][FREE.id] | {} == {"id": FREE.id, "score": 0.0, "max_score": FREE.points, "status": "reviewed",
                                         "comment": "says nothing about the gradient"}
    for name in ("ben", "cat"):
        assert rows[name][FREE.id]["score"] == suggested[name] and rows[name][FREE.id]["comment"] == "rubric score kept"
        assert rows[name][second.id]["status"] == "needs review", "only the question asked for"


def test_review_cli_accept_all_for_one_question(tmp_path):
    db, _ = scored(tmp_path, {n: {FREE.id: "squash flat"} for n in ("ann", "ben")})
    result = CliRunner().invoke(main, ["quiz", "review", str(LAB5_PATH), "--gradebook", str(db), "--question", FREE.id,
                                       "--accept-all", "--comment", "rubric"])
    assert result.exit_code == 0, result.output
    assert f"Reviewed 2, skipped 0; 0 still need review for {FREE.id}." in result.output
    with Gradebook(db) as book:
        assert book.needing_review(LAB5.id) == []
        assert all(next(q for q in a.questions if q["id"] == FREE.id)["comment"] == "rubric"
                   for a in book.quiz_results(LAB5.id))
    bad = CliRunner().invoke(main, ["quiz", "review", str(LAB5_PATH), "--gradebook", str(db), "--question", "999"])
    assert bad.exit_code == 1 and "has no question '999'" in bad.output and "Traceback" not in bad.output


def test_exports_say_on_stderr_what_they_drop():
    runner = CliRunner()
    xml = runner.invoke(main, ["quiz", "export", str(FIXTURE), "--format", "moodle-xml"])
    assert xml.exit_code == 0, xml.output
    assert xml.stderr.splitlines() == [
        "moodle-xml: all-types/first-step: regular expression /forward[- ]?prop/ dropped (Moodle short answers have "
        "none; --moodle-regexp if the site has the qtype_regexp plugin)"]
    assert "/forward[- ]?prop/" not in ET.fromstring(xml.stdout).find(".//question[@type='shortanswer']").itertext()

    regexp = runner.invoke(main, ["quiz", "export", str(FIXTURE), "--format", "moodle-xml", "--moodle-regexp"])
    assert regexp.exit_code == 0 and regexp.stderr == ""
    question = ET.fromstring(regexp.stdout).find(".//question[@type='regexp']")
    answers = [a.find("text").text for a in question.findall("answer")]
    assert answers == ["forward pass", "forward propagation", "forward[- ]?prop"], "a plain answer first"

    gift = runner.invoke(main, ["quiz", "export", str(FIXTURE), "--format", "gift"])
    assert gift.exit_code == 0
    lines = gift.stderr.splitlines()
    assert "gift: all-types/softmax-props: its 2 points kept only as a `// 2 points` comment (GIFT imports every " \
           "question worth 1)" in lines
    assert "gift: all-types/first-step: regular expression /forward[- ]?prop/ dropped (GIFT short answers have none)" \
        in lines
    assert any(line.startswith("gift: all-types/relu-negative: hint dropped") for line in lines)
    assert any(line.startswith("gift: all-types/why-lr: reference answer and rubric dropped") for line in lines)
    assert "// [id:softmax-props] 2 points" in gift.stdout, "the points stay as a comment"
    assert len(lines) == len(set(lines)), "one line per dropped thing"
    assert runner.invoke(main, ["quiz", "export", str(FIXTURE), "--format", "json"]).stderr == ""


def test_score_json_of_several_files_is_a_list(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = []
    for name, pick in (("ann", "A"), ("ben", "B")):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"quiz": LAB5.id, "answers": {}}))
        files.append(str(path))
    result = CliRunner().invoke(main, ["quiz", "score", str(LAB5_PATH), *files, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert isinstance(data, list) and [d["file"] for d in data] == files
    assert all(d["score"] == 0 and "questions" in d for d in data)
    assert not (tmp_path / ".grader").exists()
