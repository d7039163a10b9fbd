"""Reference answers behind the stored numbers of exercise 07 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex07 as items
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


NUMBERS = {"ex07-leaky-elu": leaky_elu_numbers, "ex07-softmax-backward": softmax_backward_numbers,
           "ex07-huber": huber_numbers}
