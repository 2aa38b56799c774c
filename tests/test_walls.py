"""Walls around the child's whole process tree: one memory, CPU and process budget (a cgroup),
fresh IPC objects per child, and a seccomp filter.

As in test_attacks.py, a hostile submission is one .py file holding the reference versions
of four functions and a hostile fifth, graded by a shared ``Grader``: the attacked exercise
scores zero, its four innocent neighbours keep full marks, and the reference solutions,
graded next by the same ``Grader`` (the same zygote), get exactly their marks. Beside the
graded attacks, a few tests talk to a child directly to look at the accounting itself.

The cgroup tests need root (as in CI) or a delegated cgroup, and skip with the reason
otherwise; the seccomp tests need libseccomp.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader, GradingError, exercise_scores
from grader.sandbox import cgroups
from grader.sandbox.host import SandboxCrash, SandboxTimeout

COURSE = Path(__file__).resolve().parents[1]
SOLUTIONS = COURSE / "solutions"
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
TIMEOUT = 10.0     # wall clock: generous, so that the CPU budget is what stops busy code
CPU_TIME = 0.5     # the default per-call CPU budget
AS_ROOT = os.geteuid() == 0


# ----------------------------------------------------------------------------- fixtures


def start(options: GradeOptions):
    try:
        g = Grader(COURSE, options)
    except GradingError as exc:  # no namespaces on this machine: nothing to attack
        pytest.skip(str(exc))
    assert g.sandbox.level == "full"
    return g


@pytest.fixture(scope="module")
def grader():
    with start(GradeOptions(hidden=True, seed=1, timeout=TIMEOUT, cpu_time=CPU_TIME)) as g:
        yield g


@pytest.fixture(scope="module")
def honest(grader):
    return graded_honestly(grader)


def graded_honestly(g: Grader) -> dict:
    results = g.grade(SOLUTIONS)
    assert results["score"] == results["max_score"] == sum(e.points for e in EXERCISES)
    return {t["name"]: t["score"] for t in results["tests"]}


def needs_cgroup(g: Grader) -> cgroups.TreeBudget:
    budget = g.sandbox.tree_budget
    if budget is None or not {"memory", "pids", "cpu"} <= set(budget.enforced):
        pytest.skip("no cgroup for the child's process tree here (needs root or a delegated cgroup); "
                    "the fallback is per-process rlimits and /proc CPU sums")
    return budget


def needs_seccomp(g: Grader) -> None:
    if not g.sandbox.filtered:
        pytest.skip("libseccomp (Debian package libseccomp2) is not installed: no seccomp filter")


# ----------------------------------------------------------------------------- helpers


WRONG_ANSWER = """

import torch as _torch

def wrong_answer(coeffs, indeps):
    with _torch.no_grad():
        coeffs.add_(1.0)
        indeps.add_(1.0)
    return _torch.zeros(indeps.shape[0])
"""

# ctypes access to the C library's System V IPC, keyring and raw system calls.
LIBC = """
import ctypes, ctypes.util, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.syscall.restype = ctypes.c_long
NR = {"x86_64": dict(add_key=248, keyctl=250, request_key=249, ptrace=101, mount=165, unshare=272,
                     bpf=321, perf_event_open=298, userfaultfd=323, personality=135, setns=308,
                     process_vm_readv=310, kexec_load=246, init_module=175, reboot=169, swapon=167,
                     io_uring_setup=425, pivot_root=155),
      "aarch64": dict(add_key=217, keyctl=219, request_key=218, ptrace=117, mount=40, unshare=97,
                      bpf=280, perf_event_open=241, userfaultfd=282, personality=92, setns=268,
                      process_vm_readv=270, kexec_load=104, init_module=105, reboot=142, swapon=224,
                      io_uring_setup=425, pivot_root=41)}[os.uname().machine]

def syscall(name, *args):
    result = libc.syscall(NR[name], *args)
    return [result, errno.errorcode.get(ctypes.get_errno(), "") if result < 0 else ""]
