"""`grader watch`: the student loop, rustlings-style, as a plain object with no terminal in it.

``Watch`` keeps the current exercise and every exercise's last result. Its methods take what
happened (files saved, a key pressed) and return the screen to show, a ``rich.text.Text``; the
terminal side (``grader.student.terminal``) only feeds it events and prints what it returns. The
checks run through ``check(ids) -> results dict``, in practice one long-lived ``Grader`` whose
zygote stays warm, so a re-check costs tens of milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from grader.course import Exercise, in_course_order, load_exercises, select
from grader.grading import GradingError
from grader.student.state import State
from grader.student.text import printable
from grader.submission import NOTEBOOKS, provided

KEYS = "h hint · l list · c check all · q quit"
BAR_WIDTH = 30
PRINTED_LINES = 10      # lines of what the current exercise's code printed that the screen shows


def hint_text(exercise_id: str, exercises: list[Exercise] | None = None) -> str:
    """The hint of an exercise, from grader/exercises.toml."""
    (exercise,) = select(exercises if exercises is not None else load_exercises(), [exercise_id])
    return exercise.hint


@dataclass(frozen=True)
class ExerciseResult:
    score: float
    max_score: float
    failures: tuple[tuple[str, str], ...]   # (check, message), messages made printable
    printed: str = ""                       # what its code printed (printable), public checks only
    source: str = ""                        # where it was graded from, when the grader said so

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score and not self.failures


def exercise_results(results: dict) -> dict[str, ExerciseResult]:
    """Per exercise: points and failed checks, from a grading's results dict."""
    tests: dict[str, list[dict]] = {}
    for test in results["tests"]:
        tests.setdefault(test["tags"][0], []).append(test)
    extra = results.get("extra_data", {})
    printed, sources = extra.get("printed_by_exercise", {}), extra.get("sources", {})
    return {exercise_id: ExerciseResult(
        round(sum(t["score"] for t in group), 4), round(sum(t["max_score"] for t in group), 4),
        tuple((printable(t["name"].split(": ", 1)[-1], 200, one_line=True), printable(t["output"] or "failed"))
              for t in group if t["status"] != "passed"),
        printable(printed.get(exercise_id, ""), 2000), printable(sources.get(exercise_id, ""), 200, one_line=True))
        for exercise_id, group in tests.items()}


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else width
    return f"[{'█' * filled}{'░' * (width - filled)}] {done}/{total} exercises done"


