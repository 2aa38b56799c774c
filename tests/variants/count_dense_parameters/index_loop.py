def count_dense_parameters(sizes):
    """An index loop: sizes[i] * sizes[i + 1] weights and sizes[i + 1] biases."""
    if len(sizes) < 2:
        raise ValueError("at least two layers")
    for size in sizes:
        if size < 1:
            raise ValueError("a layer needs a neuron")
    total = 0
    for i in range(len(sizes) - 1):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total
