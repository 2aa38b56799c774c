"""Checks for f1_at_threshold: F1 = 2TP / (2TP + FP + FN) with positives where y_prob >= threshold."""

import numpy as np
import pytest
import torch

from grader.checking import agrees, expect_value_error, works_too


@pytest.mark.points(2)
def check_lists_at_the_default_threshold(student, reference):
    # TP 3, FP 1, FN 2: precision 0.75 and recall 0.6 differ, so only F1 gives 2/3.
    agrees(student, reference, "f1_at_threshold", [1, 0, 1, 1, 0, 0, 1, 1], [0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.55, 0.3])


@pytest.mark.points(1)
def check_a_probability_equal_to_the_threshold_is_positive(student, reference):
    agrees(student, reference, "f1_at_threshold", [1, 0, 1, 0], [0.3, 0.3, 0.2, 0.1], 0.3)


@pytest.mark.points(1)
def check_no_predicted_positives_and_no_positives_gives_zero(student, reference):
    agrees(student, reference, "f1_at_threshold", [0, 0, 0], [0.1, 0.2, 0.3], 0.5)


@pytest.mark.points(1)
def check_different_lengths_raise_value_error(student, reference):
    expect_value_error(student.f1_at_threshold, [1, 0, 1], [0.5, 0.5], why="3 labels and 2 probabilities")
    works_too(student, reference, "f1_at_threshold", [1, 0, 1], [0.5, 0.75, 0.25])


def _random(rng, n):
    y_true = rng.integers(0, 2, size=n)
    y_prob = np.round(rng.uniform(0, 1, size=n), 2)
    return y_true, y_prob, float(rng.choice(y_prob))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_numpy_arrays_and_thresholds(student, reference, rng):
    for n in [int(rng.integers(5, 50)), int(rng.integers(50, 500))]:
        agrees(student, reference, "f1_at_threshold", *_random(rng, n))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_torch_tensors(student, reference, rng):
    y_true, y_prob, threshold = _random(rng, int(rng.integers(10, 60)))
    agrees(student, reference, "f1_at_threshold", torch.from_numpy(y_true), torch.from_numpy(y_prob), threshold)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_python_lists_with_ties_at_the_threshold(student, reference, rng):
    y_true, y_prob, threshold = _random(rng, int(rng.integers(10, 40)))
    y_prob[: len(y_prob) // 3] = threshold
    agrees(student, reference, "f1_at_threshold", y_true.tolist(), y_prob.tolist(), threshold)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_empty_and_all_negative_inputs(student, reference, rng):
    n = int(rng.integers(3, 20))
    agrees(student, reference, "f1_at_threshold", [0] * n, rng.uniform(0, 0.4, size=n).tolist(), 0.5)
    agrees(student, reference, "f1_at_threshold", [], [])
