def topological_order(graph):
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)  # marked before its dependencies are done: a cycle goes unnoticed
        for dep in graph.get(node, []):
            visit(dep)
        order.append(node)

    for node in list(graph):
        visit(node)
    return order
