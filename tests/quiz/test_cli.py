"""`grader quiz …` through click's CliRunner: output, JSON shapes and one-line user errors."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import click
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.cli.quiz import quiz as quiz_group

from .conftest import FIXTURES


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run `grader quiz ARGS` in an empty temp directory with --quizzes pointing at the fixtures."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRADER_QUIZZES", raising=False)

    def _run(*args, quizzes=FIXTURES, input=None):
        prefix = ["quiz", "--quizzes", str(quizzes)] if quizzes else ["quiz"]
        return CliRunner().invoke(main, [*prefix, *args], input=input)

    return _run


def answers_file(tmp_path, answers, quiz="all-types", name="a.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"quiz": quiz, "answers": answers}))
    return str(path)


def assert_user_error(result, *words):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for w in words:
        assert w in lines[0], lines[0]


def test_list_json(run):
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"id": "all-types", "title": "Every question type", "questions": 7, "points": 12},
        {"id": "three", "title": "Three quick questions", "questions": 3, "points": 4},
    ]


def test_list_table_and_markdown(run):
    result = run("list")
    assert result.exit_code == 0 and "all-types" in result.output and "Three quick questions" in result.output
    md = run("list", "--markdown").output
    assert md.splitlines()[0] == "| Quiz | Title | Questions | Points |"
    assert "| [three](three.md) | Three quick questions | 3 | 4 |" in md


def test_list_env_var(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRADER_QUIZZES", str(FIXTURES))
    result = CliRunner().invoke(main, ["quiz", "list", "--json"])
    assert [q["id"] for q in json.loads(result.output)] == ["all-types", "three"]


def test_quizzes_folder_found_upwards(tmp_path, run, monkeypatch):
    (tmp_path / "quizzes").mkdir()
    shutil.copy(FIXTURES / "three.md", tmp_path / "quizzes")
    (tmp_path / "sub" / "dir").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "dir")
    result = run("list", "--json", quizzes=None)
    assert [q["id"] for q in json.loads(result.output)] == ["three"]


def test_list_reports_malformed_quiz(tmp_path, run):
    (tmp_path / "bad.md").write_text("---\nid: bad\ntitle: B\n---\n## a\nQ?\n- ( ) x\n- ( ) y\n")
    assert_user_error(run("list", quizzes=tmp_path), "bad.md:7:", "exactly one option")


def test_score_text_and_json(run, tmp_path):
    path = answers_file(tmp_path, {"relu-negative": "B", "softmax-props": ["A"], "lr-value": "1/2",
                                   "train-steps": ["A", "C", "D", "B"], "why-lr": "it overshoots"})
    result = run("score", "all-types", path)
    assert result.exit_code == 0, result.output
    assert "relu-negative" in result.output and "total" in result.output and "6" in result.output
    doc = json.loads(run("score", "all-types", path, "--json").output)
    assert list(doc) == ["quiz", "score", "max_score", "questions"]
    assert doc["quiz"] == "all-types" and doc["score"] == 6 and doc["max_score"] == 12
    assert [list(q) for q in doc["questions"]] == [["id", "score", "max_score", "correct", "status", "feedback"]] * 7
    assert [(q["id"], q["score"], q["correct"]) for q in doc["questions"]] == [
        ("relu-negative", 1, True), ("softmax-props", 1, False), ("is-linear", 0, False), ("lr-value", 1, True),
        ("train-steps", 2, False), ("first-step", 0, False), ("why-lr", 1, False)]
    assert "Not answered" in doc["questions"][2]["feedback"]


def test_score_by_path(run, tmp_path):
    path = answers_file(tmp_path, {"pick-zero": "B"}, quiz="three")
    doc = json.loads(run("score", str(FIXTURES / "three.md"), path, "--json").output)
    assert doc["score"] == 1 and doc["max_score"] == 4


@pytest.mark.parametrize("content, words", [
    ("{oops", ["not valid JSON"]),
    ({"quiz": "all-types", "answers": {"nope": "A"}}, ["no question 'nope'"]),
    ({"quiz": "all-types", "answers": {"relu-negative": ["B"]}}, ["one option label"]),
    ({"quiz": "all-types", "answers": {"relu-negative": "X"}}, ["no option 'X'"]),
    ({"quiz": "all-types", "answers": {"lr-value": "lots"}}, ["not a number"]),
    ({"quiz": "three", "answers": {}}, ["holds answers to quiz 'three'"]),
])
def test_score_user_errors(run, tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    assert_user_error(run("score", "all-types", str(path)), *words)


def test_unknown_quiz_and_missing_files(run, tmp_path):
    assert_user_error(run("score", "nope", "x.json"), "unknown quiz 'nope'", "grader quiz list")
    assert_user_error(run("export", "missing.md"), "no quiz file missing.md")
    assert_user_error(run("score", "three", str(tmp_path / "none.json")), "cannot read answers file")


def test_take_with_answers_file(run, tmp_path):
    path = answers_file(tmp_path, {"pick-zero": "A", "half": 0.5}, quiz="three")
    result = run("take", "three", "--answers", path, "--save", str(tmp_path / "saved.json"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Question 1 of 3") < out.index("Question 2 of 3") < out.index("Question 3 of 3")
    assert "Not right" in out and "Correct answer: B) Zero" in out and "ReLU computes max(0, x)." in out
    assert "Not answered" in out and "Score: 1 / 4 (25%)" in out
    assert json.loads((tmp_path / "saved.json").read_text())["answers"] == {"pick-zero": "A", "half": 0.5}


def test_take_interactive_through_runner(run, tmp_path):
    result = run("take", "three", "--save", "out.json", input="?\nB\n1/2\nA,C\n")
    assert result.exit_code == 0, result.output
    assert "Hint: Look at the left half" in result.output and "Score: 4 / 4 (100%)" in result.output
    assert "Answers saved to out.json" in result.output
    assert json.loads((tmp_path / "out.json").read_text())["answers"]["pick-two"] == ["A", "C"]


def test_take_end_of_input_keeps_progress(run, tmp_path):
    result = run("take", "three", input="B\n")
    assert result.exit_code == 130
    assert "Progress saved to .grader/quiz-progress/three.json" in result.output
    result = run("take", "three", input="0.5\nA C\n")
    assert "continuing at question 2" in result.output and "Score: 4 / 4" in result.output
    assert (tmp_path / ".grader/answers/three.json").exists()


def test_export_formats(run, tmp_path):
    doc = json.loads(run("export", "all-types", "--format", "json").output)
    assert len(doc["questions"]) == 7
    result = run("export", "all-types", "--format", "moodle-xml", "-o", str(tmp_path / "q.xml"))
    assert result.exit_code == 0
    assert len(ET.parse(tmp_path / "q.xml").getroot().findall("question")) == 8
    assert "::relu-negative::" in run("export", "all-types", "--format", "gift").output
    bad = run("export", "all-types", "--format", "pdf")
    assert bad.exit_code == 2 and "Invalid value for '--format'" in bad.output


def test_stats_json_and_table(run, tmp_path):
    files = [answers_file(tmp_path, a, quiz="three", name=f"s{i}.json") for i, a in enumerate([
        {"pick-zero": "B", "half": 0.5, "pick-two": ["A", "C"]},
        {"pick-zero": "B", "half": "2", "pick-two": ["A"]},
        {"pick-zero": "A", "half": "1/2", "pick-two": ["A", "B"]},
        {"pick-zero": "C", "pick-two": ["B"]},
    ])]
    doc = json.loads(run("stats", "three", *files, "--json").output)
    assert doc["students"] == 4 and doc["mean"] == 1.75
    assert doc["cronbach_alpha"] == pytest.approx(0.685714, abs=1e-6)
    assert doc["questions"][0]["responses"] == {"A": 1, "B": 2, "C": 1}
    table = run("stats", "three", *files).output
    assert "pick-zero" in table and "Cronbach's alpha 0.69" in table
    assert_user_error(run("stats", "three", files[0], str(tmp_path / "nope.json")), "cannot read answers file")


def walk(group):
    for name, cmd in group.commands.items():
        yield name, cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd)


def test_every_command_has_summary_and_example():
    for name, cmd in [("quiz", quiz_group), *walk(quiz_group)]:
        doc = cmd.help or ""
        assert doc.strip().splitlines()[0].endswith("."), name
        assert "Example:" in doc, name
        assert cmd.get_short_help_str(), name


def test_quizzes_dir_falls_back_to_the_repository(tmp_path):
    from pathlib import Path

    import grader
    from grader.quiz.parse import quizzes_dir

    assert quizzes_dir("elsewhere") == Path("elsewhere")
    if any((p / "quizzes").is_dir() for p in (tmp_path, *tmp_path.parents)):
        pytest.skip("a quizzes/ folder above the temp dir")
    assert quizzes_dir(start=tmp_path) == Path(grader.__file__).resolve().parents[1] / "quizzes"


def test_unwritable_output_is_a_user_error(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert_user_error(run("export", "three", "-o", str(blocker / "x.json")), "cannot write")
    result = run("take", "three", "--save", str(blocker / "a.json"), input="B\n0.5\nA\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[-1].startswith("Error: cannot write")
