"""The zygote: a clean, pre-warmed process that forks sandboxed children on request.

It imports torch, numpy and pandas once and never loads solutions or checks, so a
child forked from it starts in milliseconds and finds nothing of the grader's in
memory.

With full isolation the zygote enters new user (unless root), pid, mount, network, IPC
and UTS namespaces and forks the *nursery*: process 1 of the new pid namespace, which
builds the private read-only root once and then forks one child per request. Each
child is process 1 of a pid namespace of its own (so no pid, and no pid counter, carries
anything from one child to the next) with its own /proc, and gets its own mount namespace
with a fresh /scratch, the grader's environment wiped, limits, an IPC namespace of its own,
no privileges, and a seccomp filter (seccomp.py); the nursery and so every child is in one
cgroup, the budget of the whole tree (cgroups.py). Before each new child, and on request,
the nursery kills every other process in its namespace (those of the children's nested
namespaces included), so nothing a submission started outlives it; when a child, or the
nursery, ends, the kernel kills whatever is left in its namespace. Without namespaces
("weak") the zygote forks the children itself, each in its own session and its own folder
(its working folder, HOME and TMPDIR) inside the host's folder for the sandbox, made
before the child and removed after it; the walls that are then missing are listed in
host.py.

The host talks to it over a Unix socket: a request is JSON with two file descriptors
(the child's request socket and its output socket) for ``spawn``, or none for ``reap`` and
``warm`` (run the expensive warm-up stage, ``warm_up_fully``, if it has not run yet); the
reply is a JSON line. The child itself sends its pid to the host, with kernel-checked
credentials, as the first message on its request socket.

Run as ``python -m grader.sandbox.zygote FD``; the settings arrive as the first line on FD.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import struct
import sys
import tempfile

# Modules a submission may reasonably import; loaded here because the child may not
# be able to read the standard library's files once its walls are up.
PRELOAD = (
    "math", "cmath", "random", "statistics", "itertools", "functools", "collections",
    "collections.abc", "operator", "copy", "dataclasses", "typing", "re", "json", "numbers",
    "fractions", "decimal", "heapq", "bisect", "string", "textwrap", "enum", "warnings",
    "contextlib", "abc", "time", "datetime",
    "numpy", "pandas", "torch", "torch.nn", "torch.nn.functional",
)

CHILD_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/scratch", "TMPDIR": "/scratch",
                     "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SETUP_FAILED = 70


class Zygote:
    def __init__(self, control: socket.socket, config: dict, baseline: int | None) -> None:
        from grader.sandbox import isolation, seccomp

        self.control = control
        self.level = "weak"
        self.as_root = os.geteuid() == 0
        self.limits = isolation.Limits(**config["limits"])
        self.walls = isolation.Walls(hidden=tuple(config["hidden"]), uid=config["uid"],
                                     read_only=tuple(config["read_only"]))
        self.baseline = baseline
        self.cgroup: list[str] = config.get("cgroup", [])  # the tree's cgroup: its cgroup.procs files
        self.in_cgroup = False  # the nursery, and so every child, is in it
        # "on", "absent" (no libseccomp here), "denied" (the machine refuses the filter: a
        # container's own seccomp profile, a kernel without it; tried once in a throwaway
        # process, so that a child never finds out halfway through its setup) or "unsupported"
        # (not Linux).
        try:
            self.seccomp = seccomp.compile_filter()
            self.seccomp_state = "on" if self.seccomp is not None else (
                "absent" if sys.platform.startswith("linux") else "unsupported")
        except OSError:  # libseccomp asked the kernel what it supports, and was refused
            self.seccomp, self.seccomp_state = None, "denied"
        if self.seccomp is not None and not seccomp.loads(self.seccomp):
            self.seccomp, self.seccomp_state = None, "denied"
        self.last: int | None = None  # weak isolation: the last child, leader of its own group
        self.pid_namespace: int | None = None  # the nursery's own pid namespace (a descriptor)
        self.scratch: str = config.get("scratch") or tempfile.gettempdir()  # the host's folder for this sandbox

    # ------------------------------------------------------------------ a child

    def child(self, call_fd: int, out_fd: int) -> None:
        """In a freshly forked child: put up the walls, report the pid, serve; never returns."""
        from grader.sandbox import cgroups, child, isolation, seccomp

        try:
            if self.level == "full":
                isolation.fresh_scratch(self.limits.file_size_mb * 2)
                cgroups.oom_score(0)  # the nursery's protection from the OOM killer is not for us
            else:
                if self.cgroup:
                    cgroups.join(self.cgroup)  # no nursery: each child joins the tree's cgroup
                os.setsid()
                os.chdir(self.folder)
            # Nothing of the grader's environment (tokens, paths) reaches submission code.
            os.environ.clear()
            os.environ.update(CHILD_ENVIRONMENT)
            if self.level != "full":  # no /scratch: the folder the zygote made, and removes, instead
                os.environ.update(HOME=self.folder, TMPDIR=self.folder)
            tempfile.tempdir = None  # not the folder tempfile remembered in the zygote: TMPDIR's
            os.dup2(out_fd, 1)
            os.dup2(out_fd, 2)
            os.closerange(3, call_fd)
            os.closerange(call_fd + 1, 1 << 16)
            sys.stdin = open(os.devnull)  # noqa: SIM115
            for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            sock = socket.socket(fileno=call_fd)
            isolation.apply_limits(self.limits, self.baseline)
            if self.level == "full":
                isolation.drop_privileges(self.walls.uid, self.as_root)
            if self.seccomp is not None:
                seccomp.install(self.seccomp)
            if hasattr(socket, "SCM_CREDENTIALS"):
                # The pid as the host sees it: the kernel translates it between namespaces.
                credentials = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
                sock.sendmsg([b"P"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
            else:  # not Linux (macOS): no namespaces, and the zygote tells the host the pid
                sock.sendall(b"P")
        except BaseException as exc:  # noqa: BLE001
            os.write(2, f"sandbox setup failed: {exc}\n".encode())
            os._exit(SETUP_FAILED)
        child.serve(sock)
        os._exit(0)

    def fork(self) -> int:
        """Fork a child: with full isolation into a pid namespace of its own (its process 1)."""
        from grader.sandbox import isolation

        if self.level != "full":
            return os.fork()
        if self.pid_namespace is None:
            self.pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        return isolation.fork_in_new_pid_namespace(self.pid_namespace)

    def spawn(self, fds: list[int]) -> dict:
        self.reap()
        if self.level != "full":
            if os.path.lexists(self.folder):
                return {"error": "the last child's folder could not be removed"}
            try:
                os.mkdir(self.folder, 0o700)
            except OSError as exc:
                return {"error": f"no folder for the child: {exc}"}
        try:
            pid = self.fork()
        except OSError as exc:
            return {"error": f"fork failed: {exc}"}
        if pid == 0:
            self.child(fds[0], fds[1])
        if self.level == "weak":
            self.last = pid
        # Without namespaces the pid is the host's too; the host takes it from here only where
        # the kernel cannot vouch for the child's own word (no SCM_CREDENTIALS: macOS).
        return {"ok": True, **({"pid": pid} if self.level != "full" else {})}

    def reap(self) -> None:
        """Kill what earlier children left behind, collect the dead and (weak isolation) remove
        the last child's folder."""
        from grader.sandbox import isolation

        if self.level == "full":
            try:
                os.kill(-1, signal.SIGKILL)  # process 1 of the namespace: all but itself
            except ProcessLookupError:
                pass
        elif self.last is not None:
            try:
                os.killpg(self.last, signal.SIGKILL)
                os.waitpid(self.last, 0)  # gone for good before its folder is removed
            except (ProcessLookupError, PermissionError, ChildProcessError):
                pass
            self.last = None
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if self.level != "full":
            isolation.remove_folder(self.folder)

    @property
    def folder(self) -> str:
        """Weak isolation: the children's working folder, HOME and TMPDIR (one path for every
        child, made empty before each and removed after it: nothing in it reaches the next)."""
        return os.path.join(self.scratch, "child")

    # ------------------------------------------------------------------ the loop

    def serve(self) -> None:
        self.say({"ready": True, "level": self.level, "seccomp": self.seccomp is not None,
                  "seccomp_state": self.seccomp_state,
                  "cgroup": bool(self.cgroup) and (self.in_cgroup or self.level == "weak")})
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 2)
            except OSError:
                break
            if not message:
                break
            op = json.loads(message).get("op")
            if op == "spawn" and len(fds) == 2:
                reply = self.spawn(fds)
            elif op == "reap":
                self.reap()
                reply = {"ok": True}
            elif op == "warm":
                try:
                    reply = {"ok": True, "warmed": warm_up_fully()}
                except Exception as exc:  # noqa: BLE001 - the zygote keeps serving, unwarmed
                    reply = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                gc.freeze()
            else:
                reply = {"error": "malformed request"}
            for f in fds:
                os.close(f)
            self.say(reply)
        self.reap()

    def say(self, message: dict) -> None:
        try:
            self.control.sendall(json.dumps(message).encode() + b"\n")
        except OSError:  # the host has gone (Ctrl-C, or it ended): end quietly, with the children
            self.reap()
            os._exit(0)

    def self_test(self) -> bool:
        """Fork one child through the whole setup and see it come through."""
        a, b = socket.socketpair()
        out_a, out_b = socket.socketpair()
        pid = self.fork()
        if pid == 0:
            a.close()
            out_a.close()
            self.child(b.fileno(), out_b.fileno())
        b.close()
        out_b.close()
        a.settimeout(30)
        try:
            ok = a.recv(1) == b"P"
        except OSError:
            ok = False
        a.close()
        out_a.close()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return ok


