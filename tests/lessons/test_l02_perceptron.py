"""Tests for the lesson 02 callbacks: criterion, replay of the trace, convergence experiments."""

import numpy as np
import pytest

from nncourse.lessons.l02_perceptron import (
    B_STAR,
    W_STAR,
    convergence_experiment,
    convergence_sweep,
    digits_perceptron,
    error_driven_update,
    learning_rate_runs,
    make_margin_data,
    one_vs_rest,
    perceptron_criterion,
    quick_example,
    solutions_by_init,
    solutions_by_order,
    toy_data,
    trace_frame,
    update_geometry,
    xor_run,
    xor_with_product_feature,
)
from nnlib.datasets import make_blobs
from nnlib.perceptron import Perceptron, margin


def test_quick_example_of_the_sap_deck():
    ex = quick_example()
    assert ex["p"] == 0.5
    assert ex["a"] == 1 and ex["h"] == 1
    np.testing.assert_array_equal(ex["terms"], [1.0, 0.0, -0.5])


def test_quick_example_threshold_moves_the_decision():
    assert quick_example(rho=0.5)["a"] == 0  # p = 0.5 is not above 0.5 (strict)
    assert quick_example(rho=0.5)["h"] == 1  # sign(0) = +1 for the perceptron


# --- criterion ----------------------------------------------------------------------------

def test_criterion_by_hand():
    X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
    y = np.array([1, 1, -1])
    out = perceptron_criterion([1.0, -1.0], 0.5, X, y)
    # z = [-0.5, 3.5, 0.5]: examples 0 (z < 0, y = +1) and 2 (z > 0, y = -1) are wrong
    assert out["misclassified"].tolist() == [0, 2]
    assert out["J"] == pytest.approx(-(1 * -0.5 + -1 * 0.5))  # = 1.0
    np.testing.assert_allclose(out["grad_w"], -(X[0] - X[2]), rtol=0, atol=1e-12)
    assert out["grad_b"] == 0.0


def test_criterion_zero_at_a_separator_and_nonnegative():
    X, y = toy_data()
    model = Perceptron().fit(X, y)
    out = perceptron_criterion(model.w, model.b, X, y)
    assert out["J"] == 0 and out["misclassified"].size == 0
    rng = np.random.default_rng(0)
    for _ in range(20):
        assert perceptron_criterion(rng.normal(size=2), rng.normal(), X, y)["J"] >= 0


def test_criterion_gradient_matches_central_differences():
    X, y = toy_data()
    w, b = np.array([0.3, 1.1]), -0.2  # a point where several examples are wrong, none on z = 0
    out = perceptron_criterion(w, b, X, y)
    assert out["misclassified"].size > 0
    eps = 1e-6
    num_w = np.array([
        (perceptron_criterion(w + eps * e, b, X, y)["J"] - perceptron_criterion(w - eps * e, b, X, y)["J"])
        / (2 * eps) for e in np.eye(2)
    ])
    num_b = (perceptron_criterion(w, b + eps, X, y)["J"] - perceptron_criterion(w, b - eps, X, y)["J"]) / (2 * eps)
    np.testing.assert_allclose(out["grad_w"], num_w, rtol=1e-6, atol=1e-8)
    assert out["grad_b"] == pytest.approx(num_b, rel=1e-6, abs=1e-8)


def test_criterion_batch_step_is_sum_of_perceptron_updates():
    X, y = toy_data()
    w, b = np.array([0.3, 1.1]), -0.2
    out = perceptron_criterion(w, b, X, y)
    M = out["misclassified"]
    np.testing.assert_allclose(-out["grad_w"], (y[M, None] * X[M]).sum(axis=0), rtol=1e-12, atol=1e-12)


def test_criterion_errors():
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="labels y must be -1 or \\+1"):
        perceptron_criterion([1.0, 0.0], 0.0, X, [0, 1])
    with pytest.raises(ValueError, match=r"w must have shape \(2,\), got \(3,\)"):
        perceptron_criterion([1.0, 0.0, 1.0], 0.0, X, [1, -1])


def test_error_driven_update_equals_perceptron_rule():
    theta, x = np.array([1.0, -0.5, -1.0]), np.array([1.0, 0.0, 0.5])
    wrong = error_driven_update(theta, x, y=0, alpha=0.5)  # a = 1 but y = 0
    assert wrong["error"] == -1
    np.testing.assert_allclose(wrong["theta"], theta + 0.5 * (-1) * x, rtol=0, atol=1e-12)
    right = error_driven_update(theta, x, y=1)
    assert right["error"] == 0 and np.all(right["theta"] == theta)
    with pytest.raises(ValueError, match="y must be 0 or 1"):
        error_driven_update(theta, x, y=-1)


# --- replay -------------------------------------------------------------------------------

def test_toy_data_needs_several_updates():
    X, y = toy_data()
    model = Perceptron().fit(X, y)
    assert model.converged and model.n_updates == 12 and model.history == [5, 3, 2, 2, 0]


