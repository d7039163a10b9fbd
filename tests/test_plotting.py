"""The course style and the shared plotting helpers, checked on the Agg backend (no screen)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nncourse import plotting as viz  # noqa: E402
from nncourse import style  # noqa: E402


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


# ---------------------------------------------------------------- class style and live regions

def test_sign_labels_and_class_labels_share_colours_and_markers(ax):
    pm = viz.scatter_classes(ax, [[0, 0], [1, 1]], [-1, 1])
    zero_one = viz.scatter_classes(Figure().subplots(), [[0, 0], [1, 1]], [0, 1])
    for a, b in zip(pm, zero_one):
        np.testing.assert_allclose(a.get_facecolor(), b.get_facecolor())
        assert a.get_paths()[0].vertices.tolist() == b.get_paths()[0].vertices.tolist()
    # class 2 keeps its own colour when it is the only class drawn
    (only_two,) = viz.scatter_classes(Figure().subplots(), [[0, 0]], [2])
    np.testing.assert_allclose(only_two.get_facecolor()[0], to_rgba(style.CLASS_COLORS[2]))


def test_decision_boundary_colours_follow_the_class_not_its_rank(ax):
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    regions, points = viz.plot_decision_boundary(ax, lambda P: np.full(len(P), 2), X, np.array([2, 2]),
                                                 resolution=5)
    np.testing.assert_allclose(points[0].get_facecolor()[0], to_rgba(style.CLASS_COLORS[2]))


def test_regions_update_in_place(ax):
    image = viz.plot_regions(ax, lambda P: np.where(P[:, 0] > 0, 1, -1), (-1, 1), (-1, 1), resolution=8)
    left, right = image.get_array()[0, 0], image.get_array()[0, -1]   # RGBA bytes
    np.testing.assert_allclose(left / 255, to_rgba(style.CLASS_COLORS[0], 0.25), atol=0.5 / 255)
    np.testing.assert_allclose(right / 255, to_rgba(style.CLASS_COLORS[1], 0.25), atol=0.5 / 255)
    viz.update_regions(image, lambda P: np.where(P[:, 0] > 0, -1, 1))
    np.testing.assert_allclose(image.get_array()[0, 0], right)
    assert list(ax.images) == [image]                # recoloured, not drawn again


def test_binary_regions_keep_class_one_colour_when_only_it_is_predicted(ax):
    image = viz.plot_regions(ax, lambda P: np.ones(len(P), dtype=int), (0, 1), (0, 1), resolution=4,
                             classes=[0, 1])
    np.testing.assert_allclose(image.get_array()[0, 0] / 255, to_rgba(style.CLASS_COLORS[1], 0.25), atol=0.5 / 255)


def test_history_has_integer_epoch_ticks(ax):
    viz.plot_history(ax, {"train_loss": [3.0, 2.0, 1.5, 1.2]})
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_show_images_never_wider_than_the_notebook():
    fig, axes = viz.show_images(np.zeros((16, 64)), ncols=16, size=1.2)
    try:
        assert fig.get_figwidth() <= style.MAX_WIDTH
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- the course style

def test_style_sets_fonts_palette_and_dpi():
    with matplotlib.rc_context():
        rc = style.use(retina=False)
        assert plt.rcParams["figure.dpi"] == style.DPI == 100
        assert min(plt.rcParams[k] for k in ("font.size", "axes.labelsize", "xtick.labelsize",
                                             "ytick.labelsize", "legend.fontsize")) >= 10
        cycle = plt.rcParams["axes.prop_cycle"].by_key()
        assert cycle["color"][:2] == ["#0072B2", "#D55E00"]
        assert len(set(map(str, cycle["linestyle"]))) == len(cycle["color"])  # a second cue for each colour
        assert "#F0E442" not in cycle["color"]                               # no yellow lines on white
        assert rc["figure.constrained_layout.use"]


def test_figsize_never_exceeds_the_output_area():
    for columns in range(1, 8):
        width, _ = style.figsize(columns=columns, aspect=1.0)
        assert width * style.DPI <= style.MAX_WIDTH_PX
    assert style.figsize(columns=2, rows=2, aspect=0.5) == (9.4, 4.7)
    with pytest.raises(ValueError, match="figsize: columns and rows must be ints >= 1, got 0 and 1"):
        style.figsize(columns=0)
    with pytest.raises(ValueError, match="figsize: aspect must be > 0, got -1"):
        style.figsize(aspect=-1)


def test_class_index_errors():
    with pytest.raises(ValueError, match="class_index: labels must be whole numbers"):
        style.class_index([0.5, 1.0])
    with pytest.raises(ValueError, match=r"class_index: labels must be -1/\+1 or 0, 1, 2, ..., got \[-2  0\]"):
        style.class_index([-2, 0])
    assert style.class_index(np.array([0.0, 1.0, 2.0])).tolist() == [0, 1, 2]


def test_diverging_is_centred_on_zero_with_readable_numbers(ax):
    values = np.array([[-1.0, 0.0], [0.25, 3.0]])
    image, cbar = style.diverging(ax, values, label="gradient", annotate=".2f")
    assert (image.norm.vmin, image.norm.vcenter, image.norm.vmax) == (-3.0, 0.0, 3.0)
    np.testing.assert_allclose(image.cmap(image.norm(0.0))[:3], [0.97, 0.97, 0.97], atol=0.03)  # white-ish
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["3.00"] == "white" and colours["0.00"] == "black"   # dark red cell, white cell
    assert cbar.ax.get_ylabel() == "gradient"
    with pytest.raises(ValueError, match=r"diverging: values must have shape \(H, W\), got \(3,\)"):
        style.diverging(ax, [1.0, 2.0, 3.0])


def test_label_lines_spreads_close_labels_and_replaces_the_legend(ax):
    ax.plot([0, 1], [0, 1.0], label="train")
    ax.plot([0, 1], [0, 0.99], label="val")
    ax.legend()
    texts = style.label_lines(ax, min_gap=0.08)
    heights = sorted(t.get_position()[1] for t in texts)
    assert heights[1] - heights[0] >= 0.08 - 1e-9
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="label_lines: got 2 lines but 1 labels"):
        style.label_lines(ax, labels=["a"])


def test_integer_ticks_rejects_unknown_axis(ax):
    with pytest.raises(ValueError, match="integer_ticks: axis must be 'x', 'y' or 'both', got 'z'"):
        style.integer_ticks(ax, "z")
