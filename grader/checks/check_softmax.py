"""Checks for softmax: equal to torch.softmax(x, dim), without overflowing."""

import pytest
import torch

from grader.checking import expect_same, show_call


def agree(student, reference, x, *args):
    call = show_call("softmax", (x, *args)) if student.softmax.public else None
    expect_same(student.softmax(x, *args), reference.softmax(x, *args), call=call)


@pytest.mark.points(3)
def check_the_notes_example(student, reference):
    agree(student, reference, torch.tensor([[4.3, 6.1, 2.3]]))


@pytest.mark.points(2)
def check_along_the_given_dim(student, reference):
    x = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    agree(student, reference, x)
    agree(student, reference, x, 0)


@pytest.mark.points(2)
def check_large_logits_do_not_overflow(student, reference):
    agree(student, reference, torch.tensor([[1000.0, 1001.0, 999.0]]))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_shapes_and_dims(student, reference, rng):
    x = torch.from_numpy(rng.normal(size=(2, 3, 4)) * 3).float()
    for dim in (0, 1, -1):
        agree(student, reference, x, dim)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_keeps_float64(student, reference, rng):
    agree(student, reference, torch.from_numpy(rng.normal(size=(3, 5))))
