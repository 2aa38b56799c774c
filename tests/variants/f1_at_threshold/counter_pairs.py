from collections import Counter


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """collections.Counter of (label, prediction) pairs."""
    if len(y_true) != len(y_prob):
        raise ValueError("different lengths")
    pairs = Counter((int(t), bool(p >= threshold)) for t, p in zip(y_true, y_prob))
    tp, fp, fn = pairs[(1, True)], pairs[(0, True)], pairs[(1, False)]
    return 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
