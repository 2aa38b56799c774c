def tanh_and_grad(x):
    """Tensor methods: x.tanh(), then 1 - t.pow(2)."""
    t = x.tanh()
    return (t, 1 - t.pow(2))
