"""Lesson 10: the experiments of nncourse.lessons.l10_regularisation, and the library maths the lesson's
cells compute by hand (weight decay as the L2 penalty, the two dropout conventions, batch-norm statistics)."""

import numpy as np
import pytest

from nncourse.lessons.l10_regularisation import (
    batchnorm_training_comparison,
    capacity_curve,
    deep_tanh_net,
    early_stopping_replay,
    early_stopping_run,
    ensemble_member_probabilities,
    plain_mlp,
    random_feature_fit,
    sample_size_curve,
    small_digits,
    train_digits_model,
    train_penalised,
)
from nnlib.activations import ReLU
from nnlib.layers import BatchNorm1d, Dropout, Linear
from nnlib.losses import MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD, Adam, AdamW
from nnlib.regularization import add_penalty_gradients, l1_penalty, l2_penalty

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
    with pytest.raises(ValueError, match="capacity_curve: seeds"):
        capacity_curve((5,), seeds=0)
    with pytest.raises(ValueError, match="sample_size_curve: sizes"):
        sample_size_curve((0, 10))


def test_small_digits_is_standardised_with_training_statistics():
    X_train, X_val, y_train, y_val = small_digits(200, 100)
    assert X_train.shape == (200, 64) and X_val.shape == (100, 64)
    assert np.allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.abs(np.bincount(y_train) - 20) <= 1)  # stratified: about 20 per class
    with pytest.raises(ValueError, match="small_digits: n_train \\+ n_val must be at most 1797"):
        small_digits(1000, 1000)


# ---------------------------------------------------------------- penalties


def _hand_unit():
    """The lesson's unit y = w.x + b with w = (0.5, -1), b = 0, after backward on x = (1, 2), y = 1 (MSE)."""
    layer = Linear(2, 1)
    layer.W[...] = [[0.5, -1.0]]
    loss_fn = MSELoss()
    loss_fn(layer(np.array([[1.0, 2.0]])), np.array([[1.0]]))
    layer.backward(loss_fn.backward())
    return layer


