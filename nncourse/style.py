"""The course's figure style: one look for every lesson, applied in its first code cell.

Every lesson notebook starts with::

    from nncourse import style
    style.use()

which sets matplotlib's defaults for the whole notebook:

* **colours**: the Okabe-Ito palette, safe for the common forms of colour blindness. Lines are
  always told apart by a second cue as well: the default cycle pairs each colour with a line style
  (solid, dashed, dash-dot, dotted, ...), and classes pair each colour with a marker;
* **classes**: class ``k`` has the same colour and marker in every lesson (:data:`CLASS_COLORS`,
  :data:`CLASS_MARKERS`, :func:`class_style`); labels ``-1`` / ``+1`` are drawn like classes 0 / 1;
* **sizes**: 1 inch of figure is 100 CSS pixels in the notebook (``figure.dpi = 100``); fonts are
  at least 10 pt; :func:`figsize` gives sizes that never exceed JupyterLab's output area at a
  1280 px window (968 px, :data:`MAX_WIDTH_PX`), so no figure is shrunk;
* **sharpness**: figures are stored as "retina" PNGs, rendered at twice the resolution and shown at
  the size above, so text stays sharp on HiDPI screens and projectors;
* **layout**: constrained layout is on, so titles, labels and colour bars never overlap. Do not
  call ``plt.tight_layout()`` (matplotlib would warn that the layout changed).

Helpers for what every lesson needs: :func:`figsize`, :func:`diverging` (weights and gradients on
a colour map centred on zero, with a colour bar, optional numbers in the cells that stay readable
on dark cells), :func:`integer_ticks` (epoch axes), :func:`label_lines` (names written at the end
of each curve instead of a legend that would cover data).

>>> figsize(columns=2)
(9.4, 2.91)
>>> class_style(-1) == class_style(0)
True
>>> format(MAX_WIDTH * DPI, ".0f")
'940'
"""

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.colors import TwoSlopeNorm, to_rgb
from matplotlib.ticker import MaxNLocator

__all__ = [
    "OKABE_ITO", "LINE_COLORS", "LINE_STYLES", "CLASS_COLORS", "CLASS_MARKERS", "DIVERGING_CMAP",
    "SEQUENTIAL_CMAP", "DPI", "MAX_WIDTH_PX", "MAX_WIDTH", "PANEL_WIDTH", "RC",
    "use", "figsize", "class_index", "class_style", "diverging", "annotate_cells",
    "integer_ticks", "label_lines", "text_color_on",
]

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}
"""The eight colours of Okabe and Ito (2008), distinguishable with every common colour blindness."""

LINE_COLORS = tuple(OKABE_ITO[name] for name in (
    "blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue", "black"))
"""Colours of successive lines (no yellow: it disappears on white)."""

LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (6, 2)), (0, (1, 1.5)))
"""Line styles paired with :data:`LINE_COLORS`: the second cue when colours are hard to tell apart."""

CLASS_COLORS = LINE_COLORS[:6] + (OKABE_ITO["yellow"], "#882255", "#999999", OKABE_ITO["black"])
"""Colour of class 0, 1, 2, ... (10 entries, enough for the digits); the same in every lesson."""

CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
"""Marker of class 0, 1, 2, ...; the second cue next to :data:`CLASS_COLORS`."""

DIVERGING_CMAP = "RdBu_r"
"""Colour map for signed quantities (weights, gradients, errors): blue negative, red positive."""

SEQUENTIAL_CMAP = "viridis"
"""Colour map for non-negative quantities (losses, probabilities, activations)."""

DPI = 100
"""Pixels per inch of a figure on screen: a 4-inch wide figure is 400 CSS pixels wide."""

MAX_WIDTH_PX = 968
"""Width in CSS pixels of JupyterLab's output area at a 1280 px window; no figure may be wider."""

MAX_WIDTH = 9.4
"""Widest figure in inches; leaves room for labels that stick out when saved with a tight box."""

