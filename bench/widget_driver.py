"""Moves every control of every widget a notebook made, as a student would, and times each move.

``bench_widgets.py`` runs a lesson in a fresh kernel, then imports this module inside that kernel
and calls :func:`measure_all`. It drives every kind of control the widget glue accepts
(:func:`nncourse.widgets.live` takes any ipywidgets value widget):

* sliders and bounded number boxes (``IntSlider``, ``FloatSlider``, ``BoundedIntText``, ``Play``):
  evenly spaced values from ``min`` to ``max``, on the step grid;
* log sliders: evenly spaced exponents;
* range sliders: each handle over its range, the other held;
* every selection widget (``Dropdown``, ``RadioButtons``, ``ToggleButtons``, ``Select``,
  ``SelectionSlider``): every option once, chosen by its *index*, so options given as a dict
  or as ``(label, value)`` pairs, and values that are arrays or objects, work alike;
* multiple selections (``SelectMultiple``, ``SelectionRangeSlider``): each option alone / each
  window of neighbours;
* check boxes and toggle buttons: flipped;
* unbounded number boxes (``IntText``, ``FloatText``): a few steps either side.

Controls of any other kind (free text, colours, dates) are not moved; their names are reported.
After its sweep each control is set back to its start value.
"""

import time

import ipywidgets
import numpy as np

__all__ = ["moves", "drive", "measure_all"]


