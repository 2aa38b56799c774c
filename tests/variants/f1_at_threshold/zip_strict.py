def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """zip(..., strict=True), which raises the ValueError itself."""
    tp = fp = fn = 0
    for label, prob in zip(y_true, y_prob, strict=True):
        positive = bool(prob >= threshold)
        actual = bool(label)
        tp += positive and actual
        fp += positive and not actual
        fn += actual and not positive
    denominator = 2 * tp + fp + fn
    return float(2 * tp / denominator) if denominator else 0.0
