"""Visible tests for solutions/ex03_single_neuron.ipynb (activations, gradient steps of one neuron, quiz).

Conventions of the exercise (those of lesson 03): activations act element-wise and keep the
input's shape; ``relu'(0) = 0`` (the Karlsruhe deck: 1 for z > 0, 0 for z <= 0); a neuron has
weights ``w`` of shape (m,) and a scalar bias ``b``; inputs are the rows of ``X`` (n, m) and
targets ``y`` have shape (n,). The linear unit's cost is the mean squared error without 1/2,
``L = 1/n sum (w @ x + b - y)^2``; the logistic unit's cost is the mean binary cross-entropy.
One step of batch gradient descent is ``w <- w - lr dL/dw``, ``b <- b - lr dL/db``.
The derive-it item gives a sigmoid unit trained with that squared error (no gradient in the task);
its feedback recognises the slips by their stored numbers (sigma' missing, the BCE gradient, the
factor 2). Expected values are stored numbers from ``solutions/references/ex03.py``. "Use numpy
only": every item is ``numpy_only``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    call_quietly,
    expect_array,
    expect_callable,
    expect_close,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

Z_TEST = np.array([[-3.0, -0.5, 0.25], [1.0, 2.0, 4.0]])  # off the ReLU kink


OVERFLOW = ("np.exp(-z) overflows for large negative z. Use a form that never exponentiates a large positive "
            "number, e.g. np.exp(-np.abs(z)) on each side of 0 (or 0.5 * (1 + np.tanh(z / 2)))")


def check_sigmoid(sigmoid, sigmoid_prime):
    """sigma(z) = 1 / (1 + e^-z) without overflow; sigma'(z) = sigma(z)(1 - sigma(z))."""
    expect_callable("sigmoid", sigmoid)
    expect_callable("sigmoid_prime", sigmoid_prime)
    stored = numbers("ex03-sigmoid")
    z = Z_TEST.copy()
    got = call_quietly("sigmoid(z)", sigmoid, z, hint=OVERFLOW)
    expect_unchanged("the input z", z, Z_TEST)
    expect_array(f"sigmoid(z) for z = {Z_TEST.tolist()}", got, stored["sigmoid"],
                 hint="sigma(z) = 1 / (1 + exp(-z)), element by element, same shape as z")
    expect_close("sigmoid(0)", as_array("sigmoid(0)", sigmoid(np.array([0.0])))[0], 0.5)
    extreme = np.array([-1000.0, 1000.0])
    got_extreme = as_array("sigmoid([-1000, 1000])",
                           call_quietly("sigmoid([-1000, 1000])", sigmoid, extreme, hint=OVERFLOW))
    expect_array("sigmoid([-1000, 1000])", got_extreme, np.array([0.0, 1.0]), atol=1e-12)

    got = as_array("sigmoid_prime(z)", call_quietly("sigmoid_prime(z)", sigmoid_prime, Z_TEST.copy(), hint=OVERFLOW))
    if got.shape == Z_TEST.shape and np.allclose(got, stored["sigmoid"]):
        fail("sigmoid_prime(z) returns sigma(z) itself; the derivative is sigma(z) * (1 - sigma(z))")
    if got.shape == Z_TEST.shape and np.allclose(got, Z_TEST * (1 - Z_TEST)):
        fail("sigmoid_prime(z) computes z * (1 - z); apply the sigmoid first: sigma(z) * (1 - sigma(z))")
    expect_array(f"sigmoid_prime(z) for z = {Z_TEST.tolist()}", got, stored["sigmoid_prime"],
                 hint="sigma'(z) = sigma(z) * (1 - sigma(z)); its largest value is 0.25 at z = 0")


def check_tanh_relu(tanh_prime, relu, relu_prime):
    """tanh'(z) = 1 - tanh(z)^2; relu(z) = max(0, z); relu'(z) = 1 for z > 0, else 0."""
    for name, function in [("tanh_prime", tanh_prime), ("relu", relu), ("relu_prime", relu_prime)]:
        expect_callable(name, function)
    stored = numbers("ex03-tanh-relu")
    z = Z_TEST.copy()
    got = as_array("tanh_prime(z)", tanh_prime(z))
    expect_unchanged("the input z", z, Z_TEST)
    if got.shape == Z_TEST.shape and np.allclose(got, 1 - Z_TEST ** 2):
        fail("tanh_prime(z) computes 1 - z**2; apply tanh first: 1 - np.tanh(z)**2")
    expect_array(f"tanh_prime(z) for z = {Z_TEST.tolist()}", got, stored["tanh_prime"],
                 hint="tanh'(z) = 1 - tanh(z)**2")
    got = as_array("relu(z)", relu(Z_TEST.copy()))
    if got.shape == () or got.size == 1:
        fail("relu(z) returns a single number; use the element-wise np.maximum(0, z), not max(...)")
    expect_array(f"relu(z) for z = {Z_TEST.tolist()}", got, stored["relu"])
    got = as_array("relu_prime(z)", relu_prime(Z_TEST.copy()))
    expect_array(f"relu_prime(z) for z = {Z_TEST.tolist()}", got, stored["relu_prime"],
                 hint="1 where z > 0, else 0 (a 0/1 array of the same shape as z)")
    at_zero = as_array("relu_prime(0)", relu_prime(np.array([0.0])))
    expect_array("relu_prime at z = 0 (the lecture's convention: 0 for z <= 0)", at_zero, np.array([0.0]))


