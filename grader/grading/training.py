"""Judging a training call from what the child observed (``student.f.run(..., observe=True)``).

The child watches the models passed in (``sandbox/child.py``'s ``_Watch``) and reports plain
events: ``("forward", training)`` before each forward pass, ``("grad", i, norm)`` for each
gradient backward() computes for parameter ``i`` and ``("sum", i, norm)`` for the parameter's
``.grad`` once that gradient was added in. These functions judge them here, on the trusted side,
and return what is wrong (a sentence) or None; ``grader.checking`` raises them as failures.
The events are the child's, so they are only ever evidence *against* the submission: a check
that awards points also compares the trained result with the reference's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PILE_UP = 1e-6   # relative: a .grad larger than the gradient just computed held an earlier one


def forwards(observed: Sequence[tuple]) -> list[bool]:
    """The mode (``module.training``) of each forward pass, in order."""
    return [event[1] for event in observed if event[0] == "forward"]


def train_mode(observed: Sequence[tuple]) -> str | None:
    """Every forward pass of the training ran in training mode (``model.train()``)."""
    modes = forwards(observed)
    if not modes:
        return "the model was never called"
    if not all(modes):
        return f"{modes.count(False)} of {len(modes)} forward passes ran in eval mode: call model.train() before training"
    return None


def eval_mode(observed: Sequence[tuple]) -> str | None:
    """Every forward pass of a prediction ran in eval mode (``model.eval()``)."""
    modes = forwards(observed)
    if not modes:
        return "the model was never called"
    if any(modes):
        return f"{sum(modes)} of {len(modes)} forward passes ran in training mode: call model.eval() before predicting"
    return None


def gradients_finite_and_nonzero(observed: Sequence[tuple]) -> str | None:
    """backward() ran, and every gradient it computed is finite, and not all of them are zero."""
    norms = [event[2] for event in observed if event[0] == "grad"]
    if not norms:
        return "backward() never reached the model's parameters"
    if not all(math.isfinite(n) for n in norms):
        return "a gradient is not finite (inf or nan): look at the loss and the learning rate"
    if not any(n > 0 for n in norms):
        return "every gradient is zero: the loss does not depend on the parameters"
    return None


def gradients_zeroed(observed: Sequence[tuple]) -> str | None:
    """Gradients do not pile up across steps: each parameter's .grad after backward() is the
    gradient just computed (``optimizer.zero_grad()`` or ``.grad.zero_()`` between steps)."""
    computed: dict[int, float] = {}
    for event in observed:
        if event[0] == "grad":
            computed[event[1]] = event[2]
        elif event[0] == "sum" and event[1] in computed:
            fresh = computed.pop(event[1])
            if event[2] > fresh * (1 + PILE_UP) + 1e-12:
                return "gradients pile up across steps: zero them (optimizer.zero_grad()) before each backward()"
    return None


def loss_decreases(losses: Sequence[float]) -> str | None:
    """The loss after the last step is below the first, and every loss is finite."""
    if len(losses) < 2:
        return "fewer than two losses"
    if not all(math.isfinite(v) for v in losses):
        return "a loss is not finite"
    if not losses[-1] < losses[0]:
        return f"the loss did not decrease: {losses[0]:.4g} at first, {losses[-1]:.4g} at the end"
    return None


def overfits(losses: Sequence[float], fraction: float = 0.1) -> str | None:
    """On a tiny batch, the loss falls to ``fraction`` of its first value."""
    problem = loss_decreases(losses)
    if problem:
        return problem
    if losses[-1] > fraction * losses[0]:
        return f"a tiny batch was not overfit: the loss went from {losses[0]:.4g} only to {losses[-1]:.4g}"
    return None
