"""Plotting helpers shared by the lessons (part of the teaching layer, not the maths).

Every helper draws on a matplotlib ``Axes`` you pass in (or, for image grids, on a
new figure) and returns what it drew, so a notebook cell can add titles or
annotations, a live figure (:mod:`nncourse.widgets`) can update the returned artists in place,
and a test can check the drawing without a screen. Colours, markers and sizes come from
:mod:`nncourse.style` (class ``k`` looks the same in every lesson):

>>> from matplotlib.figure import Figure
>>> ax = Figure().subplots()
>>> lines = plot_history(ax, {"train_loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
>>> [line.get_label() for line in lines], ax.get_xlabel(), ax.get_ylabel()
(['train loss', 'val loss'], 'epoch', 'loss')

The helpers never compute anything a student is meant to learn; the notebook cells do that,
and these functions only show the result.
"""

import numpy as np

from nncourse.regions import (
    plot_decision_boundary,
    plot_linear_boundary,
    plot_regions,
    scatter_classes,
    update_regions,
)
from nncourse.style import CLASS_COLORS, CLASS_MARKERS, MAX_WIDTH, integer_ticks

__all__ = [
    "plot_decision_boundary",
    "plot_regions",
    "update_regions",
    "scatter_classes",
    "plot_linear_boundary",
    "plot_history",
    "show_images",
    "plot_function_and_derivative",
    "plot_loss_surface",
    "plot_trajectory",
    "CLASS_COLORS",
    "CLASS_MARKERS",
]


def plot_history(ax, history, metric="loss", *, xlabel="epoch"):
    """Plot training curves: every series of ``history`` whose name contains ``metric``.

    ``history`` is a mapping such as ``{"train_loss": [...], "val_loss": [...],
    "train_acc": [...]}`` (what ``nnlib.training.fit`` records) or an object with
    such a mapping in its ``history`` attribute. A plain sequence is plotted as
    the single curve ``"train <metric>"``. Underscores in names become spaces in
    the legend. Epochs are counted from 1.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    history : mapping, object with ``.history``, or sequence of float
    metric : str
        Which series to show, e.g. ``"loss"`` or ``"acc"``; also the y-axis label.
    xlabel : str
        Label of the x-axis.

    Returns
    -------
    list of matplotlib.lines.Line2D
        One line per series shown, in the mapping's order.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> [l.get_label() for l in plot_history(ax, {"train_loss": [3, 2], "train_acc": [.5, .7]}, "acc")]
    ['train acc']
    """
    if hasattr(history, "history") and not isinstance(history, dict):
        history = history.history
    if isinstance(history, dict):
        series = {name: values for name, values in history.items() if metric in name}
        if not series:
            raise ValueError(f"plot_history: no series containing {metric!r} in history; "
                             f"available: {sorted(history)}")
    else:
        series = {f"train_{metric}": history}
    lines = []
    for name, values in series.items():
        values = np.asarray(values, dtype=float)               # (epochs,)
        epochs = np.arange(1, len(values) + 1)                 # (epochs,)
        style = "--" if name.startswith(("val", "test")) else "-"     # the second cue beside colour
        (line,) = ax.plot(epochs, values, linestyle=style, label=name.replace("_", " "))
        lines.append(line)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(metric)
    integer_ticks(ax, "x")
    ax.legend()
    return lines


