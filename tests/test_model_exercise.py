"""The model exercise (titanic_model): its own CPU budget, labels that never reach the child,
memorising that does not pay, partial points, the same points twice, and the leaderboard."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grader.bounds import MAX_CALL_CPU_SECONDS, MAX_CALL_TIMEOUT
from grader.grading import GradeOptions, Grader
from grader.grading.passengers import Passengers, make_passengers, score
from grader.reports.html import ReportInputs, build_report
from grader.reports.leaderboard import entries, pseudonym
from grader.reports.records import GradedRecord
from grader.sandbox.host import Child, Sandbox, SandboxConfig, SandboxTimeout

COURSE = Path(__file__).resolve().parents[1]
DATA = COURSE / "grader" / "checks" / "data" / "titanic.csv"
HONEST = (COURSE / "solutions" / "lab5" / "model.py").read_text()
PUBLIC = "titanic_model: accuracy on the validation passengers"
HIDDEN = "titanic_model: accuracy on fresh passengers"


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=11, timeout=2.0)) as g:
        yield g


def graded(grader, tmp_path, code, name="student"):
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    results = grader.grade(path)
    return results, {t["name"]: t for t in results["tests"] if t["tags"][0] == "titanic_model"}


# ------------------------------------------------------------------ the budget of a call

SPIN = '''
import time
def busy(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds
def spin():
    while True:
        pass
'''


@pytest.fixture(scope="module")
def kid():
    with Sandbox(SandboxConfig()) as sandbox:
        child = sandbox.spawn()
        assert child.load("spin", SPIN, "spin.py", ["busy"]) == []
        yield sandbox, child


def test_a_call_may_have_a_cpu_budget_of_its_own(kid):
    sandbox, child = kid
    # 1 s of CPU is over an ordinary call's 0.5 s, and within a budget of 3 s.
    assert child.call("spin", "busy", (1.0,), timeout=10, cpu_seconds=3).value == 1.0
    with pytest.raises(SandboxTimeout, match="used more than 0.5 s of CPU time"):
        child.call("spin", "busy", (1.0,), timeout=10)


def test_an_endless_loop_is_stopped_at_its_budget_with_a_message_naming_it(kid):
    sandbox, _ = kid
    child = sandbox.spawn()
    child.load("spin", SPIN, "spin.py", [])
    with pytest.raises(SandboxTimeout, match="used more than 1.5 s of CPU time"):
        child.call("spin", "spin", (), timeout=20, cpu_seconds=1.5)
    assert child.dead


def test_the_budget_a_check_asks_for_is_capped(monkeypatch):
    asked = {}
    monkeypatch.setattr(Child, "_ask", lambda self, header, *a, **k: asked.update(header, timeout=k["timeout"]))
    Child.call(object.__new__(Child), "m", "f", timeout=10 ** 6, cpu_seconds=10 ** 6)
    assert asked["cpu_seconds"] == MAX_CALL_CPU_SECONDS and asked["timeout"] == MAX_CALL_TIMEOUT


def test_training_gets_the_exercise_s_budget_not_an_ordinary_call_s(grader, tmp_path):
    slow = HONEST + SPIN.replace("import time", "import time as _t").replace("time.", "_t.") + \
        "\n_honest = predict_survival\ndef predict_survival(train, test):\n    busy(2.0)\n    return _honest(train, test)\n"
    _, tests = graded(grader, tmp_path, slow)
    assert tests[PUBLIC]["score"] == 6 and tests[HIDDEN]["score"] == 14, tests


def test_an_endless_training_loop_is_stopped_with_a_message_naming_the_budget(grader, tmp_path, monkeypatch):
    graded(grader, tmp_path, HONEST)  # the checks are collected
    checks = next(m for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and m.__file__.endswith("check_titanic_model.py"))
    assert checks.BUDGET == {"cpu_seconds": 20, "timeout": 60}  # what the stub states
    monkeypatch.setattr(checks, "BUDGET", {"cpu_seconds": 2, "timeout": 30})  # the same path, a shorter wait
    _, tests = graded(grader, tmp_path, "def predict_survival(train, test):\n    while True:\n        pass\n")
    assert tests[PUBLIC]["score"] == 0
    assert tests[PUBLIC]["output"] == ("predict_survival(train, test): used more than 2 s of CPU time without "
                                       "answering (an endless loop, or far too slow?)")


# ------------------------------------------------------------------ the scored labels stay here

SPY = '''
import gc, os
import numpy as np
import pandas as pd
import torch

N = 1000

def _labels(value):
    """value as 0/1 labels of the scored passengers, if it could be them."""
    try:
        if isinstance(value, pd.DataFrame) and "Survived" in value.columns and len(value) == N:
            value = value["Survived"]
        if isinstance(value, (list, tuple, np.ndarray, pd.Series, torch.Tensor)) and len(value) == N:
            array = np.asarray(value, dtype=float).reshape(-1)
            if array.shape == (N,) and set(np.unique(array)) <= {0.0, 1.0} and 0 < array.sum() < N:
                return array
    except Exception:
        pass
    return None

def _in_files():
    seen = 0
    for top in {os.getcwd(), os.path.expanduser("~"), os.environ.get("TMPDIR", "/tmp"), "/tmp"}:
        for folder, _, files in os.walk(top):
            for name in files:
                seen += 1
                if seen > 5000:
                    return
                try:
                    frame = pd.read_csv(os.path.join(folder, name))
                except Exception:
                    continue
                found = _labels(frame)
                if found is not None:
                    yield found

def predict_survival(train, test):
    """Returns whatever 0/1 labels of the scored passengers it can find (memory, then files); else 0."""
    for value in gc.get_objects():
        found = _labels(value)
        if found is not None:
            return found
    for found in _in_files():
        return found
    return np.zeros(len(test))
'''


def test_a_submission_that_searches_memory_and_files_for_the_scored_labels_finds_nothing(grader, tmp_path):
    results, tests = graded(grader, tmp_path, SPY)
    # Had it found them its accuracy would be 1; "nobody survives" is the majority class's, worth nothing.
    assert tests[PUBLIC]["score"] == 0 and tests[HIDDEN]["score"] == 0, tests
    assert "accuracy 0.6" in tests[PUBLIC]["output"]
    assert dict((e["name"], e["value"]) for e in results["leaderboard"])["Accuracy"] < 0.7


def test_the_spy_finds_labels_when_they_are_there():
    """The control: the same search, run here where a frame with the labels is alive, finds them."""
    namespace = {}
    exec(SPY, namespace)
    scored = make_passengers(str(DATA), np.random.default_rng(0), 1000).with_labels()  # noqa: F841 - in memory
    found = namespace["predict_survival"](None, scored)
    assert found.sum() > 0


# ------------------------------------------------------------------ memorising does not pay

CHEAT = '''
import io
import numpy as np
import pandas as pd

REAL = pd.read_csv(io.StringIO({csv!r}))

def predict_survival(train, test):
    """Looks up each passenger's real label by name (the real train.csv, embedded); the honest model for the rest."""
    known = dict(zip(REAL["Name"], REAL["Survived"]))
    honest = np.asarray(_honest(train, test), dtype=float)
    return np.array([float(known.get(name, p)) for name, p in zip(test["Name"], honest)])
