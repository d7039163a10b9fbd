"""The widget benchmark's driver moves every kind of control the widget glue accepts.

(The benchmark itself times things and is not a test; what it does to the controls is.)
"""

import sys
from pathlib import Path

import ipywidgets
import numpy as np
import pytest

from nncourse import widgets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_widgets  # noqa: E402
import widget_driver  # noqa: E402

ACTIVATIONS = {"tanh": np.tanh, "sine": np.sin}                  # option values that are objects


def every_kind_of_control():
    return {
        "optimiser": widgets.dropdown({"plain SGD": "sgd", "Adam": "adam"}, description="optimiser"),
        "batchnorm": widgets.dropdown([("no", False), ("yes", True)], False, "batch norm"),
        "activation": ipywidgets.RadioButtons(options=ACTIVATIONS),
        "pattern": ipywidgets.SelectionSlider(options=["good", "overfit", "underfit"], value="good"),
        "lr": widgets.log_slider(0.01, 1e-4, 1.0, "learning rate", steps_per_decade=1),
        "units": widgets.slider(3, 1, 5, description="units"),
        "scale": widgets.slider(0.5, 0.0, 1.0, 0.25, "scale"),
        "show": ipywidgets.Checkbox(value=True, description="show"),
        "frozen": ipywidgets.ToggleButton(value=False),
        "window": ipywidgets.IntRangeSlider(value=(2, 4), min=0, max=6),
        "lengths": ipywidgets.FloatRangeSlider(value=(0.25, 0.5), min=0.0, max=1.0, step=0.25),
        "layers": ipywidgets.SelectMultiple(options={"first": 1, "second": 2}, value=(1,)),
        "epochs": ipywidgets.SelectionRangeSlider(options=[1, 5, 10, 30], index=(0, 1)),
        "seed": ipywidgets.IntText(value=0),
        "noise": ipywidgets.BoundedFloatText(value=0.1, min=0.0, max=0.2, step=0.1),
        "step": ipywidgets.Play(value=0, min=0, max=2),
        "name": ipywidgets.Text(value="run 1"),
    }


def test_drive_moves_every_kind_of_control_through_its_values_and_back():
    controls = every_kind_of_control()
    found_values = {name: {} for name in controls}          # name -> {repr: value}, in order

    def record(**values):
        for name, value in values.items():
            found_values[name].setdefault(repr(value), value)

    fig, _ = widgets.subplots()
    w = widgets.live(fig, record, **controls)
    start = w.values()
    found = widget_driver.drive(w.controls, 5)
    seen = {name: list(values.values()) for name, values in found_values.items()}

    assert sorted(seen["optimiser"]) == ["adam", "sgd"]               # values, not the labels
    assert sorted(seen["batchnorm"]) == [False, True]
    assert seen["activation"] == [np.tanh, np.sin]
    assert seen["pattern"] == ["good", "overfit", "underfit"]
    np.testing.assert_allclose(sorted(seen["lr"]), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert sorted(seen["units"]) == [1, 2, 3, 4, 5]
    assert sorted(seen["scale"]) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert sorted(seen["show"]) == sorted(seen["frozen"]) == [False, True]
    assert (0, 4) in seen["window"] and (2, 6) in seen["window"]
    assert (0.0, 0.5) in seen["lengths"] and (0.25, 1.0) in seen["lengths"]
    assert (2,) in seen["layers"] and (1, 2) in seen["layers"]
    assert (10, 30) in seen["epochs"]
    assert {-2, 2} <= set(seen["seed"]) and sorted(seen["noise"]) == [0.0, 0.1, 0.2]
    assert sorted(seen["step"]) == [0, 1, 2]
    assert found["skipped"] == ["name"] and seen["name"] == ["run 1"]
    assert len(found["times"]) == len(found["cpu"]) == len(found["values"]) > 30
    assert all(t >= 0 for t in found["times"])
    assert repr(w.values()) == repr(start)                           # every control set back


def test_moves_choose_options_by_index_so_dict_options_work():
    dropdown = widgets.dropdown({"plain SGD": "sgd", "Adam": "adam", "RMSprop": "rmsprop"}, value="adam")
    assert widget_driver.moves(dropdown, 20) == [("index", 2), ("index", 0), ("index", 1)]
    assert widget_driver.moves(widgets.log_slider(0.01, 1e-3, 1e-1, steps_per_decade=1), 20) == [
        ("value", pytest.approx(1e-3)), ("value", pytest.approx(1e-2)), ("value", pytest.approx(1e-1))]


def test_measure_all_reports_a_failing_widget_and_goes_on():
    fig, _ = widgets.subplots()

    def fragile(a=0):
        if a > 1:
            raise ValueError("a too large")

    other_fig, ax = widgets.subplots()
    (line,) = ax.plot([0, 1], [0, 0])

    def fine(b=0):
        line.set_ydata([0, b])

    broken = widgets.live(fig, fragile, a=widgets.slider(0, 0, 2))
    working = widgets.live(other_fig, fine, b=widgets.slider(0, 0, 2))
    rows = widget_driver.measure_all(updates=3, figures=[broken, working])
    assert rows[0]["widget"] == "fragile" and "ValueError: a too large" in rows[0]["error"]
    assert rows[1]["widget"] == "fine" and len(rows[1]["times"]) == 2 and "error" not in rows[1]
    assert rows[1]["full_draws"] + rows[1]["blits"] == 3     # frames drawn while driven: 2 moves, 1 back
    summary = bench_widgets.summarise("99", rows[0])
    assert summary["meets"] == "FAILED" and "FAILED" in bench_widgets.table([summary])
