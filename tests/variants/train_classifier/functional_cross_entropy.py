import torch
import torch.nn.functional as F


def train_classifier(model, X, y, epochs, lr):
    """model.train(True), F.cross_entropy, zero_grad(set_to_none=False), the loss kept as float(loss.detach())."""
    model.train(True)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    epoch = 0
    while epoch < epochs:
        opt.zero_grad(set_to_none=False)
        logits = model(X)
        loss = F.cross_entropy(logits, y)
        history.append(float(loss.detach()))
        loss.backward()
        opt.step()
        epoch += 1
    return history
