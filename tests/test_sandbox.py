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
                                                           "solutions", "pytest", "_pytest", "grader.plugin")))
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
