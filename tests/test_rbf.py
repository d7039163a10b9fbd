"""k-means, Gaussian RBF features and RBF networks."""

import numpy as np
import pytest

from nnlib.datasets import make_blobs, make_circles, make_xor
from nnlib.gradcheck import numerical_gradient
from nnlib.losses import CrossEntropyLoss
from nnlib.perceptron import Perceptron
from nnlib.rbf import (
    RBFNetwork,
    gaussian_features,
    kmeans,
    kmeans_inertia,
    kmeans_step,
    squared_distances,
)

# --- Gaussian features ---------------------------------------------------------

def test_gaussian_feature_by_hand():
    # x = (1, 1), z = (0, 0), sigma = 2: ||x - z||^2 = 2, 2 sigma^2 = 8 -> exp(-1/4)
    phi = gaussian_features([[1.0, 1.0]], [[0.0, 0.0]], sigma=2.0)
    assert phi.shape == (1, 1)
    assert phi[0, 0] == pytest.approx(0.7788007830714049, rel=1e-12)
    # x = (3, 0), z = (0, 4): distance 5, sigma = 1 -> exp(-12.5)
    assert gaussian_features([[3.0, 0.0]], [[0.0, 4.0]], 1.0)[0, 0] == pytest.approx(np.exp(-12.5))


def test_gaussian_features_shape_and_range():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    Z = rng.normal(size=(4, 3))
    Phi = gaussian_features(X, Z, sigma=0.8)
    assert Phi.shape == (7, 4)
    assert np.all((Phi > 0) & (Phi <= 1))
    # 1 exactly at a prototype, exp(-1/2) at distance sigma
    assert gaussian_features(Z[:1], Z, 0.8)[0, 0] == 1.0
    at_sigma = Z[:1] + np.array([[0.8, 0.0, 0.0]])
    assert gaussian_features(at_sigma, Z[:1], 0.8)[0, 0] == pytest.approx(np.exp(-0.5))
    # loop reference
    for n in range(7):
        for j in range(4):
            expected = np.exp(-np.sum((X[n] - Z[j]) ** 2) / (2 * 0.8**2))
            assert Phi[n, j] == pytest.approx(expected, rel=1e-12)


def test_squared_distances_matches_loops():
    rng = np.random.default_rng(1)
    X, Z = rng.normal(size=(5, 2)), rng.normal(size=(3, 2))
    D2 = squared_distances(X, Z)
    expected = [[np.sum((x - z) ** 2) for z in Z] for x in X]
    np.testing.assert_allclose(D2, expected, rtol=1e-12, atol=1e-12)


def test_feature_errors():
    with pytest.raises(ValueError, match="gaussian_features: sigma must be a finite number > 0, got 0"):
        gaussian_features([[0.0]], [[0.0]], 0)
    with pytest.raises(TypeError, match="gaussian_features: sigma must be a number, got str"):
        gaussian_features([[0.0]], [[0.0]], "1")
    with pytest.raises(ValueError, match=r"gaussian_features: centers must have shape \(K, 2\), got \(1, 3\)"):
        gaussian_features([[0.0, 0.0]], [[0.0, 0.0, 0.0]], 1.0)


# --- k-means -------------------------------------------------------------------

TRUE_CENTERS = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])


def blobs(rng=0):
    return make_blobs(150, centers=TRUE_CENTERS, cluster_std=0.5, rng=rng)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_recovers_well_separated_blobs(init):
    X, y = blobs()
    centers, labels = kmeans(X, 3, rng=0, init=init)
    # match each found centre to the nearest true one
    match = np.argmin(squared_distances(centers, TRUE_CENTERS), axis=1)
    assert sorted(match.tolist()) == [0, 1, 2]
    np.testing.assert_allclose(centers, TRUE_CENTERS[match], atol=0.25, rtol=0)
    # every cluster is exactly one blob
    assert np.array_equal(match[labels], y)
    # centres are the means of their points
    for j in range(3):
        np.testing.assert_allclose(centers[j], X[labels == j].mean(axis=0), rtol=1e-12, atol=1e-12)


def test_kmeans_is_deterministic_per_seed():
    X, _ = make_blobs(120, centers=5, cluster_std=2.0, rng=3)
    c1, l1 = kmeans(X, 5, rng=7, n_init=3)
    c2, l2 = kmeans(X, 5, rng=7, n_init=3)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(l1, l2)
    results = {tuple(np.round(kmeans(X, 5, rng=s, n_init=1, init="random")[0].ravel(), 8))
               for s in range(6)}
    assert len(results) > 1  # different seeds do start differently


def test_kmeans_step_never_increases_the_objective():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    centers = X[rng.choice(60, 4, replace=False)]
    J_prev = np.inf
    for _ in range(15):
        new_centers, labels = kmeans_step(X, centers)
        J_assign = kmeans_inertia(X, centers, labels)
        J_update = kmeans_inertia(X, new_centers, labels)
        assert J_update <= J_assign + 1e-12 <= J_prev + 1e-12
        J_prev = J_update
        centers = new_centers


