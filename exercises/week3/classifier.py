"""Week 3 · A classifier with dropout: training mode and eval mode.

A ``nn.Dropout(p)`` layer fights overfitting: while the model trains, it zeroes each of its
inputs with probability ``p`` (and scales the others up by ``1 / (1 - p)``), a fresh random
choice on every forward pass; while the model predicts, it lets everything through unchanged.
Which of the two it does depends on the model's mode, which every module remembers
(``model.training``): ``model.train()`` switches the model and all its layers to training mode,
``model.eval()`` to eval mode, and the model stays in that mode until switched again. So a
training loop must make sure the model is in training mode, and a prediction that it is in eval
mode: forget it, and the training runs without dropout, or the predictions come out random.
A classifier's last layer gives one raw score (logit) per class; ``nn.CrossEntropyLoss()``
takes those logits and the class labels (a ``torch.long`` tensor of class indices, one per row).

Your task:

- ``train_classifier(model, X, y, epochs, lr)``: ``model`` is an ``nn.Sequential`` that may
  hold ``nn.Dropout`` layers and may come in either mode. Put it in training mode, make one
  ``torch.optim.SGD(model.parameters(), lr)`` and one ``nn.CrossEntropyLoss()``; then ``epochs``
  times, on the whole data set at once: zero the gradients, compute the loss of ``model(X)``
  against the labels ``y``, back-propagate, step. Return the list of the epochs' losses as
  Python floats, each taken before its epoch's update (``epochs=0`` gives ``[]``). Train
  ``model`` itself, in place, and keep it an ``nn.Sequential`` of torch.nn's layers; leave ``X``
  and ``y`` as they are, in their dtype (a float64 model trains on float64 data).
- ``predict_classes(model, X)``: put ``model`` in eval mode and return the index of the largest
  logit of each row of ``model(X)``: a ``torch.long`` tensor with one class per row (shape
  ``(n,)``, also when ``n`` is 1). A prediction needs no gradients: run the model under
  ``torch.no_grad()`` and autograd keeps no graph of it.

Check your work with ``grader check train_classifier predict_classes``.
"""

import torch
from torch import nn


def train_classifier(model, X, y, epochs, lr):
    # TODO: first decide which mode the model must be in while it learns, and switch it there
    # whatever mode it came in. Then it is the training loop of train_epochs with the loss of a
    # classifier. (Course notes, week 3: using a Dropout layer; putting it all together.)
    raise NotImplementedError("train_classifier is not written yet")


def predict_classes(model, X):
    # TODO: switch the model to the mode for predicting, keep autograd out of the forward pass, and
    # turn each row's logits into one class index. Think about which dimension holds the classes.
    # (Course notes, week 3: using a Dropout layer.)
    raise NotImplementedError("predict_classes is not written yet")
