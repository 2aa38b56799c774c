"""The untrusted side: what runs in a sandboxed child, forked from the zygote.

The child loads submission source into fresh modules and calls functions on request.
Everything it sends back is plain data (see ``wire``); the host trusts none of it
beyond its shape, so nothing here needs to be tamper-proof: a submission that
rewrites this module can only send data, and the data is checked in the host.
"""

from __future__ import annotations

import os
import socket
import sys
import traceback
import types
from typing import Any

from grader.sandbox import wire

REQUEST_LIMIT = 256 * 1024 * 1024


def serve(sock: socket.socket) -> None:
    """Answer requests until the host closes the connection; never returns."""
    modules: dict[str, types.ModuleType] = {}
    objects = Objects()
    while True:
        try:
            header, buffers = wire.recv(sock, REQUEST_LIMIT)
        except (EOFError, OSError, wire.WireError):
            os._exit(0)
        try:
            if header.get("op") == "load":
                reply, out = _load(header, modules), []
            elif header.get("op") == "call":
                reply, out = _call(header, buffers, modules, objects)
            elif header.get("op") == "handle":
                reply, out = _on_handle(header, buffers, objects)
            else:
                reply, out = {"ok": False, "error": {"type": "ProtocolError", "message": "unknown op"}}, []
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are results too
            reply, out = {"ok": False, "error": describe(exc, header.get("filename"))}, []
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        try:
            wire.send(sock, reply, out)
        except (OSError, ValueError, TypeError) as exc:
            wire.send(sock, {"ok": False, "error": {"type": "WireError", "message": str(exc)[:300]}})


def _load(header: dict, modules: dict[str, types.ModuleType]) -> dict:
    name, filename, source = header["module"], header["filename"], header["source"]
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    modules[name] = module
    exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)
    missing = [f for f in header.get("functions", []) if not callable(getattr(module, f, None))]
    return {"ok": True, "missing": missing}


class Objects:
    """Objects of the submission's that the host holds handles to (``Value``s, say): they
    never leave the child; the host names them by id and asks for plain data about them."""

    def __init__(self) -> None:
        self.table: dict[int, Any] = {}

    def keep(self, value: Any) -> int:
        self.table[len(self.table) + 1] = value
        return len(self.table)

    def get(self, number: int, _kind: str = "") -> Any:
        if number not in self.table:
            raise wire.WireError(f"no object with handle {number}")
        return self.table[number]


def _call(header: dict, buffers: list[bytes], modules: dict[str, types.ModuleType],
          objects: Objects) -> tuple[dict, list[bytes]]:
    module = modules.get(header["module"])
    function = getattr(module, header["function"], None)
    if not callable(function):
        return {"ok": False, "error": {"type": "NameError",
                                       "message": f"{header['function']} is not defined"}}, []
    return _run(header, buffers, objects, lambda args, kwargs: function(*args, **kwargs))


def _on_handle(header: dict, buffers: list[bytes], objects: Objects) -> tuple[dict, list[bytes]]:
    """Read an attribute of a kept object (``"name"``) or call one of its methods (``"method"``)."""
    target = objects.get(header.get("id"))
    name = header.get("name")
    if type(name) is not str or (name.startswith("_") and not (name.startswith("__") and name.endswith("__"))):
        return {"ok": False, "error": {"type": "ProtocolError", "message": "malformed handle request"}}, []
    if header.get("action") == "method":
        return _run(header, buffers, objects, lambda args, kwargs: getattr(target, name)(*args, **kwargs))
    return _run(header, buffers, objects, lambda args, kwargs: getattr(target, name))


def _run(header: dict, buffers: list[bytes], objects: Objects, action: Any) -> tuple[dict, list[bytes]]:
    handles = bool(header.get("handles"))
    lookup = objects.get if handles else None
    args, inputs = wire.decode(header["args"], buffers, live=True, handle=lookup)
    kwargs, more = wire.decode(header["kwargs"], buffers, live=True, handle=lookup)
    inputs += more
    try:
        result = action(args, kwargs)
    except BaseException as exc:  # noqa: BLE001
        return {"ok": False, "error": describe(exc, header.get("filename"))}, []
    backward_error = None
    if header.get("backward"):
        backward_error = _backward(result)
    try:
        trees, out = wire.encode(result, inputs if header.get("inputs") else [],
                                 keep=objects.keep if handles else None)
    except wire.WireError as exc:
        return {"ok": False, "error": {"type": "NotPlainData", "message": str(exc)}}, []
    except RecursionError:
        return {"ok": False, "error": {"type": "NotPlainData", "message": "value is nested too deeply"}}, []
    return {"ok": True, "result": trees[0], "inputs": trees[1], "backward_error": backward_error}, out


def _backward(result: Any) -> str | None:
    import torch

    if type(result) is not torch.Tensor:
        return f"the result is a {type(result).__name__}, not a tensor"
    if not result.requires_grad:
        return "the result is not connected to the autograd graph (requires_grad is False)"
    try:
        result.sum().backward()
    except Exception as exc:  # noqa: BLE001
        return f"backward() failed: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def describe(exc: BaseException, filename: str | None) -> dict:
    """An exception as plain data: its type name, message and the line of the submission it came from."""
    try:
        message = str(exc)[:500]
    except BaseException:  # noqa: BLE001
        message = "(the exception's message could not be read)"
    line = None
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if filename and frame.filename == filename:
                line = frame.lineno
    return {"type": type(exc).__name__, "message": message, "line": line}
