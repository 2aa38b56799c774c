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
    # TODO: torch.abs(preds - acts).mean()
    raise NotImplementedError("mae is not written yet")


def fit_quadratic(x, y, abc, lr=0.01, steps=10):
    # TODO: params = torch.tensor(abc) copied, requires_grad_(); loop: loss = mae(...), backward,
    # then in torch.no_grad(): params -= lr * params.grad; params.grad.zero_(). Return params.detach().
    raise NotImplementedError("fit_quadratic is not written yet")