def run_nursery(zygote: Zygote, wanted: str) -> None:
    """Start the nursery behind a first process that enters the namespaces; returns only if
    that failed (and weak isolation is acceptable), with this process untouched."""
    from grader.sandbox import cgroups, isolation

    first = os.fork()
    if first == 0:
        if zygote.cgroup:  # while /sys/fs/cgroup is still in sight; the nursery inherits it
            try:
                cgroups.join(zygote.cgroup, protect=True)
                zygote.in_cgroup = True
            except OSError as exc:
                os.write(2, f"sandbox: no cgroup for the child's process tree: {exc}\n".encode())
        try:
            isolation.enter_namespaces(zygote.as_root)
            nursery = os.fork()
        except (OSError, AttributeError) as exc:  # AttributeError: a C library without unshare (macOS)
            if wanted == "full":  # else the fallback is expected, and the host says what is missing
                os.write(2, f"sandbox setup failed: {exc}\n".encode())
            os._exit(SETUP_FAILED)
        if nursery == 0:  # process 1 of the new pid namespace
            try:
                isolation.build_root(zygote.walls)
                isolation.become_undumpable()
                zygote.level = "full"
                ok = zygote.self_test()
            except BaseException as exc:  # noqa: BLE001
                os.write(2, f"sandbox setup failed: {exc}\n".encode())
                ok = False
            if not ok:
                os._exit(SETUP_FAILED)
            zygote.serve()
            os._exit(0)
        _, status = os.waitpid(nursery, 0)
        os._exit(os.waitstatus_to_exitcode(status))
    _, status = os.waitpid(first, 0)
    if os.waitstatus_to_exitcode(status) != SETUP_FAILED:
        os._exit(0)  # the nursery served and ended
    if wanted == "full":
        zygote.say({"error": "the sandbox's walls could not be put up (Linux namespaces unavailable?)"})
        os._exit(1)


