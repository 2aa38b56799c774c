"""What a grading is asked to do (``GradeOptions``), and the sandbox's settings that follow from it.

Light on purpose: a batch worker imports this before it forks its zygote, so the children
inherit no pytest, no checks and no runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.host import SandboxConfig, grader_paths
from grader.sandbox.isolation import Limits


class GradingError(Exception):
    """Grading itself could not run (not a problem of a submission)."""


# How a grading takes the walls the machine allows (``GradeOptions.isolation``), decided by
# the command line (``grader.cli.common.isolation_policy``), never guessed from the checks run:
# - "full": every wall (Linux namespaces and the seccomp filter) or refuse; the instructor's
#   commands, where other people's code meets hidden inputs;
# - "best": every wall the machine allows, and a note of those it does not; the student's own
#   commands (check, watch, the in-notebook checks), which run the student's own code;
# - "weak": no namespaces, on purpose (``--isolation weak``).
ISOLATION_POLICIES = ("full", "best", "weak")


@dataclass(frozen=True)
class GradeOptions:
    hidden: bool = True                 # instructor mode: public and hidden checks
    timeout: float = 2.0                # wall-clock seconds a single call may take
    cpu_time: float = 0.5               # CPU seconds a single call may use
    cell_cpu_time: float = 1.0          # CPU seconds a notebook cell (or a .py file's top level) may use
    load_time: float = 10.0             # wall-clock seconds loading one file may take, all its cells
    seed: int | None = None             # for the hidden checks' inputs; random when None
    exercises: tuple[str, ...] = ()     # all when empty
    isolation: str = "full"             # "full", "best" or "weak" (see ISOLATION_POLICIES)

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATION_POLICIES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_POLICIES)}, not {self.isolation!r}")


def sandbox_config(course: Path, options: GradeOptions) -> SandboxConfig:
    """The sandbox's settings for grading ``course`` with ``options`` (the seed plays no part)."""
    hidden = tuple(dict.fromkeys([*grader_paths(), str(Path(course).resolve())]))
    limits = Limits(call_cpu_seconds=options.cpu_time, cell_cpu_seconds=options.cell_cpu_time,
                    cell_seconds=max(options.timeout, options.cell_cpu_time), load_seconds=options.load_time)
    # The zygote tries the namespaces unless told not to; whether the walls it could put up
    # are enough is the Grader's to decide (``Grader.__init__``), with one message.
    level = "weak" if options.isolation == "weak" else "auto"
    return SandboxConfig(limits=limits, hidden=hidden, level=level)
