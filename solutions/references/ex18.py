"""Reference answers behind the stored numbers of exercise 18 (instructor side only)."""

import math

import numpy as np

from nncourse.grading.items import ex18 as items
from nnlib.gradcheck import numerical_gradient


def network(params, X, relu=True):
    Z1 = X @ params["W1"].T + params["b1"]  # (N, H)
    A1 = np.maximum(Z1, 0.0) if relu else Z1  # (N, H)
    return A1 @ params["W2"].T + params["b2"], Z1, A1  # (N, C), (N, H), (N, H)


def softmax(scores):
    E = np.exp(scores - scores.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def cross_entropy(scores, y):
    return float(-np.mean(np.log(softmax(scores)[np.arange(len(y)), y])))


def init_numbers():
    return {"he_std": math.sqrt(2 / 1000), "log_10": math.log(10)}


def forward_numbers():
    params, X = items.small_network()
    scores, Z1, A1 = network(params, X)
    return {"scores": scores, "Z1": Z1, "A1": A1, "labels": np.argmax(scores, axis=1),
            "without_relu": network(params, X, relu=False)[0]}


def loss_numbers():
    scores, y = items.LOSS_SCORES, items.LOSS_Y
    N = len(y)
    # the scores [[1000, 0, -1000], [0, 1000, 990]] with labels [0, 2], by hand: row 1 costs log(1 + e^-1000 +
    # e^-2000) = 0 in float64, row 2 costs log(1 + e^-10 + e^-1000) + 10
    big_loss = (0.0 + (math.log1p(math.exp(-10.0)) + 10.0)) / 2
    return {"loss": cross_entropy(scores, y), "dscores": (softmax(scores) - np.eye(3)[y]) / N,
            "softmax_over_n": softmax(scores) / N, "big_loss": big_loss}


def backward_numbers():
    params, X = items.small_network()
    G = np.random.default_rng(6).normal(size=(4, 3))  # the item's upstream gradient
    numbers = {}
    for name in items.NAMES:
        numbers[name] = numerical_gradient(lambda _: float(np.sum(network(params, X)[0] * G)), params[name])
    _, Z1, A1 = network(params, X)
    numbers["Z1"], numbers["A1"] = Z1, A1
    numbers["W1_no_mask"] = (G @ params["W2"]).T @ X  # the slip: no ReLU derivative
    return numbers


def gradients(params, X, y):
    scores, Z1, A1 = network(params, X)
    dscores = (softmax(scores) - np.eye(scores.shape[1])[y]) / len(y)
    delta1 = dscores @ params["W2"] * (Z1 > 0)
    return cross_entropy(scores, y), {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": dscores.T @ A1,
                                      "b2": dscores.sum(axis=0)}


def epoch(params, X, y, lr, batch_size, order):
    losses, sizes = [], []
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        loss, grads = gradients(params, X[batch], y[batch])
        for name in params:
            params[name] = params[name] - lr * grads[name]
        losses.append(loss)
        sizes.append(len(batch))
    return losses, sizes


def train_epoch_numbers():
    params, X, y = items.epoch_inputs()
    order = np.random.default_rng(7).permutation(len(X))
    losses, sizes = epoch(params, X, y, 0.5, 5, order)
    unshuffled, _, _ = items.epoch_inputs()
    epoch(unshuffled, X, y, 0.5, 5, np.arange(len(X)))
    return {**params, "loss": float(np.dot(losses, sizes) / sum(sizes)), "unweighted_loss": float(np.mean(losses)),
            "W2_unshuffled": unshuffled["W2"]}


NUMBERS = {"ex18-init": init_numbers, "ex18-forward": forward_numbers, "ex18-loss": loss_numbers,
           "ex18-backward": backward_numbers, "ex18-train-epoch": train_epoch_numbers}
QUIZZES = {}
