"""Classifiers in the input plane: class regions, decision lines and class-styled points.

:mod:`nncourse.plotting` re-exports everything here. Class ``k`` (and -1/+1 as 0/1) has the same
colour and marker in every lesson (:mod:`nncourse.style`). :func:`plot_regions` and
:func:`update_regions` shade regions as an image, so a live figure recolours them in place.
"""

import numpy as np
from matplotlib.colors import to_rgba

from nncourse.style import CLASS_COLORS, CLASS_MARKERS, class_index

__all__ = ["plot_decision_boundary", "plot_regions", "update_regions", "scatter_classes", "plot_linear_boundary"]


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
    are drawn on top, one marker and colour per class (:func:`nncourse.style.class_style`: the same
    in every lesson; -1/+1 look like 0/1), labelled ``"y = <class>"``.

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
        The filled class regions (for a live figure use :func:`plot_regions`, which can be updated).
    points : list of matplotlib.collections.PathCollection
        One scatter per class present in ``y``, in the class's colour and marker.

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

    every = np.union1d(np.unique(y), np.unique(labels))       # -1/+1 or 0, 1, 2, ... together
    index = _style_index(labels, every).reshape(XX.shape)     # (R, R) class style index
    top = int(_style_index(every, every).max())
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(top + 1)]
    levels = np.arange(top + 2) - 0.5                          # one band per style index
    regions = ax.contourf(XX, YY, index, levels=levels, colors=colors, alpha=alpha)
    points = scatter_classes(ax, X, y, classes=every)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return regions, points


def _style_index(labels, every):
    """Style index of ``labels``; -1/+1 mode is chosen from all labels of the picture, ``every``."""
    labels = np.asarray(labels)
    if np.all(np.isin(every, (-1, 1))):
        return np.where(labels == -1, 0, 1)
    return class_index(labels)


def scatter_classes(ax, X, y, *, classes=None, **scatter_kw):
    """Scatter 2-D points, one colour and marker per class (the course's class style).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : array_like, shape (N, 2)
    y : array_like, shape (N,)
        Labels -1/+1 or 0, 1, 2, ...
    classes : array_like, optional
        Every label of the picture (decides whether -1/+1 style applies); default ``unique(y)``.
    **scatter_kw
        Passed to ``ax.scatter`` (e.g. ``s``, ``zorder``).

    Returns
    -------
    list of matplotlib.collections.PathCollection
        One per class present in ``y``, labelled ``"y = <class>"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> points = scatter_classes(ax, [[0, 0], [1, 1], [2, 2]], [-1, 1, 1])
    >>> [p.get_label() for p in points], [len(p.get_offsets()) for p in points]
    (['y = -1', 'y = 1'], [1, 2])
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    present = np.unique(y)
    every = present if classes is None else np.asarray(classes)
    scatter_kw.setdefault("edgecolors", "0.15")
    scatter_kw.setdefault("linewidths", 0.6)
    scatter_kw.setdefault("zorder", 3)
    points = []
    for c in present:
        k = int(_style_index([c], every)[0])
        mask = y == c
        label = f"y = {int(c) if float(c).is_integer() else c}"
        points.append(ax.scatter(X[mask, 0], X[mask, 1], color=CLASS_COLORS[k % len(CLASS_COLORS)],
                                 marker=CLASS_MARKERS[k % len(CLASS_MARKERS)], label=label, **scatter_kw))
    return points


def plot_regions(ax, predict, xlim, ylim, *, resolution=200, alpha=0.25, classes=None):
    """Shade the region of each class as an image that a live figure can update cheaply.

    Like the regions of :func:`plot_decision_boundary`, but drawn with ``imshow``, so
    :func:`update_regions` can recolour them in place when the classifier changes. The image lies
    just above the axes' grid (``zorder=0.6``), so a live figure redraws the regions without
    redrawing ticks and labels.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    predict : callable
        ``(M, 2)`` points -> labels ``(M,)`` (-1/+1 or 0, 1, ...) or scores ``(M, K)``.
    xlim, ylim : (float, float)
        The shaded rectangle.
    resolution : int
        Grid points per axis.
    alpha : float
        Opacity of the shading.
    classes : array_like, optional
        Every label the picture can show; pass ``[0, 1]`` (or ``[-1, 1]``) for a binary classifier
        so a region where only one class is predicted keeps its colour.

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> image = plot_regions(ax, lambda P: (P[:, 0] > 0).astype(int), (-1, 1), (-1, 1), resolution=4)
    >>> image.get_array().shape
    (4, 4, 4)
    >>> update_regions(image, lambda P: np.ones(len(P), dtype=int))
    >>> bool(np.all(image.get_array()[..., 0] == image.get_array()[0, 0, 0]))
    True
    """
    image = ax.imshow(np.zeros((resolution, resolution, 4)), origin="lower", extent=(*xlim, *ylim),
                      interpolation="bilinear", aspect="auto", zorder=0.6)  # above the grid: cheap updates
    image.nncourse_regions = {"alpha": alpha, "classes": None if classes is None else np.asarray(classes)}
    update_regions(image, predict)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return image


def update_regions(image, predict):
    """Recolour an image from :func:`plot_regions` for a new ``predict`` (same grid)."""
    x0, x1, y0, y1 = image.get_extent()
    resolution = image.get_array().shape[0]
    XX, YY = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))  # (R, R)
    grid = np.column_stack([XX.ravel(), YY.ravel()])                                          # (R*R, 2)
    labels = _as_labels(predict(grid)).reshape(XX.shape)                                      # (R, R)
    options = image.nncourse_regions
    every = np.unique(labels) if options["classes"] is None else options["classes"]
    index = _style_index(labels, every)
    palette = np.array([to_rgba(c, options["alpha"]) for c in CLASS_COLORS])                  # (10, 4)
    palette = np.round(255 * palette).astype(np.uint8)          # bytes: drawn about 1.4x faster than floats
    image.set_data(palette[index % len(CLASS_COLORS)])


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
