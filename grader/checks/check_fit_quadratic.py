"""Checks for fit_quadratic: gradient descent on the MAE of a*x**2 + b*x + c, abc left alone."""

import pytest
import torch

from grader.checking import agrees, expect_unchanged

X = torch.linspace(-2, 2, 20)
Y = 3 * X ** 2 + 2 * X + 1 + torch.sin(7 * X) * 0.5  # the lesson's quadratic, with fixed "noise"


def agree(student, reference, *args, **kwargs):
    """``agrees``, within what float32 training loses."""
    return agrees(student, reference, "fit_quadratic", *args, rtol=1e-4, atol=1e-5, **kwargs)


@pytest.mark.points(3)
def check_ten_steps_on_the_lessons_data(student, reference):
    agree(student, reference, X, Y, torch.tensor([1.1, 1.1, 1.1]))


@pytest.mark.points(2)
def check_leaves_abc_unchanged(student, reference):
    abc = torch.tensor([1.1, 1.1, 1.1])
    outcome = agree(student, reference, X, Y, abc, inputs=True)
    expect_unchanged(outcome.inputs[2].tensor, abc,
                     "abc was modified: work on a copy (abc.clone().requires_grad_()) and return that")


@pytest.mark.points(2)
def check_a_list_and_the_learning_rate(student, reference):
    agree(student, reference, X, Y, [0.5, -1.0, 2.0], lr=0.05, steps=3)


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_quadratics_and_steps(student, reference, rng):
    x = torch.from_numpy(rng.uniform(-2, 2, size=15)).float()
    a, b, c = rng.uniform(-3, 3, size=3)
    y = a * x ** 2 + b * x + c + torch.from_numpy(rng.normal(size=15)).float() * 0.3
    agree(student, reference, x, y, torch.from_numpy(rng.uniform(-1, 1, size=3)).float(),
          lr=float(rng.uniform(0.01, 0.1)), steps=int(rng.integers(3, 25)))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_uses_the_mean_absolute_error(student, reference, rng):
    x = torch.from_numpy(rng.uniform(-3, 3, size=12)).float()
    agree(student, reference, x, 2 * x ** 2 - x, torch.tensor([0.0, 0.0, 0.0]), lr=0.02, steps=5)