'''


def test_looking_up_the_real_labels_scores_no_better_than_an_honest_model(grader, tmp_path):
    cheat = HONEST.replace("def predict_survival(", "def _honest(") + CHEAT.format(csv=DATA.read_text())
    cheater, cheats = graded(grader, tmp_path, cheat, "cheater")
    honest, honests = graded(grader, tmp_path, HONEST, "honest")
    accuracy = {who: dict((e["name"], e["value"]) for e in r["leaderboard"])["Accuracy"]
                for who, r in (("cheat", cheater), ("honest", honest))}
    assert accuracy["cheat"] <= accuracy["honest"], accuracy
    assert cheats[HIDDEN]["score"] <= honests[HIDDEN]["score"] == 14


def test_the_real_labels_of_the_rows_drawn_score_below_the_best_guess():
    """The trusted side's figures behind it: on fresh passengers the real labels (of the rows
    they were drawn from) score below the generating model's own best guess."""
    rng = np.random.default_rng(1)
    test = make_passengers(str(DATA), rng, 1000)
    frame = pd.read_csv(DATA)
    known = dict(zip(frame["Name"], frame["Survived"]))
    looked_up = np.array([known[name] for name in test.features["Name"]], dtype=float)
    assert score(looked_up, test).accuracy < score(test.probability, test).accuracy


# ------------------------------------------------------------------ points, determinism, leaderboard

WEAK = '''
import numpy as np
def predict_survival(train, test):
    """First and second class survive."""
    return (test["Pclass"] < 3).to_numpy(dtype=float) * 0.6 + 0.2
