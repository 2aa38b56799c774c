"""Lab 3 · Fitting a quadratic by gradient descent.

The lesson fits ``a*x**2 + b*x + c`` to noisy points: it measures the fit with the mean
absolute error (MAE), asks PyTorch for the gradient of the loss with respect to ``abc``
(``abc.requires_grad_()``, ``loss.backward()``, then ``abc.grad``), and steps against it
inside ``torch.no_grad()``: ``abc -= abc.grad * lr``, zeroing the gradient after each step.

Your task:

- ``mae(preds, acts)``: the mean of ``|preds - acts|``, a 0-d tensor that keeps gradients;
- ``fit_quadratic(x, y, abc, lr=0.01, steps=10)``: ``steps`` steps of gradient descent on
  ``mae(a*x**2 + b*x + c, y)``, starting from ``abc`` (a tensor or list of three values),
  with autograd, zeroing the gradient each step; return the final ``(3,)`` tensor (in
  ``x``'s dtype), detached. Work on a copy: ``abc`` itself is not modified.

Check your work with ``grader check mae fit_quadratic``.
"""

import torch


def mae(preds, acts):
    # TODO: how far each prediction is from its actual value, whatever the direction, averaged over
    # all of them; keep to torch operations so the result stays differentiable. (Week 3 lab sheet;
    # the lesson 3 notes: the loss.)
    raise NotImplementedError("mae is not written yet")


def fit_quadratic(x, y, abc, lr=0.01, steps=10):
    # TODO: start from a copy of abc in x's dtype that autograd tracks (abc itself stays as it is).
    # Each step measures the MAE of the quadratic's predictions, asks for the gradient, moves the
    # parameters against it without autograd recording the move, and clears the gradient. Decide
    # what you hand back so that it carries no graph. (Week 3 lab sheet: fitting a quadratic; the
    # lesson 3 notes: requires_grad_ and backward.)
    raise NotImplementedError("fit_quadratic is not written yet")
