"""Visible tests for solutions/ex05_backpropagation.ipynb (2-3-1 step, MLP backprop, gradient checks).

Conventions of the exercise (those of lesson 05 and nnlib): ``W`` has shape (out, in); batches are
rows; the Karlsruhe network is linear (a = z) with the loss ``1/2 (y_hat - y)^2``; the MLP has a
sigmoid hidden layer and a softmax output with the mean cross-entropy over the batch; gradients
have the shapes of their parameters; numerical gradients use central differences; the relative
error is ``|a - n| / max(|a| + |n|, 1e-8)``, element-wise. Expected values and recognised slips
are stored numbers from ``solutions/references/ex05.py``; "use numpy only": every item is
``numpy_only`` (``nnlib.gradcheck`` would answer two of them).
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_gradients,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.stored import numbers

# The Karlsruhe deck's 2-3-1 example and its published results after one step with eta = 0.1.
X_KA = np.array([1.0, 2.0])
W1_KA = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B1_KA = np.array([0.1, 0.1, 0.1])
W2_KA = np.array([[0.4, 0.3, 0.2]])
B2_KA = np.array([0.1])
W1_NEW = np.array([[0.484, 0.168], [0.288, 0.776], [0.592, 0.384]])
B1_NEW = np.array([0.084, 0.088, 0.092])
W2_NEW = np.array([[0.36, 0.22, 0.14]])
B2_NEW = np.array([0.06])


def check_update_step(update_step):
    """One SGD step on the linear 2-3-1 network, compared with the deck's numbers."""
    expect_callable("update_step", update_step)
    args = [X_KA.copy(), 1.0, W1_KA.copy(), B1_KA.copy(), W2_KA.copy(), B2_KA.copy(), 0.1]
    what = "update_step on the Karlsruhe example (x = (1, 2), y = 1, eta = 0.1)"
    W1, b1, W2, b2 = expect_tuple(what, update_step(*args), ("W1_new", "b1_new", "W2_new", "b2_new"))
    for name, array, original in [("W1", args[2], W1_KA), ("b1", args[3], B1_KA), ("W2", args[4], W2_KA),
                                  ("b2", args[5], B2_KA)]:
        expect_unchanged(f"the {name} passed to update_step", array, original)
    W1 = as_array(f"W1_new from {what}", W1)
    W2 = as_array(f"W2_new from {what}", W2)
    slips = numbers("ex05-update-step")
    if W2.shape == (1, 3) and np.allclose(W2, slips["W2_twice_the_gradient"]):
        fail(f"{what}: your step uses twice the gradient (dL/dy_hat = 2 (y_hat - y)); with the deck's "
             "loss L = 1/2 (y_hat - y)^2 the derivative is y_hat - y = 0.4")
    if W1.shape == (3, 2) and np.allclose(W1, slips["W1_with_new_W2"]):
        fail(f"{what}: W1 was updated with the *new* W2; backpropagate with the weights of the forward "
             "pass: compute every gradient first, then update all parameters")
    if W2.shape == (1, 3) and np.allclose(W2, slips["W2_uphill"]):
        fail(f"{what}: W2 moved uphill; gradient descent subtracts lr * gradient, and the error is "
             "y_hat - y (not y - y_hat)")
    expect_array(f"W2_new from {what}", W2, W2_NEW, hint="dL/dW2 = (y_hat - y) a1^T = 0.4 (1.0, 2.0, 1.5)")
    expect_array(f"b2_new from {what}", b2, B2_NEW, hint="dL/db2 = y_hat - y = 0.4")
    expect_array(f"W1_new from {what}", W1, W1_NEW, hint="dL/dW1 = (y_hat - y) W2^T x^T, an outer product (3, 2)")
    expect_array(f"b1_new from {what}", b1, B1_NEW, hint="dL/db1 = (y_hat - y) W2^T")


