"""Checks for best_threshold: the distinct probability whose F1 (as f1_at_threshold scores it) is
best, the smallest on ties, as a pair of floats."""

import numpy as np
import pytest
import torch

from grader.checking import agrees, expect_value_error, works_too


@pytest.mark.points(3)
def check_a_small_example(student, reference):
    # F1 rises from 0.77 at 0.1 to 0.91 at 0.3, then falls: the best is inside the range.
    agrees(student, reference, "best_threshold", [1, 0, 1, 1, 0, 0, 1, 1], [0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.55, 0.3])


@pytest.mark.points(2)
def check_ties_take_the_smallest_threshold(student, reference):
    # 0.5 and 0.9 both give F1 = 2/3.
    agrees(student, reference, "best_threshold", [1, 1, 0, 0, 0], [0.9, 0.5, 0.8, 0.3, 0.7])


@pytest.mark.points(1)
def check_arrays_and_tensors_give_floats(student, reference):
    agrees(student, reference, "best_threshold", np.array([0, 1, 1, 0, 1]), np.array([0.35, 0.8, 0.35, 0.1, 0.6]))
    agrees(student, reference, "best_threshold", torch.tensor([1, 0, 0, 1]),
           torch.tensor([0.25, 0.5, 0.75, 0.5], dtype=torch.float64))


@pytest.mark.points(1)
def check_empty_or_different_lengths_raise_value_error(student, reference):
    expect_value_error(student.best_threshold, [], [])
    expect_value_error(student.best_threshold, [1, 0, 1], [0.5, 0.5])
    works_too(student, reference, "best_threshold", [1, 0, 1], [0.5, 0.25, 0.75])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_labels_and_probabilities(student, reference, rng):
    for n in (int(rng.integers(10, 40)), int(rng.integers(100, 300))):
        y_true = rng.integers(0, 2, size=n)
        y_prob = np.round(np.clip(0.3 * y_true + rng.uniform(0, 0.7, size=n), 0, 1), 2)  # ties among values
        agrees(student, reference, "best_threshold", y_true, y_prob)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_no_positive_labels(student, reference, rng):
    n = int(rng.integers(3, 20))
    agrees(student, reference, "best_threshold", [0] * n, np.round(rng.uniform(0, 1, size=n), 3).tolist())
