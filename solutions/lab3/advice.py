"""Lab 3 · Explaining gradients in words."""


def gradient_advice(grads, names=("a", "b", "c")):
    """One sentence per parameter: increase it for a negative gradient, decrease it for a positive one."""
    values = [float(g) for g in grads]
    names = list(names)
    if len(values) != len(names):
        raise ValueError(f"{len(names)} names for {len(values)} gradients")
    sentences = []
    for i, (name, g) in enumerate(zip(names, values)):
        advice = "be increased" if g < 0 else "be decreased" if g > 0 else "stay"
        sentences.append(f"parameter {name} should {advice} because params.grad[{i}] is {g:.1f}")
    return sentences
