"""Week 2 · The hyperbolic tangent and its derivative.

``tanh`` squashes any number into (-1, 1); its derivative is ``1 - tanh(x)**2``, which is
what a ``Value``'s backward step for ``tanh`` multiplies the output's gradient by.

Your task: write ``tanh_and_grad(x)``: for a tensor ``x``, return the pair (a tuple)
``(tanh(x), 1 - tanh(x)**2)``, elementwise, both of ``x``'s shape and dtype. It must work for
large inputs too (``x = 50`` gives 1 and 0, never nan), and must not change ``x``.

Check your work with ``grader check tanh_and_grad``.
"""

import torch


def tanh_and_grad(x):
    # TODO: the derivative can be written with tanh itself, so compute tanh once and reuse it. Ask
    # yourself what the formula with exponentials gives at x = 50, and which tanh stays finite
    # there; leave x as it is. (Course notes, week 2: tanh and its derivative.)
    raise NotImplementedError("tanh_and_grad is not written yet")
