"""Live figures: sliders that change a figure already drawn, and Run buttons for slow experiments.

Every interactive figure of the course is one of two kinds, both built from plain named
functions that tests can call without a browser:

* :func:`live` for cheap updates: draw the figure **once**, then ``update(**values)`` changes the
  artists' data (``line.set_ydata``, ``image.set_data``, ``text.set_text``, ...) and the same
  figure is re-rendered while the slider is dragged (``continuous_update=True``);
* :func:`experiment` for slow ones (a training run): nothing happens while the controls move;
  the **Run** button calls ``run(**values, progress=...)``, a progress bar follows it, and the
  previous picture stays visible until the new one is ready.

The figure is an ordinary matplotlib figure made with :func:`subplots` (not shown by pyplot):
it is rendered with Agg at twice the screen resolution (sharp on HiDPI screens) into an
``ipywidgets.Image``. Each control gets a readout that formats its value correctly
(:func:`format_value`: ``beta2 = 0.999``, ``nu = 1.78e-05``). ``show_if`` shows a control only
for the choices where it matters. When the widget is displayed, the picture at the default
setting is stored beside it as ``image/png`` in the same output, so the notebook read without a
kernel shows the figure, not a line of text: JupyterLab before *Run All* (stored outputs are not
trusted, so it picks the picture), nbconvert HTML and the course website (checked by tests), and
other static renderers that choose ``image/png`` when they cannot show a widget.
Every widget made in a kernel is listed by :func:`registry`, so a benchmark can drive them all.

A live slider (the cell's last expression displays the widget; tag the cell
``nbval-ignore-output``)::

    from nncourse import style, widgets
    from nnlib.functional import sigmoid

    x = np.linspace(-6, 6, 241)
    fig, ax = widgets.subplots()
    (curve,) = ax.plot(x, sigmoid(x))
    ax.set_xlabel("input $x$"); ax.set_ylabel("output $a$")

    def show_unit(w=1.0, b=0.0):
        curve.set_ydata(sigmoid(w * x + b))
        return f"threshold x* = {-b / w:.2f}" if w else "no threshold (w = 0)"

    widgets.live(fig, show_unit, w=widgets.slider(1.0, -5.0, 5.0, 0.25, "weight $w$"),
                 b=widgets.slider(0.0, -5.0, 5.0, 0.25, "bias $b$"))

A Run-button experiment, with a control shown only for the optimiser that uses it::

    fig, ax = widgets.subplots()
    (curve,) = ax.plot([], [])
    style.integer_ticks(ax)

    def train_and_plot(optimiser="SGD", lr=0.1, rho=0.9, epochs=30, progress=None):
        losses = train(optimiser, lr, rho, epochs, on_epoch=lambda k: progress(k / epochs))
        curve.set_data(np.arange(1, epochs + 1), losses)
        ax.relim(); ax.autoscale_view()
        return f"final loss {losses[-1]:.4f}"

    widgets.experiment(fig, train_and_plot,
                       optimiser=widgets.dropdown(["SGD", "RMSprop"], description="optimiser"),
                       lr=widgets.log_slider(0.1, 1e-3, 1.0, "learning rate"),
                       rho=widgets.slider(0.9, 0.5, 0.999, 0.001, r"$\\rho$"),
                       epochs=widgets.slider(30, 5, 100, 5, "epochs"),
                       show_if={"rho": {"optimiser": "RMSprop"}})

Tests call ``show_unit(w=2.0)`` directly, or drive the widget: ``w = widgets.live(...)``, then
``w.set(w=2.0)`` updates the figure as moving the slider would (``w.readout.value``,
``w.timings``, ``w.image.value`` show the result).
"""

import base64
import time
import weakref

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nncourse import style
from nncourse.controls import dropdown, format_value, log_slider, slider
from nncourse.rendering import Renderer, encode_png

__all__ = ["slider", "log_slider", "dropdown", "subplots", "live", "experiment", "LiveFigure",
           "Experiment", "format_value", "render_png", "registry", "connect"]

