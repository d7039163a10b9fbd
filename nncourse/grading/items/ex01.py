"""Visible tests for solutions/ex01_neurons_threshold_units.ipynb (threshold units, gates, XOR).

Conventions of the exercise: ``step(z) = 1`` where ``z >= 0`` else ``0``;
``sign(z) = +1`` where ``z >= 0`` else ``-1``; batches are rows; a layer's weight
matrix has one row per unit, so a hidden layer computes ``step(X @ W1.T + b1)``.
Expected values (and the values of recognised slips) are stored numbers, computed by
``solutions/references/ex01.py``; the weights a student chooses for a gate or for XOR are
tried out with ``nnlib.perceptron.sign`` (+1 where z >= 0).
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_shape,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers
from nnlib.perceptron import sign as _sign

Z_TEST = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # the four rows of a truth table
TRUTH = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),
    "NAND": np.array([1.0, 1.0, 1.0, 0.0]),
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),
}


def _same(got, candidate):
    return got.shape == np.shape(candidate) and np.array_equal(got, candidate)


def check_step(step):
    """step: 0/1 outputs, 1 at z = 0, input unchanged."""
    expect_callable("step", step)
    stored = numbers("ex01-step")
    z = Z_TEST.copy()
    got = as_array("step(z)", step(z))
    expect_unchanged("the input z", z, Z_TEST)
    if _same(got, stored["strict"]):
        fail("step(z) at z = 0 gives 0, but the step unit fires at its threshold: 1 where z >= 0 "
             "(use >=, not >)")
    expect_array(f"step(z) for z = {Z_TEST.tolist()}", got, stored["expected"])


def check_sign(sign):
    """sign: -1/+1 outputs, +1 at z = 0 (not numpy's 0)."""
    expect_callable("sign", sign)
    stored = numbers("ex01-sign")
    got = as_array("sign(z)", sign(Z_TEST.copy()))
    if _same(got, np.sign(Z_TEST)):
        fail("sign(0) gives 0 (that is np.sign); the lecture's sign unit outputs +1 at z = 0, "
             "so use np.where(z >= 0, 1.0, -1.0)")
    if _same(got, stored["zero_one"]):
        fail("sign(z) gives 0 for negative z; the sign unit outputs -1 there (it is 2 * step(z) - 1)")
    expect_array(f"sign(z) for z = {Z_TEST.tolist()}", got, stored["expected"])


NEURON_X = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.25, 0.0, 0.1]])
NEURON_W = np.array([1.0, -0.5, -1.0])
NEURON_B = -0.25


def check_neuron(neuron):
    """neuron(X, w, b) = step(X @ w + b) for a batch of rows; the lecture's worked example first."""
    expect_callable("neuron", neuron)
    stored = numbers("ex01-neuron")
    lecture = as_array("neuron(x, w, b)", neuron(np.array([[1.0, 0.0, 0.5]]), np.array([1.0, -0.5, -1.0]), 0.0))
    expect_array("neuron for the lecture's example x = (1, 0, 0.5), w = (1, -0.5, -1), b = 0 "
                 "(z = 0.5, so the unit fires)", lecture, np.array([1.0]))
    got = as_array("neuron(X, w, b)", neuron(NEURON_X.copy(), NEURON_W.copy(), NEURON_B))
    expect_shape("neuron(X, w, b) for a batch of 4 rows", got, (4,))
    if _same(got, stored["no_bias"]) or _same(got, stored["minus_bias"]):
        fail("neuron(X, w, b) for 4 rows with b = -0.25: the results ignore the bias (or subtract it); "
             "the pre-activation is z = X @ w + b")
    expect_array("neuron(X, w, b) for 4 rows with w = (1, -0.5, -1), b = -0.25", got, stored["expected"])


def _gate_output(name, gate_weights):
    """Truth-table output of the unit with the student's weights for gate ``name``."""
    weights = gate_weights(name)
    if not isinstance(weights, tuple) or len(weights) != 2:
        fail(f"gate_weights({name!r}) should return a pair (w, b), got {type(weights).__name__}")
    w = expect_shape(f"w of gate_weights({name!r})", weights[0], (2,))
    b = as_array(f"b of gate_weights({name!r})", weights[1])
    if b.size != 1:
        fail(f"b of gate_weights({name!r}) should be one number, got shape {b.shape}")
    b = float(b.reshape(()))
    return w, b, (_sign(INPUTS @ w + b) + 1.0) / 2.0  # 1 where the student's unit fires


