"""Checking from inside a notebook (Jupyter, Colab, Kaggle), otter-grader style::

    import grader.notebook as grader
    grader.check("calc_preds")   # the function as the kernel has it now
    grader.check()               # every exercise the kernel's cells define
    grader.hint("calc_preds")

What is checked is the code the kernel ran, not a file on disk (Colab's and Kaggle's notebooks
are not on the local disk): the cells of IPython's input history, in the order they ran, become a
notebook (nbformat), one code cell per execution count, so "cell 3" in a message is ``In [3]``.
That notebook is graded exactly as ``grader check NOTEBOOK`` grades a saved one: the public checks
(``GradeOptions(hidden=False)``), the same cell-by-cell rules and the same sandbox. Student code
runs in the sandbox's children, never in the kernel; the kernel runs the checks, as ``grader
check`` runs them in its own process. The lines that call this module (its import, ``check``,
``hint``, ``configure``) are taken out as magics are, in the kernel's cells as in any notebook
(``grader.notebook_calls``), so the grading neither imports the grader in the sandbox nor checks itself.

One ``Grader`` per kernel: the first call starts the sandbox (a few seconds: its zygote imports
torch), later calls reuse it; it is closed when the kernel ends. A result shows as HTML in a
notebook and as plain text elsewhere; everything a submission wrote is cleaned
(``safetext.clean``) and, in HTML, escaped.
"""

from __future__ import annotations

import atexit
import difflib
import html
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bounds import MAX_NOTEBOOK_CELLS, MAX_SOURCE_BYTES, MB
from grader.course import PACKAGE_DIR, CourseError, Exercise, find_root, load_exercises
from grader.grading.options import GradeOptions, GradingError, sandbox_config
from grader.grading.results import exercise_scores
from grader.safetext import clean
from grader.sandbox.host import Sandbox, SandboxFailure, SandboxUnavailable
from grader.student.feedback import NOT_WRITTEN, PRINTED_CHARS, PRINTED_LINES, score_line
from grader.submission import provided

__all__ = ["check", "hint", "configure", "CheckResult", "Hint", "NotebookError"]

KERNEL_FILE = "kernel.ipynb"   # the name the kernel's cells are graded under (messages show it)


class NotebookError(Exception):
    """A mistake in how the check was asked for, or a machine that cannot run it: one line that says
    what is wrong and what to do, shown in a notebook without a traceback."""

    def _render_traceback_(self) -> list[str]:   # IPython shows these lines instead of a traceback
        return [f"{type(self).__name__}: {self}"]


# --------------------------------------------------------------------------- the kernel's cells


