"""Headless tests of lesson 12's callbacks (RBF networks, k-means prototypes, sigma)."""

import numpy as np
import pytest

from nncourse.lessons import l12_rbf_networks as l12
from nnlib.rbf import kmeans_step

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_gaussian_profile_hand_values():
    out = l12.gaussian_unit_profile(0.5, r_max=1.5, n_points=4)
    # r = 0, 0.5, 1, 1.5 = 0, sigma, 2 sigma, 3 sigma -> exp(0), exp(-1/2), exp(-2), exp(-9/2)
    np.testing.assert_allclose(out["r"], [0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(out["phi"], np.exp([0.0, -0.5, -2.0, -4.5]), rtol=1e-12)
    np.testing.assert_allclose(out["phi_at_sigma"], 0.6065306597, rtol=1e-9)


def test_gaussian_profile_is_wider_for_larger_sigma():
    narrow = l12.gaussian_unit_profile(0.3)["phi"]
    wide = l12.gaussian_unit_profile(1.0)["phi"]
    assert np.all(wide[1:] > narrow[1:])
    assert np.all(np.diff(wide) < 0)  # strictly decreasing in the distance


@pytest.mark.parametrize("sigma, match", [(0.0, "sigma must be a finite number > 0"),
                                          (-1.0, "sigma must be a finite number > 0")])
def test_gaussian_profile_rejects_bad_sigma(sigma, match):
    with pytest.raises(ValueError, match=match):
        l12.gaussian_unit_profile(sigma)


def test_gaussian_profile_rejects_non_number():
    with pytest.raises(TypeError, match="gaussian_unit_profile: sigma must be a number, got str"):
        l12.gaussian_unit_profile("wide")


def test_xor_features_by_hand_and_perceptron_solves_them():
    # prototypes (0,0), (1,1), 2 sigma^2 = 1: squared distances 0, 1, 2 -> 1, e^-1, e^-2
    out = l12.perceptron_raw_vs_rbf(XOR_X, XOR_Y, l12.XOR_PROTOTYPES, l12.XOR_SIGMA)
    e1, e2 = np.exp(-1.0), np.exp(-2.0)
    np.testing.assert_allclose(out["Phi"], [[1.0, e2], [e1, e1], [e1, e1], [e2, 1.0]], rtol=1e-12)
    assert not out["raw"].converged and out["raw_accuracy"] < 1.0
    assert out["rbf"].converged and out["rbf_accuracy"] == 1.0
    # the separating line in feature space: class 1 (the middle points) on the positive side
    z = out["Phi"] @ out["rbf"].w + out["rbf"].b
    assert np.all((z >= 0) == (XOR_Y == 1))


def test_perceptron_raw_vs_rbf_checks_label_shape():
    with pytest.raises(ValueError, match=r"perceptron_raw_vs_rbf: y must have shape \(4,\), got \(3,\)"):
        l12.perceptron_raw_vs_rbf(XOR_X, [0, 1, 1], l12.XOR_PROTOTYPES, 1.0)


def test_kmeans_trajectory_replays_kmeans_step_and_never_increases_J():
    X, _, _, _ = l12.make_problem("xor", 200, rng=0)
    out = l12.kmeans_trajectory(X, 4, n_steps=10, rng=3)
    assert out["centers"].shape == (11, 4, 2)
    assert out["labels"].shape == (11, 100)
    for t in range(10):
        new_centers, labels = kmeans_step(X, out["centers"][t])
        np.testing.assert_array_equal(out["centers"][t + 1], new_centers)
        np.testing.assert_array_equal(out["labels"][t], labels)
        J = np.sum((X - out["centers"][t][labels]) ** 2)
        np.testing.assert_allclose(out["inertia"][t], J, rtol=1e-12)
    assert np.all(np.diff(out["inertia"]) <= 1e-12)
    assert out["converged_at"] is not None
    # after convergence the four centres sit near the four XOR corners
    corners = np.array(sorted(map(tuple, np.round(out["centers"][-1]))))
    np.testing.assert_array_equal(corners, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_kmeans_trajectory_by_hand():
    X = np.array([[0.0], [1.0], [9.0], [10.0]])
    out = l12.kmeans_trajectory(X, 2, n_steps=3, rng=0)
    final = np.sort(out["centers"][-1].ravel())
    np.testing.assert_allclose(final, [0.5, 9.5])
    np.testing.assert_allclose(out["inertia"][-1], 4 * 0.25)


def test_kmeans_trajectory_rejects_too_many_centres():
    with pytest.raises(ValueError, match="kmeans_trajectory: k must be <= the number of points 4, got 5"):
        l12.kmeans_trajectory(XOR_X, 5)


def test_make_problem_is_balanced_and_seeded():
    a = l12.make_problem("circles", 100, rng=1)
    b = l12.make_problem("circles", 100, rng=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X_train, X_test, y_train, y_test = a
    assert X_train.shape == (50, 2) and X_test.shape == (50, 2)
    assert y_train.sum() == 25 and y_test.sum() == 25
    with pytest.raises(ValueError, match="make_problem: problem must be one of"):
        l12.make_problem("spirals")


def test_rbf_network_solves_xor_a_perceptron_cannot():
    out = l12.rbf_decision_region("xor", n_centers=4, sigma=0.5, resolution=30)
    assert out["test_accuracy"] >= 0.95
    assert out["proba"].shape == (30, 30)
    assert set(np.unique(out["region"])) == {0, 1}
    # the corners (0,0) and (1,1) are class 0, (0,1) and (1,0) class 1
    np.testing.assert_array_equal(out["net"].predict(XOR_X), XOR_Y)


def test_one_centred_prototype_is_enough_for_circles():
    out = l12.rbf_decision_region("circles", n_centers=1, sigma=0.5, resolution=10)
    np.testing.assert_allclose(out["centers"], [[0.0, 0.0]], atol=0.1)
    assert out["test_accuracy"] >= 0.95


def test_sigma_neither_too_small_nor_too_large():
    out = l12.accuracy_sweep("circles", sigmas=[0.03, 0.7, 5.0], n_centers=8)
    small, good, large = out["test_accuracy"]
    assert out["swept"] == "sigma"
    assert good >= 0.95
    assert small < good - 0.2 and large < good - 0.2


def test_xor_needs_four_prototypes():
    out = l12.accuracy_sweep("xor", sigmas=0.3, n_centers=[2, 4])
    assert out["swept"] == "n_centers"
    two, four = out["test_accuracy"]
    assert two < 0.7, "two prototypes cannot tell XOR's diagonal corners apart"
    assert four >= 0.95


def test_accuracy_sweep_needs_exactly_one_list():
    with pytest.raises(ValueError, match="exactly one of sigmas and n_centers"):
        l12.accuracy_sweep("xor", sigmas=[0.1, 0.2], n_centers=[2, 4])
    with pytest.raises(ValueError, match="exactly one of sigmas and n_centers"):
        l12.accuracy_sweep("xor", sigmas=0.1, n_centers=2)
