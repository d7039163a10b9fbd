"""Lesson 08: its claims checked on nnlib (symmetry, variances, standardising) and its figure helpers.

The notebook computes the worked numbers in visible cells (nbval re-checks them); these tests pin
the facts behind them on the library and the same small experiments, plus the helpers that draw
the histograms and the loss bowl and train the digits.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nncourse.lessons.l08_initialisation_preprocessing import (
    draw_bowl,
    draw_layer_histograms,
    mse_grid,
    train_digits,
    update_bowl,
    update_layer_histograms,
)
from nnlib import init
from nnlib.activations import Sigmoid
from nnlib.datasets import load_digits, make_xor
from nnlib.layers import Linear
from nnlib.losses import BCELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.preprocessing import standardize, train_test_split
from nnlib.training import accuracy

X_XOR, Y_XOR = make_xor()


def constant(value):
    def fill(shape, rng):
        return np.full(shape, value)
    return fill


def train_xor(init_W, hidden=4, steps=300, lr=2.0, seed=0):
    rng = np.random.default_rng(seed)
    net = Sequential(Linear(2, hidden, init=init_W, rng=rng), Sigmoid(), Linear(hidden, 1, init=init_W, rng=rng),
                     Sigmoid())
    loss, opt = BCELoss(), SGD(net.parameters(), lr=lr)
    Y = Y_XOR.reshape(-1, 1).astype(float)
    for _ in range(steps):
        opt.zero_grad()
        loss(net(X_XOR), Y)
        net.backward(loss.backward())
        opt.step()
    return net


# ---------------------------------------------------------------- symmetry

def test_equal_weights_give_every_hidden_unit_the_same_gradient():
    net = Sequential(Linear(2, 4, init=constant(0.5)), Sigmoid(), Linear(4, 1, init=constant(0.5)), Sigmoid())
    loss = BCELoss()
    loss(net(X_XOR), Y_XOR.reshape(-1, 1).astype(float))
    net.backward(loss.backward())
    dW1 = net.layers[0].dW
    np.testing.assert_allclose(dW1, np.repeat(dW1[:1], 4, axis=0), rtol=0, atol=0)
    np.testing.assert_allclose(dW1[0], [0.0134, 0.0134], atol=5e-5)               # as the lesson prints
    np.testing.assert_allclose(net.layers[2].dW, np.full((1, 4), 0.1702), atol=5e-5)


def test_constant_init_units_move_but_stay_copies_and_xavier_solves_xor():
    zeros = train_xor("zeros")
    assert np.all(zeros.layers[0].W == 0)                     # XOR's output gradients cancel: nothing moves
    const = train_xor(constant(0.5))
    W1 = const.layers[0].W
    assert not np.allclose(W1, 0.5) and np.all(W1 == W1[0])   # moved, as one unit
    assert accuracy(const(X_XOR), Y_XOR) <= 0.75              # one hidden unit cannot do XOR
    xavier = train_xor("xavier")
    assert accuracy(xavier(X_XOR), Y_XOR) == 1.0
    assert np.abs(xavier.layers[0].W - xavier.layers[0].W[0]).max() > 1.0


# ---------------------------------------------------------------- activation statistics

def layer_stds(sigma, g=np.tanh, M=256, N=300, n_layers=6, seed=0):
    rng = np.random.default_rng(seed)
    A, stds = rng.standard_normal((N, M)), []
    for _ in range(n_layers):
        A = g(A @ (sigma * rng.standard_normal((M, M))).T)
        stds.append(A.std())
    return np.array(stds), A


def test_the_decks_six_tanh_layers_at_equal_gain():
    small, _ = layer_stds(0.01 * np.sqrt(4096 / 256))          # gain 0.64: the signal dies out
    np.testing.assert_allclose(small[3:] / small[2:-1], 0.64, rtol=0.05)
    large, A = layer_stds(0.05 * np.sqrt(4096 / 256))          # gain 3.2: tanh saturates
    assert np.all(large > 0.8) and np.mean(np.abs(A) > 0.99) > 0.25
    xavier, A = layer_stds(1 / np.sqrt(256))
    assert np.all((xavier > 0.2) & (xavier < 0.8)) and np.mean(np.abs(A) > 0.99) < 0.01


def test_relu_needs_he():
    def relu(z):
        return np.maximum(0.0, z)
    xavier, _ = layer_stds(np.sqrt(1 / 256), g=relu)
    he, A = layer_stds(np.sqrt(2 / 256), g=relu)
    np.testing.assert_allclose(xavier[1:] / xavier[:-1], 1 / np.sqrt(2), rtol=0.06)
    np.testing.assert_allclose(he[1:] / he[:-1], 1.0, rtol=0.06)
    assert np.mean(A == 0) == pytest.approx(0.5, abs=0.05)


# ---------------------------------------------------------------- variances

@pytest.mark.parametrize("sample, variance", [
    (init.xavier, 1 / 100), (init.glorot, 1 / 250), (init.he, 2 / 100), (init.he_avg, 2 / 250),
])
def test_init_schemes_have_the_variance_of_their_formula_and_the_predicted_gains(sample, variance):
    rng = np.random.default_rng(0)
    W = sample((400, 100), rng=rng)                            # fan-in 100, fan-out 400
    x, delta = rng.standard_normal((2000, 100)), rng.standard_normal((2000, 400))
    assert W.var() == pytest.approx(variance, rel=0.05)
    assert (x @ W.T).var() / x.var() == pytest.approx(100 * variance, rel=0.05)
    assert (delta @ W).var() / delta.var() == pytest.approx(400 * variance, rel=0.05)


def test_the_slides_he_variance_loses_signal_in_a_widening_relu_network():
    widths, rng = [64, 128, 256, 512], np.random.default_rng(0)
    A0 = np.maximum(0.0, rng.standard_normal((2000, 64)))
    for variance, predicted in [(lambda m_in, m_out: 2 / m_in, 1.0),
                                (lambda m_in, m_out: 4 / (m_in + m_out), (2 / 3) ** 3)]:
        A = A0
        for m_in, m_out in zip(widths[:-1], widths[1:]):
            A = np.maximum(0.0, A @ (np.sqrt(variance(m_in, m_out)) * rng.standard_normal((m_out, m_in))).T)
        assert np.mean(A ** 2) / np.mean(A0 ** 2) == pytest.approx(predicted, rel=0.1)


# ---------------------------------------------------------------- standardising

def test_standardise_with_the_training_statistics():
    X, y = load_digits()
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.25, rng=0)
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma = np.where(sigma > 0, sigma, 1.0)
    X_train_std, mean, std = standardize(X_train)
    np.testing.assert_allclose(X_train_std, (X_train - mu) / sigma)
    np.testing.assert_allclose(standardize(X_test, mean, std)[0], (X_test - mu) / sigma)
    assert np.sum(X_train.std(axis=0) == 0) == 3 and abs(((X_test - mu) / sigma).mean()) > 1e-3


def test_standardising_makes_the_bowl_round_and_gradient_descent_fast():
    rng = np.random.default_rng(0)
    X = 10.0 + rng.standard_normal((200, 2)) * np.array([1.0, 3.0])
    y = X @ np.array([1.0, -2.0]) + 0.1 * rng.standard_normal(200)
    X_std, y_c = (X - X.mean(axis=0)) / X.std(axis=0), y - y.mean()
    kappas = []
    for A, b in [(X, y), (X_std, y_c)]:
        H = 2 / len(A) * A.T @ A
        eig = np.linalg.eigvalsh(H)
        kappas.append(eig[-1] / eig[0])
        w = np.zeros(2)
        for _ in range(5):
            w = w - 1 / eig[-1] * 2 / len(A) * A.T @ (A @ w - b)
        kappas.append(np.mean((A @ w - b) ** 2) / np.mean((A @ np.linalg.lstsq(A, b, rcond=None)[0] - b) ** 2))
    kappa_raw, ratio_raw, kappa_std, ratio_std = kappas
    assert kappa_raw == pytest.approx(43.32, abs=0.01) and kappa_std < 1.2
    assert ratio_std == pytest.approx(1.0, rel=1e-3) and ratio_raw > 100


# ---------------------------------------------------------------- helpers

def test_layer_histograms_are_shares_and_unused_rows_stay_empty():
    ax = Figure().subplots()
    layers = [np.linspace(-1, 1, 50), np.zeros(50)]
    artists = draw_layer_histograms(ax, layers, edges=np.linspace(-1, 1, 11), max_layers=4)
    assert len(artists["rows"]) == 4 and [t.get_text() for t in artists["stds"]][2:] == ["", ""]
    values, edges, baseline = artists["rows"][1].get_data()
    assert baseline == 1.0 and values.max() == pytest.approx(1.9)          # the tallest bar of all fills 90 %
    stds = update_layer_histograms(ax, artists, [np.maximum(0, np.linspace(-1, 1, 50))] * 3,
                                   np.linspace(0, 4, 11), positive_only=True)
    assert stds.shape == (3,) and ax.get_ylim() == (-0.1, 4.0)          # all rows stay: no full redraw
    assert artists["stds"][0].get_text().startswith("std ") and artists["stds"][3].get_text() == ""
    with pytest.raises(ValueError, match="draw_layer_histograms"):
        draw_layer_histograms(ax, layers, edges=np.zeros((2, 2)))


def test_mse_grid_and_bowl():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    y = np.array([1.0, 0.0, 2.0])
    w1, w2 = np.linspace(-1, 1, 5), np.linspace(0, 2, 5)
    L = mse_grid(X, y, w1, w2)
    assert L[2, 3] == pytest.approx(np.mean((X @ np.array([w1[3], w2[2]]) - y) ** 2))
    ax = Figure().subplots()
    path = np.array([[0.0, 0.0], [0.3, 0.4]])
    artists = draw_bowl(ax, X, y, path, resolution=20)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(artists["minimum"].get_xydata()[0], w_star)
    update_bowl(ax, artists, X, 2 * y, path, resolution=20)
    np.testing.assert_allclose(artists["minimum"].get_xydata()[0], 2 * w_star)
    np.testing.assert_allclose(artists["path"].get_xydata(), path)
    assert artists["image"].get_array().shape == (20, 20)
    with pytest.raises(ValueError, match="mse_grid"):
        mse_grid(np.ones((3, 3)), y, w1, w2)


def test_raw_digits_saturate_tanh_units_and_standardised_ones_train_better():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=0)
    X_train_std, mean, std = standardize(X_train)
    raw = train_digits(X_train, y_train, X_test, y_test, lr=0.1, epochs=3)
    std_run = train_digits(X_train_std, y_train, standardize(X_test, mean, std)[0], y_test, lr=0.1, epochs=3)
    assert raw["saturated_at_start"] > 0.5 > 0.05 > std_run["saturated_at_start"]
    assert std_run["history"]["train_loss"][-1] < raw["history"]["train_loss"][-1]
    assert std_run["test_acc"] > 0.9
    with pytest.raises(ValueError, match="train_digits: epochs"):
        train_digits(X_train, y_train, X_test, y_test, epochs=0)
