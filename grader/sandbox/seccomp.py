"""A seccomp filter for sandboxed children: deny the system calls that no exercise needs.

Modelled on Docker's default profile, as a deny-list (everything else is allowed, so
torch, numpy, pandas, threads, fork and the wire keep working): the kernel keyring, other
processes' memory (ptrace, process_vm_*), mounts and namespaces, BPF and perf, kernel
modules and kexec, reboot, swap, the clock, userfaultfd, file handles, io_uring, and
personality flags that turn off address-space randomisation or make data executable. A
denied call fails with EPERM. ``clone`` may not create namespaces (EPERM) and ``clone3``,
whose flags a filter cannot read, fails with ENOSYS, so that the C library falls back to
``clone`` for threads, as under Docker. Calls for another architecture (32-bit x86 on
x86_64, x32) kill the process: libseccomp checks the architecture in the filter.

The filter is compiled once, in the zygote, with libseccomp (through ``pyseccomp``, a thin
ctypes binding whose API is that of libseccomp's own Python module, from PyPI; libseccomp's
own Python module is not on PyPI; libseccomp.so.2 is the Debian package libseccomp2) and exported as a BPF program; each child loads those bytes with
one ``seccomp(2)`` call, after its other walls are up and after no_new_privs, which costs
microseconds. Where libseccomp is missing, ``compile_filter`` returns None, the children run
without the filter and the zygote says so (``Sandbox.filtered``); so do they where the machine
refuses to load a filter (``loads``: a container's own seccomp profile may deny seccomp(2)).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform

from grader.sandbox.isolation import _CLibrary

# Denied outright (EPERM). Names unknown to this kernel or architecture are skipped.
DENIED = (
    # the kernel keyring: keys outlive the process that added them
    "add_key", "keyctl", "request_key",
    # other processes and their memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # file systems, mounts and namespaces
    "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "unshare", "setns",
    "open_by_handle_at", "name_to_handle_at", "quotactl", "quotactl_fd", "nfsservctl",
    # the kernel itself
    "bpf", "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "create_module", "get_kernel_syms", "query_module", "reboot", "swapon",
    "swapoff", "syslog", "acct", "lookup_dcookie", "uselib", "ustat", "sysfs", "_sysctl",
    "vhangup", "iopl", "ioperm",
    # the clock
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    # interfaces behind many recent kernel exploits
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
)
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
# personality(2) flags beyond the default: no address-space randomisation, executable
# data, page zero mapped, the old memory layout, 32-bit address limits, and the rest.
PERSONALITY_FLAGS = (0x0040000, 0x0080000, 0x0100000, 0x0200000, 0x0400000, 0x0800000,
                     0x1000000, 0x2000000, 0x4000000, 0x8000000)

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
_SECCOMP = {"x86_64": 317, "aarch64": 277}
_libc = _CLibrary()  # looked up on first use: prctl is Linux's alone


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def compile_filter() -> bytes | None:
    """The filter as a BPF program (8 bytes an instruction), or None without libseccomp.
    Raises OSError where the kernel refuses libseccomp's questions about what it supports
    (seccomp(2) denied): no filter could be loaded there either."""
    sc = _pyseccomp()
    if sc is None:
        return None
    deny = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(sc.ALLOW)
    rules.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    rules.set_attr(sc.Attr.CTL_OPTIMIZE, 2)  # a binary tree of system calls: fewer instructions a call
    for name in DENIED:
        try:
            rules.add_rule(deny, name)
        except (OSError, ValueError):
            pass  # not a system call here
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    for flag in PERSONALITY_FLAGS:
        rules.add_rule(deny, "personality", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    read, write = os.pipe()
    try:
        with os.fdopen(write, "wb") as f:
            rules.export_bpf(f)
        program = b""
        while chunk := os.read(read, 65536):
            program += chunk
    finally:
        os.close(read)
    return program


def _pyseccomp():
    """pyseccomp, or None without libseccomp. Its import looks the two libraries up with
    ``ctypes.util.find_library``, which runs ``ldconfig`` (some 170 ms of the zygote's start):
    their usual sonames are tried first."""
    import ctypes.util

    lookup = ctypes.util.find_library
    sonames = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}

    def find_library(name: str) -> str | None:
        soname = sonames.get(name)
        if soname:
            try:
                ctypes.CDLL(soname)
                return soname
            except OSError:
                pass
        return lookup(name)

    ctypes.util.find_library = find_library
    try:
        import pyseccomp
    except (ImportError, OSError, RuntimeError):  # RuntimeError: libseccomp not found
        return None
    finally:
        ctypes.util.find_library = lookup
    return pyseccomp


def loads(program: bytes) -> bool:
    """Whether this machine lets a process load ``program``. False where seccomp(2) or
    no_new_privs is denied (a container's own profile) or missing. Tried in a throwaway
    thread: without SECCOMP_FILTER_FLAG_TSYNC a filter, and no_new_privs, bind only the
    thread that loads them (and what it starts), and a thread costs far less than forking a
    process that has imported torch (about 0.1 ms against 80)."""
    import threading

    loaded: list[bool] = []

    def attempt() -> None:
        try:
            install(program)
            loaded.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=attempt, name="seccomp-probe")
    thread.start()
    thread.join()
    return bool(loaded)


def install(program: bytes) -> None:
    """Load the filter into this process (and so into everything it starts); for good."""
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(no_new_privs)")
    machine = platform.machine()
    if machine not in _SECCOMP:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    code = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(code, ctypes.c_void_p))
    if _libc.syscall(_SECCOMP[machine], SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog)) != 0:
        errno_ = ctypes.get_errno()
        raise OSError(errno_, f"seccomp: {os.strerror(errno_)}")
