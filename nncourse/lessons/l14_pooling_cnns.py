"""Lesson 14 -- figures for ``notebooks/14_pooling_cnns.ipynb``, and the lesson's CNN for the exercise.

Every number of the lesson (pooling forward and backward, the position experiment, the CNN's
shapes, parameters, training on train/validation/test splits, its feature maps and gradients)
is computed in the notebook with numpy and nnlib. This module holds

* :func:`draw_pooling` -- a feature map with its pooling windows framed (a white halo keeps
  each border visible on dark cells) and the window maxima ringed;
* :func:`draw_feature_maps` -- the input digit beside the learned kernels and the feature maps
  of the lesson's CNN;
* :func:`make_cnn` and :func:`parameter_table` -- the lesson's CNN and its parameter count,
  which exercise 14 compares with the student's formula.
"""

import matplotlib.patheffects as path_effects
import numpy as np
from matplotlib.patches import Circle

from nncourse.lessons.l13_convolution import frame, show_grid
from nnlib.activations import ReLU
from nnlib.conv import Conv2d
from nnlib.layers import Flatten, Linear
from nnlib.module import Sequential
from nnlib.pooling import MaxPool2d
from nnlib.validation import as_rng, check_array, check_positive_int

#: Window frames, in window order (Okabe-Ito colours; the position of a window tells them apart too).
WINDOW_COLORS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")


def draw_pooling(ax, A, kernel_size, stride, title="", cmap="Blues", fmt="{:g}", first_and_last=False,
                 winners=()):
    """Show a feature map with the windows of a ``k x k`` pooling with stride ``s`` framed.

    Window ``(i, j)`` covers rows ``s i .. s i + k - 1`` and columns ``s j .. s j + k - 1``.
    Frames are drawn slightly inside their cells, with a white halo, so that neighbouring windows
    do not hide each other's borders and the border shows on dark cells too; colours cycle through
    :data:`WINDOW_COLORS` in row-major window order. For a pooled output (``k = s = 1``) each
    cell gets the colour of the window it came from.

    Parameters
    ----------
    ax : matplotlib Axes
    A : array_like, shape (H, W)
    kernel_size, stride : int
    title : str
    cmap, fmt : passed to :func:`nncourse.lessons.l13_convolution.show_grid`
    first_and_last : bool
        Frame only the first and the last window (for overlapping or many windows).
    winners : sequence of (row, column)
        Cells to ring (the maxima of max-pooling).

    Returns
    -------
    list of matplotlib.patches.Rectangle
        The frames, in window order.
    """
    A = check_array(A, "draw_pooling", shape=("H", "W"), name="A")
    k = check_positive_int(kernel_size, "draw_pooling", "kernel_size")
    s = check_positive_int(stride, "draw_pooling", "stride")
    show_grid(ax, A, title, fmt=fmt, cmap=cmap)
    for r, c in winners:
        ring = Circle((c, r), 0.36, fill=False, edgecolor="black", linewidth=1.5, zorder=5)
        ring.set_path_effects([path_effects.withStroke(linewidth=4, foreground="white"), path_effects.Normal()])
        ax.add_patch(ring)
    if k > min(A.shape):
        return []
    n_rows, n_cols = (A.shape[0] - k) // s + 1, (A.shape[1] - k) // s + 1
    windows = [(i, j) for i in range(n_rows) for j in range(n_cols)]
    if first_and_last:
        windows = [windows[0], windows[-1]]
    inset = 0.07
    return [frame(ax, s * i + inset, s * j + inset, k - 2 * inset,
                  color=WINDOW_COLORS[number % len(WINDOW_COLORS)])
            for number, (i, j) in enumerate(windows)]


