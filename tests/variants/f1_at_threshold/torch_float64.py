import torch


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    """torch only: torch.as_tensor in float64 and .item()."""
    truth = torch.as_tensor(y_true) != 0
    pred = torch.as_tensor(y_prob, dtype=torch.float64) >= threshold
    if truth.shape != pred.shape:
        raise ValueError("y_true and y_prob have different lengths")
    tp = (pred & truth).sum().item()
    fp = (pred & ~truth).sum().item()
    fn = (~pred & truth).sum().item()
    denominator = 2 * tp + fp + fn
    return 2 * tp / denominator if denominator else 0.0
