"""Reference answers behind the stored numbers of exercise 01 (instructor side only).

``python -m nncourse.grading.store`` calls every function in ``NUMBERS`` and writes what they
return to ``nncourse/grading/items/ex01.json``; the visible tests compare students' answers with
those numbers. The inputs come from the item file, so the two cannot drift apart.
"""

import numpy as np

from nncourse.grading.items import ex01 as items


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