def test_more_restarts_are_never_worse():
    X, _ = make_blobs(100, centers=6, cluster_std=1.5, rng=4)
    def J(n_init):
        centers, labels = kmeans(X, 6, rng=0, n_init=n_init, init="random")
        return kmeans_inertia(X, centers, labels)
    # the first restart of both runs is the same, the longer run keeps the best
    assert J(8) <= J(1)


def test_kmeans_edge_cases():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]])
    centers, labels = kmeans(X, 1, rng=0)
    np.testing.assert_allclose(centers, [X.mean(axis=0)])
    assert labels.tolist() == [0, 0, 0]
    centers, labels = kmeans(X, 3, rng=0)
    assert sorted(map(tuple, centers)) == sorted(map(tuple, X))
    assert sorted(labels.tolist()) == [0, 1, 2]


def test_kmeans_with_duplicate_points_does_not_crash():
    # 5 points but only 2 distinct values: some clusters must stay duplicates/empty
    X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    centers, labels = kmeans(X, 4, rng=0, max_iter=20)
    assert centers.shape == (4, 1)
    assert np.all(np.isfinite(centers))
    assert kmeans_inertia(X, centers, labels) == 0.0


def test_kmeans_step_reseeds_empty_clusters():
    X = np.array([[0.0], [1.0], [9.0], [10.0]])
    new_centers, labels = kmeans_step(X, np.array([[0.0], [1.0], [100.0]]))
    assert labels.tolist() == [0, 1, 1, 1]
    assert new_centers[2, 0] == 10.0  # farthest point from its own centre (old centre 1)


def test_kmeans_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="kmeans: k must be <= the number of points 3, got 4"):
        kmeans(X, 4)
    with pytest.raises(ValueError, match="kmeans: k must be >= 1, got 0"):
        kmeans(X, 0)
    with pytest.raises(ValueError, match="kmeans: n_init must be >= 1, got 0"):
        kmeans(X, 2, n_init=0)
    with pytest.raises(ValueError, match="kmeans: init must be 'k-means\\+\\+' or 'random', got 'kmeans'"):
        kmeans(X, 2, init="kmeans")
    with pytest.raises(ValueError, match=r"kmeans: X must have shape \(N, D\), got \(3,\)"):
        kmeans([1.0, 2.0, 3.0], 2)


# --- RBF networks ---------------------------------------------------------------

def accuracy(model, X, y):
    return float(np.mean(model.predict(X) == y))


def test_rbf_network_solves_xor_where_the_perceptron_cannot():
    X, y = make_xor(120, noise=0.1, rng=0)
    net = RBFNetwork(n_centers=8, sigma=0.4, rng=0).fit(X, y)
    assert accuracy(net, X, y) == 1.0
    perceptron = Perceptron(max_epochs=100).fit(X, 2 * y - 1)
    assert not perceptron.converged
    assert accuracy(perceptron, X, 2 * y - 1) < 0.8


def test_rbf_network_solves_circles_where_the_perceptron_cannot():
    X, y = make_circles(160, noise=0.05, factor=0.5, rng=1)
    X_test, y_test = make_circles(100, noise=0.05, factor=0.5, rng=2)
    net = RBFNetwork(n_centers=12, sigma=0.5, rng=0).fit(X, y)
    assert accuracy(net, X, y) >= 0.95
    assert accuracy(net, X_test, y_test) >= 0.95
    perceptron = Perceptron(max_epochs=100).fit(X, 2 * y - 1)
    assert not perceptron.converged
    assert accuracy(perceptron, X, 2 * y - 1) < 0.8


def test_prototypes_are_kmeans_centres():
    X, y = make_xor(80, noise=0.1, rng=3)
    net = RBFNetwork(n_centers=4, sigma=0.5, epochs=5, rng=5).fit(X, y)
    centers, _ = kmeans(X, 4, rng=5)
    np.testing.assert_array_equal(net.centers, centers)
    np.testing.assert_allclose(net.features(X), gaussian_features(X, centers, 0.5))