'''

RANDOM_NET = '''
import random
import numpy as np
import torch
from torch import nn

def predict_survival(train, test):
    """A small net with dropout, random start weights, shuffled minibatches."""
    def features(frame):
        return torch.tensor(np.column_stack([(frame["Sex"] == "female"), frame["Pclass"] / 3,
                                             frame["Age"].fillna(28) / 80, np.log1p(frame["Fare"]) / 6]),
                            dtype=torch.float32)
    X, T = features(train), features(test)
    y = torch.tensor(train["Survived"].to_numpy(), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    rows = list(range(len(X)))
    for _ in range(20):
        random.shuffle(rows)
        order = np.random.permutation(rows)
        for start in range(0, len(order), 64):
            batch = torch.as_tensor(order[start:start + 64])
            optimizer.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(T).squeeze(1))
'''


def test_a_weak_model_gets_part_of_the_points_and_sees_its_accuracy_and_the_cutoffs(grader, tmp_path):
    results, tests = graded(grader, tmp_path, WEAK)
    for name, most in ((PUBLIC, 6), (HIDDEN, 14)):
        assert 0 < tests[name]["score"] < tests[name]["max_score"] == most
        assert tests[name]["status"] == "failed"
    assert "0 points at 0.6" in tests[PUBLIC]["output"] and "full points from 0.7" in tests[PUBLIC]["output"]
    assert tests[HIDDEN]["output"] == "scored on a hidden input"  # no figure of the child's on a hidden check
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=1e-3)


def test_the_same_submission_graded_twice_with_the_same_seed_gets_the_same_points(grader, tmp_path):
    first, _ = graded(grader, tmp_path, RANDOM_NET, "first")
    again, _ = graded(grader, tmp_path, RANDOM_NET, "first")
    assert first["leaderboard"] == again["leaderboard"]
    assert [t["score"] for t in first["tests"]] == [t["score"] for t in again["tests"]]


def test_the_leaderboard_is_in_the_results_and_in_the_report(grader, tmp_path):
    strong, _ = graded(grader, tmp_path, HONEST, "alice")
    weak, _ = graded(grader, tmp_path, WEAK, "bob")
    assert [e["name"] for e in strong["leaderboard"]] == ["Accuracy", "Log loss"]
    assert [e["order"] for e in strong["leaderboard"]] == ["desc", "asc"]
    records = [GradedRecord("bob", weak, 1.0), GradedRecord("alice", strong, 1.0), GradedRecord("carol", {
        "score": 0, "max_score": 0, "tests": []}, 1.0)]
    assert [e.shown for e in entries(records, "names")] == ["alice", "bob"]  # best first; carol has no model
    page = build_report(ReportInputs(records, leaderboard="names"))
    board = page[page.index('id="leaderboard"'):page.index('id="each-student"')]
    assert board.index("alice") < board.index("bob")
    key = b"k" * 32
    hidden = build_report(ReportInputs(records, leaderboard="pseudonyms", pseudonym_key=key))
    board = hidden[hidden.index('id="leaderboard"'):hidden.index('id="each-student"')]
    assert "alice" not in board and pseudonym("alice", key) in board
    assert pseudonym("alice", key) != pseudonym("alice", b"x" * 32)
    assert 'id="leaderboard"' not in build_report(ReportInputs(records))


def test_results_without_a_model_exercise_have_no_leaderboard(grader, tmp_path):
    path = tmp_path / "none.py"
    path.write_text("def bmi(w, h):\n    return w / h ** 2\n")
    assert "leaderboard" not in grader.grade(path)


def test_the_passengers_are_made_fresh_for_each_seed_with_known_cutoffs():
    a = make_passengers(str(DATA), np.random.default_rng(1), 1000)
    b = make_passengers(str(DATA), np.random.default_rng(2), 1000)
    again = make_passengers(str(DATA), np.random.default_rng(1), 1000)
    assert not a.features.equals(b.features) and a.features.equals(again.features)
    assert (a.labels == again.labels).all() and "Survived" not in a.features.columns
    assert 0.55 < a.baseline_accuracy < 0.7 < 0.75 < a.best_accuracy < 0.85
    assert isinstance(a, Passengers) and score(a.probability, a).fraction > 0.5
