"""Checks for fill_missing_with_mode: a new frame, each column's gaps filled with its mode."""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grader.checking import expect_same, expect_unchanged, show_call

TITANIC = Path(__file__).parent / "data" / "titanic.csv"


def passengers():
    return pd.DataFrame({
        "Age": [22.0, None, 26.0, 35.0, None, 26.0],
        "Embarked": ["S", "C", None, "S", "Q", None],
        "Fare": [7.25, 71.28, 7.93, 53.1, 8.05, 8.46],
        "Pclass": [3, 1, 3, 1, 3, 3],
    })


def agree(student, reference, frame, inputs=False):
    call = show_call("fill_missing_with_mode", (frame,)) if student.fill_missing_with_mode.public else None
    want = reference.fill_missing_with_mode(frame.copy(deep=True))
    outcome = student.fill_missing_with_mode.run(frame, inputs=inputs)
    if outcome.error:
        student.fill_missing_with_mode(frame)  # fails with the exception and the call
    expect_same(outcome.value, want, call=call)
    return outcome


def unchanged(student, reference, frame):
    outcome = agree(student, reference, frame, inputs=True)
    where = "the DataFrame passed in" if student.fill_missing_with_mode.public else "on a hidden input, the DataFrame"
    expect_unchanged(outcome.inputs[0], frame,
                     f"{where} was modified: return a new DataFrame and leave the input alone")


@pytest.mark.points(2)
def check_fills_numbers_and_text_with_the_mode(student, reference):
    agree(student, reference, passengers())


@pytest.mark.points(1)
def check_a_frame_without_gaps_comes_back_equal(student, reference):
    agree(student, reference, passengers().dropna())


@pytest.mark.points(2)
def check_leaves_the_input_unmodified(student, reference):
    unchanged(student, reference, passengers())


@cache
def titanic():
    return pd.read_csv(TITANIC)


@pytest.mark.hidden
@pytest.mark.points(2)
def check_a_sample_of_the_titanic_data(student, reference, rng):
    rows = np.sort(rng.choice(len(titanic()), size=int(rng.integers(40, 200)), replace=False))
    unchanged(student, reference, titanic().iloc[rows].copy())


@pytest.mark.hidden
@pytest.mark.points(1)
def check_ties_take_the_smallest_value(student, reference, rng):
    a, b = sorted(rng.choice(np.arange(1, 50), size=2, replace=False).tolist())
    frame = pd.DataFrame({"x": [float(b), float(a), None, float(b), float(a)],
                          "s": ["q", None, "p", "p", "q"]})
    agree(student, reference, frame.sample(frac=1.0, random_state=int(rng.integers(1 << 30))))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_an_all_missing_column_stays_missing(student, reference, rng):
    n = int(rng.integers(3, 9))
    frame = pd.DataFrame({"empty": [np.nan] * n, "y": rng.integers(0, 3, size=n).astype(float)})
    frame.loc[0, "y"] = np.nan
    agree(student, reference, frame)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_a_frame_with_no_rows(student, reference):
    unchanged(student, reference, passengers().iloc[:0].copy())
