"""Tests for the lesson 01 callbacks: Hebbian conditioning, blocking, threshold-unit gates."""

import numpy as np
import pytest

from nncourse.lessons.l01_neurons_threshold_units import (
    BOOLEAN_FUNCTION_NAMES,
    blocking_experiment,
    gate_view,
    pavlov_hebbian,
    prediction_error_table,
    reachable_functions,
    run_conditioning,
    xor_network_table,
)

# --- Hebbian learning ---------------------------------------------------------------------

def test_pavlov_weight_grows_by_eta_per_pairing():
    out = pavlov_hebbian(n_pairings=6, eta=0.15, threshold=0.5)
    np.testing.assert_allclose(out["w_bell"], 0.15 * np.arange(7), rtol=0, atol=1e-12)
    # 3 pairings: 0.45 is not above 0.5; 4 pairings: 0.6 is.
    assert out["bell_alone"].tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert out["first_response"] == 4


def test_pavlov_no_learning_when_food_does_not_fire_the_neuron():
    # Food weight at the threshold: the neuron never fires (strict >), so Hebb learns nothing.
    out = pavlov_hebbian(n_pairings=5, eta=0.2, w_food=0.5, threshold=0.5)
    assert np.all(out["w_bell"] == 0)
    assert out["first_response"] is None


def test_pavlov_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_pairings must be >= 1"):
        pavlov_hebbian(n_pairings=0)
    with pytest.raises(ValueError, match="eta must be a finite number >= 0"):
        pavlov_hebbian(eta=-0.1)


# --- prediction error (Rescorla-Wagner) -------------------------------------------------

def test_rescorla_wagner_by_hand():
    # V_L: 0 -> 0.3 (error 1) -> 0.3 + 0.3 * 0.7 = 0.51 (error 0.7); extinction L-: error -0.51.
    out = run_conditioning([("L", 1), ("L", 1), ("L", 0)], alpha=0.3)
    np.testing.assert_allclose(out["V"][:, 0], [0.0, 0.3, 0.51, 0.357], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["error"], [1.0, 0.7, -0.51], rtol=1e-12, atol=1e-12)
    assert np.all(out["V"][:, 1] == 0)  # N never presented


def test_compound_trial_splits_the_error():
    out = run_conditioning([("LN", 1)], alpha=0.3, V0=[0.2, 0.4])
    # prediction 0.6, error 0.4, both present stimuli gain 0.3 * 0.4 = 0.12
    np.testing.assert_allclose(out["prediction"], [0.6], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["V"][-1], [0.32, 0.52], rtol=1e-12, atol=1e-12)


def test_hebbian_rule_ignores_the_prediction():
    out = run_conditioning([("LN", 1)] * 3, rule="hebbian", alpha=0.5)
    np.testing.assert_allclose(out["V"][-1], [1.5, 1.5], rtol=1e-12, atol=1e-12)


def test_blocking_with_prediction_error_but_not_with_hebb():
    pe = blocking_experiment(n_pretrain=20, n_compound=20, alpha=0.3)
    assert pe["V_L_test"]["A"] < 0.01 < 0.45 < pe["V_L_test"]["B"]
    # group B: symmetric compound learning converges to lambda / 2 each
    np.testing.assert_allclose(pe["B"]["V"][-1], [0.5, 0.5], rtol=0, atol=1e-6)
    hebb = blocking_experiment(n_pretrain=20, n_compound=20, alpha=0.3, rule="hebbian")
    assert hebb["V_L_test"]["A"] == pytest.approx(hebb["V_L_test"]["B"]) == pytest.approx(6.0)


def test_blocking_histories_share_a_trial_axis():
    out = blocking_experiment(n_pretrain=7, n_compound=5)
    assert out["A"]["V"].shape == out["B"]["V"].shape == (13, 2)
    assert np.all(out["B"]["V"][:8] == 0)


def test_no_pretraining_means_no_blocking():
    out = blocking_experiment(n_pretrain=0, n_compound=10)
    assert out["V_L_test"]["A"] == pytest.approx(out["V_L_test"]["B"])


def test_conditioning_errors():
    with pytest.raises(ValueError, match="rule must be"):
        run_conditioning([("L", 1)], rule="hebb")
    with pytest.raises(ValueError, match="unknown stimuli"):
        run_conditioning([("LX", 1)])
    with pytest.raises(ValueError, match="reward must be 0 or 1"):
        run_conditioning([("L", 2)])
    with pytest.raises(ValueError, match="must be a pair"):
        run_conditioning([("L", 1, 0)])
    with pytest.raises(ValueError, match="n_pretrain must be >= 0"):
        blocking_experiment(n_pretrain=-1)


def test_prediction_error_signs_match_the_lecture_figure():
    rows = dict(prediction_error_table())
    assert list(rows) == ["A+", "B-", "A-", "B+", "X-", "Y-", "X+", "Y+"]
    for name in ["A+", "B-", "X-", "Y+"]:  # predicted: no error
        assert abs(rows[name]) < 0.01, name
    for name in ["A-", "Y-"]:  # unpredicted omission: negative error
        assert rows[name] < -0.95, name
    for name in ["B+", "X+"]:  # unpredicted reward: positive error
        assert rows[name] > 0.95, name


# --- threshold units ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "w1, w2, theta, name",
    [(1, 1, 1.5, "AND"), (1, 1, 0.5, "OR"), (-1, -1, -1.5, "NAND"), (-1, -1, -0.5, "NOR"),
     (1, 0, 0.5, "x1"), (0, 0, -1, "always 1"), (0, 0, 0, "always 0"), (1, -1, 0.5, "x1 AND NOT x2")],
)
def test_gate_view_names_the_function(w1, w2, theta, name):
    assert gate_view(w1, w2, theta)["name"] == name


def test_gate_view_pre_activation_and_line():
    view = gate_view(2.0, -1.0, 0.5)
    np.testing.assert_allclose(view["p"], [0.0, -1.0, 2.0, 1.0], rtol=0, atol=0)
    assert view["a"].tolist() == [0, 0, 1, 1]
    # both points satisfy 2 x1 - x2 = 0.5
    line = view["line"]
    np.testing.assert_allclose(line @ np.array([2.0, -1.0]), [0.5, 0.5], rtol=0, atol=1e-12)


def test_gate_view_threshold_is_strict():
    # x1 + x2 = 1 exactly on (0,1) and (1,0): with theta = 1 they do not fire
    assert gate_view(1.0, 1.0, 1.0)["a"].tolist() == [0, 0, 0, 1]


def test_gate_view_vertical_and_missing_line():
    line = gate_view(2.0, 0.0, 1.0)["line"]
    np.testing.assert_allclose(line[:, 0], [0.5, 0.5], rtol=0, atol=0)
    assert gate_view(0.0, 0.0, 1.0)["line"] is None


def test_one_unit_reaches_all_but_xor_and_xnor():
    out = reachable_functions(np.linspace(-2.0, 2.0, 9))
    assert out["missing"] == ["XNOR", "XOR"]
    assert len(out["found"]) == 14 == len(BOOLEAN_FUNCTION_NAMES) - 2
    assert out["n_units"] == 9 ** 3


def test_xor_network_hidden_units_are_or_and_and():
    t = xor_network_table()
    X = t["X"]
    assert t["H"][:, 0].tolist() == (X[:, 0] | X[:, 1]).tolist()  # h1 = OR
    assert t["H"][:, 1].tolist() == (X[:, 0] & X[:, 1]).tolist()  # h2 = AND
    assert t["y"].tolist() == (X[:, 0] ^ X[:, 1]).tolist()
