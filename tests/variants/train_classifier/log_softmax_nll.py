import torch
from torch import nn


def train_classifier(model, X, y, epochs, lr):
    """LogSoftmax then NLLLoss, zero_grad on the model, .item() of each loss."""
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr)
    log_softmax, nll = nn.LogSoftmax(dim=1), nn.NLLLoss()
    losses = []
    for _ in range(epochs):
        model.zero_grad()
        loss = nll(log_softmax(model(X)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