# The lesson's worked example: x = (1, 2, 3), y = (2, 4, 7), w = 0.5, b = 0:
# dL/dw = 2/3 (-1.5 - 6 - 16.5) = -16, dL/db = 2/3 (-10) = -20/3; with lr = 0.1: w = 2.1, b = 2/3.
X_LINE = np.array([[1.0], [2.0], [3.0]])
Y_LINE = np.array([2.0, 4.0, 7.0])


LINEAR_X = np.array([[1.0, -1.0], [0.5, 2.0]])
LINEAR_Y = np.array([1.0, -2.0])
LINEAR_W, LINEAR_B = np.array([0.2, 0.3]), 0.5


def check_linear_step(linear_unit_step):
    """One batch gradient-descent step on the MSE of a linear unit."""
    expect_callable("linear_unit_step", linear_unit_step)
    X, y, w = X_LINE.copy(), Y_LINE.copy(), np.array([0.5])
    what = "linear_unit_step(w = [0.5], b = 0, X = [[1], [2], [3]], y = [2, 4, 7], lr = 0.1)"
    w_new, b_new = expect_tuple(what, linear_unit_step(w, 0.0, X, y, 0.1), ("w_new", "b_new"))
    expect_unchanged("w passed to linear_unit_step", w, np.array([0.5]))
    expect_unchanged("X passed to linear_unit_step", X, X_LINE)
    w_new = as_array(f"w_new from {what}", w_new)
    if w_new.shape != (1,):
        fail(f"w_new from {what}: wrong shape, expected (1,) like w, got {w_new.shape}")
    # Read the gradient the student used back from the step, to name the slip.
    grad_w = (0.5 - w_new[0]) / 0.1
    grad_b = (0.0 - float(as_array(f"b_new from {what}", b_new).reshape(-1)[0])) / 0.1
    if np.isclose(grad_w, -8.0):
        fail(f"{what}: your step uses dL/dw = -8, half the right gradient; the derivative of "
             "(a - y)^2 is 2 (a - y), so dL/dw = 2/n * sum (a - y) x (this cost has no 1/2 in front)")
    if np.isclose(grad_w, 16.0):
        fail(f"{what}: w moved the wrong way (gradient ascent); subtract lr * dL/dw, and use the "
             "error a - y, not y - a")
    expect_close(f"dL/dw implied by your step in {what}", grad_w, -16.0, batch_size=3,
                 hint="dL/dw = 2/n * sum_i (w x_i + b - y_i) x_i")
    expect_close(f"dL/db implied by your step in {what}", grad_b, -20.0 / 3.0, batch_size=3,
                 hint="dL/db = 2/n * sum_i (w x_i + b - y_i)")
    expect_array(f"w_new from {what}", w_new, np.array([2.1]))
    # two features and a bias that is not zero
    stored = numbers("ex03-linear-step")
    w_new2, b_new2 = expect_tuple("linear_unit_step with two features", linear_unit_step(
        LINEAR_W.copy(), LINEAR_B, LINEAR_X.copy(), LINEAR_Y.copy(), 0.05), ("w_new", "b_new"))
    expect_array("w_new with two features, w = (0.2, 0.3), b = 0.5, lr = 0.05", w_new2, stored["w_new"],
                 hint="remember the bias in the prediction a = X @ w + b")
    expect_close("b_new with two features, w = (0.2, 0.3), b = 0.5, lr = 0.05", b_new2, stored["b_new"])


LOGISTIC_X = np.array([[1.0, 0.5], [-0.5, 1.0], [2.0, -1.0]])
LOGISTIC_Y = np.array([1.0, 0.0, 1.0])
LOGISTIC_W, LOGISTIC_B = np.array([0.3, -0.2]), -0.1


