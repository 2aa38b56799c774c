"""Week 5 · From-scratch model: one step of gradient descent.

After ``loss.backward()``, every parameter ``p`` holds in ``p.grad`` the slope of the
loss with respect to it. A gradient-descent step moves each parameter a little way
downhill: ``p -= lr * p.grad``, where ``lr`` is the learning rate. Too large a rate
jumps past the minimum; too small a rate crawls.

Your task: write ``gradient_step(params, lr)``:

- for each tensor ``p`` in ``params`` (leaf tensors with ``requires_grad=True`` whose
  ``.grad`` is filled in), subtract ``lr * p.grad`` from ``p`` **in place**;
- do the update without recording it in autograd (that is what a ``with torch.no_grad():`` block
  is for: the update is not part of the model's computation);
- then zero each gradient (``p.grad.zero_()``, or set it to ``None``), so the next
  ``backward()`` does not add to the old one;
- return ``None``. The same tensor objects must still be leaves that require grad.

Check your work with ``grader check gradient_step``.
"""

import torch


def gradient_step(params, lr):
    # TODO: update each parameter in place, without autograd, then zero its gradient.
    raise NotImplementedError("gradient_step is not written yet")
