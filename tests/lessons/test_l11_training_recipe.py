"""Lesson 11 callbacks: the KIT deck's training recipe on the digits."""

import numpy as np
import pytest

from nncourse.lessons.l11_training_recipe import (
    DECK_LEARNING_RATES,
    DIAGNOSES,
    PATTERNS,
    coarse_grid,
    diagnose,
    digits_data,
    expected_initial_loss,
    exponential_moving_average,
    initial_loss,
    log_spaced,
    log_uniform,
    loss_curve_pattern,
    lr_range_test,
    lr_trial,
    mlp,
    moving_average,
    overfit_small_sample,
    random_search,
    train_config,
)

# ---------------------------------------------------------------- step 1

def test_expected_initial_loss_is_log_c():
    assert expected_initial_loss(10) == pytest.approx(2.302585, abs=1e-6)
    assert round(expected_initial_loss(10), 4) == 2.3026          # the number the lesson prints
    assert expected_initial_loss(1) == 0.0
    with pytest.raises(ValueError, match="expected_initial_loss: num_classes"):
        expected_initial_loss(0)


def test_small_output_weights_give_log_10_and_large_ones_do_not():
    small = initial_loss(output_scale=0.001)
    assert small["loss"] == pytest.approx(np.log(10), abs=1e-4)
    default = initial_loss(output_scale=1.0)
    large = initial_loss(output_scale=10.0)
    assert np.log(10) < default["loss"] < large["loss"]
    # logits scale linearly with the output weights
    assert large["logit_std"] == pytest.approx(10 * default["logit_std"], rel=1e-12)


def test_weight_decay_adds_the_penalty_to_the_initial_loss():
    plain = initial_loss(output_scale=0.01)
    decayed = initial_loss(output_scale=0.01, weight_decay=0.1)
    assert decayed["loss"] == plain["loss"]
    assert decayed["total_loss"] > plain["total_loss"] + 0.1


# ---------------------------------------------------------------- step 2

def test_a_few_minibatches_are_learned_perfectly():
    r = overfit_small_sample(n_batches=5, batch_size=10, epochs=60)
    assert r["n_examples"] == 50
    assert r["final_acc"] == 1.0
    assert r["final_loss"] < 0.01
    assert r["history"]["train_loss"][0] > 1.0


# ---------------------------------------------------------------- step 3

def test_deck_learning_rates_rank_as_expected():
    drops = {lr: lr_trial(lr, iterations=100)["drop"] for lr in DECK_LEARNING_RATES}
    assert drops[1e-1] > 1.5 and drops[1e-2] > 1.5      # drop significantly within 100 iterations
    assert drops[1e-4] < 0.5 < drops[1e-3] < drops[1e-2]  # too small: barely moves


def test_a_huge_learning_rate_is_reported_as_diverging():
    r = lr_trial(1.0, iterations=100)
    assert r["diverged"] and len(r["losses"]) < 100
    assert r["losses"][-1] > 10 * r["losses"][0]


def test_lr_range_test_grows_geometrically_and_finds_a_sensible_rate():
    r = lr_range_test(lr_min=1e-5, lr_max=10.0, iterations=100)
    ratios = r["lrs"][1:] / r["lrs"][:-1]
    assert np.allclose(ratios, ratios[0])
    assert len(r["losses"]) < 100                       # it blew up before reaching 10
    assert 1e-3 <= r["steepest_lr"] <= 0.2
    with pytest.raises(ValueError, match="lr_range_test: need 0 < lr_min < lr_max"):
        lr_range_test(lr_min=1.0, lr_max=0.1)


def test_log_spaced_and_ema():
    assert np.allclose(log_spaced(1e-4, 1e-1, 4), [1e-4, 1e-3, 1e-2, 1e-1])
    # bias correction: the first value is x_0 itself, a constant stays constant
    x = np.array([2.0, 4.0, 4.0])
    m = exponential_moving_average(x, beta=0.5)
    assert m[0] == 2.0
    assert m[1] == pytest.approx((0.25 * 2 + 0.5 * 4) / 0.75)


# ---------------------------------------------------------------- steps 4 and 5

