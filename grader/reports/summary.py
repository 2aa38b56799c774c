"""Plain numbers over graded records: the class's totals, each exercise's points, each check's
pass rate and its most common failure messages. The page and the feedback files draw on these.

Each exercise of a submission is in one of three states, decided from the results alone:
*not attempted* (the grader found no file for it, its function is not defined, raises
NotImplementedError, or its file is empty), *not gradable* (its file did not load: a syntax
error, an error or a long run at its top level, a crashed grading) or *graded* (its checks ran;
each passed or failed). Rates and means "among attempts" count graded exercises only."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.grading.calls import BUILTIN_ERRORS
from grader.reports.records import GradedRecord

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

NOT_ATTEMPTED = "not attempted"
NOT_GRADABLE = "not gradable"
GRADED = "graded"
#: What the grader says of an exercise with nothing to grade (a check's output or the problem, from its start).
_NOT_ATTEMPTED = re.compile(r"(not written yet\b|no file for this exercise\b|\w+ is not defined in \S|\S+ is empty$)")
#: What the grader says of a file that did not load, or of a grading that stopped.
_NOT_GRADABLE = re.compile(r"(SyntaxError in |loading \S.* (failed|raised|used|ran)|\S+ cannot be compiled|"
                           r"grading this submission stopped|the submission could not be loaded)")


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    name: str          # the check's name without the "exercise: " prefix
    hidden: bool
    passed: bool
    score: float
    max_score: float
    output: str        # the failure message ("" for a pass); a hidden check's only as ``hidden_message`` allows


@dataclass
class CheckStats:
    exercise: str
    name: str
    hidden: bool
    max_score: float
    passed: int = 0
    failed: int = 0
    failures: list[tuple[str, int]] = field(default_factory=list)   # (message, how many), public checks only

    @property
    def pass_rate(self) -> float:
        total = self.passed + self.failed
        return self.passed / total if total else 0.0


@dataclass
class ExerciseStats:
    """One exercise over the class: how many attempted it and how those whose file loaded did."""

    exercise: str
    max_score: float
    students: int
    not_attempted: int = 0
    not_gradable: int = 0
    graded: list[float] = field(default_factory=list)   # the points of each graded attempt

    @property
    def attempted(self) -> int:
        return self.students - self.not_attempted

    @property
    def attempted_share(self) -> float:
        return self.attempted / self.students if self.students else 0.0

    @property
    def mean_among_graded(self) -> float | None:
        return statistics.fmean(self.graded) if self.graded else None

    @property
    def full_marks(self) -> int:
        return sum(p >= self.max_score for p in self.graded)


@dataclass
class AttemptStats:
    """One check over the class: its exercise's states, and among the graded attempts, passes and failures
    with the most common messages (hidden checks' fixed phrases included: this is the instructor's)."""

    exercise: str
    name: str
    hidden: bool
    max_score: float
    students: int = 0
    not_attempted: int = 0
    not_gradable: int = 0
    passed: int = 0
    failed: int = 0
    failures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def graded(self) -> int:
        return self.passed + self.failed

    @property
    def attempted_share(self) -> float:
        return (self.students - self.not_attempted) / self.students if self.students else 0.0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.graded if self.graded else None


@dataclass
class StudentStanding:
    """One student's work: points over the exercises they attempted, and the checks they fail there."""

    record: GradedRecord
    states: dict[str, str]
    attempted_max: float
    score: float
    failing: list[CheckResult]       # failed checks of graded exercises
    points: dict[str, tuple[float, float]] = field(default_factory=dict)   # per exercise: got, most
    passed: int = 0                  # checks passed

    @property
    def share(self) -> float | None:
        return self.score / self.attempted_max if self.attempted_max else None


@dataclass
class ClassSummary:
    students: int
    max_score: float
    totals: list[float]
    mean: float
    median: float
    exercises: dict[str, list[float]]          # exercise id -> each student's points
    exercise_max: dict[str, float]
    checks: list[CheckStats]                   # hardest first
    seconds: list[float]
    by_exercise: dict[str, ExerciseStats] = field(default_factory=dict)
    by_check: list[AttemptStats] = field(default_factory=list)   # most failed among graded attempts first


