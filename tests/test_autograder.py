"""grader autograder: the Gradescope bundle, unpacked into a root laid out as Gradescope's and run.

setup.sh runs with GRADER_SETUP_OFFLINE=1 and GRADER_SETUP_PYTHON=this interpreter: it installs
nothing (no network here) and records this interpreter, which already has the course's
dependencies; everything else (the zip's layout, run_autograder, the grading) is what Gradescope runs.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
USER = 4242
METADATA = {"id": 987654, "created_at": "2027-03-17T10:00:00.000000-07:00",
            "users": [{"id": USER, "name": "Alice", "email": "alice@example.org"}],
            "assignment": {"due_date": "2027-03-15T23:59:00.000000-07:00",
                           "late_due_date": "2027-03-20T23:59:00.000000-07:00", "title": "Week 5"}}


def files(folder: Path) -> None:
    """A student's week5: two exercises right, one a stub, one missing, uploaded flat."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("calc_preds.py", "gradient_step.py"):
        shutil.copy(ROOT / "solutions" / "week5" / name, folder / name)
    shutil.copy(ROOT / "exercises" / "week5" / "f1_at_threshold.py", folder / "f1_at_threshold.py")
    (folder / "fill_missing_with_mode.py").write_text(
        "import pandas as pd\n\ndef fill_missing_with_mode(df):\n    return df.fillna(df.mode().iloc[0])\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    bundle = base / "autograder.zip"
    result = CliRunner().invoke(main, ["autograder", "--assignment", "week5", "--out", str(bundle),
                                       "--late-penalty", "10", "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    root = base / "autograder"
    for part in ("source", "submission", "results"):
        (root / part).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    for script in ("setup.sh", "run_autograder"):        # zipfile does not restore modes; Gradescope does
        os.chmod(root / "source" / script, modes[script] & 0o777)
    files(root / "submission")
    (root / "submission_metadata.json").write_text(json.dumps(METADATA))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_SETUP_OFFLINE": "1",
           "GRADER_SETUP_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)        # the bundle's own copy of the grader runs, not this checkout's
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         cwd=root, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return {"bundle": bundle, "modes": modes, "root": root, "base": base, "stdout": run.stdout,
            "results": json.loads((root / "results" / "results.json").read_text())}


def test_the_zip_follows_gradescopes_layout(graded):
    assert f"by the grader in {graded['root'] / 'source' / 'grader'}" in graded["stdout"]   # the bundle's own
    with zipfile.ZipFile(graded["bundle"]) as z:
        names = set(z.namelist())
    assert {"setup.sh", "run_autograder", "autograder.json"} <= names
    assert graded["modes"]["setup.sh"] & 0o111 and graded["modes"]["run_autograder"] & 0o111
    # the instructor's grader: hidden checks and the references travel in it
    assert "grader/checks/check_calc_preds.py" in names and "solutions/week5/calc_preds.py" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "examples/", ".grader/")) for n in names)
    setup = (graded["root"] / "source" / "setup.sh").read_text()
    assert "pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in setup
    config = json.loads((graded["root"] / "source" / "autograder.json").read_text())
    assert config["exercises"] == ["gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold"]
    assert config["seed"] == SEED and config["late_penalty_per_day"] == 10


def test_results_follow_the_spec_and_hide_the_hidden_checks(graded):
    results = graded["results"]
    assert {"score", "execution_time", "output", "output_format", "visibility", "stdout_visibility", "tests"} \
        <= set(results)
    assert "max_score" not in results and results["output_format"] == "md"
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    public = [t for t in results["tests"] if "public" in t["tags"]]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["visibility"] == "visible" for t in public)
    assert results["visibility"] == "after_published" and results["stdout_visibility"] == "hidden"
    # the output speaks of the public checks only: no total, no hidden points
    output = results["output"]
    public_points = sum(t["score"] for t in public)
    total = sum(t["score"] for t in results["tests"])
    assert f"{public_points:g}/20 public points" in output
    assert f"{total:g}" not in output.replace(f"{public_points:g}/", "") or total == public_points
    assert "/40" not in output and " 40" not in output and str(results["score"]) not in output


