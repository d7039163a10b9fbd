"""Derive-it items of exercises 03-08 name the likely slip, not just "wrong".

Each derive-it task gives the set-up and asks for the gradient (or variance) the student works out, so
the feedback is what teaches: a missing sigma' factor, a missing 1/N, a flipped sign, a transposed
gradient, a bias gradient left unsummed. Every test here hands the item's visible check a solution with
one such slip made on purpose and looks for the words that name it; the correct answers are the
solutions' own, read from ``solutions/``, and must pass.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from nncourse.grading.checking import run_item

ROOT = Path(__file__).resolve().parent.parent


def answers(exercise):
    """The functions of every answer cell of ``solutions/<exercise>_*.ipynb``, run with numpy only."""
    path = next((ROOT / "solutions").glob(f"{exercise}_*.ipynb"))
    namespace = {"np": np}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            exec(compile("".join(cell["source"]), f"{path.name}:{cell['id']}", "exec"), namespace)
    return namespace


def verdict(item_id, *objects):
    """None when the visible tests of ``item_id`` pass, else their plain-words message."""
    result = run_item(item_id, *objects)
    return None if result.passed else result.message


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- slips, each a solution with one mistake made on purpose ------------------------------------------

def sigmoid_mse_without_sigma_prime(w, b, X, y):
    a = sigmoid(X @ w + b)  # (n,)
    return 2 * np.mean((a - y)[:, None] * X, axis=0), 2 * np.mean(a - y)


def bce_without_inner_derivative(a, y, eps=1e-12):
    a = np.clip(np.asarray(a, dtype=float), eps, 1 - eps)
    loss = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    return float(loss), (-y / a + (1 - y) / (1 - a) * -1) / a.size


def sigmoid_step_without_output_sigma_prime(x, y, W1, b1, W2, b2, lr):
    a1 = sigmoid(W1 @ x + b1)  # (3,)
    a2 = sigmoid(W2 @ a1 + b2)  # (1,)
    delta2 = a2 - y  # (1,) the slip: sigma'(z2) left out
    delta1 = (delta2 @ W2) * a1 * (1.0 - a1)  # (3,)
    return W1 - lr * np.outer(delta1, x), b1 - lr * delta1, W2 - lr * np.outer(delta2, a1), b2 - lr * delta2


def mlp_without_hidden_sigma_prime(X, labels, W1, b1, W2, b2):
    A1 = sigmoid(X @ W1.T + b1)  # (N, H)
    Z2 = A1 @ W2.T + b2  # (N, K)
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    delta2 = (E / E.sum(axis=1, keepdims=True) - np.eye(W2.shape[0])[labels]) / X.shape[0]  # (N, K)
    delta1 = delta2 @ W2  # (N, H) the slip: sigma'(Z1) left out
    return {"dW1": delta1.T @ X, "db1": delta1.sum(axis=0), "dW2": delta2.T @ A1, "db2": delta2.sum(axis=0)}


def regression_without_tanh_prime(X, Y, W1, b1, W2, b2):
    A1 = np.tanh(X @ W1.T + b1)  # (N, H)
    Delta2 = (A1 @ W2.T + b2 - Y) / X.shape[0]  # (N, K)
    Delta1 = Delta2 @ W2  # (N, H) the slip: tanh' left out
    return {"dW2": Delta2.T @ A1, "db2": Delta2.sum(axis=0), "dW1": Delta1.T @ X, "db1": Delta1.sum(axis=0)}


def logistic_with_sigma_of_the_margin(scores, y):
    f, y = np.asarray(scores, dtype=float), np.asarray(y, dtype=float)
    m = y * f
    loss = float(np.mean(np.maximum(-m, 0.0) + np.log1p(np.exp(-np.abs(m)))))
    return loss, -y * sigmoid(m) / f.size  # the slip: sigma(m) where sigma(-m) belongs


def hinge_without_the_label(scores, y):
    f, y = np.asarray(scores, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(0.0, 1 - y * f))), np.where(y * f < 1, -1.0, 0.0) / f.size


def relu_variances_without_the_half(M_in, M_out, var_w, var_u, var_delta):
    return M_in * var_w * var_u, M_out * var_w * var_delta  # the slip: relu keeps half of the second moment


def glorot_uniform_with_the_std_as_limit(shape, rng):
    a = np.sqrt(2.0 / (shape[0] + shape[1]))  # the slip: the std, not the half-width
    return rng.uniform(-a, a, size=shape)


def times(factor, function, *, entry=1):
    """``function`` with its result (every dict value, or the ``entry``-th of a tuple) times ``factor``."""
    def slipped(*args):
        result = function(*args)
        if isinstance(result, dict):
            return {key: factor * value for key, value in result.items()}
        if isinstance(result, np.ndarray):
            return factor * result
        return tuple(factor * value if index == entry else value for index, value in enumerate(result))
    return slipped


def transposed(function, key):
    def slipped(*args):
        grads = dict(function(*args))
        grads[key] = grads[key].T
        return grads
    return slipped


# --- the tests -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("item_id, exercise, name", [
    ("ex03-sigmoid-mse", "ex03", "sigmoid_mse_gradients"),
    ("ex04-bce", "ex04", "bce"),
    ("ex04-cross-entropy", "ex04", "cross_entropy"),
    ("ex05-update-step", "ex05", "update_step"),
    ("ex05-sigmoid-step", "ex05", "sigmoid_step"),
    ("ex05-mlp-backprop", "ex05", "mlp_backward"),
    ("ex06-batch-backward", "ex06", "two_layer_backward"),
    ("ex06-regression-backward", "ex06", "regression_backward"),
    ("ex07-softmax-backward", "ex07", "softmax_backward"),
    ("ex07-huber", "ex07", "huber"),
    ("ex07-hinge", "ex07", "hinge"),
    ("ex07-logistic-loss", "ex07", "logistic_loss"),
    ("ex08-relu-variances", "ex08", "relu_layer_variances"),
    ("ex08-glorot-uniform", "ex08", "glorot_uniform"),
])
def test_the_solution_passes_every_derive_it_check(item_id, exercise, name):
    assert verdict(item_id, answers(exercise)[name]) is None


@pytest.mark.parametrize("item_id, slipped, words", [
    ("ex03-sigmoid-mse", sigmoid_mse_without_sigma_prime, "the sigmoid's derivative is missing"),
    ("ex04-bce", bce_without_inner_derivative, "the inner derivative -1"),
    ("ex05-sigmoid-step", sigmoid_step_without_output_sigma_prime, "lacks the sigmoid's derivative"),
    ("ex05-mlp-backprop", mlp_without_hidden_sigma_prime, "dW1 lacks the sigmoid's derivative"),
    ("ex06-regression-backward", regression_without_tanh_prime, "miss the derivative of tanh"),
    ("ex07-hinge", hinge_without_the_label, "the label is missing from the gradient"),
    ("ex07-logistic-loss", logistic_with_sigma_of_the_margin, "sigma(y f) where sigma(-y f) belongs"),
    ("ex08-relu-variances", relu_variances_without_the_half, "E{relu(u)^2} is half of var_u"),
    ("ex08-glorot-uniform", glorot_uniform_with_the_std_as_limit, "you took a as the standard deviation"),
])
def test_a_missing_factor_or_a_wrong_argument_is_named(item_id, slipped, words):
    message = verdict(item_id, slipped)
    assert message is not None and words in message, message


@pytest.mark.parametrize("item_id, exercise, name, factor, words", [
    ("ex04-cross-entropy", "ex04", "cross_entropy", 2, "2 times too large (the batch size)"),
    ("ex05-mlp-backprop", "ex05", "mlp_backward", 5, "5 times too large (the batch size)"),
    ("ex06-regression-backward", "ex06", "regression_backward", 5, "5 times too large (the batch size)"),
    ("ex07-huber", "ex07", "huber", -1, "the sign is flipped"),
    ("ex07-softmax-backward", "ex07", "softmax_backward", -1, "the sign is flipped"),
])
def test_a_missing_mean_or_a_flipped_sign_is_named(item_id, exercise, name, factor, words):
    message = verdict(item_id, times(factor, answers(exercise)[name]))
    assert message is not None and words in message, message


def test_a_transposed_gradient_is_named():
    message = verdict("ex05-mlp-backprop", transposed(answers("ex05")["mlp_backward"], "dW1"))
    assert message is not None and "dW1" in message and "transposed" in message, message


def one_row_per_example(function, key, N):
    """``function`` with the bias gradient ``key`` spread over N rows, as if the batch sum were forgotten."""
    def slipped(*args):
        grads = dict(function(*args))
        grads[key] = np.tile(grads[key] / N, (N, 1))
        return grads
    return slipped


@pytest.mark.parametrize("item_id, exercise, name, key", [
    ("ex05-mlp-backprop", "ex05", "mlp_backward", "db1"),
    ("ex06-batch-backward", "ex06", "two_layer_backward", "db2"),
    ("ex06-regression-backward", "ex06", "regression_backward", "db1"),
])
def test_a_bias_gradient_left_unsummed_over_the_batch_is_named(item_id, exercise, name, key):
    message = verdict(item_id, one_row_per_example(answers(exercise)[name], key, N=5))
    assert message is not None and f"{key} has one row per example, shape (5," in message, message
