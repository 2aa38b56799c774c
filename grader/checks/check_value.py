"""Checks for value: a micrograd-style Value with +, *, -, **, tanh and backward().

The student's Values live in the sandbox (``student.Value.make`` gives a handle whose
operators run there); the same expression is built here with float64 tensors, whose autograd
is the trusted side's answer (the reference Value agrees with it: ``grader validate``), and
every value and gradient is compared. (A released course records the references' answers to
the public checks as plain data; a Value is not plain data, autograd's numbers are.)
"""


import pytest
import torch

from grader.checking import expect_same
from grader.grading.calls import StudentObject

OPERATIONS = ("add", "mul", "sub", "radd", "rmul", "rsub", "pow", "neg", "tanh")


def apply(op, a, b):
    """One operation, written the same way for the trusted tensors and the student's Values."""
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "sub":
        return a - b
    if op == "radd":
        return 2.5 + a
    if op == "rmul":
        return -1.5 * a
    if op == "rsub":
        return 1.0 - a
    if op == "pow":
        return a ** 2
    if op == "neg":
        return -a
    return a.call("tanh") if hasattr(a, "call") else a.tanh()


def build(make, numbers, program):
    """Leaves from ``numbers``, then each step (op, i, j) appends apply(op, nodes[i], nodes[j])."""
    nodes = [make(x) for x in numbers]
    for op, i, j in program:
        nodes.append(apply(op, nodes[i], nodes[j]))
    return nodes


def leaf(x):
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


def compare(student, reference, numbers, program, *, public, backward=True):
    mine = build(student.Value.make, numbers, program)
    theirs = build(leaf, numbers, program)  # one node per step, as many as the student's
    where = mine[-1].text if public else None
    for got, value, want in zip(mine, StudentObject.gather(mine, "data"), theirs):
        expect_same(value, float(want.detach()), call=f"{got.text}.data" if public else None)
    if not backward:
        return
    mine[-1].call("backward")
    theirs[-1].backward()
    leaves = mine[: len(numbers)]
    for got, grad, want in zip(leaves, StudentObject.gather(leaves, "grad"), theirs[: len(numbers)]):
        expect_same(grad, 0.0 if want.grad is None else float(want.grad),
                    call=f"after {where}.backward(), {got.text}.grad" if public else None)


@pytest.mark.points(1)
def check_holds_data_and_starts_with_zero_grad(student, reference):
    a = student.Value.make(2)
    expect_same(a.data, 2.0, call="Value(2).data")
    expect_same(a.grad, 0.0, call="Value(2).grad")


@pytest.mark.points(2)
def check_arithmetic_with_values_and_numbers(student, reference):
    compare(student, reference, [2.0, -3.0], [("add", 0, 1), ("mul", 2, 1), ("sub", 3, 0), ("radd", 4, 4),
                                              ("rmul", 5, 5), ("rsub", 6, 6), ("pow", 7, 7), ("neg", 8, 8)],
            public=True, backward=False)


@pytest.mark.points(2)
def check_backward_through_the_lessons_graph(student, reference):
    # L = (a*b + c) * f, as in the lesson's graph: a=2, b=-3, c=10, f=-2.
    compare(student, reference, [2.0, -3.0, 10.0, -2.0], [("mul", 0, 1), ("add", 4, 2), ("mul", 5, 3)],
            public=True)


@pytest.mark.points(1)
def check_a_value_used_twice_accumulates(student, reference):
    compare(student, reference, [3.0], [("add", 0, 0)], public=True)
    compare(student, reference, [3.0], [("mul", 0, 0)], public=True)


def _program(rng, leaves, steps):
    random_program = []
    for k in range(steps):
        op = OPERATIONS[int(rng.integers(len(OPERATIONS)))]
        available = leaves + k
        random_program.append((op, int(rng.integers(available)), int(rng.integers(available))))
    return random_program


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_expressions_forward_and_backward(student, reference, rng):
    for _ in range(3):
        numbers = [float(round(v, 3)) for v in rng.uniform(-2, 2, size=3)]
        compare(student, reference, numbers, _program(rng, 3, 8), public=False)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_tanh_and_its_gradient(student, reference, rng):
    for x in rng.uniform(-3, 3, size=3):
        compare(student, reference, [float(x)], [("tanh", 0, 0)], public=False)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_shared_nodes_take_the_topological_order(student, reference, rng):
    # Every node is used by two later ones: a backward pass that sends a node's gradient on
    # before all of its users have added theirs (recursion without a topological order)
    # counts some paths twice.
    program = [("tanh", 0, 0), ("mul", 1, 1), ("add", 2, 1), ("mul", 3, 2), ("add", 4, 3), ("mul", 5, 4)]
    compare(student, reference, [float(rng.uniform(0.2, 0.9))], program, public=False)
