"""Lab 5 · Choosing a decision threshold by its F1 score.

Week 5's ``f1_at_threshold(y_true, y_prob, threshold)`` scores one threshold: a prediction is
positive exactly when ``y_prob >= threshold``, and ``F1 = 2·TP / (2·TP + FP + FN)`` (``0.0``
when that denominator is 0). The lab's Task 3 asks which threshold gives the best F1. Only the
model's own probabilities are worth trying: between two neighbouring values of ``y_prob``
every threshold gives the same predictions.

Your task: write ``best_threshold(y_true, y_prob)``:

- try every distinct value ``t`` of ``y_prob`` as the threshold and score it with the F1 of
  week 5 (the same rules: ``y_true`` holds 0/1 labels; lists, numpy arrays or torch tensors);
- return ``(t, f1)`` for the best one, both as Python floats; when several thresholds tie
  for the best F1, the smallest of them;
- raise ``ValueError`` when the inputs are empty or have different lengths.

This file must stand on its own: the grader loads it without your other files, so do not
import your week 5 file. Write the F1 count here, inside this file (in ``best_threshold`` or
in a helper function of your own next to it; copying your ``f1_at_threshold`` in is fine).

Check your work with ``grader check best_threshold``.
"""

import numpy as np


def best_threshold(y_true, y_prob):
    # TODO: check the inputs first. Then score each distinct probability as a threshold with the F1
    # count of week 5 (written in this file), and keep the best; visit the candidates in an order
    # that makes the tie rule easy. (Week 5 lab sheet: the F1 score and a decision threshold.)
    raise NotImplementedError("best_threshold is not written yet")
