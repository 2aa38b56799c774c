"""Hostile submissions: each scores zero on the exercise it attacks and disturbs nothing else.

Every attack is graded by one shared ``Grader`` (one zygote, 1 s timeout). A hostile
submission is usually a single .py file holding the reference versions of four functions
and a hostile fifth, so "zero on the attacked exercise, full marks on the others" shows
the attack stayed inside its own check. After each attack the reference solutions are
graded again with the same ``Grader`` and must get exactly the marks they got at first,
and no process of the sandbox's user may be left running.
"""

from __future__ import annotations

import json
import os
import re
import sys
import resource
import shutil
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import torch

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, GradingError, exercise_scores
from grader.sandbox.host import SandboxFailure

COURSE = Path(__file__).resolve().parents[1]
SOLUTIONS = COURSE / "solutions"
GRADER_PACKAGE = COURSE / "grader"
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
TIMEOUT = 1.0
TIME_BOUND = 15.0       # seconds a whole hostile submission may take to grade
MEMORY_BOUND_MB = 300   # growth of this process's peak memory an attack may cause


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def grader():
    try:
        g = Grader(COURSE, GradeOptions(hidden=True, seed=1, timeout=TIMEOUT))
    except GradingError as exc:  # no namespaces on this machine: nothing to attack
        pytest.skip(str(exc))
    with g:
        assert g.sandbox.level == "full"
        yield g


@pytest.fixture(scope="module")
def honest(grader):
    """The reference solutions' results: every check passes."""
    results = grader.grade(SOLUTIONS)
    assert results["tests"] and results["score"] == results["max_score"] == sum(e.points for e in EXERCISES)
    return {t["name"]: t["score"] for t in results["tests"]}


# ----------------------------------------------------------------------------- helpers


def solution(exercise_id: str) -> str:
    return (SOLUTIONS / BY_ID[exercise_id].path).read_text(encoding="utf-8")


def code(text: str, **names: str) -> str:
    text = textwrap.dedent(text)
    for key, value in names.items():
        text = text.replace(f"__{key}__", value)
    return text


# What hostile code returns when its trick fails: wrong in everything a check looks at (a
# function that merely returns a wrong value still earns "leaves inputs unchanged").
WRONG_ANSWER = """

import torch as _torch

def wrong_answer(coeffs, indeps):
    with _torch.no_grad():
        coeffs.add_(1.0)
        indeps.add_(1.0)
    return _torch.zeros(indeps.shape[0])
"""


def single_file(tmp_path: Path, hostile: str, hostile_code: str) -> Path:
    """One .py file: the reference versions of the other four functions, then the hostile code."""
    parts = [solution(e.id) for e in EXERCISES if e.id != hostile]
    path = tmp_path / "submission.py"
    path.write_text("\n\n".join([*parts, hostile_code + WRONG_ANSWER]), encoding="utf-8")
    return path


