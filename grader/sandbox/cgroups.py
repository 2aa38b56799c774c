"""One memory, CPU and process budget for a sandboxed child's whole process tree.

rlimits are per process: five helpers of 900 MB each stay under a 1 GB RLIMIT_AS, and
twelve busy helpers each use a little CPU. So the host gives each sandbox (each zygote)
one control group, a folder under the cgroup the grader itself runs in, so that the
budget nests inside whatever limits the grader is under:

- memory: what the children may add on top of the pre-warmed zygote (``Limits.memory_mb``,
  no swap). The zygote stays outside: the pages it touched while warming up are charged to
  the grader's own cgroup, and a child that only reads them adds nothing. On cgroup v2 as root an
  out-of-memory kill takes the whole group but the nursery (``memory.oom.group``); in any
  case the host sees the kill (``memory.events`` / ``memory.oom_control``) and stops the
  child, and the nursery then kills the rest.
- processes: ``pids.max`` counts every process and thread of the tree.
- CPU: the host reads the group's usage (``cpu.stat`` / ``cpuacct.usage``) for the per-call
  budget, and the group may use at most ``Limits.cpu_cores`` cores (``cpu.max`` / CFS quota).

The zygote's first process joins the group before it enters the namespaces, so the nursery
(process 1 of the children's pid namespace) and every child it forks are in it without a
cgroup write per child: spawning stays cheap. The nursery protects itself from the
out-of-memory killer (``oom_score_adj`` -1000, which v2's group kill also spares) and each
child gives that protection up. The children never see /sys/fs/cgroup (see host.py).

Both cgroup versions are read from /proc/self/mountinfo and /proc/self/cgroup, and may be
mixed ("hybrid": v1 controllers beside a v2 hierarchy): each resource comes from v2 when
the grader's v2 cgroup may hand that controller to its children, else from its v1
hierarchy. The group is named ``dl-grader-PID-N`` after the grader's process and removed
when the sandbox closes; groups of graders that no longer run are removed when the next
one starts, so a killed grader leaks nothing for long.

Where no cgroup can be made (not root and no delegated cgroup), ``ProcessTree`` is the
fallback for CPU: the host sums the CPU time of every process descended from the zygote,
read from /proc; memory and processes are then limited by rlimits only (per process; as
root each sandbox's children run as a user of their own, so RLIMIT_NPROC is per tree).
"""

from __future__ import annotations

import errno
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "dl-grader-"
CPU_PERIOD_US = 100_000
# The nursery and the first process are in the group too: their own pages and the page
# cache the children bring in are charged to it, beside what the child may use.
NURSERY_ALLOWANCE_MB = 64
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # /proc's unit (Linux)
NURSERY_PROCESSES = 3   # the first process, the nursery, and its self-test child
STALE_AFTER = 60.0      # seconds

_serial = itertools.count()


@dataclass(frozen=True)
class _Hierarchy:
    folder: Path        # the grader's own cgroup in this hierarchy
    v2: bool
    controllers: frozenset[str]


def _unescape(path: str) -> str:
    return path.encode().decode("unicode_escape") if "\\" in path else path


def _hierarchies() -> list[_Hierarchy]:
    """The cgroup hierarchies mounted here, each with the folder of this process's own cgroup."""
    try:
        own = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, names, path = line.split(":", 2)
            own["" if number == "0" else names] = path
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    found, seen = [], set()
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if len(fields) < 5 or len(kind) < 3 or kind[0] not in ("cgroup", "cgroup2"):
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        if kind[0] == "cgroup2":
            key, names = "", None
        else:
            names = [o for o in kind[2].split(",") if o not in ("rw", "ro") and "=" not in o]
            key = next((k for k in own if k and set(k.split(",")) == set(names)), None)
        if key is None or key not in own or key in seen:
            continue
        path = own[key]
        if root != "/" and (path == root or path.startswith(root.rstrip("/") + "/")):
            path = path[len(root.rstrip("/")):] or "/"
        folder = Path(point + path.rstrip("/")) if path != "/" else Path(point)
        if not folder.is_dir():
            continue
        seen.add(key)
        if names is None:
            try:
                names = (folder / "cgroup.controllers").read_text().split()
            except OSError:
                names = []
        found.append(_Hierarchy(folder, key == "", frozenset(names)))
    return found


