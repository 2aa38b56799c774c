"""Every check catches something: for each check, a plausible wrong solution that it fails.

Each mutant is the reference with one function replaced; it must fail the named check,
while the reference passes everything (tests/test_grading.py). A new check without a
mutant here fails `test_every_check_has_a_mutant`.
"""

import importlib.util
from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}

TRIPLE = "import torch\ndef triple_relu(m1, b1, m2, b2, m3, b3, x):\n"
RELU3 = "torch.relu(m1*x+b1) + torch.relu(m2*x+b2) + torch.relu(m3*x+b3)"
STEP = "import torch\ndef gradient_step(params, lr):\n"
PREDS = "import torch\ndef calc_preds(coeffs, indeps):\n"
FILL = "import pandas as pd\ndef fill_missing_with_mode(df):\n"
F1 = "import numpy as np\nimport torch\ndef f1_at_threshold(y_true, y_prob, threshold=0.5):\n"
F1_BODY = """    t = np.asarray(y_true).reshape(-1) != 0
    p = np.asarray(y_prob, dtype=float).reshape(-1){compare}
    if t.shape != p.shape:
        raise ValueError("lengths differ")
    tp, fp, fn = int(np.sum(p & t)), int(np.sum(p & ~t)), int(np.sum(~p & t))
    return {result}
"""

VALUE = SOLUTIONS["value"]
# backward() recursing from the output without a topological order: a node shared by two
# users passes its gradient on before both have added theirs.
VALUE_RECURSIVE = VALUE.replace("def backward(self):", "def backward(self):\n        self.grad = 1.0\n        self._recurse()\n\n    def _recurse(self):\n        self._backward()\n        for child in self._prev:\n            child._recurse()\n\n    def _unused_backward(self):")
SLOPE = "import numpy as np\ndef loss_slope(w, xs, ys, eps=1e-4):\n    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)\n    def loss(v):\n        return float(np.{mean}((v * xs - ys) ** 2))\n    return float({diff})\n"
FIT = "def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):\n    w = float(w)\n    for _ in range(steps):\n        {step}\n    return {ret}\n"
DENSE = "def count_dense_parameters(sizes):\n    sizes = list(sizes)\n    if len(sizes) < 2 or min(sizes) < 1:\n        raise ValueError('bad sizes')\n"
TOPO = SOLUTIONS["topological_order"]
TOPO_NO_DONE = TOPO.replace("        if node in done:\n            return\n", "")
TOPO_NO_CYCLE = TOPO.replace("        if node in active:\n            raise ValueError(f\"the graph has a cycle through {node!r}\")\n", "        if node in active:\n            return\n")
TANH = "import torch\ndef tanh_and_grad(x):\n"
SOFT = "import torch\ndef softmax(x, dim=-1):\n"
CE = "import torch\ndef cross_entropy(logits, targets):\n    p = torch.nn.functional.one_hot(targets, logits.shape[1]).float() if targets.dim() == 1 else targets\n"
NORM = "import torch\ndef normalize_columns(t):\n"
LOSS = "import torch\ndef calc_loss(coeffs, indeps, deps):\n"
ACC = "import torch\ndef accuracy(coeffs, indeps, deps):\n"
MAE = "import torch\ndef mae(preds, acts):\n"
BMI = ("import numpy as np\ndef bmi(weight_kg, height_m):\n    w = np.asarray(weight_kg, dtype=np.float64)\n"
       "    h = np.asarray(height_m, dtype=np.float64)\n    if w.shape != h.shape:\n        raise ValueError('lengths differ')\n")
ADVICE = ("def gradient_advice(grads, names=('a', 'b', 'c')):\n    grads = [float(g) for g in grads]{check}\n"
          "    return [f\"parameter {{n}} should {{'be {neg}' if g < 0 else 'be {pos}' if g > 0 else 'stay'}} "
          "because params.grad[{{i}}] is {{g:{fmt}}}\" for i, (n, g) in enumerate(zip(names, grads))]\n")
QUAD = ("import torch\ndef fit_quadratic(x, y, abc, lr=0.01, steps=10):\n"
        "    params = torch.as_tensor(abc, dtype=x.dtype).detach().clone().requires_grad_(True)\n"
        "    for _ in range({steps}):\n        a, b, c = params\n        loss = {loss}\n        loss.backward()\n"
        "        with torch.no_grad():\n            params -= {lr} * params.grad\n            {zero}\n"
        "    return params.detach()\n")
MLP = "import torch\nfrom torch import nn\nACTS = {'relu': nn.ReLU, 'sigmoid': nn.Sigmoid, 'tanh': nn.Tanh}\ndef build_mlp(sizes, activation='relu'):\n"
MLP_BODY = ("    {check}sizes = list(sizes)\n{sizes}    layers = []\n    for a, b in zip(sizes[:-1], sizes[1:]):\n"
            "        {between}layers.append(nn.Linear(a, b)){after}\n    return nn.Sequential(*layers){end}\n")
COUNT = "import torch\nfrom torch import nn\ndef count_parameters(model):\n"
TRAIN = ("import copy\nimport torch\nfrom torch import nn\ndef train_epochs(model, X, y, epochs, lr):\n{before}"
         "    optimizer = torch.optim.SGD(model.parameters(), {lr})\n    criterion = nn.MSELoss()\n    losses = []\n"
         "    for _ in range({epochs}):\n        {zero}\n        loss = criterion(model(X), y)\n        loss.backward()\n"
         "        optimizer.step()\n        losses.append(loss.item())\n    return losses\n")
