import numpy as np


def features(df, fill):
    age = df["Age"].fillna(fill)
    return np.column_stack([np.ones(len(df)), df["Sex"] == "female", df["Pclass"] == 2, df["Pclass"] == 3,
                            age / 10, age < 10, df["SibSp"], df["Parch"], np.log(df["Fare"] + 1)]).astype(float)


def predict_survival(train, test):
    """numpy only: logistic regression by gradient descent, returned as a list of floats."""
    fill = train["Age"].median()
    X, T = features(train, fill), features(test, fill)
    y = train["Survived"].to_numpy(dtype=float)
    w = np.zeros(X.shape[1])
    for _ in range(3000):
        p = 1 / (1 + np.exp(-X @ w))
        w -= 0.05 * X.T @ (p - y) / len(y)
    return [float(v) for v in 1 / (1 + np.exp(-T @ w))]
