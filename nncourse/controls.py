"""Controls for the live figures: sliders, log sliders, drop-downs, and readouts that show values right.

:mod:`nncourse.widgets` re-exports everything here; lessons import from there.

* :func:`slider` makes an ``IntSlider`` or ``FloatSlider`` whose readout has as many decimals as
  its step (``beta2 = 0.999`` does not read ``1.00``);
* :func:`log_slider` moves in equal ratios (learning rates, scales);
* :func:`dropdown` offers choices;
* :func:`format_value` is the text a live figure's readout shows (``nu = 1.78e-05``, never
  ``0.0000178``).
"""

import math
import numbers

import ipywidgets

__all__ = ["slider", "log_slider", "dropdown", "format_value"]

_STYLE = {"description_width": "initial"}
_LAYOUT = {"width": "420px"}


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _decimals(step):
    """Decimals needed to show multiples of ``step`` exactly (0.25 -> 2, 0.1 -> 1, 5 -> 0)."""
    for d in range(9):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 9




def slider(value, min, max, step=None, description="", *, continuous_update=False, readout_format=None):
    """Make a slider; an ``IntSlider`` when ``value``, ``min``, ``max`` (and ``step``) are ints.

    Inside :func:`live` the slider updates while dragged and shows its value with
    :func:`format_value`; on its own it updates on release.

    Parameters
    ----------
    value, min, max : int or float
        Start value and range (``min <= value <= max``).
    step : int or float, optional
        Increment; default 1 for int sliders, ``(max - min) / 100`` otherwise.
    description : str
        Label in front of the slider (LaTeX in ``$...$`` is rendered).
    continuous_update : bool
        Send values while dragging (:func:`live` turns this on).
    readout_format : str, optional
        d3 format of the slider's own readout; default as many decimals as ``step`` has.

    Returns
    -------
    ipywidgets.IntSlider or ipywidgets.FloatSlider

    Examples
    --------
    >>> type(slider(3, 1, 10, description="hidden units")).__name__
    'IntSlider'
    >>> s = slider(0.999, 0.9, 0.999, 0.001)
    >>> type(s).__name__, s.step, s.readout_format
    ('FloatSlider', 0.001, '.3f')
    """
    if not min <= value <= max:
        raise ValueError(f"slider: value must lie in [{min}, {max}], got {value}")
    common = dict(value=value, min=min, max=max, description=description,
                  continuous_update=continuous_update, style=_STYLE, layout=_LAYOUT)
    if _is_int(value) and _is_int(min) and _is_int(max) and (step is None or _is_int(step)):
        return ipywidgets.IntSlider(step=1 if step is None else step,
                                    readout_format=readout_format or "d", **common)
    step = (max - min) / 100 if step is None else step
    if not step > 0:
        raise ValueError(f"slider: step must be > 0, got {step}")
    return ipywidgets.FloatSlider(step=step, readout_format=readout_format or f".{_decimals(step)}f", **common)


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
        Send values while dragging (:func:`live` turns this on).

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


def format_value(control):
    """The text a readout shows for a control's current value.

    Integers as they are; a log slider with 3 significant digits (``1.78e-05``, ``0.001``); a
    float slider with as many decimals as its step (``0.999`` for step 0.001, ``1.25`` for 0.25).

    Examples
    --------
    >>> format_value(slider(0.999, 0.9, 0.999, 0.001)), format_value(slider(1.0, -5.0, 5.0, 0.25))
    ('0.999', '1.00')
    >>> format_value(log_slider(1.78e-5, 1e-6, 1e-3, steps_per_decade=100))
    '1.78e-05'
    """
    value = control.value
    if isinstance(control, ipywidgets.FloatLogSlider):
        return f"{value:.3g}"
    if isinstance(control, ipywidgets.FloatSlider):
        return f"{value:.{_decimals(control.step)}f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