"""


def solution(exercise_id: str) -> str:
    return (SOLUTIONS / BY_ID[exercise_id].path).read_text(encoding="utf-8")


def single_file(tmp_path: Path, hostile: str, hostile_code: str, name: str = "submission.py") -> Path:
    """One .py file: the reference versions of the other four functions, then the hostile code."""
    parts = [solution(e.id) for e in EXERCISES if e.id != hostile]
    path = tmp_path / name
    path.write_text("\n\n".join([*parts, textwrap.dedent(hostile_code) + WRONG_ANSWER]), encoding="utf-8")
    return path


def own_file(tmp_path: Path, hostile: str, hostile_code: str) -> Path:
    """A folder laid out as the exercises are: the reference files, but the hostile exercise's
    own file holds the hostile code. What that file does when imported touches no other file's
    exercises (they load in a child that never imported it)."""
    folder = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, folder)
    (folder / BY_ID[hostile].path).write_text(textwrap.dedent(hostile_code) + WRONG_ANSWER, encoding="utf-8")
    return folder


def outputs(results: dict, exercise_id: str) -> str:
    return "\n".join(t["output"] for t in results["tests"] if t["tags"][0] == exercise_id)


def attack(g: Grader, honest: dict, path: Path, hostile: str) -> dict:
    """Grade a hostile submission: zero on ``hostile``, full marks on every other exercise,
    and the reference solutions, graded next with the same grader, get exactly their marks."""
    results = g.grade(path)
    for exercise_id, (points, maximum) in exercise_scores(results, EXERCISES).items():
        if exercise_id == hostile:
            assert points == 0, outputs(results, exercise_id)
        else:
            assert points == maximum, (exercise_id, outputs(results, exercise_id))
    again = g.grade(SOLUTIONS)
    assert {t["name"]: t["score"] for t in again["tests"]} == honest
    return results


def direct(g: Grader, source: str, function: str, *args, timeout: float = TIMEOUT):
    """Load ``source`` in a fresh child of the grader's zygote and call ``function`` once."""
    child = g.sandbox.spawn()
    try:
        assert child.load("probe", textwrap.dedent(source), "probe.py", [function]) == []
        outcome = child.call("probe", function, args, timeout=timeout)
        assert outcome.error is None, outcome.error
        return outcome.value
    finally:
        child.close()


# ----------------------------------------------------- 1. memory: one budget for the whole tree

FIVE_HELPERS_OF_900_MB = """
import os, time
def calc_preds(coeffs, indeps):
    for _ in range(5):
        if os.fork() == 0:
            block = b"\\x01" * (900 * 1024 * 1024)   # written, so really held
            time.sleep(60)
            os._exit(0)
    time.sleep(60)
    return wrong_answer(coeffs, indeps)
"""


@pytest.fixture(scope="module")
def roomy():
    """A grader with CPU to spare: writing 4.5 GB takes seconds of CPU, and here the memory
    budget, not the CPU budget, must be what stops the tree."""
    with start(GradeOptions(hidden=True, seed=1, timeout=30.0, cpu_time=20.0)) as g:
        yield g, graded_honestly(g)


def test_five_helpers_of_900_MB_are_stopped_together(roomy, tmp_path):
    g, honest = roomy
    budget = needs_cgroup(g)
    kills = budget.oom_kills()
    results = attack(g, honest, single_file(tmp_path, "calc_preds", FIVE_HELPERS_OF_900_MB), "calc_preds")
    assert budget.oom_kills() > kills, "the kernel never enforced the tree's memory budget"
    limit = g.sandbox.config.limits.memory_mb
    assert f"processes together used more than {limit} MB of memory" in outputs(results, "calc_preds")


def test_the_budget_is_in_force_for_every_child(grader):
    budget = needs_cgroup(grader)
    limits = grader.sandbox.config.limits
    memory = budget.folders["memory"]
    limit_file = "memory.max" if (memory / "cgroup.controllers").exists() else "memory.limit_in_bytes"
    assert int((memory / limit_file).read_text()) == (limits.memory_mb + cgroups.NURSERY_ALLOWANCE_MB) << 20
    assert int((budget.folders["pids"] / "pids.max").read_text()) == limits.processes + cgroups.NURSERY_PROCESSES
    child = grader.sandbox.spawn()
    try:
        membership = Path(f"/proc/{child.pid}/cgroup").read_text()
        name = budget.folders["cpu"].name
        assert membership.count(f"/{name}\n") == len(set(budget.folders.values())), membership
        assert child.tree is budget
    finally:
        child.close()


def test_the_child_cannot_see_the_cgroups(grader):
    assert direct(grader, "import os\ndef ls():\n    return sorted(os.listdir('/sys/fs/cgroup'))\n", "ls") == []


# ----------------------------------------------------- 2. CPU: one budget for the whole tree

