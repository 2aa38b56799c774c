"""Lab 3 · Explaining gradients in words.

In the lab's quadratic fit, ``params.grad`` tells how the loss changes when a parameter
grows: a negative gradient means the loss goes down as the parameter goes up, so the
parameter should be increased; a positive one means it should be decreased; a gradient of
exactly zero means it should stay. The lab asks for sentences like

    parameter a should be increased because params.grad[0] is -1.3
    parameter b should be decreased because params.grad[1] is 0.2
    parameter b should stay because params.grad[1] is 0.0

Your task: write ``gradient_advice(grads, names=("a", "b", "c"))``:

- ``grads`` is a list of numbers or a 1-d tensor; ``names`` names the parameters in order;
- return a list with one sentence (a string) per parameter, exactly as above, with the
  gradient written with one decimal (``f"{g:.1f}"``); the direction follows the sign of the
  gradient itself (so ``-0.04`` reads ``-0.0`` but still says "increased");
- raise ``ValueError`` when ``names`` and ``grads`` differ in length.

Check your work with ``grader check gradient_advice``.
"""


def gradient_advice(grads, names=("a", "b", "c")):
    # TODO: check the lengths first. Then one sentence per parameter: its verb follows the sign of
    # the gradient itself (not of its rounded text), and its number is written with one decimal.
    # (Week 3 lab sheet, "Neural net foundations": explaining gradients in words.)
    raise NotImplementedError("gradient_advice is not written yet")
