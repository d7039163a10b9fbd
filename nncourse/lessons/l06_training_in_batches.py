"""Lesson 06 -- training in batches: the figures and the one long experiment of the lesson.

Every calculation of ``notebooks/06_training_in_batches.ipynb`` (stacking a batch, broadcasting the
bias, the summed deltas, backpropagation for B > 1, the mini-batch update and the training loop)
is written out in the notebook's own cells. This module holds what is not the point of the lesson:

* :func:`digits_feature_detectors`, a 30-epoch training run on the 8x8 digits that keeps snapshots
  of the first-layer weights;
* :func:`plot_unit_maps` and :func:`plot_weight_images` (with :func:`update_weight_images` for the
  live figure), the two figures of hidden units, each with one colour bar; weights are shown on the
  course's diverging colour map, centred on zero.
"""

import numpy as np

from nncourse import style
from nnlib.activations import Sigmoid
from nnlib.datasets import load_digits
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.preprocessing import train_test_split
from nnlib.training import accuracy, fit
from nnlib.validation import as_rng, check_array, check_positive, check_positive_int


def digits_feature_detectors(hidden=16, epochs=30, snapshots=(0, 1, 5, 30), batch_size=32,
                             lr=1.0, rng=0):
    """Train a 64-``hidden``-10 sigmoid MLP on the 8x8 digits and keep its first-layer weights.

    Each hidden unit computes ``sigma(w_i^T x + b_i)``: a template matcher whose weight
    vector ``w_i`` (64 numbers) can be shown as an 8x8 image. The first layer starts from
    tiny weights (normal, standard deviation 0.01), so the pictures show only what
    training put there. Pixels are scaled to [0, 1]; a quarter of the digits is held out.

    Parameters
    ----------
    hidden : int
        Hidden units.
    epochs : int
        Training epochs (mini-batch SGD on the cross-entropy).
    snapshots : sequence of int
        Epochs after which ``W1`` is stored (0 = the start), each in ``0..epochs``.
    batch_size : int
        Examples per update.
    lr : float
        Learning rate.
    rng : None, int or numpy.random.Generator
        Source of the split, the weights and the shuffles.

    Returns
    -------
    dict
        ``weights`` (dict epoch -> ``W1`` of shape (hidden, 64)), ``train_accuracy`` and
        ``test_accuracy`` (floats) after the last epoch, and the trained ``model``.

    Examples
    --------
    >>> out = digits_feature_detectors(hidden=4, epochs=1, snapshots=(0, 1))
    >>> sorted(out["weights"]), out["weights"][1].shape
    ([0, 1], (4, 64))
    """
    where = "digits_feature_detectors"
    hidden = check_positive_int(hidden, where, "hidden")
    epochs = check_positive_int(epochs, where, "epochs")
    batch_size = check_positive_int(batch_size, where, "batch_size")
    lr = check_positive(lr, where, "lr")
    bad = [s for s in snapshots if not 0 <= s <= epochs]
    if bad:
        raise ValueError(f"{where}: snapshots must lie in 0..{epochs} (the epochs), got {bad}")
    rng = as_rng(rng)
    X, y = load_digits()
    X = X / 16.0  # (1797, 64) pixels in [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=rng)
    model = Sequential(Linear(64, hidden, init="normal", rng=rng), Sigmoid(), Linear(hidden, 10, rng=rng))
    loss_fn, optimizer = CrossEntropyLoss(), SGD(model.parameters(), lr=lr)
    weights = {0: model.layers[0].W.copy()} if 0 in snapshots else {}
    for epoch in range(1, epochs + 1):
        fit(model, loss_fn, optimizer, X_train, y_train, epochs=1, batch_size=batch_size, rng=rng,
            verbose=False)
        if epoch in snapshots:
            weights[epoch] = model.layers[0].W.copy()  # (hidden, 64)
    return {"weights": weights, "model": model,
            "train_accuracy": accuracy(model(X_train), y_train),
            "test_accuracy": accuracy(model(X_test), y_test)}


