"""Lesson 13 -- figures for ``notebooks/13_convolution.ipynb`` (the maths is in the notebook's cells).

Every number of the lesson (the SAP deck's 5x5 example, the output-size formula, channels,
parameter counts, the backward pass) is computed in the notebook with numpy and
:mod:`nnlib.conv`. This module only draws, in the course style, and updates what it drew in place
(for :func:`nncourse.widgets.live`):

* :func:`show_grid` / :func:`update_grid` -- a small matrix with its numbers written in the cells
  (white on dark cells, black on light ones);
* :func:`frame` / :func:`move_frame` -- a window frame with a white halo, visible on any cell;
* :func:`output_size_figure` / :func:`update_output_size` -- where the windows of a convolution
  with kernel size ``k``, padding ``p`` and stride ``s`` lie on an input of size ``n``.
"""

import matplotlib.patheffects as path_effects
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from nncourse import style
from nnlib.conv import conv_output_size
from nnlib.validation import check_array, check_nonnegative, check_positive_int

FRAME_COLOR = style.OKABE_ITO["vermillion"]
_HALO = [path_effects.withStroke(linewidth=5.5, foreground="white"), path_effects.Normal()]

#: Cells of the output-size picture: zero padding, input pixel, padded position no window covers.
SIZE_CMAP = ListedColormap(["white", "#D9D9D9", "#F5C890"])


def frame(ax, top, left, height, width=None, color=FRAME_COLOR, linewidth=3.0):
    """Draw a window frame around cells ``top .. top + height - 1``, ``left .. left + width - 1``.

    The frame has a white halo underneath, so it stays visible on dark cells too.
    Returns the ``Rectangle`` (move it with :func:`move_frame`).
    """
    patch = Rectangle((0, 0), 1, 1, fill=False, edgecolor=color, linewidth=linewidth, zorder=4)  # above the texts (3)
    patch.set_path_effects(_HALO)
    ax.add_patch(patch)
    move_frame(patch, top, left, height, width)
    return patch


def move_frame(patch, top, left, height, width=None):
    """Put a frame made by :func:`frame` around another block of cells."""
    width = height if width is None else width
    patch.set_xy((left - 0.5, top - 0.5))
    patch.set_width(width)
    patch.set_height(height)
    return patch


def show_grid(ax, M, title="", box=None, fmt="{:g}", cmap="Blues", vmin=None, vmax=None, fontsize=10):
    """Show a small matrix as coloured cells with its numbers written in them.

    Parameters
    ----------
    ax : matplotlib Axes
    M : array_like, shape (rows, columns)
        ``nan`` leaves a cell empty.
    title : str
    box : tuple (top, left, size), optional
        Frame a ``size x size`` window (see :func:`frame`); the frame is ``image.frame``.
    fmt : str
        Format of the numbers.
    cmap : str
        Colour map; ``"RdBu_r"`` (diverging) is centred on zero.
    vmin, vmax : float, optional
        Ends of the colour scale (default: from the values, including 0); fix them when the grid
        will be updated with other values.
    fontsize : int

    Returns
    -------
    matplotlib.collections.QuadMesh
        The cells (a mesh: about 10x faster to redraw than an image); ``image.texts`` lists the
        cell texts, row-major (see :func:`update_grid`).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> image = show_grid(ax, [[0.0, 9.0]], box=(0, 1, 1))
    >>> [(t.get_text(), t.get_color()) for t in image.texts]
    [('0', 'black'), ('9', 'white')]
    """
    M = check_array(M, "show_grid", shape=("rows", "columns"), name="M", allow_nan=True)
    finite = M[np.isfinite(M)] if np.isfinite(M).any() else np.zeros(1)
    if cmap == style.DIVERGING_CMAP:  # signed values: white = 0
        lim = vmax if vmax is not None else (np.abs(finite).max() or 1.0)
        vmin, vmax = -lim, lim
    else:
        vmin = min(finite.min(), 0.0) if vmin is None else vmin
        vmax = max(finite.max(), 1.0) if vmax is None else vmax
    rows, columns = M.shape
    image = ax.pcolormesh(np.arange(columns + 1) - 0.5, np.arange(rows + 1) - 0.5, M, cmap=cmap, vmin=vmin,
                          vmax=vmax, zorder=0.6)  # one square per cell, above the axis: cheap to redraw
    image.fmt = fmt
    image.texts = [ax.text(c, r, "", ha="center", va="center", fontsize=fontsize)
                   for (r, c), _ in np.ndenumerate(M)]
    update_grid(image, M)
    image.frame = None if box is None else frame(ax, box[0], box[1], box[2])
    ax.set_xticks(range(M.shape[1]))
    ax.set_yticks(range(M.shape[0]))
    ax.grid(False)
    ax.set_aspect("equal")                       # square cells
    ax.set_xlim(-0.6, M.shape[1] - 0.4)
    ax.set_ylim(M.shape[0] - 0.4, -0.6)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    return image


