"""Lesson 04: the data set, the training loop and the fit, and the networks the notebook builds by hand."""

import numpy as np
import pytest
from notebook_functions import notebook_function

from nncourse.lessons.l04_logistic_to_mlp import fit_one_hidden_layer, make_disc_and_ring, train_full_batch
from nnlib.activations import Sigmoid, Softmax
from nnlib.datasets import make_xor
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss, MSELoss
from nnlib.module import Sequential

NOTEBOOK = "04_logistic_to_mlp.ipynb"


def target_function(x):
    return np.sin(2 * np.pi * x) + 0.5 * np.cos(5 * np.pi * x) + x


# --- helpers ----------------------------------------------------------------------------------


def test_disc_and_ring_labels_follow_radius_and_side():
    X, y = make_disc_and_ring(n=400, inner=0.5, outer=0.7, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert X.shape == (len(y), 2) and y.dtype == np.int64
    assert np.all((r < 0.5) | (r > 0.7)) and np.all(r <= 1.0)
    assert np.all(y[r < 0.5] == 0)
    assert np.all(y[(r > 0.7) & (X[:, 1] > 0)] == 1)
    assert np.all(y[(r > 0.7) & (X[:, 1] <= 0)] == 2)


def test_disc_and_ring_errors():
    with pytest.raises(ValueError, match="make_disc_and_ring: need 0 < inner <= outer < 1, got inner=0.8, outer=0.7"):
        make_disc_and_ring(inner=0.8, outer=0.7)
    with pytest.raises(ValueError, match="make_disc_and_ring: n must be >= 1"):
        make_disc_and_ring(n=0)


def test_linear_classifiers_fail_on_disc_and_ring_a_hidden_layer_succeeds():
    X, y = make_disc_and_ring(rng=0)
    rng = np.random.default_rng(0)
    linear = Sequential(Linear(2, 3, rng=0))                                          # NW3's logits
    hidden = Sequential(Linear(2, 4, rng=rng), Sigmoid(), Linear(4, 3, rng=rng))     # NW4's logits
    loss_linear = train_full_batch(linear, CrossEntropyLoss(), X, y, lr=0.05, epochs=300)
    loss_hidden = train_full_batch(hidden, CrossEntropyLoss(), X, y, lr=0.05, epochs=600)
    assert loss_linear.shape == (301,) and loss_hidden[-1] < loss_hidden[0]
    assert np.mean(np.argmax(linear(X), axis=1) == y) < 0.8    # straight lines cannot cut out the disc
    assert np.mean(np.argmax(hidden(X), axis=1) == y) > 0.97


def test_train_full_batch_takes_adam_steps_on_all_data():
    net = Sequential(Linear(1, 1, rng=0))
    x = np.array([[0.0], [1.0], [2.0]])
    history = train_full_batch(net, MSELoss(), x, 3 * x - 1, lr=0.05, epochs=2000)
    np.testing.assert_allclose(net.layers[0].W, [[3.0]], atol=1e-3)
    np.testing.assert_allclose(net.layers[0].b, [-1.0], atol=1e-3)
    assert history[0] == pytest.approx(MSELoss()(Sequential(Linear(1, 1, rng=0))(x), 3 * x - 1))
    with pytest.raises(ValueError, match="train_full_batch: epochs must be >= 1"):
        train_full_batch(net, MSELoss(), x, x, lr=0.1, epochs=0)


def test_trained_fit_improves_with_width():
    small = fit_one_hidden_layer(target_function, 2, epochs=500)
    large = fit_one_hidden_layer(target_function, 12, epochs=500)
    assert large["loss"][-1] < 0.5 * small["loss"][-1]
    assert large["loss"][-1] < large["loss"][0]
    with pytest.raises(ValueError, match=r"fit_one_hidden_layer: f\(x\) must have shape \(100, 1\)"):
        fit_one_hidden_layer(lambda x: x[:, 0], 3, epochs=1)


# --- the networks the notebook builds --------------------------------------------------------


def test_softmax_outputs_sum_to_one_sigmoid_outputs_do_not():
    X = np.random.default_rng(0).standard_normal((10, 2))
    layer = Linear(2, 3, rng=0)
    np.testing.assert_allclose(Sequential(layer, Softmax())(X).sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.abs(Sequential(layer, Sigmoid())(X).sum(axis=1) - 1.0) > 1e-3)


def test_staircase_hits_f_at_the_cell_centres_and_gets_finer():
    staircase = notebook_function(NOTEBOOK, "staircase")
    net = staircase(np.sin, 9)
    centres = (np.arange(10) + 0.5) / 10
    np.testing.assert_allclose(net(centres.reshape(-1, 1))[:, 0], np.sin(centres), atol=1e-6)
    x = np.linspace(0, 1, 401).reshape(-1, 1)
    errors = [np.sqrt(np.mean((staircase(target_function, H)(x) - target_function(x)) ** 2)) for H in (5, 20, 80)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.05


def test_tent_network_pieces_double_with_depth():
    tent_network = notebook_function(NOTEBOOK, "tent_network")
    count_pieces = notebook_function(NOTEBOOK, "count_pieces")
    for depth in range(1, 7):
        x = np.linspace(0.0, 1.0, 2**depth * 8 + 1)
        out = tent_network(depth)(x.reshape(-1, 1))[:, 0]
        assert count_pieces(x, out) == 2**depth
        assert out.min() == 0.0 and out.max() == 1.0
    np.testing.assert_allclose(tent_network(2)(np.array([[0.0], [0.25], [0.5], [0.75], [1.0]]))[:, 0],
                               [0, 1, 0, 1, 0], atol=1e-12)


def test_count_pieces():
    count_pieces = notebook_function(NOTEBOOK, "count_pieces")
    x = np.linspace(-1, 1, 9)
    assert count_pieces(x, 3 * x + 1) == 1
    assert count_pieces(x, np.maximum(x, 0)) == 2


def test_xor_with_two_hidden_units_can_get_stuck_wider_is_reliable():
    X, y = make_xor()
    solves_xor = notebook_function(NOTEBOOK, "solves_xor", X_xor=X.astype(float), y_xor=y,
                                   t_xor=y.astype(float).reshape(-1, 1))
    assert not all(solves_xor(2, seed) for seed in range(6))
    assert all(solves_xor(8, seed) for seed in range(3))


def test_stacked_linear_layers_are_one_affine_map():
    rng = np.random.default_rng(1)
    stack = [Linear(3, 6, rng=rng), Linear(6, 4, rng=rng), Linear(4, 2, rng=rng)]
    for layer in stack:
        layer.b[...] = rng.standard_normal(layer.b.shape)
    (W1, b1), (W2, b2), (W3, b3) = [(layer.W, layer.b) for layer in stack]
    W_tilde, b_tilde = W3 @ W2 @ W1, W3 @ (W2 @ b1 + b2) + b3
    X = rng.standard_normal((7, 3))
    np.testing.assert_allclose(Sequential(*stack)(X), X @ W_tilde.T + b_tilde, rtol=1e-12, atol=1e-12)


def test_forward_pass_by_hand_matches_sequential():
    rng = np.random.default_rng(2)
    hidden, output = Linear(2, 4, rng=rng), Linear(4, 3, rng=rng)
    A0 = rng.standard_normal((5, 2))
    A1 = 1 / (1 + np.exp(-(A0 @ hidden.W.T + hidden.b)))      # z = W a + b, W is (out, in)
    Z2 = A1 @ output.W.T + output.b
    A2 = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(Sequential(hidden, Sigmoid(), output, Softmax())(A0), A2, rtol=1e-12)


def test_train_full_batch_reports_progress_up_to_one():
    fractions = []
    net = Sequential(Linear(1, 1, rng=0))
    x = np.array([[0.0], [1.0]])
    train_full_batch(net, MSELoss(), x, x, lr=0.1, epochs=250, progress=fractions.append)
    assert 90 <= len(fractions) <= 260 and fractions[-1] == 1.0 and fractions == sorted(fractions)