PANEL_WIDTH = 4.7
"""Width in inches of one panel (one Axes): two panels side by side fill the output area."""

RC = {
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "figure.figsize": (PANEL_WIDTH, round(0.62 * PANEL_WIDTH, 2)),
    "figure.constrained_layout.use": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": 11,
    "axes.titlesize": 11.5,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "figure.titlesize": 12,
    "mathtext.fontset": "dejavusans",
    "axes.prop_cycle": cycler(color=LINE_COLORS) + cycler(linestyle=LINE_STYLES),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "0.9",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "axes.edgecolor": "0.25",
    "axes.titlepad": 6.0,
    "lines.linewidth": 1.8,
    "lines.markersize": 6,
    "scatter.edgecolors": "0.15",
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.85",
    "image.cmap": SEQUENTIAL_CMAP,
    "image.interpolation": "nearest",
}
"""The rcParams :func:`use` sets (a plain dict: read it to see the whole style)."""


def use(*, retina=True):
    """Apply the course style to every figure drawn afterwards in this Python process.

    Parameters
    ----------
    retina : bool
        In a Jupyter kernel, store figures as PNGs rendered at twice the resolution and displayed
        at the normal size (sharp text on HiDPI screens). Ignored outside a kernel.

    Returns
    -------
    dict
        The rcParams that were set (:data:`RC`).
    """
    import matplotlib.pyplot as plt  # first: the inline backend applies its own settings on import

    plt.rcParams.update(RC)
    if retina and _in_kernel():
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    return dict(RC)


def _in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def figsize(columns=1, rows=1, aspect=0.62, panel_width=None):
    """Width and height in inches of a figure with ``rows x columns`` panels.

    One panel is :data:`PANEL_WIDTH` wide; the figure is never wider than :data:`MAX_WIDTH`
    (panels get narrower instead), so it is never shrunk in the notebook.

    Parameters
    ----------
    columns, rows : int
        Panels side by side and on top of each other.
    aspect : float
        Height of one panel divided by its width (1 for square panels, e.g. an input plane).
    panel_width : float, optional
        Width of one panel in inches (default :data:`PANEL_WIDTH`).

    Returns
    -------
    (float, float)
        Width and height in inches, for ``plt.subplots(figsize=...)``.

    Examples
    --------
    >>> figsize()
    (4.7, 2.91)
    >>> figsize(columns=3, aspect=1.0)
    (9.4, 3.13)
    >>> figsize(columns=1, aspect=1.0, panel_width=4.0)
    (4.0, 4.0)
    """
    if not (isinstance(columns, int) and isinstance(rows, int) and columns >= 1 and rows >= 1):
        raise ValueError(f"figsize: columns and rows must be ints >= 1, got {columns!r} and {rows!r}")
    if not aspect > 0:
        raise ValueError(f"figsize: aspect must be > 0, got {aspect}")
    panel = PANEL_WIDTH if panel_width is None else float(panel_width)
    width = min(MAX_WIDTH, panel * columns)
    height = width / columns * aspect * rows
    return round(width, 2), round(height, 2)


def class_index(labels):
    """Style index of each class label: ``-1`` -> 0, ``+1`` -> 1 for sign labels, else ``k`` -> k.

    Parameters
    ----------
    labels : array_like of int (or of floats with integer values)
        Class labels 0, 1, 2, ... or -1/+1.

    Returns
    -------
    numpy.ndarray of int, same shape
        Index into :data:`CLASS_COLORS` and :data:`CLASS_MARKERS`.

    Examples
    --------
    >>> class_index([-1, 1, 1]).tolist(), class_index([0, 2, 1]).tolist()
    ([0, 1, 1], [0, 2, 1])
    """
    labels = np.asarray(labels)
    if labels.size and not np.all(np.mod(labels, 1) == 0):
        raise ValueError(f"class_index: labels must be whole numbers, got {np.unique(labels)[:5]}")
    labels = labels.astype(int)
    if np.all(np.isin(labels, (-1, 1))):
        return np.where(labels == -1, 0, 1)
    if np.any(labels < 0):
        raise ValueError(f"class_index: labels must be -1/+1 or 0, 1, 2, ..., got {np.unique(labels)}")
    return labels


