"""Lesson 10 callbacks: capacity and double descent, penalties, early stopping, dropout,
DropConnect, batch normalisation and ensembles."""

import numpy as np
import pytest

from nncourse.lessons.l10_regularisation import (
    batchnorm_running_stats,
    batchnorm_training_comparison,
    capacity_curve,
    digits_mlp,
    dropout_conventions_agree,
    dropout_statistics,
    early_stopping_replay,
    early_stopping_run,
    ensemble_demo,
    mask_count_log10,
    random_feature_fit,
    sample_size_curve,
    small_digits,
    thinned_networks,
    train_digits_model,
    train_penalised,
    weight_decay_step_matches_l2,
)

# ---------------------------------------------------------------- capacity and double descent

def test_training_error_falls_with_capacity_and_reaches_zero_past_the_threshold():
    c = capacity_curve((5, 20, 60, 150, 500), n_train=60, n_test=200, seeds=2)
    assert np.all(np.diff(c["train_mse"]) <= 1e-12)      # more units never fit worse
    assert c["train_mse"][0] > 0.5                       # 5 units underfit
    assert c["train_mse"][-1] < 1e-12                    # 500 units interpolate 60 examples


def test_double_descent_peak_sits_near_the_interpolation_threshold():
    widths = (10, 40, 100, 110, 120, 300, 1000)
    c = capacity_curve(widths, n_train=100, n_test=300, seeds=3)
    peak = widths[int(np.argmax(c["test_mse"]))]
    assert 90 <= peak <= 120                            # where P ~ N = 100
    # the second descent: far past the threshold the test error beats the classical optimum
    assert c["test_mse"][-1] < c["test_mse"][1]
    assert c["test_error"][-1] < c["test_error"][1]
    # the minimum-norm solution needs its largest weights near the threshold
    assert 90 <= widths[int(np.argmax(c["weight_norm"]))] <= 120
    assert c["weight_norm"].max() > 10 * max(c["weight_norm"][0], c["weight_norm"][-1])


def test_more_data_can_hurt_near_the_threshold():
    s = sample_size_curve((40, 90, 300), width=100, n_test=300, seeds=3)
    assert s["test_mse"][1] > s["test_mse"][0]           # 90 examples worse than 40
    assert s["test_mse"][2] < s["test_mse"][0]           # many more examples help again


def test_random_feature_fit_counts_parameters_and_rejects_too_many_examples():
    assert random_feature_fit(7, n_train=20, n_test=20)["n_params"] == 70
    with pytest.raises(ValueError, match="random_feature_fit: n_train \\+ n_test must be at most 1797"):
        random_feature_fit(5, n_train=1500, n_test=500)


def test_small_digits_is_standardised_with_training_statistics():
    X_train, X_val, y_train, y_val = small_digits(200, 100)
    assert X_train.shape == (200, 64) and X_val.shape == (100, 64)
    assert np.allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.abs(np.bincount(y_train) - 20) <= 1)  # stratified: about 20 per class
    with pytest.raises(ValueError, match="small_digits: n_train \\+ n_val must be at most 1797"):
        small_digits(1000, 1000)


# ---------------------------------------------------------------- penalties

def test_weight_decay_is_the_l2_penalty():
    r = weight_decay_step_matches_l2(lam=0.05, lr=0.2)
    assert r["max_difference"] < 1e-14
    r0 = weight_decay_step_matches_l2(lam=0.0)
    assert not np.allclose(r0["W_decay"], r["W_decay"])  # the decay really changes the step


def test_stronger_penalties_shrink_weights_and_l1_makes_them_sparse():
    plain = train_penalised("none", 0.0, epochs=10)
    l2 = train_penalised("l2", 0.1, epochs=10)
    l1 = train_penalised("l1", 0.01, epochs=10)
    assert l2["weight_norm_l2"] < 0.7 * plain["weight_norm_l2"]
    assert l1["weight_norm_l1"] < 0.7 * plain["weight_norm_l1"]
    assert l1["near_zero"] > 5 * max(plain["near_zero"], l2["near_zero"], 0.01)
    assert np.all(plain["penalty"] == 0) and np.all(l2["penalty"] > 0)
    with pytest.raises(ValueError, match="train_penalised: kind must be one of"):
        train_penalised("ridge")


# ---------------------------------------------------------------- early stopping

def test_early_stopping_replay_by_hand():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6]
    assert early_stopping_replay(losses, patience=3) == (3, 6)
    assert early_stopping_replay(losses, patience=4) == (7, 7)
    # 0.69 is not an improvement of more than min_delta = 0.05 over 0.7
    assert early_stopping_replay([1.0, 0.7, 0.69, 0.68], patience=2, min_delta=0.05) == (2, 4)


def test_early_stopping_replay_errors():
    with pytest.raises(ValueError, match="early_stopping_replay: patience"):
        early_stopping_replay([1.0], patience=0)
    with pytest.raises(ValueError, match="at least one epoch"):
        early_stopping_replay([], patience=1)


