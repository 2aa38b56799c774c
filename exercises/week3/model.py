"""Week 3 · Building a multilayer perceptron, and counting what it learns.

The notes stack ``nn.Linear`` layers with ``nn.Sequential``: ``nn.Linear(16, 4)`` turns 16
inputs into 4 outputs, so the next layer takes 4. Linear layers alone compose into one big
linear map, so an activation function (``nn.ReLU``, ``nn.Sigmoid`` or ``nn.Tanh``) goes
between them to add non-linearity; the last layer gives the raw outputs (logits), with no
activation after it. Each ``nn.Linear(a, b)`` learns ``a*b`` weights and ``b`` biases, and
``parameter.numel()`` counts the elements of one parameter tensor: the notes' network
``Linear(16, 4), Linear(4, 2), Linear(2, 1)`` has 81 parameters.

Your task:

- ``build_mlp(sizes, activation="relu")``: an ``nn.Sequential`` of
  ``nn.Linear(sizes[i], sizes[i + 1])`` for each pair of neighbouring sizes (the input size
  first), with one activation layer between each two linear layers and none after the last:
  ``nn.ReLU()`` for ``"relu"``, ``nn.Sigmoid()`` for ``"sigmoid"``, ``nn.Tanh()`` for ``"tanh"``.
  ``build_mlp([16, 4, 2, 1])`` is ``Linear(16, 4), ReLU, Linear(4, 2), ReLU, Linear(2, 1)``.
  Raise ``ValueError`` for any other activation name, and (our choice, as in week 1's
  ``count_dense_parameters``) for fewer than two sizes. Keep the layers' own initial weights.
  Use only layers of ``torch.nn`` (no class of your own): the grader rebuilds the model from
  its layers.
- ``count_parameters(model)``: the number of elements of ``model.parameters()`` that require
  gradients (a frozen parameter, ``requires_grad=False``, is not learned, so it does not
  count), as a Python ``int``. ``model`` is any ``nn.Module``: a single layer, or an
  ``nn.Sequential`` that may hold layers without parameters and other ``nn.Sequential`` models.

Check your work with ``grader check build_mlp count_parameters``.
"""

import torch
from torch import nn


def build_mlp(sizes, activation="relu"):
    # TODO: decide first what you refuse (an unknown activation name, too few sizes). Then walk the
    # neighbouring pairs of sizes: each pair is one linear layer, and an activation goes between two
    # linear layers but not after the last. (Course notes, week 3: nn.Linear and nn.Sequential.)
    raise NotImplementedError("build_mlp is not written yet")


def count_parameters(model):
    # TODO: add up the number of elements of the parameters that will be trained. Decide which ones
    # those are, and remember that layers may sit inside other models. (Course notes, week 3:
    # counting parameters.)
    raise NotImplementedError("count_parameters is not written yet")
