"""Week 3 · A training loop.

The notes train a network in four steps, repeated: zero the gradients (they add up
otherwise), compute the loss of the predictions, back-propagate it (``loss.backward()``), and
let the optimizer update the parameters (``optimizer.step()``). ``torch.optim.SGD`` takes the
model's parameters and a learning rate; ``nn.MSELoss()`` is the mean squared error of a
regression. Here every epoch uses the whole data set at once (full-batch training: no
``DataLoader``).

Your task: write ``train_epochs(model, X, y, epochs, lr)``:

- make one ``torch.optim.SGD(model.parameters(), lr)`` and one ``nn.MSELoss()``;
- ``epochs`` times: zero the gradients, compute the loss of ``model(X)`` against ``y`` (``y``
  has the shape of ``model(X)``), back-propagate, step;
- return the list of the epochs' losses as Python floats, each taken before its epoch's
  update (so the first is the loss of the model you were given); ``epochs=0`` gives ``[]``;
- train ``model`` itself, in place (the caller's model is the one that learns), and keep it an
  ``nn.Sequential`` of torch.nn's layers; leave ``X`` and ``y`` as they are, in their dtype
  (a float64 model trains on float64 data).

Check your work with ``grader check train_epochs``.
"""

import torch
from torch import nn


def train_epochs(model, X, y, epochs, lr):
    # TODO: set up the optimizer and the loss once, before the loop, then run the notes' four steps
    # each epoch. Decide when in the epoch you record the loss (the docstring says whose loss the
    # first one is) and how to keep it as a plain number. (Course notes, week 3: the training loop.)
    raise NotImplementedError("train_epochs is not written yet")
