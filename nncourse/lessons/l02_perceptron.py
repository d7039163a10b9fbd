"""Lesson 02: the perceptron (the data sets and the figures of the notebook).

Every number the lesson teaches is computed in ``notebooks/02_perceptron.ipynb`` itself, with
numpy and :mod:`nnlib.perceptron`. This module only holds what is not the point of the lesson:
the generator of separable data with a known separator ``u* = (W_STAR, B_STAR)`` and the two
pictures the sliders change in place (:class:`UpdatePicture` for the update player,
:class:`MarginPicture` for the margin experiment).
"""

import numpy as np
from matplotlib.colors import to_rgba

from nncourse.plotting import scatter_classes
from nncourse.style import LINE_COLORS, class_style
from nnlib.perceptron import sign
from nnlib.validation import as_rng, check_in_range, check_positive_int

# A fixed separator for the convergence experiments: u* = (w*, b*) (not normalised).
W_STAR = np.array([1.0, -2.0])
B_STAR = 0.25


def make_margin_data(gamma, n_samples=40, rng=0):
    """Linearly separable 2-D data on which the separator ``u* = (w*, b*)`` has margin gamma.

    Points are drawn uniformly from the square ``[-1, 1]^2``; those closer than ``gamma``
    to the hyperplane ``u*`` (in the augmented space of :func:`nnlib.perceptron.margin`)
    are thrown away and redrawn, and the rest are labelled by the side of ``u*`` they lie
    on. Then the closest point on each side is slid along ``w*`` onto the distance
    ``gamma``, so the margin of ``u*`` is exactly ``gamma`` (up to rounding) and every
    change of ``gamma`` changes the data.

    Parameters
    ----------
    gamma : float
        Required margin, ``0 < gamma < 0.5``.
    n_samples : int
        Number of points kept.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray (N, 2)
    y : ndarray (N,) of -1/+1

    Examples
    --------
    >>> from nnlib.perceptron import margin
    >>> X, y = make_margin_data(0.1, rng=0)
    >>> X.shape, round(margin(W_STAR, B_STAR, X, y), 12)
    ((40, 2), 0.1)
    """
    gamma = check_in_range(gamma, "make_margin_data", "gamma", 0.0, 0.5, low_open=True, high_open=True)
    n_samples = check_positive_int(n_samples, "make_margin_data", "n_samples")
    rng = as_rng(rng)
    norm_u = np.sqrt(W_STAR @ W_STAR + B_STAR**2)  # ||(w*, b*)||
    kept = []
    while len(kept) < n_samples:
        P = rng.uniform(-1.0, 1.0, size=(4 * n_samples, 2))  # (4N, 2) candidates
        d = (P @ W_STAR + B_STAR) / norm_u  # (4N,) signed augmented distances
        kept.extend(P[np.abs(d) >= gamma])
    X = np.array(kept[:n_samples])  # (N, 2)
    d = (X @ W_STAR + B_STAR) / norm_u  # (N,)
    y = sign(d)  # (N,)
    for side in (-1, 1):
        on_side = np.flatnonzero(y == side)
        if on_side.size:
            n = on_side[np.argmin(np.abs(d[on_side]))]  # the closest point on this side
            X[n] += (side * gamma - d[n]) * norm_u / (W_STAR @ W_STAR) * W_STAR  # now d = side * gamma
    return X, y


def line_in_box(w, b, lim):
    """End points of the part of the line ``w . x + b = 0`` inside the square ``lim x lim``.

    Parameters
    ----------
    w : array_like (2,)
        Normal vector, not zero.
    b : float
    lim : (float, float)
        Range of both coordinates.

    Returns
    -------
    numpy.ndarray (2, 2) or None
        Rows are the two end points; None when the line misses the square.

    Examples
    --------
    >>> line_in_box([1.0, 0.0], -0.5, (-1.0, 1.0)).tolist()     # the vertical line x1 = 0.5
    [[0.5, -1.0], [0.5, 1.0]]
    >>> line_in_box([1.0, 0.0], -2.0, (-1.0, 1.0)) is None
    True
    """
    w = np.asarray(w, dtype=float)
    foot = -float(b) * w / (w @ w)  # (2,) the point of the line nearest the origin
    d = np.array([-w[1], w[0]]) / np.linalg.norm(w)  # (2,) unit direction along the line
    low, high = -np.inf, np.inf
    for i in range(2):  # keep lim[0] <= foot[i] + t d[i] <= lim[1]
        if abs(d[i]) < 1e-15:
            if not lim[0] <= foot[i] <= lim[1]:
                return None
            continue
        t0, t1 = sorted(((lim[0] - foot[i]) / d[i], (lim[1] - foot[i]) / d[i]))
        low, high = max(low, t0), min(high, t1)
    if low >= high:
        return None
    return np.array([foot + low * d, foot + high * d])  # (2, 2)


