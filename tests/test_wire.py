"""The plain-data wire: what crosses, what is refused, and strict decoding."""

import math
import socket

import numpy as np
import pandas as pd
import pytest
import torch

from grader.sandbox import wire


def roundtrip(value, live=False):
    (tree,), buffers = wire.encode(value)
    return wire.decode(tree, buffers, live=live)


@pytest.mark.parametrize("value", [None, True, 3, -2.5, "text", [1, [2, "x"]], (1, 2.0), {"a": 1, 2: [3]}])
def test_python_values_cross_unchanged(value):
    got, _ = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_non_finite_floats_cross():
    got, _ = roundtrip([math.inf, -math.inf, math.nan])
    assert got[0] == math.inf and got[1] == -math.inf and math.isnan(got[2])


def test_tensors_keep_values_shape_dtype_and_autograd_state():
    leaf = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    leaf.grad = torch.ones(2, 2, dtype=torch.float64)
    value, reports = roundtrip([leaf, torch.arange(3)])
    assert torch.equal(value[0], leaf.detach()) and value[0].dtype == torch.float64
    assert not value[0].requires_grad  # the trusted side gets plain data
    assert reports[0].requires_grad and reports[0].is_leaf and torch.equal(reports[0].grad, leaf.grad)
    assert value[1].dtype == torch.int64 and value[1].tolist() == [0, 1, 2]


def test_live_decoding_rebuilds_leaves_with_their_gradients():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    p.grad = torch.tensor([0.5, 0.5])
    (tree,), buffers = wire.encode((p,))
    value, tensors = wire.decode(tree, buffers, live=True)
    assert isinstance(value[0], torch.nn.Parameter) and value[0].requires_grad
    assert torch.equal(value[0].grad, p.grad) and tensors == [value[0]]


def test_numpy_arrays_and_scalars_cross():
    value, _ = roundtrip([np.arange(6, dtype=np.int32).reshape(2, 3), np.float64(1.5)])
    assert value[0].dtype == np.int32 and value[0].shape == (2, 3) and value[0].sum() == 15
    assert type(value[1]) is np.float64 and value[1] == 1.5


def test_frames_keep_dtypes_missing_values_and_index():
    frame = pd.DataFrame({"Age": [22.0, None], "Embarked": ["S", None], "Pclass": [3, 1]}, index=[5, 9])
    got, _ = roundtrip(frame)
    pd.testing.assert_frame_equal(got, frame)


