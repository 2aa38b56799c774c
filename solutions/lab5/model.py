"""Lab 5 · Train a model of your own on the Titanic passengers (the reference: the lab's linear model)."""

import numpy as np
import pandas as pd
import torch


def features(frame, modes):
    """The lab's cleaning: missing values filled with the training modes, log fare, dummies."""
    frame = frame.fillna(modes)
    columns = {
        "Age": frame["Age"].astype(float),
        "SibSp": frame["SibSp"].astype(float),
        "Parch": frame["Parch"].astype(float),
        "LogFare": np.log(frame["Fare"].astype(float) + 1),
        "female": (frame["Sex"] == "female").astype(float),
        "class_2": (frame["Pclass"] == 2).astype(float),
        "class_3": (frame["Pclass"] == 3).astype(float),
        "from_C": (frame["Embarked"] == "C").astype(float),
        "from_Q": (frame["Embarked"] == "Q").astype(float),
        "child": (frame["Age"].astype(float) < 10).astype(float)}
    return torch.tensor(pd.DataFrame(columns).to_numpy(), dtype=torch.float32)


def predict_survival(train, test):
    modes = train[["Age", "Embarked", "Fare"]].mode().iloc[0]  # the columns with gaps that we use
    X, T = features(train, modes), features(test, modes)
    scale = X.abs().max(dim=0).values.clamp(min=1e-6)
    X, T = X / scale, T / scale
    y = torch.tensor(train["Survived"].to_numpy(), dtype=torch.float32)
    weights = torch.zeros(X.shape[1], requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([weights, bias], lr=0.2)
    for _ in range(50):  # full-batch Adam steps
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(X @ weights + bias, y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return torch.sigmoid(T @ weights + bias)