def plot_unit_maps(x1, x2, activations, units, *, title=None):
    """Activation of several hidden units over the input plane, one panel each, one colour bar.

    Each panel is scaled to its unit's largest activation on the grid (the colour bar runs from 0
    to 1 of that maximum, which the panel's title gives), so a weak unit's pattern is as visible as
    a strong one's. A white line marks where the unit switches on (activation just above 0).

    Parameters
    ----------
    x1, x2 : array_like, shape (G, G)
        The grid of inputs (``np.meshgrid``), ``x1`` varying along the columns.
    activations : array_like, shape (G * G, H)
        The hidden activations ``psi(x)`` (non-negative) at the flattened grid points.
    units : sequence of int
        Which hidden units to show.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> g1, g2 = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    >>> fig = plot_unit_maps(g1, g2, np.maximum(0, g1.reshape(25, 1) * [1.0, 2.0]), [0, 1])
    >>> len(fig.axes)  # two panels and the colour bar
    3
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    x1 = check_array(x1, "plot_unit_maps", name="x1")
    x2 = check_array(x2, "plot_unit_maps", shape=x1.shape, name="x2")
    activations = check_array(activations, "plot_unit_maps", shape=(x1.size, "H"), name="activations")
    units = list(units)
    extent = (x1.min(), x1.max(), x2.min(), x2.max())
    width = min(style.MAX_WIDTH, 1.5 * len(units) + 1.0)
    fig, axes = plt.subplots(1, len(units), figsize=(width, 2.5), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, unit in zip(axes[0], units):
        a = activations[:, unit].reshape(x1.shape)  # (G, G)
        top = float(a.max())
        image = ax.imshow(a / top if top > 0 else a, origin="lower", extent=extent, vmin=0.0, vmax=1.0,
                          cmap=style.SEQUENTIAL_CMAP, interpolation="nearest")
        if 0 < top and a.min() == 0:
            ax.contour(x1, x2, a, levels=[1e-9 * top], colors="white", linewidths=1.5)
        ax.set_title(f"unit {unit}\nmax {top:.2g}", fontsize=10)
        ax.set_xlabel("$x_1$")
    axes[0, 0].set_ylabel("$x_2$")
    fig.colorbar(image, ax=axes[0], label="activation / its max", shrink=0.9)
    if title:
        fig.suptitle(title)
    return fig


def plot_weight_images(W, *, ncols=8, title=None, size=1.0, live=False, relative=False):
    """First-layer weights as images, one per unit, on one colour scale centred on zero.

    Red is a positive weight (ink there raises the unit's input), blue a negative one,
    white zero. All images share the scale, so their strengths can be compared, and one
    colour bar reads it off. The units are tiled into one picture (a mosaic with white
    gaps), which draws several times faster than one axes per unit.

    Parameters
    ----------
    W : array_like, shape (H, P * P)
        One row of weights per unit; each row is shown as a P x P image.
    ncols : int
        Images per row.
    title : str, optional
        Figure title.
    size : float
        Inches per image (the figure is never wider than the notebook).
    live : bool
        Draw on a figure for :func:`nncourse.widgets.live` (update it with
        :func:`update_weight_images`) instead of a pyplot figure.
    relative : bool
        Colour each weight relative to the largest ``|weight|`` (the colour bar runs from -1
        to 1 whatever the weights, the title gives the largest ``|weight|``) instead of in
        weight units. For the live figure: every epoch's pattern in full contrast, and a
        colour bar that does not change, so a move redraws the picture and title only.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_weight_images(np.arange(-32.0, 32.0).reshape(1, 64))
    >>> fig.axes[0].collections[0].get_clim(), [t.get_text() for t in fig.axes[0].texts]
    ((-32.0, 32.0), ['unit 0'])
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from nncourse import widgets

    W = _square_images(W, "plot_weight_images")
    ncols = min(check_positive_int(ncols, "plot_weight_images", "ncols"), len(W))
    nrows = -(-len(W) // ncols)
    figsize = (min(style.MAX_WIDTH, size * ncols + 1.0), size * nrows + (0.5 if title else 0.2))
    if live:
        fig, ax = widgets.subplots(figsize=figsize)
    else:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    side = int(round(np.sqrt(W.shape[1])))
    cmap = plt.get_cmap(style.DIVERGING_CMAP).with_extremes(bad=(1.0, 1.0, 1.0, 0.0))  # gaps: clear
    mosaic = _mosaic(W, ncols)
    cells = ax.pcolormesh(mosaic, cmap=cmap)       # one square per weight: much faster to draw than an image
    ax.set(xlim=(0, mosaic.shape[1]), ylim=(mosaic.shape[0], 0), aspect="equal")   # row 0 on top
    for i in range(len(W)):                        # a label above each unit's image, below it in
        row, col = divmod(i, ncols)                # drawing order: a new picture does not redraw it
        ax.text(col * (side + _GAP[1]) + side / 2, row * (side + _GAP[0]) + _GAP[0] - 0.2,
                f"unit {i}", ha="center", va="bottom", fontsize=10, zorder=-1)
    ax.set_axis_off()
    fig.colorbar(cells, ax=ax, label="weight / largest |weight|" if relative else "weight", shrink=0.9)
    update_weight_images(fig, W, title=title, relative=relative)
    return fig


_GAP = (3, 1)  # mosaic pixels between units: (rows, holding the labels; columns)


def _mosaic(W, ncols):
    """Rows of ``W`` (H, P * P) tiled as P x P images, ``ncols`` per row, NaN in the gaps."""
    side = int(round(np.sqrt(W.shape[1])))
    nrows = -(-len(W) // ncols)
    mosaic = np.full((nrows * (side + _GAP[0]), ncols * (side + _GAP[1]) - _GAP[1]), np.nan)
    for i, w in enumerate(W):
        row, col = divmod(i, ncols)
        top, left = row * (side + _GAP[0]) + _GAP[0], col * (side + _GAP[1])
        mosaic[top:top + side, left:left + side] = w.reshape(side, side)
    return mosaic


def update_weight_images(fig, W, *, title=None, relative=False):
    """Show new weights in a figure from :func:`plot_weight_images`: data, shared scale and title.

    ``relative`` must be what the figure was made with; then the title also gives the largest
    ``|weight|`` (the colour bar's 1).

    Examples
    --------
    >>> fig = plot_weight_images(np.zeros((2, 4)))
    >>> update_weight_images(fig, [[0.0, 1.0, -3.0, 0.0], [2.0, 0.0, 0.0, 0.0]], title="later")
    >>> fig.axes[0].collections[0].get_clim(), fig.axes[0].get_title()
    ((-3.0, 3.0), 'later')
    >>> fig = plot_weight_images(np.zeros((2, 4)), relative=True)
    >>> update_weight_images(fig, [[0.0, 1.0, -3.0, 0.0], [2.0, 0.0, 0.0, 0.0]], title="later", relative=True)
    >>> fig.axes[0].collections[0].get_clim(), fig.axes[0].get_title()
    ((-1.0, 1.0), 'later (largest |weight| 3.000)')
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    W = _square_images(W, "update_weight_images")
    ax = fig.axes[0]
    if len(ax.texts) != len(W):
        raise ValueError(f"update_weight_images: the figure shows {len(ax.texts)} units, got weights of {len(W)}")
    side = int(round(np.sqrt(W.shape[1])))
    cells = ax.collections[0]
    ncols = (cells.get_array().shape[1] + _GAP[1]) // (side + _GAP[1])
    limit = max(float(np.abs(W).max()), 1e-12)  # one scale for all units, centred on zero
    cells.set_array(_mosaic(W / limit if relative else W, ncols))
    cells.set_clim(*((-1.0, 1.0) if relative else (-limit, limit)))
    if relative:
        title = f"{title or 'weights'} (largest |weight| {limit:.3f})"
    if title:
        ax.set_title(title)                      # in the axes: a new title redraws only itself


def _square_images(W, where):
    W = check_array(W, where, shape=("H", "D"), name="W")
    side = int(round(np.sqrt(W.shape[1])))
    if side * side != W.shape[1]:
        raise ValueError(f"{where}: each row of W must hold a square image, got {W.shape[1]} values")
    return W
