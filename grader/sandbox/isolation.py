"""Walls around a child process: namespaces, a private root, limits and no privileges.

Used only inside freshly forked children (never in the grader's own process). The
strongest level needs Linux namespaces: as root they are used directly and the child
then becomes an unprivileged user; as another user an unprivileged user namespace
gives the same walls. Where neither works the child runs with limits only ("weak").
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: the command line says to use WSL before anything here runs
    resource = None  # type: ignore[assignment]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4



@functools.cache
def _c_library() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # TypeError: no C library by the name None (Windows)
        return None


class _CLibrary:
    """The C library's functions, looked up on first use. prctl, unshare, setns, mount,
    umount2 are Linux's alone: a missing one raises ``IsolationError`` (ENOSYS) where it is
    called, never when this module is imported (macOS: ``grader check`` runs with a forked
    child and rlimits)."""

    def __getattr__(self, name: str):
        function = getattr(_c_library(), name, None)
        if function is None:
            raise IsolationError(errno.ENOSYS, f"{name}: not available on this system")
        return function


_libc = _CLibrary()
STAGING = ("/mnt", "/media", "/srv", "/opt", "/run")  # where the new root may be assembled
SCRATCH = "/scratch"  # each child's private, writable folder
# pivot_root and capset have no wrapper in Python's standard library.
_SYSCALLS = {"x86_64": {"pivot_root": 155, "capset": 126}, "aarch64": {"pivot_root": 41, "capset": 91}}
_SYSCALL = _SYSCALLS.get(platform.machine(), _SYSCALLS["x86_64"])


class IsolationError(OSError):
    """A wall could not be put up."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child."""

    memory_mb: int = 1024          # address space on top of what the pre-warmed process maps; with a
                                   # cgroup also the memory the child's whole tree may add
    processes: int = 32            # processes and threads of the child's user (of its tree, with a cgroup)
    output_kb: int = 64            # stdout/stderr kept; the rest is discarded
    file_size_mb: int = 8          # largest file the child may write (in its private /scratch)
    cpu_seconds: int = 60          # for the child's whole life: a backstop
    cpu_cores: float = 1.0         # cores the child's whole process tree may use at once (with a cgroup)
    call_cpu_seconds: float = 0.5  # one call; enforced by the host
    # Loading: each notebook cell (a .py file's top level is one cell) is interrupted in the
    # child past these; the host kills a child whose whole load takes longer than load_seconds.
    cell_cpu_seconds: float = 1.0
    cell_seconds: float = 2.0
    load_seconds: float = 10.0
    open_files: int = 64


@dataclass(frozen=True)
class Walls:
    """What the child may see: read-only system and Python folders, nothing else."""

    read_only: tuple[str, ...]     # folders bound read-only into the child's root (see host.py)
    hidden: tuple[str, ...] = ()   # folders to cover with an empty file system even if allowed
    uid: int = 0                   # the unprivileged user to become when running as root


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationError(errno, f"{what}: {os.strerror(errno)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def enter_namespaces(as_root: bool) -> None:
    """Called in the first child: new user (unless root), pid, mount, network, IPC, UTS namespaces.

    The caller must fork once more: its next child is process 1 of the new pid namespace,
    and when that process ends the kernel kills everything left in the namespace.
    """
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if as_root:
        unshare(flags)
        return
    uid, gid = os.getuid(), os.getgid()
    unshare(flags | CLONE_NEWUSER)
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def build_root(walls: Walls) -> None:
    """In a new mount namespace: a fresh root holding only the read-only folders, a few
    devices, a /proc of the new pid namespace, and an empty /scratch (each child mounts its
    own there). The old root is detached."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    hidden = sorted((p for p in walls.hidden if os.path.isdir(p)), key=len)
    allowed = [p for p in walls.read_only if os.path.isdir(p)]
    # The new root is staged on a small file system mounted over a folder that holds
    # nothing we need (the interpreter may well live under /tmp).
    base = next(b for b in (*STAGING, "/tmp") if os.path.isdir(b)
                and not any(_within(p, b) for p in allowed + hidden))
    _mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    root = base + "/root"
    os.mkdir(root)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    # Hidden folders become empty: those inside an allowed folder (the grader package in
    # site-packages) and those around one (a virtualenv inside the course folder, whose
    # interpreter folders are bound back in below). Longest paths first, so a hidden folder
    # inside another is covered again after its parent.
    for path in allowed:
        if not any(_within(path, h) for h in hidden):
            _bind_read_only(path, root + path)
    for path in hidden:
        if any(_within(path, a) for a in allowed) or any(_within(a, path) for a in allowed):
            os.makedirs(root + path, exist_ok=True)
            _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
            for inner in allowed:
                if _within(inner, path) and not any(_within(inner, h) for h in hidden if len(h) > len(path)):
                    _bind_read_only(inner, root + inner)
            _mount(None, root + path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "random", "urandom"):
        target = f"{root}/dev/{device}"
        Path(target).touch()
        _mount(f"/dev/{device}", target, None, MS_BIND)
    os.makedirs(root + "/tmp", exist_ok=True)
    os.makedirs(root + SCRATCH, exist_ok=True)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV)
    os.makedirs(root + "/.old", exist_ok=True)
    _check(_libc.syscall(_SYSCALL["pivot_root"], root.encode(), (root + "/.old").encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir("/")


def fresh_scratch(size_mb: int) -> None:
    """A mount namespace of the child's own with an empty, private, size-limited scratch
    folder (its HOME, TMPDIR and working folder), and an IPC namespace of its own, so no
    System V shared memory, semaphore or message queue, nor POSIX message queue, of one child
    reaches the next. The scratch folder is not /tmp, which may hold the interpreter's own
    folders. /proc is mounted afresh for the child's own pid namespace (see
    ``fork_in_new_pid_namespace``): it lists the child's processes only, and the pid counter
    it shows (``/proc/loadavg``, ``ns_last_pid``) is the child's own."""
    unshare(CLONE_NEWNS | CLONE_NEWIPC)
    _mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=1777")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(SCRATCH)


