"""Week 3 · Cross-entropy loss, from logits."""

import torch


def cross_entropy(logits, targets):
    """Batch mean of -sum(p * log_softmax(logits)); targets are class indices (n,) or probabilities (n, c)."""
    log_p = torch.log_softmax(logits, dim=1)
    if targets.dim() == 1:
        p = torch.nn.functional.one_hot(targets.long(), logits.shape[1]).to(logits.dtype)
    else:
        p = targets.to(logits.dtype)
    return -(p * log_p).sum(dim=1).mean()