def warm_up() -> None:
    """The cheap warm-up stage, which every zygote runs before it forks a child: the kind
    of code the course's exercises run, once. Libraries import some modules and fill some
    caches only on first use, and every child would otherwise pay for that again, against
    the submission's CPU budget. benchmarks/bench_first_calls.py measures what each path
    costs a child with and without it; everything here costs the zygote a few tens of ms."""
    import io

    import numpy as np
    import pandas as pd
    import torch
    import torch.nn.functional as F
    from torch import nn

    # torch: elementwise, matrix products, autograd, in-place updates outside autograd.
    x = torch.linspace(-1, 1, 5, requires_grad=True)
    w = torch.tensor([[0.5], [1.0], [-1.0], [2.0], [0.1]], requires_grad=True)
    y = torch.sigmoid(torch.clip(x * 2 + 1, min=0.0) @ w) + torch.relu(x).sum()
    y = y + torch.special.expit(x.clamp(min=0) @ w) + 1 / (1 + torch.exp(-torch.matmul(x, w)))
    y = y + torch.where(x > 0, x, 0.0).sum() + torch.maximum(x, torch.tensor(0.0)).sum() + F.relu(x).sum()
    y.sum().backward()
    torch.autograd.grad((x.double() ** 2).sum(), [x])
    with torch.no_grad():
        x -= 0.1 * x.grad
        x.sub_(0.1 * x.grad)
        x.grad.zero_()
    x.data -= 0.1 * x.grad
    x.grad = None
    torch.maximum(x, torch.zeros(5)).double().sum().item()
    torch.linalg.norm(torch.eye(3)), torch.linalg.solve(torch.eye(3) + 0.1, torch.ones(3))
    # torch.nn: modules, losses, functional.
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = nn.MSELoss()(model(torch.ones(2, 3)).squeeze(1), torch.zeros(2))
    loss = loss + F.mse_loss(F.sigmoid(torch.ones(2)), torch.zeros(2))
    loss = loss + F.cross_entropy(torch.ones(2, 3), torch.tensor([0, 2]))
    loss.backward()
    model.zero_grad()
    repr(torch.ones(2, dtype=torch.float64, requires_grad=True))  # printing a tensor
    list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(2, 1)), batch_size=1))
    # pandas: the ways a column's gaps get filled with its mode, and a small CSV.
    frame = pd.DataFrame({"a": [1.0, None, 1.0], "s": ["p", None, "p"], "i": [1, 2, 2]})
    filled = frame.fillna(frame.mode().iloc[0])
    filled.isna().to_numpy()
    frame.copy(deep=True).equals(filled)
    [frame[c].mode() for c in frame.columns]
    frame.apply(lambda c: c.fillna(c.mode()[0]) if c.notna().any() else c)
    frame["a"].where(frame["a"].notna(), 0.0)
    frame["s"].value_counts().idxmax()
    pd.get_dummies(frame, columns=["s"])
    pd.read_csv(io.StringIO("a,b,s\n1,2.5,x\n3,,y\n"))
    pd.array(["p", None], dtype="str")
    repr(frame), repr(frame["a"])
    # numpy: counting at a threshold.
    probs = np.asarray([0.2, 0.7], dtype=float)
    int(np.sum((probs >= 0.5) & (np.asarray([1, 0]) != 0)))
    np.count_nonzero(np.logical_and(probs >= 0.5, np.asarray([1, 0]).astype(bool)))
    np.testing.assert_allclose(probs, probs)


