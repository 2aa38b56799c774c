"""Week 5 · From-scratch model: the F1 score at a decision threshold.

Alice's solution: plain Python counting, no vectorisation.
"""


def _to_list(values):
    # numpy arrays and torch tensors both have .tolist(); lists are already fine
    if hasattr(values, "tolist"):
        values = values.tolist()
    return list(values)


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    labels = _to_list(y_true)
    probs = _to_list(y_prob)
    if len(labels) != len(probs):
        raise ValueError(f"got {len(labels)} labels but {len(probs)} probabilities")

    tp = fp = fn = 0
    for label, prob in zip(labels, probs):
        predicted = prob >= threshold
        actual = label != 0
        if predicted and actual:
            tp += 1
        elif predicted and not actual:
            fp += 1
        elif actual and not predicted:
            fn += 1

    denominator = 2 * tp + fp + fn
    if denominator == 0:
        return 0.0
    return 2 * tp / denominator
