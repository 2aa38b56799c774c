def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """Everything turned into Python ints and floats first, then precision and recall."""
    labels = [int(t) for t in y_true]
    probs = [float(p) for p in y_prob]
    if len(labels) != len(probs):
        raise ValueError("y_true and y_prob must have the same length")
    tp = sum(1 for t, p in zip(labels, probs) if t and p >= threshold)
    fp = sum(1 for t, p in zip(labels, probs) if not t and p >= threshold)
    fn = sum(1 for t, p in zip(labels, probs) if t and p < threshold)
    if tp == 0:
        return 0.0
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)
