"""Fast re-rendering of a figure whose artists change, for the live widgets (:mod:`nncourse.widgets`).

Drawing a whole figure costs most of its time in the axes' ticks and labels, which a slider rarely
changes. :class:`Renderer` therefore draws the figure once, remembers a *background* (everything
that did not change), and on the next frame redraws only the artists that changed (matplotlib
marks them ``stale``), plus whatever lies above them in the same axes, on top of that background
("blitting"); artists shown or hidden count as changed, and so do all artists of an axes whose
limits changed if it draws no ticks (nothing else there depends on the limits). Whenever that would
be wrong it falls back to a full draw: on the first frame, when the limits of an axes with ticks
changed, when artists were added or removed, when ticks, axes or figure-level texts changed, or
when another axes overlaps a changed one. The picture is the same as a full draw.

The layout is computed on the first frame and then kept (moving a slider does not make labels
jump around).

>>> from nncourse.widgets import subplots
>>> fig, ax = subplots(figsize=(3.0, 2.0))
>>> (line,) = ax.plot([0, 1], [0, 1])
>>> renderer = Renderer(fig)
>>> first = renderer.render().copy()
>>> line.set_ydata([1, 0])
>>> second = renderer.render()
>>> renderer.full_draws, renderer.blits, bool((first != second).any())
(1, 1, True)
"""

import io
import struct
import zlib

import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import AxesImage
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullLocator
from PIL import Image as PILImage

__all__ = ["Renderer", "encode_png"]


class Renderer:
    """Render ``fig`` with Agg, redrawing only what changed since the last frame when possible.

    Attributes
    ----------
    full_draws, blits : int
        How many frames were drawn in full and how many by redrawing changed artists only.
    """

    def __init__(self, fig):
        self.figure = fig
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self.full_draws = 0
        self.blits = 0
        self._state = None          # limits and children of every axes at the last frame
        self._background = None     # (key, saved region) of the figure without the redrawn artists

    def render(self):
        """Draw the figure's current state; return its pixels, shape (H, W, 4), uint8 (a view)."""
        state = self._snapshot()
        redraw = None if self._state is None else self._redraw_sets(self._state, state)
        if redraw is None:
            self._full_draw()
        elif redraw:
            self._blit(redraw)
        self._state = self._snapshot()
        return np.asarray(self.canvas.buffer_rgba())

    # -- deciding -------------------------------------------------------------------------
    def _snapshot(self):
        """Per axes: what a change of forces a full draw (visibility, box, children, and whether
        its ticks follow the limits), the limits, and the visibility of each child."""
        state = []
        for ax in self.figure.axes:
            ax.apply_aspect()                             # the box a draw would use (equal aspect)
            children = ax.get_children()
            fixed = (id(ax), ax.get_visible(), tuple(np.round(ax.get_position().bounds, 12)),
                     tuple(map(id, children)), _limits_drawn(ax))
            state.append((fixed, tuple(np.round(ax.viewLim.bounds, 12)),
                          tuple(child.get_visible() for child in children)))
        return state

    def _redraw_sets(self, old, new):
        """``{axes: [artists to redraw]}`` for a blit, or None when only a full draw is right.

        Changed artists are the stale ones and those shown or hidden since the last frame; new
        limits change every artist of an axes, which is blitted only when nothing but its
        artists depends on them (no ticks, tick labels or grid: see :func:`_limits_drawn`).
        """
        if [state[0] for state in old] != [state[0] for state in new]:
            return None                                   # axes, boxes or children changed
        if any(child.stale for child in self.figure.get_children() if child not in self.figure.axes
               and child is not self.figure.patch):
            return None                                   # a suptitle or figure legend changed
        redraw = {}
        for ax, (fixed, limits, shown), (_, old_limits, old_shown) in zip(self.figure.axes, new, old):
            moved = limits != old_limits
            if moved and (fixed[-1] or any(a.label.stale and _draws_something(a.label) for a in (ax.xaxis, ax.yaxis))):
                return None                               # ticks follow the limits
            children = _drawn_children(ax)
            flipped = {id(c) for c, now, before in zip(ax.get_children(), shown, old_shown) if now != before}
            patch_drawn = ax.axison and ax.get_frame_on()
            axis_stale = any(c.stale for c in children if isinstance(c, Axis))
            if (patch_drawn and ax.patch.stale) or (axis_stale and not moved):
                return None                               # ticks, labels or the axes' colour changed
            changed = [c for c in children if id(c) in flipped or (
                (c.stale or (moved and not isinstance(c, Axis | Spine) and c is not ax.patch)) and _draws_something(c))]
            if not changed:
                continue
            lowest = min(child.get_zorder() for child in changed)
            redraw[ax] = sorted((c for c in children if c.get_zorder() >= lowest and c is not ax.patch),
                                key=lambda c: c.get_zorder())
        if self._overlapped(redraw):
            return None
        return redraw

    def _overlapped(self, redraw):
        """True when an axes drawn later lies over one whose artists would be redrawn."""
        order = self.figure.axes
        for ax in redraw:
            later = order[order.index(ax) + 1:]
            if any(ax.bbox.overlaps(other.bbox) for other in later if other.get_visible()):
                return True
        return False

    # -- drawing --------------------------------------------------------------------------
    def _full_draw(self):
        self.canvas.draw()
        engine = self.figure.get_layout_engine()
        if engine is not None and engine.__class__.__name__ != "PlaceHolderLayoutEngine":
            self.canvas.draw()                            # the layout settles on its second pass (the
            #                                               first places titles before the axes moved)
            self.figure.set_layout_engine("none")         # keep the first frame's layout,
            self.canvas.draw()                            # drawn once more as every later frame is
        self.full_draws += 1
        self._background = None

    def _blit(self, redraw):
        key = tuple((id(ax), tuple(map(id, artists))) for ax, artists in redraw.items())
        if self._background is None or self._background[0] != key:
            # Leave the redrawn artists out of the background. Axes skip "animated" artists when they
            # draw (hiding a title instead would move it); images are drawn anyway, so hide those.
            hidden = [a for artists in redraw.values() for a in artists if a.get_visible()]
            images = [a for a in hidden if isinstance(a, AxesImage)]
            for artist in hidden:
                artist.set_animated(True)
            for image in images:
                image.set_visible(False)
            self.canvas.draw()
            self._background = (key, self.canvas.copy_from_bbox(self.figure.bbox))
            for artist in hidden:
                artist.set_animated(False)
            for image in images:
                image.set_visible(True)
        self.canvas.restore_region(self._background[1])
        renderer = self.canvas.get_renderer()
        for artists in redraw.values():
            for artist in artists:
                artist.draw(renderer)
        self.blits += 1