def draw_feature_maps(fig, image, label, kernels, A, P, columns=8):
    """The input digit on the left; for every filter its kernel, ReLU map and pooled map.

    Filters are laid out in blocks of ``columns``; each block has three rows (kernel,
    ReLU(conv), max-pooled). Kernels use a diverging map centred on zero (red +, blue -),
    feature maps one shared scale (``viridis``, 0 = dark) so filters can be compared; one colour
    bar for each. Works with the course style's constrained layout (sub-figures, no manual
    positions).

    Parameters
    ----------
    fig : matplotlib Figure
    image : array_like, shape (H, W)
    label : int
    kernels : array_like, shape (F, k, k)
    A : array_like, shape (F, H, W)
        Feature maps after convolution and ReLU.
    P : array_like, shape (F, H', W')
        The same after pooling.
    columns : int
        Filters per block.

    Returns
    -------
    matplotlib Axes
        The axes of the input digit.
    """
    kernels = check_array(kernels, "draw_feature_maps", shape=("F", "k", "k"), name="kernels")
    A = check_array(A, "draw_feature_maps", shape=(kernels.shape[0], "H", "W"), name="A")
    P = check_array(P, "draw_feature_maps", shape=(kernels.shape[0], "H'", "W'"), name="P")
    F = kernels.shape[0]
    blocks = -(-F // check_positive_int(columns, "draw_feature_maps", "columns"))
    left, right = fig.subfigures(1, 2, width_ratios=[1.8, columns], wspace=0.02)
    image_ax, kernel_bar, map_bar = left.subplots(3, 1, height_ratios=[8, 0.8, 0.8])
    image_ax.imshow(image, cmap="gray_r")
    image_ax.set_title(f"input: digit {label}", fontsize=10)
    image_ax.set_axis_off()
    axes = right.subplots(3 * blocks, columns)
    k_lim = np.abs(kernels).max() or 1.0
    a_max = max(A.max(), P.max(), 1e-12)
    rows = (("kernel", kernels, "RdBu_r", -k_lim, k_lim), ("ReLU", A, "viridis", 0.0, a_max),
            ("pooled", P, "viridis", 0.0, a_max))
    pictures = {}
    for ax in axes.flat:
        ax.set_axis_off()
    for f in range(F):
        block, column = divmod(f, columns)
        for r, (name, maps, cmap, vmin, vmax) in enumerate(rows):
            ax = axes[3 * block + r, column]
            ax.set_axis_on()
            pictures[name] = ax.imshow(maps[f], cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if r == 0:
                ax.set_title(f"filter {f}", fontsize=10)
            if column == 0:
                ax.set_ylabel(name, fontsize=10)
    left.colorbar(pictures["kernel"], cax=kernel_bar, orientation="horizontal", label="kernel weight")
    left.colorbar(pictures["ReLU"], cax=map_bar, orientation="horizontal", label="activation")
    return image_ax


def make_cnn(n_filters=16, kernel_size=3, rng=0):
    """The lesson's CNN: Conv2d(1, F, k, padding same) -> ReLU -> 2x2 max-pool -> Flatten -> Linear(F*16, 10).

    Examples
    --------
    >>> cnn = make_cnn()
    >>> cnn(np.zeros((2, 1, 8, 8))).shape
    (2, 10)
    """
    F = check_positive_int(n_filters, "make_cnn", "n_filters")
    k = check_positive_int(kernel_size, "make_cnn", "kernel_size")
    if k % 2 == 0:
        raise ValueError(f"make_cnn: kernel_size must be odd (for 'same' padding), got {k}")
    rng = as_rng(rng)
    return Sequential(
        Conv2d(1, F, k, padding="same", rng=rng),  # (N, F, 8, 8)
        ReLU(),
        MaxPool2d(2),  # (N, F, 4, 4)
        Flatten(),  # (N, F*16)
        Linear(F * 4 * 4, 10, rng=rng),  # (N, 10) logits
    )


def parameter_table(model):
    """One row per parameter array of ``model``: name, shape, count; and the total.

    Returns
    -------
    rows : list of dict
        ``name`` (e.g. ``"0.W"``), ``shape`` (tuple), ``count`` (int).
    total : int

    Examples
    --------
    >>> rows, total = parameter_table(make_cnn(16))
    >>> [(r["name"], r["count"]) for r in rows]
    [('0.W', 144), ('0.b', 16), ('4.W', 2560), ('4.b', 10)]
    >>> total
    2730
    """
    rows = [{"name": name, "shape": p.data.shape, "count": int(p.data.size)}
            for name, p in model.named_parameters()]
    return rows, sum(r["count"] for r in rows)
