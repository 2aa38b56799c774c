"""Week 5 · From-scratch model: predictions through a sigmoid.

The linear model multiplies each row of independent variables by the coefficients and
adds the products up: a matrix product ``indeps @ coeffs``. Its outputs can be any
number, but a survival prediction should be between 0 and 1, so the notebook passes
them through the sigmoid function, which squashes every number into (0, 1).

Your task: write ``calc_preds(coeffs, indeps)`` returning ``sigmoid(indeps @ coeffs)``:

- ``indeps`` has shape ``(n, k)``: n passengers, k columns;
- ``coeffs`` of shape ``(k,)`` gives predictions of shape ``(n,)``;
  ``coeffs`` of shape ``(k, 1)`` gives shape ``(n, 1)``;
- gradients must flow back to ``coeffs`` (keep to torch operations).

Check your work with ``grader check calc_preds``.
"""

import torch


def calc_preds(coeffs, indeps):
    # TODO: the sigmoid of the matrix product of indeps and coeffs.
    raise NotImplementedError("calc_preds is not written yet")