def folder(tmp_path: Path, hostile: str | None = None, hostile_code: str = "",
           extra: dict[str, str] | None = None) -> Path:
    """A folder mirroring exercises/: reference files, the hostile one replaced, plus ``extra`` files."""
    root = tmp_path / "submission"
    for e in EXERCISES:
        target = root / e.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hostile_code + WRONG_ANSWER if e.id == hostile else solution(e.id), encoding="utf-8")
    for name, text in (extra or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def unique() -> str:
    return uuid.uuid4().hex


def sleep_marker() -> str:
    """An argument for sleep(1) that no other process on the machine has in its command line."""
    return f"61.{uuid.uuid4().int % 10**12:012d}"


AS_ROOT = os.geteuid() == 0  # as in CI; otherwise the sandbox runs in a user namespace as us


def live_processes(*, uid: int | None = None, marker: str | None = None) -> list[int]:
    """Pids of processes (not zombies) of user ``uid`` / whose command line contains ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").split()[:1] == ["Z"]:
            continue
        if uid is not None and int(fields["Uid"].split()[0]) != uid:
            continue
        if marker is not None and marker.encode() not in cmdline:
            continue
        found.append(int(entry))
    return found


def gone(seconds: float = 3.0, **which) -> list[int]:
    """Wait up to ``seconds`` for the processes to disappear; returns those still there."""
    deadline = time.monotonic() + seconds
    while (left := live_processes(**which)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def attack(grader: Grader, honest: dict, path: Path, hostile: str | set[str] | None, *, zero: bool = True) -> dict:
    """Grade a hostile submission and check that it changed nothing it should not have.

    ``hostile`` scores zero (when ``zero``), every other exercise full marks; grading took a
    bounded time; no process of the sandbox's user is left; and the reference solutions,
    graded next with the same grader, get exactly their marks.
    """
    started = time.monotonic()
    results = grader.grade(path)
    took = time.monotonic() - started
    scores = exercise_scores(results, EXERCISES)
    assert set(scores) == set(BY_ID)
    hostiles = {hostile} if isinstance(hostile, str) else set(hostile or ())
    for exercise_id, (points, maximum) in scores.items():
        assert maximum == BY_ID[exercise_id].points, (exercise_id, results)
        if exercise_id in hostiles:
            if zero:
                assert points == 0, [(t["name"], t["output"]) for t in results["tests"]
                                     if t["tags"][0] == exercise_id and t["score"]]
        else:
            assert points == maximum, [(t["name"], t["output"]) for t in results["tests"]
                                       if t["tags"][0] == exercise_id and not t["score"]]
    assert [t["name"] for t in results["tests"]] == list(honest), "the checks run must not change"
    assert results["execution_time"] < TIME_BOUND and took < TIME_BOUND
    if AS_ROOT:  # children run as the sandbox's own user only when the grader is root
        assert not gone(uid=grader.sandbox.uid), "a process of the submission outlived its grading"
    again = grader.grade(SOLUTIONS)
    assert {t["name"]: t["score"] for t in again["tests"]} == honest
    return results


def outputs(results: dict, exercise_id: str) -> str:
    return "\n".join(t["output"] for t in results["tests"] if t["tags"][0] == exercise_id)


# ----------------------------------------------------- 1, 2: values that lie about themselves

ALWAYS_EQUAL = """
class AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __hash__(self): return 0
"""

LYING_VALUES = {
    "eq_always_true": ("triple_relu", ALWAYS_EQUAL + """
def triple_relu(m1, b1, m2, b2, m3, b3, x):
    return AlwaysEqual()
"""),
    "eq_always_true_posing_as_a_tensor": ("triple_relu", "import torch\n" + ALWAYS_EQUAL + """
class Impostor(AlwaysEqual):
    __module__ = "torch"
    __qualname__ = "Tensor"

    @property
    def __class__(self):   # isinstance(x, torch.Tensor) is True
        return torch.Tensor

    def __getattr__(self, name):
        return getattr(torch.zeros(13), name)

def triple_relu(m1, b1, m2, b2, m3, b3, x):
    assert isinstance(Impostor(), torch.Tensor)
    return Impostor()
"""),
    "eq_always_true_in_a_list": ("triple_relu", ALWAYS_EQUAL + """
def triple_relu(m1, b1, m2, b2, m3, b3, x):
    return [AlwaysEqual()]
"""),
    "float_subclass": ("f1_at_threshold", """
class Agreeable(float):
    __module__ = "builtins"
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    __hash__ = float.__hash__

def f1_at_threshold(y_true, y_prob, threshold=0.5):
    return Agreeable(0.123)
"""),
    "dataframe_subclass": ("fill_missing_with_mode", """
import pandas as pd

class Agreeable(pd.DataFrame):
    __module__ = "pandas.core.frame"
    def equals(self, other): return True
    def __eq__(self, other): return True

def fill_missing_with_mode(df):
    return Agreeable({"x": [1]})
"""),
}


@pytest.mark.parametrize("name", LYING_VALUES)
def test_values_claiming_equality_score_zero(grader, honest, tmp_path, name):
    hostile, text = LYING_VALUES[name]
    results = attack(grader, honest, single_file(tmp_path, hostile, code(text)), hostile)
    assert "not plain data" in outputs(results, hostile)


TORCH_FUNCTION = """
import torch

class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal"):
            return True
        if name in ("isclose", "eq", "__eq__"):
            return torch.ones(args[0].shape, dtype=torch.bool)
        return super().__torch_function__(func, types, args, kwargs or {})
__PATCH__
def calc_preds(coeffs, indeps):
    return torch.zeros(indeps.shape[0]).as_subclass(Agreeable)
"""


@pytest.mark.parametrize("patch", [
    "",
    'Agreeable.__module__ = "torch"; Agreeable.__qualname__ = Agreeable.__name__ = "Tensor"',
], ids=["subclass", "subclass_posing_as_torch_Tensor"])
def test_tensor_subclass_overriding_torch_function_scores_zero(grader, honest, tmp_path, patch):
    hostile_code = code(TORCH_FUNCTION, PATCH=patch)
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert "not plain data" in outputs(results, "calc_preds")


# ----------------------------------------------------- 3: patching the comparisons at import

PATCHES = {
    "torch.allclose": "torch.allclose = lambda *a, **k: True",
    "torch.isclose": "torch.isclose = lambda a, b, *r, **k: torch.ones(torch.broadcast_shapes(a.shape, b.shape), "
                     "dtype=torch.bool)",
    "numpy.isclose": "numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.broadcast_shapes(numpy.shape(a), "
                     "numpy.shape(b)), dtype=bool)",
    "pandas.testing.assert_frame_equal": "pandas.testing.assert_frame_equal = lambda *a, **k: None",
    "torch.Tensor.__eq__": "torch.Tensor.__eq__ = lambda self, other: torch.ones(self.shape, dtype=torch.bool)",
}


@pytest.mark.parametrize("target", [*PATCHES, "all"])
def test_patching_comparisons_at_import_scores_zero(grader, honest, tmp_path, target):
    patches = "\n".join(PATCHES.values()) if target == "all" else PATCHES[target]
    hostile_code = code("""
        import numpy, pandas, pandas.testing, torch
        __PATCHES__

        def calc_preds(coeffs, indeps):
            return wrong_answer(coeffs, indeps)
        """, PATCHES=patches)
    attack(grader, honest, folder(tmp_path, "calc_preds", hostile_code), "calc_preds")


# ----------------------------------------------------- 4-7: exits at import and in the function

CORRECT_CALC_PREDS = """
import torch

def calc_preds(coeffs, indeps):
    return torch.sigmoid(indeps @ coeffs)
"""

EXITS = {
    # at import, after a correct definition: the failed import must still count
    "sys_exit_at_import": ("folder", CORRECT_CALC_PREDS + "import sys\nsys.exit(0)\n"),
    "os_exit_at_import": ("folder", CORRECT_CALC_PREDS + "import os\nos._exit(0)\n"),
    "sys_exit_in_function": ("file", "import sys\ndef calc_preds(coeffs, indeps):\n    sys.exit(0)\n"),
    "os_exit_in_function": ("file", "import os\ndef calc_preds(coeffs, indeps):\n    os._exit(0)\n"),
    "keyboard_interrupt_in_function": ("file", "def calc_preds(coeffs, indeps):\n    raise KeyboardInterrupt\n"),
    "segfault_in_function": ("file", "import ctypes\ndef calc_preds(coeffs, indeps):\n    ctypes.string_at(0)\n"),
}


@pytest.mark.parametrize("name", EXITS)
def test_exits_score_zero(grader, honest, tmp_path, name):
    shape, text = EXITS[name]
    make = folder if shape == "folder" else single_file
    results = attack(grader, honest, make(tmp_path, "calc_preds", text), "calc_preds")
    assert outputs(results, "calc_preds")


# ----------------------------------------------------- 8, 9: atexit hooks and fake results

def fake_results(marker: str) -> str:
    fake = {"score": 50.0, "max_score": 50.0, "tests": [
        {"name": f"calc_preds: {marker}", "score": 10.0, "max_score": 10.0, "status": "passed",
         "output": marker, "tags": ["calc_preds", "public"]}]}
    return repr(f"===== 50 passed in 0.01s ===== {marker}\n{json.dumps(fake)}\n")


@pytest.mark.parametrize("ending", ["return", "sys.exit(0)"])
def test_atexit_hooks_score_zero(grader, honest, tmp_path, ending):
    marker = unique()
    passed_file = Path("/tmp") / f"passed-{marker}"
    hostile_code = code("""
        import atexit, os, sys, torch

        @atexit.register
        def pretend():
            open("__FILE__", "w").write("passed")
            sys.stdout.write(__FAKE__)
            sys.stdout.flush()

        def calc_preds(coeffs, indeps):
            if "__ENDING__" != "return":
                __ENDING__
            return wrong_answer(coeffs, indeps)
        """, FILE=str(passed_file), FAKE=fake_results(marker), ENDING=ending)
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert not passed_file.exists()
    assert marker not in json.dumps(results)


def test_printed_fake_results_change_nothing(grader, honest, tmp_path):
    marker = unique()
    hostile_code = code("""
        import os, sys, torch
        FAKE = __FAKE__
        print(FAKE)

        def calc_preds(coeffs, indeps):
            print(FAKE)
            sys.stderr.write(FAKE)
            sys.__stdout__.write(FAKE)
            os.write(1, FAKE.encode())
            os.write(2, FAKE.encode())
            return wrong_answer(coeffs, indeps)
        """, FAKE=fake_results(marker))
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert results["score"] == sum(e.points for e in EXERCISES) - BY_ID["calc_preds"].points
    assert marker in results["extra_data"]["printed"]   # it was printed, and kept as printed text only
    assert len(results["extra_data"]["printed"]) <= 2000
    assert marker not in json.dumps({k: v for k, v in results.items() if k != "extra_data"})


# ----------------------------------------------------- 10: reaching for the reference solution

REFERENCE_FILE = SOLUTIONS / "week5" / "calc_preds.py"
CHECK_FILE = GRADER_PACKAGE / "checks" / "check_calc_preds.py"

# Each defines calc_preds that returns the reference's answer if it can get at it and a wrong
# answer otherwise; found_reference() says whether it could.
REACHING = {
    "import_solutions": """
        import importlib, sys, torch
        sys.path[:0] = ["__COURSE__", "__COURSE__/solutions", "__COURSE__/solutions/week5"]

        def found_reference():
            for name in ("solutions.week5.calc_preds", "week5.calc_preds", "calc_preds"):
                try:
                    module = importlib.import_module(name)
                except Exception:
                    continue
                if getattr(module, "calc_preds", None) is not None and module.__name__ != __name__:
                    return module.calc_preds
            return None
        """,
    "open_solution_file": """
        import torch

        def found_reference():
            try:
                text = open("__REFERENCE__").read()
            except OSError:
                return None
            space = {}
            exec(text, space)
            return space["calc_preds"]
        """,
    "read_check_file": """
        import torch

        def found_reference():
            try:
                text = open("__CHECK__").read()
            except OSError:
                return None
            if "sigmoid(indeps @ coeffs)" in text:   # the check's docstring gives the formula away
                return lambda coeffs, indeps: torch.sigmoid(indeps @ coeffs)
            return None
        """,
    "gc_and_sys_modules": """
        import gc, sys, torch

        def found_reference():
            mine = globals()
            for module in list(sys.modules.values()):
                try:
                    function = getattr(module, "calc_preds", None)
                except Exception:
                    continue
                if callable(function) and getattr(function, "__globals__", None) is not mine:
                    return function
            for obj in gc.get_objects():
                if (callable(obj) and getattr(obj, "__name__", "") == "calc_preds"
                        and getattr(obj, "__globals__", mine) is not mine):
                    return obj
            return None
        """,
    "listdir_course_root": """
        import os, torch

        def found_reference():
            try:
                names = os.listdir("__COURSE__")
            except OSError:
                return None
            if "solutions" not in names:
                return None
            for folder, _, files in os.walk(os.path.join("__COURSE__", "solutions")):
                if "calc_preds.py" in files:
                    space = {}
                    exec(open(os.path.join(folder, "calc_preds.py")).read(), space)
                    return space["calc_preds"]
            return None
        """,
    "proc_and_old_root": """
        import os, torch

        def found_reference():
            candidates = ["/.old__REFERENCE__", "/proc/self/cwd/../__RELATIVE__"]
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    candidates += [f"/proc/{pid}/root__REFERENCE__", f"/proc/{pid}/cwd/__RELATIVE__"]
            for candidate in candidates:
                try:
                    text = open(candidate).read()
                except OSError:
                    continue
                space = {}
                exec(text, space)
                return space["calc_preds"]
            return None
        """,
}

REACHING_TAIL = """

def calc_preds(coeffs, indeps):
    reference = found_reference()
    if reference is not None:
        return reference(coeffs, indeps)
    return wrong_answer(coeffs, indeps)
"""


def reaching(name: str) -> str:
    return code(REACHING[name], COURSE=str(COURSE), REFERENCE=str(REFERENCE_FILE), CHECK=str(CHECK_FILE),
                RELATIVE=str(REFERENCE_FILE.relative_to(COURSE))) + REACHING_TAIL


@pytest.mark.parametrize("name", REACHING)
def test_reaching_for_the_reference_scores_zero(grader, honest, tmp_path, name):
    attack(grader, honest, single_file(tmp_path, "calc_preds", reaching(name)), "calc_preds")


@pytest.mark.parametrize("name", ["open_solution_file", "read_check_file", "listdir_course_root"])
def test_reaching_for_the_reference_works_outside_the_sandbox(name):
    """The control: run unsandboxed, these attacks do find the reference (so zero above means walls)."""
    space: dict = {}
    exec(compile(reaching(name), "hostile.py", "exec"), space)
    coeffs, indeps = torch.tensor([0.3, -0.8]), torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
    assert space["found_reference"]() is not None
    assert torch.allclose(space["calc_preds"](coeffs, indeps), torch.sigmoid(indeps @ coeffs))


PROBE = """
import os, sys

def look(paths, writes, marker):
    seen = {p: os.path.exists(p) for p in paths}
    listing = {}
    for p in paths:
        try:
            listing[p] = os.listdir(p)
        except OSError:
            listing[p] = None
    written = []
    for p in writes:
        try:
            with open(p, "w") as f:
                f.write(marker)
            written.append(p)
        except OSError:
            pass
    return {"seen": seen, "listing": listing, "written": written, "modules": sorted(sys.modules)}
"""


def test_the_child_cannot_see_the_course_or_the_grader(grader):
    """Ask a child of the grader's own sandbox what it can see and where it can write."""
    import sysconfig

    marker = unique()
    hidden = [COURSE / "solutions", REFERENCE_FILE, GRADER_PACKAGE, CHECK_FILE, GRADER_PACKAGE / "checks",
              COURSE / "exercises"]
    paths = [str(p) for p in [*hidden, COURSE, Path("/usr"), Path(os.__file__)]]
    writes = [str(COURSE / f"{marker}.py"), str(SOLUTIONS / f"{marker}.py"),
              str(Path(sysconfig.get_paths()["purelib"]) / f"{marker}.pth"),
              str(Path(os.__file__).parent / f"{marker}.py"), f"/etc/{marker}", f"/tmp/{marker}",
              f"/scratch/{marker}"]
    assert all(p.exists() for p in hidden)   # here, in the trusted process, they are all there
    child = grader.sandbox.spawn()
    try:
        assert child.load("probe", PROBE, "probe.py", ["look"]) == []
        outcome = child.call("probe", "look", (paths, writes, marker), timeout=5.0)
    finally:
        child.close()
    assert outcome.error is None, outcome.error
    seen, listing = outcome.value["seen"], outcome.value["listing"]
    assert not any(seen[str(p)] for p in hidden), seen
    # Empty, or not there at all, but for the interpreter's own folder when the virtualenv
    # lies inside the course (as the Quick start puts it).
    venv = [Path(sys.prefix).name] if Path(sys.prefix).parent == COURSE else []
    assert (listing[str(COURSE)] or []) in ([], venv), listing[str(COURSE)]
    assert seen["/usr"] and seen[os.__file__]                        # the probe does see what it may
    assert outcome.value["written"] == [f"/scratch/{marker}"]        # only its private scratch ...
    assert not Path(f"/tmp/{marker}").exists()                       # ... which is not ours
    assert not Path(f"/scratch/{marker}").exists()
    assert not any(Path(p).exists() for p in writes)
    assert not [m for m in outcome.value["modules"] if m.startswith(("grader.checks", "solutions", "check_"))
                or m.startswith(("grader_reference", "grader.grading.plugin", "grader.grading.run", "grader.grading.session"))]


# ----------------------------------------------------- 11, 12: calls and imports that never end

RUNAWAYS = {
    "busy_loop": ("file", "def calc_preds(coeffs, indeps):\n    while True:\n        pass\n"),
    "long_sleep": ("file", "import time\ndef calc_preds(coeffs, indeps):\n    time.sleep(1000)\n"),
    "busy_loop_ignoring_signals": ("file", """
import signal
def calc_preds(coeffs, indeps):
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP, signal.SIGXCPU):
        signal.signal(s, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""),
    "sleep_at_import": ("folder", CORRECT_CALC_PREDS + "import time\ntime.sleep(1000)\n"),
    # The reply trickles in, one byte at a time, each just before a per-read timeout would expire.
    "trickled_reply": ("file", """
import os, socket, stat, struct, time, torch
def calc_preds(coeffs, indeps):
    for fd in sorted(map(int, os.listdir("/proc/self/fd"))):
        if fd > 2 and stat.S_ISSOCK(os.fstat(fd).st_mode):
            sock = socket.socket(fileno=os.dup(fd))
            break
    sock.sendall(struct.pack("!II", 1000, 0))
    for _ in range(60):
        time.sleep(0.3)
        sock.sendall(b" ")
    return torch.sigmoid(indeps @ coeffs)
"""),
}


@pytest.mark.parametrize("name", RUNAWAYS)
def test_runaway_code_is_cut_off(grader, honest, tmp_path, name):
    shape, text = RUNAWAYS[name]
    make = folder if shape == "folder" else single_file
    results = attack(grader, honest, make(tmp_path, "calc_preds", text), "calc_preds")
    # Stopped by the wall clock (sleeping, trickling) or by its CPU budget (spinning); at import,
    # by the child's own load budget, which names the top-level line.
    assert re.search(r"no answer within|s of CPU time without answering|ran for more than [\d.]+ s at its top level",
                     outputs(results, "calc_preds"))
    assert results["execution_time"] < 10


# ----------------------------------------------------- 13: memory

MEMORY = {
    "bytearray_8GB": "return bytearray(8 * 1024**3)",
    "torch_empty_8GB": "return torch.empty(2 * 1024**3)",
    "bytes_times_8GB": 'return b"x" * (8 * 1024**3)',
    "result_over_the_size_limit": "return torch.zeros(20_000_000)",   # 80 MB, more than may cross
}


@pytest.mark.parametrize("name", MEMORY)
def test_huge_allocations_score_zero(grader, honest, tmp_path, name):
    before = peak_memory_mb()
    hostile_code = f"import torch\ndef calc_preds(coeffs, indeps):\n    {MEMORY[name]}\n"
    attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert peak_memory_mb() - before < MEMORY_BOUND_MB


# ----------------------------------------------------- 14, 15: processes that try to stay

FORKS = {
    "fork_200_sleepers": """
        import os, torch
        def calc_preds(coeffs, indeps):
            for _ in range(200):
                try:
                    if os.fork() == 0:
                        try:
                            os.execvp("sleep", ["sleep", "__MARKER__"])
                        finally:
                            os._exit(0)
                except OSError:
                    pass
            return wrong_answer(coeffs, indeps)
        """,
    "shell_fork_bomb": """
        import subprocess, time, torch
        def calc_preds(coeffs, indeps):
            subprocess.Popen(["sh", "-c", "while :; do sleep __MARKER__ & done"])
            time.sleep(0.3)
            return wrong_answer(coeffs, indeps)
        """,
    "forking_forever": """
        import os, time, torch
        def calc_preds(coeffs, indeps):
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.01)
        """,
    "detached_double_fork": """
        import os, time, torch
        def calc_preds(coeffs, indeps):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execvp("sleep", ["sleep", "__MARKER__"])
                os._exit(0)
            time.sleep(0.2)
            return wrong_answer(coeffs, indeps)
        """,
    "detached_ignoring_signals": """
        import os, time, torch
        def calc_preds(coeffs, indeps):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execvp("sh", ["sh", "-c", "trap '' HUP INT TERM; sleep __MARKER__; :"])
                os._exit(0)
            time.sleep(0.2)
            return wrong_answer(coeffs, indeps)
        """,
}


@pytest.mark.parametrize("name", FORKS)
def test_processes_do_not_outlive_grading(grader, honest, tmp_path, name):
    marker = sleep_marker()
    hostile_code = code(FORKS[name], MARKER=marker)
    attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert not gone(marker=marker)


def test_process_scan_sees_sandboxed_processes(grader):
    """The control: while a child lives, its sleepers are found by the scan used above; then they go."""
    marker = sleep_marker()
    source = code("""
        import os, time
        def start(n):
            for _ in range(n):
                if os.fork() == 0:
                    os.setsid()
                    os.execvp("sleep", ["sleep", "__MARKER__"])
            time.sleep(0.3)
            return n
        """, MARKER=marker)
    child = grader.sandbox.spawn()
    try:
        assert child.load("sleepers", source, "sleepers.py", ["start"]) == []
        assert child.call("sleepers", "start", (3,), timeout=5.0).value == 3
        assert len(live_processes(marker=marker)) == 3
        if AS_ROOT:
            assert len(live_processes(uid=grader.sandbox.uid)) >= 4
    finally:
        child.close()
    assert not gone(marker=marker)
    if AS_ROOT:
        assert not gone(uid=grader.sandbox.uid)


# ----------------------------------------------------- 16: flooding the output

FLOODS = {
    "print_forever": ("print('x' * 1_000_000)", True),
    "stderr_forever": ("os.write(2, b'y' * 1_000_000)", True),
    "print_50MB_then_answer": (None, False),
}


@pytest.mark.parametrize("name", FLOODS)
def test_flooding_the_output(grader, honest, tmp_path, name):
    line, forever = FLOODS[name]
    if forever:
        body = f"    while True:\n        {line}\n"
    else:
        body = "    for _ in range(50):\n        print('z' * 1_000_000)\n    return torch.sigmoid(indeps @ coeffs)\n"
    hostile_code = "import os, torch\ndef calc_preds(coeffs, indeps):\n" + body
    before = peak_memory_mb()
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds", zero=forever)
    assert results["execution_time"] < 10
    assert len(results["extra_data"]["printed"]) <= 2000
    assert peak_memory_mb() - before < MEMORY_BOUND_MB


# ----------------------------------------------------- 17: values that would run code when unpickled

@pytest.mark.parametrize("wrap", ["{}", "[{}]", "{{'x': {}}}", "({},)"])
def test_objects_that_run_code_when_unpickled_score_zero(grader, honest, tmp_path, wrap):
    pwned = Path("/tmp") / f"pwned-{unique()}"
    hostile_code = code("""
        import os

        class Payload:
            def __reduce__(self):
                return (os.system, ("touch __PWNED__",))

        def calc_preds(coeffs, indeps):
            return __VALUE__
        """, PWNED=str(pwned), VALUE=wrap.format("Payload()"))
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert not pwned.exists()
    assert "not plain data" in outputs(results, "calc_preds")


def test_tensor_subclass_that_runs_code_when_unpickled_scores_zero(grader, honest, tmp_path):
    pwned = Path("/tmp") / f"pwned-{unique()}"
    hostile_code = code("""
        import os, torch

        class Payload(torch.Tensor):
            def __reduce_ex__(self, protocol):
                return (os.system, ("touch __PWNED__",))

        def calc_preds(coeffs, indeps):
            return torch.sigmoid(indeps @ coeffs).as_subclass(Payload)
        """, PWNED=str(pwned))
    attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert not pwned.exists()


# ----------------------------------------------------- forged replies on the request socket

FORGED = {
    # 60 MB of "[]," would be ~3 GB of lists in the grader
    "json_bomb": "body = b'{\"ok\": true, \"buffers\": [], \"result\": [' + b'[],' * (20 * 1024 * 1024) + b'[]]}'",
    "deep_nesting": "body = b'{\"ok\": true, \"buffers\": [], \"result\": ' + b'[' * 200_000 + b']' * 200_000 + b'}'",
    "lying_sizes": "body = b'{\"ok\": true, \"buffers\": [5], \"result\": {\"$\": \"ndarray\", \"dtype\": "
                   "\"float32\", \"shape\": [1000], \"buf\": 0}}'",
}


@pytest.mark.parametrize("name", FORGED)
def test_forged_replies_score_zero(grader, honest, tmp_path, name):
    hostile_code = code("""
        import os, socket, stat, struct, time, torch

        def calc_preds(coeffs, indeps):
            for fd in sorted(map(int, os.listdir("/proc/self/fd"))):
                if fd > 2 and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    sock = socket.socket(fileno=os.dup(fd))
                    break
            __BODY__
            extra = b"\\0" * 5 if b'"buffers": [5]' in body else b""
            sock.sendall(struct.pack("!II", len(body), len(extra)) + body + extra)
            time.sleep(30)
        """, BODY=FORGED[name])
    before = peak_memory_mb()
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    assert results["execution_time"] < 10
    assert peak_memory_mb() - before < MEMORY_BOUND_MB


# A child that has seen a hidden input answers with a malformed reply that carries it: no byte
# of the reply may reach a message, on the hidden checks or the public ones.
SMUGGLED = "HIDDEN INPUT sizes=[15, 8, 20, 47, 40, 50]"
SMUGGLING_REPLIES = {
    "unknown_tag": {"$": SMUGGLED},
    "dtype": {"$": "ndarray", "dtype": SMUGGLED, "shape": [1], "buf": 0},
    "cell": {"$": "series", "name": None, "data": {"dtype": "Int64", "items": [SMUGGLED]},
             "index": {"$": "rangeindex", "start": 0, "stop": 1, "step": 1, "name": None}},
    "setting": {"$": "module", "kind": "Dropout", "training": True, "settings": {"p": 15082047.0, "inplace": False},
                "params": {}, "children": []},
    "not_a_dict": [SMUGGLED],   # the reply itself: a list, not a dictionary
}


@pytest.mark.parametrize("name", SMUGGLING_REPLIES)
def test_malformed_replies_are_never_quoted(grader, honest, tmp_path, name):
    reply = SMUGGLING_REPLIES[name]
    body = reply if name == "not_a_dict" else {"ok": True, "buffers": [], "result": reply, "inputs": []}
    hostile_code = code("""
        import json, os, socket, stat, struct, time

        def calc_preds(coeffs, indeps):
            for fd in sorted(map(int, os.listdir("/proc/self/fd"))):
                if fd > 2 and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    sock = socket.socket(fileno=os.dup(fd))
                    break
            body = json.dumps(__BODY__).encode()
            sock.sendall(struct.pack("!II", len(body), 0) + body)
            time.sleep(30)
        """, BODY=repr(body))
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", hostile_code), "calc_preds")
    said = outputs(results, "calc_preds")
    assert "sent back something malformed" in said, said
    everything = json.dumps(results)
    assert "HIDDEN" not in everything and "15, 8" not in everything and "15082047" not in everything, said


def test_a_forged_answer_to_a_load_is_never_quoted(grader, honest, tmp_path):
    """The file's top level answers its own load with a failure it made up."""
    hostile_code = code("""
        import json, os, socket, stat, struct, time
        for fd in sorted(map(int, os.listdir("/proc/self/fd"))):
            if fd > 2 and stat.S_ISSOCK(os.fstat(fd).st_mode):
                sock = socket.socket(fileno=os.dup(fd))
                break
        body = json.dumps({"ok": False, "buffers": [], "error": {"type": "HIDDEN", "message": "__SMUGGLED__"}}).encode()
        sock.sendall(struct.pack("!II", len(body), 0) + body)
        time.sleep(30)
        """, SMUGGLED=SMUGGLED)
    results = attack(grader, honest, folder(tmp_path, "calc_preds", hostile_code), "calc_preds")
    said = outputs(results, "calc_preds")
    assert "sent back something malformed" in said, said
    assert "HIDDEN" not in json.dumps(results), said


# ----------------------------------------------------- exceptions: judged by the built-in hierarchy

CYCLE_ERROR_SOLUTION = """
import graphlib

def topological_order(graph):
    return list(graphlib.TopologicalSorter(graph).static_order())   # raises graphlib.CycleError on a cycle
"""


def test_a_subclass_of_value_error_is_a_value_error(grader, honest, tmp_path):
    """A correct topological_order that lets graphlib's CycleError (a ValueError) through scores
    full marks, the cycle checks, public and hidden, included; so do its neighbours."""
    results = attack(grader, honest, single_file(tmp_path, "topological_order", CYCLE_ERROR_SOLUTION),
                     None)
    cycle_checks = [t for t in results["tests"] if t["tags"][0] == "topological_order" and "cycle" in t["name"]]
    assert len(cycle_checks) == 2 and all(t["score"] == t["max_score"] > 0 for t in cycle_checks), cycle_checks


IMPOSTOR_NAMED_VALUE_ERROR = """
import graphlib

def topological_order(graph):
    class ValueError(Exception):   # named like the built-in one, and nothing else
        pass

    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        raise ValueError("a cycle") from None
"""


def test_a_class_merely_named_value_error_is_not_one(grader, honest, tmp_path):
    results = grader.grade(single_file(tmp_path, "topological_order", IMPOSTOR_NAMED_VALUE_ERROR))
    cycle_checks = [t for t in results["tests"] if t["tags"][0] == "topological_order" and "cycle" in t["name"]]
    assert len(cycle_checks) == 2 and all(t["score"] == 0 for t in cycle_checks), cycle_checks
    others = exercise_scores(results, EXERCISES)
    assert all(got == most for e, (got, most) in others.items() if e != "topological_order"), others


ALWAYS_CYCLE_ERROR = """
import graphlib

def topological_order(graph):
    raise graphlib.CycleError("HIDDEN INPUT " + repr(graph), list(graph))
"""


def test_a_hidden_check_names_only_the_nearest_built_in_class(grader, honest, tmp_path):
    """A hidden check that expected an order gets graphlib's CycleError, with the hidden graph in its
    message: it says which built-in class it is, and nothing of the submission's own."""
    results = attack(grader, honest, single_file(tmp_path, "topological_order", ALWAYS_CYCLE_ERROR),
                     "topological_order", zero=False)  # the cycle checks pass: a cycle does raise a ValueError
    hidden = [t for t in results["tests"] if t["name"] == "topological_order: random graphs"]
    assert len(hidden) == 1 and hidden[0]["output"] == \
        "failed on a hidden input: raised a built-in exception of type ValueError", hidden
    assert "HIDDEN" not in json.dumps(hidden) and "CycleError" not in json.dumps(hidden)


def test_a_child_that_stops_reading_cannot_block_the_grader(grader):
    """A child that answers once and then never reads again; the next request is large."""
    import threading

    import numpy as np

    source = code("""
        import time
        import grader.sandbox.child as child

        def stop_reading():
            child.wire.recv = lambda *args, **kwargs: time.sleep(1000)
            return 1
        """)
    child = grader.sandbox.spawn()
    outcome: list = []
    started = time.monotonic()

    def call() -> None:
        try:
            outcome.append(child.call("m", "stop_reading", (np.zeros(4_000_000),), timeout=TIMEOUT))
        except SandboxFailure as exc:
            outcome.append(exc)

    try:
        assert child.load("m", source, "m.py", ["stop_reading"]) == []
        assert child.call("m", "stop_reading", timeout=TIMEOUT).value == 1
        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        thread.join(TIMEOUT + 4)
        blocked = thread.is_alive()
        if blocked:
            os.kill(child.pid, 9)   # unblock the stuck send so the thread can end
            thread.join(5)
    finally:
        child.close()
    assert not blocked, "the grader hung sending to a child that stopped reading"
    assert time.monotonic() - started < TIMEOUT + 4
    assert outcome and isinstance(outcome[0], SandboxFailure)


# ----------------------------------------------------- files in the submission folder

EXTRAS = {
    "conftest_that_passes_everything": ("calc_preds", {
        "conftest.py": """
import pytest
open("__LOADED__", "w").write("conftest")

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    call.excinfo = None

@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    outcome = yield
    outcome.force_result(True)
""",
        "week5/conftest.py": "open('__LOADED__', 'w').write('week5 conftest')\n",
    }),
    "conftest_that_raises": (None, {
        "conftest.py": "open('__LOADED__', 'w').write('conftest')\nraise RuntimeError('conftest loaded')\n",
        "week3/conftest.py": "raise RuntimeError('conftest loaded')\n",
    }),
    "pytest_configuration_files": (None, {
        "pytest.ini": "[pytest]\naddopts = -p no:python --collect-only\npython_functions = nothing\n"
                      "python_files = nothing\n",
        "tox.ini": "[pytest]\naddopts = --collect-only\n",
        "setup.cfg": "[tool:pytest]\naddopts = --collect-only\n",
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--collect-only'\n",
    }),
    "modules_shadowing_libraries": (None, {
        name: "open('__LOADED__', 'w').write(__name__)\nraise SystemExit('shadowed')\n"
        for name in ("torch.py", "numpy.py", "pandas.py", "pytest.py", "grader.py", "sitecustomize.py", "nbformat.py",
                     "week5/torch.py", "week5/numpy.py", "week5/pandas.py", "week3/torch.py",
                     "numpy/__init__.py", "_pytest/__init__.py")
    }),
    "check_modules_in_the_submission": ("calc_preds", {
        "check_calc_preds.py": "open('__LOADED__', 'w').write('check')\n"
                               "import pytest\n\n@pytest.mark.points(100)\ndef check_everything():\n    pass\n",
        "grader/checks/check_calc_preds.py": "open('__LOADED__', 'w').write('check')\n"
                                             "def check_everything():\n    pass\n",
        "week5/check_calc_preds.py": "def check_calc_preds():\n    pass\n",
    }),
}


@pytest.mark.parametrize("name", EXTRAS)
def test_files_in_the_submission_folder_are_never_loaded(grader, honest, tmp_path, monkeypatch, name):
    """Even when the grader runs inside the submission folder."""
    hostile, extra = EXTRAS[name]
    loaded = Path("/tmp") / f"loaded-{unique()}"
    extra = {path: text.replace("__LOADED__", str(loaded)) for path, text in extra.items()}
    wrong = "def calc_preds(coeffs, indeps):\n    return wrong_answer(coeffs, indeps)\n"
    path = folder(tmp_path, hostile, wrong if hostile else "", extra)
    monkeypatch.chdir(path)
    results = attack(grader, honest, path, hostile)
    assert not loaded.exists(), loaded.read_text()
    if hostile is None:
        assert results["score"] == results["max_score"] == sum(e.points for e in EXERCISES)


@pytest.mark.parametrize("link", ["file", "folder", "other_name"])
def test_symlinks_to_the_reference_score_zero(grader, honest, tmp_path, link):
    root = folder(tmp_path)
    # a linked folder takes every exercise in it
    hostile = {e.id for e in EXERCISES if e.path.startswith("week3/")} if link == "folder" else "calc_preds"
    if link == "file":
        (root / "week5" / "calc_preds.py").unlink()
        (root / "week5" / "calc_preds.py").symlink_to(REFERENCE_FILE)
    elif link == "folder":
        shutil.rmtree(root / "week3")
        (root / "week3").symlink_to(SOLUTIONS / "week3", target_is_directory=True)
    else:  # found by the function it defines
        (root / "week5" / "calc_preds.py").unlink()
        (root / "week5" / "my_answer.py").symlink_to(REFERENCE_FILE)
    attack(grader, honest, root, hostile)


# ----------------------------------------------------- bounded work on what a submission controls (issue 15)
#
# One batch (grade_many, one worker) holds each attack followed by an innocent copy of the
# reference solutions: an attack that blocked or stalled the worker would lose its neighbour.

BOUNDED = ("calc_preds", "triple_relu", "f1_at_threshold")   # the exercises the batch grades
SLOW_CELL = "import time\nwhile True:\n    time.sleep(0)\n"


def _cells(*sources: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None} for s in sources]})


