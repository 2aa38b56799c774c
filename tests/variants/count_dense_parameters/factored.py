def count_dense_parameters(sizes):
    """(a + 1) * b per pair of layers: the bias as one more input; all() for the check."""
    sizes = tuple(sizes)
    if len(sizes) < 2 or not all(n >= 1 for n in sizes):
        raise ValueError(f"not a network: {sizes}")
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
