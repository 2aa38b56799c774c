"""Checks for fill_missing_with_mode: a new frame, each column's gaps filled with its mode."""

import numpy as np
import pandas as pd
import pytest

from grader.checking import agrees, frame_unchanged, titanic_sample


def passengers():
    return pd.DataFrame({
        "Age": [22.0, None, 26.0, 35.0, None, 26.0],
        "Embarked": ["S", "C", None, "S", "Q", None],
        "Fare": [7.25, 71.28, 7.93, 53.1, 8.05, 8.46],
        "Pclass": [3, 1, 3, 1, 3, 3],
    })


@pytest.mark.points(2)
def check_fills_numbers_and_text_with_the_mode(student, reference):
    agrees(student, reference, "fill_missing_with_mode", passengers())


@pytest.mark.points(1)
def check_a_frame_without_gaps_comes_back_equal(student, reference):
    agrees(student, reference, "fill_missing_with_mode", passengers().dropna())


@pytest.mark.points(2)
def check_leaves_the_input_unmodified(student, reference):
    frame_unchanged(student, reference, "fill_missing_with_mode", passengers())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_a_sample_of_the_titanic_data(student, reference, rng):
    frame_unchanged(student, reference, "fill_missing_with_mode", titanic_sample(rng))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_ties_take_the_smallest_value(student, reference, rng):
    a, b = sorted(rng.choice(np.arange(1, 50), size=2, replace=False).tolist())
    frame = pd.DataFrame({"x": [float(b), float(a), None, float(b), float(a)],
                          "s": ["q", None, "p", "p", "q"]})
    agrees(student, reference, "fill_missing_with_mode", frame.sample(frac=1.0, random_state=int(rng.integers(1 << 30))))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_an_all_missing_column_stays_missing(student, reference, rng):
    n = int(rng.integers(3, 9))
    frame = pd.DataFrame({"empty": [np.nan] * n, "y": rng.integers(0, 3, size=n).astype(float)})
    frame.loc[0, "y"] = np.nan
    agrees(student, reference, "fill_missing_with_mode", frame)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_a_frame_with_no_rows(student, reference):
    frame_unchanged(student, reference, "fill_missing_with_mode", passengers().iloc[:0].copy())
