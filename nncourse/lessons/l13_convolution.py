"""Lesson 13 -- figures for ``notebooks/13_convolution.ipynb`` (the maths is in the notebook's cells).

Every number of the lesson (the SAP deck's 5x5 example, the output-size formula, channels,
parameter counts, the backward pass) is computed in the notebook with numpy and
:mod:`nnlib.conv`. This module only draws:

* :func:`show_grid` -- a small matrix with its numbers written in the cells (light text on
  dark cells, dark text on light ones) and, optionally, a frame around a window;
* :func:`draw_output_size` -- where the windows of a convolution with kernel size ``k``,
  padding ``p`` and stride ``s`` lie on an input of size ``n`` (the output-size slider).
"""

import matplotlib.patheffects as path_effects
import numpy as np
from matplotlib.patches import Rectangle

from nnlib.conv import conv_output_size
from nnlib.validation import check_array, check_nonnegative, check_positive_int

FRAME_COLOR = "#D55E00"  # vermillion (Okabe-Ito): visible on light and dark cells alike
_HALO = [path_effects.withStroke(linewidth=5.5, foreground="white")]


def text_color_on(rgba):
    """Black or white, whichever is easier to read on the colour ``rgba``.

    Uses the relative luminance of the sRGB colour (WCAG): below 0.4 the background is
    dark and the text white.

    Examples
    --------
    >>> text_color_on((0.0, 0.0, 0.3, 1.0)), text_color_on((0.9, 0.9, 1.0, 1.0))
    ('white', 'black')
    """
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgba[:3])
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4 else "black"


def frame(ax, top, left, height, width=None, color=FRAME_COLOR, linewidth=3.0):
    """Draw a window frame around cells ``top .. top + height - 1``, ``left .. left + width - 1``.

    The frame has a white halo underneath, so it stays visible on dark cells too.
    Returns the ``Rectangle``.
    """
    width = height if width is None else width
    patch = Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                      linewidth=linewidth, zorder=3)
    patch.set_path_effects(_HALO + [path_effects.Normal()])
    ax.add_patch(patch)
    return patch


def show_grid(ax, M, title="", box=None, fmt="{:g}", cmap="Blues", fontsize=10):
    """Show a small matrix as coloured cells with its numbers written in them.

    Parameters
    ----------
    ax : matplotlib Axes
    M : array_like, shape (rows, columns)
    title : str
    box : tuple (top, left, size), optional
        Frame a ``size x size`` window (see :func:`frame`).
    fmt : str
        Format of the numbers.
    cmap : str
        Colour map; ``"RdBu_r"`` (diverging) is centred on zero.
    fontsize : int

    Returns
    -------
    matplotlib.image.AxesImage
        The image; ``image.texts`` lists the cell texts, row-major.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> image = show_grid(ax, [[0.0, 9.0]], box=(0, 1, 1))
    >>> [(t.get_text(), t.get_color()) for t in image.texts]
    [('0', 'black'), ('9', 'white')]
    >>> plt.close(fig)
    """
    M = check_array(M, "show_grid", shape=("rows", "columns"), name="M")
    if cmap == "RdBu_r":  # signed values: white = 0
        lim = np.abs(M).max() or 1.0
        image = ax.imshow(M, cmap=cmap, vmin=-lim, vmax=lim)
    else:
        image = ax.imshow(M, cmap=cmap, vmin=min(M.min(), 0.0), vmax=max(M.max(), 1.0))
    image.texts = []
    for (r, c), v in np.ndenumerate(M):
        color = text_color_on(image.cmap(image.norm(v)))
        image.texts.append(ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=fontsize,
                                   color=color))
    if box is not None:
        top, left, size = box
        frame(ax, top, left, size)
    ax.set_xticks(range(M.shape[1]))
    ax.set_yticks(range(M.shape[0]))
    ax.set_xlim(-0.6, M.shape[1] - 0.4)
    ax.set_ylim(M.shape[0] - 0.4, -0.6)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
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


def draw_output_size(ax, n, k, p, s):
    """Draw the windows of a ``k``-wide kernel with padding ``p`` and stride ``s`` on an ``n x n`` input.

    Grey cells are the input, white cells the zero padding; a dot marks the centre of every
    window position, frames show the first and the last window, hatched cells are never
    covered. If the kernel does not fit, the axes show the reason instead.

    Returns
    -------
    int or None
        The output size, or None if the kernel does not fit.
    """
    for name, value in (("n", n), ("k", k), ("s", s)):
        check_positive_int(value, "draw_output_size", name)
    check_nonnegative(p, "draw_output_size", "p")
    ax.clear()
    try:
        out = conv_output_size(n, k, p, s)
    except ValueError as err:
        ax.text(0.5, 0.5, str(err).replace(": ", ":\n", 1), ha="center", va="center", wrap=True,
                transform=ax.transAxes)
        ax.axis("off")
        return None
    P = n + 2 * p
    starts, unused = window_starts(n, k, p, s)
    grid = np.zeros((P, P))
    grid[p:P - p, p:P - p] = 1.0  # input pixels
    ax.imshow(grid, cmap="Greys", vmin=0, vmax=2.5)
    for u in unused:  # rows and columns no window reaches
        ax.add_patch(Rectangle((u - 0.5, -0.5), 1, P, fill=False, hatch="//", edgecolor="#E69F00", lw=0))
        ax.add_patch(Rectangle((-0.5, u - 0.5), P, 1, fill=False, hatch="//", edgecolor="#E69F00", lw=0))
    centres = np.array(starts) + (k - 1) / 2
    cx, cy = np.meshgrid(centres, centres)
    ax.plot(cx.ravel(), cy.ravel(), "o", color="#0072B2", markersize=5)
    for start in (starts[0], starts[-1]):
        frame(ax, start, start, k)
    ax.set_xticks(range(P))
    ax.set_yticks(range(P))
    ax.set_xticks(np.arange(-0.5, P), minor=True)
    ax.set_yticks(np.arange(-0.5, P), minor=True)
    ax.grid(which="minor", color="k", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    ax.set_xlim(-0.6, P - 0.4)
    ax.set_ylim(P - 0.4, -0.6)
    ax.set_xlabel("column of the padded input")
    ax.set_ylabel("row of the padded input")
    ax.set_title(f"output {out} x {out}:  ({n} - {k} + 2*{p}) / {s} + 1 "
                 f"= {(n - k + 2 * p) / s + 1:g}" + ("" if (n - k + 2 * p) % s == 0 else f" -> {out}"),
                 fontsize=10)
    return out
