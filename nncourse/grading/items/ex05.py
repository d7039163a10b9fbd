"""Visible tests for solutions/ex05_backpropagation.ipynb (2-3-1 steps, MLP backprop, gradient checks, quiz).

Conventions of the exercise (those of lesson 05 and nnlib): ``W`` has shape (out, in); batches are
rows; the Karlsruhe network is linear (a = z) with the loss ``1/2 (y_hat - y)^2``, and its sigmoid
variant has sigmoid activations in both layers with the same loss; the MLP has a
sigmoid hidden layer and a softmax output with the mean cross-entropy over the batch; gradients
have the shapes of their parameters; numerical gradients use central differences; the relative
error is ``|a - n| / max(|a| + |n|, 1e-8)``, element-wise. Expected values and recognised slips
are stored numbers from ``solutions/references/ex05.py``; "use numpy only": every item is
``numpy_only`` (``nnlib.gradcheck`` would answer two of them). The two update steps and the MLP
are derive-it items: their tasks give the network and the loss, not the gradients, so the feedback
names slips (a missing sigma', the new weights used too early, a step uphill) rather than formulas.
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
from nncourse.grading.quiz import quiz_item
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
    expect_array(f"W2_new from {what}", W2, W2_NEW,
                 hint="the output layer's weight gradient pairs the output error with that layer's input, "
                      "the hidden activations a1 (not x)")
    expect_array(f"b2_new from {what}", b2, B2_NEW, hint="the bias sees the output error times 1")
    expect_array(f"W1_new from {what}", W1, W1_NEW,
                 hint="the hidden layer's error is the output error sent back through the OLD W2; its weight "
                      "gradient pairs that error with the input x, one entry per weight (3, 2)")
    expect_array(f"b1_new from {what}", b1, B1_NEW, hint="the hidden biases get the hidden layer's error itself")


SIGMOID_LR = 0.5


def sigmoid_inputs():
    """A second 2-3-1 network for the sigmoid step: x (2,), y, W1 (3, 2), b1 (3,), W2 (1, 3), b2 (1,)."""
    rng = np.random.default_rng(2)
    return rng.normal(size=2), 0.0, rng.normal(size=(3, 2)), 0.1 * rng.normal(size=3), rng.normal(size=(1, 3)), \
        np.array([0.2])


SIGMOID_SLIPS = [
    ("output_without_sigma_prime", "the output error lacks the sigmoid's derivative: with the squared error "
     "dL/dz2 = (a2 - y) * a2 (1 - a2); the plain a2 - y is what the cross-entropy gives, where the factor cancels"),
    ("twice_the_error", "your step uses twice the gradient: the derivative of 1/2 (a2 - y)^2 is a2 - y, "
     "not 2 (a2 - y)"),
    ("uphill", "the parameters moved uphill; gradient descent subtracts lr * gradient, and the error is a2 - y "
     "(not y - a2)"),
]
HIDDEN_SLIPS = [
    ("hidden_without_sigma_prime", "W1 and b1 miss the hidden sigmoid's derivative: the error sent back "
     "through W2 must be multiplied element-wise by a1 (1 - a1) before it reaches W1 and b1; W2 and b2 look right"),
    ("hidden_with_new_W2", "W1 was updated with the *new* W2; send the error back through the weights of the "
     "forward pass: compute every gradient first, then update all parameters"),
]


def _check_sigmoid_case(sigmoid_step, what, args, stored):
    x, y, W1, b1, W2, b2, lr = args
    copies = [a.copy() for a in (x, W1, b1, W2, b2)]
    result = expect_tuple(what, sigmoid_step(*args), ("W1_new", "b1_new", "W2_new", "b2_new"))
    for name, array, copy in zip(("x", "W1", "b1", "W2", "b2"), (x, W1, b1, W2, b2), copies):
        expect_unchanged(f"the {name} passed to sigmoid_step", array, copy)
    got = {name: as_array(f"{name}_new from {what}", value) for name, value in zip(("W1", "b1", "W2", "b2"), result)}
    for name, shape in (("W1", W1.shape), ("b1", b1.shape), ("W2", W2.shape), ("b2", b2.shape)):
        if got[name].shape != shape:
            fail(f"{name}_new from {what}: wrong shape, expected {shape} like {name}, got {got[name].shape}")
    for slip, words in SIGMOID_SLIPS:
        if np.allclose(got["W2"], stored[slip]["W2"]) and np.allclose(got["b2"], stored[slip]["b2"]):
            fail(f"{what}: {words}")
    expect_array(f"W2_new from {what}", got["W2"], stored["W2"],
                 hint="the output layer's weight gradient pairs dL/dz2 with that layer's input, a1")
    expect_array(f"b2_new from {what}", got["b2"], stored["b2"])
    for slip, words in HIDDEN_SLIPS:
        if np.allclose(got["W1"], stored[slip]["W1"]):
            fail(f"{what}: {words}")
    expect_array(f"W1_new from {what}", got["W1"], stored["W1"],
                 hint="the hidden error is dL/dz2 sent back through the old W2, times a1 (1 - a1); W1's gradient "
                      "pairs it with x")
    expect_array(f"b1_new from {what}", got["b1"], stored["b1"])


def check_sigmoid_step(sigmoid_step):
    """One SGD step on the 2-3-1 network with sigmoid activations and the loss 1/2 (a2 - y)^2."""
    expect_callable("sigmoid_step", sigmoid_step)
    stored = numbers("ex05-sigmoid-step")
    args = (X_KA.copy(), 1.0, W1_KA.copy(), B1_KA.copy(), W2_KA.copy(), B2_KA.copy(), SIGMOID_LR)
    _check_sigmoid_case(sigmoid_step, "sigmoid_step on the Karlsruhe numbers (x = (1, 2), y = 1, lr = 0.5)",
                        args, stored["karlsruhe"])
    x, y, W1, b1, W2, b2 = sigmoid_inputs()
    _check_sigmoid_case(sigmoid_step, "sigmoid_step on a second network (random weights, y = 0, lr = 0.5)",
                        (x, y, W1, b1, W2, b2, SIGMOID_LR), stored["second"])


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
    for key, width in (("db1", 4), ("db2", 3)):
        got = np.asarray(grads[key], dtype=float) if grads[key] is not None else None
        if got is not None and got.shape == (5, width):
            fail(f"{what}: {key} has one row per example, shape {got.shape}; a bias gradient of a batch adds "
                 f"up the examples' contributions, shape ({width},)")
    if got_dW1 is not None and got_dW1.shape == (4, 3) and np.allclose(got_dW1, stored["dW1_without_sigmoid_prime"]):
        fail(f"{what}: dW1 lacks the sigmoid's derivative: the error sent back through W2 must be multiplied "
             "element-wise by A1 (1 - A1) before it reaches W1; dW2 and db2 may well be right")
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
    "ex05-update-step": Item(check_update_step, title="derive it: the 2-3-1 update step", hidden=2, numpy_only=True),
    "ex05-sigmoid-step": Item(check_sigmoid_step, title="derive it: the 2-3-1 step with sigmoid activations",
                              hidden=2, numpy_only=True),
    "ex05-mlp-backprop": Item(check_mlp_backprop, title="derive it: backprop for a two-layer MLP", hidden=2,
                              numpy_only=True),
    "ex05-numerical-gradient": Item(check_numerical_gradient, title="central-difference gradient", hidden=2,
                                    numpy_only=True),
    "ex05-gradient-check": Item(check_gradient_check, title="a gradient check with relative errors", hidden=2,
                                numpy_only=True),
    "ex05-quiz-fan-out": quiz_item("ex05-quiz-fan-out", title="quiz: a gradient through fan-out"),
    "ex05-quiz-shapes": quiz_item("ex05-quiz-shapes", title="quiz: shapes in numerator layout"),
    "ex05-quiz-stored": quiz_item("ex05-quiz-stored", title="quiz: what the backward pass needs"),
}
