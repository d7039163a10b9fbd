"""Reference answers behind the stored numbers of exercise 05 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex05 as items
from nnlib.gradcheck import numerical_gradient

A1_KA = np.array([[1.0, 2.0, 1.5]])  # the deck's hidden activations for x = (1, 2); y_hat - y = 0.4


def update_step_numbers():
    return {"W2_twice_the_gradient": items.W2_KA - 0.1 * 2 * 0.4 * A1_KA,
            "W1_with_new_W2": items.W1_KA - 0.1 * 0.4 * np.outer(items.W2_NEW[0], items.X_KA),
            "W2_uphill": items.W2_KA + 0.1 * 0.4 * A1_KA}


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def mlp_loss(X, labels, W1, b1, W2, b2):
    A1 = sigmoid(X @ W1.T + b1)  # (N, H)
    Z2 = A1 @ W2.T + b2  # (N, K)
    Z2 = Z2 - Z2.max(axis=1, keepdims=True)
    log_p = Z2 - np.log(np.exp(Z2).sum(axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(X.shape[0]), labels])


def mlp_backprop_numbers():
    X, labels, W1, b1, W2, b2 = items.mlp_inputs()

    def loss(_):
        return mlp_loss(X, labels, W1, b1, W2, b2)

    numbers = {"dW2": numerical_gradient(loss, W2), "db2": numerical_gradient(loss, b2),
               "dW1": numerical_gradient(loss, W1), "db1": numerical_gradient(loss, b1)}
    A1 = sigmoid(X @ W1.T + b1)
    P = np.exp(A1 @ W2.T + b2)
    P /= P.sum(axis=1, keepdims=True)
    delta2 = (P - np.eye(3)[labels]) / len(labels)
    numbers["dW1_without_sigmoid_prime"] = (delta2 @ W2).T @ X  # the slip: the hidden delta without sigma'
    return numbers


def numerical_gradient_numbers():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    return {"expected": 3 * x ** 2}  # the derivative of sum(x^3)


def gradient_check_numbers():
    W, x = items.CHECK_W, items.CHECK_X
    right, wrong = np.cos(x) * W, np.sin(x) * W
    return {"wrong_error": float(np.max(np.abs(wrong - right) / np.maximum(np.abs(wrong) + np.abs(right), 1e-8)))}


NUMBERS = {"ex05-update-step": update_step_numbers, "ex05-mlp-backprop": mlp_backprop_numbers,
           "ex05-numerical-gradient": numerical_gradient_numbers, "ex05-gradient-check": gradient_check_numbers}
