"""Lab 5 · A linear model from scratch (the Titanic notebook's "Setting up a linear model").

The notebook divides each column of the independent variables by its maximum, so that
every column lies in the same range and no coefficient dominates; predicts with
``torch.sigmoid(indeps @ coeffs)`` (a probability between 0 and 1); measures the fit with
the mean absolute error; and reports the accuracy: a passenger is predicted to survive
when the prediction is greater than 0.5.

Your task:

- ``normalize_columns(t)``: each column of the 2-d tensor ``t`` divided by its maximum
  (``t / t.max(dim=0).values``); a column whose maximum is 0 is left as it is (not divided,
  so no nan); ``t`` itself is not changed;
- ``calc_loss(coeffs, indeps, deps)``: the mean absolute error between
  ``sigmoid(indeps @ coeffs)`` and ``deps``, a 0-d tensor that keeps gradients to ``coeffs``
  (``coeffs`` of shape ``(k,)`` with ``deps`` of ``(n,)``, or ``(k, 1)`` with ``(n, 1)``);
- ``accuracy(coeffs, indeps, deps)``: the fraction of rows whose prediction
  ``sigmoid(indeps @ coeffs) > 0.5`` (strictly: exactly 0.5 counts as "did not survive")
  equals ``deps > 0.5``, as a Python ``float``.

Check your work with ``grader check normalize_columns calc_loss accuracy``.
"""

import torch


def normalize_columns(t):
    # TODO: find each column's maximum, and decide what a column is divided by when its maximum is 0
    # so that it stays as it is; make a new tensor rather than changing t. (Week 5 lab sheet; the
    # from-scratch lesson: normalising the columns.)
    raise NotImplementedError("normalize_columns is not written yet")


def calc_loss(coeffs, indeps, deps):
    # TODO: the predictions are the sigmoid ones of the docstring (week 5's calc_preds, written here
    # again); the loss is how far they are from deps on average, whatever the direction. Check that
    # predictions and deps have the same shape in both layouts. (Week 5 lab sheet; the from-scratch
    # lesson: the loss.)
    raise NotImplementedError("calc_loss is not written yet")


def accuracy(coeffs, indeps, deps):
    # TODO: turn the predictions and deps into yes/no answers with the docstring's rule (mind a
    # value of exactly 0.5), count how often they agree, and return the fraction as a Python float;
    # think about which dtype an average needs. (The from-scratch lesson's outline: accuracy;
    # course notes, week 3: metrics.)
    raise NotImplementedError("accuracy is not written yet")