CLASSIFY = ("import copy\nimport torch\nfrom torch import nn\ndef train_classifier(model, X, y, epochs, lr):\n{before}"
            "    optimizer = torch.optim.SGD(model.parameters(), lr)\n    criterion = nn.CrossEntropyLoss()\n    losses = []\n"
            "    for _ in range(epochs):\n        {zero}\n        loss = criterion(model(X), {target})\n        {stop}loss.backward()\n"
            "        optimizer.step()\n        losses.append(loss.item())\n    return losses\n")
PREDICT = "import torch\ndef predict_classes(model, X):\n{before}    with torch.no_grad():\n        return {result}\n"
LOG = "import numpy as np\nimport pandas as pd\ndef add_log_fare(df):\n"
LOG_CHECK = "    if 'Fare' not in df.columns:\n        raise ValueError('no Fare column')\n"
DUMMIES = "import pandas as pd\ndef add_dummies(df, columns=('Sex', 'Pclass', 'Embarked')):\n"
BEST = ("import numpy as np\ndef best_threshold(y_true, y_prob):\n    truth = np.asarray(y_true).reshape(-1) != 0\n"
        "    prob = np.asarray(y_prob, dtype=float).reshape(-1)\n{check}    best = {start}\n    for t in {thresholds}:\n"
        "        p = prob {compare} t\n        tp, fp, fn = int(np.sum(p & truth)), int(np.sum(p & ~truth)), int(np.sum(~p & truth))\n"
        "        f1 = 0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)\n"
        "        if best is None or f1 {better} best[1]:\n            best = ({t}, float(f1))\n    return best\n")
BEST_CHECK = ("    if truth.shape != prob.shape:\n        raise ValueError('lengths differ')\n"
              "    if prob.size == 0:\n        raise ValueError('empty')\n")
# exercises whose reference calls another exercise's function of the same file: a mutant of
# that function may fail their checks too
MODEL = SOLUTIONS["titanic_model"].replace("def predict_survival(", "def _fit(") + "\n\ndef predict_survival(train, test):\n"
DEPENDS = {"fit_multiplier": "loss_slope", "fit_quadratic": "mae"}


def f1(compare=" >= threshold", result="0.0 if 2*tp+fp+fn == 0 else 2*tp/(2*tp+fp+fn)", before=""):
    return F1 + before + F1_BODY.format(compare=compare, result=result)


def mlp(check="if activation not in ACTS:\n        raise ValueError(activation)\n    ", sizes="    if len(sizes) < 2:\n        raise ValueError('sizes')\n",
        between="if layers:\n            layers.append(ACTS[activation]())\n        ", after="", end=""):
    return MLP + MLP_BODY.format(check=check, sizes=sizes, between=between, after=after, end=end)


def train(before="", lr="lr", epochs="epochs", zero="optimizer.zero_grad()"):
    return TRAIN.format(before=before, lr=lr, epochs=epochs, zero=zero)


def classify(before="    model.train()\n", zero="optimizer.zero_grad()", target="y", stop=""):
    return CLASSIFY.format(before=before, zero=zero, target=target, stop=stop)


def predict(before="    model.eval()\n", result="model(X).argmax(dim=1)"):
    return PREDICT.format(before=before, result=result)


def best(check=BEST_CHECK, start="None", thresholds="np.unique(prob)", compare=">=", better=">", t="float(t)"):
    return BEST.format(check=check, start=start, thresholds=thresholds, compare=compare, better=better, t=t)