def _drawn_children(ax):
    """The children ``ax`` draws: without spines and axis objects when its axis is off."""
    children = ax.get_children()
    if ax.axison:
        return children
    return [c for c in children if not isinstance(c, Axis | Spine)]


def _limits_drawn(ax):
    """True when more than the artists of ``ax`` depends on its limits: ticks, tick labels, grid
    lines or spines placed at data positions. An axes without ticks (``set_xticks([])``, no minor
    ticks) or with its axis off only moves its artists when the limits change, which a blit can
    redraw. Ticks hidden in other ways count as drawn (a full draw: slower, never wrong)."""
    if not ax.axison:
        return False
    if any(spine.get_visible() and spine.spine_type in ("left", "right", "top", "bottom")
           and spine.get_position()[0] == "data" for spine in ax.spines.values()):
        return True
    locators = [locator for axis in (ax.xaxis, ax.yaxis)               # read, not run: cheap every frame
                for locator in (axis.get_major_locator(), axis.get_minor_locator())]
    return not all(isinstance(locator, NullLocator) or (isinstance(locator, FixedLocator) and not len(locator.locs))
                   for locator in locators)


def _draws_something(artist):
    """False for artists that never draw (and so stay stale forever): hidden ones, empty texts."""
    return artist.get_visible() and not (isinstance(artist, Text) and not artist.get_text())


def encode_png(rgba, *, small=False):
    """PNG bytes of an (H, W, 4) uint8 image.

    By default as fast as possible (RGBA rows without filters, zlib level 1: several times faster
    than Pillow's encoder, for a file about 1.5x larger), which is what a frame sent while dragging
    needs; with ``small=True`` as small as Pillow can make it (RGB, alpha dropped: figures are
    opaque), for pictures stored in a notebook.

    Examples
    --------
    >>> pixels = np.zeros((2, 3, 4), dtype=np.uint8); pixels[0, 1] = 255
    >>> fast = encode_png(pixels)
    >>> fast[:4], np.array_equal(np.asarray(PILImage.open(io.BytesIO(fast))), pixels)
    (b'\\x89PNG', True)
    """
    if small:
        buffer = io.BytesIO()
        PILImage.fromarray(np.ascontiguousarray(rgba[..., :3])).save(buffer, format="png", optimize=True)
        return buffer.getvalue()
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)   # each row: filter byte 0, then RGBA
    rows[:, 0] = 0
    rows[:, 1:] = rgba.reshape(height, 4 * width)               # a plain copy: 2x faster than dropping alpha
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, 1)) + _chunk(b"IEND", b""))


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
