import torch


def normalize_columns(t):
    """A loop over the columns of a clone, each divided by its own maximum unless it is 0."""
    out = t.clone()
    for j in range(t.shape[1]):
        m = t[:, j].max()
        if m != 0:
            out[:, j] = t[:, j] / m
    return out
