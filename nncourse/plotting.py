"""Plotting helpers shared by the lessons (part of the teaching layer, not the maths).

Every helper draws on a matplotlib ``Axes`` you pass in (or, for image grids, on a
new figure) and returns what it drew, so a notebook cell can add titles or
annotations and a test can check the drawing without a screen:

>>> from matplotlib.figure import Figure
>>> ax = Figure().subplots()
>>> lines = plot_history(ax, {"train_loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
>>> [line.get_label() for line in lines], ax.get_xlabel(), ax.get_ylabel()
(['train loss', 'val loss'], 'epoch', 'loss')

The helpers never compute anything a student is meant to learn; the lesson
callbacks in ``nncourse.lessons`` do that, and these functions only show the result.
"""

import numpy as np

__all__ = [
    "plot_decision_boundary",
    "plot_linear_boundary",
    "plot_history",
    "show_images",
    "plot_function_and_derivative",
    "plot_loss_surface",
    "plot_trajectory",
]

# Colours for classes 0, 1, 2, ... (colour-blind friendly, from matplotlib's "tab10").
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def _as_labels(scores):
    """Turn the output of a ``predict`` function into one label per row.

    ``(M,)`` arrays are labels already; ``(M, 1)`` are squeezed; ``(M, K)`` with
    K > 1 are class scores or probabilities, reduced with ``argmax``.
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] == 1:
        return scores[:, 0]                                    # (M,)
    if scores.ndim == 2:
        return np.argmax(scores, axis=1)                       # (M,)
    if scores.ndim != 1:
        raise ValueError(f"plot_decision_boundary: predict must return shape (M,) or (M, K), "
                         f"got {scores.shape}")
    return scores


def _limits(values, margin):
    low, high = float(np.min(values)), float(np.max(values))
    return low - margin, high + margin


def plot_decision_boundary(ax, predict, X, y, *, resolution=200, margin=0.5,
                           xlim=None, ylim=None, alpha=0.25,
                           xlabel="$x_1$", ylabel="$x_2$"):
    """Shade the regions a 2-D classifier assigns to each class and scatter the data.

    The plane is covered by a ``resolution x resolution`` grid; ``predict`` labels
    every grid point and each class region is filled with its colour. Data points
    are drawn on top, one marker and colour per class, labelled ``"y = <class>"``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    predict : callable
        Maps an ``(M, 2)`` array of points to labels ``(M,)`` (e.g. -1/+1 or
        0..K-1) or to class scores ``(M, K)``, which are reduced with ``argmax``.
    X : array_like, shape (N, 2)
        The data points.
    y : array_like, shape (N,)
        Their labels, in the same label set ``predict`` returns.
    resolution : int
        Grid points per axis.
    margin : float
        Space around the data when ``xlim``/``ylim`` are not given.
    xlim, ylim : (float, float), optional
        Plot ranges.
    alpha : float
        Opacity of the shaded regions.
    xlabel, ylabel : str
        Axis labels.

    Shape
    -----
    ``X``: (N, 2); ``y``: (N,); ``predict``: (M, 2) -> (M,) or (M, K).

    Returns
    -------
    regions : matplotlib.contour.QuadContourSet
        The filled class regions.
    points : list of matplotlib.collections.PathCollection
        One scatter per class present in ``y``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([-1, 1])
    >>> predict = lambda P: np.where(P.sum(axis=1) > 1, 1, -1)
    >>> regions, points = plot_decision_boundary(ax, predict, X, y)
    >>> [p.get_label() for p in points]
    ['y = -1', 'y = 1']
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"plot_decision_boundary: y must have shape ({X.shape[0]},), got {y.shape}")
    xlim = xlim if xlim is not None else _limits(X[:, 0], margin)
    ylim = ylim if ylim is not None else _limits(X[:, 1], margin)
    xs = np.linspace(xlim[0], xlim[1], resolution)             # (R,)
    ys = np.linspace(ylim[0], ylim[1], resolution)             # (R,)
    XX, YY = np.meshgrid(xs, ys)                               # (R, R) each
    grid = np.column_stack([XX.ravel(), YY.ravel()])           # (R*R, 2)
    labels = _as_labels(predict(grid))                         # (R*R,)

    data_classes = np.unique(y)                                # labels as the data spells them
    classes = np.union1d(data_classes, np.unique(labels))     # sorted, incl. predicted-only labels
    index = np.searchsorted(classes, labels).reshape(XX.shape)  # (R, R) in 0..C-1
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(len(classes))]
    levels = np.arange(len(classes) + 1) - 0.5                 # one band per class index
    regions = ax.contourf(XX, YY, index, levels=levels, colors=colors, alpha=alpha)

    points = []
    for c in data_classes:
        i = int(np.searchsorted(classes, c))                   # same colour as its region
        mask = y == c
        points.append(ax.scatter(X[mask, 0], X[mask, 1], c=colors[i],
                                 marker=CLASS_MARKERS[i % len(CLASS_MARKERS)],
                                 edgecolors="k", linewidths=0.5, label=f"y = {c}"))
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return regions, points


def plot_linear_boundary(ax, w, b, *, xlim=None, label="$w^T x + b = 0$", show_normal=False, **line_kw):
    """Draw the line ``w[0] x1 + w[1] x2 + b = 0`` of a linear classifier.

    Vertical lines (``w[1] == 0``) are handled. With ``show_normal=True`` an arrow
    along ``w`` starts at the point of the line closest to the origin: the side it
    points to is classified positive.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    w : array_like, shape (2,)
        Weight vector (not all zero).
    b : float
        Bias.
    xlim : (float, float), optional
        Range of ``x1`` for the line; defaults to the current x-limits of ``ax``.
    label : str
        Legend label of the line.
    show_normal : bool
        Also draw the weight vector as an arrow.
    **line_kw
        Passed to ``ax.plot`` (e.g. ``color``, ``linestyle``).

    Returns
    -------
    matplotlib.lines.Line2D
        The boundary line.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> line = plot_linear_boundary(ax, [1.0, 1.0], -1.0, xlim=(0, 1))
    >>> line.get_xydata().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    w = np.asarray(w, dtype=float)
    if w.shape != (2,):
        raise ValueError(f"plot_linear_boundary: w must have shape (2,), got {w.shape}")
    if not np.any(w):
        raise ValueError("plot_linear_boundary: w must not be all zero (there is no line)")
    b = float(b)
    line_kw.setdefault("color", "k")
    if w[1] != 0:
        x1 = np.array(xlim if xlim is not None else ax.get_xlim(), dtype=float)  # (2,)
        x2 = (-b - w[0] * x1) / w[1]                                             # (2,)
    else:
        x2 = np.array(ax.get_ylim(), dtype=float)                                # (2,)
        x1 = np.full(2, -b / w[0])                                               # (2,)
    (line,) = ax.plot(x1, x2, label=label, **line_kw)
    if show_normal:
        foot = -b * w / (w @ w)                                # (2,) point of the line nearest 0
        ax.annotate("", xy=foot + w / np.linalg.norm(w), xytext=foot,
                    arrowprops={"arrowstyle": "->", "color": line_kw["color"]})
    return line


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
        style = "--" if name.startswith(("val", "test")) else "-"
        (line,) = ax.plot(epochs, values, style, label=name.replace("_", " "))
        lines.append(line)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(metric)
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
        Inches per image.
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
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                             squeeze=False)
    vmin, vmax = (images.min(), images.max()) if same_scale else (None, None)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
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
    (f_line,) = ax.plot(z, f(z), "-", label=f"{name}(z)")
    (df_line,) = ax.plot(z, df(z), "--", label=f"{name}'(z)")
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
