"""Thin glue over ipywidgets for the lessons' sliders (teaching layer).

Most lessons simply use ``ipywidgets.interact``. This module only adds sliders
with the course's defaults and one pattern, :func:`connect`, that keeps the two
halves of every interactive figure apart:

* a **compute** function from ``nncourse.lessons.lNN_<topic>`` turns slider values
  into numbers and arrays (unit-tested headlessly), and
* a **draw** function in the notebook plots what ``compute`` returned.

A typical widget cell (tag it ``nbval-ignore-output``)::

    import matplotlib.pyplot as plt
    from nncourse.lessons.l00_start_here import sigmoid_unit_curve
    from nncourse.widgets import connect, slider

    def draw(result):
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.plot(result["x"], result["a"])
        ax.set_xlabel("$x$"); ax.set_ylabel("$a$")
        plt.show()                      # needed so the figure appears under the sliders

    connect(sigmoid_unit_curve, draw,
            w=slider(1.0, -5.0, 5.0, 0.1, "weight w"),
            b=slider(0.0, -5.0, 5.0, 0.1, "bias b"))

Sliders default to ``continuous_update=False``: the figure is redrawn when the
handle is released (or moved with the arrow keys), which keeps projected
notebooks smooth.
"""

import math
import numbers

import ipywidgets

__all__ = ["slider", "log_slider", "dropdown", "connect"]

_STYLE = {"description_width": "initial"}
_LAYOUT = {"width": "420px"}


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def slider(value, min, max, step=None, description="", *, continuous_update=False,
           readout_format=None):
    """Make a slider; an ``IntSlider`` when ``value``, ``min``, ``max`` (and ``step``) are ints.

    Parameters
    ----------
    value, min, max : int or float
        Start value and range (``min <= value <= max``).
    step : int or float, optional
        Increment; default 1 for int sliders, ``(max - min) / 100`` otherwise.
    description : str
        Label in front of the slider (LaTeX in ``$...$`` is rendered).
    continuous_update : bool
        Redraw while dragging (True) or only on release (False, the default).
    readout_format : str, optional
        Format of the number shown, e.g. ``".3f"``; default ``"d"`` or ``".2f"``.

    Returns
    -------
    ipywidgets.IntSlider or ipywidgets.FloatSlider

    Examples
    --------
    >>> type(slider(3, 1, 10, description="hidden units")).__name__
    'IntSlider'
    >>> s = slider(0.5, 0.0, 2.0)
    >>> type(s).__name__, s.step, s.continuous_update
    ('FloatSlider', 0.02, False)
    """
    if not min <= value <= max:
        raise ValueError(f"slider: value must lie in [{min}, {max}], got {value}")
    common = dict(value=value, min=min, max=max, description=description,
                  continuous_update=continuous_update, style=_STYLE, layout=_LAYOUT)
    if _is_int(value) and _is_int(min) and _is_int(max) and (step is None or _is_int(step)):
        return ipywidgets.IntSlider(step=1 if step is None else step,
                                    readout_format=readout_format or "d", **common)
    step = (max - min) / 100 if step is None else step
    return ipywidgets.FloatSlider(step=step, readout_format=readout_format or ".2f", **common)


def log_slider(value, min, max, description="", *, steps_per_decade=10, continuous_update=False):
    """Make a slider that moves in equal ratios, for learning rates, weight scales, sigma.

    Parameters
    ----------
    value, min, max : float
        Positive start value and range, in the slider's units (not exponents).
    description : str
        Label in front of the slider.
    steps_per_decade : int
        Positions per factor of 10.
    continuous_update : bool
        Redraw while dragging.

    Returns
    -------
    ipywidgets.FloatLogSlider

    Examples
    --------
    >>> s = log_slider(0.01, 1e-4, 1.0, "learning rate")
    >>> s.value, s.min, s.max
    (0.01, -4.0, 0.0)
    """
    if not 0 < min <= value <= max:
        raise ValueError(f"log_slider: need 0 < min <= value <= max, got {min}, {value}, {max}")
    return ipywidgets.FloatLogSlider(value=value, base=10, min=math.log10(min), max=math.log10(max),
                                     step=1 / steps_per_decade, description=description,
                                     continuous_update=continuous_update, readout_format=".3g",
                                     style=_STYLE, layout=_LAYOUT)


def dropdown(options, value=None, description=""):
    """Make a drop-down menu (e.g. activation function, optimiser, dataset).

    Parameters
    ----------
    options : sequence of str, or mapping label -> value
    value : optional
        Initially selected value; default the first option.
    description : str

    Returns
    -------
    ipywidgets.Dropdown

    Examples
    --------
    >>> dropdown(["sigmoid", "tanh", "relu"], description="activation").value
    'sigmoid'
    """
    kwargs = dict(options=options, description=description, style=_STYLE)
    if value is not None:
        kwargs["value"] = value
    return ipywidgets.Dropdown(**kwargs)


def connect(compute, draw, **controls):
    """Wire sliders to ``draw(compute(**values))`` and return the interactive widget.

    ``compute`` is called with one keyword argument per control (its current
    value); its result goes to ``draw``, which plots it (and should end with
    ``plt.show()``). The result of the last call is kept in ``.result`` of the
    returned widget, which makes the wiring testable without a browser.

    Parameters
    ----------
    compute : callable
        Plain function of the slider values, usually from ``nncourse.lessons``.
    draw : callable
        Takes ``compute``'s result and draws it.
    **controls
        Widgets (from :func:`slider` etc.) or anything ``ipywidgets.interact``
        accepts; use ``ipywidgets.fixed(value)`` for a constant argument.

    Returns
    -------
    ipywidgets.interactive
        Display it (the last expression of a cell is displayed automatically).

    Examples
    --------
    Headless use, as in the tests (in a notebook, ``draw`` would plot)::

        shown = []
        w = connect(lambda a, b: a + b, shown.append, a=slider(1, 0, 5), b=slider(2, 0, 5))
        w.kwargs_widgets[0].value = 4      # what moving the first slider does
        w.result, shown                    # (6, [3, 6])
    """
    def update(**values):
        result = compute(**values)
        draw(result)
        return result

    return ipywidgets.interactive(update, **controls)
