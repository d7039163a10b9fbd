"""Headless tests of lesson 03's callbacks (single neuron, gradient descent variants)."""

import numpy as np
import pytest

from nncourse.lessons import l03_single_neuron as l03


def test_line_data_is_centred_with_requested_spread():
    X, y = l03.make_line_data(n=40, x_std=2.0, rng=0)
    assert X.shape == (40, 1) and y.shape == (40, 1)
    np.testing.assert_allclose(X.mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(), 2.0, rtol=1e-12)
    # deterministic for a seed, different for another
    np.testing.assert_array_equal(l03.make_line_data(rng=0)[1], l03.make_line_data(rng=0)[1])
    assert not np.allclose(l03.make_line_data(rng=0)[1], l03.make_line_data(rng=1)[1])


def test_two_class_data_labels():
    X, y = l03.make_two_class_data(n=7, rng=0)
    assert X.shape == (7, 1)
    assert y.ravel().tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]


def test_linear_unit_gradient_by_hand():
    # x = (1, 2, 3), y = (2, 4, 7), w = 0.5, b = 0: errors (-1.5, -3, -5.5)
    # dL/dw = 2/3 (-1.5 - 6 - 16.5) = -16, dL/db = 2/3 (-10) = -20/3
    g = l03.neuron_gradients([[1.0], [2.0], [3.0]], [[2.0], [4.0], [7.0]], 0.5, 0.0, "linear")
    np.testing.assert_allclose(g["loss"], (1.5**2 + 3**2 + 5.5**2) / 3, rtol=1e-12)
    np.testing.assert_allclose(g["dW"], [[-16.0]], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g["db"], [-20.0 / 3.0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("unit", ["linear", "logistic"])
def test_backward_matches_lecture_formula_and_numeric_gradient(unit):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 2))
    y = (rng.random((6, 1)) > 0.5).astype(float)
    g = l03.neuron_gradients(X, y, [0.3, -0.7], 0.2, unit)
    np.testing.assert_allclose(g["dW"], g["dW_formula"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g["db"], g["db_formula"], rtol=1e-10, atol=1e-12)

    def loss_at(params):
        return l03.neuron_gradients(X, y, params[:2], params[2], unit)["loss"]

    p = np.array([0.3, -0.7, 0.2])
    eps = 1e-6
    numeric = np.array([(loss_at(p + eps * e) - loss_at(p - eps * e)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(np.concatenate([g["dW"].ravel(), g["db"]]), numeric, rtol=1e-6, atol=1e-8)


def test_logistic_gradient_is_mean_error_times_input():
    # the BCE and sigmoid derivatives cancel: dL/dw = mean((a - y) x)
    g = l03.neuron_gradients([[2.0]], [[1.0]], 0.0, 0.0, "logistic")
    np.testing.assert_allclose(g["dW"], [[(0.5 - 1.0) * 2.0]], rtol=1e-12)


def test_mse_hessian_and_regimes():
    X, _ = l03.make_line_data(x_std=2.0, rng=0)
    H = l03.mse_hessian(X)
    np.testing.assert_allclose(H, [[8.0, 0.0], [0.0, 2.0]], atol=1e-12)
    assert [l03.learning_rate_regime(lr, X) for lr in (0.01, 0.1, 0.2, 0.26)] == [
        "too small", "good", "oscillating", "diverging"]
    with pytest.raises(ValueError, match="lr must be positive"):
        l03.learning_rate_regime(0.0, X)


def test_learning_rate_demo_behaviour_matches_regime():
    small = l03.learning_rate_demo(0.005)
    good = l03.learning_rate_demo(0.1)
    osc = l03.learning_rate_demo(0.2)
    div = l03.learning_rate_demo(0.3)
    # monotone decrease for the two small rates; good ends far lower than too small
    assert np.all(np.diff(small["loss"]) < 0) and np.all(np.diff(good["loss"]) < 0)
    assert good["loss"][-1] < 0.2 * small["loss"][-1]
    # oscillating: w jumps to the other side of its optimum every step, yet the loss falls
    w = osc["params"][:, 0]
    w_star = np.linalg.lstsq(np.hstack([osc["X"], np.ones((40, 1))]), osc["y"], rcond=None)[0][0, 0]
    signs = np.sign(w[1:] - w_star)
    assert np.all(signs[1:] == -signs[:-1])
    assert osc["loss"][-1] < osc["loss"][0]
    # diverging: the loss grows
    assert div["loss"][-1] > 100 * div["loss"][0]
    assert [d["regime"] for d in (small, good, osc, div)] == ["too small", "good", "oscillating", "diverging"]


def test_divergence_stops_before_overflow():
    out = l03.learning_rate_demo(5.0, epochs=200)
    assert out["diverged"]
    assert np.all(np.isfinite(out["loss"]))
    assert out["loss"][-1] >= l03.DIVERGED_LOSS


def test_batch_sizes_count_updates():
    for batch_size, per_epoch, name in [(40, 1, "batch"), (1, 40, "stochastic"), (8, 5, "mini-batch"),
                                        (16, 3, "mini-batch")]:
        out = l03.batch_size_demo(batch_size, epochs=3)
        assert out["updates_per_epoch"] == per_epoch
        assert len(out["params"]) == 3 * per_epoch + 1
        assert out["name"] == name


def test_batch_gd_equals_closed_form_step():
    X, y = l03.make_line_data(rng=0)
    out = l03.train_single_neuron(X, y, lr=0.05, epochs=1, w0=1.0, b0=0.5)
    g = l03.neuron_gradients(X, y, 1.0, 0.5)
    np.testing.assert_allclose(out["params"][1], [1.0 - 0.05 * g["dW"][0, 0], 0.5 - 0.05 * g["db"][0]],
                               rtol=1e-12)


def test_sgd_is_noisier_but_all_variants_learn():
    batch = l03.batch_size_demo(40, lr=0.02, epochs=10)
    sgd = l03.batch_size_demo(1, lr=0.02, epochs=10)
    assert sgd["epoch_loss"][-1] < batch["epoch_loss"][-1]   # more updates per epoch
    assert np.any(np.diff(sgd["loss"]) > 0)                   # individual steps can go uphill
    assert np.all(np.diff(batch["loss"]) < 0)                 # batch GD never does here


def test_logistic_unit_training_separates_classes():
    X, y = l03.make_two_class_data(rng=0)
    out = l03.train_single_neuron(X, y, "logistic", lr=0.5, epochs=200)
    w, b = out["params"][-1]
    accuracy = np.mean(((w * X + b) >= 0) == (y == 1))
    assert accuracy > 0.85
    assert out["loss"][-1] < out["loss"][0]


def test_loss_surface_minimum_near_least_squares():
    X, y = l03.make_line_data(rng=0)
    w, b, L = l03.loss_surface(X, y, num=81, w_range=(0.0, 4.0), b_range=(-3.0, 1.0))
    i, j = np.unravel_index(np.argmin(L), L.shape)
    w_star, b_star = np.linalg.lstsq(np.hstack([X, np.ones((40, 1))]), y, rcond=None)[0][:, 0]
    assert abs(w[j] - w_star) <= 0.05 and abs(b[i] - b_star) <= 0.05


def test_errors():
    X, y = l03.make_line_data(n=10, rng=0)
    with pytest.raises(ValueError, match="unit must be one of"):
        l03.single_neuron("relu")
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples 10"):
        l03.train_single_neuron(X, y, batch_size=11)
    with pytest.raises(ValueError, match="lr must be positive"):
        l03.train_single_neuron(X, y, lr=-0.1)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        l03.train_single_neuron(X, y, epochs=0)
