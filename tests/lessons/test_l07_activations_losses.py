"""Headless tests of lesson 07's callbacks (activation explorer, depth, dying ReLUs, losses)."""

import numpy as np
import pytest

from nncourse.lessons import l07_activations_losses as l07

NAMES = list(l07.ACTIVATION_FUNCTIONS)


def test_activation_values_by_hand():
    table = l07.activation_table([-2.0, 0.0, 1.0], alpha=0.1)
    np.testing.assert_allclose(table["sigmoid"][0][1], 0.5, rtol=1e-12)
    np.testing.assert_allclose(table["sigmoid"][1][1], 0.25, rtol=1e-12)
    np.testing.assert_allclose(table["tanh"][1][1], 1.0, rtol=1e-12)
    np.testing.assert_allclose(table["relu"][0], [0.0, 0.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(table["relu"][1], [0.0, 0.0, 1.0], rtol=1e-12)
    # KIT deck: leaky ReLU max(0.1 z, z)
    np.testing.assert_allclose(table["leaky_relu"][0], [-0.2, 0.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(table["leaky_relu"][1], [0.1, 0.1, 1.0], rtol=1e-12)
    # ELU with alpha = 0.1: 0.1 (e^-2 - 1), derivative f(z) + alpha = 0.1 e^-2
    np.testing.assert_allclose(table["elu"][0][0], 0.1 * (np.exp(-2.0) - 1.0), rtol=1e-12)
    np.testing.assert_allclose(table["elu"][1][0], table["elu"][0][0] + 0.1, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("z0", [-1.3, 0.7, 2.2])
def test_explorer_derivative_agrees_with_backward_and_central_difference(name, z0):
    c = l07.activation_curve(name, alpha=0.05, z0=z0)
    np.testing.assert_allclose(c["slope0"], c["slope0_backward"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c["slope0"], c["slope0_numeric"], rtol=1e-6, atol=1e-8)
    assert c["z"].shape == c["g"].shape == c["g_prime"].shape == (401,)


def test_explorer_ranges():
    lo, hi = l07.activation_curve("sigmoid")["range"]
    assert 0 < lo < 0.01 and 0.99 < hi < 1
    lo, hi = l07.activation_curve("elu", alpha=1.0)["range"]
    assert -1 < lo < -0.99 and hi == 5.0


def test_explorer_rejects_unknown_name():
    with pytest.raises(ValueError, match="activation_curve: name must be one of"):
        l07.activation_curve("swish")


def test_max_derivatives_match_the_lecture():
    assert l07.max_derivative("sigmoid") == 0.25
    assert l07.max_derivative("tanh") == 1.0
    assert l07.max_derivative("relu") == 1.0


def test_softmax_jacobian_entries_and_backward():
    z = np.array([1.0, 2.0, 0.5])
    g = np.array([0.3, -1.2, 0.8])
    out = l07.softmax_check(z, g)
    s = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(out["s"], s, rtol=1e-12)
    np.testing.assert_allclose(out["J"][0, 0], s[0] * (1 - s[0]), rtol=1e-12)
    np.testing.assert_allclose(out["J"][0, 1], -s[0] * s[1], rtol=1e-12)
    np.testing.assert_allclose(out["via_jacobian"], out["via_backward"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["J"].sum(axis=0), 0.0, atol=1e-12)


def test_sigmoid_inputs_give_same_sign_weight_gradients():
    assert l07.same_sign_updates("sigmoid", rng=3)["same_sign"]
    out = l07.same_sign_updates("tanh", n_inputs=20, rng=3)
    assert not out["same_sign"]
    np.testing.assert_allclose(out["dW"], -0.7 * out["a"], rtol=1e-12)


def test_sigmoid_gradients_vanish_towards_the_input_but_not_with_batchnorm():
    plain = l07.gradient_norms_per_layer("sigmoid", depth=10)
    assert plain["grad_norm"].shape == (11,)
    # each sigmoid layer multiplies by at most 1/4 (times |W|): the first layer gets < 1e-4 of the last
    assert plain["ratio"] < 1e-4
    assert np.all(np.diff(plain["grad_norm"]) > 0)
    assert l07.gradient_norms_per_layer("sigmoid", depth=10, batchnorm=True)["ratio"] > 0.05
    assert l07.gradient_norms_per_layer("relu", depth=10)["ratio"] > 0.05


def test_deeper_sigmoid_networks_lose_more_gradient():
    ratios = [l07.gradient_norms_per_layer("sigmoid", depth=d)["ratio"] for d in (2, 5, 10)]
    assert ratios[0] > ratios[1] > ratios[2]


def test_dead_relu_units_never_change_and_leaky_units_do():
    relu = l07.dying_relu_demo(bias_shift=-1.5, activation="relu", epochs=20)
    dead = relu["dead_before"]
    assert dead.sum() > 10
    np.testing.assert_array_equal(relu["weight_change"][dead], 0.0)
    assert np.all(relu["dead_after"][dead])
    leaky = l07.dying_relu_demo(bias_shift=-1.5, activation="leaky_relu", epochs=20)
    assert np.all(leaky["weight_change"] > 0)


def test_dying_relu_demo_rejects_other_activations():
    with pytest.raises(ValueError, match="activation must be one of"):
        l07.dying_relu_demo(activation="tanh")


def test_regression_losses_by_hand():
    r = l07.regression_losses([-2.0, 0.5, 3.0], delta=1.0)
    np.testing.assert_allclose(r["MSE"][0], [4.0, 0.25, 9.0], rtol=1e-12)
    np.testing.assert_allclose(r["MSE"][1], [-4.0, 1.0, 6.0], rtol=1e-12)
    np.testing.assert_allclose(r["MAE"][0], [2.0, 0.5, 3.0], rtol=1e-12)
    np.testing.assert_allclose(r["MAE"][1], [-1.0, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(r["Huber"][0], [1.5, 0.125, 2.5], rtol=1e-12)
    np.testing.assert_allclose(r["Huber"][1], [-1.0, 0.5, 1.0], rtol=1e-12)


def test_classification_losses_by_hand():
    c = l07.classification_losses([-1.0, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(c["hinge"][0], [2.0, 1.0, 0.5, 0.0], rtol=1e-12)
    np.testing.assert_allclose(c["hinge"][1], [-1.0, -1.0, -1.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(c["logistic (BCE)"][0], np.log1p(np.exp([1.0, 0.0, -0.5, -2.0])), rtol=1e-12)
    np.testing.assert_allclose(c["logistic (BCE)"][1], -1 / (1 + np.exp([-1.0, 0.0, 0.5, 2.0])), rtol=1e-12)
    np.testing.assert_allclose(c["squared"][0], [4.0, 1.0, 0.25, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(c["zero-one"][0], [1.0, 0.0, 0.0, 0.0])


def test_fit_constant_gives_mean_median_and_robust_huber():
    y = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 20.0])
    np.testing.assert_allclose(l07.fit_constant(y, "MSE"), y.mean(), rtol=1e-6)
    c_mae = l07.fit_constant(y, "MAE")
    assert 2.0 <= c_mae <= 2.5  # every point between the two middle values is a median
    c_huber = l07.fit_constant(y, "Huber", delta=1.0)
    assert 2.0 <= c_huber < 3.0  # the outlier 20 pulls with force delta only


def test_fit_constant_rejects_unknown_loss():
    with pytest.raises(ValueError, match="loss must be one of"):
        l07.fit_constant([1.0], "hinge")


def test_gaussian_nll_is_half_squared_error_plus_constant():
    y = np.array([0.3, -1.0, 2.0])
    mu = np.array([0.0, 0.5, 1.0])
    const = np.log(np.sqrt(2 * np.pi))
    np.testing.assert_allclose(l07.gaussian_nll(y, mu), np.mean((y - mu) ** 2) / 2 + const, rtol=1e-12)


def test_cross_entropy_is_entropy_plus_kl():
    p = np.array([0.1, 0.6, 0.3])
    q = np.array([0.2, 0.5, 0.3])
    r = l07.cross_entropy_and_kl(p, q)
    np.testing.assert_allclose(r["cross_entropy"], -np.sum(p * np.log(q)), rtol=1e-12)
    np.testing.assert_allclose(r["kl"], np.sum(p * np.log(p / q)), rtol=1e-10)
    assert r["kl"] > 0
    one_hot = l07.cross_entropy_and_kl([0.0, 1.0, 0.0], q)
    np.testing.assert_allclose(one_hot["kl"], one_hot["cross_entropy"], rtol=1e-12)
    np.testing.assert_allclose(one_hot["cross_entropy"], -np.log(0.5), rtol=1e-12)


def test_cross_entropy_and_kl_rejects_non_probabilities():
    with pytest.raises(ValueError, match="must be probability vectors"):
        l07.cross_entropy_and_kl([0.5, 0.5], [1.0, 0.0])


def test_task_table_covers_every_task():
    tasks = [row[0] for row in l07.TASK_TABLE]
    assert tasks[0] == "regression" and "multi-class classification" in tasks
    assert all(len(row) == 5 for row in l07.TASK_TABLE)
