"""Plain data across the trust boundary: JSON plus raw array bytes, never pickle.

A value is encoded as a JSON tree in which arrays, tensors and frames are small
dictionaries tagged with ``"$"`` whose numbers live in separate byte buffers.
Both sides use this module; the trusted side decodes strictly: an unknown tag, a
dtype outside the allow-list or a buffer of the wrong length is a ``WireError``,
and decoding only ever builds fresh numpy arrays, torch tensors and pandas frames
from bytes. Nothing the child sends is executed or unpickled.

A ``WireError`` raised while decoding or receiving says which of the trusted side's
expectations failed, in words of its own: it never quotes what was sent (a tag, a dtype,
a setting, a library's complaint about a value), since the sender may be a child that
has seen a hidden input (see host.py).

A frame on the socket is ``!II`` (header length, total buffer length), the JSON
header (which lists the buffer lengths) and the buffers.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import sys
import time
from collections.abc import Callable
from typing import Any

from grader.bounds import WIRE_DEPTH

#: dtypes that may cross, as numpy names; torch and pandas map onto them.
NUMERIC_DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"}
)
#: pandas dtypes rebuilt from a list of Python scalars.
LISTED_PANDAS_DTYPES = frozenset(
    {"object", "str", "string", "boolean", "Int8", "Int16", "Int32", "Int64",
     "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "category"}
)
MAX_DEPTH = WIRE_DEPTH
#: torch.nn layers that may cross, with the settings that define them (a Linear's ``bias``
#: setting is whether it has one). Parameters travel as tensors; nothing else of a module does.
MODULES = {
    "Sequential": (), "Linear": ("in_features", "out_features"), "ReLU": ("inplace",), "Sigmoid": (),
    "Tanh": (), "Softmax": ("dim",), "Dropout": ("p", "inplace"), "Flatten": ("start_dim", "end_dim"),
}
_HEAD = struct.Struct("!II")
_ONE_WRITE = 1 << 16  # bytes: a frame up to this size is written, and read, in one go


class WireError(Exception):
    """A value that cannot cross the boundary, or a malformed frame."""


# --------------------------------------------------------------------------- encoding


class _Encoder:
    def __init__(self, keep: Callable[[Any], int] | None = None,
                 refer: Callable[[Any], int | None] | None = None) -> None:
        self.buffers: list[bytes] = []
        self.keep = keep      # the child: objects that are not plain data stay here, sent as handles
        self.refer = refer    # the host: its stand-ins for the child's objects, sent as handles

    def buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value is nested too deeply")
        kind = type(value)
        if self.refer is not None and (handle := self.refer(value)) is not None:
            return {"$": "handle", "id": handle}
        if value is None or kind in (bool, str):
            return value
        if kind is int:
            return value
        if kind is float:
            if math.isfinite(value):
                return value
            return {"$": "float", "value": repr(value)}
        if kind is list:
            return [self.encode(v, depth + 1) for v in value]
        if kind is tuple:
            return {"$": "tuple", "items": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            items = []
            for k, v in value.items():
                if type(k) not in (str, int, float, bool) and k is not None:
                    raise WireError(f"dict key of type {type(k).__name__} is not plain data")
                items.append([self.encode(k, depth + 1), self.encode(v, depth + 1)])
            return {"$": "dict", "items": items}
        module = kind.__module__ or ""
        torch = sys.modules.get("torch")
        if torch is not None and not module.startswith("torch") and isinstance(value, torch.nn.Module):
            return self._module(value, depth)  # a module class of the sender's own: refused, and says so
        if module.startswith("numpy"):
            return self._numpy(value)
        if module.startswith("torch"):
            return self._torch(value, depth)
        if module.startswith("pandas"):
            return self._pandas(value, depth)
        if self.keep is not None:
            return {"$": "handle", "id": self.keep(value), "type": _qualname(kind)[:100]}
        raise WireError(f"an object of type {_qualname(kind)} is not plain data")

    def _numpy(self, value: Any) -> Any:
        import numpy as np

        if type(value) is np.ndarray:
            dtype = value.dtype.name
            if dtype not in NUMERIC_DTYPES:
                raise WireError(f"a numpy array of dtype {dtype} cannot be sent")
            data = np.ascontiguousarray(value).tobytes()
            return {"$": "ndarray", "dtype": dtype, "shape": list(value.shape), "buf": self.buffer(data)}
        if isinstance(value, np.generic) and type(value).__module__ == "numpy":
            dtype = value.dtype.name
            if dtype not in NUMERIC_DTYPES:
                raise WireError(f"a numpy scalar of dtype {dtype} cannot be sent")
            return {"$": "npscalar", "dtype": dtype, "buf": self.buffer(value.tobytes())}
        raise WireError(f"an object of type {_qualname(type(value))} is not plain data")

    def _torch(self, value: Any, depth: int) -> Any:
        import torch

        if type(value) is torch.dtype:
            return {"$": "torch.dtype", "name": str(value).removeprefix("torch.")}
        if isinstance(value, torch.nn.Module):
            return self._module(value, depth)
        if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
            raise WireError(f"an object of type {_qualname(type(value))} is not plain data")
        data = value.detach()
        if data.layout != torch.strided or data.device.type != "cpu":
            raise WireError("only dense CPU tensors can be sent")
        dtype = str(data.dtype).removeprefix("torch.")
        if dtype not in NUMERIC_DTYPES:
            raise WireError(f"a tensor of dtype {dtype} cannot be sent")
        grad = value.grad if value.is_leaf else None
        return {
            "$": "tensor",
            "dtype": dtype,
            "shape": list(data.shape),
            "buf": self.buffer(data.contiguous().numpy().tobytes()),
            "requires_grad": bool(value.requires_grad),
            "is_leaf": bool(value.is_leaf),
            "has_grad_fn": value.grad_fn is not None,
            "parameter": type(value) is torch.nn.Parameter,
            "grad": None if grad is None else self._torch(grad, depth + 1),
        }

    def _module(self, module: Any, depth: int) -> Any:
        """A module of the vocabulary: its kind, its settings and its parameters, nothing else.
        A subclass, an unknown layer or a parameter the layer does not have is refused: the
        trusted side rebuilds layers from this vocabulary, so their code is never the child's."""
        import torch

        kind = type(module).__name__
        if kind not in MODULES or type(module) is not getattr(torch.nn, kind):
            raise WireError(f"a module of type {_qualname(type(module))} cannot be sent: only "
                            f"{', '.join(sorted(MODULES))} from torch.nn")
        if depth > MAX_DEPTH:
            raise WireError("value is nested too deeply")
        settings = {name: getattr(module, name) for name in MODULES[kind]}
        if kind == "Linear":
            settings["bias"] = module.bias is not None
        params = dict(module.named_parameters(recurse=False))
        expected = {"Linear": {"weight", "bias"} if settings.get("bias") else {"weight"}}.get(kind, set())
        if set(params) != expected or dict(module.named_buffers(recurse=False)):
            raise WireError(f"a {kind} with parameters or buffers of its own cannot be sent")
        # Every child in order, a layer used twice included (named_children() lists it once):
        # a stateless layer may well be reused (one nn.ReLU() between every two Linears); a layer
        # with parameters used twice shares its weights, which a rebuilt copy would not.
        children = list(getattr(module, "_modules", {}).items())
        if any(child is None for _, child in children):
            raise WireError(f"a {kind} with an empty slot cannot be sent")
        seen: set[int] = set()
        for _, child in children:
            if id(child) in seen and any(True for _ in child.parameters()):
                raise WireError(f"a {type(child).__name__} used twice in one model (shared weights) cannot be sent")
            seen.add(id(child))
        if kind != "Sequential" and children:
            raise WireError(f"a {kind} with sub-modules cannot be sent")
        if kind == "Sequential" and [name for name, _ in children] != [str(i) for i in range(len(children))]:
            raise WireError("a Sequential with named layers cannot be sent: build it from a list of layers")
        return {
            "$": "module", "kind": kind, "training": bool(module.training),
            "settings": {k: self.encode(v, depth + 1) for k, v in settings.items()},
            "params": {name: self._torch(p, depth + 1) for name, p in params.items()},
            "children": [self._module(child, depth + 1) for _, child in children],
        }

    def _pandas(self, value: Any, depth: int) -> Any:
        import pandas as pd

        kind = type(value)
        if kind is pd.DataFrame:
            return {
                "$": "dataframe",
                "columns": self._index(value.columns, depth),
                "index": self._index(value.index, depth),
                "data": [self._values(column, depth) for _, column in value.items()],  # by position
            }
        if kind is pd.Series:
            return {
                "$": "series",
                "name": self.encode(value.name, depth + 1),
                "index": self._index(value.index, depth),
                "data": self._values(value, depth),
            }
        if kind in (pd.RangeIndex, pd.Index):
            return self._index(value, depth)
        if value is pd.NA:
            return {"$": "pd.NA"}
        raise WireError(f"an object of type {_qualname(kind)} is not plain data")

    def _index(self, index: Any, depth: int) -> Any:
        import pandas as pd

        if type(index) is pd.RangeIndex:
            return {"$": "rangeindex", "start": index.start, "stop": index.stop,
                    "step": index.step, "name": self.encode(index.name, depth + 1)}
        if type(index) is not pd.Index:
            raise WireError(f"an index of type {_qualname(type(index))} cannot be sent")
        return {"$": "index", "name": self.encode(index.name, depth + 1), "data": self._values(index, depth)}

    def _values(self, values: Any, depth: int) -> Any:
        import numpy as np

        dtype = values.dtype
        name = str(dtype)
        if isinstance(dtype, np.dtype) and dtype.name in NUMERIC_DTYPES:
            array = np.ascontiguousarray(values.to_numpy())
            return {"dtype": dtype.name, "shape": [len(array)], "buf": self.buffer(array.tobytes())}
        if name == "category":
            return {"dtype": "category",
                    "categories": self._values(values.cat.categories if hasattr(values, "cat")
                                               else values.categories, depth),
                    "codes": self.encode(np.asarray(values.cat.codes if hasattr(values, "cat")
                                                    else values.codes, dtype="int64"), depth + 1)}
        if name not in LISTED_PANDAS_DTYPES:
            raise WireError(f"a pandas column of dtype {name} cannot be sent")
        # Text cells (the usual case) are sent as they are; anything else goes through encode.
        items = [v if v is None or type(v) is str else self.encode(_scalar(v), depth + 1) for v in values.tolist()]
        return {"dtype": name, "items": items}


