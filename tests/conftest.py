"""Shared fixtures: a part of the sample class and one hostile submission, really graded once."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLASS = ROOT / "examples" / "class"
# Shown on the page and in files: the name, the printed output and the failure message all carry markup.
HOSTILE_NAME = "zed<img src=x onerror=alert(1)>"
HOSTILE = '''
import torch
print("<script>alert('printed')</script>\\x1b[31m red")

def triple_relu(m1, b1, m2, b2, m3, b3, x):
    raise ValueError("<script>alert('message')</script> | pipe `tick` # head")

def calc_preds(coeffs, indeps):
    return torch.sigmoid(indeps @ coeffs)
'''
SAMPLE = ["alice", "bob.py", "carol.ipynb", "dave", "erin.py", "frank", "grace.py", "judy", "mallory.py"]


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory) -> Path:
    """A folder of <student>.json, as `grader grade --out DIR --seed 1` writes it."""
    from grader.grading import GradeOptions, grade_many
    from grader.submission import submission_name

    work = tmp_path_factory.mktemp("graded")
    hostile = work / f"{HOSTILE_NAME}.py"
    hostile.write_text(HOSTILE)
    out = work / "results"
    out.mkdir()
    paths = [CLASS / name for name in SAMPLE] + [hostile]
    for graded in grade_many(ROOT, paths, GradeOptions(hidden=True, seed=1, timeout=2.0), jobs=2):
        assert graded.results is not None, graded.error
        (out / f"{submission_name(graded.path)}.json").write_text(json.dumps(graded.results, indent=2))
    return out


@pytest.fixture(scope="session")
def records(results_dir):
    from grader.reports.records import records_from_results_dir

    return records_from_results_dir(results_dir)