# check name (as in the results) -> (exercise, the replacement function)
MUTANTS = {
    # triple_relu
    "triple_relu: matches the sum of three relus": ("triple_relu", TRIPLE + "    return torch.relu(m1*x+b1) + torch.relu(m2*x+b2)\n"),
    "triple_relu: keeps the shape of a 2d input": ("triple_relu", TRIPLE + f"    return ({RELU3}).flatten()\n"),
    "triple_relu: accepts 0d tensor parameters": ("triple_relu", TRIPLE + "    assert isinstance(m1, float), 'm1 must be a float'\n" + f"    return {RELU3}\n"),
    "triple_relu: gradients flow to tensor parameters": ("triple_relu", TRIPLE + "    m1, b1, m2, b2, m3, b3 = map(float, (m1, b1, m2, b2, m3, b3))\n" + f"    return {RELU3}\n"),
    "triple_relu: random parameters and shapes": ("triple_relu", TRIPLE + "    x = x.clamp(-4.5, 4.5)\n" + f"    return {RELU3}\n"),
    "triple_relu: keeps float64": ("triple_relu", TRIPLE + f"    return ({RELU3}).float()\n"),
    "triple_relu: gradients on random inputs": ("triple_relu", TRIPLE + "    m1, b1, m2, b2, m3, b3 = map(float, (m1, b1, m2, b2, m3, b3))\n" + f"    return {RELU3}\n"),
    "triple_relu: leaves x unchanged": ("triple_relu", TRIPLE + f"    out = {RELU3}\n    x.zero_()\n    return out\n"),
    # gradient_step
    "gradient_step: updates a parameter in place": ("gradient_step", STEP + "    with torch.no_grad():\n        for p in params:\n            p = p - lr * p.grad\n            p.grad.zero_()\n"),
    "gradient_step: updates several parameters": ("gradient_step", STEP + "    p = params[0]\n    with torch.no_grad():\n        p -= lr * p.grad\n    for p in params:\n        p.grad.zero_()\n"),
    "gradient_step: zeroes the gradients": ("gradient_step", STEP + "    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n"),
    "gradient_step: parameters stay leaves that require grad": ("gradient_step", STEP + "    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n            p.grad.zero_()\n            p.requires_grad_(False)\n"),
    "gradient_step: random parameters and learning rates": ("gradient_step", STEP + "    lr = min(lr, 1.0)\n    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n            p.grad.zero_()\n"),
    "gradient_step: nn parameters": ("gradient_step", STEP + "    with torch.no_grad():\n        for p in params:\n            if type(p) is not torch.Tensor:\n                continue\n            p -= lr * p.grad\n            p.grad.zero_()\n"),
    "gradient_step: zero learning rate still zeroes gradients": ("gradient_step", STEP + "    if lr == 0:\n        return\n    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n            p.grad.zero_()\n"),
    "gradient_step: update is not recorded by autograd": ("gradient_step", STEP + "    with torch.no_grad():\n        for p in params:\n            p -= lr * p.grad\n            p.grad.zero_()\n            p.requires_grad_(False)\n"),
    # calc_preds
    "calc_preds: coeffs of shape k": ("calc_preds", PREDS + "    return indeps @ coeffs\n"),
    "calc_preds: coeffs of shape k by 1": ("calc_preds", PREDS + "    return torch.sigmoid(indeps @ coeffs).flatten()\n"),
    "calc_preds: gradients flow to coeffs": ("calc_preds", PREDS + "    return torch.sigmoid(indeps @ coeffs.detach())\n"),
    "calc_preds: random sizes and both coeff shapes": ("calc_preds", PREDS + "    return torch.sigmoid(indeps[:4] @ coeffs)\n"),
    "calc_preds: gradients on random inputs": ("calc_preds", PREDS + "    return torch.sigmoid(indeps @ coeffs.detach())\n"),
    "calc_preds: keeps float64": ("calc_preds", PREDS + "    return torch.sigmoid(indeps.float() @ coeffs.float())\n"),
    "calc_preds: leaves inputs unchanged": ("calc_preds", PREDS + "    out = torch.sigmoid(indeps @ coeffs)\n    indeps.zero_()\n    return out\n"),
    # fill_missing_with_mode
    "fill_missing_with_mode: fills numbers and text with the mode": ("fill_missing_with_mode", FILL + "    return df.fillna(df.mean(numeric_only=True))\n"),
    "fill_missing_with_mode: a frame without gaps comes back equal": ("fill_missing_with_mode", FILL + "    if len(df) == 0:\n        return df.copy()\n    return df.fillna(df.mode().iloc[0]).reset_index(drop=True)\n"),
    "fill_missing_with_mode: leaves the input unmodified": ("fill_missing_with_mode", FILL + "    if len(df) == 0:\n        return df.copy()\n    df.fillna(df.mode().iloc[0], inplace=True)\n    return df\n"),
    "fill_missing_with_mode: a sample of the titanic data": ("fill_missing_with_mode", FILL + "    if len(df) == 0:\n        return df.copy()\n    return df.fillna(df.mode().iloc[0]).reset_index(drop=True)\n"),
    "fill_missing_with_mode: ties take the smallest value": ("fill_missing_with_mode", FILL + "    if len(df) == 0:\n        return df.copy()\n    modes = df.mode()\n    return df.fillna(modes.ffill().iloc[-1])\n"),
    "fill_missing_with_mode: an all missing column stays missing": ("fill_missing_with_mode", FILL + "    if len(df) == 0:\n        return df.copy()\n    return df.fillna(df.mode().iloc[0]).fillna(0)\n"),
    "fill_missing_with_mode: a frame with no rows": ("fill_missing_with_mode", FILL + "    return df.fillna(df.mode().iloc[0])\n"),
    # f1_at_threshold
    "f1_at_threshold: lists at the default threshold": ("f1_at_threshold", f1(result="0.0 if tp + fp == 0 else tp / (tp + fp)")),
    "f1_at_threshold: a probability equal to the threshold is positive": ("f1_at_threshold", f1(compare=" > threshold")),
    "f1_at_threshold: no predicted positives and no positives gives zero": ("f1_at_threshold", f1(result="2*tp/(2*tp+fp+fn)")),
    "f1_at_threshold: different lengths raise value error": ("f1_at_threshold", f1(before="    n = min(len(y_true), len(y_prob))\n    y_true, y_prob = list(y_true)[:n], list(y_prob)[:n]\n")),
    "f1_at_threshold: random numpy arrays and thresholds": ("f1_at_threshold", f1(before="    threshold = 0.5\n")),
    "f1_at_threshold: torch tensors": ("f1_at_threshold", F1 + "    if isinstance(y_prob, torch.Tensor):\n        p, t = y_prob >= threshold, y_true != 0\n        tp, wrong = (p & t).sum(), (p ^ t).sum()\n        return 2 * tp / (2 * tp + wrong)\n" + F1_BODY.format(compare=" >= threshold", result="0.0 if 2*tp+fp+fn == 0 else 2*tp/(2*tp+fp+fn)")),
    "f1_at_threshold: python lists with ties at the threshold": ("f1_at_threshold", f1(compare=" > threshold")),
    "f1_at_threshold: empty and all negative inputs": ("f1_at_threshold", f1(before="    if len(y_true) == 0:\n        raise ValueError('no labels')\n")),
    # value
    "value: holds data and starts with zero grad": ("value", VALUE.replace("self.grad = 0.0", "self.grad = None")),
    "value: arithmetic with values and numbers": ("value", VALUE.replace("return Value(other) + (-self)", "return self + (-Value(other))")),
    "value: backward through the lessons graph": ("value", VALUE.replace("self.grad += other.data * out.grad", "self.grad += out.grad")),
    "value: a value used twice accumulates": ("value", VALUE.replace("self.grad += out.grad\n            other.grad += out.grad", "self.grad = out.grad\n            other.grad = out.grad")),
    "value: random expressions forward and backward": ("value", VALUE.replace("self.grad += other.data * out.grad", "self.grad += out.grad")),
    "value: tanh and its gradient": ("value", VALUE.replace("(1 - t * t) * out.grad", "(1 - t) * out.grad")),
    "value: shared nodes take the topological order": ("value", VALUE_RECURSIVE),
    # loss_slope
    "loss_slope: the notes data": ("loss_slope", SLOPE.format(mean="sum", diff="(loss(w + eps) - loss(w)) / eps")),
    "loss_slope: uses the given eps": ("loss_slope", SLOPE.format(mean="mean", diff="(loss(w + eps) - loss(w - eps)) / (2 * eps)")),
    "loss_slope: random lists and eps": ("loss_slope", SLOPE.format(mean="mean", diff="(loss(w + 1e-4) - loss(w)) / 1e-4")),
    "loss_slope: numpy arrays": ("loss_slope", "def loss_slope(w, xs, ys, eps=1e-4):\n    def loss(v):\n        return sum((v * x - y) ** 2 for x, y in zip(xs, ys)) / len(xs)\n    return (loss(w + eps) - loss(w)) / eps\n"),
    # fit_multiplier
    "fit_multiplier: approaches 2 on the notes data": ("fit_multiplier", FIT.format(step="w += lr * loss_slope(w, xs, ys, eps)", ret="float(w)")),
    "fit_multiplier: steps with the learning rate": ("fit_multiplier", FIT.format(step="w -= 0.01 * loss_slope(w, xs, ys, eps)", ret="float(w)")),
    "fit_multiplier: zero steps give the start as a float": ("fit_multiplier", FIT.format(step="w -= lr * loss_slope(w, xs, ys, eps)", ret="w").replace("    w = float(w)\n", "")),
    "fit_multiplier: random data rates and steps": ("fit_multiplier", FIT.format(step="w -= lr * loss_slope(w, xs, ys, eps)", ret="float(w)").replace("range(steps)", "range(100)")),
    "fit_multiplier: passes eps on": ("fit_multiplier", FIT.format(step="w -= lr * loss_slope(w, xs, ys)", ret="float(w)")),
    # count_dense_parameters
    "count_dense_parameters: the notes networks": ("count_dense_parameters", DENSE + "    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))\n"),
    "count_dense_parameters: too few or empty layers raise value error": ("count_dense_parameters", "def count_dense_parameters(sizes):\n    sizes = list(sizes)\n    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))\n"),
    "count_dense_parameters: an int from a tuple": ("count_dense_parameters", "import numpy as np\n" + DENSE + "    s = np.array(sizes)\n    return np.sum(s[:-1] * s[1:] + s[1:])\n"),
    "count_dense_parameters: random deep networks": ("count_dense_parameters", DENSE + "    return sum(a * b + b for a, b in zip(sizes[:3], sizes[1:3]))\n"),
    "count_dense_parameters: a bad size anywhere": ("count_dense_parameters", "def count_dense_parameters(sizes):\n    sizes = list(sizes)\n    if len(sizes) < 2 or sizes[0] < 1 or sizes[-1] < 1:\n        raise ValueError('bad sizes')\n    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))\n"),
    # topological_order
    "topological_order: the lessons graph": ("topological_order", "def topological_order(graph):\n    nodes = list(graph)\n    if any(n in graph.get(n, []) for n in graph) or len(graph) == 3 and 'a' in graph and 'c' in graph['b']:\n        raise ValueError('cycle')\n    return nodes + [d for deps in graph.values() for d in deps if d not in graph]\n"),
    "topological_order: a shared node appears once": ("topological_order", TOPO_NO_DONE),
    "topological_order: a cycle raises value error": ("topological_order", TOPO_NO_CYCLE),
    "topological_order: random graphs": ("topological_order", TOPO.replace("    return order", "    return [n for n in order if n in graph]")),
    "topological_order: a long cycle raises value error": ("topological_order", TOPO_NO_CYCLE.replace("    for node in nodes:", "    for node in graph:\n        for dep in graph[node]:\n            if node in graph.get(dep, ()):\n                raise ValueError('cycle')\n    for node in nodes:")),
    # tanh_and_grad
    "tanh_and_grad: values and slopes on a range": ("tanh_and_grad", TANH + "    t = torch.tanh(x)\n    return t, 1 - x ** 2\n"),
    "tanh_and_grad: keeps a 2d shape and float64": ("tanh_and_grad", TANH + "    t = torch.tanh(x.float())\n    return t, 1 - t ** 2\n"),
    "tanh_and_grad: large inputs give no nan": ("tanh_and_grad", TANH + "    e = torch.exp(2 * x)\n    t = (e - 1) / (e + 1)\n    return t, 1 - t ** 2\n"),
    "tanh_and_grad: random shapes": ("tanh_and_grad", TANH + "    t = torch.tanh(x.reshape(-1))\n    return t, 1 - t ** 2\n"),
    "tanh_and_grad: leaves x unchanged": ("tanh_and_grad", TANH + "    t = x.tanh_()\n    return t, 1 - t ** 2\n"),
    # softmax
    "softmax: the notes example": ("softmax", SOFT + "    return x / x.sum(dim=dim, keepdim=True)\n"),
    "softmax: along the given dim": ("softmax", SOFT + "    e = torch.exp(x - x.max())\n    return e / e.sum()\n"),
    "softmax: large logits do not overflow": ("softmax", SOFT + "    e = torch.exp(x)\n    return e / e.sum(dim=dim, keepdim=True)\n"),
    "softmax: random shapes and dims": ("softmax", SOFT + "    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)\n    return e / e.sum(dim=-1, keepdim=True)\n"),
    "softmax: keeps float64": ("softmax", SOFT + "    x = x.float()\n    e = torch.exp(x - x.max(dim=dim, keepdim=True).values)\n    return e / e.sum(dim=dim, keepdim=True)\n"),
    # cross_entropy
    "cross_entropy: the notes example": ("cross_entropy", CE + "    return (p * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()\n"),
    "cross_entropy: class indices": ("cross_entropy", "import torch\ndef cross_entropy(logits, targets):\n    return -(targets * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()\n"),
    "cross_entropy: the batch mean": ("cross_entropy", CE + "    return -(p * torch.log_softmax(logits, dim=1)).sum()\n"),
    "cross_entropy: keeps gradients": ("cross_entropy", CE + "    return torch.tensor(float(-(p * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()))\n"),
    "cross_entropy: random large logits both target kinds": ("cross_entropy", CE + "    e = torch.exp(logits)\n    return -(p * torch.log(e / e.sum(dim=1, keepdim=True))).sum(dim=1).mean()\n"),
    # normalize_columns
    "normalize_columns: each column by its maximum": ("normalize_columns", NORM + "    return t / t.max()\n"),
    "normalize_columns: a column of zeros stays": ("normalize_columns", NORM + "    return t / t.max(dim=0).values\n"),
    "normalize_columns: leaves the input unchanged": ("normalize_columns", NORM + "    m = t.max(dim=0).values\n    t /= torch.where(m == 0, torch.ones_like(m), m)\n    return t\n"),
    "normalize_columns: random matrices": ("normalize_columns", NORM + "    m = t.max(dim=0).values\n    return (t / torch.where(m == 0, torch.ones_like(m), m))[:5]\n"),
    "normalize_columns: columns with negative values": ("normalize_columns", NORM + "    m = t.abs().max(dim=0).values\n    return t / torch.where(m == 0, torch.ones_like(m), m)\n"),
    # calc_loss
    "calc_loss: the loss of a few passengers": ("calc_loss", LOSS + "    return torch.abs(indeps @ coeffs - deps).mean()\n"),
    "calc_loss: keeps gradients to coeffs": ("calc_loss", LOSS + "    return torch.tensor(torch.abs(torch.sigmoid(indeps @ coeffs) - deps).mean().item())\n"),
    "calc_loss: random data": ("calc_loss", LOSS + "    return ((torch.sigmoid(indeps @ coeffs) - deps) ** 2).mean()\n"),
    "calc_loss: coeffs and deps as columns": ("calc_loss", LOSS + "    return torch.abs(torch.sigmoid((indeps @ coeffs).flatten()) - deps).mean()\n"),
    # accuracy
    "accuracy: a few passengers": ("accuracy", ACC + "    return float(((torch.sigmoid(indeps @ coeffs) > 0.5) == (deps > 0.5)).float().sum())\n"),
    "accuracy: a prediction of exactly half is negative": ("accuracy", ACC + "    return float(((torch.sigmoid(indeps @ coeffs) >= 0.5) == (deps > 0.5)).float().mean())\n"),
    "accuracy: coeffs and deps as columns": ("accuracy", ACC + "    return float(((torch.sigmoid(indeps @ coeffs).flatten() > 0.5) == (deps > 0.5)).float().mean())\n"),
    "accuracy: random data": ("accuracy", ACC + "    return float(((torch.sigmoid(indeps @ coeffs) > 0.5) == (deps > 0.5))[:20].float().mean())\n"),
    "accuracy: soft labels": ("accuracy", ACC + "    return float(((torch.sigmoid(indeps @ coeffs) > 0.5) == deps.bool()).float().mean())\n"),
    # mae
    "mae: the mean absolute error": ("mae", MAE + "    return ((preds - acts) ** 2).mean()\n"),
    "mae: keeps gradients": ("mae", MAE + "    return torch.tensor(torch.abs(preds - acts).mean().item())\n"),
    "mae: random 2d inputs": ("mae", MAE + "    return torch.abs(preds - acts).sum() / len(preds)\n"),
    "mae: keeps float64": ("mae", MAE + "    return torch.abs(preds.float() - acts.float()).mean()\n"),
    # fit_quadratic
    "fit_quadratic: ten steps on the lessons data": ("fit_quadratic", QUAD.format(lr="lr", steps="steps", loss="mae(a * x ** 2 + b * x + c, y)", zero="")),
    "fit_quadratic: leaves abc unchanged": ("fit_quadratic", QUAD.format(lr="lr", steps="steps", loss="mae(a * x ** 2 + b * x + c, y)", zero="params.grad.zero_()").replace(".detach().clone().requires_grad_(True)", ".requires_grad_(True)")),
    "fit_quadratic: a list and the learning rate": ("fit_quadratic", QUAD.format(lr="0.01", steps="steps", loss="mae(a * x ** 2 + b * x + c, y)", zero="params.grad.zero_()")),
    "fit_quadratic: random quadratics and steps": ("fit_quadratic", QUAD.format(lr="lr", steps="10", loss="mae(a * x ** 2 + b * x + c, y)", zero="params.grad.zero_()")),
    "fit_quadratic: uses the mean absolute error": ("fit_quadratic", QUAD.format(lr="lr", steps="steps", loss="((a * x ** 2 + b * x + c - y) ** 2).mean()", zero="params.grad.zero_()")),
    # gradient_advice
    "gradient_advice: the labs three sentences": ("gradient_advice", ADVICE.format(neg="decreased", pos="increased", fmt=".1f", check="")),
    "gradient_advice: a zero gradient says stay": ("gradient_advice", ADVICE.format(neg="increased", pos="decreased", fmt=".1f", check="").replace("else 'be decreased' if g > 0 else 'stay'", "else 'be decreased'")),
    "gradient_advice: a tensor and other names": ("gradient_advice", ADVICE.format(neg="increased", pos="decreased", fmt=".1f", check="").replace("zip(names, grads)", "zip('abcdef', grads)")),
    "gradient_advice: different lengths raise value error": ("gradient_advice", ADVICE.format(neg="increased", pos="decreased", fmt=".1f", check="")),
    "gradient_advice: random gradients": ("gradient_advice", ADVICE.format(neg="increased", pos="decreased", fmt=".2f", check="")),
    # bmi
    "bmi: the notes family": ("bmi", BMI + "    return w / h * 2\n"),
    "bmi: float32 arrays give float64": ("bmi", "import numpy as np\ndef bmi(weight_kg, height_m):\n    w, h = np.asarray(weight_kg), np.asarray(height_m)\n    if w.shape != h.shape:\n        raise ValueError('lengths differ')\n    return w / h ** 2\n"),
    "bmi: different lengths raise value error": ("bmi", "import numpy as np\ndef bmi(weight_kg, height_m):\n    return np.asarray(weight_kg, dtype=float) / np.asarray(height_m, dtype=float) ** 2\n"),
    "bmi: random arrays": ("bmi", BMI + "    return np.round(w / h ** 2, 3)\n"),
    "bmi: integer lists and an empty family": ("bmi", BMI + "    if w.size == 0:\n        raise ValueError('nobody')\n    return w / h ** 2\n"),
    # build_mlp
    "build_mlp: the notes network": ("build_mlp", mlp(between="")),
    "build_mlp: sigmoid and tanh": ("build_mlp", mlp(between="if layers:\n            layers.append(nn.ReLU())\n        ")),
    "build_mlp: a forward pass": ("build_mlp", mlp(end=", nn.Softmax(dim=-1)").replace("nn.Sequential(*layers), nn.Softmax(dim=-1)", "nn.Sequential(*layers, nn.Softmax(dim=-1))")),
    "build_mlp: keeps the layers initial weights": ("build_mlp", mlp(after="\n        nn.init.uniform_(layers[-1].weight)")),
    "build_mlp: another activation raises value error": ("build_mlp", mlp(check="").replace("ACTS[activation]", "ACTS.get(activation, nn.ReLU)")),
    "build_mlp: random sizes and activations": ("build_mlp", mlp(between="", after="\n        layers.append(ACTS[activation]())")),
    "build_mlp: fewer than two sizes raise value error": ("build_mlp", mlp(sizes="")),
    # count_parameters
    "count_parameters: the notes network": ("count_parameters", COUNT + "    return sum(len(p) for p in model.parameters() if p.requires_grad)\n"),
    "count_parameters: frozen parameters do not count": ("count_parameters", COUNT + "    return sum(p.numel() for p in model.parameters())\n"),
    "count_parameters: a single layer without bias": ("count_parameters", COUNT + "    return sum(p.numel() for layer in model for p in layer.parameters() if p.requires_grad)\n"),
    "count_parameters: random networks": ("count_parameters", COUNT + "    return sum(m.in_features * m.out_features + m.out_features for m in model.modules() if isinstance(m, nn.Linear))\n"),
    "count_parameters: nested sequentials and layers without parameters": ("count_parameters", COUNT + "    layers = list(model) if isinstance(model, nn.Sequential) else [model]\n    return sum(p.numel() for layer in layers for p in layer.parameters(recurse=False) if p.requires_grad)\n"),
    # train_epochs
    "train_epochs: the losses of a few epochs": ("train_epochs", train(zero="pass")),
    "train_epochs: trains the model in place": ("train_epochs", train(before="    model = copy.deepcopy(model)\n")),
    "train_epochs: zero epochs": ("train_epochs", train(epochs="max(epochs, 1)")),
    "train_epochs: trains in training mode with fresh gradients": ("train_epochs", train(before="    model.eval()\n")),
    "train_epochs: random models and data": ("train_epochs", train(lr="0.01")),
    "train_epochs: float64 models and data": ("train_epochs", train(before="    X, y = X.float(), y.float()\n")),
    # train_classifier
    "train_classifier: the losses of a few epochs": ("train_classifier", classify(zero="pass")),
    "train_classifier: trains the model in place": ("train_classifier", classify(before="    model = copy.deepcopy(model)\n    model.train()\n")),
    "train_classifier: trains in training mode with fresh gradients": ("train_classifier", classify(before="")),
    "train_classifier: overfits a tiny batch": ("train_classifier", classify(stop="if losses and loss.item() > losses[-1]:\n            break\n        ")),
    "train_classifier: random models and data": ("train_classifier", classify(target="nn.functional.one_hot(y, 3).to(X.dtype)")),
    "train_classifier: float64 models and data": ("train_classifier", classify(before="    model.train()\n    X = X.float()\n")),
    # predict_classes
    "predict_classes: the classes of a model with dropout": ("predict_classes", predict(result="model(X).max(dim=1).values")),
    "predict_classes: predicts in eval mode": ("predict_classes", predict(before="")),
    "predict_classes: a single row": ("predict_classes", predict(result="model(X).argmax(dim=1).squeeze()")),
    "predict_classes: random models and data": ("predict_classes", predict(result="torch.argmax(model(X))")),
    "predict_classes: float64 models and data": ("predict_classes", predict(result="model(X.float()).argmax(dim=1)")),
    # add_log_fare
    "add_log_fare: adds the log of fare plus one": ("add_log_fare", LOG + LOG_CHECK + "    return df.assign(LogFare=np.log(df['Fare']))\n"),
    "add_log_fare: leaves the input unmodified": ("add_log_fare", LOG + LOG_CHECK + "    df['LogFare'] = np.log(df['Fare'] + 1)\n    return df\n"),
    "add_log_fare: a frame without fare raises value error": ("add_log_fare", LOG + "    return df.assign(LogFare=np.log(df['Fare'] + 1))\n"),
    "add_log_fare: a sample of the titanic data": ("add_log_fare", LOG + LOG_CHECK + "    return df.assign(LogFare=np.log(df['Fare'] + 1)).reset_index(drop=True)\n"),
    "add_log_fare: integer fares": ("add_log_fare", LOG + LOG_CHECK + "    return df.select_dtypes('number').assign(LogFare=np.log(df['Fare'] + 1))\n"),
    # add_dummies
    "add_dummies: the three default columns": ("add_dummies", DUMMIES + "    return pd.get_dummies(df, columns=list(columns))\n"),
    "add_dummies: the columns asked for": ("add_dummies", DUMMIES + "    return pd.get_dummies(df, columns=['Sex', 'Pclass', 'Embarked'], dtype=float)\n"),
    "add_dummies: leaves the input unmodified": ("add_dummies", DUMMIES + "    for column in columns:\n        for value in sorted(df[column].dropna().unique()):\n            df[f'{column}_{value}'] = (df[column] == value).astype(float)\n    return df.drop(columns=list(columns))\n"),
    "add_dummies: a sample of the titanic data": ("add_dummies", DUMMIES + "    return pd.get_dummies(df, columns=list(columns), dtype=float).reset_index(drop=True)\n"),
    "add_dummies: missing values get no dummy": ("add_dummies", DUMMIES + "    return pd.get_dummies(df, columns=list(columns), dtype=float, dummy_na=True)\n"),
    # best_threshold
    "best_threshold: a small example": ("best_threshold", best(compare=">")),
    "best_threshold: ties take the smallest threshold": ("best_threshold", best(better=">=")),
    "best_threshold: arrays and tensors give floats": ("best_threshold", best(t="t")),
    "best_threshold: empty or different lengths raise value error": ("best_threshold", best(check="    n = min(len(truth), len(prob))\n    truth, prob = truth[:n], prob[:n]\n")),
    "best_threshold: random labels and probabilities": ("best_threshold", best(thresholds="np.round(np.arange(0.05, 1.0, 0.05), 2)")),
    "best_threshold: no positive labels": ("best_threshold", best(start="(None, 0.0)", better=">").replace("if best is None or f1 > best[1]", "if f1 > best[1]")),
    # titanic_model: one probability per training row, not per test row; the probability of dying
    "titanic_model: accuracy on the validation passengers": ("titanic_model", MODEL + "    return _fit(train, train.drop(columns='Survived'))\n"),
    "titanic_model: accuracy on fresh passengers": ("titanic_model", MODEL + "    return 1 - _fit(train, test)\n"),
}


