"""Lesson 03: the data sets, the loss-surface figure, nnlib's single-neuron gradients, the notebook's loops."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from notebook_functions import notebook_function

from nncourse.lessons.l03_single_neuron import loss_surface, make_line_data, make_two_class_data, plot_paths
from nnlib.activations import Sigmoid
from nnlib.layers import Linear
from nnlib.losses import BCELoss, MSELoss
from nnlib.module import Sequential

NOTEBOOK = "03_single_neuron.ipynb"


def neuron(w, b, logistic=False):
    layer = Linear(len(w), 1)
    layer.W[...] = [w]
    layer.b[...] = [b]
    return (Sequential(layer, Sigmoid()) if logistic else Sequential(layer)), layer


# --- data and figure -----------------------------------------------------------------------


def test_line_data_is_centred_with_the_requested_spread():
    x, y = make_line_data(n=40, x_std=2.0, rng=0)
    assert x.shape == (40,) and y.shape == (40,)
    assert x.mean() == pytest.approx(0.0, abs=1e-12) and x.std() == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_array_equal(make_line_data(rng=0)[1], make_line_data(rng=0)[1])
    assert not np.allclose(make_line_data(rng=0)[1], make_line_data(rng=1)[1])


def test_two_class_data_labels():
    x, y = make_two_class_data(n=7, rng=0)
    assert x.shape == (7,) and y.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]


def test_data_errors():
    with pytest.raises(ValueError, match="make_line_data: n must be >= 1, got 0"):
        make_line_data(n=0)
    with pytest.raises(ValueError, match="make_line_data: x_std must be a finite number > 0"):
        make_line_data(x_std=0.0)
    with pytest.raises(TypeError, match="make_two_class_data: n must be an int"):
        make_two_class_data(n=4.0)


def test_loss_surface_is_the_mse_and_its_minimum_is_least_squares():
    x, y = make_line_data(rng=0)
    w, b, L = loss_surface(x, y, num=81, w_range=(0.0, 4.0), b_range=(-3.0, 1.0))
    assert L.shape == (81, 81)
    assert L[10, 20] == pytest.approx(np.mean((w[20] * x + b[10] - y) ** 2), rel=1e-12)
    i, j = np.unravel_index(np.argmin(L), L.shape)
    w_star, b_star = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
    assert abs(w[j] - w_star) <= 0.05 and abs(b[i] - b_star) <= 0.05
    with pytest.raises(ValueError, match=r"loss_surface: y must have shape \(40,\)"):
        loss_surface(x, y[:-1])


def test_plot_paths_draws_the_first_path_on_top():
    x, y = make_line_data(rng=0)
    w, b, L = loss_surface(x, y, num=11)
    paths = {"batch": np.array([[-1.0, 2.0], [0.0, 1.0]]), "stochastic": np.array([[-1.0, 2.0], [0.5, 0.5]])}
    ax = Figure().subplots()
    lines = plot_paths(ax, w, b, L, paths)
    assert [line.get_label() for line in lines] == ["batch", "stochastic"]
    drawn = [line for line in ax.get_lines() if line.get_label() in paths]
    assert drawn.index(lines[0]) > drawn.index(lines[1])  # drawn later, so on top
    assert lines[0].get_marker() != lines[1].get_marker()  # told apart without colour
    with pytest.raises(ValueError, match="plot_paths: paths must hold 1 to 3 paths, got 0"):
        plot_paths(ax, w, b, L, {})


# --- nnlib computes the lecture's single-neuron gradients -------------------------------------


def test_linear_unit_worked_example_in_nnlib():
    # x = (1, 2, 3), y = (2, 4, 7), w = 0.5, b = 0: errors (-1.5, -3, -5.5)
    # dL/dw = 2/3 (-1.5 - 6 - 16.5) = -16, dL/db = 2/3 (-10) = -20/3
    net, layer = neuron([0.5], 0.0)
    mse = MSELoss()
    loss = mse(net(np.array([[1.0], [2.0], [3.0]])), np.array([[2.0], [4.0], [7.0]]))
    net.backward(mse.backward())
    assert loss == pytest.approx((1.5**2 + 3**2 + 5.5**2) / 3, rel=1e-12)
    np.testing.assert_allclose(layer.dW, [[-16.0]], rtol=1e-12)
    np.testing.assert_allclose(layer.db, [-20.0 / 3.0], rtol=1e-12)


@pytest.mark.parametrize("logistic", [False, True], ids=["linear-mse", "logistic-bce"])
def test_backward_is_error_times_input(logistic):
    """MSE: 2/n sum (a - y) x; BCE after a sigmoid: 1/n sum (a - y) x (sigma' cancels)."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 3))
    y = (rng.random((6, 1)) > 0.5).astype(float)
    net, layer = neuron([0.3, -0.7, 0.2], 0.1, logistic)
    loss = BCELoss() if logistic else MSELoss()
    a = net(X)
    loss(a, y)
    net.backward(loss.backward())
    factor = 1.0 if logistic else 2.0
    np.testing.assert_allclose(layer.dW, factor * (a - y).T @ X / 6, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, factor * np.mean(a - y, axis=0), rtol=1e-10, atol=1e-12)


# --- the notebook's gradient-descent loop and learning-rate regimes ---------------------------


@pytest.fixture(scope="module")
def gradient_descent():
    return notebook_function(NOTEBOOK, "gradient_descent")


@pytest.mark.parametrize("batch_size, per_epoch", [(40, 1), (8, 5), (16, 3), (1, 40)])
def test_gradient_descent_counts_updates(gradient_descent, batch_size, per_epoch):
    x, y = make_line_data(rng=0)
    path = gradient_descent(x, y, batch_size, eta=0.02, epochs=3)
    assert path.shape == (3 * per_epoch + 1, 2)
    np.testing.assert_array_equal(path[0], [-1.0, 2.0])


def test_batch_gradient_descent_step_is_the_lecture_update(gradient_descent):
    x, y = make_line_data(rng=0)
    path = gradient_descent(x, y, 40, eta=0.05, epochs=1, w=1.0, b=0.5)
    error = 1.0 * x + 0.5 - y
    np.testing.assert_allclose(path[1], [1.0 - 0.05 * 2 * np.mean(error * x), 0.5 - 0.05 * 2 * np.mean(error)],
                               rtol=1e-12)


def test_sgd_is_noisier_but_gets_further_per_epoch(gradient_descent):
    x, y = make_line_data(rng=0)
    mse = notebook_function(NOTEBOOK, "mse_along")
    batch = mse(gradient_descent(x, y, 40, eta=0.02, epochs=10), x, y)
    sgd = mse(gradient_descent(x, y, 1, eta=0.02, epochs=10), x, y)
    assert sgd[-1] < batch[-1]
    assert np.any(np.diff(sgd) > 0)       # single steps can go uphill
    assert np.all(np.diff(batch) < 0)     # batch steps never do here


def test_learning_rate_regimes_happen_as_predicted(gradient_descent):
    x, y = make_line_data(rng=0)
    X1 = np.column_stack([x, np.ones_like(x)])
    lam_max = np.linalg.eigvalsh(2 / 40 * X1.T @ X1)[-1]
    assert lam_max == pytest.approx(8.0)
    regime = notebook_function(NOTEBOOK, "regime", lam_max=lam_max)
    mse = notebook_function(NOTEBOOK, "mse_along")
    assert [regime(eta) for eta in (0.005, 0.1, 0.2, 0.3)] == ["too small", "good", "oscillating", "diverging"]
    small, good, osc, div = (mse(gradient_descent(x, y, 40, eta, 15), x, y) for eta in (0.005, 0.1, 0.2, 0.3))
    assert np.all(np.diff(small) < 0) and np.all(np.diff(good) < 0) and good[-1] < 0.2 * small[-1]
    w = gradient_descent(x, y, 40, 0.2, 15)[:, 0]
    w_star = np.linalg.lstsq(X1, y, rcond=None)[0][0]
    signs = np.sign(w[1:] - w_star)
    assert np.all(signs[1:] == -signs[:-1])          # oscillating: w jumps across its optimum
    assert osc[-1] < osc[0] and div[-1] > 100 * div[0]
