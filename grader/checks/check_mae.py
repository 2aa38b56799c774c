"""Checks for mae: the mean absolute error, keeping gradients."""

import pytest
import torch

from grader.checking import expect_grads, expect_same, reference_grads, show_call

PREDS = torch.tensor([1.0, 2.5, -0.5, 4.0])
ACTS = torch.tensor([1.5, 2.0, 0.5, 3.0])


def agree(student, reference, preds, acts):
    call = show_call("mae", (preds, acts)) if student.mae.public else None
    expect_same(student.mae(preds, acts), reference.mae(preds, acts), call=call)


@pytest.mark.points(3)
def check_the_mean_absolute_error(student, reference):
    agree(student, reference, PREDS, ACTS)


@pytest.mark.points(3)
def check_keeps_gradients(student, reference):
    args = (PREDS.clone().requires_grad_(True), ACTS)
    outcome = student.mae.run(*args, backward=True, inputs=True)
    if outcome.error:
        agree(student, reference, PREDS, ACTS)
    call = show_call("mae", args)
    expect_same(outcome.value, reference.mae(PREDS, ACTS), call=call)
    expect_grads(outcome, reference_grads(reference.mae, args), call=call + ".backward()", names=["preds", "acts"])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_2d_inputs(student, reference, rng):
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    agree(student, reference, torch.from_numpy(rng.normal(size=shape)).float(),
          torch.from_numpy(rng.normal(size=shape)).float())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_keeps_float64(student, reference, rng):
    agree(student, reference, torch.from_numpy(rng.normal(size=7)), torch.from_numpy(rng.normal(size=7)))
