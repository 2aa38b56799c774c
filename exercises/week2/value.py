"""Week 2 · Backpropagation: a scalar that remembers how it was computed.

Backpropagation computes the derivative of the output with respect to every node that
leads up to it. Each operation creates a new ``Value`` that remembers its inputs (its
"children") and how to pass its gradient back to them:

- ``+`` copies the gradient to both inputs: ``a.grad += out.grad``, ``b.grad += out.grad``;
- ``*`` multiplies by the other input: ``a.grad += b.data * out.grad``, ``b.grad += a.data * out.grad``;
- ``x ** k`` (k a number) gives ``k * x.data ** (k - 1) * out.grad``;
- ``tanh`` gives ``(1 - tanh(x)**2) * out.grad``.

Gradients are *added* (``+=``), never set: a node used twice (``a + a``) receives from both
uses, so ``a.grad == 2``.

Your task: complete the class ``Value``:

- ``Value(data)`` has ``.data`` (a float) and ``.grad`` (``0.0`` at first);
- ``+``, ``*``, binary and unary ``-`` and ``**`` with a number exponent, each with a ``Value``
  or a plain number on either side (``2 * a`` and ``1 - a`` need ``__rmul__`` and ``__rsub__``);
- ``.tanh()``;
- ``.backward()`` sets ``.grad`` of every node to the derivative of this value with respect to
  it: set this node's gradient to 1, then visit the nodes in reverse topological order (each
  node after every node that uses it), calling each node's own backward step once.

Check your work with ``grader check value``.
"""

import math


class Value:
    def __init__(self, data, _children=()):
        # TODO: store data as a float, start grad at 0.0, remember the children and a
        # backward step that does nothing yet.
        raise NotImplementedError("Value is not written yet")

    def __add__(self, other):
        # TODO: wrap a plain number in a Value, make the sum and its backward step.
        raise NotImplementedError("Value.__add__ is not written yet")

    def __mul__(self, other):
        # TODO
        raise NotImplementedError("Value.__mul__ is not written yet")

    def __pow__(self, exponent):
        # TODO: exponent is a plain number
        raise NotImplementedError("Value.__pow__ is not written yet")

    def tanh(self):
        # TODO: math.tanh, and the derivative 1 - tanh**2
        raise NotImplementedError("Value.tanh is not written yet")

    def backward(self):
        # TODO: topological order, then each node's backward step, output first
        raise NotImplementedError("Value.backward is not written yet")
