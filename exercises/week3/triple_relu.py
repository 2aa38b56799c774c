"""Week 3 · Neural net foundations: three ReLUs adding up to a curve.

In the lesson's notebook, ``rectified_linear(m, b, x)`` is a line ``m*x + b`` whose
negative values are replaced by zero, and ``double_relu`` adds two of them. Adding
ReLUs, each with its own slope and intercept, is how a network bends straight lines
into any shape it needs.

Your task: write ``triple_relu(m1, b1, m2, b2, m3, b3, x)``, the sum of three
rectified linear units:

    relu(m1*x + b1) + relu(m2*x + b2) + relu(m3*x + b3)

- ``x`` is a tensor of any shape; the result has the same shape, computed elementwise.
- The m's and b's are floats or 0-d tensors. When they are tensors with
  ``requires_grad=True``, the result must stay differentiable with respect to them
  (use torch operations, not Python's ``max`` or ``.item()``).

Check your work with ``grader check triple_relu``.
"""

import torch


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    # TODO: return the sum of the three rectified linear units at x.
    raise NotImplementedError("triple_relu is not written yet")