def test_fit_stops_where_the_replay_says_and_restores_the_best_weights():
    r = early_stopping_run(patience=5, epochs=40)
    full_val = r["full"]["val_loss"]
    # the stopped run saw the same epochs as the full run up to where it stopped
    np.testing.assert_allclose(r["stopped"]["val_loss"], full_val[:r["stop_epoch"]], rtol=1e-12)
    assert (r["best_epoch"], r["stop_epoch"]) == early_stopping_replay(full_val, 5)
    assert r["stop_epoch"] == r["best_epoch"] + 5 < 40
    assert r["val_loss_restored"] == pytest.approx(min(full_val[:r["stop_epoch"]]), rel=1e-12)
    assert r["val_loss_restored"] < r["val_loss_full"]        # the full run overfitted


# ---------------------------------------------------------------- dropout

def test_deck_mask_count():
    assert mask_count_log10(4096) == pytest.approx(1233.0, abs=0.05)
    assert mask_count_log10(4) == pytest.approx(np.log10(16))


@pytest.mark.parametrize("mode", ["inverted", "scale_at_test"])
def test_dropout_keeps_the_expected_activation(mode):
    s = dropout_statistics(0.3, mode, n_units=5, n_masks=20000, rng=1)
    assert s["kept_fraction"] == pytest.approx(0.7, abs=0.01)
    # in both modes the training average matches what the next layer sees at test time
    np.testing.assert_allclose(s["train_mean"], s["test_output"], atol=0.02)
    if mode == "inverted":
        assert np.allclose(s["train_values"], 1 / 0.7) and np.all(s["test_output"] == 1.0)
    else:
        assert np.all(s["train_values"] == 1.0) and np.allclose(s["test_output"], 0.7)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_inverted_and_test_time_scaling_are_the_same_network(p):
    r = dropout_conventions_agree(p, rng=1)
    assert r["train_difference"] < 1e-12 and r["test_difference"] < 1e-12
    assert np.abs(r["test_inverted"]).max() > 0.1                 # not trivially zero


def test_thinned_networks_enumerate_every_mask_once():
    t = thinned_networks(p=0.3)
    assert len({tuple(m) for m in t["masks"]}) == 16
    assert t["probabilities"].sum() == pytest.approx(1.0)
    assert t["probabilities"][-1] == pytest.approx(0.7 ** 4)   # all four kept
    assert t["probabilities"][0] == pytest.approx(0.3 ** 4)    # all four dropped


def test_expectation_view_is_exact_before_the_nonlinearity_only():
    t = thinned_networks(p=0.5, n_samples=4000, rng=2)
    np.testing.assert_allclose(t["z2_mean"], t["z2_scaled"], rtol=1e-12, atol=1e-12)
    assert t["ensemble"] != pytest.approx(t["scaled"], abs=1e-3)   # ReLU: E f(z) != f(E z)
    assert abs(t["ensemble"] - t["scaled"]) < 0.1 * abs(t["ensemble"])  # ... but close
    assert t["mc_running"][-1] == pytest.approx(t["ensemble"], abs=0.05)


def test_dropout_narrows_the_gap_between_training_and_validation_loss():
    plain = train_digits_model("plain", epochs=25)
    drop = train_digits_model("dropout", epochs=25)
    gap = {name: r["history"]["val_loss"][-1] - r["history"]["train_loss"][-1]
           for name, r in (("plain", plain), ("dropout", drop))}
    assert drop["history"]["train_loss"][-1] > 2 * plain["history"]["train_loss"][-1]
    assert gap["dropout"] < gap["plain"]
    assert drop["val_acc"] > 0.85 and plain["val_acc"] > 0.85
    assert not drop["model"].training                      # fit leaves eval mode


def test_digits_mlp_rejects_unknown_variant():
    with pytest.raises(ValueError, match="digits_mlp: variant must be one of"):
        digits_mlp("maxout")


# ---------------------------------------------------------------- batch normalisation

def test_running_mean_follows_the_momentum_formula():
    r = batchnorm_running_stats(momentum=0.1, steps=30, batch_size=8, mean=5.0, std=3.0, rng=0)
    expected = 0.0
    for m in r["batch_mean"]:
        expected = 0.9 * expected + 0.1 * m
    assert r["running_mean"][-1] == pytest.approx(expected, rel=1e-12)
    assert abs(r["train_out_mean"]) < 1e-12              # batch statistics: output mean 0
    assert r["running_mean"][1] == pytest.approx(0.1 * r["batch_mean"][0])


def test_running_statistics_converge_so_eval_normalises_like_training():
    r = batchnorm_running_stats(momentum=0.1, steps=200, batch_size=32, mean=5.0, std=3.0, rng=1)
    assert r["running_mean"][-1] == pytest.approx(5.0, abs=0.5)
    assert r["running_var"][-1] == pytest.approx(9.0, rel=0.25)
    assert abs(r["eval_out"]) < 0.2


def test_batchnorm_rescues_a_badly_initialised_deep_network():
    r = batchnorm_training_comparison(epochs=4)
    assert r["val_acc_batchnorm"] > r["val_acc_plain"] + 0.3
    assert r["batchnorm"]["train_loss"][-1] < r["plain"]["train_loss"][-1]


# ---------------------------------------------------------------- ensembles

def test_averaging_members_beats_the_average_member():
    e = ensemble_demo(n_models=4, epochs=15)
    assert e["ensemble_loss"][-1] < e["member_loss"].mean()
    assert e["ensemble_acc"][-1] >= e["member_acc"].mean()
    assert e["ensemble_acc"][0] == e["member_acc"][0]    # an ensemble of one is that member
