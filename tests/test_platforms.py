"""Other platforms, simulated: macOS (no prctl, unshare, /proc, cgroups, pyseccomp, pidfds or
kernel-checked credentials) and Windows (one line saying to use WSL).

Each test runs Python in a fresh process whose start-up (a ``sitecustomize`` module put first
on the path, so that the sandbox's zygote gets it too) takes the Linux-only pieces away.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[1]

# What macOS lacks, taken away at start-up. ``platform`` is "darwin" for the imports only
# (torch would take other paths in a real run); ``run`` keeps Linux's name and takes the
# features away, so that the sandbox really runs without them.
NO_LINUX = textwrap.dedent('''
    import builtins, ctypes, io, os, socket, sys

    sys.modules["pyseccomp"] = None
    for name in ("pidfd_open",):
        if hasattr(os, name):
            delattr(os, name)
    for name in ("SCM_CREDENTIALS", "SO_PASSCRED"):
        if hasattr(socket, name):
            delattr(socket, name)

    _real_open = io.open
    def _open(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and os.fsdecode(file).startswith(("/proc/self", "/sys/fs/cgroup")):
            raise FileNotFoundError(2, "No such file or directory (simulated)", os.fsdecode(file))
        return _real_open(file, *args, **kwargs)
    io.open = builtins.open = _open

    _RealCDLL = ctypes.CDLL
    class _NoLinuxLibc:
        def __init__(self, real):
            self._real = real
        def __getattr__(self, name):
            if name in ("prctl", "unshare", "setns", "mount", "umount2"):
                raise AttributeError(name)
            return getattr(self._real, name)
    def _cdll(name, *args, **kwargs):
        real = _RealCDLL(name, *args, **kwargs)
        return _NoLinuxLibc(real) if name is None else real
    ctypes.CDLL = _cdll
''')


def python(tmp_path: Path, code: str, *args: str, platform: str | None = None, env: dict | None = None,
           cwd: Path | None = None) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(NO_LINUX + (f"sys.platform = {platform!r}\n" if platform else ""))
    environment = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{COURSE}", COLUMNS="200", **(env or {}))
    environment.pop("CI", None)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment,
                          timeout=300, cwd=cwd or tmp_path)


def test_the_simulation_takes_linux_away(tmp_path):
    done = python(tmp_path, textwrap.dedent('''
        import ctypes, os, socket, sys
        print(sys.platform, hasattr(os, "pidfd_open"), hasattr(socket, "SCM_CREDENTIALS"))
        try:
            ctypes.CDLL(None).prctl
        except AttributeError:
            print("no prctl")
        try:
            open("/proc/self/status")
        except FileNotFoundError:
            print("no /proc")
        import pyseccomp
    '''), platform="darwin")
    assert done.stdout.splitlines() == ["darwin False False", "no prctl", "no /proc"]
    assert "ModuleNotFoundError" in done.stderr or "ImportError" in done.stderr


def test_the_command_line_and_the_grading_import_without_linux(tmp_path):
    done = python(tmp_path, textwrap.dedent('''
        import errno, sys
        import numpy, pandas, pytest, torch  # libraries whose own start-up reads sys.platform

        sys.platform = "darwin"
        import grader.cli, grader.grading, grader.grading.runner, grader.grading.worker
        import grader.sandbox.host, grader.sandbox.zygote, grader.sandbox.child
        from grader.sandbox import cgroups, isolation, seccomp

        print(seccomp.compile_filter(), isolation.address_space_bytes(), cgroups.TreeBudget.create(1024, 32, 1.0))
        try:
            isolation.unshare(isolation.CLONE_NEWNS)
        except isolation.IsolationError as exc:
            print("unshare", errno.errorcode[exc.errno])
    '''))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["None None None", "unshare ENOSYS"]


@pytest.mark.parametrize("command", [["--help"], ["list"]])
def test_help_and_list_work_without_linux(tmp_path, command):
    done = python(tmp_path, "from grader.cli import main; main()", *command, platform="darwin",
                  env={"GRADER_COURSE": str(COURSE)})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert ("Grade the course's exercises" in done.stdout) if command == ["--help"] else \
        ("exercises/week5/calc_preds.py" in done.stdout)


def test_check_runs_in_a_forked_child_without_linux_features(tmp_path):
    """No prctl, unshare, /proc/self, cgroups, libseccomp, pidfds or kernel-checked pids (as on
    macOS; the name stays Linux's so torch starts as it would here): `grader check` runs each
    submission in a child the zygote forked, whose pid the zygote tells, and says what is missing."""
    course = tmp_path / "course"
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, course / folder)
    shutil.copy(COURSE / "solutions/week5/calc_preds.py", course / "exercises/week5/calc_preds.py")
    (course / "exercises/week3/triple_relu.py").write_text("def triple_relu(*args):\n    while True:\n        pass\n")
    done = python(tmp_path, "from grader.cli import main; main()", "check", "calc_preds", "triple_relu",
                  "--timeout", "1", env={"GRADER_COURSE": str(course)}, cwd=course)
    assert "Traceback" not in done.stderr and "sandbox setup failed" not in done.stderr, done.stderr
    assert "✓ calc_preds" in done.stdout and "✗ triple_relu" in done.stdout, done.stdout
    # the endless loop is stopped: by the wall clock, or by the CPU budget where the CPU time can be read
    assert "no answer within 1 s" in done.stdout or "used more than 0.5 s of CPU time" in done.stdout
    note = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert note == ["note: this machine allows no Linux namespaces and no seccomp filter (libseccomp is not "
                    "installed); your code runs in a process of its own with rlimits only (fine for checking your "
                    "own work)"]
    assert done.returncode == 1


def test_windows_says_to_use_wsl_in_one_line(tmp_path):
    # Click and rich take Windows' own paths at import (msvcrt): they are imported as on Linux.
    first = "import sys, click, rich.console; sys.platform = 'win32'; "
    for code in ("from grader.cli import main; main()", "import runpy; runpy.run_module('grader', run_name='__main__')"):
        done = python(tmp_path, first + code, "check")
        assert done.returncode == 1
        assert done.stderr.splitlines() == ["dl-grader runs on Linux and macOS: on Windows, install WSL "
                                            "(wsl --install) and run grader inside it"]
        assert done.stdout == ""
