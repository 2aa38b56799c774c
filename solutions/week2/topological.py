"""Week 2 · Topological order: every node after the nodes it depends on."""


def topological_order(graph):
    """Every node of ``graph`` (node -> list of the nodes it depends on), each after its dependencies."""
    order, done, active = [], set(), set()
    nodes = list(graph)
    for deps in graph.values():
        nodes.extend(d for d in deps if d not in graph)

    def visit(node):
        if node in done:
            return
        if node in active:
            raise ValueError(f"the graph has a cycle through {node!r}")
        active.add(node)
        for dep in graph.get(node, ()):
            visit(dep)
        active.discard(node)
        done.add(node)
        order.append(node)

    for node in nodes:
        visit(node)
    return order
