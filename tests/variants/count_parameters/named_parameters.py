import math


def count_parameters(model):
    """named_parameters(), the product of each shape with math.prod."""
    return sum(math.prod(p.shape) for _, p in model.named_parameters() if p.requires_grad)
