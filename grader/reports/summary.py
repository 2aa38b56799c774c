"""Plain numbers over graded records: the class's totals, each exercise's points, each check's
pass rate and its most common failure messages. The page and the feedback files draw on these."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.reports.records import GradedRecord

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    name: str          # the check's name without the "exercise: " prefix
    hidden: bool
    passed: bool
    score: float
    max_score: float
    output: str        # the failure message ("" for a pass); never shown for a hidden check


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
        checks.append(CheckResult(exercise, name, hidden, test.get("status") == "passed",
                                  float(test["score"]), float(test["max_score"]), output))
    return checks


def exercise_points(record: GradedRecord) -> dict[str, tuple[float, float]]:
    """Points and maximum per exercise, in the order the checks come."""
    points: dict[str, list[float]] = {}
    for check in check_results(record):
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


def standing(record: GradedRecord) -> dict | None:
    """The gradebook's standing of the record (raw points, late penalty, adjustments, final), if any."""
    extra = record.results.get("extra_data")
    value = extra.get("standing") if isinstance(extra, dict) else None
    return value if isinstance(value, dict) else None


def standing_lines(record: GradedRecord) -> list[str]:
    """How the final points come about, in plain sentences (empty for a result with no deadline and no
    adjustment): the raw points, when it was handed in against which deadline, the late penalty, each
    adjustment with its reason, and the final points."""
    entry = standing(record)
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


def message_pattern(message: str) -> str:
    """The message with its numbers replaced by #, so that near-identical messages group."""
    return " ".join(_NUMBER.sub("#", message).split())


def summarize(records: list[GradedRecord], top_failures: int = 3) -> ClassSummary:
    """The class's numbers; checks ranked by pass rate, hardest first."""
    totals = [float(r.results["score"]) for r in records]
    exercises: dict[str, list[float]] = {}
    exercise_max: dict[str, float] = {}
    per_student = [exercise_points(r) for r in records]
    for points in per_student:
        for exercise, (_, most) in points.items():
            exercises.setdefault(exercise, [])
            exercise_max[exercise] = max(exercise_max.get(exercise, 0.0), most)
    for points in per_student:
        for exercise in exercises:
            exercises[exercise].append(points.get(exercise, (0.0, 0.0))[0])
    stats: dict[tuple[str, str], CheckStats] = {}
    messages: dict[tuple[str, str], dict[str, Counter]] = {}
    for record in records:
        for check in check_results(record):
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
    return ClassSummary(
        students=len(records), max_score=max((float(r.results["max_score"]) for r in records), default=0.0),
        totals=totals, mean=statistics.fmean(totals) if totals else 0.0,
        median=statistics.median(totals) if totals else 0.0, exercises=exercises, exercise_max=exercise_max,
        checks=checks, seconds=[r.seconds for r in records])