def fork_in_new_pid_namespace(own: int) -> int:
    """``os.fork()`` into a pid namespace of the child's own: the child is its process 1, so
    its pid (and its threads' and helpers' pids) are the same small numbers whatever earlier
    children did; the pid counter of the nursery's namespace, which they could advance to
    encode something, is out of sight. ``own`` is a descriptor of the caller's pid namespace
    (/proc/self/ns/pid), which the caller goes back to for its next fork: unshare(CLONE_NEWPID)
    only works while the namespace for children is the caller's own."""
    unshare(CLONE_NEWPID)
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid != 0:  # the nursery, whether the fork worked or not
            _check(_libc.setns(own, CLONE_NEWPID), "setns(pid)")
    return pid


def become_undumpable() -> None:
    """No core dumps, and no ptrace or /proc peeking by processes of the same user."""
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(dumpable)")


def _within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies inside it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _bind_read_only(source: str, target: str) -> None:
    os.makedirs(target, exist_ok=True)
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def apply_limits(limits: Limits, baseline_bytes: int | None) -> None:
    """rlimits: address space, processes, file size, CPU time, open files, no core dumps.
    Without a known address space (no /proc: macOS) there is no address-space limit, and a
    limit the system will not take is skipped there (Linux takes them all, or the child fails)."""
    strict = sys.platform.startswith("linux")
    memory = None if baseline_bytes is None else baseline_bytes + limits.memory_mb * 1024 * 1024
    for which, value in [
        *([(resource.RLIMIT_AS, memory)] if memory is not None else []),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * 1024 * 1024),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            if strict:
                raise


def drop_privileges(uid: int, as_root: bool) -> None:
    """Become ``uid`` (as root) or shed every capability (in a user namespace); no new privileges."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(no_new_privs)")
    if as_root:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        return
    # capset(2) with empty sets: header {version 3, pid 0}, two data structs of zeros.
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.syscall(_SYSCALL["capset"], header, data), "capset")


def address_space_bytes() -> int | None:
    """The current process's virtual memory size (None without /proc: macOS)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def remove_folder(path: str) -> None:
    """Remove a child's folder and everything in it, whatever it did to the permissions inside
    (a folder of mode 0 cannot be listed); symbolic links are removed, never followed. Linear
    in the number of entries the child made."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):  # a link or file put in its place
            os.unlink(path)
            return
        os.chmod(path, 0o700)
    except OSError:
        return
    for top, folders, _ in os.walk(path):  # top-down: a folder is opened up before it is listed
        for name in folders:
            inner = os.path.join(top, name)
            try:
                if stat.S_ISDIR(os.lstat(inner).st_mode):
                    os.chmod(inner, 0o700)
            except OSError:
                pass
    shutil.rmtree(path, ignore_errors=True)