def mlp_inputs():
    """A batch of 5 examples (3 inputs), labels of 3 classes, and the weights of a 3-4-3 MLP."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    W1, b1 = rng.normal(size=(4, 3)), 0.1 * rng.normal(size=4)
    W2, b2 = rng.normal(size=(3, 4)), 0.1 * rng.normal(size=3)
    return X, labels, W1, b1, W2, b2


def check_mlp_backprop(mlp_backward):
    """Gradients of a sigmoid-hidden, softmax/CE-output MLP against central differences."""
    expect_callable("mlp_backward", mlp_backward)
    stored = numbers("ex05-mlp-backprop")  # numerical gradients of the mean cross-entropy, and one slip
    X, labels, W1, b1, W2, b2 = mlp_inputs()
    copies = [a.copy() for a in (X, W1, b1, W2, b2)]
    what = "mlp_backward on a batch of 5 examples (3 inputs, 4 hidden sigmoid units, 3 classes)"
    grads = mlp_backward(X, labels, W1, b1, W2, b2)
    for name, array, copy in zip(("X", "W1", "b1", "W2", "b2"), (X, W1, b1, W2, b2), copies):
        expect_unchanged(f"the {name} passed to mlp_backward", array, copy)
    if grads is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    if not isinstance(grads, dict):
        fail(f"{what}: should return a dict {{'dW1': ..., 'db1': ..., 'dW2': ..., 'db2': ...}}, "
             f"got a {type(grads).__name__}")
    missing = [k for k in ("dW1", "db1", "dW2", "db2") if k not in grads]
    if missing:
        fail(f"{what}: the returned dict has no key(s) {missing}")
    numeric = {name: stored[name] for name in ("dW2", "db2", "dW1", "db1")}
    got_dW1 = np.asarray(grads["dW1"], dtype=float) if grads["dW1"] is not None else None
    if got_dW1 is not None and got_dW1.shape == (4, 3) and np.allclose(got_dW1, stored["dW1_without_sigmoid_prime"]):
        fail(f"{what}: dW1 lacks the sigmoid's derivative; the hidden delta is "
             "(delta2 @ W2) * a1 * (1 - a1), element-wise; dW2 and db2 may well be right")
    expect_gradients(what, {k: grads[k] for k in numeric}, numeric, batch_size=5)


def check_numerical_gradient(numerical_gradient_fn):
    """Central differences of a scalar f(x), same shape as x, x restored afterwards."""
    expect_callable("numerical_gradient", numerical_gradient_fn)
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    x_copy = x.copy()
    what = "numerical_gradient(lambda v: np.sum(v ** 3), x) for x = [[1, -2], [0.5, 3]]"
    got = numerical_gradient_fn(lambda v: float(np.sum(v ** 3)), x)
    expect_unchanged("x after numerical_gradient (restore every entry after perturbing it)", x, x_copy)
    expect_array(what, got, numbers("ex05-numerical-gradient")["expected"], rtol=1e-5, atol=1e-6,
                 hint="perturb one entry at a time: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)")
    # central, not forward: at x = 1 with eps = 1e-3, (x^3)' = 3; central 3.000001, forward 3.003001
    coarse = as_array("numerical_gradient with eps = 1e-3", numerical_gradient_fn(
        lambda v: float(np.sum(v ** 3)), np.array([1.0]), 1e-3))
    if coarse.shape == (1,) and np.isclose(coarse[0], 3.003001, rtol=1e-6):
        fail("numerical_gradient uses the one-sided difference (f(x + eps) - f(x)) / eps, whose error "
             "shrinks only like eps; use the central difference (f(x + eps) - f(x - eps)) / (2 eps)")
    expect_close("numerical_gradient of x^3 at x = 1 with eps = 1e-3 (central: 3 + eps^2)", coarse[0],
                 3.000001, rtol=1e-7)


CHECK_W = np.array([[0.5, -1.0], [2.0, 0.3]])
CHECK_X = np.array([[0.2, -0.4], [1.0, 0.0]])


def check_gradient_check(gradient_check):
    """Max relative error between an analytic gradient and the numerical one."""
    expect_callable("gradient_check", gradient_check)
    W = CHECK_W

    def f(v):
        return float(np.sum(np.sin(v) * W))

    def right(v):
        return np.cos(v) * W

    def wrong(v):
        return np.sin(v) * W  # forgot the derivative

    x = CHECK_X.copy()
    x_copy = x.copy()
    good = as_array("gradient_check(f, correct gradient, x)", gradient_check(f, right, x))
    expect_unchanged("x after gradient_check", x, x_copy)
    if good.size != 1:
        fail(f"gradient_check should return one number (the largest relative error), got shape {good.shape}")
    good = float(good.reshape(()))
    if not good < 1e-6:
        fail(f"gradient_check(f, correct gradient, x) returned {good:.3g}; for a correct gradient the "
             "relative error must be tiny (< 1e-6). Did you use relative_error = |a - n| / max(|a| + |n|, 1e-8)?")
    bad = float(as_array("gradient_check(f, wrong gradient, x)", gradient_check(f, wrong, x.copy())).reshape(-1)[0])
    expect_close("gradient_check(f, a wrong gradient that forgot the derivative of sin, x)", bad,
                 numbers("ex05-gradient-check")["wrong_error"], rtol=1e-4,
                 hint="the largest element-wise |a - n| / max(|a| + |n|, 1e-8)")


ITEMS = {
    "ex05-update-step": Item(check_update_step, title="the 2-3-1 update step by hand", hidden=2, numpy_only=True),
    "ex05-mlp-backprop": Item(check_mlp_backprop, title="backprop for a two-layer MLP", hidden=2, numpy_only=True),
    "ex05-numerical-gradient": Item(check_numerical_gradient, title="central-difference gradient", hidden=2,
                                    numpy_only=True),
    "ex05-gradient-check": Item(check_gradient_check, title="a gradient check with relative errors", hidden=2,
                                numpy_only=True),
}
