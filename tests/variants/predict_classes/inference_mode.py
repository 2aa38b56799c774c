import torch


def predict_classes(model, X):
    """model.train(False), torch.inference_mode(), the indices of torch.max along the classes."""
    model.train(False)
    with torch.inference_mode():
        return torch.max(model(X), 1).indices
