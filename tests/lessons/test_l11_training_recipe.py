"""Lesson 11: the data, networks and runs of nncourse.lessons.l11_training_recipe, and the recipe's
checks as the lesson's cells compute them (initial loss log C, a small sample memorised, the deck's
learning rates ranked, a seeded log-uniform search)."""

import numpy as np
import pytest
from notebook_functions import notebook_function

from nncourse.lessons.l11_training_recipe import (
    DECK_LEARNING_RATES,
    DIAGNOSES,
    PATTERNS,
    diagnose,
    digits_data,
    exponential_moving_average,
    initial_loss,
    loss_curve_pattern,
    loss_curves,
    lr_range_test,
    mlp,
    scaled_normal,
    train_iterations,
)
from nnlib.activations import ReLU, Tanh
from nnlib.functional import softmax
from nnlib.losses import CrossEntropyLoss
from nnlib.optim import SGD, Adam, ReduceLROnPlateau
from nnlib.training import fit

# ---------------------------------------------------------------- step 1


def test_small_output_weights_give_log_10_and_large_ones_do_not():
    small = initial_loss(output_scale=0.001)
    assert small["loss"] == pytest.approx(np.log(10), abs=1e-4)
    assert round(small["expected"], 4) == 2.3026                  # the number the lesson prints
    default = initial_loss(output_scale=1.0)
    large = initial_loss(output_scale=10.0)
    assert np.log(10) < default["loss"] < large["loss"]
    # logits scale linearly with the output weights
    assert large["logit_std"] == pytest.approx(10 * default["logit_std"], rel=1e-12)


def test_initial_loss_by_hand_is_the_cross_entropy_of_near_uniform_probabilities():
    X_train, _, y_train, _ = digits_data()
    logits = mlp(64, output_scale=0.01, rng=0)(X_train)
    probs = softmax(logits)
    assert np.all(np.abs(probs - 0.1) < 0.02)                   # every class about 1/C
    by_hand = -np.mean(np.log(probs[np.arange(len(y_train)), y_train]))
    assert by_hand == pytest.approx(CrossEntropyLoss()(logits, y_train), rel=1e-12)
    assert by_hand == pytest.approx(initial_loss(output_scale=0.01)["loss"], rel=1e-12)


def test_weight_decay_adds_the_penalty_to_the_initial_loss():
    plain = initial_loss(output_scale=0.01)
    decayed = initial_loss(output_scale=0.01, weight_decay=0.1)
    assert decayed["loss"] == plain["loss"]
    assert decayed["total_loss"] > plain["total_loss"] + 0.1


# ---------------------------------------------------------------- step 2


def test_a_few_minibatches_are_learned_perfectly():
    X_small, _, y_small, _ = digits_data(n_train=50)
    model = mlp(64, rng=0)
    h = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X_small, y_small,
            epochs=60, batch_size=10, rng=0, verbose=False)
    assert h["train_loss"][0] > 1.0
    assert h["train_acc"][-1] == 1.0 and h["train_loss"][-1] < 0.01


# ---------------------------------------------------------------- step 3


def _drop(lr):
    X_train, _, y_train, _ = digits_data()
    model = mlp(64, rng=0)
    losses = train_iterations(model, SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4),
                              X_train, y_train, iterations=100, rng=0)
    return losses, losses[0] - np.mean(losses[-10:])


def test_deck_learning_rates_rank_as_expected():
    drops = {lr: _drop(lr)[1] for lr in DECK_LEARNING_RATES}
    assert drops[1e-1] > 1.5 and drops[1e-2] > 1.5      # drop significantly within 100 iterations
    assert drops[1e-4] < 0.5 < drops[1e-3] < drops[1e-2]  # too small: barely moves


def test_a_huge_learning_rate_stops_train_iterations_early():
    losses, _ = _drop(1.0)
    assert len(losses) < 100
    assert losses[-1] > 10 * losses[0]


def test_train_iterations_follows_a_learning_rate_schedule_and_checks_its_arguments():
    X_train, _, y_train, _ = digits_data(n_train=64)
    model = mlp(8)
    opt = SGD(model.parameters(), lr=1.0)
    train_iterations(model, opt, X_train, y_train, 3, lr_schedule=[0.3, 0.2, 0.1])
    assert opt.lr == 0.1
    assert not model.training
    with pytest.raises(ValueError, match="train_iterations: iterations"):
        train_iterations(model, opt, X_train, y_train, 0)


def test_lr_range_test_grows_geometrically_and_finds_a_sensible_rate():
    r = lr_range_test(lr_min=1e-5, lr_max=10.0, iterations=100)
    ratios = r["lrs"][1:] / r["lrs"][:-1]
    assert np.allclose(ratios, 10 ** (6 / 99))          # (10 / 1e-5)^(1/99)
    assert len(r["losses"]) < 100                       # it blew up before reaching 10
    assert 1e-3 <= r["steepest_lr"] <= 0.2
    with pytest.raises(ValueError, match="lr_range_test: need 0 < lr_min < lr_max"):
        lr_range_test(lr_min=1.0, lr_max=0.1)


