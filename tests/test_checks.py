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


def f1(compare=" >= threshold", result="0.0 if 2*tp+fp+fn == 0 else 2*tp/(2*tp+fp+fn)", before=""):
    return F1 + before + F1_BODY.format(compare=compare, result=result)


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
    others = [t for t in results["tests"] if t["tags"][0] != exercise]
    assert all(t["status"] == "passed" for t in others)  # the other exercises are untouched
