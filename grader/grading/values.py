"""How a check writes and compares values: ``show`` (pasteable Python), ``brief`` (a bounded
description of anything a submission returned), ``describe`` (a value's kind), ``show_call``,
and ``mismatch`` (why a value is not the expected one, for tensors, arrays, frames, numbers,
lists and models). Check modules import these from ``grader.checking``, their one face.

Comparisons are strict about type, shape and dtype, tolerant about float rounding, and explain
a mismatch in words a student can act on. ``public=False`` messages say what differs without
showing the input or any of its values. The work on a returned value is bounded by the expected
value's size (caps in grader/bounds.py).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import torch

from grader.bounds import DESCRIBE_CHARS, DESCRIBE_INT_DIGITS, DESCRIBE_ITEMS

RTOL = 1e-5
ATOL = 1e-6


def describe(value: Any) -> str:
    """A short description of a value's kind: 'a tensor of shape (3,) and dtype torch.float32'."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of shape {value.shape}"
    if value is None:
        return "None"
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"a {name}"


def _kind(value: Any, public: bool) -> str:
    """``describe(value)`` on a public check; on a hidden one without its sizes, which are the
    child's choice (and the expected value's come from the hidden input)."""
    if public:
        return describe(value)
    for kind, text in ((torch.Tensor, "a tensor"), (np.ndarray, "a numpy array"), (pd.DataFrame, "a DataFrame")):
        if isinstance(value, kind):
            return text
    return describe(value)


def show(value: Any, limit: int | None = None) -> str:
    """A value as Python a student can paste (``torch``, ``np`` and ``pd`` imported): floats
    round-trip for their dtype, missing values are ``None``/``float('nan')``. In full only when no
    ``limit`` is given, for the trusted side's own values (a public call, which must rerun as
    shown); with a ``limit`` it is ``brief(value, limit)``, which looks at a bounded part of it."""
    if limit is not None:
        return brief(value, limit)
    writer = _Writer()
    text = writer.write(value)
    if writer.setup:  # a tensor with a .grad needs a name: show it as statements
        text = "; ".join([*writer.setup, text])
    return text


def brief(value: Any, limit: int = DESCRIBE_CHARS) -> str:
    """A bounded description of ``value``, the way to show anything a submission returned: Python
    as ``show`` writes it when the value is small, else its kind and size ("a tensor of shape
    (20000000,) and dtype torch.float32", "[1, 2, 3, ...]"). It looks at no more than
    ``DESCRIBE_ITEMS`` elements and about ``limit`` characters (grader/bounds.py), whatever the
    value's size, and is at most ``limit`` characters long."""
    text = _Brief(limit).write(value)
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


