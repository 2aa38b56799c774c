"""Checks for softmax: equal to torch.softmax(x, dim), without overflowing."""

import pytest
import torch

from grader.checking import agrees


@pytest.mark.points(3)
def check_the_notes_example(student, reference):
    agrees(student, reference, "softmax", torch.tensor([[4.3, 6.1, 2.3]]))


@pytest.mark.points(2)
def check_along_the_given_dim(student, reference):
    x = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    agrees(student, reference, "softmax", x)
    agrees(student, reference, "softmax", x, 0)


@pytest.mark.points(2)
def check_large_logits_do_not_overflow(student, reference):
    agrees(student, reference, "softmax", torch.tensor([[1000.0, 1001.0, 999.0]]))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_shapes_and_dims(student, reference, rng):
    x = torch.from_numpy(rng.normal(size=(2, 3, 4)) * 3).float()
    for dim in (0, 1, -1):
        agrees(student, reference, "softmax", x, dim)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_keeps_float64(student, reference, rng):
    agrees(student, reference, "softmax", torch.from_numpy(rng.normal(size=(3, 5))))