def moves(control, n):
    """The moves a sweep makes on ``control``: a list of ``(trait, value)``, or None when it cannot.

    Parameters
    ----------
    control : ipywidgets.Widget
        A control of a live figure or of an ``interactive`` widget.
    n : int
        Values per slider (a selection offers each of its options once instead).

    Examples
    --------
    >>> moves(ipywidgets.Dropdown(options={"SGD": "sgd", "Adam": "adam"}), 20)
    [('index', 1), ('index', 0)]
    >>> moves(ipywidgets.IntSlider(value=2, min=0, max=4), 3)
    [('value', 0), ('value', 2), ('value', 4)]
    >>> moves(ipywidgets.Checkbox(value=True), 20)
    [('value', False)]
    >>> moves(ipywidgets.Text(), 20) is None
    True
    """
    if isinstance(control, ipywidgets.SelectionRangeSlider):
        last = len(control.options) - 1
        width = max(1, control.index[1] - control.index[0])
        return [("index", (k, min(last, k + width))) for k in range(last)]
    if isinstance(control, ipywidgets.SelectMultiple):
        return [("index", (k,)) for k in range(len(control.options))] + [
            ("index", tuple(range(len(control.options))))]
    if control.has_trait("index") and control.has_trait("options"):          # single selections
        count, start = len(control.options), control.index
        first = 0 if start is None else start + 1
        return [("index", (first + k) % count) for k in range(count)]
    if isinstance(control, ipywidgets.FloatLogSlider):
        exponents = _grid(control.min, control.max, control.step, n)
        return [("value", float(control.base ** e)) for e in exponents]
    if isinstance(control.value, bool):
        return [("value", not control.value)]
    if control.has_trait("min") and control.has_trait("max") and isinstance(control.value, tuple):
        low, high = control.value                                             # range slider
        lows = _grid(control.min, high, control.step, max(2, n // 2))
        highs = _grid(low, control.max, control.step, max(2, n // 2))
        return ([("value", _same_type(control, (v, high))) for v in lows]
                + [("value", _same_type(control, (low, v))) for v in highs])
    if control.has_trait("min") and control.has_trait("max") and control.has_trait("step"):
        return [("value", _same_type(control, v)) for v in _grid(control.min, control.max, control.step, n)]
    if control.has_trait("step") and isinstance(control.value, int | float):  # IntText, FloatText
        offsets = [k for k in range(1, max(1, n // 2) + 1)]
        values = [control.value + k * control.step for k in offsets + [-k for k in offsets]]
        return [("value", _same_type(control, v)) for v in values]
    return None


def _grid(low, high, step, n):
    """About ``n`` evenly spaced values from ``low`` to ``high`` on the grid ``low + k * step``."""
    values = np.linspace(low, high, n)
    if step:
        values = np.clip(np.round((values - low) / step) * step + low, low, high)
    return list(dict.fromkeys(values.tolist()))         # without repeats, in order


def _same_type(control, value):
    integer = isinstance(control.value, int) or (isinstance(control.value, tuple) and isinstance(control.value[0], int))
    if isinstance(value, tuple):
        return tuple(int(round(v)) if integer else float(v) for v in value)
    return int(round(value)) if integer else float(value)


def drive(controls, n):
    """Make every move of every control (then set it back); return the times and what was skipped.

    Parameters
    ----------
    controls : dict name -> ipywidgets.Widget
    n : int
        Values per slider.

    Returns
    -------
    dict
        ``times`` and ``cpu``: seconds per move (wall clock, this process's CPU), in order;
        ``values``: ``(name, value)`` set by each move; ``skipped``: names of the controls
        that no sweep exists for.
    """
    times, cpu, values, skipped = [], [], [], []
    for name, control in controls.items():
        steps = moves(control, n)
        if steps is None:
            skipped.append(name)
            continue
        trait = steps[0][0] if steps else "value"
        start = getattr(control, trait)
        for trait, value in steps:
            if _equal(getattr(control, trait), value):
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            setattr(control, trait, value)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            values.append((name, control.value))
        setattr(control, trait, start)
    return {"times": times, "cpu": cpu, "values": values, "skipped": skipped}


def _equal(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):                     # arrays and other values without one truth
        return a is b


def measure_all(updates=20, runs=2, figures=None):
    """Drive every widget made in this kernel; one row (a dict of plain values) per widget.

    Live figures and Run-button experiments come from ``nncourse.widgets.registry()`` (or
    ``figures``, then only those); ``ipywidgets.interactive`` widgets (a new figure per move) are
    driven as ``"legacy"``. A widget whose callback fails gets the error in its row, and the
    others are still driven.
    """
    from nncourse import widgets

    rows = []
    for widget in widgets.registry() if figures is None else figures:
        row = {"widget": widget.name, "kind": widget.kind, "controls": list(widget.controls)}
        rows.append(_measure(row, widget, updates, runs))
    for widget in list(ipywidgets.Widget.widgets.values()) if figures is None else []:
        if isinstance(widget, ipywidgets.interactive):
            controls = {c.description or f"control {k}": c for k, c in enumerate(widget.kwargs_widgets)
                        if c.has_trait("value") and not isinstance(c, ipywidgets.Output)}
            row = {"widget": getattr(widget.f, "__name__", "interactive"), "kind": "legacy",
                   "controls": list(controls)}
            rows.append(_measure(row, controls, updates, runs))
    return rows


def _measure(row, widget, updates, runs):
    renderer = None if isinstance(widget, dict) else widget.renderer
    draws = (renderer.full_draws, renderer.blits) if renderer else None
    try:
        if isinstance(widget, dict):
            found = drive(widget, updates)
        elif widget.kind == "run":
            found = {"times": [], "cpu": [], "skipped": []}
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                widget.run()
                found["times"].append(time.perf_counter() - t0)
                found["cpu"].append(time.process_time() - c0)
        else:
            found = drive(widget.controls, updates)
    except Exception as err:  # one broken widget must not hide the others' numbers
        return {**row, "times": [], "cpu": [], "skipped": [], "error": f"{type(err).__name__}: {err}"}
    row.update(times=found["times"], cpu=found["cpu"], skipped=found["skipped"])
    if renderer is not None:                            # frames drawn during the sweep
        row.update(full_draws=renderer.full_draws - draws[0], blits=renderer.blits - draws[1])
    return row
