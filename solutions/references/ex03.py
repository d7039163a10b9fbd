"""Reference answers behind the stored numbers and quizzes of exercise 03 (instructor side only)."""

import math

import numpy as np

from nncourse.grading.items import ex03 as items
from nncourse.grading.quiz import Choice, Number


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))  # no overflow for any z


def sigmoid_numbers():
    s = sigmoid(items.Z_TEST)
    return {"sigmoid": s, "sigmoid_prime": s * (1 - s)}


def tanh_relu_numbers():
    Z = items.Z_TEST
    return {"tanh_prime": 1 - np.tanh(Z) ** 2, "relu": np.maximum(0.0, Z), "relu_prime": (Z > 0).astype(float)}


def linear_step_numbers():
    X, y, w, b, lr = items.LINEAR_X, items.LINEAR_Y, items.LINEAR_W, items.LINEAR_B, 0.05
    err = X @ w + b - y  # (n,)
    return {"w_new": w - lr * 2 / len(y) * err @ X, "b_new": float(b - lr * 2 / len(y) * err.sum())}


def logistic_step_numbers():
    X, y, w, b, lr = items.LOGISTIC_X, items.LOGISTIC_Y, items.LOGISTIC_W, items.LOGISTIC_B, 0.5
    a = sigmoid(X @ w + b)  # (n,)
    return {"w_new": w - lr * (a - y) @ X / len(y), "b_new": float(b - lr * np.mean(a - y))}


def sigmoid_mse_numbers():
    X, y, w, b = items.LOGISTIC_X, items.LOGISTIC_Y, items.LOGISTIC_W, items.LOGISTIC_B
    n = len(y)
    a = sigmoid(X @ w + b)  # (n,)
    delta = 2 * (a - y) * a * (1 - a)  # (n,) dL/dz times n: dL/da = 2 (a - y), da/dz = a (1 - a)
    return {"grad_w": delta @ X / n, "grad_b": float(delta.sum() / n),
            "without_sigma_prime": 2 * (a - y) @ X / n, "bce_gradient": (a - y) @ X / n,
            "without_two": delta @ X / (2 * n)}


NUMBERS = {"ex03-sigmoid": sigmoid_numbers, "ex03-tanh-relu": tanh_relu_numbers,
           "ex03-linear-step": linear_step_numbers, "ex03-logistic-step": logistic_step_numbers,
           "ex03-sigmoid-mse": sigmoid_mse_numbers}


def diverge_quiz():
    """L(w) = 1/n sum (w x_i - y_i)^2 on x = (1, 2, 3): curvature 2/n sum x^2, divergence above 2 / curvature."""
    x = np.array([1.0, 2.0, 3.0])
    curvature = 2 * np.mean(x ** 2)  # L''(w), the same everywhere
    return Number(2 / curvature, tolerance=0.002, wrong={
        1 / curvature: "from this rate on each step overshoots the minimum (the oscillating regime), but it "
                       "still converges; it diverges when eta times the curvature exceeds 2",
        2 / np.mean(x ** 2): "the curvature of (1/n) sum (w x - y)^2 is (2/n) sum x^2: the square gives a "
                             "factor 2 that you left out",
        2 / (2 * np.sum(x ** 2)): "the cost is a mean, so its curvature is (2/n) sum x^2, not 2 sum x^2",
    })


def updates_quiz():
    n, batch, epochs = 1000, 32, 5
    per_epoch = math.ceil(n / batch)  # the last, smaller batch is an update too
    return Number(epochs * per_epoch, tolerance=0.5, wrong={
        epochs * n / batch: "n / b = 31.25 is not a number of batches: the 8 examples left over form a last, "
                            "smaller batch, so an epoch has 32 updates",
        epochs * (n // batch): "the 8 examples left over after 31 full batches form a 32nd, smaller batch; "
                               "every example is used once per epoch",
        epochs: "that is batch gradient descent (one update per epoch); here each mini-batch makes an update",
        epochs * n: "that is stochastic gradient descent (one update per example); here 32 examples share an update",
    })


QUIZZES = {
    "ex03-quiz-diverge": diverge_quiz(),
    "ex03-quiz-updates": updates_quiz(),
    "ex03-quiz-saturated": Choice(
        "abcd", correct="ab", multiple=True,
        explain={
            "c": "the cross-entropy's dL/da = (a - y) / (a (1 - a)) is huge here and cancels the sigmoid's tiny "
                 "slope: dL/dz = a - y, about -1, however saturated the unit is",
            "d": "they differ by more than the 2: the squared error keeps the factor a (1 - a), which is about "
                 "0.001 here, while the cross-entropy cancels it",
        }),
}
