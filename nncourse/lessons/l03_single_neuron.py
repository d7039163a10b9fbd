"""Lesson 03: a single neuron (the data sets and the loss-surface figures of the notebook).

Every formula of ``notebooks/03_single_neuron.ipynb`` (forward pass, MSE and BCE gradients, the
gradient-descent loops) is computed in the notebook itself with numpy and checked against nnlib.
This module only makes the one-feature data sets and draws paths of gradient descent over the
loss surface ``L(w, b)``.
"""

import numpy as np
from matplotlib.ticker import FuncFormatter, LogFormatter

from nnlib.validation import as_rng, check_array, check_positive, check_positive_int


def make_line_data(n=40, w_true=2.0, b_true=-1.0, noise=0.5, x_std=2.0, rng=0):
    """Noisy points around the line ``y = w_true x + b_true`` for the linear unit.

    The inputs are centred and scaled to standard deviation exactly ``x_std``, so the mean
    squared error is a bowl whose curvature along ``w`` is ``2 x_std^2`` and along ``b``
    is ``2``.

    Parameters
    ----------
    n : int
        Number of examples.
    w_true, b_true : float
        The line the data scatter around.
    noise : float
        Standard deviation of the Gaussian noise on ``y``.
    x_std : float
        Standard deviation of the inputs.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    x, y : numpy.ndarray, shape (n,) each

    Examples
    --------
    >>> x, y = make_line_data(n=10, rng=0)
    >>> x.shape, y.shape, round(float(x.mean()), 12), round(float(x.std()), 12)
    ((10,), (10,), 0.0, 2.0)
    """
    n = check_positive_int(n, "make_line_data", "n")
    x_std = check_positive(x_std, "make_line_data", "x_std")
    rng = as_rng(rng)
    x = rng.uniform(-1.0, 1.0, size=n)  # (n,)
    x = (x - x.mean()) / x.std() * x_std  # (n,) mean 0, std x_std
    y = w_true * x + b_true + noise * rng.standard_normal(n)  # (n,)
    return x, y


def make_two_class_data(n=40, centres=(-1.0, 1.5), spread=1.2, rng=0):
    """One-feature, two-class data for the logistic unit (labels 0 and 1).

    Parameters
    ----------
    n : int
        Total number of examples (half per class, rounded down for class 0).
    centres : tuple of float
        Mean input of class 0 and of class 1.
    spread : float
        Standard deviation of each class around its centre.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    x : numpy.ndarray, shape (n,)
    y : numpy.ndarray, shape (n,), entries 0.0 or 1.0

    Examples
    --------
    >>> x, y = make_two_class_data(n=6, rng=0)
    >>> x.shape, y.tolist()
    ((6,), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    n = check_positive_int(n, "make_two_class_data", "n")
    rng = as_rng(rng)
    n0 = n // 2
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])  # (n,)
    means = np.where(y == 1.0, centres[1], centres[0])  # (n,)
    x = means + spread * rng.standard_normal(n)  # (n,)
    return x, y


def loss_surface(x, y, w_range=(-2.0, 6.0), b_range=(-5.0, 3.0), num=61):
    """The mean squared error ``L(w, b)`` of a one-feature linear unit on a grid, for contour plots.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One-feature data.
    w_range, b_range : tuple of float
        Plotted intervals.
    num : int
        Grid points per axis.

    Returns
    -------
    w_grid, b_grid, L : numpy.ndarray
        ``w_grid`` (num,), ``b_grid`` (num,), ``L`` (num, num) with ``L[i, j]`` the loss at
        ``b = b_grid[i]``, ``w = w_grid[j]`` (the layout ``plt.contour`` expects).

    Examples
    --------
    >>> w, b, L = loss_surface([0.0, 1.0], [0.0, 1.0], num=3, w_range=(0.0, 2.0), b_range=(-1.0, 1.0))
    >>> float(L[1, 1])                 # w = 1, b = 0 fits both points exactly
    0.0
    """
    x = check_array(x, "loss_surface", ("n",), "x")
    y = check_array(y, "loss_surface", x.shape, "y")
    num = check_positive_int(num, "loss_surface", "num")
    w_grid = np.linspace(*w_range, num)  # (num,)
    b_grid = np.linspace(*b_range, num)  # (num,)
    A = w_grid[None, :, None] * x + b_grid[:, None, None]  # (num, num, n) outputs of every neuron
    return w_grid, b_grid, np.mean((A - y) ** 2, axis=2)  # (num, num)


PATH_STYLES = (
    {"color": "#0072B2", "marker": "o", "linestyle": "-", "linewidth": 2.0, "markersize": 4},
    {"color": "#D55E00", "marker": "s", "linestyle": "--", "linewidth": 1.3, "markersize": 3},
    {"color": "#CC79A7", "marker": ".", "linestyle": ":", "linewidth": 1.0, "markersize": 3},
)
"""Colour, marker and line style of the first, second and third path (batch, mini-batch, stochastic).

