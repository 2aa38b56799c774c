from collections import deque


def topological_order(graph):
    """Kahn's algorithm: a queue of nodes whose dependencies are all placed."""
    nodes = set(graph) | {d for deps in graph.values() for d in deps}
    waiting = {n: set(graph.get(n, ())) for n in nodes}
    users = {n: [] for n in nodes}
    for node, deps in graph.items():
        for dep in set(deps):
            users[dep].append(node)
    ready = deque(sorted(n for n in nodes if not waiting[n]))
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for user in users[node]:
            waiting[user].discard(node)
            if not waiting[user]:
                ready.append(user)
    if len(order) != len(nodes):
        raise ValueError("the graph has a cycle")
    return order