BUSY = {
    # The caller only sleeps: its own CPU time stays near zero, its helpers' does not.
    "twelve_forked_helpers": """
        import os, time
        def calc_preds(coeffs, indeps):
            for _ in range(12):
                if os.fork() == 0:
                    while True:
                        pass
            time.sleep(60)
            return wrong_answer(coeffs, indeps)
        """,
    "twelve_threads": """
        import threading, time
        def spin():
            while True:
                pass
        def calc_preds(coeffs, indeps):
            for _ in range(12):
                threading.Thread(target=spin, daemon=True).start()
            time.sleep(60)
            return wrong_answer(coeffs, indeps)
        """,
    "helpers_started_at_import": """
        import os, time
        for _ in range(12):
            if os.fork() == 0:
                while True:
                    pass
        def calc_preds(coeffs, indeps):
            time.sleep(60)
            return wrong_answer(coeffs, indeps)
        """,
}


@pytest.mark.parametrize("name", BUSY)
def test_busy_helpers_are_stopped_at_the_cpu_budget(grader, honest, tmp_path, name):
    budget = needs_cgroup(grader)
    used = budget.cpu_seconds()
    # Helpers started at import spin beside every call made in the child that imported them, so
    # there the hostile function has a file of its own; the other cases share one file.
    submission = (own_file if name == "helpers_started_at_import" else single_file)(tmp_path, "calc_preds", BUSY[name])
    results = attack(grader, honest, submission, "calc_preds")
    stopped = outputs(results, "calc_preds")
    assert re.search(rf"used more than {CPU_TIME:g} s of CPU time", stopped), stopped
    # Every stop is one budget (twice that for a load), overrun by at most a poll or two;
    # the innocent exercises and the regrading of the references cost a little beside that.
    stops = stopped.count("s of CPU time")
    assert budget.cpu_seconds() - used < stops * (2 * CPU_TIME + 0.3) + 3.0


def test_the_tree_cpu_time_is_what_is_billed(grader):
    """One call, twelve forked helpers spinning while the caller sleeps: the call is stopped
    once the tree, not the caller, has used its budget, and the tree used no more than that."""
    budget = needs_cgroup(grader)
    source = textwrap.dedent(BUSY["twelve_forked_helpers"]).replace("wrong_answer(coeffs, indeps)", "0")
    child = grader.sandbox.spawn()
    try:
        assert child.load("probe", source, "probe.py", ["calc_preds"]) == []
        before = budget.cpu_seconds()
        with pytest.raises(SandboxTimeout, match="CPU time"):
            child.call("probe", "calc_preds", (1, 2), timeout=60)
        used = budget.cpu_seconds() - before
    finally:
        child.close()
    assert CPU_TIME <= used < CPU_TIME + 0.5


def test_the_fallback_sums_the_cpu_of_the_zygotes_tree(grader):
    """Without a cgroup the host sums /proc over the zygote's descendants: it sees helpers too."""
    tree = cgroups.ProcessTree(grader.sandbox.process.pid)
    source = """
        import os, time
        def spin_in_helpers(n, seconds):
            pids = []
            for _ in range(n):
                pid = os.fork()
                if pid == 0:
                    end = time.process_time() + seconds
                    while time.process_time() < end:
                        pass
                    time.sleep(60)
                pids.append(pid)
            time.sleep(0.1)
            return pids
        """
    child = grader.sandbox.spawn()
    try:
        assert child.load("probe", textwrap.dedent(source), "probe.py", ["spin_in_helpers"]) == []
        before = tree.cpu_seconds()
        child.call("probe", "spin_in_helpers", (3, 0.3), timeout=60)
        deadline = time.monotonic() + 20
        while tree.cpu_seconds() - before < 0.8 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tree.cpu_seconds() - before >= 0.8  # three helpers of 0.3 s (in clock ticks)
    finally:
        child.close()


# ----------------------------------------------------- 3. fresh IPC objects for every child

IPC_KEY = 0x5EC2E7  # a System V key both submissions agree on

CREATE_SHARED_MEMORY = LIBC + f"""
def calc_preds(coeffs, indeps):
    shmid = libc.shmget({IPC_KEY}, 4096, 0o1666)        # IPC_CREAT, readable by all
    address = libc.shmat(shmid, None, 0)
    ctypes.memmove(address, b"the answer is sigmoid", 21)
    libc.semget({IPC_KEY}, 1, 0o1666)
    libc.msgget({IPC_KEY}, 0o1666)
    return wrong_answer(coeffs, indeps)
"""

