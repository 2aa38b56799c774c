"""Hidden means hidden: once a hidden input reached a child, nothing the child chose reaches any
output, and each student meets hidden inputs of their own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from grader.grading import GradeOptions, Grader
from grader.grading.session import provide

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1", "CI": ""}

#: calc_preds that answers the public checks right, then tries every channel with each hidden input:
#: the exception's message, its type's name, the line it is raised from, what it prints, and a
#: value of another kind.
ATTACKER = '''
import torch

CALLS = [0]
PUBLIC_CALLS = {public_calls}


def calc_preds(coeffs, indeps):
    CALLS[0] += 1
    print(f"calls={{CALLS[0]}}")
    if CALLS[0] <= PUBLIC_CALLS:
        return torch.sigmoid(indeps @ coeffs)
    secret = "LEAK" + "-".join(str(round(float(x), 4)) for x in indeps.flatten()[:6])
    print(secret)
    way = {way}
    if way == 1:
        raise ValueError(secret)
    if way == 2:
        here = calc_preds.__code__.co_filename
        exec(compile("\\n" * 424241 + "raise RuntimeError(secret)", here, "exec"), {{"secret": secret}})
    if way == 3:
        raise type("LEAKError", (Exception,), {{}})(secret)
    return secret
'''


def _grade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=600)


def _public_calls(tmp_path: Path) -> int:
    """How many calls calc_preds's public checks make (the attacker must answer them right)."""
    counter = tmp_path / "counter.py"
    counter.write_text(ATTACKER.format(public_calls=10**6, way=0))
    with Grader(ROOT, GradeOptions(hidden=False, exercises=("calc_preds",))) as grader:
        results = grader.grade(counter)
    return max(int(n) for n in re.findall(r"calls=(\d+)", results["extra_data"]["printed"]))


def test_no_output_carries_what_a_child_chose_after_a_hidden_input(tmp_path):
    calls = _public_calls(tmp_path)
    submissions = tmp_path / "class"
    submissions.mkdir()
    for way in range(4):  # one attacker per channel, so that every one is tried on the first hidden call
        (submissions / f"mallet{way}.py").write_text(ATTACKER.format(public_calls=calls, way=way))
    (submissions / "alice.py").write_text((ROOT / "solutions/week5/calc_preds.py").read_text())
    gradebook, out = tmp_path / "gradebook.db", tmp_path / "out"
    outputs = [_grade("grade", *sorted(str(p) for p in submissions.iterdir()), "--seed", "7",
                      "--gradebook", str(gradebook), "--out", str(out))]
    assert outputs[0].returncode == 0, outputs[0].stderr
    said = set()
    for way in range(4):
        results = json.loads((out / f"mallet{way}.json").read_text())
        hidden = [t for t in results["tests"] if "hidden" in t["tags"] and t["tags"][0] == "calc_preds"]
        assert hidden and all(t["status"] == "failed" for t in hidden), hidden
        assert all(t["output"].startswith("failed on a hidden input: ") for t in hidden), hidden
        assert all("extra_data" not in t for t in hidden)  # no line of the child's
        said |= {t["output"] for t in hidden}
    assert {"failed on a hidden input: raised ValueError", "failed on a hidden input: raised RuntimeError",
            "failed on a hidden input: raised an exception"} <= said
    # The innocent neighbour keeps full marks on calc_preds.
    alice = json.loads((out / "alice.json").read_text())
    assert all(t["status"] == "passed" for t in alice["tests"] if t["tags"][0] == "calc_preds")
    outputs.append(_grade("report", "--gradebook", str(gradebook), "--out", str(tmp_path / "report.html")))
    outputs.append(_grade("feedback", "--gradebook", str(gradebook), "--out", str(tmp_path / "feedback")))
    for fmt, target in (("csv", "grades.csv"), ("canvas", "canvas.csv"), ("moodle", "moodle.csv"),
                        ("gradescope", "gradescope")):
        by = ["--id", "username"] if fmt == "moodle" else []  # no roster here: no e-mail addresses
        outputs.append(_grade("export", "--format", fmt, *by, "--gradebook", str(gradebook), "--out",
                              str(tmp_path / target)))
    for done in outputs:
        assert done.returncode == 0, done.stderr
    texts = {f"command {i}": done.stdout + done.stderr for i, done in enumerate(outputs)}
    texts.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*")
                  if p.is_file() and p.suffix in (".json", ".csv", ".md", ".html")})
    texts["gradebook"] = gradebook.read_bytes().decode("utf-8", "replace")
    assert len(texts) > 10
    for name, text in texts.items():
        assert "LEAK" not in text, name
        assert "424242" not in text, name


