import torch


def accuracy(coeffs, indeps, deps):
    """Counting the matches with sum() and dividing by the number of rows."""
    survived = torch.sigmoid(indeps @ coeffs) > 0.5
    right = int((survived == (deps > 0.5)).sum())
    return right / len(deps)
