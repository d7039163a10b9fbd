"""Lesson 08 callbacks: symmetry, activation statistics, variance formulas, standardisation."""

import numpy as np
import pytest

from nncourse.lessons.l08_initialisation_preprocessing import (
    activation_statistics,
    conditioning_demo,
    constant_init,
    deck_equivalent_std,
    digits_preprocessing_demo,
    layer_variance_check,
    mse_hessian,
    mse_surface,
    preprocess_digits,
    symmetry_demo,
    theoretical_variance,
)

# ---------------------------------------------------------------- symmetry

def test_zero_init_keeps_all_hidden_units_identical():
    run = symmetry_demo("zeros", hidden=3, epochs=40)
    # every hidden unit outputs sigmoid(0) = 0.5, so all entries of W2 get the same
    # gradient; the gradients reaching W1 are equal per row, so no unit ever differs
    assert np.all(run["spread"] == 0.0)
    # with zero weights the first loss is BCE at p = 0.5 = ln 2
    assert run["loss"][0] == pytest.approx(np.log(2.0), abs=1e-12)


def test_constant_init_units_change_but_stay_identical():
    run = symmetry_demo("constant", hidden=4, epochs=200)
    assert np.all(run["spread"] == 0.0)
    assert not np.allclose(run["W1"][-1], 0.5)          # the weights did move ...
    assert np.allclose(run["hidden_out"], run["hidden_out"][:, :1])  # ... as one unit
    assert run["accuracy"] <= 0.75                       # one hidden unit cannot do XOR


def test_random_init_breaks_symmetry_and_solves_xor():
    run = symmetry_demo("xavier", hidden=4, epochs=300, rng=0)
    assert run["spread"][0] > 0
    assert run["accuracy"] == 1.0
    assert run["loss"][-1] < 0.1 < run["loss"][0]


def test_constant_init_function_fills_the_shape():
    W = constant_init(0.25)((2, 3), None)
    assert W.shape == (2, 3) and np.all(W == 0.25)


def test_symmetry_demo_rejects_unknown_init():
    with pytest.raises(ValueError, match="symmetry_demo: init must be one of"):
        symmetry_demo("ones")


# ---------------------------------------------------------------- activation statistics

def test_deck_equivalent_std_keeps_the_gain():
    assert deck_equivalent_std(0.01, 4096) == pytest.approx(0.01)
    assert deck_equivalent_std(0.01, 1024) == pytest.approx(0.02)
    for std in (0.01, 0.05):
        s = deck_equivalent_std(std, 256)
        assert s * np.sqrt(256) == pytest.approx(std * np.sqrt(4096))


def test_small_weights_shrink_the_signal_geometrically():
    std = deck_equivalent_std(0.01, 256)               # gain 0.64 per layer
    s = activation_statistics(std, "tanh", width=256, n_samples=300)
    assert s["gain"] == pytest.approx(0.64)
    assert np.all(np.diff(s["std"]) < 0)
    # near 0 tanh is linear, so the std falls by about the gain per layer
    ratios = s["std"][3:] / s["std"][2:-1]
    assert np.allclose(ratios, 0.64, rtol=0.05)
    assert s["saturated"][1:].max() == 0.0


def test_large_weights_saturate_tanh():
    s = activation_statistics(deck_equivalent_std(0.05, 256), "tanh", width=256, n_samples=300)
    assert s["gain"] == pytest.approx(3.2)
    assert np.all(s["saturated"] > 0.25)
    assert np.all(s["std"] > 0.8)


def test_xavier_keeps_tanh_spread_and_he_keeps_relu_scale():
    tanh = activation_statistics("xavier", "tanh", width=256, n_samples=300)
    assert np.all((tanh["std"] > 0.2) & (tanh["std"] < 0.8))
    assert tanh["saturated"][1:].max() < 0.01
    relu_x = activation_statistics("xavier", "relu", width=256, n_samples=300)
    relu_he = activation_statistics("he", "relu", width=256, n_samples=300)
    # Xavier halves the second moment per ReLU layer, He keeps it
    assert relu_x["std"][-1] < 0.2 * relu_x["std"][0]
    assert relu_he["std"][-1] > 0.6 * relu_he["std"][0]
    assert np.allclose(relu_he["zero"], 0.5, atol=0.05)


def test_histograms_are_shares_that_sum_to_one():
    s = activation_statistics("xavier", "tanh", n_layers=3, width=64, n_samples=50, bins=10)
    assert s["counts"].shape == (3, 10) and s["edges"].shape == (11,)
    assert np.allclose(s["counts"].sum(axis=1), 1.0)
    r = activation_statistics("he", "relu", n_layers=2, width=64, n_samples=50, bins=10)
    assert np.allclose(r["counts"].sum(axis=1) + r["zero"], 1.0)