def class_style(label):
    """Colour and marker of one class label, as keyword arguments for ``ax.scatter``/``ax.plot``.

    Examples
    --------
    >>> class_style(1)
    {'color': '#D55E00', 'marker': 's'}
    """
    k = int(class_index([label])[0])
    return {"color": CLASS_COLORS[k % len(CLASS_COLORS)], "marker": CLASS_MARKERS[k % len(CLASS_MARKERS)]}


def diverging(ax, values, *, label=None, vmax=None, colorbar=True, annotate=None, cmap=DIVERGING_CMAP,
              **imshow_kw):
    """Show a matrix of signed values (weights, gradients) on a colour map centred on zero.

    Zero is white, negative blue, positive red, with the same intensity for ``+v`` and ``-v``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape (H, W)
    label : str, optional
        Label of the colour bar (what the colours mean, with units).
    vmax : float, optional
        Value at the ends of the colour map (default the largest absolute value; pass the same
        ``vmax`` to panels you want to compare).
    colorbar : bool
        Draw a colour bar beside ``ax``.
    annotate : str, optional
        Format of numbers written into the cells (e.g. ``".2f"``); black or white, whichever is
        readable on the cell's colour. Only for small matrices.
    cmap : str
        A diverging colour map.
    **imshow_kw
        Passed to ``ax.imshow``.

    Returns
    -------
    image : matplotlib.image.AxesImage
        Update it with ``image.set_data(new_values)`` (same ``vmax``) in a live figure.
    cbar : matplotlib.colorbar.Colorbar or None

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> image, cbar = diverging(ax, [[-2.0, 1.0], [0.5, 0.0]], label="weight", annotate=".1f")
    >>> image.norm.vmin, image.norm.vcenter, image.norm.vmax, cbar.ax.get_ylabel()
    (-2.0, 0.0, 2.0, 'weight')
    >>> [t.get_text() for t in ax.texts]
    ['-2.0', '1.0', '0.5', '0.0']
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"diverging: values must have shape (H, W), got {values.shape}")
    if vmax is None:
        vmax = float(np.max(np.abs(values))) if values.size else 1.0
    vmax = vmax if vmax > 0 else 1.0
    norm = TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax)
    image = ax.imshow(values, cmap=cmap, norm=norm, **imshow_kw)
    cbar = None
    if colorbar:
        cbar = ax.figure.colorbar(image, ax=ax, shrink=0.9)
        if label:
            cbar.set_label(label)
    if annotate:
        annotate_cells(ax, values, image, annotate)
    return image, cbar


def annotate_cells(ax, values, image, fmt=".2f", **text_kw):
    """Write each value into its cell of ``image``, black on light cells and white on dark ones.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape (H, W)
        The numbers to write (usually the image's data).
    image : matplotlib.image.AxesImage
        The image whose colours decide the text colour.
    fmt : str
        Number format.
    **text_kw
        Passed to ``ax.text`` (e.g. ``fontsize``).

    Returns
    -------
    list of matplotlib.text.Text
        Row by row; update with ``text.set_text`` in a live figure.
    """
    values = np.asarray(values, dtype=float)
    rgba = image.cmap(image.norm(values))                                   # (H, W, 4)
    luminance = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722])          # (H, W)
    text_kw.setdefault("fontsize", 10)
    texts = []
    for (i, j), v in np.ndenumerate(values):
        color = "white" if luminance[i, j] < 0.5 else "black"
        texts.append(ax.text(j, i, format(v, fmt), ha="center", va="center", color=color, **text_kw))
    return texts


def integer_ticks(ax, axis="x"):
    """Only whole numbers as tick labels on ``axis`` (epochs, steps, trials, counts).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots(); _ = ax.plot([1, 2, 3], [3.0, 2.0, 1.5])
    >>> integer_ticks(ax)
    >>> all(float(t).is_integer() for t in ax.get_xticks())
    True
    """
    if axis not in ("x", "y", "both"):
        raise ValueError(f"integer_ticks: axis must be 'x', 'y' or 'both', got {axis!r}")
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(integer=True))


def label_lines(ax, lines=None, labels=None, *, x=None, min_gap=0.06, remove_legend=True, **text_kw):
    """Write each curve's name at its right end, in its colour, instead of a legend.

    Labels that would overlap are pushed apart vertically (by at least ``min_gap`` of the axes
    height), so they stay readable when curves end close together.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    lines : sequence of Line2D, optional
        Default: every line of ``ax`` whose label does not start with ``_``.
    labels : sequence of str, optional
        Default: each line's own label.
    x : float, optional
        Where to read each line's height (data units); default the end of each line.
    min_gap : float
        Smallest vertical distance between two labels, as a fraction of the axes height.
    remove_legend : bool
        Remove a legend ``ax`` already has.
    **text_kw
        Passed to ``ax.text``.

    Returns
    -------
    list of matplotlib.text.Text

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> _ = ax.plot([0, 1], [0.0, 1.0], label="train"); _ = ax.plot([0, 1], [0.0, 0.98], label="val")
    >>> texts = label_lines(ax)
    >>> [t.get_text() for t in texts], texts[0].get_color() == ax.lines[0].get_color()
    (['train', 'val'], True)
    """
    if lines is None:
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    lines = list(lines)
    labels = [line.get_label() for line in lines] if labels is None else list(labels)
    if len(labels) != len(lines):
        raise ValueError(f"label_lines: got {len(lines)} lines but {len(labels)} labels")
    if not lines:
        return []
    ends = []
    for line in lines:
        xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
        if x is None:
            ends.append((xs[-1], ys[-1]))
        else:
            order = np.argsort(xs)
            ends.append((x, float(np.interp(x, xs[order], ys[order]))))
    to_axes = ax.transAxes.inverted()
    heights = [to_axes.transform(ax.transData.transform(end))[1] for end in ends]
    placed = _spread(np.array(heights), min_gap)
    text_kw.setdefault("fontsize", mpl.rcParams["legend.fontsize"])
    texts = []
    for line, label, (x_end, _), y_axes in zip(lines, labels, ends, placed):
        x_axes = to_axes.transform(ax.transData.transform((x_end, 0.0)))[0]
        texts.append(ax.text(x_axes + 0.015, y_axes, label, transform=ax.transAxes, color=line.get_color(),
                             ha="left", va="center", clip_on=False, **text_kw))
    if remove_legend and ax.get_legend() is not None:
        ax.get_legend().remove()
    return texts


def _spread(heights, gap):
    """Move sorted positions apart until neighbours are at least ``gap`` apart (keep the mean)."""
    order = np.argsort(heights)
    placed = heights[order].astype(float)
    for _ in range(50):
        moved = False
        for k in range(1, len(placed)):
            overlap = gap - (placed[k] - placed[k - 1])
            if overlap > 1e-9:
                placed[k - 1] -= overlap / 2
                placed[k] += overlap / 2
                moved = True
        if not moved:
            break
    out = np.empty_like(placed)
    out[order] = placed
    return out


def text_color_on(color):
    """``"white"`` or ``"black"``, whichever reads better on a background ``color``.

    Examples
    --------
    >>> text_color_on("#0072B2"), text_color_on("#F0E442")
    ('white', 'black')
    """
    luminance = np.array(to_rgb(color)) @ np.array([0.2126, 0.7152, 0.0722])
    return "white" if luminance < 0.5 else "black"