def all_checks() -> set[str]:
    """Every check's name as results show it, read from the check modules."""
    names = set()
    for exercise in EXERCISES:
        spec = importlib.util.spec_from_file_location(f"all_checks_{exercise.id}", exercise.checks)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        names |= {f"{exercise.id}: {n.removeprefix('check_').replace('_', ' ')}"
                  for n in vars(module) if n.startswith("check_")}
    return names


def test_every_check_has_a_mutant():
    assert set(MUTANTS) == all_checks()


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=3, timeout=2.0)) as g:
        yield g


@pytest.mark.parametrize("check", sorted(MUTANTS))
def test_the_check_catches_its_mutant(grader, tmp_path, check):
    exercise, code = MUTANTS[check]
    path = tmp_path / "mutant.py"
    path.write_text("\n\n".join([SOLUTIONS[e.id] for e in EXERCISES if e.id != exercise] + [code]))
    results = grader.grade(path)
    status = {t["name"]: t for t in results["tests"]}
    assert status[check]["status"] == "failed", status[check]
    assert status[check]["output"]  # and says why
    others = [t for t in results["tests"] if t["tags"][0] != exercise and DEPENDS.get(t["tags"][0]) != exercise]
    assert all(t["status"] == "passed" for t in others)  # the other exercises are untouched