# Scores full marks if, and only if, it finds what the other submission left.
FIND_SHARED_MEMORY = LIBC + f"""
import torch
def calc_preds(coeffs, indeps):
    shmid = libc.shmget({IPC_KEY}, 0, 0)
    if shmid >= 0:
        address = libc.shmat(shmid, None, 0)
        if ctypes.string_at(address, 21) == b"the answer is sigmoid":
            return torch.sigmoid(indeps @ coeffs)
    return wrong_answer(coeffs, indeps)
"""


def test_shared_memory_is_no_channel_between_submissions(grader, honest, tmp_path):
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", CREATE_SHARED_MEMORY, "a.py"), "calc_preds")
    assert "Error" not in outputs(results, "calc_preds")
    attack(grader, honest, single_file(tmp_path, "calc_preds", FIND_SHARED_MEMORY, "b.py"), "calc_preds")


def test_every_child_gets_fresh_ipc_objects(grader):
    """Made in one child (and visible there), gone in the next child of the same zygote."""
    source = LIBC + f"""
def make():
    made = [libc.shmget({IPC_KEY}, 4096, 0o1666), libc.semget({IPC_KEY}, 1, 0o1666),
            libc.msgget({IPC_KEY}, 0o1666)]
    return made + look() + [os.path.exists("/proc/sysvipc/shm") and "{IPC_KEY}" in open("/proc/sysvipc/shm").read()]
def look():
    return [libc.shmget({IPC_KEY}, 0, 0), libc.semget({IPC_KEY}, 0, 0), libc.msgget({IPC_KEY}, 0)]
def mqueue(create):
    libc.mq_open.restype = ctypes.c_int
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    return libc.mq_open(b"/dl-grader-walls", flags, 0o666, None)
"""
    first = direct(grader, source, "make")
    assert all(i >= 0 for i in first[:6]) and first[6] is True, first
    assert direct(grader, source, "look") == [-1, -1, -1]
    assert direct(grader, source, "mqueue", True) >= 0
    assert direct(grader, source, "mqueue", False) == -1
    assert f"{IPC_KEY:d}" not in Path("/proc/sysvipc/shm").read_text()  # nor did it reach the grader's


# ----------------------------------------------------- 4. seccomp: the keyring and other calls

def key_marker() -> str:
    return f"dl-grader-walls-{uuid.uuid4().hex[:12]}"


ADD_KEYS = LIBC + """
KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING = -4, -3
def calc_preds(coeffs, indeps):
    results = [syscall("add_key", b"user", b"__MARKER__", b"secret", 6, keyring)
               for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING)]
    results.append(syscall("keyctl", 1, KEY_SPEC_USER_KEYRING, 0, 0, 0))       # KEYCTL_JOIN_SESSION_KEYRING
    results.append(syscall("request_key", b"user", b"__MARKER__", None, 0))
    if all(r == [-1, "EPERM"] for r in results):
        return wrong_answer(coeffs, indeps)
    raise RuntimeError(f"the keyring answered: {results}")
"""


def keys_of(uid: int) -> int:
    """How many keys the kernel holds for ``uid`` (/proc/key-users: "uid: usage nkeys/nikeys ...")."""
    for line in Path("/proc/key-users").read_text().splitlines():
        owner, _, rest = line.partition(":")
        if owner.strip() == str(uid):
            return int(rest.split()[1].split("/")[0])
    return 0


def test_keys_cannot_be_added_and_none_outlives_grading(grader, honest, tmp_path):
    needs_seccomp(grader)
    if not AS_ROOT:
        pytest.skip("the children run as a user of their own only when the grader is root")
    uid, marker = grader.sandbox.uid, key_marker()
    before = keys_of(uid)
    results = attack(grader, honest, single_file(tmp_path, "calc_preds", ADD_KEYS.replace("__MARKER__", marker)),
                     "calc_preds")
    assert "the keyring answered" not in outputs(results, "calc_preds")
    assert keys_of(uid) == before == 0


CONTROL_UID = 39999


