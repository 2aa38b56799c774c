"""The state of one submission's grading: its child, what loaded, what it printed, the notes.

A ``GradingRun`` is made per submission by ``Grader.new_run``; the pytest plugin runs every
check against it, and ``results.build_results`` turns what it found into results.json.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from types import ModuleType

from grader.checking import CheckFailure
from grader.course import Exercise
from grader.grading.calls import StudentModule, at, exception_text, location
from grader.sandbox.host import (CellCode, Child, Loaded, Sandbox, SandboxFailure, SkippedCell, StudentError,
                                 asks_for_optimizers, clean_text)
from grader.submission import Cell, Source, Submission, graded_cell

@dataclass
class CheckResult:
    name: str
    exercise: str
    points: float
    hidden: bool
    passed: bool
    output: str = ""
    file: str | None = None     # where in the submission it failed, when known
    line: int | None = None
    variant: int = 0            # 1: graded on the exercise's alternative source (``Submission.alternatives``)
    fraction: float = 1.0       # of the points, when the check awarded part of them (``checking.Partial``)
    leaderboard: dict[str, float] | None = None  # the figures for the class leaderboard (model exercises)

    @property
    def score(self) -> float:
        return round(self.points * self.fraction, 2) if self.passed or self.fraction < 1 else 0.0


@dataclass
class GradingRun:
    """Everything one submission's grading needs, and what it found."""

    submission: Submission
    exercises: list[Exercise]
    sandbox: Sandbox
    references: dict[str, ModuleType]
    hidden: bool
    seed: int
    timeout: float
    read_seconds: float = 0.0           # reading the submission (counted in its execution_time)
    results: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # about the whole submission: cells that did not run
    _noted: set[str] = field(default_factory=set)      # the notes again, for a look-up in constant time
    # What the submission printed, per exercise, while public checks ran. Once a hidden
    # input has reached the submission, nothing it prints is kept: it could print the input
    # (then, or later from a saved copy). The plugin runs every public check first.
    printed_by: dict[str, str] = field(default_factory=dict)
    _printing: tuple[int, str] | None = None   # the variant and exercise whose check runs now
    # A student repository grades an exercise that both exercises/ and a notebook hold in each
    # place (``variant`` 0, then 1, public checks before hidden ones); ``choose`` keeps the better.
    variant: int = 0
    _printed_alt: dict[str, str] = field(default_factory=dict)   # printed_by, for variant 1
    used: dict[str, str] = field(default_factory=dict)   # exercise id -> the file graded (repositories)
    _chosen: dict[str, int] = field(default_factory=dict)  # exercise id -> the variant ``choose`` kept
    _sealed: bool = False               # a hidden check has begun
    sealed_at: float | None = None      # when (time.monotonic()): results time the public checks only
    _taken: int = 0                     # bytes of the current child's output already filed
    _child: Child | None = None
    _loaded: dict[str, tuple[str, Loaded]] = field(default_factory=dict)  # filename -> (module, what loaded)
    _failed: dict[str, CheckFailure] = field(default_factory=dict)   # filename -> why it did not load
    _overran: set[str] = field(default_factory=set)                  # files whose loading ran out of time
    _skipped: dict[tuple[str, int], tuple[Cell, str]] = field(default_factory=dict)  # -> (cell, why)
    _broken: dict[tuple[int, str], CheckFailure] = field(default_factory=dict)  # (variant, exercise id) -> reason
    _undefined: dict[tuple[int, str], str] = field(default_factory=dict)  # its function is not in its file

    # --------------------------------------------------------------- the student's side

    def exercise(self, exercise_id: str) -> Exercise:
        return next(e for e in self.exercises if e.id == exercise_id)

    @property
    def variants(self) -> tuple[int, ...]:
        """The variants to grade: 0 (each exercise's source), and 1 when some exercise has an alternative."""
        return (0, 1) if self.submission.alternatives else (0,)

    def graded_in(self, variant: int, exercise_id: str) -> bool:
        """Whether ``exercise_id``'s checks run in ``variant``."""
        return variant == 0 or exercise_id in self.submission.alternatives

    def source_of(self, exercise: Exercise) -> Source:
        """The source the current variant grades ``exercise`` on."""
        if self.variant and exercise.id in self.submission.alternatives:
            return self.submission.alternatives[exercise.id]
        return self.submission.sources[exercise.id]

    def student(self, exercise: Exercise, public: bool) -> "StudentModule":
        if (self.variant, exercise.id) in self._broken:
            broken = self._broken[(self.variant, exercise.id)]
            raise CheckFailure(str(broken), file=broken.file, line=broken.line, kind=broken.kind)
        if exercise.id in self.submission.problems:
            raise CheckFailure(self.submission.problems[exercise.id], kind="before")
        source = self.source_of(exercise)
        if asks_for_optimizers(source.text) and self.sandbox.warm() and self._child is not None:
            self._child.kill()  # forked before the warm-up: the next child has torch's optimizers ready
        child = self.child()
        module = self._load(child, source, exercise)
        # Library start-up at the top level (see StudentFunction.run): a load that ran out of time
        # in a zygote that has not warmed up fully runs once more after it has.
        overran = child.dead or source.filename in self._overran
        if overran and (isinstance(module, CheckFailure) or source.notebook) and self.sandbox.warm():
            self._overran.discard(source.filename)
            child.kill()
            child, module = self.reloaded(exercise)
        if isinstance(module, CheckFailure):
            self._broken[(self.variant, exercise.id)] = module = self._settled(module)
            raise module
        return StudentModule(self, exercise, child, module, source, public)

    def child(self) -> Child:
        if self._child is None or self._child.dead:
            self.collect_output()
            self._child = self.sandbox.spawn()
            self._taken = 0
            self._loaded = {}
        return self._child

    def begin_check(self, exercise_id: str, hidden: bool) -> None:
        """A check starts: what is printed from now on is filed under ``exercise_id``."""
        self.collect_output()
        self._printing = (self.variant, exercise_id)
        if hidden and not self._sealed:
            self._sealed = True
            self.sealed_at = time.monotonic()

    def collect_output(self) -> None:
        """File what the child printed since the last look (dropped once hidden checks began)."""
        child = self._child
        if child is None:
            return
        child.drain()
        new = bytes(child.output[self._taken:])
        self._taken += len(new)
        if new and self._printing is not None:
            self._file_printed(*self._printing, new)

    def _file_printed(self, variant: int, exercise_id: str, data: bytes) -> None:
        """File output with an exercise (of a variant); nothing once a hidden check has begun."""
        if self._sealed or not data:
            return
        filed = self._printed_alt if variant else self.printed_by
        filed[exercise_id] = filed.get(exercise_id, "") + data.decode("utf-8", "replace")

    def _file_cells_output(self, child: Child, source: Source, loaded: Loaded, owners: dict[int, str]) -> None:
        """What a notebook's cells printed while it loaded, each cell's with the exercise whose graded
        cell it is (``owners``: cell index -> exercise id), the rest with the exercise being loaded.
        The split follows the child's count of each cell's bytes: it can only misfile its own output."""
        child.drain()
        new = bytes(child.output[self._taken:])
        self._taken += len(new)
        current = self._printing
        offset = 0
        for index, size in loaded.printed:
            part, offset = new[offset:offset + size], offset + size
            owner = owners.get(index)
            if owner is not None:
                self._file_printed(1 if self.submission.alternatives.get(owner) is source else 0, owner, part)
            elif current is not None:
                self._file_printed(*current, part)
        if current is not None:
            self._file_printed(*current, new[offset:])

    @property
    def printed(self) -> str:
        """Everything kept of what the submission printed, in the order the exercises ran."""
        return "".join(self.printed_by.values())

    def _load(self, child: Child, source: Source, exercise: Exercise) -> str | CheckFailure:
        """The child's module that holds ``exercise``'s function, loading ``source`` first if needed."""
        if source.filename in self._failed:  # kept across children: one failed load is enough
            return self._failed[source.filename]
        if source.filename not in self._loaded:
            module = f"submission_{len(self._loaded)}"
            loaded = self._load_file(child, source, module)
            if isinstance(loaded, CheckFailure):
                self._failed[source.filename] = loaded
                return loaded
            self._loaded[source.filename] = (module, loaded)
        module, loaded = self._loaded[source.filename]
        if exercise.id in loaded.pinned:
            return f"{module}:{exercise.id}"
        if exercise.function in loaded.missing:
            cells = sorted({c for (name, _), (c, _) in self._skipped.items() if name == source.filename},
                           key=lambda c: c.number)
            labels = ", ".join(c.label for c in cells[:10]) + ("..." if len(cells) > 10 else "")
            skipped = f"; {labels} did not run to the end (see the notes)" if cells else ""
            reason = f"{exercise.function} is not defined in {source.filename}"
            self._undefined[(self.variant, exercise.id)] = reason
            return CheckFailure(reason + skipped)
        return module

    def _load_file(self, child: Child, source: Source, module: str) -> Loaded | CheckFailure:
        """Run a file in the child as ``module``: a .py file as Python imports it, a notebook cell by
        cell (cells that did not run become notes); what failed to load fails its exercises."""
        exercises = [e for e in self.exercises if self.submission.sources.get(e.id) is source
                     or self.submission.alternatives.get(e.id) is source]
        functions = sorted({e.function for e in exercises})
        if source.notebook:
            # Each exercise's graded cell is pinned (``graded_cell``): tagged with the exercise's id
            # for the child, and no other cell is.
            pinned: dict[int, list[str]] = {}
            for exercise in exercises:
                cell, note = graded_cell(source, exercise)
                if cell is not None:
                    pinned.setdefault(cell.number, []).append(exercise.id)
                if note:
                    self._note(f"{source.filename}: {note}")
            cells = [CellCode(c.code, c.first_line, tuple(pinned.get(c.number, ())), run=not c.magic)
                     for c in source.cells]
            owners = {i: pinned[c.number][0] for i, c in enumerate(source.cells) if c.number in pinned}
            self.collect_output()   # what was printed before the load stays where it was
            pins = {e.id: e.function for e in exercises if any(e.id in ids for ids in pinned.values())}
        else:
            cells, pins = [CellCode(source.text)], {}
        try:
            loaded = child.load_cells(module, cells, source.filename, functions, pins=pins,
                                      stop_at_first=not source.notebook)
        except SandboxFailure as exc:
            return CheckFailure(f"loading {source.filename} failed: {exc}{'' if source.notebook else MAIN_HINT}")
        if source.notebook:
            self._file_cells_output(child, source, loaded, owners)
        if not source.notebook:
            if not loaded.skipped:
                return loaded
            first = loaded.skipped[0]
            if first.reason in ("cpu", "time"):
                self._overran.add(source.filename)
            return CheckFailure(self._module_failure(source, first), **at(source, first.error.line if first.error else None))
        limits = self.sandbox.config.limits
        if any(r.reason in ("cpu", "time") for r in loaded.skipped):
            self._overran.add(source.filename)
        late = [source.cells[r.index].number for r in loaded.skipped if r.reason == "late"]
        for cell, report, followers in failed_groups(source, loaded.skipped):
            note = _cell_note(source, cell, report, limits.cell_cpu_seconds, limits.cell_seconds)
            if followers:
                labels = ", ".join(c.label for c in followers[:10]) + ("..." if len(followers) > 10 else "")
                note += f"; then {labels}, which use{'s' if len(followers) == 1 else ''} what it defines, " \
                        f"stopped too"
            self._note(note)
        for report in loaded.skipped:
            cell = source.cells[report.index]
            self._skipped[(source.filename, cell.number)] = (cell, _why(source, cell, report))
        for cell in source.cells:
            if cell.magic:
                self._skipped[(source.filename, cell.number)] = (cell, f"was skipped because it is a {cell.magic} "
                                                                       "cell magic")
                self._note(f"{source.filename}: {cell.label} is a {clean_text(cell.magic, 20)} cell magic; not run")
        if late:
            self._note(f"{source.filename}: cells {', '.join(map(str, late[:20]))}{'...' if len(late) > 20 else ''} "
                       f"were not run: loading the notebook took more than {limits.load_seconds:g} s")
        return loaded

    def _module_failure(self, source: Source, report: SkippedCell) -> str:
        error = report.error or StudentError("Error", "")
        where = location(source, error.line, with_file=False)
        if report.reason == "syntax" and error.type != "SyntaxError":
            return f"{source.filename} cannot be compiled: {exception_text(error)}"
        if report.reason == "syntax":
            return f"SyntaxError in {source.filename}{', ' + source.where(error.line) if error.line else ''}: " \
                   f"{error.message}"
        if report.reason == "cpu":
            spent = f"used more than {self.sandbox.config.limits.cell_cpu_seconds:g} s of CPU time"
        elif report.reason == "time":
            spent = f"ran for more than {self.sandbox.config.limits.cell_seconds:g} s"
        else:
            return f"loading {source.filename} raised {exception_text(error)}{where}{MAIN_HINT}"
        return f"loading {source.filename} {spent} at its top level{where}{MAIN_HINT}"

    def _note(self, text: str) -> None:
        """A note about the submission, once however often its files are loaded; none once a hidden
        input has reached the submission (a note quotes the child's words)."""
        if self._sealed:
            return
        text = clean_text(text, NOTE_LIMIT)   # file names and cell lines are the submission's text too
        if text not in self._noted:
            self._noted.add(text)
            self.notes.append(text)

    def explain(self, output: str) -> str:
        """A failure on a name that a skipped cell would have defined says which cell, and what to write."""
        match = NAME_ERROR.search(output)
        if match is None:
            return output
        name = match.group(1)
        for cell, why in self._skipped.values():
            provided = cell.provided.get(name)
            if provided is not None:
                line, instead = provided
                fix = f"{instead} in your own cell" if instead else f"define {name} in a cell that runs"
                return (f"{output}; name '{name}' is not defined: {cell.label} (`{clean_text(line, 60)}`) "
                        f"{why}; {fix}")
        return output

    def reloaded(self, exercise: Exercise) -> tuple[Child, str]:
        """A fresh child with the submission's source loaded again, after its last child was stopped."""
        source = self.source_of(exercise)
        self._failed.pop(source.filename, None)  # it failed for want of the warm-up: load it again
        child = self.child()
        module = self._load(child, source, exercise)
        if isinstance(module, CheckFailure):
            self._broken[(self.variant, exercise.id)] = module = self._settled(module)
            raise module
        return child, module

    def _settled(self, failure: CheckFailure) -> CheckFailure:
        """A load's failure as the checks report it: as it is while no hidden input has reached the
        submission; after that, the child's text and lines are not shown, only that it crashed."""
        if not self._sealed:
            return CheckFailure(str(failure), file=failure.file, line=failure.line, kind="before")
        return CheckFailure("the submission could not be loaded again", kind="crashed")

    def broken(self, exercise: Exercise, reason: str) -> None:
        """An earlier check stopped the submission's process (``reason``: on a hidden check, one
        word of the fixed vocabulary): the exercise's later checks are not run."""
        self._broken[(self.variant, exercise.id)] = CheckFailure(
            f"not run: an earlier check stopped the submission's process ({reason})",
            kind="before" if not self._sealed else reason)

    @property
    def undefined(self) -> dict[str, str]:
        """Exercises whose file loaded without their function, by exercise id, with the reason (of
        the variant ``choose`` kept)."""
        return {e: reason for (variant, e), reason in self._undefined.items() if variant == self._kept(e)}

    def _kept(self, exercise_id: str) -> int:
        return self._chosen.get(exercise_id, 0)

    def choose(self) -> None:
        """After grading, a student repository keeps, per exercise, the better of its two places
        (exercises/ on a tie), and says which place each exercise was graded from. The choice rests
        on which checks passed, which the results show anyway."""
        if not self.submission.repository:
            return
        points: dict[tuple[int, str], float] = {}
        for result in self.results:
            key = (result.variant, result.exercise)
            points[key] = points.get(key, 0.0) + result.score
        kept: dict[str, int] = {}
        for exercise in self.exercises:
            source = self.submission.sources.get(exercise.id)
            other = self.submission.alternatives.get(exercise.id)
            if source is None:
                continue
            better = other is not None and points.get((1, exercise.id), 0.0) > points.get((0, exercise.id), 0.0)
            kept[exercise.id] = 1 if better else 0
            graded = other if better and other is not None else source
            self.used[exercise.id] = shown = _place(graded)
            if other is not None:
                rest = _place(source if better else other)
                self._say(f"{exercise.id}: from {shown} ({rest} also holds it and scored "
                          f"{'less' if better or points.get((1, exercise.id), 0.0) < points.get((0, exercise.id), 0.0) else 'the same'})")
            elif graded.notebook:
                self._say(f"{exercise.id}: from {shown}")
        self.results = [r for r in self.results if r.variant == kept.get(r.exercise, 0)]
        self._chosen = kept
        for exercise_id, variant in kept.items():
            if variant:
                self.submission.sources[exercise_id] = self.submission.alternatives[exercise_id]
                if exercise_id in self._printed_alt:
                    self.printed_by[exercise_id] = self._printed_alt[exercise_id]
                else:
                    self.printed_by.pop(exercise_id, None)
        self._printed_alt = {}

    def _say(self, text: str) -> None:
        """A note of the grader's own words (the course's exercise ids and the submission's file
        names, read before anything ran), kept even after hidden checks."""
        text = clean_text(text, NOTE_LIMIT)
        if text not in self._noted:
            self._noted.add(text)
            self.notes.append(text)

    @property
    def failed_loads(self) -> dict[str, CheckFailure]:
        """Files that did not load, by file name, with the reason."""
        return self._failed

    def close(self) -> None:
        if self._child is not None:
            self.collect_output()
            self._child.close()
            self._child = None

    # --------------------------------------------------------------- the trusted side

    def reference(self, exercise: Exercise) -> ModuleType:
        return self.references[exercise.id]