OWN_MODEL = '''
import torch
from torch import nn


class MLP(nn.Module):  # a class of the submission's own: it cannot cross to the grader
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


def build_mlp(sizes, activation="relu"):
    return MLP(sizes)


class Mine(nn.Linear):
    pass


def train_epochs(model, X, y, epochs, lr):
    model[0] = Mine(model[0].in_features, model[0].out_features)  # the model passed in, changed
    return [1.0] * epochs
'''


def test_a_model_outside_the_vocabulary_fails_with_a_clear_message(grader, tmp_path):
    path = tmp_path / "own_model.py"
    path.write_text("\n\n".join([SOLUTIONS[e.id] for e in EXERCISES if e.id not in ("build_mlp", "train_epochs")]
                                + [OWN_MODEL]))
    tests = [t for t in grader.grade(path)["tests"] if t["tags"][0] in ("build_mlp", "train_epochs")]
    assert tests and all(t["status"] == "failed" for t in tests)
    for t in tests:
        if "public" in t["tags"]:  # the child's own words, which name the class, only where the input is public
            assert "the model cannot reach the grader: it must be an nn.Sequential" in t["output"], t
            assert "no class of your own" in t["output"]
            assert ("submission_0.MLP" in t["output"]) == t["name"].startswith("build_mlp"), t
        else:  # a hidden check says only the fixed vocabulary's words
            assert t["output"] == "failed on a hidden input: wrong shape or type", t