def test_log_uniform_puts_the_same_mass_in_every_decade():
    s = log_uniform(1e-5, 1e-1, size=40000, rng=0)
    assert s.min() >= 1e-5 and s.max() <= 1e-1
    counts = np.histogram(np.log10(s), bins=[-5, -4, -3, -2, -1])[0] / len(s)
    np.testing.assert_allclose(counts, 0.25, atol=0.01)
    assert np.array_equal(log_uniform(1e-3, 1.0, 5, rng=3), log_uniform(1e-3, 1.0, 5, rng=3))
    with pytest.raises(ValueError, match="log_uniform: need 0 < low < high"):
        log_uniform(0.0, 1.0)


def test_coarse_grid_prefers_a_working_learning_rate():
    g = coarse_grid((1e-1, 1e-3), (1e-4, 0.0), epochs=1)
    assert g["val_acc"].shape == (2, 2)
    assert g["best"][0] == 1e-1
    assert np.all(g["val_acc"][0] > g["val_acc"][1])


def test_random_search_is_sorted_and_repeatable():
    a = random_search(n_trials=3, epochs=1, rng=5)
    b = random_search(n_trials=3, epochs=1, rng=5)
    assert [t["lr"] for t in a] == [t["lr"] for t in b]
    assert [t["val_loss"] for t in a] == sorted(t["val_loss"] for t in a)
    assert all(1e-3 <= t["lr"] <= 1e-1 and 1e-6 <= t["weight_decay"] <= 1e-3 for t in a)


def test_train_config_is_reproducible():
    a, b = train_config(0.05, 1e-4, epochs=1), train_config(0.05, 1e-4, epochs=1)
    assert a["val_loss"] == b["val_loss"]


# ---------------------------------------------------------------- step 6

def test_moving_average_by_hand():
    assert np.allclose(moving_average([1.0, 2.0, 3.0, 4.0, 5.0], 3), [1.0, 1.5, 2.0, 3.0, 4.0])
    assert np.allclose(moving_average([3.0, 1.0], 1), [3.0, 1.0])
    with pytest.raises(ValueError, match="moving_average: window"):
        moving_average([1.0], 0)


@pytest.mark.parametrize("pattern, expected", [
    ("good", "fine"), ("lr too high", "diverging"), ("lr too low", "too slow"),
    ("bad init", "plateau then drop"), ("overfitting", "overfitting"),
])
def test_each_trained_pattern_is_diagnosed_correctly(pattern, expected):
    r = loss_curve_pattern(pattern)
    assert diagnose(r["train_loss"], r["val_loss"]) == expected
    assert len(r["batch_losses"]) >= len(r["train_loss"])


def test_diagnose_by_hand():
    assert diagnose([2.3, 1.0, 0.5, 0.3], [2.3, 1.1, 0.7, 0.6]) == "fine"
    assert diagnose([2.3, 1.0, 0.5, 0.3, 0.1], [2.3, 1.0, 0.6, 0.7, 0.9]) == "overfitting"
    assert diagnose([2.3, 2.2, 2.1]) == "too slow"
    assert diagnose([1.0, np.nan]) == "diverging"
    assert diagnose([2.30, 2.30, 2.29, 1.0, 0.5, 0.2]) == "plateau then drop"
    assert set(DIAGNOSES) == {"diverging", "plateau then drop", "too slow", "overfitting", "fine"}
    assert set(PATTERNS) == {"good", "lr too high", "lr too low", "bad init", "overfitting"}


def test_diagnose_errors():
    with pytest.raises(ValueError, match="needs at least 2 epochs"):
        diagnose([2.0])
    with pytest.raises(ValueError, match="val_loss must have the shape of train_loss"):
        diagnose([2.0, 1.0], [1.0])


def test_loss_curve_pattern_rejects_unknown_patterns():
    with pytest.raises(ValueError, match="loss_curve_pattern: pattern must be one of"):
        loss_curve_pattern("perfect")


def test_data_and_model_helpers():
    X_train, X_val, y_train, y_val = digits_data(n_train=100)
    assert X_train.shape == (100, 64) and X_val.shape == (450, 64)
    model = mlp(16, depth=3, activation="tanh", weight_std=0.0)
    assert all(np.all(layer.W == 0) for layer in model.layers[:-1:2])
    with pytest.raises(ValueError, match="mlp: activation must be"):
        mlp(activation="sigmoid")