def kernel_history() -> list[str]:
    """The cells the kernel ran, in order: ``history[n]`` is ``In [n]`` as typed (magics and all);
    ``history[0]`` is empty. A ``NotebookError`` outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None or getattr(shell, "history_manager", None) is None:
        raise NotebookError("grader.check works inside a notebook (Jupyter, Colab, Kaggle); in a terminal, run "
                            "`grader check` in the course folder instead")
    return [str(cell) for cell in shell.history_manager.input_hist_raw]


def kernel_notebook(history: list[str]) -> Any:
    """The kernel's cells as a notebook: a code cell per execution count (``In [n]`` is code cell n,
    with the execution count n). Its calls of this module are taken out when it is read, as in any
    notebook (``grader.notebook_calls``)."""
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell(code, execution_count=number, id=f"In-{number}")
             for number, code in enumerate(history[1:], 1)]
    return new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})


# --------------------------------------------------------------------------- the grader, per kernel


@dataclass
class _Session:
    """What a kernel keeps between checks: its grader, and the folder its cells are written to."""

    options: GradeOptions = field(default_factory=GradeOptions)
    grader: Any = None
    folder: Path | None = None
    walls_note: str | None = None   # which walls this machine lacks: shown once, with the next check

    def close(self) -> None:
        grader, self.grader = self.grader, None
        if grader is not None:
            grader.close()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


# "best": the student's own code, with every wall the machine allows (Kaggle's and Colab's
# containers deny Linux namespaces) and one note of those it does not, as `grader check` does.
_SESSION = _Session(GradeOptions(hidden=False, isolation="best"))
POLICIES = {"auto": "best", "full": "full", "weak": "weak"}   # configure(isolation=...) -> GradeOptions'

atexit.register(_SESSION.close)


def configure(*, isolation: str | None = None, timeout: float | None = None, cpu_time: float | None = None) -> None:
    """Settings of later checks, as ``grader check``'s options: ``isolation`` ("auto", the default:
    every wall this machine allows; "full": every wall or refuse; "weak": no namespaces), ``timeout``
    (wall-clock seconds per call) and ``cpu_time`` (CPU seconds per call). The next check starts
    a fresh sandbox with them.

    Example:
        grader.configure(isolation="weak")
    """
    options = _SESSION.options
    if isolation is not None and isolation not in POLICIES:
        raise NotebookError(f"isolation is 'auto', 'full' or 'weak', not {clean(repr(isolation), 40, lines=False)}")
    for name, value, low in (("timeout", timeout, 0.1), ("cpu_time", cpu_time, 0.05)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not low <= value <= 600):
            raise NotebookError(f"{name} is a number of seconds from {low:g} to 600, not "
                                f"{clean(repr(value), 40, lines=False)}")
    _SESSION.close()
    _SESSION.options = GradeOptions(
        hidden=False, isolation=POLICIES[isolation] if isolation is not None else options.isolation,
        timeout=float(timeout) if timeout is not None else options.timeout,
        cpu_time=float(cpu_time) if cpu_time is not None else options.cpu_time)


def _course() -> Path:
    """The course the grader belongs to: the one around the current folder (or ``$GRADER_COURSE``),
    else the source checkout around the package, else (a course installed from its wheel, as on
    Kaggle) a folder of this kernel's own: the recorded expected results are in the package."""
    try:
        return find_root()
    except CourseError:
        pass
    if (PACKAGE_DIR.parent / "solutions").is_dir():
        return PACKAGE_DIR.parent
    return _folder()


def _folder() -> Path:
    if _SESSION.folder is None:
        _SESSION.folder = Path(tempfile.mkdtemp(prefix="grader-notebook-"))
    return _SESSION.folder


def _grader() -> Any:
    """The kernel's grader, started on first use (the sandbox first, so that its zygote's imports
    overlap the kernel's own)."""
    if _SESSION.grader is not None:
        return _SESSION.grader
    options, course = _SESSION.options, _course()
    sandbox = Sandbox(sandbox_config(course, options))
    try:
        _import_libraries()
        from grader.grading.runner import Grader  # after the zygote started: imports torch and pytest

        _SESSION.grader = Grader(course, options, sandbox=sandbox)
    except GradingError as exc:  # isolation="full" on a machine without every wall
        raise GradingError(str(exc).replace("pass --isolation weak", 'run grader.configure(isolation="weak")')) \
            from None
    except BaseException:
        sandbox.close()
        raise
    note = _SESSION.grader.walls_note
    _SESSION.walls_note = note.removeprefix("note: ") if note else None  # shown after "note: "
    return _SESSION.grader


def _import_libraries() -> None:
    """torch, numpy and pandas in the kernel, as the checks need them; with Ctrl-C held while torch
    starts (``HeldInterrupt``: a KeyboardInterrupt inside torch's C++ start-up aborts the process,
    here the kernel), where signals can be held (the kernel's main thread)."""
    import sys
    import threading

    if {"torch", "numpy", "pandas"} <= sys.modules.keys() or threading.current_thread() is not threading.main_thread():
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import torch  # noqa: F401
        return
    from grader.cli.common import import_libraries

    import_libraries()


# --------------------------------------------------------------------------- check and hint


def _names(exercises: tuple[object, ...], known: list[Exercise]) -> tuple[str, ...]:
    ids = {e.id for e in known}
    for name in exercises:
        if not isinstance(name, str):
            raise NotebookError(f"give exercises by name, as in grader.check(\"calc_preds\"), not "
                                f"{clean(repr(name), 60, lines=False)}")
        if name not in ids:
            close = difflib.get_close_matches(name, sorted(ids), n=1)
            advice = f"did you mean {close[0]!r}?" if close else f"the exercises are {', '.join(e.id for e in known)}"
            raise NotebookError(f"there is no exercise {clean(repr(name), 60, lines=False)}; {advice}")
    return tuple(dict.fromkeys(exercises))  # type: ignore[arg-type]


