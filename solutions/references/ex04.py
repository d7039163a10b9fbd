"""Reference answers behind the stored numbers of exercise 04 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex04 as items
from nnlib.gradcheck import numerical_gradient


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def softmax_numbers():
    Z = items.SOFTMAX_Z
    return {"expected": softmax(Z), "big": softmax(items.SOFTMAX_BIG), "vector": softmax(items.SOFTMAX_VECTOR),
            "per_column": np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), "whole_batch": np.exp(Z) / np.exp(Z).sum()}


def bce_numbers():
    a, y = items.BCE_A, items.BCE_Y
    return {"loss": float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))),
            "grad": (a - y) / (a * (1 - a)) / a.size, "grad_z": (a - y) / a.size}


def cross_entropy_numbers():
    Z, labels = items.CE_Z, items.CE_LABELS
    P = softmax(Z)
    return {"loss": float(-np.mean(np.log(P[np.arange(len(labels)), labels]))),
            "dZ": (P - np.eye(Z.shape[1])[labels]) / len(labels)}


def linear_forward_numbers():
    return {"square": items.SQUARE_A @ items.SQUARE_W.T + items.SQUARE_B}


def linear_backward_numbers():
    A, W, b, G = items.backward_inputs()

    def loss(_):
        return float(np.sum((A @ W.T + b) * G))  # dL/dZ = G

    return {"dA_prev": numerical_gradient(loss, A), "dW": numerical_gradient(loss, W),
            "db": numerical_gradient(loss, b)}


NUMBERS = {"ex04-softmax": softmax_numbers, "ex04-bce": bce_numbers, "ex04-cross-entropy": cross_entropy_numbers,
           "ex04-linear-forward": linear_forward_numbers, "ex04-linear-backward": linear_backward_numbers}
