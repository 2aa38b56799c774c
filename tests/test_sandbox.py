"""The sandbox itself: what a child can see, use and send back."""

import os
from pathlib import Path

import pytest
import torch

from grader.sandbox.host import Sandbox, SandboxConfig, SandboxCrash, SandboxTimeout, grader_paths

COURSE = Path(__file__).resolve().parents[1]

PROBE = '''
import os, sys
def look(path):
    return os.path.exists(path)
def listing(path):
    return sorted(os.listdir(path))
def environment():
    return dict(os.environ)
def can_import(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False
def whoami():
    return [os.getuid(), os.getpid()]
def double(x):
    return x * 2
def spin():
    while True:
        pass
def leave():
    os._exit(0)
'''


@pytest.fixture(scope="module")
def child():
    os.environ["GRADER_TEST_SECRET"] = "s3cret"
    try:
        with Sandbox(SandboxConfig(hidden=(*grader_paths(), str(COURSE)))) as sandbox:
            if sandbox.level != "full":
                pytest.skip("Linux namespaces are unavailable here")
            kid = sandbox.spawn()
            assert kid.load("probe", PROBE, "probe.py", ["look"]) == []
            yield kid, sandbox
            kid.close()
    finally:
        del os.environ["GRADER_TEST_SECRET"]


def call(kid, function, *args):
    outcome = kid.call("probe", function, args, timeout=5)
    assert outcome.error is None, outcome.error
    return outcome.value


def test_the_course_and_the_grader_are_invisible(child):
    kid, _ = child
    assert not call(kid, "look", str(COURSE / "solutions"))
    assert not call(kid, "look", str(COURSE / "grader" / "checks"))
    assert call(kid, "listing", str(COURSE)) in ([], [".venv"])


def test_installed_packages_stay_importable(child):
    kid, _ = child
    assert call(kid, "can_import", "click")  # in the virtualenv, not preloaded by the zygote
    assert not call(kid, "can_import", "solutions")


def test_the_grader_environment_does_not_leak(child):
    kid, _ = child
    environment = call(kid, "environment")
    assert "GRADER_TEST_SECRET" not in environment and environment["HOME"] == "/scratch"


def test_the_child_has_a_pid_namespace_of_its_own_and_no_privileges(child):
    kid, _ = child
    uid, pid = call(kid, "whoami")
    processes = [int(p) for p in call(kid, "listing", "/proc") if p.isdigit()]
    assert pid == 1 and processes == [1]  # process 1 of a namespace of its own: nothing of ours, nor the nursery
    assert pid != kid.pid  # the host knows it by the pid of its own namespace
    assert uid != 0 or os.geteuid() != 0


def test_values_come_back_as_plain_data(child):
    kid, _ = child
    value = call(kid, "double", torch.tensor([1.0, 2.5]))
    assert type(value) is torch.Tensor and value.tolist() == [2.0, 5.0]


def test_a_timeout_kills_the_child(child):
    _, sandbox = child
    kid = sandbox.spawn()
    kid.load("probe", PROBE, "probe.py", [])
    kid.cpu_budget = 5.0  # the wall clock, not the CPU budget (which a quiet machine reaches as fast), stops it
    with pytest.raises(SandboxTimeout, match="no answer within 0.5 s"):
        kid.call("probe", "spin", (), timeout=0.5)
    assert kid.dead
    with pytest.raises(SandboxCrash, match="already ended"):
        kid.call("probe", "double", (1,), timeout=1)


def test_a_child_that_exits_is_a_crash(child):
    _, sandbox = child
    kid = sandbox.spawn()
    kid.load("probe", PROBE, "probe.py", [])
    with pytest.raises(SandboxCrash, match="ended during the call"):
        kid.call("probe", "leave", (), timeout=2)


SNOOP = '''
import gc, sys
def calc_preds(coeffs, indeps):
    modules = sorted(m for m in sys.modules if m.startswith(("grader_reference", "grader.checks", "check_",
                                                           "solutions", "pytest", "_pytest", "grader.grading.plugin",
                                                           "grader.grading.run", "grader.grading.session")))
    functions = sorted({getattr(f, "__module__", "?") for f in gc.get_objects()
                        if callable(f) and getattr(f, "__name__", "") in ("calc_preds", "agree")
                        and getattr(f, "__module__", "") != __name__})
    raise RuntimeError(f"seen: {modules} {functions} {sys.argv}")
'''