def test_activation_statistics_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_statistics(0.1, "sigmoid", width=8, n_samples=4)
    with pytest.raises(ValueError, match="weight_std must be a number or one of"):
        activation_statistics("zeros", width=8, n_samples=4)


# ---------------------------------------------------------------- variance formulas

def test_theoretical_variances_of_the_deck():
    assert theoretical_variance("xavier", 100, 300) == pytest.approx(1 / 100)
    assert theoretical_variance("glorot", 100, 300) == pytest.approx(1 / 200)
    assert theoretical_variance("he_avg", 100, 300) == pytest.approx(2 / 200)
    assert theoretical_variance("he", 100, 300) == pytest.approx(2 / 100)
    # Glorot and the deck's He differ by exactly the factor 2
    assert theoretical_variance("he_avg", 7, 13) == pytest.approx(2 * theoretical_variance("glorot", 7, 13))
    with pytest.raises(ValueError, match="scheme must be one of"):
        theoretical_variance("normal", 3, 4)


@pytest.mark.parametrize("scheme", ["xavier", "glorot", "he", "he_avg"])
def test_measured_gains_match_M_in_and_M_out_times_var_w(scheme):
    r = layer_variance_check(scheme, 100, 400, n_samples=2000, rng=0)
    assert r["var_w"] == pytest.approx(r["var_w_theory"], rel=0.05)
    assert r["forward_gain"] == pytest.approx(r["forward_theory"], rel=0.05)
    assert r["backward_gain"] == pytest.approx(r["backward_theory"], rel=0.05)


def test_xavier_forward_gain_is_one_glorot_balances():
    r = layer_variance_check("xavier", 100, 400)
    assert r["forward_theory"] == 1.0 and r["backward_theory"] == 4.0
    g = layer_variance_check("glorot", 100, 400)
    # M_avg = 250: forward 100/250, backward 400/250, geometric mean 0.8 of the two extremes
    assert g["forward_theory"] == pytest.approx(0.4) and g["backward_theory"] == pytest.approx(1.6)


# ---------------------------------------------------------------- standardisation

def test_mse_hessian_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 0.0]])
    assert np.allclose(mse_hessian(X), [[10.0, 2.0], [2.0, 4.0]])


def test_mse_surface_matches_direct_loss():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    y = np.array([[1.0], [0.0], [2.0]])
    W1, W2, L = mse_surface(X, y, (-1, 1), (0, 2), resolution=5)
    w = np.array([W1[2, 3], W2[2, 3]])
    assert L[2, 3] == pytest.approx(np.mean((X @ w - y.ravel()) ** 2))


def test_standardising_makes_the_bowl_round_and_gd_fast():
    d = conditioning_demo(offset=10.0, scale=3.0, steps=50)
    raw, std = d["raw"], d["standardised"]
    # by hand: (X^T X)/n ~ [[1 + 100, 100], [100, 9 + 100]] -> kappa ~ 42
    assert 25 < raw["kappa"] < 70
    assert std["kappa"] < 1.5
    assert std["loss"][5] == pytest.approx(std["loss_star"], rel=1e-3)
    assert raw["loss"][-1] > 10 * raw["loss_star"]
    assert np.allclose(std["X"].mean(axis=0), 0.0) and np.allclose(std["X"].std(axis=0), 1.0)


def test_preprocess_digits_uses_training_statistics():
    X_train = np.array([[0.0, 4.0], [2.0, 8.0], [4.0, 12.0]])
    X_test = np.array([[2.0, 16.0]])
    tr, te = preprocess_digits(X_train, X_test, "standardised")
    assert np.allclose(tr.mean(axis=0), 0.0)
    std2 = np.std([4.0, 8.0, 12.0])
    assert np.allclose(te, [[0.0, 8.0 / std2]])
    tr, te = preprocess_digits(X_train, X_test, "scaled")
    assert np.allclose(te, [[0.125, 1.0]])
    with pytest.raises(ValueError, match="preprocessing must be one of"):
        preprocess_digits(X_train, X_test, "whitened")


def test_raw_digits_saturate_tanh_units_and_standardised_train_better():
    raw = digits_preprocessing_demo("raw", epochs=3, lr=0.1)
    std = digits_preprocessing_demo("standardised", epochs=3, lr=0.1)
    assert raw["first_layer_saturated"] > 0.5 > 0.05 > std["first_layer_saturated"]
    assert std["history"]["train_loss"][-1] < raw["history"]["train_loss"][-1]