SCALE = 2
"""Pixels rendered per screen pixel (2 = "retina")."""

_REGISTRY = []  # weak references to every LiveFigure/Experiment made in this process, in order


# ---------------------------------------------------------------------------------------
# Figures and rendering
# ---------------------------------------------------------------------------------------


def subplots(nrows=1, ncols=1, *, figsize=None, aspect=0.62, scale=SCALE, **kwargs):
    """A figure for :func:`live` or :func:`experiment`, like ``plt.subplots`` but not shown by pyplot.

    Parameters
    ----------
    nrows, ncols : int
        Panels.
    figsize : (float, float), optional
        Inches; default ``style.figsize(columns=ncols, rows=nrows, aspect=aspect)``.
    aspect : float
        Height / width of one panel when ``figsize`` is not given.
    scale : int
        Rendered pixels per screen pixel (2: sharp on HiDPI screens).
    **kwargs
        Passed to ``Figure.subplots`` (``sharex``, ``sharey``, ``gridspec_kw``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or array of Axes

    Examples
    --------
    >>> fig, axes = subplots(1, 2)
    >>> axes.shape, fig.get_size_inches().tolist(), fig.dpi
    ((2,), [9.4, 2.91], 200)
    """
    size = style.figsize(columns=ncols, rows=nrows, aspect=aspect) if figsize is None else figsize
    if size[0] * style.DPI > style.MAX_WIDTH_PX:
        raise ValueError(f"subplots: figure must be at most {style.MAX_WIDTH_PX / style.DPI} inches wide "
                         f"(the notebook's output area), got {size[0]}")
    fig = Figure(figsize=size, dpi=style.DPI * scale, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def render_png(fig, *, small=True):
    """Draw ``fig`` in full with Agg and encode it as PNG bytes (small file by default).

    Examples
    --------
    >>> fig, ax = subplots(figsize=(2.0, 1.0))
    >>> render_png(fig)[:4]
    b'\\x89PNG'
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return encode_png(np.asarray(canvas.buffer_rgba()), small=small)


def registry():
    """Every :class:`LiveFigure` and :class:`Experiment` made in this Python process, oldest first.

    A benchmark runs a notebook, then drives each control of each of these (``widget.set(...)``)
    and reads ``widget.timings``.
    """
    return [w for w in (ref() for ref in _REGISTRY) if w is not None]


# ---------------------------------------------------------------------------------------
# The widgets
# ---------------------------------------------------------------------------------------


class LiveFigure(ipywidgets.VBox):
    """Controls, a figure rendered into an image, and a text readout; see :func:`live`.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    controls : dict name -> ipywidgets widget
    image : ipywidgets.Image
        The rendered figure (PNG bytes in ``image.value``).
    readout : ipywidgets.HTML
        The text the callback returned.
    timings : list of (float, float)
        Seconds for each update: (callback, render + encode + send).
    kind : str
        ``"live"`` (updates as controls move) or ``"run"`` (updates on the Run button).
    """

    kind = "live"

    def __init__(self, fig, callback, controls, *, show_if=None, continuous=True):
        if not callable(callback):
            raise TypeError(f"{type(self).__name__}: callback must be a function, got {type(callback).__name__}")
        if not isinstance(fig, Figure):
            raise TypeError(f"{type(self).__name__}: fig must be a matplotlib Figure, got {type(fig).__name__}")
        self.figure = fig
        self.callback = callback
        self.name = getattr(callback, "__name__", "callback")
        self.controls = dict(controls)
        self.show_if = _check_show_if(show_if or {}, self.controls, type(self).__name__)
        self.timings = []
        self.renderer = Renderer(fig)
        self.image = ipywidgets.Image(format="png", layout={"width": f"{self._css_width()}px",
                                                             "max_width": "100%", "height": "auto"})
        self.readout = ipywidgets.HTML()
        self._labels = {}
        self._rows = {name: self._row(name, control, continuous) for name, control in self.controls.items()}
        super().__init__(children=self._layout())
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._update_visibility()
        _REGISTRY.append(weakref.ref(self))

    # -- building -------------------------------------------------------------------------
    def _css_width(self):
        return int(round(self.figure.get_figwidth() * style.DPI))

    def _row(self, name, control, continuous):
        if isinstance(control, ipywidgets.FloatSlider | ipywidgets.FloatLogSlider | ipywidgets.IntSlider):
            control.readout = False
            control.continuous_update = continuous
            label = ipywidgets.Label(format_value(control), layout={"min_width": "5em"})
            self._labels[name] = label
            return ipywidgets.HBox([control, label])
        return ipywidgets.HBox([control])

    def _layout(self):
        return [ipywidgets.VBox(list(self._rows.values())), self.image, self.readout]

    # -- values ---------------------------------------------------------------------------
    def values(self):
        """Current value of every control, by name (what the callback is called with)."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values):
        """Set controls as a student would move them; the figure follows (once per control)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"{type(self).__name__}.set: no controls named {sorted(unknown)}; "
                             f"the controls are {sorted(self.controls)}")
        for name, value in values.items():
            self.controls[name].value = value

    def _on_change(self, change):
        for name, label in self._labels.items():
            label.value = format_value(self.controls[name])
        self._update_visibility()
        self.refresh()

    def _update_visibility(self):
        for name, conditions in self.show_if.items():
            shown = all(self.controls[other].value in allowed for other, allowed in conditions.items())
            self._rows[name].layout.display = None if shown else "none"

    def visible_controls(self):
        """Names of the controls shown for the current choices."""
        return [name for name, row in self._rows.items() if row.layout.display != "none"]

    # -- drawing --------------------------------------------------------------------------
    def refresh(self, **extra):
        """Call the callback with the current values, then re-render the figure into the image."""
        start = time.perf_counter()
        try:
            text = self.callback(**self.values(), **extra)
        except Exception as err:
            self.readout.value = f"<pre style='color:#D55E00'>{type(err).__name__}: {err}</pre>"
            raise
        middle = time.perf_counter()
        self.image.value = encode_png(self.renderer.render())
        self.readout.value = "" if text is None else f"<pre style='margin:0'>{_escape(str(text))}</pre>"
        self.timings.append((middle - start, time.perf_counter() - middle))
        return text

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if data is None:
            return None
        png = encode_png(self.renderer.render(), small=True)
        data["image/png"] = base64.b64encode(png).decode("ascii")
        data["text/plain"] = f"Interactive figure ({self.name}); the picture shows its default setting."
        height = int(round(self.figure.get_figheight() * style.DPI))
        return data, {"image/png": {"width": self._css_width(), "height": height}}


class Experiment(LiveFigure):
    """Controls, a Run button with a progress bar, and a figure that changes when a run ends.

    See :func:`experiment`. Moving a control does not run anything; the status line says that
    the settings changed. ``run()`` does what pressing the button does.
    """

    kind = "run"

    def __init__(self, fig, callback, controls, *, show_if=None, run_now=True, button="Run"):
        self.button = ipywidgets.Button(description=button, icon="play", button_style="primary")
        self.progress = ipywidgets.FloatProgress(value=0.0, min=0.0, max=1.0, layout={"width": "240px"})
        self.status = ipywidgets.Label("")
        super().__init__(fig, callback, controls, show_if=show_if, continuous=False)
        self.button.on_click(lambda _button: self.run())
        if run_now:
            self.run()

    def _layout(self):
        bar = ipywidgets.HBox([self.button, self.progress, self.status])
        return [ipywidgets.VBox(list(self._rows.values())), bar, self.image, self.readout]

    def _on_change(self, change):
        for name, label in self._labels.items():
            label.value = format_value(self.controls[name])
        self._update_visibility()
        self.status.value = "settings changed: press Run"

    def report(self, fraction, message=None):
        """Progress callback handed to ``run`` as ``progress``: fraction done in [0, 1]."""
        self.progress.value = min(1.0, max(0.0, float(fraction)))
        if message is not None:
            self.status.value = str(message)

    def run(self):
        """Run the experiment with the current settings; the old picture stays until it ends."""
        self.button.disabled = True
        self.progress.value = 0.0
        self.status.value = "running ..."
        try:
            text = self.refresh(progress=self.report)
        finally:
            self.button.disabled = False
        self.progress.value = 1.0
        self.status.value = f"done in {sum(self.timings[-1]):.1f} s"
        return text


def _check_show_if(show_if, controls, where):
    """Validate ``{name: {other: value or values}}`` and turn each allowed value into a tuple."""
    checked = {}
    for name, conditions in show_if.items():
        if name not in controls:
            raise ValueError(f"{where}: show_if names {name!r}, which is not a control; controls: {sorted(controls)}")
        checked[name] = {}
        for other, allowed in conditions.items():
            if other not in controls:
                raise ValueError(f"{where}: show_if[{name!r}] depends on {other!r}, which is not a control")
            checked[name][other] = tuple(allowed) if isinstance(allowed, list | tuple | set) else (allowed,)
    return checked


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def live(fig, update, *, show_if=None, continuous=True, **controls):
    """A figure that follows its controls while they move: ``update(**values)``, then re-render.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Drawn once before, usually with :func:`subplots`.
    update : callable
        A plain named function with one keyword argument per control; it changes the figure's
        artists in place (``set_data``, ``set_ydata``, ``set_array``, ``set_text``, limits) and may
        return a string shown under the figure. It must be cheap (a few milliseconds).
    show_if : dict, optional
        ``{"rho": {"optimiser": ["RMSprop", "Adam"]}}`` shows the control ``rho`` only while
        ``optimiser`` has one of those values.
    continuous : bool
        Update while a slider is dragged (True) or when it is released.
    **controls
        One widget per argument of ``update`` (:func:`slider`, :func:`log_slider`, :func:`dropdown`,
        any ipywidgets value widget).

    Returns
    -------
    LiveFigure
        Already drawn at the controls' start values; the cell's last expression displays it.

    Examples
    --------
    >>> fig, ax = subplots()
    >>> (line,) = ax.plot([0, 1], [0, 0])
    >>> def tilt(slope=0.0):
    ...     line.set_ydata([0, slope])
    ...     return f"slope {slope:.2f}"
    >>> w = live(fig, tilt, slope=slider(0.0, -1.0, 1.0, 0.25, "slope"))
    >>> w.set(slope=0.5)
    >>> w.readout.value, line.get_ydata()[1], len(w.timings)
    ("<pre style='margin:0'>slope 0.50</pre>", 0.5, 2)
    """
    widget = LiveFigure(fig, update, controls, show_if=show_if, continuous=continuous)
    widget.refresh()
    return widget


def experiment(fig, run, *, show_if=None, run_now=True, button="Run", **controls):
    """A slow computation behind a Run button, with a progress bar; the last picture stays meanwhile.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Drawn once before, usually with :func:`subplots`.
    run : callable
        A plain named function called as ``run(**values, progress=report)``; it calls
        ``progress(fraction)`` now and then (e.g. once per epoch), changes the figure's artists and
        may return a string shown under the figure. Tests pass ``progress=lambda fraction: None``.
    show_if : dict, optional
        As in :func:`live`.
    run_now : bool
        Run once at the start values (so the figure and its stored picture show a result).
    button : str
        Label of the button.
    **controls
        One widget per argument of ``run`` other than ``progress``.

    Returns
    -------
    Experiment
    """
    return Experiment(fig, run, controls, show_if=show_if, run_now=run_now, button=button)


def connect(compute, draw, **controls):
    """Legacy wiring ``draw(compute(**values))`` that draws a NEW figure per move (slow; use :func:`live`).

    Kept while lessons move to :func:`live`; returns ``ipywidgets.interactive``.
    """
    def update(**values):
        result = compute(**values)
        draw(result)
        return result

    return ipywidgets.interactive(update, **controls)
