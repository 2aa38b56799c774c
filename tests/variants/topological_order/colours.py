def topological_order(graph):
    """A depth-first search with three colours in one dict (white, grey, black)."""
    colour = {}
    order = []

    def visit(node):
        state = colour.get(node, "white")
        if state == "grey":
            raise ValueError(f"cycle at {node}")
        if state == "black":
            return
        colour[node] = "grey"
        for dep in graph.get(node, []):
            visit(dep)
        colour[node] = "black"
        order.append(node)

    for node in list(graph):
        visit(node)
    return order
