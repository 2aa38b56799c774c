"""Made-up Titanic passengers for the model exercise, and how their predictions are scored.

The scored passengers are ones no student can have: rows of the real training set's feature
columns drawn with replacement (a bootstrap), their Age and Fare jittered a little, and their
``Survived`` drawn here, on the trusted side, from a logistic regression fitted on the real
passengers (``GeneratingModel``). Each seed gives fresh passengers and fresh labels, and since
the probability of survival of each one is known, so is the best accuracy any model can reach
on them (the Bayes accuracy: the mean of ``max(p, 1 - p)``). The training frame a student gets
is made the same way, so an honest model trained on it generalises; a model that looks up the
real labels of the real passengers does not do better, because the scored labels are not theirs.

Points come from the accuracy through two cutoffs, linear in between (``cutoffs``): nothing at
the majority-class accuracy of the scored passengers, full points at ``FULL_FRACTION`` of the
best possible accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

#: The share of the best possible (Bayes) accuracy that earns full points.
FULL_FRACTION = 0.95
#: The columns the student's frames have (``Survived`` only in the training frame).
COLUMNS = ["PassengerId", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket", "Fare", "Cabin", "Embarked"]


def design(frame: pd.DataFrame) -> np.ndarray:
    """The generating model's features: sex, class, age (missing ages as a flag), family, log fare, port."""
    age = frame["Age"].astype(float)
    columns = [
        (frame["Sex"] == "female").astype(float),
        (frame["Pclass"] == 2).astype(float), (frame["Pclass"] == 3).astype(float),
        age.fillna(28.0) / 10.0, age.isna().astype(float),
        (age.fillna(28.0) < 10).astype(float),
        frame["SibSp"].astype(float), frame["Parch"].astype(float),
        np.log1p(frame["Fare"].astype(float).fillna(14.0)),
        (frame["Embarked"] == "C").astype(float), (frame["Embarked"] == "Q").astype(float),
    ]
    features = np.column_stack([np.ones(len(frame))] + [np.asarray(c, dtype=float) for c in columns])
    return features


@dataclass(frozen=True)
class GeneratingModel:
    """A logistic regression of ``Survived`` on ``design(frame)``, fitted by Newton's method."""

    weights: np.ndarray

    @classmethod
    def fit(cls, real: pd.DataFrame, ridge: float = 1e-3) -> "GeneratingModel":
        X, y = design(real), real["Survived"].to_numpy(dtype=float)
        w = np.zeros(X.shape[1])
        for _ in range(50):
            p = 1 / (1 + np.exp(-X @ w))
            gradient = X.T @ (p - y) + ridge * w
            hessian = (X * (p * (1 - p))[:, None]).T @ X + ridge * np.eye(len(w))
            step = np.linalg.solve(hessian, gradient)
            w = w - step
            if np.abs(step).max() < 1e-10:
                break
        return cls(w)

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        return 1 / (1 + np.exp(-design(frame) @ self.weights))


@cache
def real_passengers(path: str) -> pd.DataFrame:
    """The real training set (the checks' data folder), read once."""
    return pd.read_csv(Path(path))


@cache
def generating_model(path: str) -> GeneratingModel:
    return GeneratingModel.fit(real_passengers(path))


@dataclass(frozen=True)
class Passengers:
    """Made-up passengers: their features (no ``Survived``), their labels and true probabilities."""

    features: pd.DataFrame
    labels: np.ndarray       # 0/1, drawn from ``probability``
    probability: np.ndarray  # the generating model's probability of survival

    def with_labels(self) -> pd.DataFrame:
        """The frame with ``Survived`` (a training frame)."""
        frame = self.features.copy()
        frame.insert(1, "Survived", self.labels.astype(np.int64))
        return frame

    @property
    def best_accuracy(self) -> float:
        """The Bayes accuracy: what predicting the likelier outcome for each passenger is worth on average."""
        return float(np.maximum(self.probability, 1 - self.probability).mean())

    @property
    def baseline_accuracy(self) -> float:
        """The majority class's accuracy on these passengers."""
        share = float(self.labels.mean())
        return max(share, 1 - share)


def make_passengers(path: str, rng: np.random.Generator, n: int, first_id: int = 1) -> Passengers:
    """``n`` passengers: real rows' features drawn with replacement, Age (where known) and Fare
    jittered by a few percent, fresh ids, labels drawn from the generating model."""
    real = real_passengers(path)
    rows = rng.integers(0, len(real), size=n)
    frame = real.iloc[rows][[c for c in COLUMNS if c != "PassengerId"]].reset_index(drop=True)
    age = frame["Age"].to_numpy(dtype=float)
    jitter = np.clip(age * (1 + rng.normal(0, 0.05, size=n)) + rng.normal(0, 0.5, size=n), 0.17, 80.0)
    frame["Age"] = np.where(np.isnan(age), np.nan, np.round(jitter, 1))
    fare = frame["Fare"].to_numpy(dtype=float)
    frame["Fare"] = np.round(np.maximum(fare * np.exp(rng.normal(0, 0.05, size=n)), 0.0), 4)
    frame.insert(0, "PassengerId", np.arange(first_id, first_id + n, dtype=np.int64))
    probability = generating_model(path).probability(frame)
    labels = (rng.random(n) < probability).astype(np.int64)
    return Passengers(frame, labels, probability)


@dataclass(frozen=True)
class Score:
    accuracy: float
    log_loss: float
    baseline: float   # accuracy worth no points
    full: float       # accuracy worth full points
    best: float       # the best possible accuracy on these passengers

    @property
    def fraction(self) -> float:
        """The share of the points: 0 at ``baseline``, 1 from ``full`` on, linear in between."""
        if self.full <= self.baseline:
            return 1.0 if self.accuracy >= self.full else 0.0
        return float(min(max((self.accuracy - self.baseline) / (self.full - self.baseline), 0.0), 1.0))

    def text(self) -> str:
        return (f"accuracy {self.accuracy:.3f}, log loss {self.log_loss:.3f}; 0 points at {self.baseline:.3f} "
                f"(everyone in the majority class), full points from {self.full:.3f} "
                f"({FULL_FRACTION:g} of the best possible {self.best:.3f})")


def cutoffs(passengers: Passengers) -> tuple[float, float]:
    """The accuracy worth nothing and the accuracy worth full points on ``passengers``."""
    return passengers.baseline_accuracy, FULL_FRACTION * passengers.best_accuracy


def score(probabilities: np.ndarray, passengers: Passengers) -> Score:
    """Accuracy (survived when the probability is at least 0.5) and log loss, computed here."""
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-7, 1 - 1e-7)
    y = passengers.labels
    accuracy = float(((p >= 0.5).astype(np.int64) == y).mean())
    log_loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
    baseline, full = cutoffs(passengers)
    return Score(accuracy, log_loss, baseline, full, passengers.best_accuracy)
