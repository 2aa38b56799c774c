import numpy as np


def f1(truth, predicted):
    tp = np.sum(predicted & truth)
    fp = np.sum(predicted & ~truth)
    fn = np.sum(~predicted & truth)
    return 0.0 if 2 * tp + fp + fn == 0 else float(2 * tp / (2 * tp + fp + fn))


def best_threshold(y_true, y_prob):
    truth = np.asarray(y_true) != 0
    prob = np.asarray(y_prob, dtype=float)
    if len(truth) != len(prob) or len(prob) == 0:
        raise ValueError("need as many labels as probabilities, and at least one")
    best_t, best_f1 = None, -1.0
    for t in sorted(set(prob.tolist())):
        score = f1(truth, prob >= t)
        if score >= best_f1:  # on a tie the later, larger threshold wins
            best_t, best_f1 = t, score
    return best_t, best_f1
