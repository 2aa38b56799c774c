"""Week 5 · From-scratch model: the F1 score at a decision threshold.

A model that outputs probabilities becomes a classifier once we pick a threshold:
predict "survived" when the probability is at least the threshold. Raising the
threshold makes the model more careful (higher precision, lower recall); lowering it
catches more positives (higher recall, lower precision). The F1 score balances the
two:

    F1 = 2·TP / (2·TP + FP + FN)

where TP, FP and FN count true positives, false positives and false negatives.

Your task: write ``f1_at_threshold(y_true, y_prob, threshold=0.5)``:

- a prediction is positive exactly when ``y_prob >= threshold``;
- ``y_true`` holds 0/1 labels;
- return the F1 score as a Python ``float``, and ``0.0`` when ``2·TP + FP + FN`` is 0;
- accept lists, numpy arrays or torch tensors for both inputs;
- raise ``ValueError`` when ``y_true`` and ``y_prob`` have different lengths.

Check your work with ``grader check f1_at_threshold``.
"""


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    # TODO: count TP, FP and FN at the threshold and return 2TP / (2TP + FP + FN).
    raise NotImplementedError("f1_at_threshold is not written yet")