def check(*exercises: str) -> "CheckResult":
    """Run the public checks of ``exercises`` (every exercise whose function the kernel's cells
    define, when none is named) on the code the kernel ran; returns a ``CheckResult`` (``points``,
    ``max_points``, ``passed``), which shows as HTML in a notebook.

    Example:
        grader.check("calc_preds")
    """
    known = load_exercises()
    names = _names(exercises, known)
    history = kernel_history()
    if len(history) - 1 > MAX_NOTEBOOK_CELLS:
        raise NotebookError(f"this kernel has run {len(history) - 1:,} cells and a check reads at most "
                            f"{MAX_NOTEBOOK_CELLS:,}: restart the kernel, run your cells again, then check")
    if sum(len(code.encode("utf-8", "replace")) for code in history) > MAX_SOURCE_BYTES:
        raise NotebookError(f"the cells this kernel ran hold more than {MAX_SOURCE_BYTES // MB} MB of code and a "
                            "check reads at most that: restart the kernel, run your cells again, then check")
    try:
        return _check(names, history, known)
    except KeyboardInterrupt:
        _SESSION.close()   # a child may be half way through: the next check starts afresh
        raise NotebookError("interrupted: the check stopped; run it again") from None
    except (GradingError, SandboxUnavailable, SandboxFailure, CourseError) as exc:
        _SESSION.close()
        raise NotebookError(clean(str(exc), 500, lines=False)) from None


def _check(names: tuple[str, ...], history: list[str], known: list[Exercise]) -> "CheckResult":
    import nbformat

    path = _folder() / KERNEL_FILE
    nbformat.write(kernel_notebook(history), path)
    if not names:
        try:
            names = tuple(e.id for e in provided(path, known))
        except ValueError:
            raise NotebookError("the cells this kernel ran define none of the course's functions: run the cell "
                                "that defines yours, or name the exercise, as in grader.check(\"calc_preds\")") from None
    grader = _grader()
    results = grader.grade(path, only=names)
    if _SESSION.walls_note:  # once per sandbox, with the first check's notes
        extra = results.setdefault("extra_data", {})
        extra["notes"] = [_SESSION.walls_note, *(extra.get("notes") or [])]
        _SESSION.walls_note = None
    chosen = [e for e in known if e.id in names]
    return CheckResult(results, chosen)


def hint(exercise: str) -> "Hint":
    """The hint of ``exercise``: the idea to look at, not the code.

    Example:
        grader.hint("calc_preds")
    """
    known = load_exercises()
    (name,) = _names((exercise,), known)
    chosen = next(e for e in known if e.id == name)
    return Hint(chosen.id, chosen.hint)


# --------------------------------------------------------------------------- what a notebook shows


@dataclass(frozen=True)
class _Shown:
    """One exercise as shown: its points, its failures (the check's name, the message: the call
    to paste, what was expected and what came back) and what its code printed, all cleaned."""

    id: str
    got: float
    most: float
    failures: tuple[tuple[str, str], ...]
    printed: tuple[str, ...]
    more_printed: int