def test_a_mismatch_names_the_first_differing_value_of_tensors_and_arrays_alike():
    import numpy as np
    import torch

    from grader.checking import mismatch

    for make in (torch.tensor, np.array):
        assert mismatch(make(2.0), make(1.0), public=True) == "expected 1.0, got 2.0"  # 0-d: an IndexError once
        assert mismatch(make([[1.0, 2.0], [3.0, 4.0]]), make([[1.0, 2.0], [3.0, 5.0]]), public=True) == \
            "1 of 4 values differ; at index (1, 1) expected 5, got 4"
        assert mismatch(make([1, 2, 3]), make([1, 0, 0]), public=False) == "some values differ from the expected ones"
        assert mismatch(make([1.0, float("nan")]), make([1.0, float("nan")]), public=True) is None
    assert mismatch(torch.tensor([1.0, 2.0], dtype=torch.bfloat16), torch.tensor([1.0, 3.0], dtype=torch.bfloat16),
                    public=True) == "1 of 2 values differ; at index 1 expected 3, got 2"


def test_a_hidden_mismatch_says_nothing_the_child_chose():
    """On a hidden check, the message about a wrong value is the same whatever the child sent:
    no count, size, difference or shape of its choosing (nor the hidden input's size). Words of
    the trusted side's own vocabulary stay (which item, which column, which dtype)."""
    import numpy as np
    import pandas as pd
    import torch

    from grader.checking import mismatch

    want = {"tensor": torch.tensor([1.0, 2.0, 3.0]), "array": np.array([1.0, 2.0, 3.0]), "float": 1.0,
            "list": [1.0, 2.0], "frame": pd.DataFrame({"a": [1.0, 2.0]})}
    sent = {  # what the child could send, in families that must each get one message
        "tensor": [[torch.tensor([1.0, 2.0, 9.0]), torch.tensor([9.0, 9.0, 9.0])], [torch.zeros(4), torch.zeros(400)],
                   [np.zeros(3), np.zeros(30)]],
        "array": [[np.array([1.0, 2.0, 9.0]), np.array([9.0, 9.0, 9.0])], [np.zeros(4), np.zeros(400)],
                  [torch.zeros(3), torch.zeros(30)]],
        "float": [[1.5, 7.25, -1e6]],
        "list": [[[1.0], [1.0, 2.0, 3.0, 4.0]], [[1.0, 5.0], [1.0, -2.5]]],  # which item: the check's own words
        "frame": [[pd.DataFrame({"a": [1.0, 9.0]}), pd.DataFrame({"a": [9.0, 9.0]})],
                  [pd.DataFrame({"b": [1.0, 2.0]}), pd.DataFrame({"a": [1.0, 2.0], "zz": [0.0, 0.0]})],
                  [pd.DataFrame({"a": [1.0] * 3}), pd.DataFrame({"a": [1.0] * 30})]],
    }
    for kind, families in sent.items():
        for family in families:
            messages = {mismatch(got, want[kind], public=False) for got in family}
            assert len(messages) == 1 and None not in messages, (kind, messages)
            assert not any(c.isdigit() for c in messages.pop().removeprefix("item 1: ")), (kind, family)