#: What a hidden check may say: the grader's fixed vocabulary (grading/session.py ``hidden_output``).
_HIDDEN_PHRASE = re.compile(r"failed on a hidden input: (wrong value|wrong shape or type|ran too long|crashed|"
                            r"sent back something malformed|raised an exception|"
                            r"raised (?:a built-in exception of type )?([A-Za-z]+))")
WITHHELD = "failed on a hidden input (its message is not one the grader writes: not shown)"


def hidden_message(output: str) -> str:
    """A hidden check's message as shown: one of the grader's fixed phrases, or why nothing is to grade
    (the exercise not attempted, its file did not load); anything else (results written before the
    fixed vocabulary, or forged) is withheld."""
    phrase = _HIDDEN_PHRASE.fullmatch(output)
    if phrase and (phrase.group(2) is None or phrase.group(2) in BUILTIN_ERRORS):
        return output
    if not output or _NOT_ATTEMPTED.match(output) or _NOT_GRADABLE.match(output):
        return output
    return WITHHELD


def check_results(record: GradedRecord) -> list[CheckResult]:
    """The record's checks in order, as plain values."""
    checks = []
    for test in record.results["tests"]:
        tags = test["tags"]
        exercise = tags[0]
        name = test["name"]
        if name.startswith(f"{exercise}: "):
            name = name[len(exercise) + 2:]
        hidden = len(tags) > 1 and tags[1] == "hidden"
        output = test.get("output") if isinstance(test.get("output"), str) else ""
        if hidden:
            output = hidden_message(output)
        checks.append(CheckResult(exercise, name, hidden, test.get("status") == "passed",
                                  float(test["score"]), float(test["max_score"]), output))
    return checks


def exercise_points(record: GradedRecord, checks: list[CheckResult] | None = None) -> dict[str, tuple[float, float]]:
    """Points and maximum per exercise, in the order the checks come (``checks``: the record's, when known)."""
    points: dict[str, list[float]] = {}
    for check in check_results(record) if checks is None else checks:
        entry = points.setdefault(check.exercise, [0.0, 0.0])
        entry[0] += check.score
        entry[1] += check.max_score
    return {k: (v[0], v[1]) for k, v in points.items()}


def notes(record: GradedRecord) -> list[str]:
    """The grader's notes on the submission (skipped notebook cells, refused files, a crash)."""
    extra = record.results.get("extra_data")
    extra = extra if isinstance(extra, dict) else {}
    found = [str(n) for n in extra.get("notes", []) if isinstance(n, str)] if isinstance(extra.get("notes"), list) else []
    if extra.get("crashed"):
        found.append("grading this submission stopped the grading process; it scored zero")
    return found


def gradebook_standing(record: GradedRecord) -> dict | None:
    """The gradebook's standing of the record (raw points, late penalty, adjustments, final), if any."""
    extra = record.results.get("extra_data")
    value = extra.get("standing") if isinstance(extra, dict) else None
    return value if isinstance(value, dict) else None


def standing_lines(record: GradedRecord) -> list[str]:
    """How the final points come about, in plain sentences (empty for a result with no deadline and no
    adjustment): the raw points, when it was handed in against which deadline, the late penalty, each
    adjustment with its reason, and the final points."""
    entry = gradebook_standing(record)
    if not entry or not (entry.get("deadline") or entry.get("adjustments") or entry.get("adjustment_list")):
        return []
    most = float(entry.get("max_score") or 0)
    lines = [f"Points from the checks: {float(entry['raw_score']):g} / {most:g}"]
    if entry.get("deadline"):
        when = f"Handed in {entry['submitted_at']} ({entry.get('submitted_source')})" if entry.get("submitted_at") \
            else "Handing-in time unknown"
        lines.append(f"{when}; deadline {entry['deadline']}")
        days = int(entry.get("days_late") or 0)
        if days > 0:
            lines.append(f"Late by {days} day{'s' if days != 1 else ''}: -{float(entry['penalty']):g} points "
                         f"({float(entry['penalty_percent']):g}%)")
    for adjustment in entry.get("adjustment_list") or []:
        lines.append(f"Adjusted {float(adjustment['points']):+g} points: {adjustment['reason']} "
                     f"({adjustment['made_at']})")
    lines.append(f"Final: {float(entry['final_score']):g} / {most:g}")
    return lines


