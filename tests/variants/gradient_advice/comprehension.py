def gradient_advice(grads, names=("a", "b", "c")):
    """A list comprehension with a small helper for the advice, round() for one decimal."""
    values = grads.tolist() if hasattr(grads, "tolist") else [float(g) for g in grads]
    if len(values) != len(names):
        raise ValueError("one name per gradient")

    def advice(g):
        return "be increased" if g < 0 else ("be decreased" if g > 0 else "stay")

    return [f"parameter {n} should {advice(g)} because params.grad[{i}] is {g:.1f}"
            for i, (n, g) in enumerate(zip(names, values))]