def test_trace_frames_walk_from_zero_to_the_final_weights():
    X, y = toy_data()
    model = Perceptron().fit(X, y)
    first = trace_frame(model, 0)
    assert np.all(first["w"] == 0) and first["b"] == 0 and first["step"] is None and first["k"] == 0
    for k in range(1, model.n_updates + 1):
        before, after = trace_frame(model, k - 1), trace_frame(model, k)
        step = after["step"]
        assert after["k"] == k and after["n_steps"] == 12
        np.testing.assert_allclose(after["w"], before["w"] + step.y * step.x, rtol=0, atol=1e-12)
        assert after["b"] == before["b"] + step.y
        # the example was misclassified before its update
        assert np.sign(step.x @ before["w"] + before["b"] or 1) != step.y
    last = trace_frame(model, model.n_updates)
    np.testing.assert_array_equal(last["w"], model.w)


def test_trace_frame_errors():
    X, y = toy_data()
    model = Perceptron().fit(X, y)
    with pytest.raises(ValueError, match=r"k must be an int in \[0, 12\]"):
        trace_frame(model, 13)
    with pytest.raises(TypeError, match="fitted Perceptron"):
        trace_frame(Perceptron(), 0)


def test_update_geometry_score_rises_by_norm_squared():
    X, y = toy_data()
    model = Perceptron(lr=0.5).fit(X, y)
    for step in model.trace:
        g = update_geometry(step, lr=0.5)
        assert g["after"] == pytest.approx(g["before"] + 0.5 * g["norm_sq"], rel=1e-12, abs=1e-12)
        assert g["before"] <= 0  # it was a mistake
        if np.isfinite(g["cos_before"]):
            assert g["cos_after"] > g["cos_before"]  # u turned towards y x~


def test_learning_rate_only_scales():
    X, y = toy_data()
    runs = learning_rate_runs(X, y, lrs=(0.1, 1.0, 10.0))
    assert runs[0]["mistakes"] == runs[1]["mistakes"] == runs[2]["mistakes"]
    np.testing.assert_allclose(runs[2]["w"], 100 * runs[0]["w"], rtol=1e-12, atol=1e-12)


# --- convergence --------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [0.02, 0.1, 0.3])
def test_margin_data_has_the_requested_margin(gamma):
    X, y = make_margin_data(gamma, n_samples=30, rng=1)
    assert X.shape == (30, 2) and np.all(np.abs(X) <= 1)
    assert margin(W_STAR, B_STAR, X, y) >= gamma


def test_margin_data_errors():
    with pytest.raises(ValueError, match=r"gamma must be in \(0, 0.5\)"):
        make_margin_data(0.0)


@pytest.mark.parametrize("gamma", [0.02, 0.05, 0.2])
def test_updates_never_exceed_novikoff_bound(gamma):
    out = convergence_experiment(gamma, n_samples=40, n_orders=8, rng=2)
    assert out["converged"]
    assert out["updates"].shape == (8,)
    assert np.all(out["updates"] <= out["bound"])
    assert out["bound"] == pytest.approx((out["R"] / out["gamma"]) ** 2)


def test_smaller_margin_means_more_updates_and_a_larger_bound():
    sweep = convergence_sweep((0.02, 0.3), n_orders=6, rng=0)
    assert sweep["bound"][0] > sweep["bound"][1]
    assert sweep["mean_updates"][0] > sweep["mean_updates"][1]


# --- non-uniqueness, XOR, classes ------------------------------------------------------------

def test_different_orders_and_starts_give_different_separators():
    X, y = toy_data()
    by_order = solutions_by_order(X, y, seeds=(0, 1, 2))
    by_init = solutions_by_init(X, y)
    for runs in (by_order, by_init):
        assert all(run["errors"] == 0 for run in runs)
        directions = {tuple(np.round(np.append(r["w"], r["b"]) / np.linalg.norm(np.append(r["w"], r["b"])), 6))
                      for r in runs}
        assert len(directions) == len(runs)  # every run ended somewhere else


def test_xor_never_converges_and_cycles():
    out = xor_run(10)
    assert not out["model"].converged
    assert len(out["history"]) == 10 and min(out["history"]) > 0
    assert out["period"] == 1
    np.testing.assert_array_equal(out["states"][-1], out["states"][-2])


def test_product_feature_makes_xor_separable():
    out = xor_with_product_feature()
    assert out["model"].converged
    assert out["model"].predict(out["Phi"]).tolist() == out["y"].tolist()


def test_one_vs_rest_on_three_blobs():
    X, y = make_blobs(60, centers=[[0, 3], [3, -2], [-3, -2]], cluster_std=0.5, rng=0)
    out = one_vs_rest(X, y, 3)
    assert out["targets"].shape == (60, 3)
    assert np.all(out["targets"].sum(axis=1) == -1)  # one +1 and two -1 per row
    assert np.all(out["predict"](X) == y)


def test_digits_zero_against_one_is_separable():
    out = digits_perceptron(0, 1)
    assert out["model"].converged and out["accuracy"] == 1.0
    assert out["W_image"].shape == (8, 8)