FULLY_WARM = False  # whether this process ran warm_up_fully (a forked zygote inherits it)


def warm_up_fully() -> bool:
    """The expensive warm-up stage, on top of ``warm_up``: torch's optimizers import
    torch._dynamo when the first one is built (about 1 s of CPU, mostly sympy and torch.fx),
    which would stop a correct ``torch.optim.SGD(params, lr).step()`` as an endless loop;
    ``torch.testing.assert_close`` imports sympy too (0.7 s).
    A batch worker runs it before it forks its zygote; a fresh zygote runs it when the host
    asks (``Sandbox.warm``). Returns False when it had run already."""
    global FULLY_WARM
    if FULLY_WARM:
        return False
    import torch

    try:
        usable = os.access(tempfile.gettempdir(), os.W_OK)
    except FileNotFoundError:
        usable = False
    configured = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if not usable or (configured is not None and not os.path.isdir(configured)):
        # Behind the nursery's read-only root there is no temporary folder to write in (or only
        # the name of one, which tempfile remembered from before the fork), and importing
        # torch._dynamo makes sure its compile cache's folder exists (nothing is compiled
        # here, so nothing is written): name one that exists. A zygote forked from a process
        # that used an optimizer already inherits that process's choice, a folder that may not
        # be there behind the walls. Children start with a clean environment, so theirs is
        # under their own TMPDIR.
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = "/"
    p = torch.zeros(3, requires_grad=True)
    for make in (lambda: torch.optim.SGD([p], lr=0.1), lambda: torch.optim.SGD([p], lr=0.1, momentum=0.9),
                 lambda: torch.optim.Adam([p], lr=0.1), lambda: torch.optim.AdamW([p], lr=0.1)):
        optimizer = make()
        for set_to_none in (True, False):
            p.grad = torch.ones(3)
            optimizer.step()
            optimizer.zero_grad(set_to_none=set_to_none)
    torch.testing.assert_close(p, p)  # imports sympy (~0.7 s alone), which torch._dynamo has loaded
    FULLY_WARM = True
    return True


def read_config(control: socket.socket) -> dict:
    """The host's first message: the sandbox's settings, one JSON line."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = control.recv(1 << 16)
        if not chunk:
            os._exit(1)
        data += chunk
    return json.loads(data)


def main(fd: int) -> None:
    control = socket.socket(fileno=fd)
    sys.argv[:] = ["grader-zygote"]  # a forked zygote would otherwise keep its worker's arguments
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The zygote starts in a neutral folder; nothing relative to it belongs on the path.
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    import torch

    from grader.sandbox import child, isolation, wire  # noqa: F401 - preloaded for children

    torch.set_num_threads(1)
    warm_up()
    gc.freeze()  # children then leave the preloaded objects' pages shared
    config = read_config(control)
    zygote = Zygote(control, config, None)
    # The address space a child starts from, measured after the zygote's own set-up: the seccomp
    # probe's thread leaves a malloc arena behind, which a baseline taken before it would count
    # against every child's memory budget.
    zygote.baseline = isolation.address_space_bytes()
    if config["level"] == "full" or (config["level"] == "auto" and sys.platform.startswith("linux")):
        run_nursery(zygote, config["level"])  # elsewhere (macOS) there are no namespaces to try
    zygote.serve()
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