def _v2_delegable(h: _Hierarchy, wanted: set[str]) -> set[str]:
    """The controllers of ``wanted`` that the grader's v2 cgroup can hand to a child group.

    A v2 cgroup that holds processes can enable controllers for its children only if it is
    the root (the "no internal processes" rule), so this works at the root, in a delegated
    cgroup whose processes sit in a leaf, or where they are enabled already."""
    control = h.folder / "cgroup.subtree_control"
    try:
        enabled = set(control.read_text().split())
    except OSError:
        return set()
    for name in sorted((wanted & h.controllers) - enabled):
        try:
            control.write_text(f"+{name}")
            enabled.add(name)
        except OSError:
            pass
    return wanted & enabled


def _write(path: Path, value: object) -> None:
    path.write_text(f"{value}\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TreeBudget:
    """The cgroup of one sandbox: every process its zygote's nursery starts is in it."""

    def __init__(self, folders: dict[str, Path], memory_mb: int) -> None:
        self.folders = folders          # resource ("memory", "pids", "cpu", "quota") -> its folder
        self.memory_mb = memory_mb
        self._cpu_fd: int | None = None  # the group's CPU counter, kept open: the host reads it per call
        self._cpu_v2 = False

    # ------------------------------------------------------------------ making one

    @classmethod
    def create(cls, memory_mb: int, processes: int, cpu_cores: float) -> "TreeBudget | None":
        """A new group with these limits, or None where the machine does not allow one."""
        hierarchies = _hierarchies()
        for h in hierarchies:
            _remove_stale(h.folder)
        v2 = next((h for h in hierarchies if h.v2), None)
        v1 = {name: h for h in hierarchies if not h.v2 for name in h.controllers}
        delegable = _v2_delegable(v2, {"memory", "pids", "cpu"}) if v2 else set()
        parents: dict[str, Path] = {}
        for resource, v1_name, v2_name in (("memory", "memory", "memory"), ("pids", "pids", "pids"),
                                           ("cpu", "cpuacct", ""), ("quota", "cpu", "cpu")):
            if v2 and (v2_name in delegable or v2_name == ""):   # cpu.stat needs no controller
                parents[resource] = v2.folder
            elif v1_name in v1:
                parents[resource] = v1[v1_name].folder
        name = f"{PREFIX}{os.getpid()}-{next(_serial)}"
        made: dict[Path, Path] = {}
        for parent in set(parents.values()):
            try:
                (parent / name).mkdir(mode=0o755)
                made[parent] = parent / name
            except OSError:
                pass
        budget = cls({r: made[p] for r, p in parents.items() if p in made}, memory_mb)
        budget._set_limits(memory_mb, processes, cpu_cores)
        if "cpu" not in budget.folders:  # the host needs the group's CPU time
            budget.remove()
            return None
        return budget

    def _set_limits(self, memory_mb: int, processes: int, cpu_cores: float) -> None:
        memory = (memory_mb + NURSERY_ALLOWANCE_MB) * 1024 * 1024
        settings = {
            # The group kill spares the nursery only if it could protect itself (as root).
            "memory": [("memory.max", memory), ("memory.swap.max", 0), ("memory.oom.group", int(os.geteuid() == 0))]
            if self._v2("memory") else
            [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)],
            "pids": [("pids.max", processes + NURSERY_PROCESSES)],
            "quota": [("cpu.max", f"{int(CPU_PERIOD_US * cpu_cores)} {CPU_PERIOD_US}")] if self._v2("quota") else
            [("cpu.cfs_period_us", CPU_PERIOD_US), ("cpu.cfs_quota_us", int(CPU_PERIOD_US * cpu_cores))],
        }
        for resource, pairs in settings.items():
            folder = self.folders.get(resource)
            if folder is None:
                continue
            try:
                for file, value in pairs:
                    if (folder / file).exists() or file == pairs[0][0]:
                        _write(folder / file, value)
            except OSError:
                del self.folders[resource]  # not enforced: say so (``enforced``) rather than pretend

    def _v2(self, resource: str) -> bool:
        folder = self.folders.get(resource)
        return folder is not None and (folder / "cgroup.controllers").exists()

    # ------------------------------------------------------------------ what it offers

    @property
    def enforced(self) -> tuple[str, ...]:
        """Which of memory, pids, cpu (accounting) and quota (cores) the group enforces."""
        return tuple(r for r in ("memory", "pids", "cpu", "quota") if r in self.folders)

    @property
    def procs_files(self) -> list[str]:
        """The files a process writes "0" to, to join the group (one per hierarchy)."""
        return sorted({str(f / "cgroup.procs") for f in self.folders.values()})

    def cpu_seconds(self) -> float:
        """CPU time used by every process that has been in the group (0 when it cannot be read).
        One ``pread`` of a descriptor opened on first use: the host reads this on every call."""
        try:
            if self._cpu_fd is None:
                self._cpu_v2 = self._v2("cpu")
                self._cpu_fd = os.open(self.folders["cpu"] / ("cpu.stat" if self._cpu_v2 else "cpuacct.usage"),
                                       os.O_RDONLY | os.O_CLOEXEC)
            data = os.pread(self._cpu_fd, 4096, 0)
            if not self._cpu_v2:
                return int(data) / 1e9
            for line in data.splitlines():
                if line.startswith(b"usage_usec "):
                    return int(line.split()[1]) / 1e6
            return 0.0
        except (OSError, ValueError):
            return 0.0

    def oom_kills(self) -> int:
        """How many processes the kernel has killed for going over the group's memory."""
        folder = self.folders.get("memory")
        if folder is None:
            return 0
        try:
            text = (folder / ("memory.events" if self._v2("memory") else "memory.oom_control")).read_text()
        except OSError:
            return 0
        counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", 0))

    # ------------------------------------------------------------------ ending

    def kill_all(self) -> None:
        """SIGKILL every process in the group."""
        for folder in self.folders.values():
            _kill_members(folder)

    def remove(self) -> None:
        """Kill what is left in the group and remove its folders."""
        if self._cpu_fd is not None:
            os.close(self._cpu_fd)
            self._cpu_fd = None
        self.kill_all()
        for folder in set(self.folders.values()):
            _rmdir(folder)
        self.folders = {}


