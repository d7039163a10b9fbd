"""Tests for the lesson 00 callbacks: the environment check and the first slider."""

from pathlib import Path

import numpy as np
import pytest

import nnlib
from nncourse.lessons.l00_start_here import environment_report, sigmoid_unit_curve, widgets_status


def test_environment_report_lists_pinned_versions():
    report = environment_report()
    pins = dict(line.split("==") for line in open(Path(__file__).resolve().parents[2] / "requirements.txt").read().split() if "==" in line)
    for package in ("numpy", "matplotlib", "ipywidgets", "jupyterlab_widgets"):
        assert report[package] == pins[package], f"{package}: report and requirements.txt differ"
    assert report["nnlib"] == nnlib.__version__
    assert report["python"] == "3.11"


def test_widgets_status_outside_a_kernel_explains_why():
    assert widgets_status().startswith("no Jupyter kernel")


def test_sigmoid_unit_hand_computed_values():
    out = sigmoid_unit_curve(w=2.0, b=-1.0, x_min=-1.0, x_max=1.0, num=3)  # x = -1, 0, 1
    np.testing.assert_allclose(out["z"], [-3.0, -1.0, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["a"], [0.0474258732, 0.2689414214, 0.7310585786], rtol=1e-9, atol=1e-12)
    assert out["threshold"] == 0.5 and out["slope"] == 0.5


def test_sigmoid_unit_is_one_half_at_the_threshold_and_slope_is_w_over_4():
    w, b = -3.0, 1.5
    out = sigmoid_unit_curve(w, b, x_min=-2.0, x_max=2.0, num=4001)
    x_star = out["threshold"]
    assert x_star == pytest.approx(0.5)
    np.testing.assert_allclose(np.interp(x_star, out["x"], out["a"]), 0.5, rtol=0, atol=1e-6)
    slope = np.gradient(out["a"], out["x"])[np.argmin(np.abs(out["x"] - x_star))]
    assert slope == pytest.approx(w / 4, rel=1e-4)
    # negative weight: the unit says "yes" left of the threshold
    assert np.all(out["a"][out["x"] < x_star] > 0.5) and np.all(out["a"][out["x"] > x_star] < 0.5)


def test_sigmoid_unit_zero_weight_ignores_the_input():
    out = sigmoid_unit_curve(0.0, 2.0)
    assert out["threshold"] is None
    np.testing.assert_allclose(out["a"], 1 / (1 + np.exp(-2.0)), rtol=1e-12, atol=0)


def test_sigmoid_unit_rejects_bad_arguments():
    with pytest.raises(ValueError, match="w and b must be finite numbers"):
        sigmoid_unit_curve(np.inf, 0.0)
    with pytest.raises(ValueError, match="need x_min < x_max, got 1 and 1"):
        sigmoid_unit_curve(1.0, 0.0, x_min=1, x_max=1)
    with pytest.raises(ValueError, match="num must be >= 1"):
        sigmoid_unit_curve(1.0, 0.0, num=0)


def test_notation_batch_rows_reproduce_the_lecture_z_equals_W_a_plus_b():
    """The course's notation: W is (out, in) as in z = W a + b; a batch stacks examples as rows."""
    layer = nnlib.Linear(2, 3, rng=0)
    A_prev = np.array([[1.0, 2.0], [-1.0, 0.5]])   # (N=2, in=2)
    Z = layer(A_prev)                               # (N, out=3)
    assert layer.W.shape == (3, 2) and layer.b.shape == (3,)
    for n in range(2):
        np.testing.assert_allclose(Z[n], layer.W @ A_prev[n] + layer.b, rtol=1e-12, atol=1e-12)


def test_logistic_regression_on_an_xray_needs_one_weight_per_pixel_plus_a_bias():
    """Lesson 00's number: a 1024x1024 image is 1,048,576 features, 1,048,577 parameters."""
    unit = nnlib.Linear(1024 * 1024, 1, rng=0)
    assert unit.W.shape == (1, 1_048_576)
    assert sum(p.data.size for p in unit.parameters()) == 1_048_577
