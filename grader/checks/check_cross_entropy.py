"""Checks for cross_entropy: the batch mean of -sum(p * log_softmax(logits)), with gradients."""

import pytest
import torch

from grader.checking import expect_grads, expect_same, reference_grads, show_call


def agree(student, reference, logits, targets):
    call = show_call("cross_entropy", (logits, targets)) if student.cross_entropy.public else None
    expect_same(student.cross_entropy(logits, targets), reference.cross_entropy(logits, targets), call=call)


def gradients(student, reference, logits, targets):
    args = (logits.clone().requires_grad_(True), targets)
    public = student.cross_entropy.public
    outcome = student.cross_entropy.run(*args, backward=True, inputs=True)
    if outcome.error:
        agree(student, reference, logits, targets)
    call = show_call("cross_entropy", args) if public else None
    expect_same(outcome.value, reference.cross_entropy(logits, targets), call=call)
    expect_grads(outcome, reference_grads(reference.cross_entropy, args),
                 call=call + ".backward()" if call else None, names=["logits", "targets"])


@pytest.mark.points(3)
def check_the_notes_example(student, reference):
    agree(student, reference, torch.tensor([[-0.1211, 0.1059]]), torch.tensor([[1.0, 0.0]]))


@pytest.mark.points(2)
def check_class_indices(student, reference):
    logits = torch.tensor([[1.0, -0.5, 0.25, 2.0], [0.0, 0.5, -1.0, 1.5], [3.0, 0.1, -0.2, 0.4]])
    agree(student, reference, logits, torch.tensor([0, 3, 1]))


@pytest.mark.points(1)
def check_the_batch_mean(student, reference):
    agree(student, reference, torch.tensor([[0.5, -0.5], [2.0, 1.0]]), torch.tensor([[0.25, 0.75], [1.0, 0.0]]))


@pytest.mark.points(2)
def check_keeps_gradients(student, reference):
    gradients(student, reference, torch.tensor([[0.2, -1.0, 0.7], [1.1, 0.3, -0.4]]), torch.tensor([2, 0]))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_large_logits_both_target_kinds(student, reference, rng):
    n, c = int(rng.integers(3, 9)), int(rng.integers(2, 6))
    logits = torch.from_numpy(rng.normal(size=(n, c)) * 60).float()
    agree(student, reference, logits, torch.from_numpy(rng.integers(0, c, size=n)))
    probs = torch.softmax(torch.from_numpy(rng.normal(size=(n, c))).float(), dim=1)
    gradients(student, reference, logits, probs)
