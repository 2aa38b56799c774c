import numpy as np


def best_threshold(y_true, y_prob):
    """Every threshold at once: a (thresholds, samples) comparison, argmax for the first best."""
    truth = np.asarray(y_true).reshape(-1).astype(bool)
    prob = np.asarray(y_prob, dtype=np.float64).reshape(-1)
    if truth.size != prob.size or prob.size == 0:
        raise ValueError("y_true and y_prob must be non-empty and of the same length")
    ts = np.unique(prob)
    pred = prob[None, :] >= ts[:, None]
    tp = (pred & truth).sum(axis=1)
    fp = (pred & ~truth).sum(axis=1)
    fn = (~pred & truth).sum(axis=1)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom == 0, 0.0, 2 * tp / np.maximum(denom, 1))
    i = int(np.argmax(f1))
    return float(ts[i]), float(f1[i])
