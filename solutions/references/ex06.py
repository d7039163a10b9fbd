"""Reference answers behind the stored numbers of exercise 06 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex06 as items
from nnlib.gradcheck import numerical_gradient


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def mean_cross_entropy(Z2, labels):
    Z2 = Z2 - Z2.max(axis=1, keepdims=True)
    log_S = Z2 - np.log(np.exp(Z2).sum(axis=1, keepdims=True))
    return float(-np.mean(log_S[np.arange(len(labels)), labels]))


def batch_forward_numbers():
    X, W1, b1, W2, b2 = items.X_KA, items.W1_KA, items.B1_KA, items.W2_KA, items.B2_KA
    A1 = sigmoid(X @ W1.T + b1)  # (3, 3)
    return {"A1": A1, "Z2": A1 @ W2.T + b2, "A1_column_bias": sigmoid(X @ W1.T + b1.reshape(-1, 1)),
            "A1_without_bias": sigmoid(X @ W1.T)}


def batch_backward_numbers():
    X, labels, W1, b1, W2, b2 = items.backward_inputs()

    def loss(_):
        return mean_cross_entropy(sigmoid(X @ W1.T + b1) @ W2.T + b2, labels)

    A1 = sigmoid(X @ W1.T + b1)
    return {"A1": A1, "Z2": A1 @ W2.T + b2, "dW1": numerical_gradient(loss, W1), "db1": numerical_gradient(loss, b1),
            "dW2": numerical_gradient(loss, W2), "db2": numerical_gradient(loss, b2)}


def batches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_numbers():
    return {"batches": batches(10, 4, 0)}


def epoch(params, X, y, lr, shuffle=True):
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    losses = []
    order = batches(len(X), 4, 0) if shuffle else [np.arange(len(X))[i:i + 4] for i in range(0, len(X), 4)]
    for idx in order:
        loss, grads = items.logcosh_grad_fn(params, X[idx], y[idx])
        params = {key: value - lr * grads["d" + key] for key, value in params.items()}
        losses.append(loss)
    return params, losses


def sgd_epoch_numbers():
    X, y, start = items.epoch_inputs()
    params, losses = epoch(start, X, y, 0.1)
    return {"w": params["w"], "b": float(params["b"]), "losses": np.array(losses),
            "w_uphill": epoch(start, X, y, -0.1)[0]["w"],
            "w_unshuffled": epoch(start, X, y, 0.1, shuffle=False)[0]["w"]}


NUMBERS = {"ex06-batch-forward": batch_forward_numbers, "ex06-batch-backward": batch_backward_numbers,
           "ex06-minibatches": minibatches_numbers, "ex06-sgd-epoch": sgd_epoch_numbers}