def show_images(images, labels=None, *, ncols=8, cmap="gray_r", size=1.2,
                same_scale=True, title=None):
    """Show a grid of small grey images (digits, kernels, feature maps) on a new figure.

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (N, H*W) with square images
        Flat rows of length ``H*W`` are reshaped to ``(H, W)`` (e.g. 64 -> 8x8 digits).
    labels : sequence, optional
        One caption per image (class labels, predictions, channel names).
    ncols : int
        Images per row.
    cmap : str
        Colour map; ``"gray_r"`` draws ink dark on white like the digits data.
    size : float
        Inches per image (reduced so the figure is at most ``style.MAX_WIDTH`` wide).
    same_scale : bool
        If True, all images share one colour range (compare intensities across
        images); if False, each is scaled on its own (compare patterns, e.g.
        feature maps of different magnitude).
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : numpy.ndarray of Axes, shape (nrows, ncols)
        Unused cells of the last row are switched off.

    Examples
    --------
    >>> fig, axes = show_images(np.zeros((3, 64)), labels=[0, 1, 2], ncols=2)
    >>> axes.shape, axes[0, 1].get_title()
    ((2, 2), '1')
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images, dtype=float)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"show_images: flat images must have a square number of pixels, "
                             f"got {images.shape[1]}")
        images = images.reshape(images.shape[0], side, side)  # (N, H, W)
    if images.ndim != 3:
        raise ValueError(f"show_images: images must have shape (N, H, W) or (N, H*W), got {images.shape}")
    n = images.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"show_images: got {n} images but {len(labels)} labels")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    size = min(size, MAX_WIDTH / ncols)                        # never wider than the notebook
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                             squeeze=False, layout="constrained")
    vmin, vmax = (images.min(), images.max()) if same_scale else (None, None)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=10)
    if title:
        fig.suptitle(title)
    return fig, axes


def plot_function_and_derivative(ax, f, df, *, z=None, name="f", zlabel="$z$"):
    """Plot an activation ``f`` and its derivative ``f'`` on the same axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    f, df : callable
        Element-wise functions of a numpy array (e.g. ``nnlib.functional.sigmoid``
        and ``sigmoid_prime``).
    z : array_like, optional
        Where to evaluate; default 401 points in [-5, 5].
    name : str
        Name used in the legend (``"sigmoid"`` gives ``sigmoid(z)`` and ``sigmoid'(z)``).
    zlabel : str
        Label of the x-axis.

    Returns
    -------
    (Line2D, Line2D)
        The function (solid) and its derivative (dashed).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> fl, dl = plot_function_and_derivative(ax, np.tanh, lambda z: 1 - np.tanh(z) ** 2, name="tanh")
    >>> fl.get_label(), dl.get_label(), float(dl.get_ydata().max())
    ('tanh(z)', "tanh'(z)", 1.0)
    """
    z = np.linspace(-5.0, 5.0, 401) if z is None else np.asarray(z, dtype=float)  # (M,)
    (f_line,) = ax.plot(z, f(z), linestyle="-", label=f"{name}(z)")
    (df_line,) = ax.plot(z, df(z), linestyle="--", label=f"{name}'(z)")
    ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
    ax.set_xlabel(zlabel)
    ax.set_ylabel("value")
    ax.legend()
    return f_line, df_line


def plot_loss_surface(ax, loss, *, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), resolution=150,
                      levels=30, log=False, xlabel="$w_1$", ylabel="$w_2$"):
    """Draw contour lines of a loss of two parameters, ``loss(w1, w2)``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    loss : callable
        Vectorised function of two arrays of equal shape, returning that shape.
    xlim, ylim : (float, float)
        Parameter ranges.
    resolution : int
        Grid points per axis.
    levels : int
        Number of contour levels.
    log : bool
        Space the levels logarithmically (useful for Rosenbrock-like valleys);
        needs a positive loss.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.contour.QuadContourSet

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> cs = plot_loss_surface(ax, lambda a, b: a ** 2 + 10 * b ** 2, levels=5)
    >>> ax.get_xlabel(), len(cs.levels) > 0
    ('$w_1$', True)
    """
    W1, W2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))  # (R, R)
    L = np.asarray(loss(W1, W2), dtype=float)                  # (R, R)
    if log:
        low = L.min()
        if low <= 0:
            raise ValueError(f"plot_loss_surface: log=True needs a positive loss, minimum is {low}")
        levels = np.geomspace(low, L.max(), levels)
    contours = ax.contour(W1, W2, L, levels=levels, cmap="viridis", linewidths=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return contours


def plot_trajectory(ax, path, *, label=None, color=None, marker="o", markersize=3):
    """Draw an optimiser's path through parameter space, start marked with a square.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    path : array_like, shape (T, 2)
        Parameters after each step (row 0 is the start).
    label : str, optional
        Legend label (e.g. the optimiser's name).
    color : optional
        Line colour; default the next in the cycle.
    marker : str
        Marker at every step.
    markersize : float

    Returns
    -------
    matplotlib.lines.Line2D

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> line = plot_trajectory(ax, [[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]], label="SGD")
    >>> line.get_label(), len(line.get_xdata())
    ('SGD', 3)
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"plot_trajectory: path must have shape (T, 2), got {path.shape}")
    (line,) = ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=markersize,
                      linewidth=1.2, label=label, color=color)
    ax.plot(path[0, 0], path[0, 1], "s", color=line.get_color(), markersize=markersize + 3)
    return line