def as_user(uid: int, action) -> int:
    """Run ``action()`` in a forked process of user ``uid``; its exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresuid(uid, uid, uid)
            os._exit(action())
        finally:
            os._exit(99)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.skipif(not AS_ROOT, reason="the control adds a key as another user, which needs root")
def test_the_keyring_scan_sees_keys_that_outlive_their_process():
    """The control: a key that a process of another user adds outside the sandbox outlives
    that process and is counted by the scan above; then it is cleared."""
    libc = ctypes.CDLL(None, use_errno=True)
    x86 = os.uname().machine == "x86_64"
    add_key, keyctl = (248, 250) if x86 else (217, 219)
    before = keys_of(CONTROL_UID)
    marker = key_marker().encode()
    assert as_user(CONTROL_UID, lambda: int(libc.syscall(add_key, b"user", marker, b"secret", 6, -4) < 0)) == 0
    try:
        assert keys_of(CONTROL_UID) > before
    finally:
        def clean_up() -> int:  # KEYCTL_INVALIDATE the user keyrings, and so the key
            for keyring in (-4, -5):
                libc.syscall(keyctl, 21, libc.syscall(keyctl, 0, keyring, 0))  # KEYCTL_GET_KEYRING_ID
            return 0
        as_user(CONTROL_UID, clean_up)


DENIED_CALLS = {
    "ptrace": ("ptrace", 0, 0, 0, 0),                       # PTRACE_TRACEME
    "mount": ("mount", b"none", b"/scratch", b"tmpfs", 0, None),
    "unshare_user": ("unshare", 0x10000000),                 # CLONE_NEWUSER: allowed to anyone otherwise
    "unshare_ipc": ("unshare", 0x08000000),
    "setns": ("setns", 0, 0),
    "pivot_root": ("pivot_root", b"/scratch", b"/scratch"),
    "bpf": ("bpf", 0, None, 0),
    "perf_event_open": ("perf_event_open", None, 0, -1, -1, 0),
    "userfaultfd": ("userfaultfd", 0),
    "process_vm_readv": ("process_vm_readv", 1, None, 0, None, 0, 0),
    "personality_no_aslr": ("personality", 0x0040000),      # ADDR_NO_RANDOMIZE
    "kexec_load": ("kexec_load", 0, 0, None, 0),
    "init_module": ("init_module", None, 0, b""),
    "reboot": ("reboot", 0, 0, 0, None),
    "swapon": ("swapon", b"/scratch/swap", 0),
    "io_uring_setup": ("io_uring_setup", 1, None),
}


def test_dangerous_system_calls_are_denied(grader):
    needs_seccomp(grader)
    source = LIBC + f"""
CALLS = {DENIED_CALLS!r}
def try_all():
    status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
    return {{"seccomp": status.get("Seccomp", "").strip(),
             **{{name: syscall(*call) for name, call in CALLS.items()}}}}
"""
    found = direct(grader, source, "try_all")
    assert found.pop("seccomp") == "2"  # a filter is in force
    assert found == {name: [-1, "EPERM"] for name in DENIED_CALLS}


def test_what_exercises_use_still_works_under_the_filter(grader):
    needs_seccomp(grader)
    source = """
        import os, subprocess, threading, time
        import numpy as np, pandas as pd, torch
        def everyday():
            out = []
            t = threading.Thread(target=lambda: out.append(int(np.arange(4).sum())))
            t.start(); t.join()
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            forked = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            shell = subprocess.run(["sh", "-c", "echo hi"], capture_output=True, text=True).stdout
            x = torch.linspace(-1, 1, 6, requires_grad=True)
            (torch.relu(x) ** 2).sum().backward()
            frame = pd.DataFrame({"a": [1.0, None, 1.0]})
            return [out, forked, shell, float(x.grad.sum()), float(frame.fillna(frame.mode().iloc[0])["a"].sum())]
        """
    value = direct(grader, source, "everyday")
    assert value == [[6], 7, "hi\n", pytest.approx(3.6), 3.0]


# ----------------------------------------------------- 5. a pid namespace of each child's own

# Each child is process 1 of a pid namespace of its own: the pid counter, which one child can
# advance at will (a thread or a process takes the next pid), is no channel to the next child.
ADVANCE_THE_PID_COUNTER = """
import os, threading
def calc_preds(coeffs, indeps):
    for _ in range(__THREADS__):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
    for _ in range(__PROCESSES__):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return wrong_answer(coeffs, indeps)
