"""Reference answers behind the stored numbers and quizzes of exercise 04 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex04 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.gradcheck import numerical_gradient
from nnlib.layers import Linear


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
    N = a.size
    return {"loss": float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))),
            "grad": (-y / a + (1 - y) / (1 - a)) / N, "grad_z": (a - y) / N,
            "only_y_term": -y / a / N, "inner_sign": (-y / a - (1 - y) / (1 - a)) / N}


def cross_entropy_numbers():
    Z, labels = items.CE_Z, items.CE_LABELS
    P = softmax(Z)
    N, K = Z.shape
    Y = np.eye(K)[labels]  # (N, K) one-hot
    dP = -Y / P / N  # (N, K) dL/dzeta
    return {"loss": float(-np.mean(np.log(P[np.arange(N), labels]))), "dZ": (P - Y) / N,
            "softmax_only": P / N, "grad_probabilities": dP, "diagonal_only": dP * P * (1 - P)}


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


def parameters_quiz():
    """Weights and biases of a 64-32-16-10 MLP, counted from nnlib's layers."""
    sizes = [64, 32, 16, 10]
    layers = [Linear(n_in, n_out, rng=0) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    total = sum(layer.W.size + layer.b.size for layer in layers)
    weights = sum(layer.W.size for layer in layers)
    return Number(total, tolerance=0.5, wrong={
        weights: "that counts the weights only; every unit of the three layers also has a bias",
        weights + sum(sizes): "the inputs have no bias: only the 32 + 16 + 10 units that compute something do",
        sum(sizes[1:]): "that is the number of units; every unit has one weight per input plus a bias",
    })


def tent_pieces(depth, points=2 ** 12 + 1):
    """Linear pieces of the tent map composed ``depth`` times on [0, 1], counted from its slopes."""
    x = np.linspace(0.0, 1.0, points)
    f = x
    for _ in range(depth):
        f = 2 * np.maximum(f, 0) - 4 * np.maximum(f - 0.5, 0)  # t(x) = 2 relu(x) - 4 relu(x - 1/2)
    slopes = np.round(np.diff(f) / np.diff(x))
    return int(1 + np.count_nonzero(np.diff(slopes)))


def depth_quiz():
    depth = 5
    return Number(tent_pieces(depth), tolerance=0.5, wrong={
        2 * depth: "that is the number of ReLU units; each layer of two units doubles the number of pieces",
        2 * depth + 1: "H + 1 pieces is the most ONE hidden layer of H ReLU units can make on a line; stacked "
                       "layers compose the tent map, and every composition doubles the pieces",
        tent_pieces(depth) - 1: "that counts the kinks; the pieces between them are one more",
        depth ** 2: "the count grows exponentially with depth, not quadratically: every layer doubles it",
    })


QUIZZES = {
    "ex04-quiz-parameters": parameters_quiz(),
    "ex04-quiz-collapse": Choice(
        "abcd", correct="a",
        explain={
            "b": "without an activation the three layers multiply out to one affine map W3 W2 W1 x + b~: the "
                 "boundaries between classes stay straight lines, however many layers there are",
            "c": "more parameters do not buy new functions here: the stack is still one affine map followed by "
                 "the softmax, while NW4's sigmoids bend the boundary",
            "d": "gradients flow through linear layers perfectly well (the derivative of the identity is 1); "
                 "the network learns, but only what softmax regression can",
        }),
    "ex04-quiz-outputs": Choice(
        "abcd", correct="ab", multiple=True,
        explain={
            "c": "a softmax over a single output is always exactly 1, whatever the logit; use one sigmoid unit "
                 "with the binary cross-entropy (or two softmax units)",
            "d": "the softmax makes the tags compete: their probabilities sum to 1, so 'dog' and 'cat' cannot "
                 "both be near 1. Independent sigmoid outputs with the BCE (NW2) fit tags that can co-occur",
        }),
    "ex04-quiz-depth": depth_quiz(),
}
