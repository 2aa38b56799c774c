import torch


def normalize_columns(t):
    maxima = t.max(dim=0).values
    maxima[maxima == 0] = 1.0
    return t / maxima


def calc_loss(coeffs, indeps, deps):
    return (torch.sigmoid(indeps @ coeffs) - deps).abs().mean()


def accuracy(coeffs, indeps, deps):
    preds = torch.sigmoid(indeps @ coeffs)
    return ((preds >= 0.5) == (deps >= 0.5)).float().mean().item()  # >= where the notebook has >