def check_gates(gate_weights):
    """AND, OR and NAND reproduced by one threshold unit each."""
    expect_callable("gate_weights", gate_weights)
    for name in ("AND", "OR", "NAND"):
        w, b, out = _gate_output(name, gate_weights)
        if not _same(out, TRUTH[name]):
            fail(f"with your {name} weights w = {w.tolist()}, b = {b:g}, the unit outputs "
                 f"{out.astype(int).tolist()} for the inputs (0,0), (0,1), (1,0), (1,1); "
                 f"{name} needs {TRUTH[name].astype(int).tolist()}")


def _check_params(W1, b1, w2, b2):
    W1 = expect_shape("W1 (one row per hidden unit)", W1, (2, 2))
    b1 = expect_shape("b1", b1, (2,))
    w2 = expect_shape("w2", w2, (2,))
    b2 = as_array("b2", b2)
    if b2.size != 1:
        fail(f"b2 should be one number, got shape {b2.shape}")
    return W1, b1, w2, float(b2.reshape(()))


# The 2-2-1 network of the two-layer test: six inputs, W1's rows are the hidden units.
NET_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.75, -0.5], [-1.0, 0.5]])
NET_W1 = np.array([[-0.5, 1.0], [-1.0, -0.5]])
NET_B1 = np.array([-0.75, -0.75])
NET_W2 = np.array([1.5, 1.0])
NET_B2 = -1.25


def check_two_layer(two_layer_forward):
    """Forward pass of a 2-2-1 threshold network, with W1's rows as hidden units."""
    expect_callable("two_layer_forward", two_layer_forward)
    stored = numbers("ex01-two-layer")
    got = as_array("two_layer_forward", two_layer_forward(NET_X.copy(), NET_W1.copy(), NET_B1.copy(),
                                                          NET_W2.copy(), NET_B2))
    what = "two_layer_forward(X, W1, b1, w2, b2) on 6 inputs"
    expect_shape(what, got, (6,))
    if not _same(got, stored["expected"]):
        if _same(got, stored["transposed"]):
            fail(f"{what}: the weights are transposed; row j of W1 holds the weights of hidden unit j, "
                 "so the hidden layer is step(X @ W1.T + b1)")
        if _same(got, stored["no_b1"]):
            fail(f"{what}: the hidden layer's bias b1 is missing")
        if _same(got, stored["no_b2"]):
            fail(f"{what}: the output unit's bias b2 is missing")
        if _same(got, stored["no_output_step"]):
            fail(f"{what}: the output unit must apply the step function too")
    expect_array(what, got, stored["expected"])


def check_xor(xor_weights):
    """Weights that make the 2-2-1 threshold network compute XOR."""
    expect_callable("xor_weights", xor_weights)
    params = xor_weights()
    if not isinstance(params, tuple) or len(params) != 4:
        fail("xor_weights() should return the tuple (W1, b1, w2, b2)")
    W1, b1, w2, b2 = _check_params(*params)
    hidden = (_sign(INPUTS @ W1.T + b1) + 1.0) / 2.0  # the student's network on the four inputs
    out = (_sign(hidden @ w2 + b2) + 1.0) / 2.0
    for name in ("AND", "OR", "NAND"):
        if _same(out, TRUTH[name]):
            fail(f"your network computes {name}, not XOR; let h1 = x1 OR x2, h2 = x1 AND x2, "
                 "and make the output fire for h1 AND NOT h2")
    if not _same(out, TRUTH["XOR"]):
        fail(f"your network outputs {out.astype(int).tolist()} for the inputs (0,0), (0,1), (1,0), (1,1); "
             "XOR needs [0, 1, 1, 0]")


ITEMS = {
    "ex01-step": Item(check_step, title="step unit", hidden=2),
    "ex01-sign": Item(check_sign, title="sign unit", hidden=1),
    "ex01-neuron": Item(check_neuron, title="a threshold neuron on a batch", hidden=2),
    "ex01-gates": Item(check_gates, title="AND, OR, NAND as threshold units", hidden=2),
    "ex01-two-layer": Item(check_two_layer, title="forward pass of a two-layer threshold network", hidden=1),
    "ex01-xor": Item(check_xor, title="XOR with two layers of threshold units", hidden=1),
    "ex01-quiz-majority": quiz_item("ex01-quiz-majority", title="quiz: a three-input threshold unit"),
    "ex01-quiz-hebb": quiz_item("ex01-quiz-hebb", title="quiz: Hebbian conditioning of a bell"),
    "ex01-quiz-rescorla": quiz_item("ex01-quiz-rescorla", title="quiz: the Rescorla-Wagner rule"),
    "ex01-quiz-xor-layer": quiz_item("ex01-quiz-xor-layer", title="quiz: the hidden layer of the XOR network"),
}
