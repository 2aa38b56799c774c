"""What the command modules share: the course, common options, quiet Ctrl-C and torch's import."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from grader.course import CourseError, find_root

ISOLATION = click.option(
    "--isolation", type=click.Choice(["auto", "full", "weak"]), default="auto", show_default=True,
    help="How submissions are walled off: full needs Linux namespaces (root or user namespaces) and "
         "seccomp; weak runs them with limits only; auto is the best this machine allows for your own "
         "code (check, watch) and full for grading others' (grade, validate, release).")


def isolation_policy(choice: str, *, own_code: bool) -> str:
    """``GradeOptions.isolation`` for ``--isolation CHOICE``: "auto" is the best the machine
    allows ("best") where the code run is the user's own (a student's check and watch), and
    every wall or refusal ("full") where it is other people's (the instructor's commands)."""
    if choice == "auto":
        return "best" if own_code else "full"
    return choice
TIMEOUT = click.option("--timeout", type=click.FloatRange(0.1, 600), default=2.0, show_default=True,
                       help="Wall-clock seconds one call of a submission's function may take.")
GRADEBOOK = click.option(
    "--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The gradebook database (default: .grader/gradebook.db in the course folder).")
ASSIGNMENT = click.option("--assignment", default="default", show_default=True,
                          help="The assignment the results are filed under in the gradebook.")
CPU_TIME = click.option("--cpu-time", type=click.FloatRange(0.05, 600), default=0.5, show_default=True,
                        help="CPU seconds one call may use (a busy loop is stopped then).")



def course_root() -> Path:
    try:
        return find_root()
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None



WINDOWS = ("dl-grader runs on Linux and macOS: on Windows, install WSL (wsl --install) and run grader "
           "inside it")


class Commands(click.Group):
    """The command group, ending quietly on Ctrl-C (one line, exit 130) and on a closed stdout;
    on Windows, one line saying to use WSL."""

    def main(self, *args: object, **kwargs: object) -> object:
        if sys.platform == "win32":  # fork, rlimits and Unix sockets are what the sandbox is made of
            click.echo(WINDOWS, err=True)
            sys.exit(1)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            quiet_stdout()
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:  # `grader check | head -1`: the reader has gone
            quiet_stdout()
            raise click.exceptions.Exit(1) from None


class HeldInterrupt:
    """Holds Ctrl-C until the block ends, then raises it: torch's C++ start-up aborts the whole
    process (std::terminate, a core dump) when a KeyboardInterrupt is raised inside it."""

    def __enter__(self) -> "HeldInterrupt":
        self.pressed = False
        self.previous = signal.signal(signal.SIGINT, self._press)
        return self

    def _press(self, *_: object) -> None:
        self.pressed = True

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)
        if self.pressed:
            raise KeyboardInterrupt


def import_libraries() -> None:
    """Import torch, numpy and pandas with Ctrl-C held (see ``HeldInterrupt``)."""
    with HeldInterrupt():
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import torch  # noqa: F401


def start_grader(course: Path, options: Any) -> Any:
    """A ``Grader`` for ``course`` whose sandbox's zygote starts first, so that its imports of
    torch, pandas and numpy overlap this process's own (``grader.grading.runner`` imports them:
    imported before the zygote starts, they would come one after the other)."""
    from grader.grading.options import sandbox_config
    from grader.sandbox.host import Sandbox

    sandbox = Sandbox(sandbox_config(course, options))
    try:
        import_libraries()
        from grader.grading.runner import Grader

        return Grader(course, options, sandbox=sandbox)
    except BaseException:
        sandbox.close()
        raise


def quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail on a closed pipe."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # a test runner's stdout has no file descriptor
        pass




def write_file(path: Path, content: str | bytes, mode: str) -> None:
    try:
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as file:
            file.write(content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}; check the folder exists "
                                   "and is writable") from None
