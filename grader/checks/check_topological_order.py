"""Checks for topological_order, by property: any order with every node once, each after
its dependencies, is right; a cycle raises ValueError."""

import pytest

from grader.checking import CheckFailure, also_works, brief, expect, raised_name, show_call

LESSON = {"L": ["d", "f"], "d": ["e", "c"], "e": ["a", "b"], "a": [], "b": [], "c": [], "f": []}


def valid(student, graph):
    """Every node once, each after its dependencies. The work is linear in the order's length,
    which is capped at the graph's number of nodes before anything else looks at it."""
    public = student.topological_order.public
    where = show_call("topological_order", (graph,)) if public else "on a hidden input"
    order = student.topological_order(graph)
    nodes = set(graph) | {d for deps in graph.values() for d in deps}
    expect(type(order) is list, f"{where}: expected a list of the nodes (strings)")
    if len(order) > len(nodes):  # a fixed message, before any work on what the child sent
        raise CheckFailure(f"{where}: every node must appear exactly once, but the order has more entries "
                           "than the graph has nodes")
    expect(all(type(n) is str for n in order), f"{where}: expected a list of the nodes (strings)")
    missing, extra = nodes - set(order), set(order) - nodes
    if missing or extra:
        detail = f" (missing {sorted(missing)[:5]}, unknown {brief(sorted(extra)[:5])})" if public else ""
        raise CheckFailure(f"{where}: the order must hold every node of the graph, and nothing else{detail}")
    # Here the order holds every node and no more entries than there are nodes: each once.
    position = {n: i for i, n in enumerate(order)}
    for node, deps in graph.items():
        for dep in deps:
            if position[node] < position[dep]:
                raise CheckFailure(f"{where}: {node!r} comes before {dep!r}, which it depends on" if public
                                   else f"{where}: a node comes before one it depends on")


def cycle_raises(student, graph, acyclic):
    """A cycle raises ValueError, and the ``acyclic`` graph gets a valid order: refusing is worth
    points only from a function that works."""
    refuses_cycle(student, graph)
    call = show_call("topological_order", (acyclic,)) if student.topological_order.public else None
    also_works("topological_order", call, lambda: valid(student, acyclic))


def refuses_cycle(student, graph):
    outcome = student.topological_order.run(graph)
    where = show_call("topological_order", (graph,)) if student.topological_order.public else "on a hidden input"
    if outcome.error is None:
        raise CheckFailure(f"{where}: the graph has a cycle, so expected ValueError, but it returned a value")
    if not outcome.error.is_a("ValueError"):  # a subclass (graphlib.CycleError) is a ValueError
        student.topological_order(graph)
        raise CheckFailure(f"{where}: expected ValueError for a cycle, got "
                           f"{raised_name(outcome.error, student.topological_order.public)}")


@pytest.mark.points(3)
def check_the_lessons_graph(student, reference):
    valid(student, LESSON)


@pytest.mark.points(2)
def check_a_shared_node_appears_once(student, reference):
    valid(student, {"out": ["x", "y"], "x": ["s"], "y": ["s"], "s": ["leaf"], "leaf": []})


@pytest.mark.points(2)
def check_a_cycle_raises_value_error(student, reference):
    cycle_raises(student, {"a": ["b"], "b": ["c"], "c": ["a"]}, acyclic={"a": ["b"], "b": ["c"], "c": []})


def _dag(rng, n):
    names = [f"n{int(i)}" for i in rng.permutation(n * 3)[:n]]
    graph = {}
    for i, name in enumerate(names):
        earlier = names[:i]
        k = min(len(earlier), int(rng.integers(0, 4)))
        graph[name] = [earlier[int(j)] for j in rng.choice(len(earlier), size=k, replace=False)] if k else []
    return names, graph


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_graphs(student, reference, rng):
    names, graph = _dag(rng, int(rng.integers(15, 30)))
    for name in names[:3]:  # a few nodes appear only as dependencies
        if not graph[name]:
            del graph[name]
    keys = list(graph)
    valid(student, {k: graph[k] for k in (keys[int(i)] for i in rng.permutation(len(keys)))})


@pytest.mark.hidden
@pytest.mark.points(1)
def check_a_long_cycle_raises_value_error(student, reference, rng):
    names, graph = _dag(rng, int(rng.integers(8, 15)))
    acyclic = {k: list(v) for k, v in graph.items()}
    for earlier, later in zip(names, names[1:]):  # a chain through every node ...
        if earlier not in graph[later]:
            graph[later] = graph[later] + [earlier]
    graph[names[0]] = [names[-1]]  # ... closed into one long cycle
    cycle_raises(student, graph, acyclic)
