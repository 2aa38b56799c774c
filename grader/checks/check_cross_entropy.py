"""Checks for cross_entropy: the batch mean of -sum(p * log_softmax(logits)), with gradients."""

import pytest
import torch

from grader.checking import agrees, gradients_agree


@pytest.mark.points(3)
def check_the_notes_example(student, reference):
    agrees(student, reference, "cross_entropy", torch.tensor([[-0.1211, 0.1059]]), torch.tensor([[1.0, 0.0]]))


@pytest.mark.points(2)
def check_class_indices(student, reference):
    logits = torch.tensor([[1.0, -0.5, 0.25, 2.0], [0.0, 0.5, -1.0, 1.5], [3.0, 0.1, -0.2, 0.4]])
    agrees(student, reference, "cross_entropy", logits, torch.tensor([0, 3, 1]))


@pytest.mark.points(1)
def check_the_batch_mean(student, reference):
    agrees(student, reference, "cross_entropy", torch.tensor([[0.5, -0.5], [2.0, 1.0]]),
           torch.tensor([[0.25, 0.75], [1.0, 0.0]]))


@pytest.mark.points(2)
def check_keeps_gradients(student, reference):
    logits = torch.tensor([[0.2, -1.0, 0.7], [1.1, 0.3, -0.4]])
    gradients_agree(student, reference, "cross_entropy", logits, torch.tensor([2, 0]), names=["logits", "targets"])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_large_logits_both_target_kinds(student, reference, rng):
    n, c = int(rng.integers(3, 9)), int(rng.integers(2, 6))
    logits = torch.from_numpy(rng.normal(size=(n, c)) * 60).float()
    agrees(student, reference, "cross_entropy", logits, torch.from_numpy(rng.integers(0, c, size=n)))
    probs = torch.softmax(torch.from_numpy(rng.normal(size=(n, c))).float(), dim=1)
    gradients_agree(student, reference, "cross_entropy", logits, probs, names=["logits", "targets"])
