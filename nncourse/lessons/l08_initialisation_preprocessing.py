r"""Lesson 08 -- initialisation and preprocessing: figures and the digits experiment.

What ``notebooks/08_initialisation_preprocessing.ipynb`` needs besides the maths, which it computes
in visible numpy cells (equal gradients of equal units, the six-layer activation statistics, the
variance formulas, standardisation, gradient descent on a linear unit's MSE):

* :func:`draw_layer_histograms` and :func:`update_layer_histograms`: one histogram per layer,
  stacked, for the static figures and the live slider;
* :func:`draw_bowl` and :func:`update_bowl`: the MSE of a bias-free linear unit over its two
  weights, with a gradient-descent path;
* :func:`train_digits`: the usual ``nnlib.training.fit`` run of a 64-32-10 tanh network on
  preprocessed digits.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm

from nnlib.activations import Tanh
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_array, check_positive_int

# ---------------------------------------------------------------- activation histograms


def _shares(A, edges, positive_only):
    """Histogram of one layer's activations as shares of all its values (bins,)."""
    A = np.asarray(A, dtype=np.float64).ravel()
    shown = A[A > 0] if positive_only else A
    counts, _ = np.histogram(np.clip(shown, edges[0], edges[-1]), bins=edges)  # (bins,)
    return counts / max(A.size, 1)


def draw_layer_histograms(ax, layers, edges, positive_only=False, max_layers=None):
    """Stack one histogram per layer on ``ax``: layer 1 at the bottom, each row labelled with its std.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    layers : sequence of ndarray
        The activations of each layer (any shape); values outside ``edges`` count in the end bins.
    edges : ndarray, shape (bins + 1,)
        Bin edges, the same for every layer.
    positive_only : bool
        Bin only the positive values (ReLU: the exact zeros would dwarf the rest); the bars are
        then shares of *all* values of the layer, so a row holds ``1 - share of zeros``.
    max_layers : int, optional
        Rows to make room for (a live figure whose number of layers changes); default ``len(layers)``.

    Returns
    -------
    dict
        The artists ``"rows"`` (one ``StepPatch`` per row) and ``"stds"`` (one ``Text`` per row),
        for :func:`update_layer_histograms`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> artists = draw_layer_histograms(ax, [np.zeros(5), np.ones(5)], edges=np.linspace(-1, 1, 5))
    >>> len(artists["rows"]), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['layer 1', 'layer 2'])
    """
    edges = check_array(edges, "draw_layer_histograms", shape=("B",), name="edges")
    n_rows = len(layers) if max_layers is None else check_positive_int(max_layers, "draw_layer_histograms",
                                                                       "max_layers")
    colors = colormaps["viridis"](np.linspace(0.0, 0.85, n_rows))
    rows = [ax.stairs(np.full(len(edges) - 1, float(l)), edges, baseline=float(l), fill=True, color=colors[l])
            for l in range(n_rows)]
    stds = [ax.text(0.99, l + 0.3, "", transform=ax.get_yaxis_transform(), fontsize=10, ha="right", va="center")
            for l in range(n_rows)]
    ax.set_xlabel("activation $a$")
    artists = {"rows": rows, "stds": stds}
    update_layer_histograms(ax, artists, layers, edges, positive_only)
    return artists


def update_layer_histograms(ax, artists, layers, edges, positive_only=False):
    """Show new activations in the rows made by :func:`draw_layer_histograms` (unused rows empty).

    The tallest bar of all layers fills 90 % of a row. Returns the std of each layer.
    """
    edges = np.asarray(edges, dtype=np.float64)
    shares = [_shares(A, edges, positive_only) for A in layers]
    top = max(max(float(s.max()) for s in shares), 1e-12)
    for l, (row, text) in enumerate(zip(artists["rows"], artists["stds"])):
        if l < len(layers):
            row.set_data(l + 0.9 * shares[l] / top, edges, baseline=float(l))
            text.set_text(f"std {np.std(layers[l]):.3f}")
        else:
            row.set_data(np.full(len(edges) - 1, float(l)), edges, baseline=float(l))
            text.set_text("")
    xlim = (edges[0], edges[-1] + 0.55 * (edges[-1] - edges[0]))       # room for the std on the right
    if not np.allclose(ax.get_xlim(), xlim):                           # changed limits cost a full redraw
        ax.set_xlim(xlim)
    n_rows = len(artists["rows"])                                      # fixed: fewer layers leave rows empty
    if not np.allclose(ax.get_ylim(), (-0.1, n_rows)):
        ax.set_ylim(-0.1, n_rows)
        ax.set_yticks(np.arange(n_rows) + 0.3, [f"layer {l + 1}" for l in range(n_rows)])
    return np.array([np.std(A) for A in layers])


# ---------------------------------------------------------------- the MSE bowl of a linear unit