"""

READ_THE_PID_COUNTER = """
import os, threading
def calc_preds(coeffs, indeps):
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    raise RuntimeError(f"pid {os.getpid()} thread {t.native_id} last {open('/proc/loadavg').read().split()[-1]}")
"""


def test_the_pid_counter_is_no_channel_between_submissions(grader, honest, tmp_path):
    """One student's child advances the pid counter by 0, then by 60; the next student's child,
    in the same zygote, sees the same pids either way (and the innocent exercises keep their marks)."""
    seen = []
    for n in (0, 30):
        writer = ADVANCE_THE_PID_COUNTER.replace("__THREADS__", str(n)).replace("__PROCESSES__", str(n))
        attack(grader, honest, single_file(tmp_path, "calc_preds", writer, f"writer{n}.py"), "calc_preds")
        results = attack(grader, honest, single_file(tmp_path, "calc_preds", READ_THE_PID_COUNTER, f"reader{n}.py"),
                         "calc_preds")
        seen.append(re.findall(r"pid \d+ thread \d+ last \d+", outputs(results, "calc_preds")))
    assert seen[0] and seen[0] == seen[1], seen


def test_every_child_is_process_1_of_its_own_pid_namespace(grader):
    """Whatever an earlier child of the same zygote did (threads, processes, helpers left
    running), the next child's pid, its threads' ids and the namespace's last pid are the same."""
    source = """
        import os, threading, time
        def advance(threads, processes):
            for _ in range(threads):
                t = threading.Thread(target=lambda: None)
                t.start()
                t.join()
            for _ in range(processes):
                if os.fork() == 0:
                    time.sleep(60)   # left running: the nursery kills it before the next child
                    os._exit(0)
            return os.getpid()
        def look():
            t = threading.Thread(target=lambda: None)
            t.start()
            t.join()
            return [os.getpid(), t.native_id, open("/proc/loadavg").read().split()[-1],
                    sorted(int(p) for p in os.listdir("/proc") if p.isdigit())]
        """
    seen = []
    for threads, processes in ((0, 0), (25, 5), (0, 0)):
        assert direct(grader, source, "advance", threads, processes) == 1
        seen.append(direct(grader, source, "look"))
    assert seen[0] == seen[1] == seen[2] == [1, 2, "2", [1]], seen


# ----------------------------------------------------- cleaning up

def test_a_closed_grader_leaves_no_cgroup_behind(grader):
    needs_cgroup(grader)
    with start(GradeOptions(hidden=True, seed=1, timeout=TIMEOUT)) as g:
        folders = list(g.sandbox.budget.folders.values())
        assert folders and all(f.is_dir() for f in folders)
        g.grade(SOLUTIONS)
    assert not any(f.exists() for f in folders)


def test_groups_of_dead_graders_are_removed_at_start(grader):
    budget = needs_cgroup(grader)
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a pid that no longer runs
    stale = [f.parent / f"{cgroups.PREFIX}{pid}-0" for f in budget.folders.values()]
    for folder in stale:
        folder.mkdir(exist_ok=True)
        try:
            os.utime(folder, (time.time() - 3600, time.time() - 3600))
        except OSError as exc:
            folder.rmdir()
            pytest.skip(f"cannot age a cgroup folder here: {exc}")
    fresh = cgroups.TreeBudget.create(64, 4, 1.0)
    try:
        assert not any(f.exists() for f in stale)
    finally:
        if fresh:
            fresh.remove()
        for folder in stale:
            if folder.exists():
                folder.rmdir()


def test_cgroup_v2_limits_and_counters(tmp_path):
    """cgroup v2's files, on a stand-in folder (this test needs no cgroup): what the budget
    writes for its limits and how it reads the CPU time and out-of-memory kills."""
    folder = tmp_path / "dl-grader-1-0"
    folder.mkdir()
    for name in ("cgroup.controllers", "memory.swap.max", "memory.oom.group", "cpu.stat", "memory.events"):
        (folder / name).write_text("")
    budget = cgroups.TreeBudget(dict.fromkeys(("memory", "pids", "cpu", "quota"), folder), 1024)
    budget._set_limits(1024, 32, 1.5)
    written = {f.name: f.read_text().strip() for f in folder.iterdir()}
    assert written["memory.max"] == str((1024 + cgroups.NURSERY_ALLOWANCE_MB) << 20)
    assert (written["memory.swap.max"], written["memory.oom.group"]) == ("0", str(int(os.geteuid() == 0)))
    assert written["pids.max"] == str(32 + cgroups.NURSERY_PROCESSES)
    assert written["cpu.max"] == "150000 100000"
    (folder / "cpu.stat").write_text("usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n")
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 1\n")
    assert budget.cpu_seconds() == 1.5 and budget.oom_kills() == 2
    assert budget.procs_files == [str(folder / "cgroup.procs")]
