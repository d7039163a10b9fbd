"""Visible tests for solutions/ex02_perceptron.ipynb (criterion, update, training loop, margin).

Conventions of the exercise (those of lesson 02 and ``nnlib.perceptron``): labels are -1/+1;
``sign(0) = +1``; an example is misclassified when ``sign(w @ x + b) != y``; training starts
from ``w = 0, b = 0``, visits the rows of ``X`` in order, and stops after the first epoch
without a mistake or after ``max_epochs`` epochs. The margin folds the bias into the weights:
``gamma = min_n y_n (w @ x_n + b) / ||(w, b)||`` and ``R = max_n ||(x_n, 1)||``.
Expected values and recognised slips are stored numbers from ``solutions/references/ex02.py``
(which trains ``nnlib.perceptron.Perceptron`` for the training loop).
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

# The lesson's hand example: z = (-0.5, 3.5, 0.5), rows 0 and 2 are misclassified.
X_HAND = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
Y_HAND = np.array([1, 1, -1])
W_HAND = np.array([1.0, -1.0])
B_HAND = 0.5

# Four points that w = (3, 2), b = 0 separates (scores 8, 9, 5, 5.5 after multiplying by y).
X_SMALL = np.array([[2.0, 1.0], [1.0, 3.0], [-1.0, -1.0], [-2.0, 0.5]])
Y_SMALL = np.array([1, 1, -1, -1])

# The AND gate with labels -1/+1: 11 updates, history [2, 3, 3, 2, 1, 0], w = (2, 1), b = -3.
X_AND = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_AND = np.array([-1, -1, -1, 1])


def _triple(what, result, n):
    if result is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    if not isinstance(result, tuple) or len(result) != n:
        got = f"a tuple of {len(result)} values" if isinstance(result, tuple) else f"a {type(result).__name__}"
        fail(f"{what}: should return a tuple of {n} values, got {got}")
    return result


def check_criterion(perceptron_criterion):
    """J_P and its gradient, summed over the misclassified examples only."""
    expect_callable("perceptron_criterion", perceptron_criterion)
    X, y, w = X_HAND.copy(), Y_HAND.copy(), W_HAND.copy()
    what = "perceptron_criterion(w = (1, -1), b = 0.5) on the lesson's three examples"
    J, grad_w, grad_b = _triple(what, perceptron_criterion(w, B_HAND, X, y), 3)
    expect_unchanged("the weights w", w, W_HAND)
    expect_unchanged("the inputs X", X, X_HAND)
    J_value = as_array(f"J from {what}", J)
    if J_value.size == 1 and np.isclose(float(J_value.reshape(())), numbers("ex02-criterion")["J_all_rows"]):
        fail(f"J from {what}: you summed over all examples (J = {float(J_value.reshape(())):g}); "
             "the criterion only sums over the misclassified ones, where sign(w @ x + b) != y")
    expect_close(f"J from {what} (rows 0 and 2 are misclassified)", J, 1.0,
                 hint="J = -sum of y_n (w @ x_n + b) over the misclassified rows")
    expect_array(f"dJ/dw from {what}", grad_w, np.array([-2.0, -3.0]),
                 hint="dJ/dw = -sum of y_n x_n over the misclassified rows, shape (2,) like w")
    expect_close(f"dJ/db from {what}", grad_b, 0.0, hint="dJ/db = -sum of y_n over the misclassified rows")
    # A separating (w, b): nothing misclassified, everything zero, gradient keeps the shape of w.
    J0, grad_w0, grad_b0 = _triple("perceptron_criterion at a separator", perceptron_criterion(
        np.array([3.0, 2.0]), 0.0, X_SMALL.copy(), Y_SMALL.copy()), 3)
    expect_close("J at w = (3, 2), b = 0, which separates the data", J0, 0.0)
    expect_array("dJ/dw at a separator (no misclassified rows)", grad_w0, np.zeros(2))
    expect_close("dJ/db at a separator", grad_b0, 0.0)


def check_update(perceptron_update):
    """One step of the rule: change (w, b) only on a mistake; sign(0) = +1."""
    expect_callable("perceptron_update", perceptron_update)
    w = np.array([0.5, -1.0])
    w_copy = w.copy()
    x = np.array([1.0, 2.0])
    what = "perceptron_update(w = (0.5, -1), b = 0, x = (1, 2), y = +1, alpha = 0.1)"
    w_new, b_new = _triple(what, perceptron_update(w, 0.0, x, 1, 0.1), 2)
    expect_unchanged("w passed to perceptron_update", w, w_copy)
    if np.allclose(as_array(f"w after {what}", w_new), w_copy):
        fail(f"{what}: w did not change, but w @ x + b = -1.5 < 0 predicts -1 for a +1 example, "
             "a mistake, so w must move by alpha * y * x")
    expect_array(f"w after {what}", w_new, np.array([0.6, -0.8]), hint="w + alpha * y * x")
    expect_close(f"b after {what}", b_new, 0.1, hint="b + alpha * y")
    # A correct example changes nothing.
    what = "perceptron_update(w = (0.5, -1), b = 0, x = (1, 2), y = -1, alpha = 0.1), a correct example"
    w_same, b_same = _triple(what, perceptron_update(w.copy(), 0.0, x.copy(), -1, 0.1), 2)
    if not np.allclose(as_array(f"w after {what}", w_same), w_copy):
        fail(f"{what}: w changed, but the example is classified correctly "
             "(w @ x + b = -1.5 < 0 predicts -1); the rule only updates on mistakes")
    expect_close(f"b after {what}", b_same, 0.0)
    # Exactly on the boundary: sign(0) = +1, so a -1 example there is a mistake.
    what = "perceptron_update(w = (0, 0), b = 0, x = (1, 2), y = -1, alpha = 1), where w @ x + b = 0"
    w_zero, b_zero = _triple(what, perceptron_update(np.zeros(2), 0.0, x.copy(), -1, 1.0), 2)
    if np.allclose(as_array(f"w after {what}", w_zero), 0.0):
        fail(f"{what}: nothing changed, but sign(0) = +1 predicts +1 for a -1 example, a mistake "
             "(np.sign(0) is 0; use np.where(z >= 0, 1, -1) or test z >= 0)")
    expect_array(f"w after {what}", w_zero, np.array([-1.0, -2.0]))
    expect_close(f"b after {what}", b_zero, -1.0)


X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = np.array([-1, 1, 1, -1])


def check_train(train_perceptron):
    """The training loop: epochs in order from zero, stop after an epoch without mistakes."""
    expect_callable("train_perceptron", train_perceptron)
    ref = numbers("ex02-train")  # AND: history [2, 3, 3, 2, 1, 0]
    X, y = X_AND.copy(), Y_AND.copy()
    what = "train_perceptron on the AND gate with labels -1/+1 (alpha = 1)"
    result = _triple(what, train_perceptron(X, y, 1.0, 100), 4)
    expect_unchanged("the inputs X", X, X_AND)
    w, b, n_updates, history = result
    history = list(np.asarray(history).tolist()) if history is not None else None
    if history == ref["history"][:-1]:
        fail(f"{what}: history is {history}; also record the final epoch without mistakes (it is how "
             f"the loop knows it may stop), so history should be {ref['history']}")
    if history and history[0] == ref["history"][0] - 1:
        fail(f"{what}: the first epoch has {history[0]} mistakes instead of {ref['history'][0]}; the input "
             "(0, 0) scores exactly 0 at the start, and sign(0) = +1 predicts +1 for its label -1, a "
             "mistake (compare with >= 0, not > 0)")
    expect_equal(f"history (mistakes per epoch) of {what}", history, ref["history"])
    expect_equal(f"n_updates of {what}", int(n_updates), ref["n_updates"])
    expect_array(f"w after {what}", w, ref["w"], hint="start from w = 0 and visit the rows in order")
    expect_close(f"b after {what}", b, ref["b"])
    # The learning rate only scales w and b.
    w_half, b_half, n_half, _ = _triple(f"{what} with alpha = 0.5", train_perceptron(X.copy(), y.copy(), 0.5, 100), 4)
    expect_array("w with alpha = 0.5 (half of the w for alpha = 1)", w_half, 0.5 * ref["w"])
    # XOR is not separable: the loop must stop after max_epochs.
    what = "train_perceptron on XOR with max_epochs = 7"
    _, _, _, history = _triple(what, train_perceptron(X_XOR.copy(), Y_XOR.copy(), 1.0, 7), 4)
    history = list(np.asarray(history).tolist())
    if len(history) != 7:
        fail(f"{what}: history has {len(history)} entries; XOR is not linearly separable, so the loop "
             "never has an epoch without mistakes and must stop after exactly max_epochs = 7 epochs")
    expect_equal(f"history of {what}", history, ref["xor_history"])


X_MARGIN = np.array([[3.0, 0.0], [0.0, 1.0], [-1.0, -2.0]])
Y_MARGIN = np.array([1, 1, -1])
W_MARGIN, B_MARGIN = np.array([1.0, 2.0]), 2.0  # scores y (w @ x + b) = 5, 4, 3; ||(w, b)|| = 3


def check_margin(margin_and_bound):
    """Margin with the bias folded in, data radius R, and Novikoff's bound (R / gamma)^2."""
    expect_callable("margin_and_bound", margin_and_bound)
    slips = numbers("ex02-margin")
    what = "margin_and_bound(w = (1, 2), b = 2) on X = [[3, 0], [0, 1], [-1, -2]], y = (1, 1, -1)"
    result = margin_and_bound(W_MARGIN.copy(), B_MARGIN, X_MARGIN.copy(), Y_MARGIN.copy())
    gamma, R, bound = _triple(what, result, 3)
    gamma_value = float(as_array(f"gamma from {what}", gamma).reshape(-1)[0])
    if np.isclose(gamma_value, slips["gamma_without_bias"]):
        fail(f"gamma from {what}: you divided by ||w|| = {np.sqrt(5):.4g}; with the bias folded "
             "into the weights, divide by ||(w, b)|| = sqrt(||w||^2 + b^2) = 3")
    if np.isclose(gamma_value, slips["gamma_largest"]):
        fail(f"gamma from {what}: you took the largest score; the margin is the distance of the "
             "closest example, so take the minimum over n")
    expect_close(f"gamma from {what} (scores y(w @ x + b) = 5, 4, 3; ||(w, b)|| = 3)", gamma, 1.0)
    R_value = float(as_array(f"R from {what}", R).reshape(-1)[0])
    if np.isclose(R_value, 3.0):
        fail(f"R from {what}: you used max ||x_n|| = 3; fold the bias in: R = max ||(x_n, 1)|| = sqrt(10)")
    expect_close(f"R from {what}", R, np.sqrt(10.0))
    bound_value = float(as_array(f"bound from {what}", bound).reshape(-1)[0])
    if np.isclose(bound_value, np.sqrt(10.0)):
        fail(f"bound from {what}: you returned R / gamma; Novikoff's bound is its square, (R / gamma)^2")
    expect_close(f"bound (R / gamma)^2 from {what}", bound, 10.0)


ITEMS = {
    "ex02-criterion": Item(check_criterion, title="perceptron criterion and its gradient", hidden=2),
    "ex02-update": Item(check_update, title="perceptron update on a mistake", hidden=2),
    "ex02-train": Item(check_train, title="the perceptron training loop", hidden=2),
    "ex02-margin": Item(check_margin, title="margin, radius and Novikoff's bound", hidden=2),
    "ex02-quiz-or-updates": quiz_item("ex02-quiz-or-updates", title="quiz: updates of the perceptron on OR"),
    "ex02-quiz-learning-rate": quiz_item("ex02-quiz-learning-rate", title="quiz: the perceptron's learning rate"),
    "ex02-quiz-margin": quiz_item("ex02-quiz-margin", title="quiz: Novikoff's bound for half the margin"),
    "ex02-quiz-xor": quiz_item("ex02-quiz-xor", title="quiz: the perceptron on XOR"),
}