def test_each_student_meets_hidden_inputs_of_their_own(tmp_path):
    """The batch's seed and the student's name seed the hidden inputs: two students, two draws;
    the same student twice, the same draw."""
    for name in ("alice", "bob"):
        (tmp_path / f"{name}.py").write_text("")
    check = SimpleNamespace(item=SimpleNamespace(nodeid="grader/checks/check_calc_preds.py::check_x"))
    with Grader(ROOT, GradeOptions(seed=5, exercises=("calc_preds",))) as grader:
        draws = {name: provide("rng", grader.new_run(tmp_path / f"{name}.py"), check).random(4)
                 for name in ("alice", "bob")}
        again = provide("rng", grader.new_run(tmp_path / "alice.py"), check).random(4)
    assert not np.allclose(draws["alice"], draws["bob"])
    assert np.array_equal(draws["alice"], again)


RELOADER = '''
import torch

CALLS = [0]


def calc_preds(coeffs, indeps):
    CALLS[0] += 1
    if CALLS[0] <= {public_calls}:
        return torch.sigmoid(indeps @ coeffs)
    while True:  # stopped by the timeout: the next check loads the notebook again in a new child
        pass
'''


def test_notes_from_loads_after_hidden_checks_began_quote_nothing_of_the_child(tmp_path):
    """Each load of this notebook raises a different message; the loads after a hidden call
    stopped the child add no note (the first load's note, made before, is kept)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    calls = _public_calls(tmp_path)
    notebook = new_notebook(cells=[new_code_cell(RELOADER.format(public_calls=calls)),
                                   new_code_cell("import time\nraise RuntimeError(f'load {time.time_ns()}')")])
    path = tmp_path / "reloader.ipynb"
    nbformat.write(notebook, path)
    with Grader(ROOT, GradeOptions(seed=3, exercises=("calc_preds",), timeout=1)) as grader:
        results = grader.grade(path)
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    assert "failed on a hidden input: ran too long" in {t["output"] for t in hidden}
    notes = [n for n in results["extra_data"]["notes"] if "cell 2" in n]
    assert len(notes) == 1, notes


def test_a_hostile_file_name_reaches_no_terminal_raw(tmp_path):
    """Rich markup and escape sequences in a submission's file name, through `grade`'s progress line
    (a real terminal) and its "Not on the roster" line: shown as text, never interpreted."""
    import pexpect

    name = "[bold red]eve\x1b]0;pwned\x07\x1b[2J"
    (tmp_path / f"{name}.py").write_text((ROOT / "solutions/week5/calc_preds.py").read_text())
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email,section\nalice,Alice A,alice@example.org,1\n")
    child = pexpect.spawn(sys.executable, ["-m", "grader", "grade", str(tmp_path / f"{name}.py"), "--roster",
                                           str(roster), "--gradebook", str(tmp_path / "gb.db")],
                          cwd=str(ROOT), env={**ENV, "TERM": "xterm", "COLUMNS": "200"}, timeout=300,
                          encoding="utf-8", codec_errors="replace", dimensions=(50, 200))
    child.expect(pexpect.EOF)
    child.close()
    text = child.before
    assert "\x1b]0;" not in text and "\x07" not in text and "\x1b[2J" not in text
    assert "Not on the roster (recorded under their own name): [bold red]eve]0;pwned[2J.py" in text