class CheckResult:
    """The outcome of ``check``: ``points``, ``max_points``, ``passed``, and ``results`` (Gradescope's
    results.json form, as ``grader check --json`` prints it)."""

    def __init__(self, results: dict, exercises: list[Exercise]) -> None:
        self.results = results
        self.exercises = exercises
        self.points: float = results["score"]
        self.max_points: float = results["max_score"]
        self.passed: bool = all(t["status"] == "passed" for t in results["tests"]) and bool(results["tests"])
        self._score_line = score_line(results, exercises)
        self.notes = tuple(clean(n, 300) for n in results.get("extra_data", {}).get("notes", []) or [])
        self.shown = self._shown()

    def _shown(self) -> list[_Shown]:
        scores = exercise_scores(self.results, self.exercises)
        printed = self.results.get("extra_data", {}).get("printed_by_exercise", {})
        lines_left, chars_left = PRINTED_LINES, PRINTED_CHARS
        shown = []
        for exercise in self.exercises:
            got, most = scores[exercise.id]
            failures: dict[str, list[str]] = {}
            for test in self.results["tests"]:
                if test["tags"][0] == exercise.id and test["status"] == "failed":
                    failures.setdefault(clean(test["output"] or "failed", 2000), []).append(
                        clean(test["name"].split(": ", 1)[-1], 200, lines=False))
            rows = []
            for message, checks in failures.items():
                label = "" if message.startswith(NOT_WRITTEN) else (
                    checks[0] if len(checks) == 1 else f"{checks[0]} and {len(checks) - 1} more")
                rows.append((label, message))
            kept: list[str] = []
            lines = clean(printed.get(exercise.id, ""), 100_000).splitlines()
            for line in lines:
                if len(kept) >= lines_left or len(line) + 1 > chars_left:
                    break
                kept.append(line)
                chars_left -= len(line) + 1
            lines_left -= len(kept)
            shown.append(_Shown(exercise.id, got, most, tuple(rows), tuple(kept), len(lines) - len(kept)))
        return shown

    def __repr__(self) -> str:
        out = []
        for ex in self.shown:
            mark = "✓" if ex.got == ex.most else "✗"
            out.append(f"{mark} {ex.id}  {ex.got:g}/{ex.most:g}")
            for label, message in ex.failures:
                out.append(f"    • {label}: {message}" if label else f"    {message}")
            if ex.printed:
                out.append("    your code printed:")
                out.extend(f"    │ {line}" for line in ex.printed)
            if ex.more_printed:
                out.append(f"    … {ex.more_printed} more lines not shown")
        out.extend(f"note: {note}" for note in self.notes)
        out += ["", self._score_line]
        if not self.passed:
            out.append('Stuck? grader.hint("EXERCISE") gives a nudge.')
        return "\n".join(out)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        e = html.escape
        parts = ['<div class="grader-check" style="font-family: sans-serif; line-height: 1.4">']
        for ex in self.shown:
            ok = ex.got == ex.most
            colour = "#1a7f37" if ok else ("#cf222e" if ex.got == 0 else "#9a6700")
            parts.append(f'<div><span style="color: {colour}">{"✓" if ok else "✗"}</span> '
                         f'<b>{e(ex.id)}</b> <span style="color: {colour}">{ex.got:g}/{ex.most:g}</span></div>')
            if ex.failures:
                parts.append('<ul style="margin: 0.2em 0 0.4em 0">')
                for label, message in ex.failures:
                    head = f"{e(label)}: " if label else ""
                    parts.append(f'<li>{head}<code style="white-space: pre-wrap">{e(message)}</code></li>')
                parts.append("</ul>")
            if ex.printed:
                more = f"\n… {ex.more_printed} more lines not shown" if ex.more_printed else ""
                parts.append('<div style="color: #57606a">your code printed:</div>'
                             '<pre style="margin: 0 0 0.4em 1em; padding: 0.3em; border-left: 2px solid #d0d7de">'
                             f"{e(chr(10).join(ex.printed) + more)}</pre>")
        for note in self.notes:
            parts.append(f'<div style="color: #9a6700">note: {e(note)}</div>')
        parts.append(f"<p><b>{e(self._score_line)}</b></p>")
        if not self.passed:
            parts.append('<p style="color: #57606a">Stuck? <code>grader.hint("EXERCISE")</code> gives a nudge.</p>')
        parts.append("</div>")
        return "\n".join(parts)


@dataclass(frozen=True)
class Hint:
    """An exercise's hint, shown as HTML in a notebook and as text elsewhere."""

    exercise: str
    text: str

    def __repr__(self) -> str:
        return f"{self.exercise}  hint: {self.text}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        return f'<div><b>{html.escape(self.exercise)}</b> <span style="color: #0969da">hint:</span> ' \
               f"{html.escape(self.text)}</div>"
