"""The shared plotting helpers and slider glue, checked on the Agg backend (no screen)."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nncourse import plotting as viz  # noqa: E402
from nncourse import widgets


@pytest.fixture
def ax():
    return Figure().subplots()


# ---------------------------------------------------------------- decision boundary

def test_decision_boundary_pm1_labels_regions_follow_predict(ax):
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [-2.0, 1.0], [2.0, -1.0]])
    y = np.array([-1, 1, -1, 1])
    regions, points = viz.plot_decision_boundary(ax, lambda P: np.where(P[:, 0] > 0, 1, -1), X, y,
                                                 resolution=21, margin=0.0)
    assert [p.get_label() for p in points] == ["y = -1", "y = 1"]
    assert [len(p.get_offsets()) for p in points] == [2, 2]
    # two class bands, limits from the data
    assert len(regions.levels) == 3
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_decision_boundary_argmax_of_scores_for_three_classes(ax):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.arange(30) % 3
    centres = np.array([[0.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])

    def scores(P):  # (M, 3): minus squared distance to each centre
        return -((P[:, None, :] - centres[None]) ** 2).sum(axis=2)

    regions, points = viz.plot_decision_boundary(ax, scores, X, y, resolution=30)
    assert len(points) == 3
    assert len(regions.levels) == 4
    assert [p.get_label() for p in points] == ["y = 0", "y = 1", "y = 2"]


def test_decision_boundary_bad_shapes(ax):
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(4, 3\)"):
        viz.plot_decision_boundary(ax, lambda P: P[:, 0], np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\), got \(3,\)"):
        viz.plot_decision_boundary(ax, lambda P: P[:, 0], np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"predict must return shape \(M,\) or \(M, K\)"):
        viz.plot_decision_boundary(ax, lambda P: np.zeros((len(P), 2, 2)), np.zeros((4, 2)), np.zeros(4))


def test_linear_boundary_points_satisfy_the_equation(ax):
    w, b = np.array([2.0, -1.0]), 0.5
    line = viz.plot_linear_boundary(ax, w, b, xlim=(-3, 3), show_normal=True)
    xy = line.get_xydata()
    np.testing.assert_allclose(xy @ w + b, 0.0, atol=1e-12)
    assert len(ax.texts) == 1  # the normal arrow


def test_linear_boundary_vertical_and_errors(ax):
    ax.set_ylim(-1, 1)
    line = viz.plot_linear_boundary(ax, [2.0, 0.0], -1.0)
    np.testing.assert_allclose(line.get_xdata(), [0.5, 0.5])
    with pytest.raises(ValueError, match="must not be all zero"):
        viz.plot_linear_boundary(ax, [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\), got \(3,\)"):
        viz.plot_linear_boundary(ax, [1.0, 0.0, 0.0], 1.0)


# ---------------------------------------------------------------- history

def test_history_draws_matching_series_dashed_for_validation(ax):
    history = {"train_loss": [2.0, 1.0, 0.5], "val_loss": [2.1, 1.4, 1.3], "train_acc": [0.1, 0.5, 0.9]}
    lines = viz.plot_history(ax, history)
    assert [l.get_label() for l in lines] == ["train loss", "val loss"]
    assert [l.get_linestyle() for l in lines] == ["-", "--"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [2.1, 1.4, 1.3])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    assert ax.get_legend() is not None


def test_history_accepts_object_and_plain_sequence(ax):
    class Result:
        history = {"train_acc": [0.5, 0.75]}

    assert [l.get_label() for l in viz.plot_history(ax, Result(), "acc")] == ["train acc"]
    lines = viz.plot_history(Figure().subplots(), [3.0, 2.0, 1.0], xlabel="iteration")
    assert lines[0].get_label() == "train loss" and lines[0].axes.get_xlabel() == "iteration"


def test_history_unknown_metric(ax):
    with pytest.raises(ValueError, match=r"no series containing 'acc'.*train_loss"):
        viz.plot_history(ax, {"train_loss": [1.0]}, "acc")


# ---------------------------------------------------------------- images

def test_show_images_grid_reshapes_flat_digits_and_labels():
    images = np.arange(5 * 64, dtype=float).reshape(5, 64)
    fig, axes = viz.show_images(images, labels=list("abcde"), ncols=3, title="digits")
    try:
        assert axes.shape == (2, 3)
        assert [a.get_title() for a in axes.flat[:5]] == list("abcde")
        assert not axes[1, 2].axison
        im = axes[0, 1].get_images()[0]
        np.testing.assert_array_equal(im.get_array(), images[1].reshape(8, 8))
        assert im.get_clim() == (0.0, 5 * 64 - 1.0)  # one shared scale
        assert fig._suptitle.get_text() == "digits"
    finally:
        plt.close(fig)


def test_show_images_own_scale_per_feature_map():
    maps = np.stack([np.eye(3), 10 * np.eye(3)])
    fig, axes = viz.show_images(maps, same_scale=False)
    try:
        assert [a.get_images()[0].get_clim() for a in axes.flat] == [(0.0, 1.0), (0.0, 10.0)]
    finally:
        plt.close(fig)


def test_show_images_errors():
    with pytest.raises(ValueError, match="square number of pixels, got 10"):
        viz.show_images(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="got 2 images but 3 labels"):
        viz.show_images(np.zeros((2, 4, 4)), labels=[1, 2, 3])
    with pytest.raises(ValueError, match=r"images must have shape \(N, H, W\)"):
        viz.show_images(np.zeros(5))


# ---------------------------------------------------------------- functions, surfaces

def test_function_and_derivative_values(ax):
    f_line, df_line = viz.plot_function_and_derivative(
        ax, lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float), z=[-1.0, 0.5, 2.0], name="relu")
    np.testing.assert_array_equal(f_line.get_ydata(), [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(df_line.get_ydata(), [0.0, 1.0, 1.0])
    assert (f_line.get_label(), df_line.get_label()) == ("relu(z)", "relu'(z)")
    assert ax.get_xlabel() == "$z$"


def test_loss_surface_and_trajectory(ax):
    cs = viz.plot_loss_surface(ax, lambda a, b: (a - 1) ** 2 + 10 * b ** 2 + 0.1, levels=8, log=True)
    assert np.all(np.diff(np.log(cs.levels)) > 0)
    line = viz.plot_trajectory(ax, [[-1.5, 1.0], [0.0, 0.2], [1.0, 0.0]], label="momentum")
    assert line.get_label() == "momentum"
    assert ax.lines[-1].get_marker() == "s"  # the start marker
    np.testing.assert_array_equal(ax.lines[-1].get_xdata(), [-1.5])
    with pytest.raises(ValueError, match="log=True needs a positive loss"):
        viz.plot_loss_surface(ax, lambda a, b: a * b, log=True)
    with pytest.raises(ValueError, match=r"path must have shape \(T, 2\), got \(3,\)"):
        viz.plot_trajectory(ax, [1.0, 2.0, 3.0])


# ---------------------------------------------------------------- widgets

def test_slider_types_and_defaults():
    s = widgets.slider(3, 1, 10, description="units")
    assert isinstance(s, ipywidgets.IntSlider) and s.step == 1 and not s.continuous_update
    f = widgets.slider(1, 0, 2.5, 0.5)
    assert isinstance(f, ipywidgets.FloatSlider) and f.step == 0.5 and f.value == 1.0
    with pytest.raises(ValueError, match=r"value must lie in \[0, 1\], got 2"):
        widgets.slider(2, 0, 1)


def test_log_slider_range_in_exponents():
    s = widgets.log_slider(0.1, 0.001, 10.0, "sigma")
    assert isinstance(s, ipywidgets.FloatLogSlider)
    assert (s.min, s.max, s.base) == (-3.0, 1.0, 10.0)
    assert s.value == pytest.approx(0.1)
    with pytest.raises(ValueError, match="need 0 < min <= value <= max"):
        widgets.log_slider(0.0, 0.0, 1.0)


def test_dropdown_default_and_mapping():
    assert widgets.dropdown(["a", "b"]).value == "a"
    assert widgets.dropdown({"SGD": "sgd", "Adam": "adam"}, value="adam").value == "adam"


def test_connect_passes_compute_result_to_draw_on_every_change():
    drawn = []
    w = widgets.connect(lambda w, b: {"z": 2.0 * w + b}, drawn.append,
                        w=widgets.slider(1.0, -5.0, 5.0, 0.5), b=ipywidgets.fixed(0.25))
    assert drawn == [{"z": 2.25}]
    w.kwargs_widgets[0].value = -2.0
    assert drawn[-1] == {"z": -3.75} and w.result == {"z": -3.75}
    assert isinstance(w, ipywidgets.interactive)