def test_scores_equal_grader_grade_for_the_same_submission_and_seed(graded, tmp_path):
    name = f"gs-{USER}"                     # the autograder grades under the Gradescope user id
    folder = tmp_path / name / "week5"
    files(folder)
    out = tmp_path / "grade.json"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / name), "--seed", str(SEED), "--json", str(out),
                                       "--gradebook", str(tmp_path / "gb.db")])
    assert result.exit_code == 0, result.output
    mine = {t["name"]: t["score"] for t in json.loads(out.read_text())["tests"]}
    theirs = {t["name"]: t["score"] for t in graded["results"]["tests"]}
    assert theirs and all(mine[n] == s for n, s in theirs.items()), {n: (mine[n], s) for n, s in theirs.items()}
    assert graded["results"]["extra_data"]["submission"] == name and graded["results"]["extra_data"]["seed"] == SEED


def test_a_late_submission_loses_the_penalty_per_day(graded):
    results = graded["results"]
    total = sum(t["score"] for t in results["tests"])
    assert total > 0
    # created 2027-03-17 10:00 against due 2027-03-15 23:59: 2 days (counted up), 10% a day
    assert results["score"] == pytest.approx(total * 0.8)
    assert "Submitted 2 days after the due date: 20% off the score (10% a day late)." in results["output"]


def test_late_penalty_and_name_from_metadata():
    from grader.reports.autograder import late_penalty, student_name

    on_time = {**METADATA, "created_at": "2027-03-15T23:00:00-07:00"}
    assert late_penalty(on_time, 10) == (0.0, "")
    very_late = {**METADATA, "created_at": "2027-04-30T10:00:00+00:00"}
    share, line = late_penalty(very_late, 10)
    assert share == 1.0 and "after the late due date" in line
    assert student_name({"users": [{"id": 9}, {"id": 3}]}) == "gs-3-9"          # a group: its ids, sorted
    assert student_name({"id": 55, "users": []}) == "gs-submission-55"
    assert student_name({}) == "gs-submission"


def test_an_unknown_assignment_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["autograder", "--assignment", "week9", "--out", str(tmp_path / "a.zip")])
    assert result.exit_code == 1 and "unknown assignment 'week9'" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_damaged_root_is_one_line_not_a_traceback(tmp_path, capsys):
    from grader.reports.autograder import main as run_main

    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "autograder.json").write_text('{"exercises": ["calc_preds"]}')   # no seed
    assert run_main(["--root", str(tmp_path)]) == 1
    said = capsys.readouterr().err
    assert said.startswith("autograder: ") and "Traceback" not in said and len(said.strip().splitlines()) == 1


def test_a_notebook_or_files_under_exercises_are_found(tmp_path):
    from grader.course import load_exercises
    from grader.reports.autograder import assignment_exercises, lay_out

    week5 = assignment_exercises("week5", load_exercises())
    upload = tmp_path / "upload"
    (upload / "exercises" / "week5").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "week5" / "calc_preds.py", upload / "exercises" / "week5" / "calc_preds.py")
    (upload / "gradient_step.py").symlink_to(ROOT / "solutions" / "week5" / "gradient_step.py")
    (tmp_path / "out").mkdir()
    target, problems = lay_out(upload, week5, tmp_path / "out", "gs-1")
    assert target == tmp_path / "out" / "gs-1" and (target / "week5" / "calc_preds.py").is_file()
    assert not (target / "week5" / "gradient_step.py").exists()
    assert problems == ["gradient_step.py is a symbolic link: upload the file itself"]
    notebook = tmp_path / "nb"
    notebook.mkdir()
    (notebook / "week5.ipynb").write_text("{}")
    (tmp_path / "out2").mkdir()
    target, problems = lay_out(notebook, week5, tmp_path / "out2", "gs-1")
    assert target == tmp_path / "out2" / "gs-1.ipynb" and target.is_file() and problems == []