@pytest.mark.parametrize("value, reason", [
    (object(), "object"),
    (np.array(["a", None], dtype=object), "dtype object"),
    (type("Sneaky", (torch.Tensor,), {})(torch.ones(2)), "Sneaky"),
    (lambda: 0, "function"),
    ({(1, 2): 3}, "dict key"),
])
def test_anything_else_is_refused(value, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.encode(value)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(100):
        value = [value]
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.encode(value)


@pytest.mark.parametrize("tree, buffers, reason", [
    ({"$": "pickle", "data": "x"}, [], "unknown value tag"),
    ({"$": "ndarray", "dtype": "object", "shape": [1], "buf": 0}, [b"x" * 8], "not allowed"),
    ({"$": "ndarray", "dtype": "float64", "shape": [2], "buf": 0}, [b"x" * 8], "wrong number of bytes"),
    ({"$": "ndarray", "dtype": "float64", "shape": [1], "buf": 3}, [b"x" * 8], "not there"),
    ({"$": "float", "value": "__import__('os')"}, [], "malformed float"),
])
def test_decoding_is_strict(tree, buffers, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(tree, buffers)


def test_frames_larger_than_the_limit_are_refused():
    a, b = socket.socketpair()
    with a, b:
        wire.send(a, {"ok": True}, [b"x" * 5000])
        with pytest.raises(wire.WireError, match="larger than the limit"):
            wire.recv(b, limit=1000)


def test_frames_round_trip_over_a_socket():
    a, b = socket.socketpair()
    with a, b:
        (tree,), buffers = wire.encode(torch.ones(3))
        wire.send(a, {"result": tree}, buffers)
        header, got = wire.recv(b, limit=1 << 20)
        value, _ = wire.decode(header["result"], got)
        assert torch.equal(value, torch.ones(3))


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Dropout(0.25),
                               torch.nn.Linear(4, 2, bias=False), torch.nn.Softmax(dim=1))


def test_modules_of_the_vocabulary_cross_with_their_weights_both_ways():
    model = mlp()
    model[0].weight.requires_grad_(False)  # a frozen layer stays frozen
    model[3].weight.grad = torch.ones(2, 4)
    model.eval()
    x = torch.randn(5, 3)
    for live in (False, True):
        got, reports = roundtrip(model, live=live)
        assert type(got) is torch.nn.Sequential and [type(m).__name__ for m in got] == \
            ["Linear", "ReLU", "Dropout", "Linear", "Softmax"]
        assert reports == [got] and not got.training and got[2].p == 0.25 and got[4].dim == 1
        assert got[3].bias is None and torch.equal(got[3].weight.grad, torch.ones(2, 4))
        assert [p.requires_grad for p in got.parameters()] == [False, True, True]
        assert torch.allclose(got(x), model(x))


def test_a_stateless_layer_used_twice_crosses_but_shared_weights_do_not():
    relu, linear = torch.nn.ReLU(), torch.nn.Linear(3, 3)
    got, _ = roundtrip(torch.nn.Sequential(torch.nn.Linear(2, 3), relu, torch.nn.Linear(3, 3), relu,
                                           torch.nn.Linear(3, 1)))
    assert [type(m).__name__ for m in got] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    with pytest.raises(wire.WireError, match="used twice"):
        wire.encode(torch.nn.Sequential(linear, relu, linear))


def test_modules_outside_the_vocabulary_are_refused():
    class Sneaky(torch.nn.Linear):
        def forward(self, x):
            return x

    with_extra = torch.nn.Linear(2, 2)
    with_extra.register_parameter("extra", torch.nn.Parameter(torch.zeros(1)))
    named = torch.nn.Sequential()
    named.add_module("first", torch.nn.ReLU())
    for module in (Sneaky(2, 2), torch.nn.Conv1d(1, 1, 1), with_extra, named, torch.nn.Sequential(Sneaky(2, 2))):
        with pytest.raises(wire.WireError):
            wire.encode(module)


@pytest.mark.parametrize("change", [
    lambda t: t["children"][0]["settings"].update(in_features=4),       # weights of the wrong shape
    lambda t: t["children"][0]["params"].pop("bias"),                     # a parameter missing
    lambda t: t["children"].append({"$": "module", "kind": "Conv1d"}),    # not in the vocabulary
    lambda t: t["children"][1].update(children=[t["children"][0]]),       # a ReLU with layers inside
    lambda t: t["children"][4]["settings"].update(dim="os.system"),       # a setting that is not a number
])
def test_forged_modules_are_refused(change):
    (tree,), buffers = wire.encode(mlp())
    change(tree)
    with pytest.raises(wire.WireError):
        wire.decode(tree, buffers)


# What a child that has seen a hidden input might smuggle into the grader's messages.
SMUGGLED = "HIDDEN INPUT sizes=[15, 8, 20, 47, 40, 50]"
_RANGE = {"$": "rangeindex", "start": 0, "stop": 1, "step": 1, "name": None}
SMUGGLING_TREES = {
    "a tag": {"$": SMUGGLED},
    "an array's dtype": {"$": "ndarray", "dtype": SMUGGLED, "shape": [1], "buf": 0},
    "a column's dtype": {"$": "series", "name": None, "index": _RANGE, "data": {"dtype": SMUGGLED, "items": []}},
    "a cell pandas refuses": {"$": "series", "name": None, "index": _RANGE, "data": {"dtype": "Int64", "items": [SMUGGLED]}},
    "a setting torch refuses": {"$": "module", "kind": "Dropout", "training": True,
                                "settings": {"p": 15082047.0, "inplace": False}, "params": {}, "children": []},
}


@pytest.mark.parametrize("where", SMUGGLING_TREES)
def test_decoding_errors_never_quote_what_was_sent(where):
    """The trusted side says which of its expectations failed, in its own words: nothing of the
    tree (a tag, a dtype, a value a library complains about) reaches the message."""
    with pytest.raises(wire.WireError) as caught:
        wire.decode(SMUGGLING_TREES[where], [])
    message = str(caught.value)
    assert "HIDDEN" not in message and "15" not in message and "8204" not in message, message
