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
    # TODO: divide by t.max(dim=0).values, with 1 in place of a maximum of 0 (torch.where).
    raise NotImplementedError("normalize_columns is not written yet")


def calc_loss(coeffs, indeps, deps):
    # TODO: torch.abs(torch.sigmoid(indeps @ coeffs) - deps).mean()
    raise NotImplementedError("calc_loss is not written yet")


def accuracy(coeffs, indeps, deps):
    # TODO: compare the predictions > 0.5 with deps > 0.5; float() of the mean of the matches.
    raise NotImplementedError("accuracy is not written yet")
