"""Week 5 · From-scratch model: the F1 score at a decision threshold."""

import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    y_true = np.asarray(y_true).reshape(-1).astype(int)
    y_prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if y_true.shape != y_prob.shape:
        raise ValueError(f"shapes differ: {y_true.shape} vs {y_prob.shape}")
    y_pred = (y_prob >= threshold).astype(int)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    denom = 2 * tp + fp + fn
    return float(2 * tp / denom) if denom else 0.0
