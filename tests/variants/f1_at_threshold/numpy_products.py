import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """0/1 integer arrays and products: tp = (pred * truth).sum()."""
    truth = np.asarray(y_true, dtype=int)
    pred = (np.asarray(y_prob, dtype=float) >= threshold).astype(int)
    if truth.size != pred.size:
        raise ValueError("lengths differ")
    tp = int((pred * truth).sum())
    fp = int((pred * (1 - truth)).sum())
    fn = int(((1 - pred) * truth).sum())
    return 0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
