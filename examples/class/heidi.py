"""Heidi: weeks 3 and 5."""
import numpy as np
import pandas as pd
import torch


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    zero = torch.zeros_like(x)
    return (torch.maximum(m1 * x + b1, zero)
            + torch.maximum(m2 * x + b2, zero)
            + torch.maximum(m3 * x + b3, zero))


def gradient_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def calc_preds(coeffs, indeps):
    return torch.sigmoid(indeps @ coeffs)


def fill_missing_with_mode(df):
    if len(df) == 0:
        return df.copy()
    return df.fillna(df.mode().iloc[0])


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    y_true = np.asarray(y_true).reshape(-1) != 0
    y_prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if y_true.shape != y_prob.shape:
        raise ValueError("different lengths")
    pred = y_prob >= threshold
    tp = int((pred & y_true).sum())
    fp = int((pred & ~y_true).sum())
    fn = int((~pred & y_true).sum())
    return 0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


# try it on the real data like in the lesson
df = pd.read_csv("train.csv")
df = fill_missing_with_mode(df)
print(df.isna().sum())
