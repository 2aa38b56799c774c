"""Checks for fit_multiplier: steps of w -= lr * loss_slope(w, xs, ys, eps)."""

import numpy as np
import pytest

from grader.checking import agrees


def agree(student, reference, *args, **kwargs):
    """``agrees``, within what float32 training loses."""
    return agrees(student, reference, "fit_multiplier", *args, rtol=1e-4, **kwargs)


@pytest.mark.points(3)
def check_approaches_2_on_the_notes_data(student, reference):
    agree(student, reference, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 0.5)


@pytest.mark.points(2)
def check_steps_with_the_learning_rate(student, reference):
    agree(student, reference, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 7.0, lr=0.05, steps=3)


@pytest.mark.points(1)
def check_zero_steps_give_the_start_as_a_float(student, reference):
    agree(student, reference, [1.0, 2.0], [2.0, 4.0], 5, steps=0)


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_data_rates_and_steps(student, reference, rng):
    xs = np.round(rng.uniform(-2, 2, size=6), 2).tolist()
    k = float(rng.uniform(-3, 3))
    agree(student, reference, xs, [k * x for x in xs], float(rng.uniform(-5, 5)),
          lr=float(rng.uniform(0.01, 0.1)), steps=int(rng.integers(5, 40)))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_passes_eps_on(student, reference, rng):
    xs = np.round(rng.uniform(1, 3, size=4), 2).tolist()
    agree(student, reference, xs, [2 * x for x in xs], 0.0, lr=0.02, steps=10, eps=float(rng.uniform(0.2, 0.5)))
