def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """Predictions as a list comprehension, counts as sums of generator expressions."""
    y_true, y_prob = list(y_true), list(y_prob)
    if len(y_true) != len(y_prob):
        raise ValueError(f"{len(y_true)} labels but {len(y_prob)} probabilities")
    preds = [1 if p >= threshold else 0 for p in y_prob]
    tp = sum(1 for t, p in zip(y_true, preds) if t == 1 and p == 1)
    fp = sum(1 for t, p in zip(y_true, preds) if t == 0 and p == 1)
    fn = sum(1 for t, p in zip(y_true, preds) if t == 1 and p == 0)
    return 0.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