def test_a_batch_workers_zygote_holds_nothing_of_the_grader(tmp_path):
    """Batch workers fork their zygote from themselves: it must be forked before any
    reference, check or pytest module is loaded."""
    from grader.grading import GradeOptions, grade_many

    path = tmp_path / "snoop.py"
    path.write_text(SNOOP)
    (graded,) = list(grade_many(COURSE, [path], GradeOptions(hidden=False, exercises=("calc_preds",)), jobs=1))
    outputs = {t["output"] for t in graded.results["tests"]}
    assert any("seen: [] [] ['grader-zygote']" in o for o in outputs), outputs


# Under weak isolation (no mount namespace, no /scratch), what a child writes in its working
# folder, its HOME or its temporary folder must not reach the next child, nor outlive grading.
LEAVE_FILES = '''
import os, tempfile
def calc_preds(coeffs, indeps):
    for folder in {os.getcwd(), os.environ.get("HOME", "."), tempfile.gettempdir()}:
        try:
            with open(os.path.join(folder, "__MARKER__"), "w") as f:
                f.write("the answer is sigmoid")
            locked = os.path.join(folder, "__MARKER__.d")
            os.makedirs(os.path.join(locked, "inner"))
            os.chmod(locked, 0)   # a folder that cannot be listed
        except OSError:
            pass
    return indeps[:, 0] * 0
'''
FIND_FILES = '''
import os, tempfile, torch
def calc_preds(coeffs, indeps):
    for folder in {os.getcwd(), os.environ.get("HOME", "."), tempfile.gettempdir()}:
        if os.path.exists(os.path.join(folder, "__MARKER__")):
            return torch.sigmoid(indeps @ coeffs)
    return indeps[:, 0] * 0
'''


def test_weak_isolation_leaves_no_folder_and_no_file_for_the_next_child(tmp_path, monkeypatch):
    import tempfile
    import uuid

    from grader.course import load_exercises
    from grader.grading import GradeOptions, Grader, exercise_scores
    from grader.sandbox.isolation import remove_folder

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    marker = f"dl-grader-left-{uuid.uuid4().hex[:12]}"
    neighbour = (COURSE / "solutions" / "week3" / "triple_relu.py").read_text()

    def submission(name, code):
        path = tmp_path / name
        path.write_text(neighbour + "\n\n" + code.replace("__MARKER__", marker))
        return path

    def scores(results):
        return exercise_scores(results, [e for e in load_exercises() if e.id in ("calc_preds", "triple_relu")])

    options = GradeOptions(hidden=True, seed=1, timeout=5.0, isolation="weak", exercises=("calc_preds", "triple_relu"))
    try:
        with Grader(COURSE, options) as g:
            assert g.sandbox.level == "weak"
            left = scores(g.grade(submission("leaver.py", LEAVE_FILES)))
            found = scores(g.grade(submission("finder.py", FIND_FILES)))
            # the innocent neighbour keeps its marks; the finder finds nothing
            assert left["triple_relu"] == found["triple_relu"] == (10, 10), (left, found)
            assert found["calc_preds"][0] == 0, found
            assert not [p.name for p in temp.iterdir() if p.name.startswith("grader-child-")]
        assert list(temp.iterdir()) == []  # nothing of the sandbox's is left
    finally:
        for folder in (Path("/tmp"), temp):  # what an unwalled child may have left
            (folder / marker).unlink(missing_ok=True)
            remove_folder(str(folder / f"{marker}.d"))


def test_the_host_derives_an_exceptions_built_in_classes_itself():
    """From the names the child reports (forgeable), only real built-in exception classes count,
    at most a capped number of them, and their ancestors come from the trusted hierarchy."""
    from grader.bounds import EXCEPTION_ANCESTORS
    from grader.sandbox.host import builtin_ancestry

    # graphlib.CycleError's MRO as the child reports it: the host finds ValueError's ancestry
    assert builtin_ancestry(["ValueError", "Exception", "BaseException"]) == ("ValueError", "Exception", "BaseException")
    # only the nearest one reported is needed: the rest comes from this interpreter
    assert builtin_ancestry(["UnicodeDecodeError"])[:3] == ("UnicodeDecodeError", "UnicodeError", "ValueError")
    # names that are not built-in exception classes, or not names at all, count for nothing
    assert builtin_ancestry(["HIDDEN INPUT [15, 8]", "object", "print", "IOError", 7, None]) == ()
    assert builtin_ancestry("ValueError") == builtin_ancestry(None) == ()
    # multiple inheritance: both branches
    assert set(builtin_ancestry(["KeyError", "LookupError", "ValueError"])) == {
        "KeyError", "LookupError", "ValueError", "Exception", "BaseException"}
    # past the cap, nothing more is read
    assert builtin_ancestry(["Nope"] * EXCEPTION_ANCESTORS + ["ValueError"]) == ()
