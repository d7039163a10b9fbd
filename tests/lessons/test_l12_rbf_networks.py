"""Lesson 12: the problems and experiments of nncourse.lessons.l12_rbf_networks, and the hand
calculations of the lesson's cells checked against nnlib.rbf (XOR features, k-means steps, the
output layer's softmax fit)."""

import numpy as np
import pytest
from notebook_functions import notebook_function

from nncourse.lessons.l12_rbf_networks import (
    CIRCLES,
    XOR,
    Problem,
    accuracy_sweep,
    make_problem,
    rbf_decision_region,
)
from nnlib.datasets import make_xor
from nnlib.perceptron import Perceptron
from nnlib.rbf import RBFNetwork, gaussian_features, kmeans_step

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_gaussian_unit_at_multiples_of_sigma():
    r = np.array([0.0, 0.5, 1.0, 1.5])
    phi = gaussian_features(r[:, None], [[0.0]], 0.5)[:, 0]
    np.testing.assert_allclose(phi, np.exp([0.0, -0.5, -2.0, -4.5]), rtol=1e-12)
    np.testing.assert_allclose(phi, [1.0, 0.6065, 0.1353, 0.0111], atol=5e-5)   # the lesson's table


def test_xor_features_by_hand_and_three_ways_to_fit_the_output_layer():
    X, y = make_xor()
    np.testing.assert_array_equal(X, XOR_X)
    np.testing.assert_array_equal(y, XOR_Y)
    Phi = gaussian_features(X, [[0.0, 0.0], [1.0, 1.0]], 1 / np.sqrt(2))    # 2 sigma^2 = 1
    e1, e2 = np.exp(-1.0), np.exp(-2.0)
    np.testing.assert_allclose(Phi, [[1.0, e2], [e1, e1], [e1, e1], [e2, 1.0]], rtol=1e-12)
    y_signed = np.where(y == 1, 1, -1)
    assert not Perceptron(max_epochs=100).fit(X, y_signed).converged
    rbf = Perceptron(max_epochs=100).fit(Phi, y_signed)
    assert rbf.converged and np.all(np.sign(Phi @ rbf.w + rbf.b) == y_signed)
    theta, *_ = np.linalg.lstsq(np.column_stack([Phi, np.ones(4)]), y_signed, rcond=None)
    w = -2 / (1 + e2 - 2 * e1)                                               # the lesson's hand solution
    np.testing.assert_allclose(theta, [w, w, 1 - 2 * w * e1], rtol=1e-10)
    np.testing.assert_allclose(round(w, 4), -5.0053)


def test_kmeans_steps_by_hand_match_nnlib_and_never_increase_J():
    X = make_problem(XOR, 200, rng=0)[0]
    mu = X[np.random.default_rng(3).choice(len(X), size=4, replace=False)]
    objective = []
    for _ in range(6):
        D2 = np.sum((X[:, None, :] - mu[None, :, :]) ** 2, axis=2)
        c = D2.argmin(axis=1)
        objective.append(D2[np.arange(len(X)), c].sum())
        mu_new = np.array([X[c == j].mean(axis=0) for j in range(4)])
        nnlib_mu, nnlib_c = kmeans_step(X, mu)
        np.testing.assert_array_equal(nnlib_c, c)
        np.testing.assert_allclose(nnlib_mu, mu_new, rtol=1e-12)
        mu = mu_new
    assert np.all(np.diff(objective) <= 1e-12)
    assert objective[0] == pytest.approx(22.8321, abs=1e-4)                  # the lesson's step 0
    corners = np.array(sorted(map(tuple, np.round(mu))))
    np.testing.assert_array_equal(corners, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_output_layer_by_gradient_descent_is_rbfnetworks_fit():
    """The explorer's fit_output_layer (the lesson's softmax loop) is what RBFNetwork.fit does."""
    fit_output_layer = notebook_function("12_rbf_networks.ipynb", "fit_output_layer")
    X_train, _, y_train, _ = make_problem(XOR, 200, rng=0)
    net = RBFNetwork(n_centers=4, sigma=0.5, lr=2.0, epochs=300, rng=0).fit(X_train, y_train)
    Phi = gaussian_features(X_train, net.centers, 0.5)
    W, b = fit_output_layer(Phi, y_train)
    np.testing.assert_allclose(W, net.output.W, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, net.output.b, rtol=1e-10, atol=1e-12)
    assert net.history[0] == pytest.approx(np.log(2))


def test_make_problem_is_balanced_and_seeded():
    a = make_problem(CIRCLES, 100, rng=1)
    b = make_problem(CIRCLES, 100, rng=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X_train, X_test, y_train, y_test = a
    assert X_train.shape == (50, 2) and X_test.shape == (50, 2)
    assert y_train.sum() == 25 and y_test.sum() == 25
    with pytest.raises(TypeError, match="make_problem: problem must be a Problem such as XOR or CIRCLES, "
                                        "got 'spirals'"):
        make_problem("spirals")


def test_a_problem_is_any_data_maker_with_limits():
    line = Problem("line", lambda n, rng: (np.c_[np.linspace(-1, 1, n), np.zeros(n)], np.arange(n) % 2),
                   (-1, 1), (-1, 1))
    assert make_problem(line, 10)[0].shape == (5, 2)


def test_rbf_network_solves_xor_a_perceptron_cannot():
    out = rbf_decision_region(XOR, n_centers=4, sigma=0.5, resolution=30)
    assert out["test_accuracy"] >= 0.95
    assert out["proba"].shape == (30, 30)
    assert out["proba"].min() < 0.5 < out["proba"].max()
    # the corners (0,0) and (1,1) are class 0, (0,1) and (1,0) class 1
    np.testing.assert_array_equal(out["net"].predict(XOR_X), XOR_Y)


def test_one_centred_prototype_is_enough_for_circles():
    out = rbf_decision_region(CIRCLES, n_centers=1, sigma=0.5, resolution=10)
    np.testing.assert_allclose(out["centers"], [[0.0, 0.0]], atol=0.1)
    assert out["test_accuracy"] >= 0.95


def test_sigma_neither_too_small_nor_too_large():
    out = accuracy_sweep(CIRCLES, sigmas=[0.03, 0.7, 5.0], n_centers=8)
    small, good, large = out["test_accuracy"]
    assert out["swept"] == "sigma"
    assert good >= 0.95
    assert small < good - 0.2 and large < good - 0.2


def test_xor_needs_four_prototypes():
    out = accuracy_sweep(XOR, sigmas=0.3, n_centers=[2, 4])
    assert out["swept"] == "n_centers"
    two, four = out["test_accuracy"]
    assert two < 0.7, "two prototypes cannot tell XOR's diagonal corners apart"
    assert four >= 0.95


def test_accuracy_sweep_needs_exactly_one_list():
    with pytest.raises(ValueError, match="exactly one of sigmas and n_centers"):
        accuracy_sweep(XOR, sigmas=[0.1, 0.2], n_centers=[2, 4])
    with pytest.raises(ValueError, match="exactly one of sigmas and n_centers"):
        accuracy_sweep(XOR, sigmas=0.1, n_centers=2)
    with pytest.raises(TypeError, match="accuracy_sweep: problem must be a Problem"):
        accuracy_sweep("xor", sigmas=0.1, n_centers=[2])