def test_ema_by_hand():
    # bias correction: the first value is x_1 itself, a constant stays constant
    x = np.array([2.0, 4.0, 4.0])
    m = exponential_moving_average(x, beta=0.5)
    assert m[0] == 2.0
    assert m[1] == pytest.approx((0.25 * 2 + 0.5 * 4) / 0.75)
    np.testing.assert_allclose(exponential_moving_average([2.4, 2.0], beta=0.5), [2.4, 1.6 / 0.75])  # the lesson's 2.1333


# ---------------------------------------------------------------- steps 4 and 5


def test_seeded_log_uniform_learning_rates_cover_every_decade_equally():
    u = np.random.default_rng(0).uniform(np.log10(1e-5), np.log10(1e-1), size=40000)
    counts = np.histogram(u, bins=[-5, -4, -3, -2, -1])[0] / len(u)
    np.testing.assert_allclose(counts, 0.25, atol=0.01)
    first = 10 ** np.random.default_rng(0).uniform(-3, -1, size=8)
    np.testing.assert_allclose(first[:5], [0.0188, 0.0035, 0.0012, 0.0011, 0.0423], atol=5e-5)  # the lesson's draws


def test_the_lessons_coarse_grid_prefers_a_working_learning_rate():
    X_train, X_val, y_train, y_val = digits_data()
    train_config = notebook_function("11_training_recipe.ipynb", "train_config", X_train=X_train,
                                     y_train=y_train, X_val=X_val, y_val=y_val)
    good, slow = train_config(1e-1, 1e-4, epochs=1), train_config(3e-3, 1e-4, epochs=1)
    assert good["val_loss"][-1] < 0.5 * slow["val_loss"][-1]
    assert good["val_acc"][-1] > 0.9
    assert train_config(1e-1, 1e-4, epochs=1)["val_loss"] == good["val_loss"]      # seeded: repeatable


# ---------------------------------------------------------------- step 6


@pytest.mark.parametrize("pattern, expected", [
    ("good", "fine"), ("lr too high", "diverging"), ("lr too low", "too slow"),
    ("bad init", "plateau then drop"), ("overfitting", "overfitting"),
])
def test_each_trained_pattern_is_diagnosed_correctly(pattern, expected):
    r = loss_curve_pattern(pattern)
    assert diagnose(r["train_loss"], r["val_loss"]) == expected
    assert len(r["batch_losses"]) >= len(r["train_loss"])


def test_loss_curves_takes_any_model_and_optimizer():
    model = mlp(16, rng=1)
    r = loss_curves(model, SGD(model.parameters(), lr=0.05, momentum=0.9), n_train=200, epochs=2)
    assert r["iters_per_epoch"] == 7 and len(r["batch_losses"]) == 14
    assert r["train_loss"].shape == r["val_loss"].shape == (2,)


def test_diagnose_by_hand():
    assert diagnose([2.3, 1.0, 0.5, 0.3], [2.3, 1.1, 0.7, 0.6]) == "fine"
    assert diagnose([2.3, 1.0, 0.5, 0.3, 0.1], [2.3, 1.0, 0.6, 0.7, 0.9]) == "overfitting"
    assert diagnose([2.3, 2.2, 2.1]) == "too slow"
    assert diagnose([1.0, np.nan]) == "diverging"
    assert diagnose([5.35, 2.6, 2.4, 2.35]) == "diverging"          # blew up, ended at chance (log 10)
    assert diagnose([5.35, 2.6, 1.0, 0.5]) == "fine"                # a bad start that recovered
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
    model = mlp(16, depth=3, activation=Tanh, init=scaled_normal(0.0))
    assert all(np.all(layer.W == 0) for layer in model.layers[:-1:2])
    assert isinstance(mlp(4).layers[1], ReLU)
    with pytest.raises(TypeError, match="mlp: activation must be a class such as ReLU or Tanh, got 'tanh'"):
        mlp(activation="tanh")
    with pytest.raises(ValueError, match="scaled_normal: std"):
        scaled_normal(-1.0)


# ---------------------------------------------------------------- ReduceLROnPlateau


def test_plateau_rule_halves_the_rate_after_more_than_patience_bad_epochs():
    """The lesson's replay: a tiny improvement (0.79995 < 0.8) does not count; the rate halves after epochs 5 and 9."""
    optimizer = SGD(mlp(4, rng=0).parameters(), lr=0.1)
    plateau = ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    rates = []
    for val_loss in [1.0, 0.8, 0.79995, 0.81, 0.85, 0.7, 0.72, 0.71, 0.75]:
        plateau.step(val_loss)
        rates.append(optimizer.lr)
    assert rates == [0.1] * 4 + [0.05] * 4 + [0.025]
    assert plateau.best == 0.7


def test_train_with_plateau_calms_the_validation_loss_of_a_too_large_rate():
    X_train, X_val, y_train, y_val = digits_data()
    train_with_plateau = notebook_function("11_training_recipe.ipynb", "train_with_plateau", X_train=X_train,
                                           y_train=y_train, X_val=X_val, y_val=y_val)
    constant = train_with_plateau(factor=None, epochs=8)
    reduced = train_with_plateau(factor=0.5, patience=2, epochs=8)
    assert [row[1] for row in constant] == [0.1] * 8
    assert [row[1] for row in reduced] == [0.1] * 5 + [0.05] * 3             # the lesson's table
    assert reduced[-1][3] < 0.5 * constant[-1][3]                             # 0.23 against 0.87 after epoch 8
