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

Building ``Value`` on torch's autograd is allowed (the grader checks the values and gradients
and cannot tell how they were computed), but writing each backward step and the order of the
backward pass yourself is what this exercise is for.

Check your work with ``grader check value``.
"""

import math


class Value:
    def __init__(self, data, _children=()):
        # TODO: a Value needs its number (a float), a gradient that starts at zero, the Values it
        # was made from, and a backward step of its own that does nothing until an operation gives
        # it one. (Course notes, week 2: backpropagation on a computation graph.)
        raise NotImplementedError("Value is not written yet")

    def __add__(self, other):
        # TODO: accept a plain number as well as a Value. The result remembers both inputs, and its
        # backward step passes its gradient on to them by the chain rule: how does a sum change when
        # one input moves? Add to the inputs' gradients rather than set them. The other operators of
        # the docstring (subtraction, negation, the reflected ones) can be built on + and *. (Course
        # notes, week 2: Python magic methods.)
        raise NotImplementedError("Value.__add__ is not written yet")

    def __mul__(self, other):
        # TODO: as for +, with the chain rule of a product: how much does the product change when
        # one input moves, and what does that depend on?
        raise NotImplementedError("Value.__mul__ is not written yet")

    def __pow__(self, exponent):
        # TODO: the exponent is a plain number, not a Value: only the base receives a gradient.
        # Which rule of differentiation gives its local derivative?
        raise NotImplementedError("Value.__pow__ is not written yet")

    def tanh(self):
        # TODO: the forward value comes from the math module; the backward step uses the derivative
        # of the docstring, written with the output itself. (Course notes, week 2: tanh and its
        # derivative.)
        raise NotImplementedError("Value.tanh is not written yet")

    def backward(self):
        # TODO: collect every node that leads up to this one, each once, in topological order; seed
        # the output's own gradient, then run each node's backward step so that a node is visited
        # only after all the nodes that use it. (Course notes, week 2: topological sort.)
        raise NotImplementedError("Value.backward is not written yet")
