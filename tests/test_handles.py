"""Objects that live in the child: the host holds handles and asks for plain data about them."""

from __future__ import annotations

import pytest

from grader.sandbox.host import Handle, Sandbox, SandboxConfig, SandboxCrash

VALUE = '''
class Value:
    def __init__(self, data):
        self.data, self.grad, self._back = float(data), 0.0, lambda: None

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data)
        def back():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
            self._back(); other._back()
        out._back = back
        return out

    __rmul__ = __mul__

    def backward(self):
        self.grad = 1.0
        self._back()
'''


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(level="auto")) as s:
        yield s


@pytest.fixture
def child(sandbox):
    c = sandbox.spawn()
    assert c.load("m", VALUE, "value.py", ["Value"]) == []
    yield c
    c.close()


def test_an_object_stays_in_the_child_and_answers_in_plain_data(child):
    a = child.call("m", "Value", (3.0,), timeout=2, handles=True).value
    assert type(a) is Handle and a.kind == "m.Value"
    product = child.on_handle(a, "method", "__rmul__", (2.0,), timeout=2).value
    square = child.on_handle(product, "method", "__mul__", (a,), timeout=2).value  # 2a * a
    assert child.on_handle(square, "get", "data", timeout=2).value == 18.0
    assert child.on_handle(square, "method", "backward", timeout=2).error is None
    assert child.on_handle(a, "get", "grad", timeout=2).value == 12.0  # d(2a²)/da = 4a


def test_without_handles_an_object_is_not_plain_data(child):
    outcome = child.call("m", "Value", (3.0,), timeout=2)
    assert outcome.error.type == "NotPlainData"


def test_private_attributes_and_unknown_handles_are_refused(child):
    a = child.call("m", "Value", (3.0,), timeout=2, handles=True).value
    assert child.on_handle(a, "get", "_back", timeout=2).error.type == "ProtocolError"
    stranger = Handle(child, 999, "m.Value")
    assert child.on_handle(stranger, "get", "data", timeout=2).error is not None
    other = Handle(object(), a.number, "m.Value")
    with pytest.raises(SandboxCrash):
        child.on_handle(other, "get", "data", timeout=2)


def test_a_handle_the_host_did_not_ask_for_is_malformed():
    from grader.sandbox import wire

    # Without handles (every call but those asking for them), a handle in a reply is refused.
    with pytest.raises(wire.WireError, match="unexpected handle"):
        wire.decode({"$": "handle", "id": 1, "type": "m.Value"}, [])


def test_gather_reads_one_attribute_of_many_objects_in_one_round_trip(child):
    values = [child.call("m", "Value", (x,), timeout=2, handles=True).value for x in (1.0, 2.5, -4.0)]
    assert child.on_handle(values[0], "gather", "data", tuple(values), timeout=2).value == [1.0, 2.5, -4.0]
    assert child.on_handle(values[0], "gather", "_back", tuple(values), timeout=2).error.type == "ProtocolError"


def test_a_check_gathers_and_a_failing_read_names_its_object(tmp_path):
    from pathlib import Path

    from grader.checking import CheckFailure
    from grader.grading import GradeOptions, Grader
    from grader.grading.calls import StudentObject

    course = Path(__file__).resolve().parents[1]
    path = tmp_path / "value.py"
    path.write_text(VALUE.replace("self.data, self.grad", "self.dat, self.grad"))
    with Grader(course, GradeOptions(hidden=False, exercises=("value",))) as grader:
        run = grader.new_run(path)
        try:
            student = run.student(run.exercise("value"), True)
            objects = [student.Value.make(x) for x in (1.0, 2.0)]
            assert [v for v in StudentObject.gather(objects, "grad")] == [0.0, 0.0]
            with pytest.raises(CheckFailure, match=r"Value\(1\.0\)\.data raised AttributeError"):
                StudentObject.gather(objects, "data")
        finally:
            run.close()
