"""Reference answers behind the stored numbers and the quiz of exercise 17 (instructor side only)."""

import math

import numpy as np

from nncourse.grading.items import ex17 as items
from nncourse.grading.quiz import Choice
from nnlib.gradcheck import numerical_gradient


def sigmoid_network(params, X):
    A1 = 1.0 / (1.0 + np.exp(-(X @ params["W1"].T + params["b1"])))  # (N, H)
    Z2 = A1 @ params["W2"].T + params["b2"]  # (N, 10)
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return A1, P / P.sum(axis=1, keepdims=True)


def mean_cross_entropy(params, X, y):
    return float(-np.mean(np.log(sigmoid_network(params, X)[1][np.arange(len(y)), y])))


def setup_3_numbers():
    params, X, y = items.gradient_inputs()
    numbers = {"loss": mean_cross_entropy(params, X, y)}
    for name in ("W1", "b1", "W2", "b2"):
        numbers[name] = numerical_gradient(lambda _: mean_cross_entropy(params, X, y), params[name])
    A1, P = sigmoid_network(params, X)
    delta2 = (P - np.eye(10)[y]) / len(y)
    numbers["W1_without_sigma_prime"] = (delta2 @ params["W2"]).T @ X  # the planted bug
    return numbers


def log_10():
    return {"log_10": math.log(10)}


NUMBERS = {
    "ex17-setup-2": lambda: {"floor": -math.log(math.e / (math.e + 9))},  # softmax of a one-hot row, 10 classes
    "ex17-setup-3": setup_3_numbers,
    "ex17-setup-4": log_10,
    "ex17-setup-5": log_10,
    "ex17-setup-6": log_10,
}

QUIZZES = {
    "ex17-quiz-gradcheck": Choice(
        "abcdefg", correct="c", multiple=True,
        explain={
            "a": "the bias column is a problem of the data the model sees; the gradients of the model it got are "
                 "right, so the check passes",
            "b": "the network with two softmax layers is a different function, but backpropagation computes its "
                 "gradient correctly; the check compares with that same function and passes",
            "d": "labels shuffled apart from the images give the wrong targets; the gradient of the loss for those "
                 "targets is still computed correctly",
            "e": "a learning rate that is too large makes bad steps with correct gradients",
            "f": "zero weights give correct (zero) gradients; the problem is that they are all equal",
            "g": "on a freshly built model the stored gradients start at zero, so one backward pass gives the "
                 "right numbers; the bug only shows from the second step on",
        }),
}
