import numpy as np


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """np.logical_and and np.count_nonzero on arrays of booleans."""
    truth = np.array(y_true).astype(bool)
    pred = np.array(y_prob) >= threshold
    if len(truth) != len(pred):
        raise ValueError("y_true and y_prob differ in length")
    tp = np.count_nonzero(np.logical_and(pred, truth))
    fp = np.count_nonzero(np.logical_and(pred, np.logical_not(truth)))
    fn = np.count_nonzero(np.logical_and(np.logical_not(pred), truth))
    if tp + fp + fn == 0:
        return 0.0
    return float(2 * tp / (2 * tp + fp + fn))
