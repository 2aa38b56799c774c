import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    truth = np.asarray(y_true).reshape(-1) != 0
    prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if truth.shape != prob.shape:
        raise ValueError("lengths differ")
    pred = prob >= threshold
    tp, fp, fn = np.sum(pred & truth), np.sum(pred & ~truth), np.sum(~pred & truth)
    return 0.0 if 2 * tp + fp + fn == 0 else float(2 * tp / (2 * tp + fp + fn))


def best_threshold(y_true, y_prob):
    """Week 5's f1_at_threshold copied into the file, max() over the sorted distinct values."""
    if len(y_true) != len(y_prob) or len(y_prob) == 0:
        raise ValueError("need labels and probabilities of the same, non-zero length")
    thresholds = sorted(set(float(p) for p in np.asarray(y_prob, dtype=float).reshape(-1)))
    scores = [f1_at_threshold(y_true, y_prob, t) for t in thresholds]
    best = max(scores)
    return thresholds[scores.index(best)], best
