"""Checks for gradient_advice: one sentence per parameter, as the lab asks."""

import pytest
import torch

from grader.checking import agrees, expect_value_error, works_too


@pytest.mark.points(4)
def check_the_labs_three_sentences(student, reference):
    agrees(student, reference, "gradient_advice", [-1.3, 0.2, -0.5])


@pytest.mark.points(2)
def check_a_zero_gradient_says_stay(student, reference):
    agrees(student, reference, "gradient_advice", [0.0, 1.25, -2.0])


@pytest.mark.points(1)
def check_a_tensor_and_other_names(student, reference):
    agrees(student, reference, "gradient_advice", torch.tensor([0.5, -0.25]), ("w", "bias"))


@pytest.mark.points(1)
def check_different_lengths_raise_value_error(student, reference):
    expect_value_error(student.gradient_advice, [0.5, -1.0], ("a", "b", "c"), why="2 gradients and 3 names")
    works_too(student, reference, "gradient_advice", [0.5, -1.0], ("a", "b"))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_gradients(student, reference, rng):
    grads = [round(float(g), 3) for g in rng.normal(size=4) * 3]
    grads[int(rng.integers(4))] = 0.0
    agrees(student, reference, "gradient_advice", torch.tensor(grads), ("a", "b", "c", "d"))
