"""Week 1 · A neuron that learns to multiply by 2.

The model is one weight: it predicts ``w * x``. Its loss on the pairs ``(x, y)`` is the
mean squared error, the mean of ``(w*x - y)**2``. We do not need the exact derivative: we
"wiggle" ``w`` by a tiny ``eps`` and see how the loss changes,

    L = (loss(w + eps) - loss(w)) / eps

and then step against it: ``w -= learning_rate * L``. Repeated, this is gradient descent.

Your task:

- ``loss_slope(w, xs, ys, eps=1e-4)``: the forward difference above, as a Python ``float``
  (``xs`` and ``ys`` are lists or numpy arrays of the same length; use this formula, not the
  exact derivative and not a central difference);
- ``fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4)``: ``steps`` times
  ``w -= lr * loss_slope(w, xs, ys, eps)``, starting from ``w``; return the final ``w`` as a
  Python ``float`` (``steps=0`` gives ``float(w)``). For ``xs=[1, 2, 3]``, ``ys=[2, 4, 6]``
  it approaches 2.

Check your work with ``grader check loss_slope fit_multiplier``.
"""


def loss_slope(w, xs, ys, eps=1e-4):
    # TODO: write the loss of one weight first (a small helper, say loss(v), for the mean squared
    # error over the pairs), then compare it a little to the right of w with its value at w, as the
    # docstring's formula says, with the eps you are given. Decide how lists and arrays both work,
    # and what type you hand back. (Course notes, week 1: the neuron that multiplies by 2; slopes.)
    raise NotImplementedError("loss_slope is not written yet")


def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):
    # TODO: gradient descent repeats one small move: measure the slope at the current weight and
    # step against it, scaled by the learning rate. Reuse loss_slope and pass it every setting you
    # were given. Think about what comes back when there are no steps at all, and in which type.
    # (Course notes, week 1: the neuron that learns to multiply by 2.)
    raise NotImplementedError("fit_multiplier is not written yet")