class _Brief:
    """Writes at most about ``limit`` characters of a value, visiting at most ``DESCRIBE_ITEMS``
    of its elements in all: containers stop with "...", large arrays and frames are described."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items = DESCRIBE_ITEMS

    def _take(self, n: int) -> bool:
        """Spend ``n`` elements of the budget, if that many are left."""
        if n > self.items:
            return False
        self.items -= n
        return True

    def write(self, value: Any, depth: int = 0) -> str:
        if depth > 32:
            return "..."
        if isinstance(value, torch.Tensor):
            data = value.detach()
            if not self._take(data.numel()):
                return describe(value)
            return _Writer()._tensor(data)
        if isinstance(value, np.ndarray):
            if value.size > self.items:
                return describe(value)
            if value.dtype.kind in "OSUV":  # text or objects: each element written within the bounds
                return f"np.array({self.write(value.tolist(), depth + 1)})"
            self._take(value.size)
            return _Writer()._array(value)
        if isinstance(value, pd.DataFrame):
            return self._frame(value, depth)
        if isinstance(value, pd.Series):
            if len(value) > self.items:
                return f"a Series of length {len(value)}"
            return f"pd.Series({self._sequence(value.tolist(), '[', ']', depth)})"
        if isinstance(value, torch.nn.Module):
            if sum(1 for _ in itertools.islice(_every_module(value), self.items + 1)) > self.items:
                return f"an nn.{type(value).__name__} of more than {DESCRIBE_ITEMS} layers"
            return module_text(value)
        if isinstance(value, (str, bytes)):  # numpy's str_ and bytes_ too
            return repr(value[: self.limit]) + ("..." if len(value) > self.limit else "")
        if type(value) is int:
            if value.bit_length() > DESCRIBE_INT_DIGITS * 3:
                return f"an int of about {int(value.bit_length() * 0.30103) + 1} digits"
            return repr(value)
        if type(value) is float:
            return _float(value)
        if type(value) is list:
            return self._sequence(value, "[", "]", depth)
        if type(value) is tuple:
            text = self._sequence(value, "(", ")", depth)
            return text[:-1] + ",)" if len(value) == 1 else text
        if type(value) is dict:
            return self._sequence(value.items(), "{", "}", depth, pairs=True)
        if value is None or value is pd.NA or value is pd.NaT:
            return "None"
        if type(value) is bool or isinstance(value, (np.generic, torch.dtype)):
            return repr(value)
        return describe(value)

    def _sequence(self, values: Any, opening: str, closing: str, depth: int, pairs: bool = False) -> str:
        parts, length = [], 0
        for item in values:
            if length > self.limit or not self._take(1):
                parts.append("...")
                break
            text = f"{self.write(item[0], depth + 1)}: {self.write(item[1], depth + 1)}" if pairs \
                else self.write(item, depth + 1)
            parts.append(text)
            length += len(text) + 2
        return opening + ", ".join(parts) + closing

    def _frame(self, value: pd.DataFrame, depth: int) -> str:
        rows, columns = value.shape
        if columns == 0 or rows > self.items or rows * columns + columns > self.items:
            return describe(value)
        parts = [f"{self.write(c, depth + 1)}: {self._sequence(value.iloc[:, i].tolist(), '[', ']', depth + 1)}"
                 for i, c in enumerate(value.columns)]
        index = "" if _default_index(value.index) else \
            f", index={self._sequence(value.index.tolist(), '[', ']', depth + 1)}"
        return f"pd.DataFrame({{{', '.join(parts)}}}{index})"


def show_call(function: str, args: tuple, kwargs: dict | None = None) -> str:
    """A call as Python a student can paste and rerun, in full: 'calc_preds(torch.tensor(...), ...)'.
    Tensors that carry a gradient are set up first: 'p1 = torch.tensor(...); p1.grad = ...; f([p1])'."""
    writer = _Writer()
    parts = [writer.write(a) for a in args] + [f"{k}={writer.write(v)}" for k, v in (kwargs or {}).items()]
    return "; ".join([*writer.setup, f"{function}({', '.join(parts)})"])


_DEFAULT_DTYPES = {torch.float32, torch.int64, torch.bool}
_NUMPY_DEFAULTS = {np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_)}


def _float(x: float, kind: Any = float) -> str:
    """A float literal that gives back the same value of its dtype: the shortest one."""
    if math.isnan(x):
        return "float('nan')"
    if math.isinf(x):
        return "float('inf')" if x > 0 else "-float('inf')"
    text = str(kind(x)) if kind is not float else repr(x)
    return text if any(c in text for c in ".e") else text + ".0"


def _float_kind(dtype: Any) -> Any:
    """The numpy scalar type whose shortest repr round-trips ``dtype``'s values (float for the rest)."""
    name = str(dtype).removeprefix("torch.")
    return {"float32": np.float32, "float16": np.float16, "half": np.float16}.get(name, float)


