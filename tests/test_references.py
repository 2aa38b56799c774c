"""Reference answers remembered across submissions: computed once, never spoiled, never stale."""

import types

import pandas as pd
import torch

from grader.grading.references import RememberingReference


def module(worth=lambda compute, lookup: True, **functions):
    """A reference module of ``functions`` that counts their calls (every answer worth remembering
    unless ``worth`` says otherwise: the default policy goes by measured times)."""
    calls = []
    m = types.ModuleType("reference")
    for name, function in functions.items():
        def counted(*args, _f=function, _n=name, **kwargs):
            calls.append(_n)
            return _f(*args, **kwargs)
        setattr(m, name, counted)
    return RememberingReference(m, worth), calls


def test_the_same_inputs_are_computed_once():
    reference, calls = module(fill=lambda df: df.fillna(df.mode().iloc[0]))
    frame = pd.DataFrame({"a": [1.0, None, 1.0], "s": ["x", None, "x"]})
    first = reference.fill(frame.copy())
    second = reference.fill(frame.copy())
    assert calls == ["fill"]
    assert first.equals(second) and first["a"].tolist() == [1.0, 1.0, 1.0]
    reference.fill(frame.iloc[:2].copy())  # other inputs: computed
    assert calls == ["fill", "fill"]


def test_a_caller_cannot_spoil_the_answer_for_the_next():
    reference, _ = module(double=lambda t: t * 2)
    answer = reference.double(torch.tensor([1.0, 2.0]))
    answer.zero_()
    assert reference.double(torch.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]


def test_a_function_that_changes_its_arguments_stays_live():
    def step(params, lr):
        for p in params:
            p -= lr
    reference, calls = module(step=step)
    for _ in range(2):
        params = [torch.tensor([1.0, 2.0])]
        reference.step(params, 0.5)
        assert params[0].tolist() == [0.5, 1.5]  # the caller sees the effect every time
    assert calls == ["step", "step"]


def test_calls_that_take_part_in_autograd_are_live():
    reference, calls = module(square=lambda t: (t ** 2).sum())
    for _ in range(2):
        x = torch.tensor([1.0, 3.0], requires_grad=True)
        reference.square(x).backward()
        assert x.grad.tolist() == [2.0, 6.0]
    assert calls == ["square", "square"]


def test_a_function_cheaper_to_compute_than_to_look_up_is_computed_live():
    seen = []

    def worth(compute, lookup):
        seen.append((compute, lookup))
        return False

    reference, calls = module(worth=worth, double=lambda t: t * 2)
    for _ in range(3):
        answer = reference.double(torch.tensor([1.0, 2.0]))
        assert answer.tolist() == [2.0, 4.0] and not answer.requires_grad
    assert calls == ["double"] * 3
    assert len(seen) == 1 and all(t > 0 for t in seen[0])  # asked once, with the first call's times


def test_the_default_policy_remembers_what_costs_more_than_a_lookup():
    from grader.grading.references import worth_remembering

    assert worth_remembering(0.005, 0.0002) and not worth_remembering(0.00001, 0.0002)


def test_the_fill_reference_handles_a_frame_with_nothing_to_fill_with():
    from pathlib import Path

    from grader.course import load_exercises
    from grader.grading.references import load_reference

    exercise = next(e for e in load_exercises() if e.id == "fill_missing_with_mode")
    solution = load_reference(Path(__file__).resolve().parents[1] / "solutions" / exercise.path, exercise)
    frame = pd.DataFrame({"a": [float("nan")] * 3, "s": pd.Series([None] * 3, dtype="str")})
    filled = solution.fill_missing_with_mode(frame)
    assert filled is not frame and filled.isna().all().all() and list(filled.columns) == ["a", "s"]