def _bounded_attackers(root: Path) -> dict[str, Path]:
    from grader.bounds import MAX_NOTEBOOK_CELLS

    answers = "\n\n".join(solution(e) for e in BOUNDED)
    out = {}
    out["fifo_file"] = root / "fifo_file.py"
    os.mkfifo(out["fifo_file"])
    out["fifo_in_folder"] = root / "fifo_in_folder"
    for e in BOUNDED:
        target = out["fifo_in_folder"] / BY_ID[e].path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(solution(e))
    (out["fifo_in_folder"] / BY_ID["calc_preds"].path).unlink()
    os.mkfifo(out["fifo_in_folder"] / BY_ID["calc_preds"].path)
    os.mkfifo(out["fifo_in_folder"] / "notes.py")
    # Many large files that define nothing, then the answers: found by searching every file.
    out["large_folder"] = root / "large_folder"
    out["large_folder"].mkdir()
    filler = "".join(f"value_{i} = some_function(argument, other) + 12345\n" for i in range(18_000))
    for i in range(30):
        (out["large_folder"] / f"a{i:02d}.py").write_text(filler)
    (out["large_folder"] / "zz_answers.py").write_text(answers)
    # A few slow cells, then empty cells up to the cap: the rest are reported "late".
    out["slow_then_empty"] = root / "slow_then_empty.ipynb"
    out["slow_then_empty"].write_text(_cells(answers, SLOW_CELL, SLOW_CELL, SLOW_CELL,
                                             *[""] * (MAX_NOTEBOOK_CELLS - 4)))
    out["too_many_cells"] = root / "too_many_cells.ipynb"
    out["too_many_cells"].write_text(_cells(answers, *[""] * MAX_NOTEBOOK_CELLS))
    return out


