"""Week 5 · From-scratch model: the F1 score at a decision threshold."""

import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """F1 of the predictions ``y_prob >= threshold`` against the 0/1 labels ``y_true``."""
    truth = np.asarray(y_true).reshape(-1) != 0
    prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if truth.shape != prob.shape:
        raise ValueError(f"y_true has {truth.size} values but y_prob has {prob.size}")
    predicted = prob >= threshold
    tp = int(np.sum(predicted & truth))
    fp = int(np.sum(predicted & ~truth))
    fn = int(np.sum(~predicted & truth))
    denominator = 2 * tp + fp + fn
    return 0.0 if denominator == 0 else 2 * tp / denominator
