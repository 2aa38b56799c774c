"""A batch grading worker: one ``Grader`` and one pytest session for many submissions.

``python -m grader.grading.worker COURSE`` reads JSON lines on standard input: the grading options
without the seed, the options with the seed, then ``{"path": ...}`` per submission. It
writes one JSON line per graded submission, ``{"path", "results"}``, on standard output;
``{"ready": true}`` first, or ``{"fatal": reason}`` if it cannot grade at all (with
``"refused": true`` when the Grader refused: the walls this machine allows are not enough). Anything else
the process prints goes to standard error.

The sandbox's zygote is forked from this process after torch, numpy and pandas are
imported (so it shares them), after the full warm-up for torch's optimizers when the first
line asks for it (``"warm_up": true``), and before the second line is read: no solution, check
or seed is in the memory a sandboxed child inherits.

A worker never outlives its dispatcher: the kernel kills it when the dispatcher dies
(``PR_SET_PDEATHSIG``), and it stops at the end of its standard input in any case.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    parent = os.getppid()
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return  # not Linux: the end of standard input still stops the worker
    if os.getppid() != parent or parent == 1:
        os._exit(1)  # the dispatcher died before the request was in place


def read_line(fd: int) -> str:
    """One line from ``fd``, read a byte at a time so nothing after it enters this process."""
    data = bytearray()
    while not data.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        data += byte
    return data.decode()


def options_from(settings: dict):  # -> GradeOptions
    """The grading options a line of standard input carried (JSON, already parsed)."""
    from grader.grading.options import GradeOptions

    return GradeOptions(**dict(settings, exercises=tuple(settings["exercises"])))


def main(course: str) -> int:
    die_with_parent()
    # Ctrl-C is the dispatcher's to handle (it stops its workers): a KeyboardInterrupt raised
    # inside torch's C++ start-up would abort this process with a message on the terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints must not corrupt the results channel
    from grader.grading.options import sandbox_config
    from grader.sandbox.host import Sandbox

    def say(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    settings = json.loads(read_line(0))
    warm_up = settings.pop("warm_up", False) is True
    sandbox_options = options_from(settings)
    # Import the heavy libraries once, before anything else, and fork the zygote from this
    # still clean process: it shares them instead of importing them again.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import torch

    torch.set_num_threads(1)
    # torch's optimizers cost about 1 s of CPU on first use (torch._dynamo). When the batch
    # trains with them (``batch.trains_with_optimizers``), this process would pay it for the
    # references and the zygote again for the submissions: warmed up here, before the fork, it
    # is paid once. Otherwise the zygote warms up only if a submission needs it (Sandbox.warm).
    if warm_up:
        from grader.sandbox.zygote import warm_up_fully

        warm_up_fully()
    from grader.grading.options import GradingError

    try:
        sandbox = Sandbox(sandbox_config(Path(course), sandbox_options), os.getpid(), fork=True)
        from grader.grading.runner import Grader  # after the fork: the children inherit none of it

        grader = Grader(Path(course), options_from(json.loads(sys.stdin.readline())), sandbox=sandbox)
    except GradingError as exc:  # the machine's walls, or the course: no submission can be graded
        say({"fatal": str(exc), "refused": True})
        return 1
    except Exception as exc:  # noqa: BLE001 - the reason is sent to the dispatcher
        say({"fatal": str(exc)})
        return 1
    say({"ready": True})

    def paths() -> Iterator[Path]:
        for line in sys.stdin:
            yield Path(json.loads(line)["path"])

    try:
        grader.grade_stream(paths(), lambda path, results: say({"path": str(path), "results": results}))
    except Exception as exc:  # noqa: BLE001
        say({"fatal": f"{type(exc).__name__}: {exc}"})
        return 1
    finally:
        grader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
