"""Lesson 02: the data generator, the update figure, and the notebook's own criterion and experiment."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from notebook_functions import notebook_function

from nncourse import widgets
from nncourse.lessons.l02_perceptron import (
    B_STAR,
    W_STAR,
    MarginPicture,
    UpdatePicture,
    half_plane,
    line_in_box,
    make_margin_data,
)
from nnlib.datasets import load_digits, make_blobs, make_xor
from nnlib.perceptron import Perceptron, margin, sign
from nnlib.threshold import threshold_unit

NOTEBOOK = "02_perceptron.ipynb"


@pytest.fixture(scope="module")
def toy():
    """The 20 points the notebook trains on."""
    return make_margin_data(0.05, n_samples=20, rng=3)


# --- the data generator ------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.02, 0.1, 0.3])
def test_margin_data_has_exactly_the_requested_margin(gamma):
    X, y = make_margin_data(gamma, n_samples=30, rng=1)
    assert X.shape == (30, 2) and set(np.unique(y)) == {-1, 1}
    assert margin(W_STAR, B_STAR, X, y) == pytest.approx(gamma, rel=1e-12)
    # the closest point on each side sits on the margin
    d = (X @ W_STAR + B_STAR) / np.linalg.norm(np.append(W_STAR, B_STAR))
    for side in (-1, 1):
        assert np.min(side * d[y == side]) == pytest.approx(gamma, rel=1e-12)


def test_margin_data_changes_with_every_requested_margin():
    # the slider defect: gamma 0.10 and 0.11 used to give the same picture
    X10, _ = make_margin_data(0.10, rng=0)
    X11, _ = make_margin_data(0.11, rng=0)
    assert not np.allclose(X10, X11)


def test_margin_data_is_seeded():
    np.testing.assert_array_equal(make_margin_data(0.1, rng=4)[0], make_margin_data(0.1, rng=4)[0])
    assert not np.allclose(make_margin_data(0.1, rng=4)[0], make_margin_data(0.1, rng=5)[0])


def test_margin_data_errors():
    with pytest.raises(ValueError, match=r"make_margin_data: gamma must be in \(0.0, 0.5\), got 0.0"):
        make_margin_data(0.0)
    with pytest.raises(ValueError, match="make_margin_data: n_samples must be >= 1"):
        make_margin_data(0.1, n_samples=0)


# --- the pictures ------------------------------------------------------------------------


def test_line_in_box_clips_to_the_square():
    np.testing.assert_allclose(line_in_box([1.0, 1.0], 0.0, (-1.0, 1.0)), [[1.0, -1.0], [-1.0, 1.0]], atol=1e-12)
    assert line_in_box([0.0, 1.0], -1.5, (-1.0, 1.0)) is None  # x2 = 1.5 misses the square


@pytest.mark.parametrize("w, b", [([1.0, -2.0], 0.25), ([0.3, 0.0], -0.1), ([-1.0, 1.0], 3.0)])
def test_half_planes_split_the_square(w, b):
    lim = (-1.0, 1.0)
    plus, minus = half_plane(w, b, lim, 1), half_plane(w, b, lim, -1)

    def area(corners):
        if len(corners) < 3:
            return 0.0
        x, y = corners.T
        return 0.5 * abs(x @ np.roll(y, 1) - y @ np.roll(x, 1))

    assert area(plus) + area(minus) == pytest.approx(4.0)
    assert np.all(np.asarray(w) @ plus.T + b >= -1e-12) and np.all(np.asarray(w) @ minus.T + b <= 1e-12)


def test_update_picture_shows_w_perpendicular_to_the_boundary(toy):
    X, y = toy
    model = Perceptron().fit(X, y)
    ax = Figure().subplots()
    picture = UpdatePicture(ax, model, X, y)
    for k in range(1, model.n_updates + 1):
        picture.show(k)
        w = model.trace[k - 1].w_after
        assert ax.get_aspect() == 1.0  # equal aspect: right angles look right
        (x0, y0), (x1, y1) = picture.after.get_xydata()
        direction = np.subtract(picture.arrow.xy, picture.arrow.xyann)  # tip minus tail
        assert abs(direction @ [x1 - x0, y1 - y0]) < 1e-9  # w is perpendicular to the line
        assert direction @ w > 0  # and points along w
        assert np.all(np.abs(picture.arrow.xy) <= 1.15)  # the whole arrow inside the axes
        np.testing.assert_array_equal(picture.ring.get_offsets()[0], model.trace[k - 1].x)


def test_update_picture_legend_is_off_the_data(toy):
    X, y = toy
    fig = Figure()
    ax = fig.subplots()
    UpdatePicture(ax, Perceptron().fit(X, y), X, y)
    assert ax.get_legend() is None and len(fig.legends) == 1


def test_update_picture_start_and_errors(toy):
    X, y = toy
    model = Perceptron().fit(X, y)
    picture = UpdatePicture(Figure().subplots(), model, X, y)
    assert picture.show(0).startswith("start")
    assert np.all(np.abs(picture.arrow.xy) > 1.15)  # w = 0: the arrow's tip is outside, so it is not drawn
    with pytest.raises(ValueError, match=r"UpdatePicture: k must be an int in \[0, 14\], got 15"):
        picture.show(15)


def test_update_player_frames_redraw_only_the_changed_artists(toy):
    X, y = toy
    model = Perceptron().fit(X, y)
    fig, ax = widgets.subplots(figsize=(6.4, 4.4))
    picture = UpdatePicture(ax, model, X, y)
    player = widgets.live(fig, lambda k=1: picture.show(k), k=widgets.slider(1, 0, model.n_updates))
    for k in [2, 3, 0, 1, 14, 5]:
        player.set(k=k)
    assert player.renderer.full_draws == 1 and player.renderer.blits >= 6


def test_margin_picture_shows_requested_and_measured_margin():
    fig, axes = widgets.subplots(1, 2, figsize=(9.4, 4.6))
    picture = MarginPicture(axes)
    count_updates = notebook_function(NOTEBOOK, "count_updates")
    titles = []
    for gamma in (0.10, 0.11):
        run = count_updates(gamma)
        picture.show(run)
        titles.append(axes[0].get_title())
        norm_u = np.linalg.norm(np.append(W_STAR, B_STAR))
        for line in picture.band:  # the band lines are at distance gamma from u*
            d = (line.get_xydata() @ W_STAR + B_STAR) / norm_u
            np.testing.assert_allclose(np.abs(d), gamma, rtol=1e-9)
    assert titles == ["requested γ = 0.10, margin of u* = 0.100", "requested γ = 0.11, margin of u* = 0.110"]


# --- the notebook's code -----------------------------------------------------------------


def test_notebook_criterion_is_zero_at_a_separator_and_never_negative(toy):
    J_P = notebook_function(NOTEBOOK, "J_P")
    X, y = toy
    model = Perceptron().fit(X, y)
    assert J_P(model.w, model.b, X, y) == 0
    rng = np.random.default_rng(0)
    assert all(J_P(rng.normal(size=2), rng.normal(), X, y) >= 0 for _ in range(50))


def test_notebook_criterion_by_hand():
    J_P = notebook_function(NOTEBOOK, "J_P")
    X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
    assert J_P(np.array([1.0, -1.0]), 0.5, X, np.array([1, 1, -1])) == pytest.approx(1.0)


def test_notebook_criterion_gradient_is_minus_the_sum_of_y_x_over_mistakes(toy):
    J_P = notebook_function(NOTEBOOK, "J_P")
    X, y = toy
    rng = np.random.default_rng(1)
    for _ in range(5):
        w, b = rng.normal(size=2), rng.normal()
        wrong = sign(X @ w + b) != y
        formula = np.append(-(y[wrong] @ X[wrong]), -np.sum(y[wrong]))  # (3,)
        eps = 1e-7
        numeric = [(J_P(w + eps * e[:2], b + eps * e[2], X, y) - J_P(w - eps * e[:2], b - eps * e[2], X, y))
                   / (2 * eps) for e in np.eye(3)]
        np.testing.assert_allclose(numeric, formula, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.02, 0.1, 0.3])
def test_notebook_experiment_stays_under_novikoffs_bound(gamma):
    count_updates = notebook_function(NOTEBOOK, "count_updates")
    run = count_updates(gamma, n_samples=40, n_orders=6, seed=2)
    assert run["updates"].shape == (6,)
    assert run["gamma"] == pytest.approx(gamma, rel=1e-12)
    assert run["bound"] == pytest.approx((run["R"] / run["gamma"]) ** 2)
    assert np.all(run["updates"] <= run["bound"])
    assert run["model"].converged


def test_notebook_experiment_smaller_margin_takes_more_updates():
    count_updates = notebook_function(NOTEBOOK, "count_updates")
    small = np.concatenate([count_updates(0.02, seed=s)["updates"] for s in range(3)])
    large = np.concatenate([count_updates(0.3, seed=s)["updates"] for s in range(3)])
    assert small.mean() > 2 * large.mean()


# --- the library behaviour the lesson relies on ---------------------------------------------


def test_perceptron_on_xor_cycles_from_the_third_epoch():
    X, y = make_xor(signed=True)
    model = Perceptron(max_epochs=12).fit(X, y)
    assert not model.converged and model.history[:3] == [3, 3, 4]
    ends = {}
    for step in model.trace:
        ends[step.epoch] = (*step.w_after, step.b_after)  # the state after each epoch's last update
    assert ends[1] == ends[2] == ends[11] == (-1.0, 0.0, 0.0)


def test_product_feature_makes_xor_separable():
    X, y = make_xor(signed=True)
    Phi = np.column_stack([X, X[:, 0] * X[:, 1]])
    model = Perceptron(max_epochs=100).fit(Phi, y)
    assert model.converged and np.array_equal(model.predict(Phi), y)


def test_error_driven_rule_is_the_perceptron_rule_with_signed_labels():
    """theta + alpha (y - a) x with 0/1 labels equals the perceptron update with y_pm = 2 y - 1."""
    rng = np.random.default_rng(0)
    for _ in range(100):
        theta, x, y01, alpha = rng.normal(size=3), rng.normal(size=3), int(rng.integers(2)), rng.uniform(0.1, 2)
        a = threshold_unit(x, theta)  # 1 if theta . x > 0 else 0
        error_driven = theta + alpha * (y01 - a) * x
        y_pm = 2 * y01 - 1
        mistake = sign(theta @ x) != y_pm  # theta . x = 0 has probability 0 here
        perceptron = theta + alpha * y_pm * x if mistake else theta
        np.testing.assert_allclose(error_driven, perceptron, rtol=0, atol=1e-12)


def test_digits_zero_against_one_are_separable():
    images, digit = load_digits()
    keep = (digit == 0) | (digit == 1)
    X, y = images[keep] / 16.0, np.where(digit[keep] == 1, 1, -1)
    model = Perceptron(max_epochs=200).fit(X, y)
    assert len(y) == 360 and model.converged and np.array_equal(model.predict(X), y)


def test_one_vs_rest_on_three_blobs():
    X, y = make_blobs(90, centers=[[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]], cluster_std=0.7, rng=0)
    targets = np.where(y[:, None] == np.arange(3)[None, :], 1, -1)
    assert np.all(targets.sum(axis=1) == -1)  # one +1 and two -1 per row
    models = [Perceptron(max_epochs=200).fit(X, targets[:, k]) for k in range(3)]
    scores = np.column_stack([m.decision_function(X) for m in models])
    assert np.array_equal(np.argmax(scores, axis=1), y)