def update_grid(image, M):
    """Give a grid made by :func:`show_grid` new values of the same shape (colours and numbers).

    ``nan`` leaves a cell empty (no colour, no number).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> image = show_grid(ax, [[0.0, 1.0]], vmax=4.0)
    >>> _ = update_grid(image, [[4.0, 0.5]])
    >>> [(t.get_text(), t.get_color()) for t in image.texts]
    [('4', 'white'), ('0.5', 'black')]
    """
    M = np.asarray(M, dtype=float)
    if len(image.texts) != M.size:
        raise ValueError(f"update_grid: the grid has {len(image.texts)} cells, got values of shape {M.shape}")
    image.set_array(M)
    image.changed()                              # new colours: redraw the cells
    for text, value in zip(image.texts, M.ravel()):
        if not np.isfinite(value):  # an empty cell
            text.set_text("")
            continue
        text.set_text(image.fmt.format(value))
        text.set_color(style.text_color_on(image.cmap(image.norm(value))))
    return image


def window_starts(n, k, p, s):
    """First index of every window along one axis of the padded input, and the unused positions.

    Returns
    -------
    starts : list of int
        ``0, s, 2s, ...`` as long as a whole window fits into ``n + 2p``.
    unused : list of int
        Padded positions that no window covers (when ``s`` does not divide ``n - k + 2p``).

    Examples
    --------
    >>> window_starts(6, 3, 0, 2)
    ([0, 2], [5])
    """
    out = conv_output_size(n, k, p, s)
    starts = [s * t for t in range(out)]
    return starts, list(range(starts[-1] + k, n + 2 * p))


def output_size_figure(ax):
    """Draw the (empty) picture of :func:`update_output_size` once; return its artists."""
    artists = {
        "cells": ax.imshow(np.zeros((1, 1)), cmap=SIZE_CMAP, vmin=0, vmax=2, zorder=0.6),
        "centres": ax.plot([], [], "o", color=style.OKABE_ITO["blue"], markersize=5, zorder=4)[0],
        "first": frame(ax, 0, 0, 1),
        "last": frame(ax, 0, 0, 1, linewidth=2.0),
        "message": ax.text(0.5, 0.5, "", ha="center", va="center", transform=ax.transAxes, wrap=True),
        "title": ax.set_title("", fontsize=10),
        "lines": ax.add_collection(LineCollection([], colors="0.3", linewidths=0.5, zorder=1)),
        "size": None,  # the padded size shown; the limits change only when it does
    }
    artists["last"].set_linestyle("--")
    ax.set_xlabel("column of the padded input")
    ax.set_ylabel("row of the padded input")
    ax.grid(False)
    ax.set_xticks([])  # no tick labels to redraw; the title gives the numbers
    ax.set_yticks([])
    return artists


def update_output_size(artists, n, k, p, s):
    """Show the windows of a ``k``-wide kernel with padding ``p`` and stride ``s`` on an ``n x n`` input.

    Grey cells are the input, white cells the zero padding, orange cells padded positions no window
    covers; a dot marks the centre of every window position, frames the first (solid) and the last
    (dashed) window. If the kernel does not fit, the picture says why instead.

    Returns
    -------
    int or None
        The output size, or None if the kernel does not fit.
    """
    for name, value in (("n", n), ("k", k), ("s", s)):
        check_positive_int(value, "update_output_size", name)
    check_nonnegative(p, "update_output_size", "p")
    ax = artists["cells"].axes
    try:
        out = conv_output_size(n, k, p, s)
    except ValueError as err:
        for name in ("cells", "centres", "first", "last", "lines"):
            artists[name].set_visible(False)
        artists["message"].set_text(str(err).replace(": ", ":\n", 1))
        artists["title"].set_text("")
        return None
    P = n + 2 * p
    starts, unused = window_starts(n, k, p, s)
    grid = np.zeros((P, P))
    grid[p:P - p, p:P - p] = 1.0  # input pixels
    grid[unused, :] = 2.0  # rows and columns no window reaches
    grid[:, unused] = 2.0
    artists["cells"].set_data(grid)
    artists["cells"].set_extent((-0.5, P - 0.5, P - 0.5, -0.5))
    centres = np.array(starts) + (k - 1) / 2
    cx, cy = np.meshgrid(centres, centres)
    artists["centres"].set_data(cx.ravel(), cy.ravel())
    move_frame(artists["first"], starts[0], starts[0], k)
    move_frame(artists["last"], starts[-1], starts[-1], k)
    for name in ("cells", "centres", "first", "last", "lines"):
        artists[name].set_visible(True)
    artists["message"].set_text("")
    exact = (n - k + 2 * p) / s + 1
    artists["title"].set_text(f"output {out} x {out}:  ({n} - {k} + 2*{p}) / {s} + 1 = {exact:g}"
                              + ("" if exact == out else f" -> {out}"))
    if artists["size"] != P:  # new limits cost a full redraw: only when the size changes
        edges = np.arange(-0.5, P)
        artists["lines"].set_segments([[(e, -0.5), (e, P - 0.5)] for e in edges]
                                      + [[(-0.5, e), (P - 0.5, e)] for e in edges])  # cell borders
        ax.set_xlim(-0.6, P - 0.4)
        ax.set_ylim(P - 0.4, -0.6)
        artists["size"] = P
    return out
