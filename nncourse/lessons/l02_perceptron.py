"""Lesson 02: the perceptron (the data sets and the figures of the notebook).

Every number the lesson teaches is computed in ``notebooks/02_perceptron.ipynb`` itself, with
numpy and :mod:`nnlib.perceptron`. This module only holds what is not the point of the lesson:
the generator of separable data with a known separator ``u* = (W_STAR, B_STAR)`` and the code
that draws the update-by-update figures.
"""

import numpy as np

from nncourse.plotting import plot_decision_boundary, plot_linear_boundary
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


def draw_update(ax, model, k, X, y, lim=(-1.15, 1.15), legend=True):
    """Draw the state of a fitted perceptron after its first ``k`` updates.

    Shades the two half-planes of the boundary after the update, draws the boundary before
    it (dashed) and after it (solid) with ``w`` as an arrow, and rings the example that
    caused the update. ``k = 0`` shows the start, ``w = 0, b = 0``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    model : nnlib.perceptron.Perceptron
        Fitted; its ``trace`` lists every update.
    k : int
        Number of updates applied, ``0 <= k <= len(model.trace)``.
    X, y : arrays (N, 2), (N,)
        The training data.
    lim : (float, float)
        Range of both axes.
    legend : bool
        Put a legend beside the axes.
    """
    n_steps = len(model.trace)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n_steps:
        raise ValueError(f"draw_update: k must be an int in [0, {n_steps}], got {k!r}")
    if k == 0:
        plot_decision_boundary(ax, lambda P: np.ones(len(P), dtype=int), X, y, xlim=lim, ylim=lim,
                               resolution=120)
        ax.set_title("start: w = 0, b = 0 (everything +1)", fontsize=10)
        return
    step = model.trace[k - 1]
    plot_decision_boundary(ax, lambda P: sign(P @ step.w_after + step.b_after), X, y,
                           xlim=lim, ylim=lim, resolution=120)
    if np.any(step.w_before != 0):
        plot_linear_boundary(ax, step.w_before, step.b_before, xlim=lim, linestyle="--", color="gray",
                             label="before")
    plot_linear_boundary(ax, step.w_after, step.b_after, xlim=lim, show_normal=True, label="after")
    ax.scatter(*step.x, s=220, facecolors="none", edgecolors="k", linewidths=2, label="updated on")
    ax.set_title(f"update {k} of {n_steps} (epoch {step.epoch + 1})", fontsize=10)
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_aspect("equal")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)