def printed(record: GradedRecord) -> str:
    """What the submission printed while it was graded (may be forged; show it escaped)."""
    extra = record.results.get("extra_data")
    value = extra.get("printed", "") if isinstance(extra, dict) else ""
    return value if isinstance(value, str) else ""


def exercise_states(record: GradedRecord, checks: list[CheckResult] | None = None) -> dict[str, str]:
    """Each exercise's state in this record: NOT_ATTEMPTED, NOT_GRADABLE or GRADED (see the module's doc).

    The grader's own ``problems`` note decides first; a check's output counts only by how it starts
    (the grader's words come first; a submission's text never does)."""
    extra = record.results.get("extra_data")
    problems = extra.get("problems") if isinstance(extra, dict) else None
    problems = problems if isinstance(problems, dict) else {}
    states: dict[str, str] = {}
    for check in check_results(record) if checks is None else checks:
        if check.exercise in states and states[check.exercise] != GRADED:
            continue
        problem = problems.get(check.exercise)
        if isinstance(problem, str):
            states[check.exercise] = NOT_ATTEMPTED if _NOT_ATTEMPTED.match(problem) else NOT_GRADABLE
        elif not check.passed and _NOT_ATTEMPTED.match(check.output):
            states[check.exercise] = NOT_ATTEMPTED
        elif not check.passed and (_NOT_GRADABLE.match(check.output) or check.name == "could not be graded"):
            states[check.exercise] = NOT_GRADABLE
        else:
            states.setdefault(check.exercise, GRADED)
    return states


