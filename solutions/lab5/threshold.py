"""Lab 5 · The threshold with the best F1 score among the model's own probabilities."""

import numpy as np


def _f1_of_predictions(truth, predicted):
    """F1 = 2TP / (2TP + FP + FN) of boolean predictions against boolean labels (0.0 for 0/0)."""
    tp = int(np.sum(predicted & truth))
    fp = int(np.sum(predicted & ~truth))
    fn = int(np.sum(~predicted & truth))
    denominator = 2 * tp + fp + fn
    return 0.0 if denominator == 0 else 2 * tp / denominator


def best_threshold(y_true, y_prob):
    """(t, F1 at t) for the distinct value t of y_prob with the best F1; the smallest on ties."""
    truth = np.asarray(y_true).reshape(-1) != 0
    prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if truth.shape != prob.shape:
        raise ValueError(f"y_true has {truth.size} values but y_prob has {prob.size}")
    if prob.size == 0:
        raise ValueError("there is no probability to take as a threshold")
    best = None
    for t in np.unique(prob):  # ascending: a later threshold wins only with a strictly better F1
        f1 = _f1_of_predictions(truth, prob >= t)
        if best is None or f1 > best[1]:
            best = (float(t), float(f1))
    return best
