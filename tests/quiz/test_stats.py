"""Item analysis against values worked out by hand (Moodle's definitions, sample variances)."""

from __future__ import annotations

import math

import pytest

from grader.quiz.parse import load_quiz
from grader.quiz.stats import cronbach_alpha, pearson, quiz_stats, sample_variance

from .conftest import FIXTURES

# Quiz "three": pick-zero (single, 1 pt, answer B), half (numeric 0.5, 1 pt), pick-two (multiple, 2 pts, A+C).
#
#          pick-zero    half          pick-two            item scores x1 x2 x3   total T
# S1       B  → 1       0.5  → 1      A,C   → 2             1  1  2               4
# S2       B  → 1       2    → 0      A     → 1 (1 of 2)    1  0  1               2
# S3       A  → 0       1/2  → 1      A,B   → 0 (1 − 1)     0  1  0               1
# S4       C  → 0       —    → 0      B     → 0             0  0  0               0
#
# Facility = 100 · mean / max:  x1 50%, x2 50%, x3 (0.75 / 2) 37.5%.
# Sample variances (divide by S − 1 = 3):
#   V(x1) = (4 · 0.25) / 3 = 1/3;  V(x2) = 1/3;
#   V(x3): mean 0.75, squares 1.5625 + 0.0625 + 0.5625 + 0.5625 = 2.75 → 2.75/3
#   V(T):  mean 1.75, squares 5.0625 + 0.0625 + 0.5625 + 3.0625 = 8.75 → 8.75/3, SD = √(8.75/3) = 1.707825
# Cronbach's alpha = 3/2 · (1 − (1/3 + 1/3 + 2.75/3) / (8.75/3)) = 1.5 · (1 − 4.75/8.75) = 6/8.75 = 0.685714
# Discrimination = 100 · r(x_i, T − x_i):
#   x1 = [1,1,0,0], rest = [3,1,1,0]: Sxy = 0.875 − 0.125 + 0.125 + 0.625 = 1.5, Sxx = 1, Syy = 4.75
#        r = 1.5 / √4.75 = 0.688247
#   x2 = [1,0,1,0], rest = [3,2,0,0]: Sxy = 0.875 − 0.375 − 0.625 + 0.625 = 0.5, Sxx = 1, Syy = 6.75
#        r = 0.5 / √6.75 = 0.192450
#   x3 = [2,1,0,0], rest = [2,1,1,0]: Sxy = 1.25 + 0 + 0 + 0.75 = 2, Sxx = 2.75, Syy = 2
#        r = 2 / √5.5 = 0.852803
ANSWERS = [
    {"pick-zero": "B", "half": 0.5, "pick-two": ["A", "C"]},
    {"pick-zero": "B", "half": "2", "pick-two": ["A"]},
    {"pick-zero": "A", "half": "1/2", "pick-two": ["A", "B"]},
    {"pick-zero": "C", "pick-two": ["B"]},
]


@pytest.fixture
def stats():
    return quiz_stats(load_quiz(FIXTURES / "three.md"), ANSWERS)


def test_quiz_level(stats):
    assert stats.students == 4 and stats.max_score == 4
    assert stats.mean == pytest.approx(1.75)
    assert stats.sd == pytest.approx(1.707825, abs=1e-6)
    assert stats.cronbach_alpha == pytest.approx(0.685714, abs=1e-6)


def test_facility_and_discrimination(stats):
    by_id = {q.id: q for q in stats.questions}
    assert [by_id[q].facility_index for q in ("pick-zero", "half", "pick-two")] == pytest.approx([50, 50, 37.5])
    assert by_id["pick-zero"].discrimination_index == pytest.approx(68.8247, abs=1e-4)
    assert by_id["half"].discrimination_index == pytest.approx(19.2450, abs=1e-4)
    assert by_id["pick-two"].discrimination_index == pytest.approx(85.2803, abs=1e-4)
    assert by_id["pick-two"].sd == pytest.approx(math.sqrt(2.75 / 3))
    assert by_id["half"].answered == 3


def test_option_counts(stats):
    by_id = {q.id: q for q in stats.questions}
    assert by_id["pick-zero"].responses == {"A": 1, "B": 2, "C": 1}
    assert by_id["pick-two"].responses == {"A": 3, "B": 2, "C": 1}
    assert by_id["half"].responses == {"0.5": 2, "2": 1, "(no answer)": 1}


def test_helpers_edge_cases():
    assert sample_variance([3.0]) is None
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # no variance → undefined, not a crash
    assert cronbach_alpha([[1, 0, 1]]) is None  # one item
    assert cronbach_alpha([[1, 1], [1, 1]]) is None  # no variance in the totals


def test_single_student_has_no_spread():
    s = quiz_stats(load_quiz(FIXTURES / "three.md"), ANSWERS[:1])
    assert s.sd is None and s.cronbach_alpha is None
    assert all(q.discrimination_index is None for q in s.questions)
    assert [q.facility_index for q in s.questions] == [100, 100, 100]