def mse_grid(X, y, w1, w2):
    r"""MSE :math:`\frac1N\lVert X\mathbf w - \mathbf y\rVert^2` of a bias-free linear unit on a weight grid.

    Parameters
    ----------
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,)
    w1, w2 : ndarray, shape (R,)
        Grid values of the two weights.

    Returns
    -------
    ndarray, shape (R, R)
        ``L[i, j]`` is the loss at ``(w1[j], w2[i])`` (rows follow ``w2``, as an image).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, 1.0])
    >>> mse_grid(X, y, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    array([[1. , 0.5],
           [0.5, 0. ]])
    """
    X = check_array(X, "mse_grid", shape=("N", 2), name="X")
    y = check_array(y, "mse_grid", shape=(X.shape[0],), name="y")
    W1, W2 = np.meshgrid(w1, w2)  # (R, R)
    A = X.T @ X / len(X)  # (2, 2) the loss is the quadratic w^T A w - 2 b^T w + c
    b = X.T @ y / len(X)  # (2,)
    c = y @ y / len(X)
    return A[0, 0] * W1 ** 2 + 2 * A[0, 1] * W1 * W2 + A[1, 1] * W2 ** 2 - 2 * (b[0] * W1 + b[1] * W2) + c


def draw_bowl(ax, X, y, path, resolution=100):
    """The MSE of a bias-free linear unit as an image (log colours), the path from a square, the minimum as a star.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,)
    path : ndarray, shape (T, 2)
        Weights after each gradient step (row 0 is the start).
    resolution : int
        Grid points per axis.

    Returns
    -------
    dict
        The artists (``"image"``, ``"path"``, ``"start"``, ``"minimum"``) for :func:`update_bowl`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]]); y = np.array([1.0, 2.0])
    >>> artists = draw_bowl(ax, X, y, np.array([[0.0, 0.0], [0.5, 1.0]]), resolution=10)
    >>> artists["minimum"].get_xydata().tolist()
    [[1.0, 1.0]]
    """
    artists = {
        "image": ax.imshow(np.ones((2, 2)), origin="lower", cmap="viridis", norm=LogNorm(), aspect="equal",
                           interpolation="bilinear", extent=(0.0, 1.0, 0.0, 1.0), zorder=0.6),
        "path": ax.plot([], [], "o-", color="#D55E00", markersize=2.5, linewidth=1.2)[0],
        "start": ax.plot([], [], "s", color="#D55E00", markersize=7)[0],
        "minimum": ax.plot([], [], "*", color="white", markeredgecolor="k", markersize=14)[0],
    }
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.grid(False)
    update_bowl(ax, artists, X, y, path, resolution)
    return artists


def update_bowl(ax, artists, X, y, path, resolution=100):
    """Redraw :func:`draw_bowl`'s artists for new data and a new path; returns the least-squares minimum (2,)."""
    X = check_array(X, "update_bowl", shape=("N", 2), name="X")
    path = check_array(path, "update_bowl", shape=("T", 2), name="path")
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]  # (2,)
    span = max(2.0, 1.15 * float(np.abs(path - w_star).max()))
    step = 10.0 ** np.floor(np.log10(span)) / 2  # window on a coarse grid: small changes keep the limits
    span, centre = np.ceil(span / step) * step, np.round(w_star / step) * step
    w1 = np.linspace(centre[0] - span, centre[0] + span, resolution)  # (R,)
    w2 = np.linspace(centre[1] - span, centre[1] + span, resolution)  # (R,)
    L = mse_grid(X, y, w1, w2)  # (R, R)
    excess = L - L.min() + 1e-3 * (L.max() - L.min())  # > 0 for the log colours
    artists["image"].set_data(excess)
    artists["image"].set_norm(LogNorm(vmin=excess.min(), vmax=excess.max()))
    extent = (w1[0], w1[-1], w2[0], w2[-1])
    if not np.allclose(artists["image"].get_extent(), extent):  # a new window costs a full redraw of a live figure
        artists["image"].set_extent(extent)
        ax.set_xlim(w1[0], w1[-1])
        ax.set_ylim(w2[0], w2[-1])
    artists["path"].set_data(path[:, 0], path[:, 1])
    artists["start"].set_data(path[:1, 0], path[:1, 1])
    artists["minimum"].set_data([w_star[0]], [w_star[1]])
    return w_star


# ---------------------------------------------------------------- digits


def train_digits(X_train, y_train, X_test, y_test, lr=0.1, epochs=5, hidden=32, rng=0):
    """Train a 64-``hidden``-10 tanh network on (preprocessed) digits with SGD and report it.

    Xavier weights and the batch order come from ``rng``, so runs with the same seed differ only in
    the inputs; mini-batches of 32, cross-entropy, ``nnlib.training.fit``.

    Returns
    -------
    dict
        ``history`` (``nnlib.training.History``), ``test_loss``, ``test_acc`` and
        ``saturated_at_start``: share of hidden tanh outputs with ``|a| > 0.99`` on the test set
        before training.
    """
    epochs = check_positive_int(epochs, "train_digits", "epochs")
    generator = as_rng(rng)
    model = Sequential(Linear(X_train.shape[1], hidden, rng=generator), Tanh(), Linear(hidden, 10, rng=generator))
    saturated = float(np.mean(np.abs(model.layers[1](model.layers[0](X_test))) > 0.99))
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, SGD(model.parameters(), lr=lr), X_train, y_train, epochs=epochs,
                  batch_size=32, rng=generator, verbose=False)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc, "saturated_at_start": saturated}
