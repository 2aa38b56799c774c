# Grace - homework for weeks 3 and 5
import numpy as np
import pandas as pd
import torch


def rectified_linear(m, b, x):
    return torch.clip(m * x + b, min=0.0)


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    return rectified_linear(m1, b1, x) + rectified_linear(m2, b2, x) + rectified_linear(m3, b3, x)


def gradient_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


def calc_preds(coeffs, indeps)
    return torch.sigmoid(indeps @ coeffs)


def fill_missing_with_mode(df):
    if len(df) == 0:
        return df.copy()
    return df.fillna(df.mode().iloc[0])


def f1_at_threshold(y_true, y_prob, threshold=0.5):
    y_true = np.asarray(y_true).reshape(-1)
    y_prob = np.asarray(y_prob, dtype=float).reshape(-1)
    if y_true.size != y_prob.size:
        raise ValueError("y_true and y_prob must have the same length")
    pred = y_prob >= threshold
    tp = int(np.sum(pred & (y_true == 1)))
    fp = int(np.sum(pred & (y_true == 0)))
    fn = int(np.sum(~pred & (y_true == 1)))
    if 2 * tp + fp + fn == 0:
        return 0.0
    return 2 * tp / (2 * tp + fp + fn)