@pytest.fixture(scope="module")
def bounded_batch(tmp_path_factory):
    import threading

    from grader.grading import grade_many

    root = tmp_path_factory.mktemp("bounded")
    hostile = _bounded_attackers(root)
    paths: list[Path] = []
    for name, path in hostile.items():
        paths.append(path)
        innocent = root / f"innocent_after_{name}"
        shutil.copytree(SOLUTIONS, innocent)
        paths.append(innocent)
    options = GradeOptions(hidden=True, seed=3, timeout=TIMEOUT, load_time=3.0, exercises=BOUNDED)
    graded: list = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            graded.extend(grade_many(COURSE, paths, options, jobs=1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)
    blocked = worker.is_alive()
    for fifo in (hostile["fifo_file"], hostile["fifo_in_folder"] / BY_ID["calc_preds"].path,
                 hostile["fifo_in_folder"] / "notes.py"):
        try:  # a worker blocked opening a FIFO is let go, so that nothing hangs
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    worker.join(60)
    assert not failure, failure
    return hostile, {g.path: g for g in graded}, root, blocked


@pytest.mark.parametrize("name", ["fifo_file", "fifo_in_folder", "large_folder", "slow_then_empty", "too_many_cells"])
def test_bounded_work_an_innocent_neighbour_is_graded_and_keeps_its_score(bounded_batch, name):
    hostile, by_path, root, blocked = bounded_batch
    assert not blocked, "the batch did not finish: a submission blocked its worker"
    attacker, innocent = by_path.get(hostile[name]), by_path.get(root / f"innocent_after_{name}")
    assert attacker is not None and attacker.error is None and attacker.results is not None
    assert innocent is not None and innocent.error is None
    assert innocent.results["score"] == innocent.results["max_score"] == sum(BY_ID[e].points for e in BOUNDED)


def test_a_fifo_submission_is_refused_with_one_line(bounded_batch):
    hostile, by_path, _, _ = bounded_batch
    results = by_path[hostile["fifo_file"]].results
    assert results["score"] == 0
    assert {t["output"] for t in results["tests"]} == {
        "fifo_file.py is a FIFO (named pipe), not a regular file or a folder; submit the file or folder itself"}
    folder_results = by_path[hostile["fifo_in_folder"]].results
    scores = exercise_scores(folder_results, [BY_ID[e] for e in BOUNDED])
    assert scores["calc_preds"][0] == 0 and scores["triple_relu"][0] == scores["triple_relu"][1]
    assert set(outputs(folder_results, "calc_preds").splitlines()) == {
        "week5/calc_preds.py is a FIFO (named pipe), not a regular file; submit the file itself"}


def test_a_large_folder_is_searched_once(bounded_batch):
    hostile, by_path, _, _ = bounded_batch
    results = by_path[hostile["large_folder"]].results
    assert results["score"] == results["max_score"]


def test_a_notebook_of_many_cells_is_graded_or_refused_in_one_line(bounded_batch):
    from grader.bounds import MAX_NOTEBOOK_CELLS

    hostile, by_path, _, _ = bounded_batch
    slow = by_path[hostile["slow_then_empty"]].results
    assert slow["score"] == slow["max_score"]       # the answers' cell ran first
    notes = slow["extra_data"]["notes"]
    assert any("were not run: loading the notebook took more than" in n for n in notes)
    assert all("\n" not in n and len(n) <= 400 for n in notes)
    refused = by_path[hostile["too_many_cells"]].results
    assert refused["score"] == 0 and {t["output"] for t in refused["tests"]} == {
        f"too_many_cells.ipynb has {MAX_NOTEBOOK_CELLS + 1:,} cells; a notebook may have at most {MAX_NOTEBOOK_CELLS:,}"}


def test_skipped_cell_reports_are_checked_in_linear_time():
    """A notebook of 100,000 empty cells after a few slow ones took 144 s: each report of a
    skipped cell was compared with every earlier one. 4 times the cells, about 4 times the work."""
    from types import SimpleNamespace

    from grader.sandbox.host import CellCode, Child, SandboxCrash
    from grader.sandbox.isolation import Limits

    def check(n: int, repeat: int | None = None) -> float:
        cells = [CellCode("", i + 1) for i in range(n)]
        skipped = [{"cell": i, "reason": "late"} for i in range(n)]
        if repeat is not None:
            skipped[-1] = {"cell": repeat, "reason": "late"}
        reply = {"ok": True, "missing": [], "pinned": [], "skipped": skipped}
        child = SimpleNamespace(limits=Limits(), _request=lambda header, arrays, timeout: (reply, []),
                                kill=lambda: None)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            loaded = Child.load_cells(child, "m", cells, "nb.ipynb", [])
            best = min(best, time.perf_counter() - started)
        assert [r.index for r in loaded.skipped] == list(range(n))
        return best

    small, large = check(2000), check(8000)
    assert large < 8 * small + 0.01, f"2000 reports: {small:.4f} s, 8000: {large:.4f} s"   # quadratic: 16x
    with pytest.raises(SandboxCrash, match="malformed"):
        check(10, repeat=3)   # a cell reported twice is still a forged reply


def test_a_name_error_scans_each_skipped_cell_once(grader, honest, tmp_path, monkeypatch):
    """Every failed check that met a NameError scanned every skipped cell's code again for the
    name (84 public checks times up to 1 MB: 24 s of the grader's CPU for one notebook)."""
    from grader import submission as submission_module
    from grader.submission import provided_names

    scanned: list[int] = []

    def counted(code: str):
        scanned.append(len(code))
        return provided_names(code)

    monkeypatch.setattr(submission_module, "provided_names", counted)
    defs = "\n".join(f"def {e.function}(*args, **kwargs):\n    return undefined_name\n" for e in EXERCISES)
    skipped = "".join(f"x{i} = {i}\n" for i in range(5000)) + "raise ValueError('stop')\n"
    path = tmp_path / "name_errors.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
        for s in (defs, skipped)]}))
    results = grader.grade(path)
    explained = [t for t in results["tests"] if "name 'undefined_name' is not defined" in t["output"]]
    assert results["score"] == 0 and len(explained) > 20
    assert scanned == [len(skipped)], f"the skipped cell was scanned {len(scanned)} times"
    again = grader.grade(SOLUTIONS)   # the next submission is graded as before
    assert {t["name"]: t["score"] for t in again["tests"]} == honest
