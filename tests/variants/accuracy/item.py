import torch


def accuracy(coeffs, indeps, deps):
    """bool comparisons, .float().mean().item()."""
    preds = torch.sigmoid(indeps @ coeffs)
    return ((preds > 0.5) == (deps > 0.5)).float().mean().item()
