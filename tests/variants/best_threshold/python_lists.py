def best_threshold(y_true, y_prob):
    """Plain Python over .tolist(): counts in a loop, (-f1, t) minimised for the tie rule."""
    labels = y_true.tolist() if hasattr(y_true, "tolist") else list(y_true)
    probs = [float(p) for p in (y_prob.tolist() if hasattr(y_prob, "tolist") else y_prob)]
    if len(labels) != len(probs) or not probs:
        raise ValueError("bad inputs")
    candidates = []
    for t in set(probs):
        tp = fp = fn = 0
        for label, p in zip(labels, probs):
            if p >= t and label:
                tp += 1
            elif p >= t:
                fp += 1
            elif label:
                fn += 1
        f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
        candidates.append((-f1, t))
    neg, t = min(candidates)
    return t, -neg
