"""Week 1 · Counting the parameters of a fully connected network."""


def count_dense_parameters(sizes):
    """Weights and biases of a fully connected network with layer sizes [n0, n1, ..., nk]."""
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least two layer sizes, got {len(sizes)}")
    if any(int(n) < 1 for n in sizes):
        raise ValueError("every layer needs at least one neuron")
    return int(sum(int(a) * int(b) + int(b) for a, b in zip(sizes[:-1], sizes[1:])))
