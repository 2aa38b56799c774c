import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """numpy only: np.asarray on both inputs, boolean masks, np.sum."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_prob) >= threshold
    if y_true.shape != y_pred.shape:
        raise ValueError("shapes differ")
    tp = np.sum(y_pred & (y_true == 1))
    fp = np.sum(y_pred & (y_true == 0))
    fn = np.sum(~y_pred & (y_true == 1))
    denominator = 2 * tp + fp + fn
    return 0.0 if denominator == 0 else float(2 * tp / denominator)
