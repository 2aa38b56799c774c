def count_parameters(model):
    """The notes' loop over model.parameters(), adding numel() of those that require grad."""
    total = 0
    for parameter in model.parameters():
        if parameter.requires_grad:
            total += parameter.numel()
    return total