def test_predict_proba_and_labels():
    X, y = make_blobs(90, centers=TRUE_CENTERS, cluster_std=0.6, rng=0)
    names = np.array(["cat", "dog", "rabbit"])[y]
    net = RBFNetwork(n_centers=6, sigma=1.5, rng=0).fit(X, names)
    P = net.predict_proba(X)
    assert P.shape == (90, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert net.classes.tolist() == ["cat", "dog", "rabbit"]
    assert np.array_equal(net.classes[np.argmax(P, axis=1)], net.predict(X))
    assert accuracy(net, X, names) == 1.0


def test_same_seed_same_network():
    X, y = make_xor(60, noise=0.1, rng=0)
    a = RBFNetwork(n_centers=5, sigma=0.5, epochs=50, rng=9).fit(X, y)
    b = RBFNetwork(n_centers=5, sigma=0.5, epochs=50, rng=9).fit(X, y)
    np.testing.assert_array_equal(a.output.W, b.output.W)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_loss_decreases_monotonically_with_a_safe_step():
    X, y = make_circles(80, noise=0.05, factor=0.5, rng=0)
    net = RBFNetwork(n_centers=6, sigma=0.5, epochs=1, rng=0).fit(X, y)
    Phi1 = np.hstack([net.features(X), np.ones((80, 1))])  # (N, J+1)
    # the mean cross-entropy is L-smooth in (W, b) with L <= lambda_max(Phi1^T Phi1) / N
    L = np.linalg.eigvalsh(Phi1.T @ Phi1 / 80).max()
    net = RBFNetwork(n_centers=6, sigma=0.5, lr=1.0 / L, epochs=200, rng=0).fit(X, y)
    history = np.array(net.history)
    assert history[0] == pytest.approx(np.log(2))  # zero weights: uniform probabilities
    assert np.all(np.diff(history) <= 1e-12)
    assert history[-1] < 0.5 * history[0]


def test_output_layer_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    X, y = make_blobs(40, centers=3, rng=1)
    net = RBFNetwork(n_centers=5, sigma=2.0, epochs=3, rng=0).fit(X, y)
    net.output.W[...] = rng.normal(size=net.output.W.shape)  # off the training path
    net.output.b[...] = rng.normal(size=3)
    Phi = net.features(X)
    loss = CrossEntropyLoss()

    def f(_):
        return loss(net.output(Phi), y)

    net.output.zero_grad()
    f(None)
    net.output.backward(loss.backward())
    dW, db = net.output.dW.copy(), net.output.db.copy()
    np.testing.assert_allclose(dW, numerical_gradient(f, net.output.W), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(db, numerical_gradient(f, net.output.b), rtol=1e-5, atol=1e-8)


def test_regression_fits_a_sine():
    x = np.linspace(-3, 3, 60)[:, None]
    y = np.sin(x[:, 0])
    net = RBFNetwork(n_centers=12, sigma=0.6, task="regression", rng=0).fit(x, y)
    pred = net.predict(x)
    assert pred.shape == (60,)
    assert np.sqrt(np.mean((pred - y) ** 2)) < 0.02
    # least squares: the residual is orthogonal to every feature and to the bias
    Phi1 = np.hstack([net.features(x), np.ones((60, 1))])
    np.testing.assert_allclose(Phi1.T @ (y - pred), 0.0, atol=1e-8)


def test_regression_interpolates_with_one_centre_per_point_and_keeps_2d_targets():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(10, 2))
    Y = rng.normal(size=(10, 2))
    net = RBFNetwork(n_centers=10, sigma=0.5, task="regression", rng=0).fit(X, Y)
    pred = net.predict(X)
    assert pred.shape == (10, 2)
    np.testing.assert_allclose(pred, Y, rtol=0, atol=1e-6)


def test_rbf_errors():
    X, y = make_xor()
    with pytest.raises(ValueError, match="RBFNetwork: sigma must be a finite number > 0, got -1"):
        RBFNetwork(sigma=-1)
    with pytest.raises(ValueError, match="RBFNetwork: n_centers must be >= 1, got 0"):
        RBFNetwork(n_centers=0)
    with pytest.raises(ValueError, match="RBFNetwork: task must be 'classification' or 'regression', got 'clustering'"):
        RBFNetwork(task="clustering")
    with pytest.raises(ValueError, match="RBFNetwork: lr must be a finite number > 0, got 0"):
        RBFNetwork(lr=0)
    with pytest.raises(ValueError, match="RBFNetwork: epochs must be >= 1, got 0"):
        RBFNetwork(epochs=0)
    with pytest.raises(ValueError, match="RBFNetwork.fit: n_centers must be <= the number of samples 4, got 5"):
        RBFNetwork(n_centers=5).fit(X, y)
    with pytest.raises(ValueError, match=r"RBFNetwork.fit: y must have shape \(4,\), got \(3,\)"):
        RBFNetwork(n_centers=2).fit(X, y[:3])
    with pytest.raises(ValueError, match=r"RBFNetwork.fit: y must have shape \(4,\) or \(4, outputs\), got \(5,\)"):
        RBFNetwork(n_centers=2, task="regression").fit(X, np.zeros(5))
    with pytest.raises(ValueError, match="RBFNetwork.fit: classification needs at least 2 classes"):
        RBFNetwork(n_centers=2).fit(X, [1, 1, 1, 1])
    with pytest.raises(RuntimeError, match=r"RBFNetwork.predict: call fit\(X, y\) before predict"):
        RBFNetwork().predict(X)
    with pytest.raises(RuntimeError, match=r"RBFNetwork.predict_proba: call fit\(X, y\) before predict_proba"):
        RBFNetwork().predict_proba(X)
    reg = RBFNetwork(n_centers=2, task="regression").fit(X, [0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="RBFNetwork.predict_proba: only defined for task='classification'"):
        reg.predict_proba(X)
    net = RBFNetwork(n_centers=2, epochs=2).fit(X, y)
    with pytest.raises(ValueError, match=r"RBFNetwork.predict: X must have shape \(N, 2\), got \(4, 3\)"):
        net.predict(np.zeros((4, 3)))
    with pytest.raises(RuntimeError, match=r"RBFNetwork.features: call fit\(X, y\) before features"):
        RBFNetwork().features(X)
