"""Benchmark: what the first call of a library path costs in a sandboxed child.

    python benchmarks/bench_first_calls.py [--only optim] [--stages none,cheap,full]

A child is forked from the zygote after its warm-up, so whatever a library does only on
first use (importing a submodule, filling a cache, compiling a kernel) is paid inside the
child, against the submission's 0.5 s CPU budget, unless the zygote did it first. For
each path a student's code commonly takes, this script forks a child from a parent set up
as the zygote is (``zygote.PRELOAD`` imported, one torch thread) after each warm-up stage
and prints the CPU milliseconds of the path's first run and of its second run (the steady
cost), and how many modules the first run imported.

Stages: ``none`` (the preload only), ``cheap`` (``zygote.warm_up()``, which every zygote
runs) and ``full`` (``zygote.warm_up_fully()`` on top, which batch workers run before
forking their zygote, and a fresh zygote runs when asked to by ``Sandbox.warm()``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name -> code, run with torch, nn, F, np, pd in scope. Each is the kind of line a student
# writes in one of the course's exercises.
PATHS: dict[str, str] = {
    # torch.optim
    "optim.SGD construct": "p = [torch.zeros(3, requires_grad=True)]; torch.optim.SGD(p, lr=0.1)",
    "optim.SGD step+zero_grad": (
        "p = [torch.zeros(3, requires_grad=True)]; p[0].grad = torch.ones(3)\n"
        "o = torch.optim.SGD(p, lr=0.1); o.step(); o.zero_grad()"),
    "optim.SGD zero_grad(set_to_none=False)": (
        "p = [torch.zeros(3, requires_grad=True)]; p[0].grad = torch.ones(3)\n"
        "o = torch.optim.SGD(p, 0.1); o.step(); o.zero_grad(set_to_none=False)"),
    "optim.Adam construct": "torch.optim.Adam([torch.zeros(3, requires_grad=True)], lr=0.1)",
    "optim.Adam step": (
        "p = [torch.zeros(3, requires_grad=True)]; p[0].grad = torch.ones(3)\n"
        "o = torch.optim.Adam(p, lr=0.1); o.step(); o.zero_grad()"),
    "optim.lr_scheduler.StepLR": (
        "o = torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=0.1)\n"
        "s = torch.optim.lr_scheduler.StepLR(o, step_size=1); o.step(); s.step()"),
    # torch.nn
    "nn.Module subclass": (
        "class M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__(); self.w = nn.Parameter(torch.ones(3))\n"
        "    def forward(self, x):\n        return x * self.w\n"
        "M()(torch.ones(3)).sum().backward()"),
    "nn.Linear": "nn.Linear(3, 1)(torch.ones(2, 3)).sum().backward()",
    "nn.Sequential+ReLU": "nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))(torch.ones(2, 3))",
    "nn.MSELoss": "nn.MSELoss()(torch.ones(3, requires_grad=True), torch.zeros(3)).backward()",
    "nn.Module.parameters+zero_grad": "m = nn.Linear(3, 1); list(m.parameters()); m.zero_grad()",
    "nn.init": "nn.init.normal_(torch.empty(3)); nn.init.kaiming_uniform_(torch.empty(2, 3))",
    "nn.utils.clip_grad_norm_": (
        "p = torch.zeros(3, requires_grad=True); p.grad = torch.ones(3); nn.utils.clip_grad_norm_([p], 1.0)"),
    # torch.nn.functional
    "F.relu": "F.relu(torch.linspace(-1, 1, 5))",
    "F.sigmoid": "F.sigmoid(torch.linspace(-1, 1, 5))",
    "F.mse_loss": "F.mse_loss(torch.ones(3), torch.zeros(3))",
    "F.cross_entropy": "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 0]))",
    "F.binary_cross_entropy": "F.binary_cross_entropy(torch.full((3,), 0.5), torch.ones(3))",
    "F.softmax/log_softmax": "F.softmax(torch.ones(2, 3), dim=1); F.log_softmax(torch.ones(2, 3), dim=1)",
    # torch, elementwise and linear algebra
    "torch.special.expit": "torch.special.expit(torch.linspace(-1, 1, 5))",
    "1/(1+exp(-x))": "x = torch.linspace(-1, 1, 5); 1 / (1 + torch.exp(-x))",
    "clamp/clip/where/maximum": (
        "x = torch.linspace(-1, 1, 5); x.clamp(min=0); torch.clip(x, 0); torch.where(x > 0, x, 0.0)\n"
        "torch.maximum(x, torch.tensor(0.0)); x.clamp_min(0); torch.max(x, torch.zeros(5))"),
    "matmul/mm/mv/einsum": (
        "a = torch.ones(4, 3); b = torch.ones(3)\n"
        "torch.matmul(a, b); a.mm(b[:, None]); a.mv(b); torch.einsum('nk,k->n', a, b); (a * b).sum(1)"),
    "torch.linalg": (
        "a = torch.eye(3) + 0.1\n"
        "torch.linalg.norm(a); torch.linalg.solve(a, torch.ones(3)); torch.linalg.inv(a)"),
    "torch.linalg.lstsq": "torch.linalg.lstsq(torch.eye(3) + 0.1, torch.ones(3, 1))",
    "float64 ops": "x = torch.linspace(-1, 1, 5, dtype=torch.float64); torch.sigmoid(x @ x); x.relu()",
    "tensor from numpy/list": "torch.as_tensor(np.ones(3)); torch.tensor([1.0, 2.0]).numpy().tolist()",
    "random": "torch.manual_seed(0); torch.randn(3); torch.rand(2); torch.randint(0, 3, (4,))",
    "F.one_hot": "F.one_hot(torch.tensor([0, 2, 1]), 3)",
    "utils.data DataLoader": (
        "ds = torch.utils.data.TensorDataset(torch.ones(4, 2), torch.zeros(4))\n"
        "[b for b in torch.utils.data.DataLoader(ds, batch_size=2, shuffle=True)]"),
    "print a tensor": "repr(torch.linspace(-1, 1, 5)); str(torch.ones(2, 2, dtype=torch.float64, requires_grad=True))",
    "torch.testing.assert_close": "torch.testing.assert_close(torch.ones(3), torch.ones(3))",
    # autograd
    "backward": "x = torch.ones(3, requires_grad=True); (x * 2).sum().backward()",
    "autograd.grad": "x = torch.ones(3, requires_grad=True); torch.autograd.grad((x ** 2).sum(), [x])",
    "no_grad update: sub_/data/grad=None": (
        "p = torch.ones(3, requires_grad=True); p.grad = torch.ones(3)\n"
        "with torch.no_grad():\n    p.sub_(0.1 * p.grad)\np.data -= 0.1 * p.grad; p.grad.zero_(); p.grad = None"),
    "torch.inference_mode": "with torch.inference_mode():\n    torch.ones(3) * 2",
    # numpy
    "numpy elementwise": (
        "a = np.asarray([0.1, 0.7, 0.5]); t = np.asarray([0, 1, 1])\n"
        "int(np.sum((a >= 0.5) & (t == 1))); np.where(a > 0, a, 0); np.maximum(a, 0); np.clip(a, 0, 1)"),
    "numpy logical/count": (
        "a = np.asarray([0.1, 0.7, 0.5]) >= 0.5; t = np.asarray([0, 1, 1]).astype(bool)\n"
        "np.logical_and(a, t).sum(); np.count_nonzero(a & ~t); np.unique(t, return_counts=True); np.bincount([0, 1, 1])"),
    "numpy isclose/allclose": "np.isclose(1.0, 1.0); np.allclose([1.0], [1.0])",
    "numpy linalg": "np.linalg.norm(np.ones(3)); np.linalg.solve(np.eye(2), np.ones(2))",
    "np.testing.assert_allclose": "np.testing.assert_allclose(np.ones(3), np.ones(3))",
    "print an array": "repr(np.linspace(0, 1, 5)); str(np.eye(2))",
    # pandas
    "pd.DataFrame.mode": "pd.DataFrame({'a': [1.0, None, 1.0], 's': ['x', None, 'x']}).mode()",
    "pd.fillna(mode.iloc[0])": (
        "df = pd.DataFrame({'a': [1.0, None, 1.0], 's': ['x', None, 'x']}); df.fillna(df.mode().iloc[0])"),
    "pd.Series.mode/fillna per column": (
        "df = pd.DataFrame({'a': [1.0, None, 1.0], 's': ['x', None, 'x']}); out = df.copy()\n"
        "for c in out.columns:\n    m = out[c].mode()\n    out[c] = out[c].fillna(m[0]) if len(m) else out[c]"),
    "pd.apply": (
        "df = pd.DataFrame({'a': [1.0, None, 1.0], 's': ['x', None, 'x']})\n"
        "df.apply(lambda c: c.fillna(c.mode()[0]) if c.notna().any() else c)"),
    "pd.where/mask": "s = pd.Series([1.0, None, 2.0]); s.where(s.notna(), 0.0); s.mask(s.isna(), 1.0)",
    "pd.value_counts/idxmax": "s = pd.Series(['a', 'b', 'a', None]); s.value_counts().idxmax(); s.value_counts(dropna=False)",
    "pd.get_dummies": "pd.get_dummies(pd.DataFrame({'s': ['a', 'b', 'a'], 'n': [1, 2, 3]}), columns=['s'])",
    "pd.read_csv (small text)": "import io\npd.read_csv(io.StringIO('a,b,s\\n1,2.5,x\\n3,,y\\n'))",
    "pd.describe/groupby": (
        "df = pd.DataFrame({'g': ['a', 'b', 'a'], 'v': [1.0, 2.0, 3.0]}); df.describe(); df.groupby('g').v.mean()"),
    "pd.isna/sum/dtypes/astype": (
        "df = pd.DataFrame({'a': [1.0, None], 's': ['x', None]}); df.isna().sum(); df.dtypes; df.a.astype('float32')"),
    "pd.concat/merge": (
        "a = pd.DataFrame({'k': [1, 2], 'v': [1.0, 2.0]}); pd.concat([a, a]); a.merge(a, on='k')"),
    "pd.to_numpy/tensor": "torch.tensor(pd.DataFrame({'a': [1.0, 2.0]}).to_numpy(dtype=float))",
    "pd.Series.map/replace": "s = pd.Series(['male', 'female']); s.map({'male': 0, 'female': 1}); s.replace('male', 'm')",
    "pd.dropna/drop_duplicates": "df = pd.DataFrame({'a': [1.0, None, 1.0]}); df.dropna(); df.drop_duplicates()",
    "pd.str accessor": "pd.Series(['Mr. A', 'Mrs. B']).str.split('.').str[0].str.lower()",
    "pd.Categorical": "pd.Series(['a', 'b']).astype('category').cat.codes",
    "print a DataFrame": "df = pd.DataFrame({'a': [1.0, None], 's': ['x', None]}); repr(df); str(df['a']); df.head()",
    "pd.testing.assert_frame_equal": (
        "df = pd.DataFrame({'a': [1.0, None]}); pd.testing.assert_frame_equal(df, df.copy())"),
}

SCOPE = "import torch, numpy as np, pandas as pd\nfrom torch import nn\nimport torch.nn.functional as F\n"


def preload() -> None:
    """Set this process up as the zygote is before its warm-up."""
    from grader.sandbox import zygote

    for name in zygote.PRELOAD:
        importlib.import_module(name)
    import torch

    torch.set_num_threads(1)


def stage_work(stage: str):
    from grader.sandbox import zygote

    return getattr(zygote, {"cheap": "warm_up", "full": "warm_up_fully"}[stage])


def first_and_second(code: str) -> dict:
    """In a forked child: CPU ms of the first and second run of ``code``, and modules imported."""
    namespace: dict = {}
    exec(SCOPE, namespace)
    before = set(sys.modules)
    started = time.process_time()
    exec(code, namespace)
    first = time.process_time() - started
    imported = len(set(sys.modules) - before)
    started = time.process_time()
    exec(code, namespace)
    second = time.process_time() - started
    return {"first": first * 1000, "second": second * 1000, "modules": imported}


def in_child(code: str) -> dict:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            result = first_and_second(code)
        except BaseException as exc:  # noqa: BLE001
            result = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def stage_cost(stage: str) -> float:
    """CPU seconds of the warm-up ``stage`` itself, in a child on top of the earlier stages."""
    work = stage_work(stage)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        started = time.process_time()
        work()
        os.write(write, str(time.process_time() - started).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        seconds = float(f.read())
    os.waitpid(pid, 0)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only paths whose name contains this")
    parser.add_argument("--stages", default="none,cheap,full", help="comma-separated: none, cheap, full")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    stages = [s for s in args.stages.split(",") if s]
    paths = {k: v for k, v in PATHS.items() if args.only in k}

    figures: dict[str, dict[str, dict]] = {name: {} for name in paths}
    costs: dict[str, float] = {}
    order = ["none", "cheap", "full"]
    stages = sorted(stages, key=order.index)
    preload()
    level = 0
    for stage in stages:
        # Each stage builds on the previous ones in this process; each path runs in a fork.
        while level < order.index(stage):
            level += 1
            costs[order[level]] = stage_cost(order[level])  # in a fork, before doing it here
            stage_work(order[level])()
        for name, code in paths.items():
            figures[name][stage] = in_child(code)

    if args.json:
        print(json.dumps({"stage_cpu_seconds": costs, "paths": figures}, indent=1))
        return
    width = max(len(n) for n in paths)
    head = "".join(f"  {s + ' 1st':>10} {'2nd':>6} {'mods':>5}" for s in stages)
    print(f"CPU ms of a path's first and second run in a child forked after each warm-up stage")
    print(f"{'path':<{width}}{head}")
    for name in paths:
        row = ""
        for stage in stages:
            f = figures[name][stage]
            if "error" in f:
                row += f"  {'error':>10} {'':>6} {'':>5}"
            else:
                row += f"  {f['first']:>10.1f} {f['second']:>6.1f} {f['modules']:>5}"
        print(f"{name:<{width}}{row}")
        for stage in stages:
            if "error" in figures[name][stage]:
                print(f"    {stage}: {figures[name][stage]['error']}")
    for stage, seconds in costs.items():
        print(f"the {stage} warm-up stage itself: {seconds:.2f} s of CPU")


if __name__ == "__main__":
    main()