def _scalar(value: Any) -> Any:
    """A pandas cell as a plain Python scalar (missing values become None or nan)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    import pandas as pd

    if value is pd.NA:
        return None
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        return value.item()
    raise WireError(f"a pandas cell of type {_qualname(type(value))} cannot be sent")


def _qualname(kind: type) -> str:
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", getattr(kind, "__name__", "?"))
    return name if module in ("builtins", "") else f"{module}.{name}"


def encode(*values: Any, keep: Callable[[Any], int] | None = None,
           refer: Callable[[Any], int | None] | None = None) -> tuple[list[Any], list[bytes]]:
    """Encode values that share one list of buffers; returns (trees, buffers).

    ``keep`` (the child's side) turns an object that is not plain data into a handle: it
    stores the object and returns its id. ``refer`` (the trusted side) gives the id of a
    stand-in for such an object, or None for anything else."""
    encoder = _Encoder(keep, refer)
    trees = [encoder.encode(value) for value in values]
    return trees, encoder.buffers


def inputs_of(*values: Any) -> list[Any]:
    """The tensors and frames in ``values``, in the order a decoder meets them (and so the
    order the child reports them back in): a series or frame counts once, its index does not."""
    found: list[Any] = []

    def walk(value: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        kind = type(value)
        if kind in (list, tuple):
            for v in value:
                walk(v, depth + 1)
        elif kind is dict:
            for k, v in value.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
        elif (kind.__module__ or "").startswith("torch") and kind.__name__ in ("Tensor", "Parameter"):
            found.append(value)
        elif (kind.__module__ or "").startswith("pandas") and kind.__name__ in ("DataFrame", "Series"):
            found.append(value)
        elif (kind.__module__ or "").startswith("torch.nn") and kind.__name__ in MODULES:
            found.append(value)

    for value in values:
        walk(value, 0)
    return found


# --------------------------------------------------------------------------- decoding


class _Decoder:
    def __init__(self, buffers: list[bytes], *, live: bool, handle: Callable[[int, str], Any] | None = None) -> None:
        self.buffers = buffers
        self.live = live
        self.handle = handle
        self.tensors: list[Any] = []

    def buf(self, index: Any) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("frame refers to a buffer that is not there")
        return self.buffers[index]

    def decode(self, tree: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value is nested too deeply")
        if tree is None or type(tree) in (bool, int, float, str):
            return tree
        if type(tree) is list:
            return [self.decode(v, depth + 1) for v in tree]
        if type(tree) is not dict:
            raise WireError("malformed value")
        tag = tree.get("$")
        if tag == "float":
            text = tree.get("value")
            if text not in ("nan", "inf", "-inf"):
                raise WireError("malformed float")
            return float(text)
        if tag == "tuple":
            return tuple(self.decode(v, depth + 1) for v in _list(tree, "items"))
        if tag == "dict":
            out = {}
            for pair in _list(tree, "items"):
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("malformed dict")
                key = self.decode(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool) and key is not None:
                    raise WireError("malformed dict key")
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if tag == "ndarray":
            return self._array(tree)
        if tag == "npscalar":
            import numpy as np

            dtype = _dtype(tree)
            data = self.buf(tree.get("buf"))
            if len(data) != np.dtype(dtype).itemsize:
                raise WireError("numpy scalar has the wrong number of bytes")
            return np.frombuffer(data, dtype=dtype)[0].copy()
        if tag == "torch.dtype":
            import torch

            name = tree.get("name")
            if name not in NUMERIC_DTYPES:
                raise WireError("unknown torch dtype")
            return getattr(torch, name)
        if tag == "tensor":
            return self._tensor(tree, depth)
        if tag == "handle":
            number, kind = tree.get("id"), tree.get("type", "")
            if self.handle is None or type(number) is not int or type(kind) is not str:
                raise WireError("malformed handle" if self.handle else "unexpected handle")
            return self.handle(number, kind[:100])
        if tag == "module":
            module = self._module(tree, depth)
            self.tensors.append(module)
            return module
        if tag == "dataframe":
            return self._frame(tree, depth)
        if tag == "series":
            import pandas as pd

            index = self._index(tree.get("index"), depth)
            series = pd.Series(self._values(tree.get("data"), depth), index=index,
                               name=self.decode(tree.get("name"), depth + 1), copy=False)
            self.tensors.append(series)
            return series
        if tag in ("rangeindex", "index"):
            return self._index(tree, depth)
        if tag == "pd.NA":
            import pandas as pd

            return pd.NA
        raise WireError("unknown value tag")

    def _array(self, tree: dict) -> Any:
        import numpy as np

        dtype = _dtype(tree)
        shape = tree.get("shape")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("malformed shape")
        data = self.buf(tree.get("buf"))
        if len(data) != math.prod(shape) * np.dtype(dtype).itemsize:
            raise WireError("array has the wrong number of bytes for its shape")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def _tensor(self, tree: dict, depth: int, report: bool = True) -> Any:
        import torch

        array = self._array(tree)
        try:
            tensor = torch.from_numpy(array)
        except TypeError as exc:
            raise WireError("a tensor of a dtype torch cannot rebuild") from None
        info = {key: tree.get(key) for key in ("requires_grad", "is_leaf", "has_grad_fn", "parameter")}
        if not all(type(v) is bool for v in info.values()):
            raise WireError("malformed tensor flags")
        grad_tree = tree.get("grad")
        if self.live:
            if info["parameter"]:
                tensor = torch.nn.Parameter(tensor, requires_grad=info["requires_grad"])
            elif info["requires_grad"]:
                tensor.requires_grad_(True)
            if grad_tree is not None:
                tensor.grad = self._tensor(grad_tree, depth + 1, report=False)
            if report:
                self.tensors.append(tensor)
            return tensor
        grad = None if grad_tree is None else self._tensor(grad_tree, depth + 1, report=False)
        if report:
            self.tensors.append(TensorReport(tensor, info, grad))
        return tensor

    def _module(self, tree: Any, depth: int) -> Any:
        """Rebuild a module from the vocabulary, with fresh parameters holding the sent values."""
        import torch

        if depth > MAX_DEPTH:
            raise WireError("value is nested too deeply")
        if type(tree) is not dict or tree.get("$") != "module" or tree.get("kind") not in MODULES:
            raise WireError("malformed module")
        kind = tree["kind"]
        settings, params, children = tree.get("settings"), tree.get("params"), _list(tree, "children")
        if type(settings) is not dict or type(params) is not dict or type(tree.get("training")) is not bool:
            raise WireError("malformed module")
        wanted = set(MODULES[kind]) | ({"bias"} if kind == "Linear" else set())
        if set(settings) != wanted:
            raise WireError(f"malformed {kind} settings")
        values = {k: self.decode(v, depth + 1) for k, v in settings.items()}
        if not all(v is None or type(v) in (bool, int, float) for v in values.values()):
            raise WireError(f"malformed {kind} settings")
        if kind != "Sequential" and children:
            raise WireError(f"a {kind} has no sub-modules")
        try:
            if kind == "Sequential":
                module = torch.nn.Sequential(*[self._module(c, depth + 1) for c in children])
            elif kind == "Linear":
                sizes = (values["in_features"], values["out_features"])
                if not all(type(n) is int and 0 <= n <= 1 << 20 for n in sizes) or type(values["bias"]) is not bool:
                    raise WireError("malformed Linear settings")
                module = torch.nn.Linear(*sizes, bias=values["bias"], device="meta")
            else:
                module = getattr(torch.nn, kind)(**values)
        except (TypeError, ValueError) as exc:
            raise WireError(f"malformed {kind} settings") from None
        expected = {"weight", "bias"} if kind == "Linear" and values["bias"] else {"weight"} if kind == "Linear" else set()
        if set(params) != expected:
            raise WireError(f"malformed {kind} parameters")
        for name, ptree in params.items():
            if type(ptree) is not dict or ptree.get("$") != "tensor":
                raise WireError(f"malformed {kind} parameters")
            tensor = self._tensor(ptree, depth + 1, report=False)
            data = tensor.detach() if self.live else tensor
            if tuple(data.shape) != tuple(getattr(module, name).shape):
                raise WireError(f"a {kind} parameter of the wrong shape")
            parameter = torch.nn.Parameter(data.clone(), requires_grad=bool(ptree.get("requires_grad")))
            grad_tree = ptree.get("grad")
            if grad_tree is not None:
                grad = self._tensor(grad_tree, depth + 2, report=False)
                parameter.grad = grad.detach() if isinstance(grad, torch.Tensor) else grad
            setattr(module, name, parameter)
        module.train(tree["training"])
        return module

    def _frame(self, tree: dict, depth: int) -> Any:
        import pandas as pd

        columns = self._index(tree.get("columns"), depth)
        index = self._index(tree.get("index"), depth)
        data = _list(tree, "data")
        if len(data) != len(columns):
            raise WireError("frame has a different number of columns and column names")
        values = [self._values(col, depth) for col in data]
        if any(len(v) != len(index) for v in values):
            raise WireError("frame columns have different lengths")
        frame = pd.DataFrame(dict(enumerate(values)), index=index, copy=False)
        frame.columns = columns
        self.tensors.append(frame)
        return frame

    def _index(self, tree: Any, depth: int) -> Any:
        import pandas as pd

        if type(tree) is not dict:
            raise WireError("malformed index")
        if tree.get("$") == "rangeindex":
            bounds = [tree.get(k) for k in ("start", "stop", "step")]
            if not all(type(b) is int for b in bounds) or bounds[2] == 0:
                raise WireError("malformed range index")
            return pd.RangeIndex(*bounds, name=self.decode(tree.get("name"), depth + 1))
        if tree.get("$") == "index":
            return pd.Index(self._values(tree.get("data"), depth), name=self.decode(tree.get("name"), depth + 1))
        raise WireError("malformed index")

    def _values(self, tree: Any, depth: int) -> Any:
        import pandas as pd

        if type(tree) is not dict:
            raise WireError("malformed column")
        dtype = tree.get("dtype")
        if dtype in NUMERIC_DTYPES:
            shape = tree.get("shape")
            if type(shape) is not list or len(shape) != 1:
                raise WireError("malformed column")
            return self._array(tree)
        if dtype == "category":
            categories = self._values(tree.get("categories"), depth)
            codes = self.decode(tree.get("codes"), depth + 1)
            return pd.Categorical.from_codes(codes, categories=categories)
        if dtype in LISTED_PANDAS_DTYPES:
            items = [v if v is None or type(v) is str else self.decode(v, depth + 1) for v in _list(tree, "items")]
            if not all(v is None or type(v) in (bool, int, float, str) for v in items):
                raise WireError("malformed column values")
            return pd.array(items, dtype=dtype)
        raise WireError("a column dtype that is not allowed")


class TensorReport:
    """A tensor as the child saw it: its values (a plain tensor) and its autograd state."""

    __slots__ = ("tensor", "requires_grad", "is_leaf", "has_grad_fn", "parameter", "grad")

    def __init__(self, tensor: Any, info: dict, grad: Any) -> None:
        self.tensor = tensor
        self.requires_grad = info["requires_grad"]
        self.is_leaf = info["is_leaf"]
        self.has_grad_fn = info["has_grad_fn"]
        self.parameter = info["parameter"]
        self.grad = grad

    def __repr__(self) -> str:
        return f"TensorReport({self.tensor!r}, requires_grad={self.requires_grad})"


def _list(tree: dict, key: str) -> list:
    value = tree.get(key)
    if type(value) is not list:
        raise WireError(f"malformed value: {key} is not a list")
    return value


def _dtype(tree: dict) -> str:
    dtype = tree.get("dtype")
    if dtype not in NUMERIC_DTYPES:
        raise WireError("a dtype that is not allowed")
    return dtype


def decode(tree: Any, buffers: list[bytes], *, live: bool = False,
           handle: Callable[[int, str], Any] | None = None) -> tuple[Any, list[Any]]:
    """Decode a tree built by ``encode``.

    With ``live=False`` (the trusted side) tensors come back as plain tensors and
    their autograd state as ``TensorReport`` entries of the second element; with
    ``live=True`` (the child) tensors are rebuilt as leaves that require grad when
    the sender's did. Returns (value, the tensors/frames met on the way, in order).
    """
    decoder = _Decoder(buffers, live=live, handle=handle)
    try:
        return decoder.decode(tree), decoder.tensors
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        if isinstance(exc, WireError):
            raise
        # numpy, pandas and torch refusing what they were given: their messages quote it.
        raise WireError("values that cannot be rebuilt") from None


# --------------------------------------------------------------------------- framing


def send(sock: socket.socket, header: dict, buffers: list[bytes] = (), *, deadline: float | None = None) -> None:
    """Write one frame; with a ``deadline`` (``time.monotonic()``), ``TimeoutError`` once it passes."""
    header = dict(header, buffers=[len(b) for b in buffers])
    head = json.dumps(header, allow_nan=False).encode()
    total = sum(len(b) for b in buffers)
    first = _HEAD.pack(len(head), total) + head
    # A small frame goes in one write (one wake-up of the reader); a large one buffer by buffer,
    # without copying them together.
    parts = (first + b"".join(buffers),) if total <= _ONE_WRITE else (first, *buffers)
    for data in parts:
        _until(sock, deadline)
        sock.sendall(data)


def recv(sock: socket.socket, limit: int, *, header_limit: int | None = None,
         deadline: float | None = None) -> tuple[dict, list[bytes]]:
    """Read one frame; ``WireError`` if it is malformed or larger than ``limit`` bytes (its JSON
    header larger than ``header_limit``); with a ``deadline``, ``TimeoutError`` once it passes,
    however slowly the bytes trickle in."""
    # One read takes what has arrived, up to _ONE_WRITE bytes: a small frame whole, in one go.
    # A frame is the only thing the other side may send before it hears back, so bytes past
    # its end are malformed.
    data = _recv_exact(sock, _HEAD.size, deadline, most=_ONE_WRITE)
    head_len, total = _HEAD.unpack_from(data)
    if head_len + total > limit:
        raise WireError(f"the result is larger than the limit of {limit // 1_000_000} MB")
    if header_limit is not None and head_len > header_limit:
        raise WireError(f"the result's structure is larger than the limit of {header_limit // 1_000_000} MB")
    if len(data) > _HEAD.size + head_len + total:
        raise WireError("bytes after the end of the frame")
    head_end = _HEAD.size + head_len
    if len(data) < head_end:
        data += _recv_exact(sock, head_end - len(data), deadline)
    try:
        header = json.loads(data[_HEAD.size:head_end])
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError("malformed frame header") from exc
    sizes = header.get("buffers") if type(header) is dict else None
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes) or sum(sizes) != total:
        raise WireError("malformed frame header")
    blob = data[head_end:]
    if len(blob) < total:
        blob += _recv_exact(sock, total - len(blob), deadline)
    buffers, start = [], 0
    for n in sizes:
        buffers.append(blob[start:start + n])
        start += n
    return header, buffers


def _until(sock: socket.socket, deadline: float | None) -> None:
    """Give the next socket operation only the time left before ``deadline`` (if any)."""
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("timed out")
    sock.settimeout(remaining)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None = None, most: int = 0) -> bytes:
    """``n`` bytes; with ``most``, whatever more has already arrived, up to ``most`` in all."""
    chunks, remaining = [], n
    first = max(most, n)
    while remaining > 0:
        _until(sock, deadline)
        chunk = sock.recv(min(first if not chunks else remaining, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