def _kill_members(folder: Path) -> None:
    if (folder / "cgroup.kill").exists():
        try:
            _write(folder / "cgroup.kill", 1)
            return
        except OSError:
            pass
    try:
        members = (folder / "cgroup.procs").read_text().split()
    except OSError:
        return
    for pid in members:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            pass


def _rmdir(folder: Path, patience: float = 2.0) -> None:
    """Remove an empty cgroup; killed processes take a moment to leave it."""
    deadline = time.monotonic() + patience
    while True:
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return
        time.sleep(0.01)


def _remove_stale(parent: Path) -> None:
    """Remove the groups of graders that no longer run (a grader killed before it could).

    Only empty groups go (rmdir refuses the others), none made in the last minute (a group
    is empty until its zygote has warmed up and joined it), and none of a live process."""
    try:
        entries = [e for e in parent.iterdir() if e.name.startswith(PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            pid = int(entry.name[len(PREFIX):].split("-")[0])
            young = time.time() - entry.stat().st_mtime < STALE_AFTER
        except (ValueError, OSError):
            continue
        if not young and not _alive(pid):
            try:
                entry.rmdir()
            except OSError:
                pass


def join(procs_files: list[str], *, protect: bool = False) -> None:
    """Move this process into the group (its children follow it there). With ``protect``,
    the out-of-memory killer spares it (root only; the nursery, which runs no submission)."""
    for path in procs_files:
        with open(path, "w") as f:
            f.write("0")
    if protect:
        oom_score(-1000)


def oom_score(value: int) -> None:
    """Set this process's ``oom_score_adj`` where allowed (lowering it needs root)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(value))
    except OSError:
        pass


class ProcessTree:
    """The fallback without a cgroup: CPU time of every process descended from ``root``
    (the zygote), read from /proc. Processes that leave the tree (reparented to init after
    a double fork, in weak isolation) are no longer counted; in full isolation they cannot
    leave it, since orphans are adopted by the nursery."""

    memory_mb = 0

    def __init__(self, root: int) -> None:
        self.root = root

    def cpu_seconds(self) -> float:
        total, stack, seen = 0, [self.root], set()
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                        stack.extend(int(c) for c in f.read().split())
            except (OSError, IndexError, ValueError):
                continue
        return total / CLOCK_TICKS

    def oom_kills(self) -> int:
        return 0

