"""Checking from inside a notebook (``grader.notebook``): a real Jupyter kernel (nbclient, ipykernel)
with the released course on its path runs a notebook that defines calc_preds and calls
``grader.check``, ``grader.check()`` and ``grader.hint``; its outputs (HTML and text) and points are
what ``grader grade`` gives the saved notebook of the same cells. Plus the lines that call the
grader, taken out of any notebook before it is graded, and the escaping of what is shown."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbclient  # the dev extras' (with ipykernel): a real kernel runs the notebooks below
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.course import load_exercises
from grader.notebook import CheckResult, Hint, NotebookError, kernel_notebook
from grader.notebook_calls import calls_pattern, notebook_without_grader_calls, without_grader_calls
from grader.release.build import ReleaseOptions, release_course

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = {e.id: e for e in load_exercises()}
ENV = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}

WRONG = '''import torch

def calc_preds(coeffs, indeps):
    print("<b>from calc_preds</b>")
    return torch.sigmoid(indeps @ coeffs).squeeze()
'''
RIGHT = (COURSE / "solutions" / EXERCISES["calc_preds"].path).read_text()
STUB_MAE = '''def mae(preds, acts):
    raise NotImplementedError
'''
# The kernel's cells, in order; each is one execution, so In [n] is code cell n.
CELLS = [
    "import grader.notebook as grader\nprint(grader.__file__)",   # asks the kernel, not the graded cells
    WRONG,
    "%time x = 1\n!echo shell",
    "import grader.notebook as grader",
    'first = grader.check("calc_preds")\nfirst',
    "print(first.points, first.max_points, first.passed)\nimport json\nprint(json.dumps(first.results))",
    RIGHT + '\ngrader.check("calc_preds")',       # a cell that defines, then checks, in one
    STUB_MAE,
    "every = grader.check()\nprint(json.dumps(every.results))\nevery",
    'grader.hint("calc_preds")',
    'grader.check("calc_pred")',
    "grader.check(42)",
]


# ---------------------------------------------------------------------------- the kernel


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "dl-course"
    release_course(COURSE, dest, ReleaseOptions())
    return dest


def run_notebook(cells: list[str], cwd: Path, env: dict[str, str], kernel: Path | None = None) -> nbformat.NotebookNode:
    """Execute ``cells`` in a fresh kernel (``kernel``: a kernelspec folder; else this Python's own)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    notebook = new_notebook(cells=[new_code_cell(c) for c in cells])
    if kernel is not None:
        manager = KernelManager(kernel_name=kernel.name,
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel.parent)]))
    else:
        manager = KernelManager(kernel_name="python3")
    client = nbclient.NotebookClient(notebook, km=manager, timeout=300, allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)   # the kernel inherits this environment
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def outputs(cell) -> dict[str, str]:
    """A cell's outputs by kind: 'stdout', 'text/plain', 'text/html', 'error'."""
    found: dict[str, str] = {}
    for out in cell.outputs:
        if out.output_type == "stream":
            found[out.name] = found.get(out.name, "") + out.text
        elif out.output_type in ("execute_result", "display_data"):
            found.update({k: v for k, v in out.data.items() if k.startswith("text/")})
        elif out.output_type == "error":
            found["error"] = "\n".join(out.traceback)
    return found


@pytest.fixture(scope="module")
def executed(released, tmp_path_factory) -> nbformat.NotebookNode:
    work = tmp_path_factory.mktemp("kernel")
    return run_notebook(CELLS, work, dict(ENV, PYTHONPATH=str(released)))