MAIN_HINT = ("; the grader imports your file, so put work that is not a definition (reading data, training, "
             "demos) under `if __name__ == \"__main__\":`")
NOTE_LIMIT = 300
NAME_ERROR = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]{0,80})' is not defined")
MISSING_MODULE = re.compile(r"No module named '([A-Za-z_][\w.]{0,80})'")


def _place(source: Source) -> str:
    """Where a student repository's source is, as the student sees the folder: 'notebooks/week5.ipynb'
    (notebooks are named so when read), 'exercises/week5/calc_preds.py'."""
    return source.filename if source.notebook else f"exercises/{source.filename}"


def failed_groups(source: Source, skipped: list[SkippedCell]) -> list[tuple[Cell, SkippedCell, list[Cell]]]:
    """The cells that did not run to their end (not counting "late" ones), each with the later
    cells that then failed only for want of a name it would have defined (a NameError on one of
    its names): those are told in its note, not in notes of their own. Linear in the cells' names."""
    groups: list[tuple[Cell, SkippedCell, list[Cell]]] = []
    owner_of: dict[str, int] = {}    # a name a failed cell would have defined -> its group
    for report in skipped:
        if report.reason == "late":
            continue
        cell = source.cells[report.index]
        error = report.error
        match = NAME_ERROR.search(f"{error.type}: {error.message}") if error and error.type == "NameError" else None
        if match and match.group(1) in owner_of:
            owner = owner_of[match.group(1)]
            groups[owner][2].append(cell)
        else:
            owner = len(groups)
            groups.append((cell, report, []))
        for name in cell.provided:
            owner_of.setdefault(name, owner)
    return groups


