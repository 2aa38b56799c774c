"""Checks for add_log_fare: a new frame with LogFare = log(Fare + 1), the input left alone."""

import pandas as pd
import pytest

from grader.checking import (CheckFailure, agrees, expect_value_error, frame_unchanged, notebook_passengers, show_call,
                             titanic_sample, works_too)


def passengers():
    """A few of the notebook's passengers, with a fare of 0 and a missing one."""
    frame = notebook_passengers()
    frame.loc[5, "Fare"] = None
    return frame


@pytest.mark.points(3)
def check_adds_the_log_of_fare_plus_one(student, reference):
    agrees(student, reference, "add_log_fare", passengers())


@pytest.mark.points(2)
def check_leaves_the_input_unmodified(student, reference):
    frame_unchanged(student, reference, "add_log_fare", passengers())


@pytest.mark.points(2)
def check_a_frame_without_fare_raises_value_error(student, reference):
    frame = passengers().drop(columns=["Fare"])
    error = expect_value_error(student.add_log_fare, frame, why="the frame has no Fare column")
    works_too(student, reference, "add_log_fare", passengers())
    if "Fare" not in error.message:
        raise CheckFailure(f"{show_call('add_log_fare', (frame,))}: the ValueError's message should name the "
                           "missing column, Fare")


@pytest.mark.hidden
@pytest.mark.points(2)
def check_a_sample_of_the_titanic_data(student, reference, rng):
    frame_unchanged(student, reference, "add_log_fare", titanic_sample(rng))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_integer_fares(student, reference, rng):
    n = int(rng.integers(3, 12))
    frame = pd.DataFrame({"Fare": rng.integers(0, 300, size=n), "Ticket": [f"T{int(i)}" for i in range(n)]})
    agrees(student, reference, "add_log_fare", frame)