def grade_saved(cells: list[str], folder: Path) -> dict:
    """``grader grade --public-only`` (the instructor's course) on the saved notebook of ``cells``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kernel.ipynb"   # the name the kernel's cells are graded under
    nbformat.write(new_notebook(cells=[new_code_cell(c, execution_count=n) for n, c in enumerate(cells, 1)]), path)
    out = folder / "results.json"
    command = [sys.executable, "-m", "grader", "grade", str(path), "--public-only", "--json", str(out),
               "--gradebook", str(folder / "gradebook.db"), "--jobs", "1"]
    done = subprocess.run(command, cwd=COURSE, env=dict(ENV, PYTHONPATH=str(COURSE)), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    return results


def seen(results: dict, exercises: set[str] | None = None) -> dict:
    """What a student sees of a grading: points, each check's outcome and message (of ``exercises``,
    when given), the notes and what the code printed."""
    tests = [t for t in results["tests"] if exercises is None or t["tags"][0] in exercises]
    extra = results.get("extra_data", {})
    return {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
            "tests": [{k: t[k] for k in ("name", "score", "max_score", "status", "output")} for t in tests],
            "notes": extra.get("notes", []), "printed": extra.get("printed")}


def test_the_kernel_runs_the_released_course(executed, released):
    assert outputs(executed.cells[0])["stdout"].strip() == str(released / "grader" / "notebook.py")


def test_check_shows_points_failures_and_printed_output_as_html_and_text(executed):
    shown = outputs(executed.cells[4])
    html, text = shown["text/html"], shown["text/plain"]
    call = ("calc_preds(torch.tensor([[0.3], [-0.8], [0.5]]), torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], "
            "[-1.5, 0.25, 0.0], [3.0, -1.0, 0.5]]))")
    assert text.splitlines()[0] == "✗ calc_preds  4/5"
    assert f"    • coeffs of shape k by 1: {call}: expected shape (4, 1), got shape (4,)" in text
    assert "    │ <b>from calc_preds</b>" in text          # what the code printed, as it printed it
    assert "Score: 4/5 public points (the other 5 of 10 are hidden checks your instructor runs)" in text
    assert '<b>calc_preds</b> <span style="color: #9a6700">4/5</span>' in html
    assert "coeffs of shape k by 1: <code" in html and "expected shape (4, 1), got shape (4,)" in html
    assert "&lt;b&gt;from calc_preds&lt;/b&gt;" in html and "<b>from calc_preds</b>" not in html
    assert "note:" not in text     # the cells that call the grader, the magic and the shell line ran quietly
    assert outputs(executed.cells[5])["stdout"].splitlines()[0] == "4.0 5.0 False"


def test_a_cell_that_defines_and_checks_is_checked_with_its_definition(executed):
    text = outputs(executed.cells[6])["text/plain"]
    assert text.splitlines()[0] == "✓ calc_preds  5/5" and "Score: 5/5 public points" in text
    assert "Stuck?" not in text


def test_check_without_names_checks_every_exercise_the_cells_define(executed):
    shown = outputs(executed.cells[8])
    text = shown["text/plain"]
    assert [line.split()[1] for line in text.splitlines() if line.startswith(("✓", "✗"))] == \
        [e for e in EXERCISES if e in ("calc_preds", "mae")]           # in the course's order
    assert "✓ calc_preds  5/5" in text and "✗ mae  0/" in text
    assert "not written yet: mae raises NotImplementedError (kernel.ipynb, cell 8, line 2)" in text
    assert 'Stuck? grader.hint("EXERCISE") gives a nudge.' in text
    assert "not written yet: mae raises NotImplementedError" in shown["text/html"]


def test_hint_shows_the_exercise_hint(executed):
    shown = outputs(executed.cells[9])
    hint = EXERCISES["calc_preds"].hint
    assert shown["text/plain"] == f"calc_preds  hint: {hint}"
    assert "<b>calc_preds</b>" in shown["text/html"] and "hint:" in shown["text/html"]


def test_a_mistaken_call_is_one_line_without_a_traceback(executed):
    assert outputs(executed.cells[10])["error"] == \
        "NotebookError: there is no exercise 'calc_pred'; did you mean 'calc_preds'?"
    assert outputs(executed.cells[11])["error"] == \
        'NotebookError: give exercises by name, as in grader.check("calc_preds"), not 42'


def test_the_result_is_what_grader_grade_gives_the_saved_notebook(executed, tmp_path):
    """The kernel's results equal `grader grade --public-only` of a notebook of the same cells, saved:
    the first check (cells 1 to 5) for calc_preds, and grader.check() (cells 1 to 9) for every
    exercise the cells define."""
    first = json.loads(outputs(executed.cells[5])["stdout"].splitlines()[1])
    every = json.loads(outputs(executed.cells[8])["stdout"].splitlines()[0])
    saved_first = grade_saved(CELLS[:5], tmp_path / "first")
    saved_every = grade_saved(CELLS[:9], tmp_path / "every")
    assert seen(first) == seen(saved_first, {"calc_preds"})
    assert seen(every) == seen(saved_every, {"calc_preds", "mae"})
    assert seen(first)["score"] == 4 and seen(every)["score"] == 5


# ---------------------------------------------------------------------------- the lines taken out


def test_a_cell_that_only_asks_for_a_check_is_taken_out_whole():
    calls = calls_pattern([])
    cell = 'r = grader.check("calc_preds")\nprint(r.points)\nr'
    assert without_grader_calls(cell, calls) == '# r = grader.check("calc_preds")\n# print(r.points)\n# r'
    assert without_grader_calls("import grader.notebook as grader", calls) == "# import grader.notebook as grader"
    assert without_grader_calls("t = 1; r = grader.check()\nr", calls) == "# t = 1; r = grader.check()\n# r"
    # ... but not the imports and names of a cell that also asks for a check
    assert without_grader_calls("import torch\nimport grader.notebook as grader\nn = 2\ndisplay(grader.hint('x'))",
                                calls) == ("import torch\npass  # import grader.notebook as grader\nn = 2\n"
                                           "pass  # display(grader.hint('x'))")


def test_in_a_cell_that_defines_only_the_calls_become_pass():
    calls = calls_pattern(["import grader.notebook as g\nfrom grader.notebook import hint as nudge"])
    cell = 'def f(x):\n    return x\n\ng.check(\n    "calc_preds",\n)\nnudge("f")\nvalue = f(2)'
    assert without_grader_calls(cell, calls) == \
        'def f(x):\n    return x\n\npass  # g.check(\n#     "calc_preds",\n# )\npass  # nudge("f")\nvalue = f(2)'


def test_code_that_does_not_call_the_grader_is_left_alone():
    calls = calls_pattern(["import grader.notebook as grader"])
    for code in ('def check(x):\n    return x\ncheck(1)', 'grader = {"check": 1}\ngrader["check"]',
                 'def f():\n    return "grader.check(1)"  # a string\n', "import torch\nx = torch.ones(2)"):
        assert without_grader_calls(code, calls) == code


def test_a_saved_notebook_drops_its_grader_cells_before_grading():
    cells = [{"cell_type": "code", "source": ["import grader.notebook ", "as grader"], "metadata": {}},
             {"cell_type": "markdown", "source": "grader.check()"},
             {"cell_type": "code", "source": 'grader.check("mae")', "metadata": {"tags": ["mae"]}},
             {"cell_type": "code", "source": None}]
    out = notebook_without_grader_calls(cells)
    assert [c.get("source") for c in out] == ["# import grader.notebook as grader", "grader.check()",
                                             '# grader.check("mae")', None]
    assert out[2]["metadata"] == {"tags": ["mae"]} and cells[0]["source"] == ["import grader.notebook ", "as grader"]


def test_the_kernel_history_becomes_code_cells_numbered_as_executed():
    notebook = kernel_notebook(["", "x = 1", "%time y = 2", "print(x)"])
    nbformat.validate(notebook)
    assert [(c.execution_count, c.source, c.id) for c in notebook.cells] == \
        [(1, "x = 1", "In-1"), (2, "%time y = 2", "In-2"), (3, "print(x)", "In-3")]


# ---------------------------------------------------------------------------- what is shown


def test_what_a_submission_wrote_is_cleaned_and_escaped():
    calc = EXERCISES["calc_preds"]
    results = {"score": 0, "max_score": 5, "tests": [
        {"name": "calc_preds: shape", "score": 0, "max_score": 5, "status": "failed", "tags": ["calc_preds"],
         "output": "got <script>alert(1)</script>\x1b[31m red\u202e"}],
        "extra_data": {"printed_by_exercise": {"calc_preds": "<img src=x onerror=alert(2)>\x1b]8;;x\x07\n" * 50},
                       "notes": ["cell 2 raised <i>Error</i>\x1b[0m"]}}
    result = CheckResult(results, [calc])
    html, text = result._repr_html_(), repr(result)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<i>" not in html and "&lt;i&gt;Error&lt;/i&gt;" in html
    for shown in (html, text):
        assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert text.count("│ <img src=x onerror=alert(2)>]8;;x") == 40 and "… 10 more lines not shown" in text
    assert (result.points, result.max_points, result.passed) == (0, 5, False)
    assert "<b>" in Hint("a<b>", "x").__repr__() and "&lt;b&gt;" in Hint("a<b>", "x<i>")._repr_html_()


def test_outside_a_notebook_check_says_where_it_works():
    from grader import notebook

    with pytest.raises(NotebookError, match="works inside a notebook .* run `grader check`"):
        notebook.check("calc_preds")
    with pytest.raises(NotebookError, match="isolation is 'auto', 'full' or 'weak', not 'none'"):
        notebook.configure(isolation="none")
    with pytest.raises(NotebookError, match="timeout is a number of seconds from 0.1 to 600, not '2'"):
        notebook.configure(timeout="2")


def test_too_much_history_and_ctrl_c_are_one_line_each(monkeypatch):
    from grader import notebook

    monkeypatch.setattr(notebook, "kernel_history", lambda: [""] + ["x = 1"] * 2001)
    with pytest.raises(NotebookError, match="has run 2,001 cells and a check reads at most 2,000: restart the kernel"):
        notebook.check("calc_preds")
    monkeypatch.setattr(notebook, "kernel_history", lambda: ["", "x = 1\n" * 200_000])
    with pytest.raises(NotebookError, match="more than 1 MB of code .* restart the kernel"):
        notebook.check()
    closed = []
    monkeypatch.setattr(notebook, "kernel_history", lambda: ["", "x = 1"])
    monkeypatch.setattr(notebook._SESSION, "close", lambda: closed.append(True))

    def pressed(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(notebook, "_check", pressed)
    with pytest.raises(NotebookError, match="^interrupted: the check stopped; run it again$") as raised:
        notebook.check("calc_preds")
    assert closed == [True]   # the next check starts a fresh sandbox
    assert raised.value._render_traceback_() == ["NotebookError: interrupted: the check stopped; run it again"]


# ---------------------------------------------------------------------------- the wheel, alone


@pytest.mark.slow
def test_SLOW_the_wheel_alone_checks_in_a_fresh_environment(released, tmp_path):
    """SLOW (a fresh venv). A venv whose only course is the released wheel, installed with
    ``pip install --no-index --no-deps``; its libraries (torch, ipykernel, ...) come from this
    environment's site-packages through a .pth file (site-packages' own .pth files, such as this
    checkout's editable install, are not read from there). A kernel of that venv checks calc_preds."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "libraries.pth").write_text("\n".join(ours) + "\n")
    wheel = next((released / "dist").glob("*.whl"))
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--ignore-installed",
                           "--no-compile", str(wheel)], capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr
    kernels = tmp_path / "kernels" / "course"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "the course", "language": "python"}))
    cells = ["import grader\nprint(grader.__file__)", WRONG, "import grader.notebook as grader",
             'grader.check("calc_preds")']
    notebook = run_notebook(cells, tmp_path, ENV, kernel=kernels)
    assert outputs(notebook.cells[0])["stdout"].strip() == str(site / "grader" / "__init__.py")
    text = outputs(notebook.cells[3])["text/plain"]
    assert text.splitlines()[0] == "✗ calc_preds  4/5" and "expected shape (4, 1), got shape (4,)" in text
    names = zipfile.ZipFile(wheel).namelist()
    assert "grader/checks/recorded.wire" in names and not [n for n in names if re.search(r"solutions|tests/", n)]