def half_plane(w, b, lim, side=1):
    """Corners of the part of the square ``lim x lim`` where ``side * (w . x + b) >= 0``.

    The region a linear classifier gives to class ``side``, as a polygon: a live figure moves it
    with ``polygon.set_xy`` instead of recolouring an image, which keeps every frame cheap.

    Parameters
    ----------
    w : array_like (2,)
    b : float
    lim : (float, float)
    side : {1, -1}

    Returns
    -------
    numpy.ndarray (K, 2)
        Corners in order (K = 0 when the region is empty).

    Examples
    --------
    >>> half_plane([1.0, 0.0], 0.0, (-1.0, 1.0)).tolist()        # x1 >= 0
    [[0.0, -1.0], [1.0, -1.0], [1.0, 1.0], [0.0, 1.0]]
    """
    w = np.asarray(w, dtype=float)
    box = np.array([[lim[0], lim[0]], [lim[1], lim[0]], [lim[1], lim[1]], [lim[0], lim[1]]])  # (4, 2)
    score = side * (box @ w + b)  # (4,) >= 0 inside the half-plane
    corners = []
    for i in range(4):  # walk the edges of the square, keep the inside part (Sutherland-Hodgman)
        p, q, sp, sq = box[i], box[(i + 1) % 4], score[i], score[(i + 1) % 4]
        if sp >= 0:
            corners.append(p)
        if (sp >= 0) != (sq >= 0):
            corners.append(p + sp / (sp - sq) * (q - p))  # where the edge crosses the line
    return np.array(corners).reshape(-1, 2) + 0.0


def _region_patches(ax, alpha=0.25, zorder=2.6):
    """Two polygons shading the regions of class -1 and +1 in the course's class colours."""
    return {side: ax.fill([], [], color=to_rgba(class_style(side)["color"], alpha), linewidth=0,
                          zorder=zorder)[0] for side in (-1, 1)}


def _set_regions(patches, w, b, lim):
    for side, patch in patches.items():
        corners = half_plane(w, b, lim, side) if np.any(np.asarray(w) != 0) else (
            half_plane([0.0, 0.0], 1.0, lim, side))  # w = 0: sign(b) decides everywhere
        patch.set_xy(corners if len(corners) else np.zeros((1, 2)))


def _arrow_inside(segment, w, lim, length):
    """Tail and tip of an arrow along ``w``, perpendicular to ``segment``, inside the square.

    The arrow starts on the boundary (tails from the middle of the segment outwards, then shorter
    arrows); where the +1 side has no room it ends on the boundary instead. None if nothing fits.
    """
    normal = np.asarray(w, dtype=float) / np.linalg.norm(w)  # (2,)
    low, high = lim[0] + 0.03, lim[1] - 0.03
    for start_on_line in (True, False):
        for scale in (1.0, 0.6, 0.35):
            for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
                on_line = segment[0] + t * (segment[1] - segment[0])  # (2,)
                step = scale * length * normal  # (2,)
                tail, tip = (on_line, on_line + step) if start_on_line else (on_line - step, on_line)
                if np.all((tail >= low) & (tail <= high) & (tip >= low) & (tip <= high)):
                    return tail, tip
    return None


