"""The pytest plugin that runs the course's checks against submissions: hooks and fixtures only.

Check modules (``grader/checks/check_<exercise>.py``) are ordinary pytest modules whose
check functions are named ``check_*`` and take these fixtures:

- ``student``: the submission's module, whose functions run in a sandboxed child;
  calling one returns plain data rebuilt in this process (``grader.grading.calls``);
- ``reference``: the reference solution's module, run here, in the trusted process;
- ``rng``: a numpy Generator seeded from the run's seed and the check's name.

Markers: ``@pytest.mark.points(n)`` (default 1) and ``@pytest.mark.hidden`` (instructor
mode only; its failure messages never show the input).

``Grader.grade_stream`` loads this module with ``-p grader.grading.plugin`` beside a
``session.Feed`` of submissions. Standalone, it grades one submission in a plain pytest
session (the benchmark's naive baseline: one fresh process per submission):

    python -m pytest -p grader.grading.plugin grader/checks --submission alice.py [--hidden-checks]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.grading.calls import StudentModule
from grader.grading.options import GradeOptions
from grader.grading.runner import Grader
from grader.grading.session import RUN_KEY, Check, Feed, order_items, provide, report, run_session


def _feed(config: pytest.Config) -> Feed | None:
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, Feed)), None)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "course exercise grading")
    group.addoption("--submission", default=None, help="grade this submission (folder, .py or .ipynb)")
    group.addoption("--hidden-checks", action="store_true", help="also run the hidden checks")
    group.addoption("--grader-seed", type=int, default=None, help="seed for the hidden checks' inputs")
    group.addoption("--grader-timeout", type=float, default=None, help="seconds one call may take")
    parser.addini("grader_timeout", "seconds one call of a submission's function may take", default="2.0")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): what the check is worth (default 1)")
    config.addinivalue_line("markers", "hidden: an instructor-only check on generated inputs")
    path = config.getoption("submission", None)
    if path is None or _feed(config) is not None:
        return
    from grader.course import CourseError, find_root

    # The checks' own names, whichever configuration file pytest found: `--submission PATH`
    # can make pytest take PATH's folder, not grader/checks/, for the root.
    config.addinivalue_line("python_files", "check_*.py")
    config.addinivalue_line("python_functions", "check_*")
    timeout = config.getoption("grader_timeout") or float(config.getini("grader_timeout"))
    if not Path(path).exists():
        raise pytest.UsageError(f"--submission {path}: no such file or folder")
    try:
        root = find_root()
    except CourseError as exc:
        raise pytest.UsageError(str(exc)) from None
    grader = Grader(root, GradeOptions(hidden=config.getoption("hidden_checks"),
                                       seed=config.getoption("grader_seed"), timeout=timeout))
    run = grader.new_run(Path(path))
    config.add_cleanup(grader.close)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(Feed([run], hidden=run.hidden, lean=False), "grader-run")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    feed = _feed(session.config)
    if feed is not None and exitstatus == pytest.ExitCode.INTERRUPTED:
        feed.interrupted = True  # pytest turns Ctrl-C into an exit code; the runner raises it again


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    feed = _feed(config)
    if feed is not None:
        order_items(feed, config, items)


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    feed = _feed(session.config)
    if feed is None:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} errors during collection")
    run_session(feed, session)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
    return report(item, call) if RUN_KEY in item.config.stash else None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.results:
        return
    got = sum(r.score for r in run.results)
    terminalreporter.write_line(f"Points: {got:g}/{sum(r.points for r in run.results):g}")


@pytest.fixture
def student(request: pytest.FixtureRequest) -> StudentModule:
    """The submission's module, whose functions run in a sandboxed child."""
    return provide("student", request.config.stash[RUN_KEY], Check.of(request.node))


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Any:
    """The reference solution: the live module when the course has solutions/, else (a student's
    copy made by `grader release`) the recording of its answers to the public checks."""
    return provide("reference", request.config.stash[RUN_KEY], Check.of(request.node))


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    """A numpy Generator seeded from the run's seed and the check's name."""
    return provide("rng", request.config.stash[RUN_KEY], Check.of(request.node))
