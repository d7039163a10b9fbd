"""Reference answers behind the stored numbers of exercise 01 (instructor side only).

``python -m nncourse.grading.store`` calls every function in ``NUMBERS`` and writes what they
return to ``nncourse/grading/items/ex01.json``; the visible tests compare students' answers with
those numbers. The inputs come from the item file, so the two cannot drift apart.
"""

import itertools

import numpy as np

from nncourse.grading.items import ex01 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.threshold import threshold_unit


def step(z):
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)


def two_layer_forward(X, W1, b1, w2, b2):
    return step(step(X @ W1.T + b1) @ w2 + b2)


def step_numbers():
    return {"expected": step(items.Z_TEST), "strict": np.where(items.Z_TEST > 0, 1.0, 0.0)}


def sign_numbers():
    return {"expected": np.where(items.Z_TEST >= 0, 1.0, -1.0), "zero_one": step(items.Z_TEST)}


def neuron_numbers():
    X, w, b = items.NEURON_X, items.NEURON_W, items.NEURON_B
    return {"expected": step(X @ w + b), "no_bias": step(X @ w), "minus_bias": step(X @ w - b)}


def two_layer_numbers():
    X, W1, b1, w2, b2 = items.NET_X, items.NET_W1, items.NET_B1, items.NET_W2, items.NET_B2
    return {
        "expected": two_layer_forward(X, W1, b1, w2, b2),
        "transposed": two_layer_forward(X, W1.T, b1, w2, b2),
        "no_b1": two_layer_forward(X, W1, 0.0, w2, b2),
        "no_b2": two_layer_forward(X, W1, b1, w2, 0.0),
        "no_output_step": step(X @ W1.T + b1) @ w2 + b2,
    }


NUMBERS = {
    "ex01-step": step_numbers,
    "ex01-sign": sign_numbers,
    "ex01-neuron": neuron_numbers,
    "ex01-two-layer": two_layer_numbers,
}


def majority_quiz():
    """How many of the 8 binary inputs make the unit w = (1, 1, 1), theta = 1.5 fire (p > theta)?"""
    inputs = np.array(list(itertools.product([0.0, 1.0], repeat=3)))  # (8, 3)
    fires = threshold_unit(inputs, np.ones(3), 1.5)  # (8,) 0/1

    def count(theta):
        return int(threshold_unit(inputs, np.ones(3), theta).sum())

    return Number(int(fires.sum()), tolerance=0.5, wrong={
        int(fires.sum()) - 1: "the input (1, 1, 1) has p = 3 > 1.5 and fires too: the unit fires for two OR three "
                              "ones (a majority vote)",
        count(2.5): "only (1, 1, 1) gives p > 2.5; with theta = 1.5 two ones are already enough",
        count(0.5): "that is the count for theta = 0.5 (OR: at least one input on); with 1.5 one input is too little",
    })


def hebb_pairings(eta, theta):
    """Pairings of food and bell until the bell alone exceeds the threshold (Hebb: w += eta x y)."""
    w_bell, pairings = 0.0, 0
    while not w_bell > theta:  # the unit fires only when the sum EXCEEDS theta
        w_bell += eta * 1.0 * 1.0  # bell on (x = 1) while the food makes the unit fire (y = 1)
        pairings += 1
    return pairings


def hebb_quiz():
    n = hebb_pairings(0.125, 0.5)
    return Number(n, tolerance=0.5, wrong={
        n - 1: "after 4 pairings w_bell = 0.5 exactly: the bell alone gives p = 0.5, which does not exceed "
               "theta = 0.5, so the unit stays silent; one more pairing is needed",
        0.5 / 0.125 + 2: "the bell needs w_bell > 0.5; after 5 pairings w_bell = 0.625 is enough",
    })


def rescorla_quiz():
    alpha, lam, V = 0.3, 1.0, 0.0
    for _trial in range(3):
        V += alpha * (lam - V)  # learning from the prediction error
    after_two = 0.3 + 0.3 * 0.7
    return Number(V, tolerance=0.002, wrong={
        3 * alpha * lam: "that is the Hebbian version, which adds alpha * lambda on every trial whatever was "
                         "predicted; Rescorla-Wagner adds alpha times the prediction error lambda - V",
        after_two: "that is the strength after two trials (0.3, then 0.51); the third adds 0.3 * (1 - 0.51)",
        alpha * lam: "that is the strength after the first trial only",
    })


QUIZZES = {
    "ex01-quiz-majority": majority_quiz(),
    "ex01-quiz-hebb": hebb_quiz(),
    "ex01-quiz-rescorla": rescorla_quiz(),
    "ex01-quiz-xor-layer": Choice(
        "abcd", correct="ab", multiple=True,
        explain={
            "c": "(0, 1) and (1, 0) both map to h = (1, 0), so the four inputs land on only three points: "
                 "(0, 0), (1, 0) and (1, 1)",
            "d": "the output unit fires only for h = (1, 0); with h1 = AND and h2 = OR that would mean AND on "
                 "and OR off, which never happens, so the network outputs 0 for every input",
        }),
}