class UpdatePicture:
    """The perceptron after its first ``k`` updates, drawn once and changed in place by :meth:`show`.

    Shows the two half-planes after the update, the boundary before it (dashed) and after it
    (solid), ``w`` as an arrow that starts (or, near the edge, ends) on the visible boundary and
    stays inside the axes (perpendicular to the boundary: the axes have equal aspect), and rings
    the example that caused the update. Class colours and
    markers are the course's; the legend sits beside the axes, off the data.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    model : nnlib.perceptron.Perceptron
        Fitted; its ``trace`` lists every update.
    X, y : arrays (N, 2), (N,)
        The training data, labels -1/+1.
    lim : (float, float)
        Range of both axes.
    legend : bool
        Put a legend beside the axes.
    arrow_length : float
        Length of the drawn ``w`` (its direction is what matters).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from nnlib.perceptron import Perceptron
    >>> X, y = make_margin_data(0.05, n_samples=20, rng=3)
    >>> picture = UpdatePicture(Figure().subplots(), Perceptron().fit(X, y), X, y)
    >>> picture.show(2)
    'update 2: example 3 (y = +1) was misclassified; now w = (0.77, -0.55), b = +0.0'
    """

    def __init__(self, ax, model, X, y, lim=(-1.15, 1.15), legend=True, arrow_length=0.45):
        self.ax, self.model, self.lim, self.arrow_length = ax, model, lim, arrow_length
        # Everything that changes sits above the axes' grid and ticks (zorder >= 2.6), so a new
        # frame redraws only these artists, not the axes.
        self.regions = _region_patches(ax)
        scatter_classes(ax, X, y, classes=[-1, 1], zorder=3)
        (self.before,) = ax.plot([], [], linestyle="--", color="0.35", linewidth=1.6, zorder=2.7,
                                 label="boundary before")
        (self.after,) = ax.plot([], [], color="k", linewidth=2.2, zorder=2.8, label="boundary after")
        self.arrow = ax.annotate("", xy=(9.0, 9.0), xytext=(9.0, 9.0), annotation_clip=True, zorder=3.5,
                                 arrowprops={"arrowstyle": "-|>", "color": "k", "linewidth": 2.2,
                                             "mutation_scale": 18})
        self.ring = ax.scatter([], [], s=320, facecolors="none", edgecolors="k", linewidths=2.0, zorder=4,
                               label="updated on")
        (self._arrow_key,) = ax.plot([], [], color="k", marker=r"$\rightarrow$", markersize=15, linestyle="none",
                                     label="$w$, towards $+1$")
        ax.set_xlim(lim)
        ax.set_ylim(lim)
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        if legend:  # a figure legend beside the axes: off the data, and never redrawn
            ax.figure.legend(handles=ax.get_legend_handles_labels()[0], loc="outside right upper")

    def state(self, k):
        """``(w, b, step)`` after ``k`` updates; ``step`` is the update that got there (None for 0)."""
        n_steps = len(self.model.trace)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n_steps:
            raise ValueError(f"UpdatePicture: k must be an int in [0, {n_steps}], got {k!r}")
        if k == 0:
            first = self.model.trace[0] if n_steps else None
            w = first.w_before if first else self.model.w
            return w, (first.b_before if first else self.model.b), None
        step = self.model.trace[k - 1]
        return step.w_after, step.b_after, step

    def show(self, k):
        """Change the picture to the state after ``k`` updates; return a one-line description."""
        w, b, step = self.state(k)
        _set_regions(self.regions, w, b, self.lim)
        self._set_line(self.after, w, b)
        self._set_line(self.before, *(step.w_before, step.b_before) if step else (np.zeros(2), 0.0))
        segment = line_in_box(w, b, self.lim) if np.any(w != 0) else None
        tail_tip = None if segment is None else _arrow_inside(segment, w, self.lim, self.arrow_length)
        # an arrow whose tip lies outside the axes is not drawn (annotation_clip): no visibility
        # change, so the frame stays a cheap redraw of the changed artists
        tail, tip = tail_tip if tail_tip is not None else ((9.0, 9.0), (9.0, 9.0))
        self.arrow.xyann = tuple(tail)
        self.arrow.xy = tuple(tip)
        self.ring.set_offsets(np.reshape(step.x, (1, 2)) if step else np.empty((0, 2)))
        if step is None:
            self.ax.set_title(f"start: w = 0, b = {b:g} (everything +1)")
            return "start: w = 0, b = 0, so every point is classified +1"
        self.ax.set_title(f"update {k} of {len(self.model.trace)} (epoch {step.epoch + 1})")
        return (f"update {k}: example {step.index} (y = {step.y:+d}) was misclassified; "
                f"now w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:+.1f}")

    def _set_line(self, line, w, b):
        segment = line_in_box(w, b, self.lim) if np.any(np.asarray(w) != 0) else None
        line.set_data(*(segment.T if segment is not None else ([], [])))


