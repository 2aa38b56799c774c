"""Checks for tanh_and_grad: (tanh(x), 1 - tanh(x)**2), elementwise."""

import pytest
import torch

from grader.checking import CheckFailure, expect_same, expect_unchanged, show_call


def agree(student, reference, x, inputs=False):
    public = student.tanh_and_grad.public
    call = show_call("tanh_and_grad", (x,)) if public else None
    outcome = student.tanh_and_grad.run(x, inputs=inputs)
    if outcome.error:
        student.tanh_and_grad(x)  # fails with the exception and the call
    got, want = outcome.value, reference.tanh_and_grad(x)
    if type(got) is not tuple or len(got) != 2:
        raise CheckFailure(f"{call or 'on a hidden input'}: expected a tuple (tanh(x), 1 - tanh(x)**2)")
    expect_same(got[0], want[0], call=f"{call}[0]" if call else None)
    expect_same(got[1], want[1], call=f"{call}[1]" if call else None)
    return outcome


@pytest.mark.points(3)
def check_values_and_slopes_on_a_range(student, reference):
    agree(student, reference, torch.linspace(-3, 3, 7))


@pytest.mark.points(2)
def check_keeps_a_2d_shape_and_float64(student, reference):
    agree(student, reference, torch.tensor([[-1.5, 0.0], [0.25, 2.0]], dtype=torch.float64))


@pytest.mark.points(1)
def check_large_inputs_give_no_nan(student, reference):
    agree(student, reference, torch.tensor([-50.0, 0.0, 50.0]))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_shapes(student, reference, rng):
    for shape in [(int(rng.integers(2, 9)),), (2, 3, 2), ()]:
        agree(student, reference, torch.from_numpy(rng.uniform(-4, 4, size=shape)).float())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_leaves_x_unchanged(student, reference, rng):
    x = torch.from_numpy(rng.uniform(-3, 3, size=6)).float()
    outcome = agree(student, reference, x, inputs=True)
    expect_unchanged(outcome.inputs[0].tensor, x,
                     "on a hidden input, x was modified: compute the result without changing x in place")