def check_logistic_step(logistic_unit_step):
    """One batch gradient-descent step on the BCE of a logistic unit: dL/dw = mean((a - y) x)."""
    expect_callable("logistic_unit_step", logistic_unit_step)
    X = np.array([[2.0], [-1.0]])
    y = np.array([1.0, 0.0])
    what = "logistic_unit_step(w = [0], b = 0, X = [[2], [-1]], y = [1, 0], lr = 1)"
    w_new, b_new = expect_tuple(what, logistic_unit_step(np.array([0.0]), 0.0, X.copy(), y.copy(), 1.0),
                                ("w_new", "b_new"))
    w_new = as_array(f"w_new from {what}", w_new)
    if w_new.shape != (1,):
        fail(f"w_new from {what}: wrong shape, expected (1,) like w, got {w_new.shape}")
    grad_w = -w_new[0]
    # a = (0.5, 0.5): errors (-0.5, 0.5); dL/dw = 1/2 (-0.5 * 2 + 0.5 * -1) = -0.75
    if np.isclose(grad_w, -0.1875):
        fail(f"{what}: your gradient has an extra factor sigma'(z) = 0.25; with the binary "
             "cross-entropy it cancels, and dL/dw = 1/n * sum (a - y) x")
    if np.isclose(grad_w, -1.5):
        fail(f"{what}: your gradient is twice too large; the factor 2 belongs to the squared error, "
             "the BCE gradient is 1/n * sum (a - y) x")
    expect_close(f"dL/dw implied by your step in {what}", grad_w, -0.75, batch_size=2,
                 hint="a = sigmoid(X @ w + b), dL/dw = 1/n * X.T @ (a - y)")
    expect_close(f"b_new from {what} (the errors -0.5 and +0.5 cancel)", b_new, 0.0)
    # a second step from a non-zero point
    stored = numbers("ex03-logistic-step")
    w_new2, b_new2 = expect_tuple("logistic_unit_step on three examples", logistic_unit_step(
        LOGISTIC_W.copy(), LOGISTIC_B, LOGISTIC_X.copy(), LOGISTIC_Y.copy(), 0.5), ("w_new", "b_new"))
    expect_array("w_new on three examples with w = (0.3, -0.2), b = -0.1, lr = 0.5", w_new2, stored["w_new"],
                 batch_size=3)
    expect_close("b_new on three examples with w = (0.3, -0.2), b = -0.1, lr = 0.5", b_new2, stored["b_new"])


SIGMOID_MSE_SLIPS = [
    ("without_sigma_prime", "the sigmoid's derivative is missing: the chain w -> z -> a -> L has three factors, "
     "and da/dz = a (1 - a) does not cancel against the squared error (it only cancels for the cross-entropy)"),
    ("bce_gradient", "that is the cross-entropy's gradient mean((a - y) x); with the squared error of this task "
     "the factors 2 (from the square) and a (1 - a) (from the sigmoid) remain"),
    ("without_two", "your gradient is half the right one: the derivative of (a - y)^2 is 2 (a - y) (this cost "
     "has no 1/2 in front)"),
]


def check_sigmoid_mse(sigmoid_mse_gradients):
    """Gradients of the mean squared error of a sigmoid unit: the sigma' factor stays."""
    expect_callable("sigmoid_mse_gradients", sigmoid_mse_gradients)
    stored = numbers("ex03-sigmoid-mse")
    X, y, w = LOGISTIC_X.copy(), LOGISTIC_Y.copy(), LOGISTIC_W.copy()
    what = "sigmoid_mse_gradients(w = (0.3, -0.2), b = -0.1, X (3, 2), y = (1, 0, 1))"
    grad_w, grad_b = expect_tuple(what, sigmoid_mse_gradients(w, LOGISTIC_B, X, y), ("grad_w", "grad_b"))
    expect_unchanged("w passed to sigmoid_mse_gradients", w, LOGISTIC_W)
    expect_unchanged("X passed to sigmoid_mse_gradients", X, LOGISTIC_X)
    grad_w = as_array(f"grad_w from {what}", grad_w)
    if grad_w.shape == (2,):
        for slip, words in SIGMOID_MSE_SLIPS:
            if np.allclose(grad_w, stored[slip]):
                fail(f"grad_w from {what}: {words}")
    expect_array(f"grad_w from {what}", grad_w, stored["grad_w"], batch_size=3,
                 hint="one factor per step of the forward pass: dL/da, then da/dz, then dz/dw, averaged over "
                      "the examples")
    expect_close(f"grad_b from {what}", grad_b, stored["grad_b"], batch_size=3,
                 hint="the same chain as for w, with dz/db = 1")


ITEMS = {
    "ex03-sigmoid": Item(check_sigmoid, title="stable sigmoid and its derivative", hidden=2, numpy_only=True),
    "ex03-tanh-relu": Item(check_tanh_relu, title="tanh', ReLU and ReLU'", hidden=2, numpy_only=True),
    "ex03-linear-step": Item(check_linear_step, title="gradient step of a linear unit (MSE)", hidden=2,
                             numpy_only=True),
    "ex03-logistic-step": Item(check_logistic_step, title="gradient step of a logistic unit (BCE)", hidden=2,
                               numpy_only=True),
    "ex03-sigmoid-mse": Item(check_sigmoid_mse, title="derive it: a sigmoid unit with the squared error", hidden=2,
                             numpy_only=True),
    "ex03-quiz-diverge": quiz_item("ex03-quiz-diverge", title="quiz: where gradient descent starts to diverge"),
    "ex03-quiz-updates": quiz_item("ex03-quiz-updates", title="quiz: updates of mini-batch gradient descent"),
    "ex03-quiz-saturated": quiz_item("ex03-quiz-saturated", title="quiz: a confidently wrong logistic unit"),
}