class MarginPicture:
    """The margin experiment, drawn once and changed in place by :meth:`show`.

    Left: the data, the separator ``u*`` (dotted) with the band of the requested margin around it
    (points may not enter it), and the boundary the perceptron learned (solid, regions shaded).
    Right: the number of updates of every presentation order against Novikoff's bound, on fixed
    logarithmic axes so that moving a slider never rescales them. Titles are plain text and the
    legend sits below both axes, so a new frame redraws only what changed.

    Parameters
    ----------
    axes : pair of matplotlib.axes.Axes
    max_orders : int
        Largest number of orders the slider offers (fixes the x-axis of the right panel).
    lim : (float, float)
        Range of both axes of the left panel.
    """

    def __init__(self, axes, max_orders=20, lim=(-1.1, 1.1)):
        left, right = axes
        self.lim = lim
        self.regions = _region_patches(left)
        self.points = scatter_classes(left, np.zeros((2, 2)), np.array([-1, 1]), classes=[-1, 1], s=25)
        self.band = [left.plot([], [], color=LINE_COLORS[1], linestyle="--", linewidth=1.2, zorder=2.7,
                               label="requested margin" if i == 0 else "_band")[0] for i in range(2)]
        (self.star,) = left.plot([], [], color=LINE_COLORS[1], linestyle=":", linewidth=2.2, zorder=2.7,
                                 label="$u_*$")
        (self.learned,) = left.plot([], [], color="k", linewidth=2.0, zorder=2.8, label="learned")
        left.set_xlim(lim)
        left.set_ylim(lim)
        left.set_aspect("equal")
        left.set_xlabel("$x_1$")
        left.set_ylabel("$x_2$")
        (self.updates,) = right.plot([], [], "o", color=LINE_COLORS[0], zorder=3, label="updates of each order")
        self.bound = right.axhline(1.0, color=LINE_COLORS[1], linestyle="--", zorder=2.7,
                                   label=r"bound $(R/\gamma)^2$")
        right.set_yscale("log")
        right.set_ylim(0.8, 3e4)
        right.set_xlim(0.5, max_orders + 0.5)
        right.set_xlabel("order (1 = data order, others shuffled)")
        right.set_ylabel("number of updates")
        right.xaxis.get_major_locator().set_params(integer=True)
        handles = left.get_legend_handles_labels()[0][2:] + right.get_legend_handles_labels()[0]
        left.figure.legend(handles=handles, loc="outside lower center", ncol=5)  # off the changing axes
        self.left, self.right = left, right

    def show(self, run):
        """Draw one run of the experiment: a dict with ``X``, ``y``, ``model``, ``gamma_req``,
        ``gamma``, ``R``, ``bound`` and ``updates`` (as the notebook's ``count_updates`` returns)."""
        X, y, model = run["X"], run["y"], run["model"]
        for points, label in zip(self.points, (-1, 1)):
            points.set_offsets(X[y == label])
        norm_u = np.linalg.norm(np.append(W_STAR, B_STAR))
        for line, side in zip(self.band, (-1, 1)):  # w*.x + b* = +-gamma ||u*||: distance gamma from u*
            segment = line_in_box(W_STAR, B_STAR - side * run["gamma_req"] * norm_u, self.lim)
            line.set_data(*(segment.T if segment is not None else ([], [])))
        self.star.set_data(*line_in_box(W_STAR, B_STAR, self.lim).T)
        segment = line_in_box(model.w, model.b, self.lim)
        self.learned.set_data(*(segment.T if segment is not None else ([], [])))
        _set_regions(self.regions, model.w, model.b, self.lim)
        self.left.set_title(f"requested γ = {run['gamma_req']:.2f}, margin of u* = {run['gamma']:.3f}")
        orders = np.arange(1, len(run["updates"]) + 1)
        self.updates.set_data(orders, run["updates"])
        self.bound.set_ydata([run["bound"], run["bound"]])
        self.right.set_title(f"R = {run['R']:.3f}, bound = {run['bound']:.0f}")
