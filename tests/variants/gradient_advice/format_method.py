def gradient_advice(grads, names=("a", "b", "c")):
    """str.format, an if/elif chain, float(g) of each element."""
    if len(grads) != len(names):
        raise ValueError("names and gradients differ in length")
    out = []
    for i in range(len(names)):
        g = float(grads[i])
        if g < 0:
            word = "be increased"
        elif g > 0:
            word = "be decreased"
        else:
            word = "stay"
        out.append("parameter {} should {} because params.grad[{}] is {:.1f}".format(names[i], word, i, g))
    return out