class _Writer:
    """Writes values as Python expressions; collects the statements some of them need first."""

    def __init__(self) -> None:
        self.setup: list[str] = []

    def write(self, value: Any) -> str:
        if isinstance(value, torch.Tensor):
            return self._tensor(value)
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, pd.DataFrame):
            return self._frame(value)
        if isinstance(value, pd.Series):
            return self._series(value)
        if isinstance(value, torch.nn.Module):
            return module_text(value)
        if type(value) is float:
            return _float(value)
        if type(value) is list:
            return "[" + ", ".join(self.write(v) for v in value) + "]"
        if type(value) is tuple:
            inner = ", ".join(self.write(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if type(value) is dict:
            return "{" + ", ".join(f"{self.write(k)}: {self.write(v)}" for k, v in value.items()) + "}"
        return repr(value)

    def _tensor(self, value: torch.Tensor) -> str:
        data = value.detach()
        default = data.dtype in _DEFAULT_DTYPES and (data.numel() > 0 or data.dtype == torch.float32)
        dtype = "" if default else f", dtype={data.dtype}"
        if data.numel() == 0 and data.dim() != 1:
            text = f"torch.empty({', '.join(str(n) for n in data.shape)}{dtype})"
        else:
            kind = _float_kind(data.dtype)
            text = f"torch.tensor({_nested(data.tolist(), kind)}{dtype})"
        if isinstance(value, torch.nn.Parameter):
            text = f"torch.nn.Parameter({text}" + (")" if value.requires_grad else ", requires_grad=False)")
        elif value.requires_grad:
            text = text[:-1] + ", requires_grad=True)"
        if value.grad is None:
            return text
        name = f"p{sum(line.count('.grad = ') for line in self.setup) + 1}"
        self.setup += [f"{name} = {text}", f"{name}.grad = {self._tensor(value.grad)}"]
        return name

    def _array(self, value: np.ndarray) -> str:
        default = value.dtype in _NUMPY_DEFAULTS and (value.size > 0 or value.dtype == np.float64)
        dtype = "" if default else f", dtype=np.{value.dtype.name}"
        if value.size == 0 and value.ndim != 1:
            return f"np.empty({value.shape}{dtype})"
        return f"np.array({_nested(value.tolist(), _float_kind(value.dtype))}{dtype})"

    def _frame(self, value: pd.DataFrame) -> str:
        """pd.DataFrame({...}): a column whose dtype the constructor would not infer from its
        values (object text, nullable integers, ...) is written as a pd.Series with its dtype."""
        index = "" if _default_index(value.index) else f"index={self.write(value.index.tolist())}"
        plain = pd.DataFrame({c: [None if _missing(v) else v for v in value[c].tolist()] for c in value.columns},
                             index=value.index, columns=value.columns)
        parts = []
        for column in value.columns:
            cells = f"[{', '.join(_cell(v) for v in value[column].tolist())}]"
            if plain[column].dtype != value[column].dtype:
                cells = f"pd.Series({cells}{', ' + index if index else ''}, dtype={str(value[column].dtype)!r})"
            parts.append(f"{self.write(column)}: {cells}")
        return f"pd.DataFrame({{{', '.join(parts)}}}{', ' + index if index else ''})"

    def _series(self, value: pd.Series) -> str:
        cells = ", ".join(_cell(v) for v in value.tolist())
        index = "" if _default_index(value.index) else f", index={self.write(value.index.tolist())}"
        name = "" if value.name is None else f", name={self.write(value.name)}"
        return f"pd.Series([{cells}]{index}{name}, dtype={str(value.dtype)!r})"


def _every_module(module: Any) -> Any:
    """``module`` and everything inside it, a module held twice counted twice (lazily)."""
    yield module
    for child in module._modules.values():
        if child is not None:
            yield from _every_module(child)


def _nested(values: Any, kind: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v, kind) for v in values) + "]"
    if isinstance(values, float):
        return _float(values, kind)
    return repr(values)


def _missing(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _cell(value: Any) -> str:
    """One value of a frame's column: None where it is missing."""
    if _missing(value):
        return "None"
    if isinstance(value, float):
        return _float(value)
    return repr(value)


def _default_index(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None


def mismatch(got: Any, want: Any, *, public: bool, rtol: float = RTOL, atol: float = ATOL) -> str | None:
    """Why ``got`` is not ``want`` (None when they agree)."""
    if isinstance(want, torch.Tensor):
        return _tensor_mismatch(got, want, public, rtol, atol)
    if isinstance(want, torch.nn.Module):
        return model_mismatch(got, want, public=public, rtol=rtol, atol=atol)
    if isinstance(want, pd.DataFrame):
        return _frame_mismatch(got, want, public, rtol, atol)
    if isinstance(want, np.ndarray):
        return _array_mismatch(got, want, public, rtol, atol)
    if isinstance(want, float):
        if type(got) is not float:
            return f"expected a Python float, got {_kind(got, public)}" + (
                " (wrap the result in float(...))" if isinstance(got, (np.floating, int)) else "")
        if math.isnan(want) and math.isnan(got):
            return None
        if math.isclose(got, want, rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {want!r}, got {got!r}" if public else "the value differs from the expected one"
    if type(got) is not type(want):
        return f"expected {_kind(want, public)}, got {_kind(got, public)}"
    if type(want) in (list, tuple) and any(isinstance(w, (float, torch.Tensor, np.ndarray, pd.DataFrame, list, tuple))
                                           for w in want):
        # Item by item, each with its own tolerance (a list of losses, a pair of floats).
        if len(got) != len(want):
            return f"expected {len(want)} items, got {len(got)}" if public else \
                "the number of items differs from the expected one"
        for i, (g, w) in enumerate(zip(got, want)):
            problem = mismatch(g, w, public=public, rtol=rtol, atol=atol)
            if problem:
                return f"item {i}: {problem}"
        return None
    if type(want) in (list, tuple, dict, str) and len(got) != len(want):  # sizes first: got's is the child's
        if not public:
            return "the value differs from the expected one"
        return f"expected {want!r}, got {brief(got)}"
    if got != want:
        return f"expected {want!r}, got {brief(got)}" if public else "the value differs from the expected one"
    return None


def _tensor_mismatch(got: Any, want: torch.Tensor, public: bool, rtol: float, atol: float) -> str | None:
    if type(got) is not torch.Tensor:
        return f"expected {_kind(want, public)}, got {_kind(got, public)}"
    problem = _layout_mismatch(tuple(got.shape), tuple(want.shape), got.dtype, want.dtype, public)
    if problem:
        return problem
    got_d, want_d = got.detach(), want.detach()
    if want_d.is_floating_point():
        close = torch.isclose(got_d, want_d, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got_d == want_d
    if bool(close.all()):
        return None
    return _differing(close.numpy(), _as_array(got_d), _as_array(want_d), public)


def _layout_mismatch(got_shape: tuple, want_shape: tuple, got_dtype: Any, want_dtype: Any, public: bool) -> str | None:
    """A tensor's or an array's shape, then dtype, against the expected one's (None when both agree)."""
    if got_shape != want_shape:
        return f"expected shape {want_shape}, got shape {got_shape}" if public else "the shape differs from the expected one"
    if got_dtype != want_dtype:
        return f"expected dtype {want_dtype}, got dtype {got_dtype}"
    return None


def _as_array(tensor: torch.Tensor) -> np.ndarray:
    """A tensor's values as numpy holds them (bfloat16, which numpy lacks, as float64)."""
    tensor = tensor.resolve_conj().resolve_neg()
    return (tensor.double() if tensor.dtype == torch.bfloat16 else tensor).numpy()


def _array_mismatch(got: Any, want: np.ndarray, public: bool, rtol: float, atol: float) -> str | None:
    if type(got) is not np.ndarray:
        return f"expected {_kind(want, public)}, got {_kind(got, public)}"
    problem = _layout_mismatch(got.shape, want.shape, got.dtype, want.dtype, public)
    if problem:
        return problem
    if np.issubdtype(want.dtype, np.floating):
        close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got == want
    return None if close.all() else _differing(close, got, want, public)


def _differing(close: np.ndarray, got: np.ndarray, want: np.ndarray, public: bool) -> str:
    """How many values are not ``close``; on a public check, the first of them too."""
    if not public:  # how many differ is the child's choice, and the size is the hidden input's
        return "some values differ from the expected ones"
    bad = np.argwhere(~close)
    text = f"{len(bad)} of {want.size} values differ"
    if want.ndim == 0:
        return f"expected {want.item()!r}, got {got.item()!r}"
    first = tuple(int(i) for i in bad[0])
    return f"{text}; at index {first if len(first) > 1 else first[0]} expected {want[first].item():.6g}, " \
           f"got {got[first].item():.6g}"


def _frame_mismatch(got: Any, want: pd.DataFrame, public: bool, rtol: float, atol: float) -> str | None:
    if type(got) is not pd.DataFrame:
        return f"expected {_kind(want, public)}, got {_kind(got, public)}"
    # Sizes first, so that no comparison works on more than the expected frame holds.
    if len(got.columns) != len(want.columns) or list(got.columns) != list(want.columns):
        if not public:
            return "the columns differ from the expected ones"
        return f"expected columns {list(want.columns)}, got {brief(list(got.columns[:DESCRIBE_ITEMS + 1]))}"
    if len(got) != len(want):
        return f"expected {len(want)} rows, got {len(got)}" if public else "the number of rows differs from the expected one"
    if not got.index.equals(want.index):
        return "the row index differs from the input's (keep the original index)"
    if got.dtypes.equals(want.dtypes) and got.equals(want):
        return None  # the usual case, settled at once
    for column in want.columns:
        g, w = got[column], want[column]
        if g.dtype != w.dtype:
            return f"column {column!r}: expected dtype {w.dtype}, got {g.dtype}"
        g_missing, w_missing = g.isna().to_numpy(), w.isna().to_numpy()
        if (g_missing != w_missing).any():
            row = int(np.argmax(g_missing != w_missing))
            where = f" (row {got.index[row]!r})" if public else ""
            state = "missing" if w_missing[row] else "filled"
            return f"column {column!r}: a value that should be {state} is not{where}"
        keep = ~w_missing
        gv, wv = g.to_numpy()[keep], w.to_numpy()[keep]
        if np.issubdtype(wv.dtype, np.floating):
            same = np.isclose(gv.astype(float), wv.astype(float), rtol=rtol, atol=atol)
        else:
            same = np.array([a == b for a, b in zip(gv, wv)], dtype=bool)
        if not same.all():
            row = int(np.argmax(~same))
            if public:
                return f"column {column!r}, row {g[keep].index[row]!r}: expected {wv[row]!r}, got {brief(gv[row])}"
            return f"column {column!r}: some values differ from the expected ones"
    return None


class Code:
    """A name or expression to show as it is in a call ("model"), for an argument set up before it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- models
#
# nn.Modules cross the sandbox's boundary as a whitelisted vocabulary of layers
# (grader/sandbox/wire.py, ``MODULES``): the trusted side rebuilds every module it receives
# from that vocabulary, so what a check compares here are PyTorch's own layers.


def layer_text(layer: Any) -> str:
    """One layer as its constructor: 'Linear(16, 4)', 'ReLU()', 'Dropout(p=0.5)'."""
    from grader.sandbox.wire import MODULES

    kind = type(layer).__name__
    if kind == "Linear":
        bias = "" if layer.bias is not None else ", bias=False"
        return f"Linear({layer.in_features}, {layer.out_features}{bias})"
    if kind == "Sequential":
        return f"Sequential({', '.join(layer_text(child) for child in layer)})"
    defaults = {"inplace": False, "p": 0.5, "start_dim": 1, "end_dim": -1}
    settings = [f"{name}={getattr(layer, name)!r}" for name in MODULES.get(kind, ())
                if name in ("dim", "p", "start_dim", "end_dim", "inplace")
                and getattr(layer, name) != defaults.get(name, object())]
    return f"{kind}({', '.join(settings)})"


def _layer_brief(layer: Any) -> str:
    """``layer_text`` of a model a submission returned, when it has at most ``DESCRIBE_ITEMS`` layers
    in all (else its kind and that it has more): the work is bounded whatever the model."""
    if sum(1 for _ in itertools.islice(_every_module(layer), DESCRIBE_ITEMS + 1)) > DESCRIBE_ITEMS:
        return f"a {type(layer).__name__} of more than {DESCRIBE_ITEMS} layers"
    return layer_text(layer)


def module_text(module: Any) -> str:
    """A module as Python that builds one of its structure (its weights are not shown); a layer
    (or a whole Sequential) whose parameters are all frozen ends in ``.requires_grad_(False)``."""
    params = list(module.parameters())
    if params and not any(p.requires_grad for p in params):
        return _module_code(module, frozen_shown=True) + ".requires_grad_(False)"
    return _module_code(module, frozen_shown=False)


def _module_code(module: Any, frozen_shown: bool) -> str:
    if type(module).__name__ == "Sequential":
        inner = (_module_code(c, True) if frozen_shown else module_text(c) for c in module)
        return f"torch.nn.Sequential({', '.join(inner)})"
    return "torch.nn." + layer_text(module)


def _layers(module: Any) -> list[Any]:
    return list(module) if type(module).__name__ == "Sequential" else []


def model_mismatch(got: Any, want: Any, *, public: bool, values: bool = True, rtol: float = RTOL,
                   atol: float = ATOL, where: str = "") -> str | None:
    """Why the model ``got`` is not ``want``: its kind of layer, its layers, their sizes and
    settings, then (``values``) every parameter's values and whether it requires gradients."""
    here = f"{where}: " if where else ""
    if not isinstance(got, torch.nn.Module) or type(got) is not type(want):
        if not where:
            kind = f"an nn.{type(got).__name__}" if isinstance(got, torch.nn.Module) else describe(got)
            return f"expected an nn.{type(want).__name__}, got {kind}"
        return f"{here}expected {layer_text(want)}, got {_layer_brief(got)}" if public else f"{here}is not the expected kind of layer"
    if type(want).__name__ == "Sequential":
        mine, theirs = _layers(got), _layers(want)
        if len(mine) != len(theirs):
            if not public:
                return f"{here}the model has {'more' if len(mine) > len(theirs) else 'fewer'} layers than expected"
            return f"{here}expected {len(theirs)} layers, got {len(mine)}: expected {layer_text(want)}, got {_layer_brief(got)}"
        for i, (g, w) in enumerate(zip(mine, theirs)):
            problem = model_mismatch(g, w, public=public, values=values, rtol=rtol, atol=atol,
                                     where=f"{where}.{i}" if where else f"layer {i}")
            if problem:
                return problem
        return None
    if layer_text(got) != layer_text(want):
        return f"{here}expected {layer_text(want)}, got {layer_text(got)}" if public \
            else f"{here}is not the expected {type(want).__name__} (its sizes or settings differ)"
    if not values:
        return None
    mine, theirs = dict(got.named_parameters()), dict(want.named_parameters())
    for name, w in theirs.items():
        g = mine.get(name)
        if g is None:
            return f"{here}has no {name}"
        if g.requires_grad != w.requires_grad:
            state = "require" if w.requires_grad else "not require"
            return f"{here}the {name} should {state} gradients"
        problem = _tensor_mismatch(g.detach(), w.detach(), public, rtol, atol)
        if problem:
            return f"{here}its {name}: {problem}"
    return None