def short_message(message: str, limit: int = 300) -> str:
    """``message`` within about ``limit`` characters, never cut between "expected" and "got": the call
    before "expected" is shortened first, then the expected and the got values each keep their start."""
    message = " ".join(message.split())
    if len(message) <= limit:
        return message
    at = message.find("expected ")
    got = message.find(", got ", at + 9) if at >= 0 else -1
    if at < 0 or got < 0:
        return message[: limit - 1] + "…"

    def cut(text: str, room: int) -> str:
        return text if len(text) <= room else text[: max(room - 1, 8)] + "…"

    head, expected, rest = message[:at], message[at:got], message[got:]
    room = max(limit - len(expected) - len(rest), 40)
    head = cut(head, room)
    room = max((limit - len(head)) // 2, 40)
    return head + cut(expected, room) + cut(rest, max(limit - len(head) - min(len(expected), room), 40))


def message_pattern(message: str) -> str:
    """The message with its numbers replaced by #, so that near-identical messages group."""
    return " ".join(_NUMBER.sub("#", message).split())


def summarize(records: list[GradedRecord], top_failures: int = 3,
              checks: list[list[CheckResult]] | None = None) -> ClassSummary:
    """The class's numbers; checks ranked by pass rate, hardest first."""
    totals = [float(r.results["score"]) for r in records]
    exercises: dict[str, list[float]] = {}
    exercise_max: dict[str, float] = {}
    all_checks = [check_results(r) for r in records] if checks is None else checks
    per_student = [exercise_points(r, c) for r, c in zip(records, all_checks)]
    for points in per_student:
        for exercise, (_, most) in points.items():
            exercises.setdefault(exercise, [])
            exercise_max[exercise] = max(exercise_max.get(exercise, 0.0), most)
    for points in per_student:
        for exercise in exercises:
            exercises[exercise].append(points.get(exercise, (0.0, 0.0))[0])
    stats: dict[tuple[str, str], CheckStats] = {}
    messages: dict[tuple[str, str], dict[str, Counter]] = {}
    for checks_of_record in all_checks:
        for check in checks_of_record:
            key = (check.exercise, check.name)
            entry = stats.setdefault(key, CheckStats(check.exercise, check.name, check.hidden, check.max_score))
            if check.passed:
                entry.passed += 1
                continue
            entry.failed += 1
            if not check.hidden:
                grouped = messages.setdefault(key, {})
                grouped.setdefault(message_pattern(check.output or "failed"), Counter())[check.output or "failed"] += 1
    for key, grouped in messages.items():
        ranked = sorted(grouped.values(), key=lambda c: -sum(c.values()))[:top_failures]
        stats[key].failures = [(c.most_common(1)[0][0], sum(c.values())) for c in ranked]
    order = {e: i for i, e in enumerate(exercises)}
    checks = sorted(stats.values(), key=lambda s: (s.pass_rate, order.get(s.exercise, 0), s.name))
    by_exercise, by_check = _attempts(records, all_checks, per_student, exercise_max, order, top_failures)
    return ClassSummary(
        students=len(records), max_score=max((float(r.results["max_score"]) for r in records), default=0.0),
        totals=totals, mean=statistics.fmean(totals) if totals else 0.0,
        median=statistics.median(totals) if totals else 0.0, exercises=exercises, exercise_max=exercise_max,
        checks=checks, seconds=[r.seconds for r in records], by_exercise=by_exercise, by_check=by_check)


def _attempts(records: list[GradedRecord], all_checks: list[list[CheckResult]],
              per_student: list[dict[str, tuple[float, float]]], exercise_max: dict[str, float], order: dict[str, int],
              top_failures: int) -> tuple[dict[str, ExerciseStats], list[AttemptStats]]:
    by_exercise = {e: ExerciseStats(e, most, len(records)) for e, most in exercise_max.items()}
    by_check: dict[tuple[str, str], AttemptStats] = {}
    messages: dict[tuple[str, str], dict[str, Counter]] = {}
    for record, checks, points in zip(records, all_checks, per_student):
        states = exercise_states(record, checks)
        for exercise, entry in by_exercise.items():
            state = states.get(exercise, NOT_ATTEMPTED)
            if state == NOT_ATTEMPTED:
                entry.not_attempted += 1
            elif state == NOT_GRADABLE:
                entry.not_gradable += 1
            else:
                entry.graded.append(points[exercise][0])
        for check in checks:
            key = (check.exercise, check.name)
            entry = by_check.setdefault(key, AttemptStats(check.exercise, check.name, check.hidden, check.max_score))
            entry.students += 1
            state = states.get(check.exercise, GRADED)
            if state == NOT_ATTEMPTED:
                entry.not_attempted += 1
            elif state == NOT_GRADABLE:
                entry.not_gradable += 1
            elif check.passed:
                entry.passed += 1
            else:
                entry.failed += 1
                text = check.output or "failed"
                messages.setdefault(key, {}).setdefault(message_pattern(text), Counter())[text] += 1
    for key, grouped in messages.items():
        ranked = sorted(grouped.values(), key=lambda c: -sum(c.values()))[:top_failures]
        by_check[key].failures = [(c.most_common(1)[0][0], sum(c.values())) for c in ranked]
    few = few_graded(len(records))
    ranked_checks = sorted(by_check.values(), key=lambda s: (
        s.graded < few, -(s.failure_rate or 0.0), -s.failed, order.get(s.exercise, 0), s.name))
    return by_exercise, ranked_checks


def few_graded(students: int) -> int:
    """Checks graded for fewer students than this rank after the others: one student's failure is not
    a class's difficulty (a tenth of the class, at least 2)."""
    return max(2, -(-students // 10))


def standing(record: GradedRecord, checks: list[CheckResult] | None = None) -> StudentStanding:
    """The student's points over the exercises they attempted (graded or not gradable) and the checks
    they fail among the graded ones."""
    checks = check_results(record) if checks is None else checks
    states = exercise_states(record, checks)
    points = exercise_points(record, checks)
    attempted = [e for e, s in states.items() if s != NOT_ATTEMPTED]
    failing = [c for c in checks if not c.passed and states.get(c.exercise) == GRADED]
    return StudentStanding(record, states, sum(points[e][1] for e in attempted),
                           sum(points[e][0] for e in attempted), failing, points, sum(c.passed for c in checks))


def needs_help(standings: list[StudentStanding], below: float, failing: int) -> list[StudentStanding]:
    """Who needs help: those who attempted nothing, those with less than ``below`` of the points of the
    exercises they attempted, and those failing ``failing`` or more checks of the exercises graded;
    lowest share first."""
    chosen = [s for s in standings
              if s.share is None or s.share < below or len(s.failing) >= failing]
    return sorted(chosen, key=lambda s: (-1.0 if s.share is None else s.share, -len(s.failing),
                                         s.record.shown_name.lower()))
