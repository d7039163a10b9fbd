"""Lesson 05's worked examples, checked on the library that the notebook's cells call.

The notebook computes every deck example in its own cells (its printed numbers are pinned by
nbval). These tests check that nnlib's pieces reproduce the same lecture numbers, so a change in
the library that would move a slide number fails here with a readable message; and they test the
lesson's one remaining helper, ``measure_cost``.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nncourse.lessons import l05_backpropagation as l05  # noqa: E402
from nnlib.activations import Identity, Sigmoid, Tanh  # noqa: E402
from nnlib.autodiff import Value  # noqa: E402
from nnlib.functional import sigmoid, sigmoid_prime, softmax, softmax_jacobian  # noqa: E402
from nnlib.gradcheck import check_layer_gradients, numerical_gradient, numerical_jacobian  # noqa: E402
from nnlib.layers import Linear  # noqa: E402
from nnlib.losses import BCELoss, CrossEntropyLoss  # noqa: E402
from nnlib.module import Sequential  # noqa: E402
from nnlib.optim import SGD  # noqa: E402

# The Karlsruhe deck's 2-3-1 example.
X_KA = np.array([1.0, 2.0])
W1_KA = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B1_KA = np.array([0.1, 0.1, 0.1])
W2_KA = np.array([[0.4, 0.3, 0.2]])
B2_KA = np.array([0.1])


def layers_holding(*pairs):
    """``Linear`` layers with the given ``(W, b)``; ``W`` is (out, in)."""
    layers = []
    for W, b in pairs:
        layer = Linear(W.shape[1], W.shape[0])
        layer.W[...], layer.b[...] = W, b
        layers.append(layer)
    return layers


# ---------------------------------------------------------------- computation graphs (KIT)

def test_value_reproduces_the_kit_graph_e_equals_a_plus_b_times_b_plus_one():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    assert (c.data, d.data, e.data) == (3.0, 2.0, 6.0)
    assert (c.grad, d.grad) == (2.0, 3.0)
    assert a.grad == 2.0
    assert b.grad == 5.0  # fan-out: both paths, d + c


@pytest.mark.parametrize("a, b", [(-0.7, 1.9), (3.0, -2.5)])
def test_value_graph_gradients_follow_the_formulas_elsewhere(a, b):
    av, bv = Value(a), Value(b)
    ((av + bv) * (bv + 1)).backward()
    np.testing.assert_allclose(av.grad, b + 1, rtol=1e-12)
    np.testing.assert_allclose(bv.grad, (b + 1) + (a + b), rtol=1e-12)


def test_logistic_least_squares_error_signals_equal_value_backward():
    w, x, b, t = 1.5, 2.0, -1.0, 1.0
    z = w * x + b
    y = 1 / (1 + np.exp(-z))
    z_bar = (y - t) * y * (1 - y)
    wv, bv = Value(w), Value(b)
    L = 0.5 * ((wv * x + bv).sigmoid() - t) ** 2
    L.backward()
    np.testing.assert_allclose(L.data, 0.5 * (y - t) ** 2, rtol=1e-12)
    np.testing.assert_allclose(wv.grad, z_bar * x, rtol=1e-10)
    np.testing.assert_allclose(bv.grad, z_bar, rtol=1e-10)
    np.testing.assert_allclose(wv.grad, -0.025031, atol=5e-7)  # the lesson's printed number


def test_regularised_graph_sums_both_paths_into_w():
    w, x, b, t, lam = 1.5, 2.0, -1.0, 1.0, 0.1
    wv, bv = Value(w), Value(b)
    L_reg = 0.5 * ((wv * x + bv).sigmoid() - t) ** 2 + lam * (0.5 * wv ** 2)
    L_reg.backward()
    y = 1 / (1 + np.exp(-2.0))
    z_bar = (y - t) * y * (1 - y)
    np.testing.assert_allclose(wv.grad, z_bar * x + lam * w, rtol=1e-10)
    np.testing.assert_allclose(bv.grad, z_bar, rtol=1e-10)
    np.testing.assert_allclose(L_reg.data, 0.5 * (y - 1) ** 2 + lam * 0.5 * w ** 2, rtol=1e-12)


@pytest.mark.parametrize("t", [0.3, 1.0, 2.2])
def test_multivariate_chain_rule_matches_a_central_difference(t):
    x, y = np.cos(t), t ** 2
    df_dt = y * np.exp(x * y) * (-np.sin(t)) + (1 + x * np.exp(x * y)) * 2 * t
    numeric = numerical_gradient(lambda tt: tt[0] ** 2 + np.exp(np.cos(tt[0]) * tt[0] ** 2), np.array([t]))
    np.testing.assert_allclose(numeric[0], df_dt, rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------- MLP, Jacobians, identities

@pytest.mark.parametrize("n_in, n_hidden, n_out", [(3, 4, 2), (2, 5, 3)])
def test_kit_mlp_matrix_form_equals_nnlib_backward(n_in, n_hidden, n_out):
    rng = np.random.default_rng(n_in + n_hidden + n_out)
    W1, b1 = rng.standard_normal((n_hidden, n_in)), rng.standard_normal(n_hidden)
    W2, b2 = rng.standard_normal((n_out, n_hidden)), rng.standard_normal(n_out)
    x, t = rng.standard_normal(n_in), rng.standard_normal(n_out)
    z = W1 @ x + b1
    y = W2 @ sigmoid(z) + b2
    z_bar = (W2.T @ (y - t)) * sigmoid_prime(z)
    hidden, output = layers_holding((W1, b1), (W2, b2))
    net = Sequential(hidden, Sigmoid(), output)
    net.backward(net(x.reshape(1, -1)) - t)
    np.testing.assert_allclose(output.dW, np.outer(y - t, sigmoid(z)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hidden.dW, np.outer(z_bar, x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hidden.db, z_bar, rtol=1e-10, atol=1e-12)


def test_matrix_calculus_identities_hold_numerically():
    rng = np.random.default_rng(3)
    W, x, x_row, t = (rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3),
                      rng.standard_normal(3))
    np.testing.assert_allclose(numerical_jacobian(lambda v: W @ v, x), W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(numerical_jacobian(lambda v: v @ W, x_row), W.T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(numerical_jacobian(lambda v: v, x), np.eye(2), atol=1e-8)
    np.testing.assert_allclose(numerical_jacobian(sigmoid, x), np.diag(sigmoid_prime(x)), rtol=1e-6, atol=1e-9)
    numeric = numerical_gradient(lambda M: 0.5 * np.sum((M @ x - t) ** 2), W.copy())
    np.testing.assert_allclose(numeric, np.outer(W @ x - t, x), rtol=1e-6, atol=1e-8)


def test_numerical_jacobian_has_numerator_layout_shapes():
    assert numerical_jacobian(lambda v: np.sum(v ** 2), np.ones(3)).shape == (1, 3)
    assert numerical_jacobian(lambda v: np.array([1.0, 2.0]) * v[0], np.ones(1)).shape == (2, 1)
    assert numerical_jacobian(lambda v: np.ones((2, 3)) @ v, np.ones(3)).shape == (2, 3)


@pytest.mark.parametrize("z", [[2.0, 1.0, 0.1], [0.3, -1.2, 2.0, 0.0]])
def test_softmax_jacobian_equals_formula_and_central_differences(z):
    z = np.array(z)
    a = softmax(z)
    J = softmax_jacobian(z)
    np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(J, numerical_jacobian(softmax, z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("z, label", [([2.0, 1.0, 0.1], 0), ([-3.0, 0.5, 4.0, 1.0], 1)])
def test_softmax_cross_entropy_delta_is_a_minus_y(z, label):
    z = np.array(z)
    a, y = softmax(z), np.eye(len(z))[label]
    np.testing.assert_allclose((-y / a) @ softmax_jacobian(z), a - y, rtol=1e-12, atol=1e-14)
    ce = CrossEntropyLoss()
    ce(z.reshape(1, -1), np.array([label]))
    np.testing.assert_allclose(ce.backward()[0], a - y, rtol=1e-12, atol=1e-14)
    if label == 0 and len(z) == 3:  # the lesson's printed numbers for z = (2, 1, 0.1)
        np.testing.assert_allclose(ce.backward()[0], [-0.341, 0.2424, 0.0986], atol=5e-5)


# ---------------------------------------------------------------- the Karlsruhe 2-3-1 step

def test_nnlib_reproduces_the_karlsruhe_update_step_to_the_digit():
    hidden, output = layers_holding((W1_KA, B1_KA), (W2_KA, B2_KA))
    net = Sequential(hidden, Identity(), output, Identity())
    y_hat = net(X_KA.reshape(1, 2))
    np.testing.assert_allclose(hidden(X_KA.reshape(1, 2)), [[1.0, 2.0, 1.5]], rtol=1e-12)
    np.testing.assert_allclose(y_hat, [[1.4]], rtol=1e-12)
    net.backward(y_hat - 1.0)  # dL/dy_hat of L = 1/2 (y_hat - y)^2
    np.testing.assert_allclose(output.dW, [[0.4, 0.8, 0.6]], rtol=1e-12)
    np.testing.assert_allclose(output.db, [0.4], rtol=1e-12)
    np.testing.assert_allclose(hidden.dW, [[0.16, 0.32], [0.12, 0.24], [0.08, 0.16]], rtol=1e-12)
    np.testing.assert_allclose(hidden.db, [0.16, 0.12, 0.08], rtol=1e-12)
    SGD(net.parameters(), lr=0.1).step()
    np.testing.assert_allclose(hidden.W, [[0.484, 0.168], [0.288, 0.776], [0.592, 0.384]], rtol=1e-12)
    np.testing.assert_allclose(hidden.b, [0.084, 0.088, 0.092], rtol=1e-12)
    np.testing.assert_allclose(output.W, [[0.36, 0.22, 0.14]], rtol=1e-12)
    np.testing.assert_allclose(output.b, [0.06], rtol=1e-12)
    assert abs(net(X_KA.reshape(1, 2))[0, 0] - 1.0) < 0.02  # one step brings y_hat from 1.4 to 1.013


@pytest.mark.parametrize("y", [1.0, 0.0])
def test_dhbw_sigmoid_bce_formulas_equal_nnlib_and_central_differences(y):
    a1 = sigmoid(W1_KA @ X_KA + B1_KA)
    a2 = sigmoid(W2_KA @ a1 + B2_KA)
    delta2 = a2 - y
    delta1 = (delta2 @ W2_KA) * a1 * (1 - a1)
    hidden, output = layers_holding((W1_KA, B1_KA), (W2_KA, B2_KA))
    net = Sequential(hidden, Sigmoid(), output, Sigmoid())
    bce = BCELoss()
    bce(net(X_KA.reshape(1, 2)), np.array([[y]]))
    net.backward(bce.backward())
    np.testing.assert_allclose(output.dW, np.outer(delta2, a1), rtol=1e-10)
    np.testing.assert_allclose(hidden.dW, np.outer(delta1, X_KA), rtol=1e-10)
    np.testing.assert_allclose(hidden.db, delta1, rtol=1e-10)

    def loss(W1):
        a = sigmoid(W2_KA @ sigmoid(W1 @ X_KA + B1_KA) + B2_KA)[0]
        return -y * np.log(a) - (1 - y) * np.log(1 - a)

    np.testing.assert_allclose(numerical_gradient(loss, W1_KA.copy()), np.outer(delta1, X_KA), rtol=1e-6, atol=1e-9)
    if y == 1.0:
        np.testing.assert_allclose(delta2, [-0.3057], atol=5e-5)  # the lesson's printed number


# ---------------------------------------------------------------- the algorithm and the OTH network

@pytest.mark.parametrize("sizes", [(2, 4, 3, 3), (3, 5, 4, 2), (4, 2)])
def test_backprop_algorithm_by_formulas_equals_nnlib(sizes):
    rng = np.random.default_rng(sum(sizes))
    L = len(sizes) - 1
    W = {l: rng.standard_normal((sizes[l], sizes[l - 1])) for l in range(1, L + 1)}
    b = {l: rng.standard_normal(sizes[l]) for l in range(1, L + 1)}
    x, label = rng.standard_normal(sizes[0]), 1
    a, z = {0: x}, {}
    for l in range(1, L + 1):
        z[l] = W[l] @ a[l - 1] + b[l]
        a[l] = softmax(z[l]) if l == L else sigmoid(z[l])
    delta = {L: a[L] - np.eye(sizes[L])[label]}
    for lam in range(L - 1, 0, -1):
        delta[lam] = (delta[lam + 1] @ W[lam + 1]) * sigmoid_prime(z[lam])
    linears = layers_holding(*[(W[l], b[l]) for l in range(1, L + 1)])
    layers = [m for layer in linears for m in (layer, Sigmoid())][:-1]
    net, ce = Sequential(*layers), CrossEntropyLoss()
    ce(net(x.reshape(1, -1)), np.array([label]))
    net.backward(ce.backward())
    for l, layer in zip(range(1, L + 1), linears):
        np.testing.assert_allclose(layer.dW, np.outer(delta[l], a[l - 1]), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.db, delta[l], rtol=1e-10, atol=1e-12)


def test_oth_orientation_gives_the_transposed_gradients_of_nnlib():
    x, y = np.array([36.0, 70.0, 1.0]), 1.0
    W1 = np.array([[0.02, -0.03], [-0.01, 0.02], [0.5, -0.2]])  # inputs x units
    W2 = np.array([[1.0], [-1.5]])
    z1 = W1.T @ x
    np.testing.assert_allclose(z1, [0.52, 0.12], rtol=1e-12)
    h1 = sigmoid(z1)
    z2 = W2.T @ h1
    delta2 = (sigmoid(z2) - y) * sigmoid_prime(z2)
    delta1 = (W2 @ delta2) * sigmoid_prime(z1)
    hidden, output = layers_holding((W1.T, np.zeros(2)), (W2.T, np.zeros(1)))
    net = Sequential(hidden, Sigmoid(), output, Sigmoid())
    net.backward(net(x.reshape(1, 3)) - y)
    np.testing.assert_allclose(hidden.dW, np.outer(x, delta1).T, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(output.dW, np.outer(h1, delta2).T, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- gradient checking

class SigmoidForgotDerivative(Sigmoid):
    def backward(self, grad_A):
        return grad_A


def test_gradient_check_catches_a_forgotten_sigmoid_derivative():
    reports = {}
    for name, act in [("good", Sigmoid()), ("bad", SigmoidForgotDerivative())]:
        rng = np.random.default_rng(0)
        net = Sequential(Linear(3, 4, rng=rng), act, Linear(4, 2, rng=rng))
        reports[name] = {k: v["max_rel"] for k, v in check_layer_gradients(net, rng.standard_normal((5, 3)), rng=rng).items()}
    assert max(reports["good"].values()) < 1e-6
    assert reports["bad"]["0.W"] > 1e-2 and reports["bad"]["0.b"] > 1e-2
    assert reports["bad"]["2.W"] < 1e-6  # the layer after the bug is still right


def test_central_differences_beat_forward_differences():
    rng = np.random.default_rng(0)
    net = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))
    X, G = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    net(X)
    net.backward(G)
    W, analytic = net.layers[0].W, net.layers[0].dW[0, 1]

    def f():
        return np.sum(net(X) * G)

    errors = {}
    for nu in (1e-1, 1e-3):
        f0 = f()
        W[0, 1] += nu
        f_plus = f()
        W[0, 1] -= 2 * nu
        f_minus = f()
        W[0, 1] += nu
        errors[nu] = (abs((f_plus - f0) / nu - analytic), abs((f_plus - f_minus) / (2 * nu) - analytic))
    assert errors[1e-3][1] < errors[1e-3][0]
    assert errors[1e-1][0] > 30 * errors[1e-3][0]     # forward: error ~ nu
    assert errors[1e-1][1] > 3000 * errors[1e-3][1]   # central: error ~ nu^2


# ---------------------------------------------------------------- the remaining helpers

def e_graph(a, b):
    av, bv = Value(a, label="a"), Value(b, label="b")
    cv = av + bv
    cv.label = "c"
    dv = bv + 1
    dv.label = "d"
    ev = cv * dv
    ev.label = "e"
    ev.backward()
    return ev


def test_refresh_graph_writes_new_values_and_gradients_into_the_drawn_boxes():
    from nncourse.graphs import draw_graph

    ax = draw_graph(e_graph(2.0, 1.0))
    before = len(ax.texts)
    assert l05.refresh_graph(ax, e_graph(-1.0, 3.0)) == 6
    boxes = {text.get_text().splitlines()[0]: text.get_text().splitlines()[1:] for text in ax.texts[:6]}
    assert boxes["$e = c \\cdot d$"] == ["value 8", "grad 1"]      # (a + b)(b + 1) = 2 * 4
    assert boxes["$b$"] == ["value 3", "grad 6"]                    # (b + 1) + (a + b) = 4 + 2
    assert boxes["$a$"] == ["value -1", "grad 4"]                   # b + 1
    assert len(ax.texts) == before                                  # nothing drawn anew
    plt.close(ax.figure)


def test_refresh_graph_rejects_another_graph_and_non_values():
    from nncourse.graphs import draw_graph

    ax = draw_graph(e_graph(2.0, 1.0))
    other = Value(1.0, label="q") * 2.0
    other.backward()
    with pytest.raises(ValueError, match="refresh_graph: the drawing has 0 of the graph's 3 nodes"):
        l05.refresh_graph(ax, other)
    with pytest.raises(TypeError, match="refresh_graph: root must be a Value, got float"):
        l05.refresh_graph(ax, 1.0)
    plt.close(ax.figure)


def test_measure_cost_times_both_passes():
    t = l05.measure_cost([10, 20, 3], batch_size=4, repeats=2, rng=1)
    assert set(t) == {"forward", "backward"}
    assert t["forward"] > 0 and t["backward"] > 0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"layer_sizes": [5]}, ValueError, "layer_sizes must hold at least two sizes"),
    ({"layer_sizes": [5, 0]}, ValueError, "each layer size must be >= 1"),
    ({"layer_sizes": [5, 2.5]}, TypeError, "each layer size must be an int"),
    ({"layer_sizes": [5, 2], "batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ({"layer_sizes": [5, 2], "repeats": 0}, ValueError, "repeats must be >= 1"),
])
def test_measure_cost_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=f"measure_cost: {match}"):
        l05.measure_cost(**kwargs)