None of them is green (the loss contours are grey) and each has its own marker and line style, so
the paths are told apart without colour. Use them for the loss curves of the same runs too."""


def log_ticks(ax, axis="y"):
    """Plain tick labels on a logarithmic axis: 10, 100, 1000 (20, 30, 40 when it spans less than
    a decade and a bit) instead of matplotlib's 4x10^1.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots(); _ = ax.semilogy([0, 1], [20.0, 45.0])
    >>> log_ticks(ax)
    >>> ax.yaxis.get_major_formatter()(1000.0), ax.yaxis.get_minor_formatter()(40.0)
    ('1000', '40')
    """
    if axis not in ("x", "y"):
        raise ValueError(f"log_ticks: axis must be 'x' or 'y', got {axis!r}")
    target = getattr(ax, f"{axis}axis")
    target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    target.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1.2, 0.5)))


def plot_paths(ax, w_grid, b_grid, L, paths, legend=True):
    """Grey contours of ``L(w, b)`` with one or more gradient-descent paths on top.

    Paths are drawn in reverse order of ``paths`` (the first one last, on top), each with its
    own colour, marker and line style (:data:`PATH_STYLES`); the start is marked with a black
    cross and the minimum of the grid with a star. A live figure moves a path with
    :func:`set_path`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    w_grid, b_grid, L : arrays (num,), (num,), (num, num)
        As returned by :func:`loss_surface`.
    paths : dict
        Label -> array (U + 1, 2) of ``(w, b)`` after every update.
    legend : bool

    Returns
    -------
    list of matplotlib.lines.Line2D
        The path lines, in the order of ``paths``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> w, b, L = loss_surface([0.0, 1.0], [0.0, 1.0], num=5)
    >>> lines = plot_paths(Figure().subplots(), w, b, L, {"batch": np.array([[0.0, 0.0], [0.5, 0.1]])})
    >>> [line.get_label() for line in lines]
    ['batch']
    """
    if not 1 <= len(paths) <= len(PATH_STYLES):
        raise ValueError(f"plot_paths: paths must hold 1 to {len(PATH_STYLES)} paths, got {len(paths)}")
    levels = np.geomspace(L.min() + 0.05, L.max(), 15)
    ax.contour(w_grid, b_grid, L, levels=levels, colors="0.75", linewidths=0.8)
    i, j = np.unravel_index(np.argmin(L), L.shape)
    ax.plot(w_grid[j], b_grid[i], "*", color="k", markersize=11, label="minimum", zorder=4)
    lines = []
    for (label, path), style in reversed(list(zip(paths.items(), PATH_STYLES))):
        (line,) = ax.plot([], [], label=label, zorder=3, **style)
        set_path(line, path)
        lines.append(line)
    first = np.asarray(next(iter(paths.values())), dtype=float)[0]
    ax.plot(*first, "x", color="k", markersize=8, markeredgewidth=2, label="start", zorder=4)
    ax.set_xlim(w_grid[0], w_grid[-1])
    ax.set_ylim(b_grid[0], b_grid[-1])
    ax.set_xlabel("weight $w$")
    ax.set_ylabel("bias $b$")
    if legend:
        ax.legend(loc="upper right")
    return lines[::-1]


def set_path(line, path):
    """Show a path of ``(w, b)`` points on a line of :func:`plot_paths` (points far outside dropped).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> (line,) = Figure().subplots().plot([], [])
    >>> set_path(line, np.array([[0.0, 1.0], [1e9, 0.0], [0.5, 0.5]]))
    >>> line.get_xydata().tolist()
    [[0.0, 1.0], [0.5, 0.5]]
    """
    path = np.asarray(path, dtype=float)  # (U + 1, 2)
    inside = np.all(np.abs(path) < 1e3, axis=1)  # diverging paths leave the picture
    line.set_data(path[inside, 0], path[inside, 1])