def test_weight_decay_is_the_l2_penalty_in_the_lessons_hand_step():
    decayed = _hand_unit()
    np.testing.assert_allclose(decayed.dW, [[-5.0, -10.0]])
    SGD(decayed.parameters(), lr=0.1, weight_decay=0.1).step()
    penalised = _hand_unit()
    value = add_penalty_gradients(penalised, l2_penalty, 0.1)
    SGD(penalised.parameters(), lr=0.1).step()
    assert value == pytest.approx(0.0625)                # 0.1/2 * (0.25 + 1)
    np.testing.assert_allclose(decayed.W, [[0.995, 0.01]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(penalised.W, decayed.W, rtol=1e-12, atol=1e-15)
    plain = _hand_unit()
    SGD(plain.parameters(), lr=0.1).step()
    np.testing.assert_allclose(plain.W, [[1.0, 0.0]], atol=1e-15)   # without the decay term


def test_stronger_penalties_shrink_weights_and_l1_makes_them_sparse():
    plain = train_penalised(None, 0.0, epochs=10)
    l2 = train_penalised(l2_penalty, 0.1, epochs=10)
    l1 = train_penalised(l1_penalty, 0.01, epochs=10)
    assert l2["weight_norm_l2"] < 0.7 * plain["weight_norm_l2"]
    assert l1["weight_norm_l1"] < 0.7 * plain["weight_norm_l1"]
    assert l1["near_zero"] > 5 * max(plain["near_zero"], l2["near_zero"], 0.01)
    assert np.all(plain["penalty"] == 0) and np.all(l2["penalty"] > 0)


def test_train_penalised_takes_a_penalty_function_not_a_name():
    with pytest.raises(TypeError, match="train_penalised: penalty must be a function such as l1_penalty or None, "
                                        "got str"):
        train_penalised("l1")
    with pytest.raises(ValueError, match="train_penalised: lam"):
        train_penalised(l2_penalty, -1.0)


# ---------------------------------------------------------------- early stopping


def test_early_stopping_replay_by_hand():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6]
    assert early_stopping_replay(losses, patience=3) == (3, 6)
    assert early_stopping_replay(losses, patience=4) == (7, 7)
    assert early_stopping_replay(losses, patience=1) == (3, 4)
    # 0.69 is not an improvement of more than min_delta = 0.05 over 0.7
    assert early_stopping_replay([1.0, 0.7, 0.69, 0.68], patience=2, min_delta=0.05) == (2, 4)


def test_early_stopping_replay_errors():
    with pytest.raises(ValueError, match="early_stopping_replay: patience"):
        early_stopping_replay([1.0], patience=0)
    with pytest.raises(ValueError, match="early_stopping_replay: min_delta"):
        early_stopping_replay([1.0], patience=1, min_delta=-0.1)
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


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_inverted_and_test_time_scaling_are_the_same_network(p):
    X = np.random.default_rng(1).standard_normal((5, 2))
    outputs = {}
    for mode in Dropout.MODES:
        first, second = Linear(2, 4, rng=1), Linear(4, 3, rng=2)
        if mode == "scale_at_test":
            second.W /= 1 - p
        net = Sequential(first, ReLU(), Dropout(p, rng=3, mode=mode), second)
        outputs[mode] = net.train()(X), net.eval()(X)
    for inverted, scaled in zip(outputs["inverted"], outputs["scale_at_test"]):
        np.testing.assert_allclose(inverted, scaled, rtol=1e-12, atol=1e-12)
    assert np.abs(outputs["inverted"][1]).max() > 0.1             # not trivially zero


def test_scaling_by_the_drop_rate_misses_the_expected_input():
    """The errata cell: at p = 0.2 the training average is 0.8 a, not 0.2 a (KIT's 'dropout rate')."""
    a = np.array([[0.8, 1.5, 0.2, 2.0]])
    drop = Dropout(0.2, rng=1, mode="scale_at_test")
    mean = drop.train()(np.repeat(a, 20000, axis=0)).mean(axis=0)
    np.testing.assert_allclose(mean, 0.8 * a[0], rtol=0.03)
    np.testing.assert_allclose(drop.eval()(a), 0.8 * a)
    assert np.all(np.abs(mean - 0.2 * a[0]) > 0.5 * a[0])


def test_dropout_narrows_the_gap_between_training_and_validation_loss():
    def net(dropout):
        g = np.random.default_rng(0)
        extra = [Dropout(0.5, rng=g)] if dropout else []
        return Sequential(Linear(64, 128, init="he", rng=g), ReLU(), *extra, Linear(128, 10, rng=g))

    plain = train_digits_model(net(False), epochs=25)
    drop_model = net(True)
    drop = train_digits_model(drop_model, epochs=25)
    gap = {name: r["history"]["val_loss"][-1] - r["history"]["train_loss"][-1]
           for name, r in (("plain", plain), ("dropout", drop))}
    assert drop["history"]["train_loss"][-1] > 2 * plain["history"]["train_loss"][-1]
    assert gap["dropout"] < gap["plain"]
    assert drop["val_acc"] > 0.85 and plain["val_acc"] > 0.85
    assert not drop_model.training                          # fit leaves eval mode


def test_train_digits_model_needs_a_module():
    with pytest.raises(TypeError, match="train_digits_model: model must be an nnlib Module, got str"):
        train_digits_model("dropout")


# ---------------------------------------------------------------- batch normalisation


def test_batchnorm_statistics_of_the_lessons_batch():
    Z = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 6.0], [7.0, 6.0]])
    bn = BatchNorm1d(2, momentum=0.1)
    bn.gamma[...], bn.beta[...] = [1.0, 2.0], [0.0, 0.5]
    Y = bn.train()(Z)
    np.testing.assert_allclose(Y[:, 1], [-1.5, -1.5, 2.5, 2.5], atol=1e-5)    # z_hat = -1, -1, 1, 1
    np.testing.assert_allclose(Y[:, 0], np.array([-3, -1, 1, 3]) / np.sqrt(5 + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean, [0.4, 0.4])                  # 0.1 * 4
    np.testing.assert_allclose(bn.running_var, [0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 16 / 3])  # unbiased 5*4/3, 4*4/3


def test_batchnorm_rescues_a_badly_initialised_deep_network():
    r = batchnorm_training_comparison(epochs=4)
    assert r["val_acc_batchnorm"] > r["val_acc_plain"] + 0.3
    assert r["batchnorm"]["train_loss"][-1] < r["plain"]["train_loss"][-1]


def test_network_builders():
    assert len(plain_mlp(8)) == 3
    assert sum(isinstance(layer, BatchNorm1d) for layer in deep_tanh_net(depth=3, batchnorm=True)) == 3
    with pytest.raises(ValueError, match="deep_tanh_net: depth"):
        deep_tanh_net(depth=0)


# ---------------------------------------------------------------- ensembles


def test_averaging_members_beats_the_average_member():
    P, y_val = ensemble_member_probabilities(n_models=4, epochs=15)
    assert P.shape == (4, 400, 10) and y_val.shape == (400,)
    np.testing.assert_allclose(P.sum(axis=2), 1.0)
    rows = np.arange(len(y_val))
    member_acc = np.mean(P.argmax(axis=2) == y_val, axis=1)                 # (4,)
    member_loss = -np.mean(np.log(P[:, rows, y_val]), axis=1)               # (4,)
    P_mean = P.mean(axis=0)
    assert -np.mean(np.log(P_mean[rows, y_val])) < member_loss.mean()
    assert np.mean(P_mean.argmax(axis=1) == y_val) >= member_acc.mean()
    assert len({tuple(np.round(m, 6)) for m in P[:, 0]}) == 4               # different seeds, different members


def test_adamw_first_step_decays_every_weight_alike_unlike_l2_in_adam():
    """The lesson's hand step: loss gradients (10, 0), w = (1, 1), lr = weight_decay = 0.1."""
    ends = {}
    for optimizer_class in (Adam, AdamW):
        layer = Linear(2, 1, bias=False)
        layer.W[...] = [[1.0, 1.0]]
        layer.dW[...] = [[10.0, 0.0]]
        optimizer_class(layer.parameters(), lr=0.1, weight_decay=0.1).step()
        ends[optimizer_class.__name__] = layer.W[0].copy()
    np.testing.assert_allclose(ends["Adam"], [0.9, 0.9], atol=1e-8)
    np.testing.assert_allclose(ends["AdamW"], [0.89, 0.99], atol=1e-8)


def test_train_digits_model_with_adamw_shrinks_the_weights():
    norms = []
    for lam in (0.0, 1.0):
        model = plain_mlp(64, rng=0)
        train_digits_model(model, epochs=5, weight_decay=lam, optimizer=AdamW, rng=0)
        norms.append(np.sqrt(np.sum(model[0].W ** 2) + np.sum(model[2].W ** 2)))
    assert norms[1] < 0.95 * norms[0]
    with pytest.raises(ValueError, match=r"train_digits_model: optimizer must be nnlib.optim.Adam or AdamW, got"):
        train_digits_model(plain_mlp(8), epochs=1, optimizer=SGD)
