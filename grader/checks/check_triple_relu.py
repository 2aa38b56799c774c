"""Checks for triple_relu: relu(m1*x+b1) + relu(m2*x+b2) + relu(m3*x+b3), elementwise."""

import pytest
import torch

from grader.checking import expect_grads, expect_same, expect_unchanged, reference_grads, show_call

PARAMS = (1.0, -1.0, -0.5, 0.25, 2.0, -3.0)
NAMES = ["m1", "b1", "m2", "b2", "m3", "b3", "x"]


def agree(student, reference, args):
    call = show_call("triple_relu", args) if student.triple_relu.public else None
    expect_same(student.triple_relu(*args), reference.triple_relu(*args), call=call)


@pytest.mark.points(2)
def check_matches_the_sum_of_three_relus(student, reference):
    agree(student, reference, (*PARAMS, torch.linspace(-3, 3, 13)))


@pytest.mark.points(1)
def check_keeps_the_shape_of_a_2d_input(student, reference):
    agree(student, reference, (*PARAMS, torch.tensor([[-2.0, -0.5, 0.0], [0.5, 1.5, 3.0]])))


@pytest.mark.points(1)
def check_accepts_0d_tensor_parameters(student, reference):
    params = tuple(torch.tensor(p) for p in PARAMS)
    agree(student, reference, (*params, torch.tensor([-1.25, 0.3, 2.7])))


@pytest.mark.points(1)
def check_gradients_flow_to_tensor_parameters(student, reference):
    params = tuple(torch.tensor(p, requires_grad=True) for p in PARAMS)
    args = (*params, torch.tensor([-2.3, -0.7, 0.9, 1.9]))
    outcome = student.triple_relu.run(*args, backward=True, inputs=True)
    if outcome.error:
        agree(student, reference, args)  # reports the exception with the call
    expect_same(outcome.value, reference.triple_relu(*args), call=show_call("triple_relu", args))
    expect_grads(outcome, _grads(reference, args), call=show_call("triple_relu", args) + ".sum().backward()",
                 names=NAMES)


def _grads(reference, args):
    return reference_grads(reference.triple_relu, args)


def _random_args(rng, shape, dtype=torch.float32, requires_grad=False):
    # Slopes of at least 0.5 and intercepts within 2 put every kink inside [-4, 4]; with
    # -5 and 5 among the x's, each of the three ReLUs is active somewhere, so leaving
    # one out always shows.
    slopes = rng.uniform(0.5, 3, size=3) * rng.choice([-1.0, 1.0], size=3)
    intercepts = rng.uniform(-2, 2, size=3)
    params = [float(v) for pair in zip(slopes, intercepts) for v in pair]
    x = rng.uniform(-5, 5, size=shape)
    if x.size >= 2:
        x.flat[0], x.flat[-1] = -5.0, 5.0
    x = torch.from_numpy(x).to(dtype)
    if requires_grad:
        return (*[torch.tensor(p, requires_grad=True) for p in params], x)
    return (*params, x)


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_parameters_and_shapes(student, reference, rng):
    for shape in [(7,), (3, 5), (2, 3, 4), ()]:
        agree(student, reference, _random_args(rng, shape))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_keeps_float64(student, reference, rng):
    agree(student, reference, _random_args(rng, (6,), dtype=torch.float64))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_gradients_on_random_inputs(student, reference, rng):
    args = _random_args(rng, (9,), requires_grad=True)
    outcome = student.triple_relu.run(*args, backward=True, inputs=True)
    if outcome.error:
        agree(student, reference, args)
    expect_same(outcome.value, reference.triple_relu(*args), call=None)
    expect_grads(outcome, _grads(reference, args), call=None, names=NAMES)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_leaves_x_unchanged(student, reference, rng):
    args = _random_args(rng, (8,))
    outcome = student.triple_relu.run(*args, inputs=True)
    if outcome.error:
        agree(student, reference, args)
    expect_same(outcome.value, reference.triple_relu(*args), call=None)
    expect_unchanged(outcome.inputs[0].tensor, args[-1],
                     "on a hidden input, x was modified: compute the result without changing x in place")
