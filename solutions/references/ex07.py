"""Reference answers behind the stored numbers and quizzes of exercise 07 (instructor side only)."""

import math

import numpy as np

from nncourse.grading.items import ex07 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.gradcheck import numerical_gradient


def leaky_elu_numbers():
    Z = items.Z_TEST
    return {"relu": np.maximum(0.0, Z), "leaky_relu": np.where(Z > 0, Z, 0.1 * Z),
            "leaky_relu_prime": np.where(Z > 0, 1.0, 0.1), "elu": np.where(Z > 0, Z, np.expm1(np.minimum(Z, 0.0))),
            "elu_prime": np.where(Z > 0, 1.0, 0.5 * np.exp(np.minimum(Z, 0.0))),
            "elu_prime_without_alpha": np.where(Z > 0, 1.0, np.exp(np.minimum(Z, 0.0)))}


def softmax(Z):
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def softmax_backward_numbers():
    Z, G = items.backward_inputs()

    def loss(_):
        return float(np.sum(softmax(Z) * G))

    S = softmax(Z)
    huge = softmax(items.HUGE_Z)
    return {"dZ": numerical_gradient(loss, Z), "diagonal_only": S * (1 - S) * G,
            "huge": huge * (items.HUGE_G - np.sum(items.HUGE_G * huge, axis=-1, keepdims=True))}


def huber_numbers():
    P, T = items.huber_inputs()
    d = P - T
    loss = np.where(np.abs(d) < 0.7, 0.5 * d ** 2, 0.7 * (np.abs(d) - 0.35))
    return {"loss": float(np.mean(loss)), "grad": np.where(np.abs(d) < 0.7, d, 0.7 * np.sign(d)) / d.size}


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logistic_loss_numbers():
    f, y = items.LOGISTIC_SCORES, items.LOGISTIC_Y
    m = y * f  # margins
    S = f.size

    def loss(scores):
        return float(np.mean(np.logaddexp(0.0, -y * scores)))  # log(1 + e^(-m)), stably

    return {"loss": loss(f), "grad": numerical_gradient(loss, f),
            "sigma_of_margin": -y * sigmoid(m) / S, "zero_one_labels": (sigmoid(f) - y) / S}


NUMBERS = {"ex07-leaky-elu": leaky_elu_numbers, "ex07-softmax-backward": softmax_backward_numbers,
           "ex07-huber": huber_numbers, "ex07-logistic-loss": logistic_loss_numbers}


def vanishing_quiz():
    """Smallest number of sigmoid layers after which (1/4)^k < 1/1000."""
    layers = math.ceil(math.log(1000) / math.log(4))
    return Number(layers, tolerance=0.5, wrong={
        layers - 1: f"(1/4)^{layers - 1} = {0.25 ** (layers - 1):.4f} is still above 1/1000",
        math.ceil(math.log(1000) / math.log(2)): "the sigmoid's slope is at most 1/4 (at z = 0), not 1/2",
        1000: "each layer multiplies by at most 1/4, so the shrinking is exponential in depth, not linear",
    })


def robust_quiz():
    y = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    return Number(float(np.median(y)), tolerance=0.01, wrong={
        float(np.mean(y)): "that is the mean, the minimiser of the squared error; the outlier 100 drags it away. "
                           "The absolute error's minimiser is the median",
        float(np.median(y[:-1])): "the outlier still counts: it is one of five points, and the median of all five "
                                  "is the middle one",
        float((y.min() + y.max()) / 2): "that is the midpoint of the range, the minimiser of the largest error",
    })


QUIZZES = {
    "ex07-quiz-vanishing": vanishing_quiz(),
    "ex07-quiz-dead-relu": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "a larger learning rate multiplies a gradient of exactly zero: the dead unit's parameters still do "
                 "not move (a large rate is more often what kills units)",
            "d": "ReLU does not saturate for large z (its slope stays 1); units die on the other side, where z <= 0 "
                 "for every example and the slope is 0",
        }),
    "ex07-quiz-robust": robust_quiz(),
}