class Watch:
    """The watch loop's state: the current exercise, the results, and what the screen shows."""

    def __init__(self, course: Path, exercises: list[Exercise], check: Callable[[tuple[str, ...]], dict],
                 state: State | None = None) -> None:
        if not exercises:
            raise ValueError("no exercises to watch")
        self.course = Path(course)
        self.exercises = in_course_order(exercises)   # listed and suggested in the course's order
        self.check = check
        self.state = state
        self.results: dict[str, ExerciseResult] = {}
        self.current: Exercise = exercises[0]
        self.notice: Text = Text()
        self.panel: Text = Text()
        self.finished = False
        self.last_seconds: float | None = None    # how long the last check took
        self._problems_shown = 0

    # ------------------------------------------------------------------ what happens

    def start(self) -> Text:
        """Check every exercise and settle on the first one that does not pass yet."""
        if self._run(tuple(e.id for e in self.exercises)):
            self.current = self._next_unfinished(None) or self.exercises[0]
            if self.done == len(self.exercises):
                self.notice = self._all_done()
        return self.screen()

    def changed(self, paths: Iterable[Path | str]) -> Text | None:
        """Files were saved: re-check the exercises whose files they are, and those a saved notebook
        in notebooks/ defines (None when there are none)."""
        saved = {Path(p).resolve() for p in paths}
        edited = [e for e in self.exercises if (self.course / "exercises" / e.path).resolve() in saved]
        notebooks = (self.course / NOTEBOOKS).resolve()
        for path in sorted(saved):
            if path.suffix == ".ipynb" and path.parent == notebooks:
                try:
                    edited += [e for e in provided(path, self.exercises) if e not in edited]
                except ValueError:   # a notebook saved half-written, or holding none of the exercises
                    continue
        edited.sort(key=self.exercises.index)
        if not edited:
            return None
        before = dict(self.results)
        if self._run(tuple(e.id for e in edited)):
            # A notebook holds several exercises: the one whose result changed is the one being edited.
            moved = [e for e in edited if self.results.get(e.id) != before.get(e.id)]
            exercise = self.current if self.current in edited else (moved or edited)[0]
            self.current = exercise
            self.panel = Text()
            self._settle(exercise)
        return self.screen()

    def key(self, key: str) -> Text | None:
        """A key was pressed: h hint, l list, c check all, q quit (None: nothing to redraw)."""
        key = key.lower()
        if key == "q":
            self.finished = True
            return None
        if key == "h":
            self.panel = Text.assemble(("Hint", "bold cyan"), f" for {self.current.id}: ",
                                       printable(hint_text(self.current.id, self.exercises)))
        elif key == "l":
            self.panel = self.listing()
        elif key == "c":
            self.panel = Text()
            if self._run(tuple(e.id for e in self.exercises)):
                self.notice = Text(f"Checked all {len(self.exercises)} exercises.")
                self._settle(self.current)
        else:
            return None
        return self.screen()

    # ------------------------------------------------------------------ what it shows

    @property
    def done(self) -> int:
        return sum(1 for e in self.exercises if self._passed(e))

    def screen(self) -> Text:
        text = Text()
        text.append("grader watch", style="bold")
        text.append(": saving an exercise file checks it again\n", style="dim")
        text.append(progress_bar(self.done, len(self.exercises)) + "\n\n",
                    style="green" if self.done == len(self.exercises) else "")
        exercise = self.current
        result = self.results.get(exercise.id)
        if result is None:
            text.append(f"· {exercise.id}  not checked yet  exercises/{exercise.path}\n")
        else:
            mark, style = ("✓", "green") if result.passed else ("✗", "red")
            text.append(f"{mark} ", style=style)
            text.append(exercise.id, style="bold")
            text.append(f"  {result.score:g}/{result.max_score:g} points  ")
            text.append(f"{result.source or 'exercises/' + exercise.path}\n", style="dim")
            for check, message in result.failures:
                text.append("    • ", style="red")
                text.append(f"{check}: {message}\n")
            lines = result.printed.splitlines()
            if lines:
                text.append("    your code printed:\n", style="dim")
                for line in lines[:PRINTED_LINES]:
                    text.append("    │ ", style="dim")
                    text.append(line[:200] + "\n")
                if len(lines) > PRINTED_LINES:
                    text.append(f"    … {len(lines) - PRINTED_LINES} more lines\n", style="dim")
        if self.last_seconds is not None:
            text.append(f"  (checked in {self.last_seconds:.2f} s)\n", style="dim")
        if self.notice.plain:
            text.append("\n")
            text.append_text(self.notice)
            text.append("\n")
        if self.panel.plain:
            text.append("\n")
            text.append_text(self.panel)
            text.append("\n")
        text.append(f"\n{KEYS}\n", style="dim")
        return text

    def listing(self) -> Text:
        """Every exercise: passed, its points, or not checked yet; the current one marked."""
        text = Text()
        text.append("Exercises\n", style="bold")
        for exercise in self.exercises:
            result = self.results.get(exercise.id)
            if result is None:
                text.append("  ·  ", style="dim")
                points = "not checked"
            else:
                text.append("  ✓  " if result.passed else "  ✗  ", style="green" if result.passed else "red")
                points = f"{result.score:g}/{result.max_score:g}"
            text.append(f"{exercise.id:<24}{points:>12}  exercises/{exercise.path}")
            text.append("  ← current\n" if exercise == self.current else "\n", style="bold")
        return text

    # ------------------------------------------------------------------ inside

    def _passed(self, exercise: Exercise) -> bool:
        result = self.results.get(exercise.id)
        return result is not None and result.passed

    def _run(self, ids: tuple[str, ...]) -> bool:
        """Check ``ids``; False (with the reason on screen) when the checks could not run."""
        started = time.monotonic()
        try:
            results = self.check(ids)
        except GradingError as exc:
            self.notice = Text(f"The checks could not run: {printable(str(exc), 500)}", style="red")
            return False
        self.last_seconds = time.monotonic() - started
        self.results.update(exercise_results(results))
        self.notice = Text()
        if self.state is not None:
            self.state.record_results(results, self.exercises)
            fresh = self.state.problems[self._problems_shown:]
            self._problems_shown = len(self.state.problems)
            if fresh:
                self.notice = Text("\n".join(fresh), style="yellow")
        return True

    def _settle(self, exercise: Exercise) -> None:
        """When ``exercise`` passes, move on to the next one that does not."""
        if not self._passed(exercise):
            return
        following = self._next_unfinished(exercise)
        if following is None:
            self.notice = self._all_done()
            return
        self.notice = Text.assemble((f"✓ {exercise.id} passes!", "bold green"), f" Next: {following.id}.")
        self.current = following

    def _next_unfinished(self, after: Exercise | None) -> Exercise | None:
        start = self.exercises.index(after) + 1 if after is not None else 0
        for exercise in self.exercises[start:] + self.exercises[:start]:
            if not self._passed(exercise):
                return exercise
        return None

    def _all_done(self) -> Text:
        return Text(f"✓ All {len(self.exercises)} exercises pass their public checks. Well done! "
                    "Commit and push your work: CI checks it again.", style="bold green")
