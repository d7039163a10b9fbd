"""Visible tests for solutions/ex01_neurons_threshold_units.ipynb (threshold units, gates, XOR).

Conventions of the exercise: ``step(z) = 1`` where ``z >= 0`` else ``0``;
``sign(z) = +1`` where ``z >= 0`` else ``-1``; batches are rows; a layer's weight
matrix has one row per unit, so a hidden layer computes ``step(X @ W1.T + b1)``.
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

Z_TEST = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # the four rows of a truth table
TRUTH = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),
    "NAND": np.array([1.0, 1.0, 1.0, 0.0]),
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),
}


def _step(z):
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)


def _forward(X, W1, b1, w2, b2):
    H = _step(X @ np.asarray(W1).T + b1)  # (N, 2) hidden units
    return _step(H @ w2 + b2)  # (N,)


def _same(got, candidate):
    return got.shape == np.shape(candidate) and np.array_equal(got, candidate)


def check_step(step):
    """step: 0/1 outputs, 1 at z = 0, input unchanged."""
    expect_callable("step", step)
    z = Z_TEST.copy()
    got = as_array("step(z)", step(z))
    expect_unchanged("the input z", z, Z_TEST)
    if _same(got, np.where(Z_TEST > 0, 1.0, 0.0)):
        fail("step(z) at z = 0 gives 0, but the step unit fires at its threshold: 1 where z >= 0 "
             "(use >=, not >)")
    expect_array(f"step(z) for z = {Z_TEST.tolist()}", got, _step(Z_TEST))


def check_sign(sign):
    """sign: -1/+1 outputs, +1 at z = 0 (not numpy's 0)."""
    expect_callable("sign", sign)
    got = as_array("sign(z)", sign(Z_TEST.copy()))
    if _same(got, np.sign(Z_TEST)):
        fail("sign(0) gives 0 (that is np.sign); the lecture's sign unit outputs +1 at z = 0, "
             "so use np.where(z >= 0, 1.0, -1.0)")
    if _same(got, _step(Z_TEST)):
        fail("sign(z) gives 0 for negative z; the sign unit outputs -1 there (it is 2 * step(z) - 1)")
    expect_array(f"sign(z) for z = {Z_TEST.tolist()}", got, np.where(Z_TEST >= 0, 1.0, -1.0))


def check_neuron(neuron):
    """neuron(X, w, b) = step(X @ w + b) for a batch of rows; the lecture's worked example first."""
    expect_callable("neuron", neuron)
    lecture = as_array("neuron(x, w, b)", neuron(np.array([[1.0, 0.0, 0.5]]), np.array([1.0, -0.5, -1.0]), 0.0))
    expect_array("neuron for the lecture's example x = (1, 0, 0.5), w = (1, -0.5, -1), b = 0 "
                 "(z = 0.5, so the unit fires)", lecture, np.array([1.0]))
    X = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.25, 0.0, 0.1]])
    w = np.array([1.0, -0.5, -1.0])
    b = -0.25
    got = as_array("neuron(X, w, b)", neuron(X.copy(), w.copy(), b))
    expect_shape("neuron(X, w, b) for a batch of 4 rows", got, (4,))
    if _same(got, _step(X @ w)) or _same(got, _step(X @ w - b)):
        fail("neuron(X, w, b) for 4 rows with b = -0.25: the results ignore the bias (or subtract it); "
             "the pre-activation is z = X @ w + b")
    expect_array("neuron(X, w, b) for 4 rows with w = (1, -0.5, -1), b = -0.25", got, _step(X @ w + b))


def _gate_output(name, gate_weights):
    """Truth-table output of the unit with the student's weights for gate ``name``."""
    weights = gate_weights(name)
    if not isinstance(weights, tuple) or len(weights) != 2:
        fail(f"gate_weights({name!r}) should return a pair (w, b), got {type(weights).__name__}")
    w = expect_shape(f"w of gate_weights({name!r})", weights[0], (2,))
    b = as_array(f"b of gate_weights({name!r})", weights[1])
    if b.size != 1:
        fail(f"b of gate_weights({name!r}) should be one number, got shape {b.shape}")
    return w, float(b.reshape(())), _step(INPUTS @ w + float(b.reshape(())))


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


def check_two_layer(two_layer_forward):
    """Forward pass of a 2-2-1 threshold network, with W1's rows as hidden units."""
    expect_callable("two_layer_forward", two_layer_forward)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.75, -0.5], [-1.0, 0.5]])
    W1 = np.array([[-0.5, 1.0], [-1.0, -0.5]])
    b1 = np.array([-0.75, -0.75])
    w2 = np.array([1.5, 1.0])
    b2 = -1.25
    got = as_array("two_layer_forward", two_layer_forward(X.copy(), W1.copy(), b1.copy(), w2.copy(), b2))
    what = "two_layer_forward(X, W1, b1, w2, b2) on 6 inputs"
    expect_shape(what, got, (6,))
    expected = _forward(X, W1, b1, w2, b2)
    if not _same(got, expected):
        if _same(got, _forward(X, W1.T, b1, w2, b2)):
            fail(f"{what}: the weights are transposed; row j of W1 holds the weights of hidden unit j, "
                 "so the hidden layer is step(X @ W1.T + b1)")
        if _same(got, _forward(X, W1, 0.0, w2, b2)):
            fail(f"{what}: the hidden layer's bias b1 is missing")
        if _same(got, _forward(X, W1, b1, w2, 0.0)):
            fail(f"{what}: the output unit's bias b2 is missing")
        if _same(got, _step(X @ W1.T + b1) @ w2 + b2):
            fail(f"{what}: the output unit must apply the step function too")
    expect_array(what, got, expected)


def check_xor(xor_weights):
    """Weights that make the 2-2-1 threshold network compute XOR."""
    expect_callable("xor_weights", xor_weights)
    params = xor_weights()
    if not isinstance(params, tuple) or len(params) != 4:
        fail("xor_weights() should return the tuple (W1, b1, w2, b2)")
    W1, b1, w2, b2 = _check_params(*params)
    out = _forward(INPUTS, W1, b1, w2, b2)
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
}