def _line_in(source: Source, cell: Cell, report: SkippedCell) -> int | None:
    """The line of ``cell`` where it stopped, when the error arose in the cell itself."""
    error = report.error
    if error is None or error.line is None or source.cell_at(error.line) is not cell:
        return None
    return error.line - cell.first_line + 1


def _why(source: Source, cell: Cell, report: SkippedCell) -> str:
    """What became of a cell that did not run to its end, as the end of "cell 1 (`import x`) ..."."""
    error = report.error
    line = _line_in(source, cell, report)
    at_line = f" at line {line}" if line is not None else ""
    if report.reason == "raised" and error is not None:
        missing = MISSING_MODULE.search(error.message) if error.type in ("ModuleNotFoundError", "ImportError") else None
        if missing:
            return f"stopped{at_line} because {missing.group(1).split('.')[0]} is not installed in the grader"
        return f"stopped{at_line} because it raised {error.type}"
    return {"syntax": "was skipped because of a SyntaxError",
            "cpu": f"was interrupted{at_line} because it ran past its CPU time",
            "time": f"was interrupted{at_line} because it ran past its time",
            "late": "was not run because loading ran out of time"}.get(report.reason, "did not run to its end")


def _cell_note(source: Source, cell: Cell, report: SkippedCell, cpu: float, seconds: float) -> str:
    """ "hw.ipynb: cell 3 stopped at line 2: FileNotFoundError: ..." and the like: a cell that raised
    ran up to the error and kept what it defined before; one that did not compile did not run."""
    error = report.error or StudentError("Error", "")
    line = _line_in(source, cell, report)
    elsewhere = f" ({source.where(error.line)})" if line is None and error.line is not None \
        and source.cell_at(error.line) is not None else ""
    start = f"{source.filename}: {cell.label}"
    if report.reason == "syntax" and error.type != "SyntaxError":
        return f"{start} cannot be compiled ({exception_text(error)}); skipped"
    if report.reason == "syntax":
        return f"{start} has a SyntaxError{f' (line {line})' if line else ''}: {error.message}; skipped"
    at_line = f" at line {line}" if line is not None else elsewhere
    if report.reason == "cpu":
        return f"{start} used more than {cpu:g} s of CPU time; interrupted{at_line}"
    if report.reason == "time":
        return f"{start} ran for more than {seconds:g} s; interrupted{at_line}"
    if line is not None:
        return f"{start} stopped at line {line}: {exception_text(error)}"
    return f"{start} stopped: {exception_text(error)}{elsewhere}"
