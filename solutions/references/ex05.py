"""Reference answers behind the stored numbers and quizzes of exercise 05 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex05 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.autodiff import Value
from nnlib.gradcheck import numerical_gradient

A1_KA = np.array([[1.0, 2.0, 1.5]])  # the deck's hidden activations for x = (1, 2); y_hat - y = 0.4


def update_step_numbers():
    return {"W2_twice_the_gradient": items.W2_KA - 0.1 * 2 * 0.4 * A1_KA,
            "W1_with_new_W2": items.W1_KA - 0.1 * 0.4 * np.outer(items.W2_NEW[0], items.X_KA),
            "W2_uphill": items.W2_KA + 0.1 * 0.4 * A1_KA}


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_step(x, y, W1, b1, W2, b2, lr, slip=None):
    """One SGD step on the sigmoid 2-3-1 network with loss 1/2 (a2 - y)^2; ``slip`` makes one mistake on purpose."""
    a1 = sigmoid(W1 @ x + b1)  # (3,)
    a2 = sigmoid(W2 @ a1 + b2)  # (1,)
    error = a2 - y  # dL/da2
    delta2 = error if slip == "output_without_sigma_prime" else error * a2 * (1 - a2)  # (1,) dL/dz2
    if slip == "twice_the_error":
        delta2 = 2 * delta2
    sign = -1.0 if slip == "uphill" else 1.0
    W2_new, b2_new = W2 - sign * lr * np.outer(delta2, a1), b2 - sign * lr * delta2
    W2_back = W2_new if slip == "hidden_with_new_W2" else W2
    delta1 = delta2 @ W2_back  # (3,) dL/da1
    if slip != "hidden_without_sigma_prime":
        delta1 = delta1 * a1 * (1 - a1)  # (3,) dL/dz1
    return {"W1": W1 - sign * lr * np.outer(delta1, x), "b1": b1 - sign * lr * delta1, "W2": W2_new, "b2": b2_new}


def sigmoid_case(x, y, W1, b1, W2, b2):
    numbers = sigmoid_step(x, y, W1, b1, W2, b2, items.SIGMOID_LR)
    for slip, _ in items.SIGMOID_SLIPS + items.HIDDEN_SLIPS:
        numbers[slip] = sigmoid_step(x, y, W1, b1, W2, b2, items.SIGMOID_LR, slip=slip)
    return numbers


def sigmoid_step_numbers():
    return {"karlsruhe": sigmoid_case(items.X_KA, 1.0, items.W1_KA, items.B1_KA, items.W2_KA, items.B2_KA),
            "second": sigmoid_case(*items.sigmoid_inputs())}


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


NUMBERS = {"ex05-update-step": update_step_numbers, "ex05-sigmoid-step": sigmoid_step_numbers,
           "ex05-mlp-backprop": mlp_backprop_numbers, "ex05-numerical-gradient": numerical_gradient_numbers,
           "ex05-gradient-check": gradient_check_numbers}


def fan_out_quiz():
    """c = a b, d = c + b, e = c d at a = 2, b = 3: de/db by backprop, and the sums that miss a path."""
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c + b
    e = c * d
    e.backward()
    d_bar = c.data  # de/dd
    c_bar_direct = d.data  # de/dc along e = c d only
    missing_c_into_d = c_bar_direct * a.data + d_bar  # c's path through d forgotten
    missing_b_into_d = (c_bar_direct + d_bar) * a.data  # b's own path into d forgotten
    return Number(b.grad, tolerance=0.5, wrong={
        missing_c_into_d: "c has two children, e (directly) and d, so de/dc = d + (de/dd) * 1 = 9 + 6; "
                          "you kept only the direct path",
        missing_b_into_d: "b has two children too: it reaches e through c and directly through d = c + b; "
                          "add the path through d (de/dd * 1 = 6)",
        missing_c_into_d - d_bar: "both c and b fan out: c feeds e and d, b feeds c and d; every path adds its "
                                  "contribution",
        a.grad: "that is de/da; the question asks for de/db",
        e.data: "that is the value of e in the forward pass, not its derivative",
    })


QUIZZES = {
    "ex05-quiz-fan-out": fan_out_quiz(),
    "ex05-quiz-shapes": Choice(
        "abcde", correct="abd", multiple=True,
        explain={
            "c": "in numerator layout the derivative of a scalar by a (4, 3) matrix is (3, 4), the transpose; "
                 "libraries store its transpose delta^T x^T so that it has the shape of W for the update",
            "e": "the bias has one entry per unit of the layer, like z: 4 entries, and dl/db = delta",
        }),
    "ex05-quiz-stored": Choice(
        "abcd", correct="abd", multiple=True,
        explain={
            "c": "the backward pass starts from the derivative of the loss, y_hat - y, which needs y_hat and y; "
                 "the value of the loss itself enters nowhere",
        }),
}
