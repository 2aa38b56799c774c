def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """A pure-Python loop over zip() with counters, lengths compared first."""
    if len(y_true) != len(y_prob):
        raise ValueError("y_true and y_prob have different lengths")
    tp = fp = fn = 0
    for label, prob in zip(y_true, y_prob):
        predicted = prob >= threshold
        if predicted and label == 1:
            tp += 1
        elif predicted:
            fp += 1
        elif label == 1:
            fn += 1
    if 2 * tp + fp + fn == 0:
        return 0.0
    return 2 * tp / (2 * tp + fp + fn)
