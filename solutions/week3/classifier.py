"""Week 3 · A classifier with dropout: trained in training mode, predicting in eval mode."""

import torch
from torch import nn


def train_classifier(model, X, y, epochs, lr):
    """Train ``model`` in place, in training mode, with SGD on the cross-entropy; the losses, each before its update."""
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predict_classes(model, X):
    """The most likely class of each row of ``X``, predicted in eval mode without tracking gradients."""
    model.eval()
    with torch.no_grad():
        return model(X).argmax(dim=1)
