"""Headless tests of lesson 05's callbacks (computation graphs, the 2-3-1 step, gradient checks)."""

import numpy as np
import pytest

from nncourse.lessons import l05_backpropagation as l05


def test_kit_graph_numbers():
    g = l05.graph_example(2.0, 1.0)
    assert (g["c"].data, g["d"].data, g["e"].data) == (3.0, 2.0, 6.0)
    assert g["a"].grad == 2.0
    assert g["b"].grad == 5.0            # fan-out: d + c = 2 + 3
    assert g["c"].grad == 2.0 and g["d"].grad == 3.0


def test_graph_gradients_match_formula_elsewhere():
    g = l05.graph_example(-0.7, 1.9)
    np.testing.assert_allclose(g["a"].grad, 1.9 + 1, rtol=1e-12)
    np.testing.assert_allclose(g["b"].grad, (1.9 + 1) + (-0.7 + 1.9), rtol=1e-12)


def test_logistic_least_squares_by_hand_equals_autodiff():
    out = l05.logistic_least_squares(w=1.5, x=2.0, b=-1.0, t=1.0)
    z = 2.0
    y = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(out["y"], y, rtol=1e-12)
    np.testing.assert_allclose(out["L"], 0.5 * (y - 1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(out["by_hand"]["w_bar"], (y - 1) * y * (1 - y) * 2.0, rtol=1e-12)
    np.testing.assert_allclose(out["autodiff"]["w"], out["by_hand"]["w_bar"], rtol=1e-10)
    np.testing.assert_allclose(out["autodiff"]["b"], out["by_hand"]["b_bar"], rtol=1e-10)


@pytest.mark.parametrize("t", [0.3, 1.0, 2.2])
def test_multivariate_chain_rule(t):
    out = l05.multivariate_chain_rule(t)
    np.testing.assert_allclose(out["chain_rule"], out["numeric"], rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(out["via_x"] + out["via_y"], out["chain_rule"], rtol=1e-14)


def test_matrix_identities_hold():
    for key, (formula, numeric) in l05.matrix_identities(rng=3).items():
        np.testing.assert_allclose(formula, numeric, rtol=1e-6, atol=1e-8, err_msg=f"identity {key}")
    shapes = {k: v[0].shape for k, v in l05.matrix_identities().items()}
    assert shapes == {"1": (3, 2), "1b": (2, 3), "2": (2, 2), "3": (2, 2), "4": (3, 2)}


def test_layout_table_is_transposed():
    for _, numerator, denominator in l05.layout_table():
        if "x" in numerator:
            rows, cols = numerator.split(" x ")
            assert denominator == f"{cols} x {rows}"


def test_karlsruhe_update_step_every_number():
    s = l05.karlsruhe_update_step()
    np.testing.assert_allclose(s["z1"], [1.0, 2.0, 1.5], rtol=1e-12)
    np.testing.assert_allclose(s["y_hat"], 1.4, rtol=1e-12)
    np.testing.assert_allclose(s["loss"], 0.5 * 0.4 ** 2, rtol=1e-12)
    np.testing.assert_allclose(s["dL_dyhat"], 0.4, rtol=1e-12)
    np.testing.assert_allclose(s["dW2"], [[0.4, 0.8, 0.6]], rtol=1e-12)
    np.testing.assert_allclose(s["db2"], [0.4], rtol=1e-12)
    np.testing.assert_allclose(s["dL_da1"], [0.16, 0.12, 0.08], rtol=1e-12)
    np.testing.assert_allclose(s["dW1"], [[0.16, 0.32], [0.12, 0.24], [0.08, 0.16]], rtol=1e-12)
    np.testing.assert_allclose(s["db1"], [0.16, 0.12, 0.08], rtol=1e-12)
    np.testing.assert_allclose(s["W1"], [[0.484, 0.168], [0.288, 0.776], [0.592, 0.384]], rtol=1e-12)
    np.testing.assert_allclose(s["b1"], [0.084, 0.088, 0.092], rtol=1e-12)
    np.testing.assert_allclose(s["W2"], [[0.36, 0.22, 0.14]], rtol=1e-12)
    np.testing.assert_allclose(s["b2"], [0.06], rtol=1e-12)


def test_karlsruhe_step_lowers_the_loss_and_scales_with_lr():
    s = l05.karlsruhe_update_step(lr=0.05)
    np.testing.assert_allclose(s["W2"], [[0.4 - 0.05 * 0.4, 0.3 - 0.05 * 0.8, 0.2 - 0.05 * 0.6]], rtol=1e-12)
    hidden, output = l05.karlsruhe_network()
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = s["W1"], s["b1"], s["W2"], s["b2"]
    y_new = output(hidden(np.array([[1.0, 2.0]])))[0, 0]
    assert abs(y_new - 1.0) < 0.4


def test_sigmoid_bce_formulas_equal_nnlib_and_numeric():
    out = l05.sigmoid_bce_backprop()
    for key, value in out["formula"].items():
        np.testing.assert_allclose(out["nnlib"][key], value, rtol=1e-10, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(out["z1"], [1.0, 2.0, 1.5], rtol=1e-12)
    a2 = 1 / (1 + np.exp(-out["z2"]))
    np.testing.assert_allclose(out["formula"]["delta2"], a2 - 1.0, rtol=1e-12)
    np.testing.assert_allclose(out["loss"], -np.log(a2), rtol=1e-12)

    # numeric check of dl/dW1 straight from the network function
    W1 = l05.KARLSRUHE["W1"].copy()

    def loss(W):
        a1 = 1 / (1 + np.exp(-(W @ np.array([1.0, 2.0]) + 0.1)))
        a = 1 / (1 + np.exp(-(l05.KARLSRUHE["W2"][0] @ a1 + 0.1)))
        return -np.log(a)

    numeric = np.zeros_like(W1)
    eps = 1e-6
    for i in np.ndindex(W1.shape):
        E = np.zeros_like(W1)
        E[i] = eps
        numeric[i] = (loss(W1 + E) - loss(W1 - E)) / (2 * eps)
    np.testing.assert_allclose(out["formula"]["dW1"], numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_bce_with_label_zero():
    out = l05.sigmoid_bce_backprop(y=0.0)
    assert out["formula"]["delta2"] > 0
    for key, value in out["formula"].items():
        np.testing.assert_allclose(out["nnlib"][key], value, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("z,label", [([2.0, 1.0, 0.1], 0), ([-3.0, 0.5, 4.0, 1.0], 1)])
def test_softmax_ce_delta(z, label):
    out = l05.softmax_ce_delta(z, label)
    np.testing.assert_allclose(out["product"], out["a_minus_y"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out["nnlib"], out["a_minus_y"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out["jacobian"], out["jacobian"].T, rtol=1e-14)
    np.testing.assert_allclose(out["jacobian"].sum(axis=0), 0.0, atol=1e-14)


def test_softmax_jacobian_numeric():
    from nnlib.functional import softmax
    z = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(l05.softmax_jacobian(z), l05.numerical_jacobian(softmax, z),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sizes", [(2, 4, 3), (3, 5, 4, 2), (4, 2)])
def test_general_algorithm_equals_nnlib(sizes):
    rng = np.random.default_rng(sum(sizes))
    Ws = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    bs = [rng.standard_normal(n_out) for n_out in sizes[1:]]
    x = rng.standard_normal(sizes[0])
    hand = l05.backprop_one_example(Ws, bs, x, 1)
    lib = l05.nnlib_mlp_gradients(Ws, bs, x, 1)
    np.testing.assert_allclose(hand["loss"], lib["loss"], rtol=1e-12)
    for h, n in zip(hand["dW"] + hand["db"], lib["dW"] + lib["db"]):
        np.testing.assert_allclose(h, n, rtol=1e-10, atol=1e-12)
    assert len(hand["deltas"]) == len(Ws)


def test_central_differences_beat_forward_differences():
    for eps in (1e-2, 1e-4, 1e-6):
        err = l05.finite_difference_errors(eps)
        assert err["central"] < err["forward"]
    curve = l05.finite_difference_curve([1e-1, 1e-3, 1e-5])
    # truncation error: forward ~ eps, central ~ eps^2 on the large steps
    assert curve["forward"][0] > 10 * curve["forward"][1]
    assert curve["central"][0] > 1000 * curve["central"][1]
    # round-off takes over for tiny steps
    assert l05.finite_difference_errors(1e-13)["central"] > l05.finite_difference_errors(1e-6)["central"]


def test_gradient_check_catches_a_missing_derivative():
    good = l05.gradient_check_report()
    bad = l05.gradient_check_report(buggy=True)
    assert max(good.values()) < 1e-6
    assert bad["0.W"] > 1e-2 and bad["0.b"] > 1e-2
    assert bad["2.W"] < 1e-6               # layers after the bug are still right


def test_backprop_cost():
    cost = l05.backprop_cost([784, 100, 10])
    assert cost["weights"] == 784 * 100 + 100 * 10
    assert cost["backward"] == 2 * cost["forward"]
    assert cost["backward_skip_input"] == 2 * cost["weights"] - 78400
    with pytest.raises(ValueError, match="at least two positive layer sizes"):
        l05.backprop_cost([5])


def test_measure_cost_positive():
    t = l05.measure_cost([10, 20, 3], batch_size=4, repeats=2)
    assert t["forward"] > 0 and t["backward"] > 0


def test_regularised_graph_sums_both_paths_into_w():
    out = l05.regularised_graph(w=1.5, x=2.0, b=-1.0, t=1.0, lam=0.1)
    y = 1 / (1 + np.exp(-2.0))
    z_bar = (y - 1.0) * y * (1 - y)
    np.testing.assert_allclose(out["autodiff"]["w"], z_bar * 2.0 + 0.1 * 1.5, rtol=1e-10)
    np.testing.assert_allclose(out["autodiff"]["b"], z_bar, rtol=1e-10)
    np.testing.assert_allclose(out["L_reg"], 0.5 * (y - 1) ** 2 + 0.1 * 0.5 * 1.5 ** 2, rtol=1e-12)
    assert out["root"].label == "L_reg"


@pytest.mark.parametrize("shape", [(3, 4, 2), (2, 5, 3)])
def test_kit_mlp_three_ways_agree(shape):
    out = l05.kit_mlp_backward(*shape, rng=1)
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(out["units"][key], out["matrix"][key], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out["nnlib"][key], out["matrix"][key], rtol=1e-10, atol=1e-12)
    assert out["matrix"]["W1"].shape == (shape[1], shape[0])


def test_oth_network_formulas_equal_nnlib_and_numeric():
    out = l05.oth_network()
    np.testing.assert_allclose(out["z1"], [0.52, 0.12], rtol=1e-12)
    np.testing.assert_allclose(out["nnlib"]["dW1"], out["dW1"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(out["nnlib"]["dW2"], out["dW2"], rtol=1e-10, atol=1e-14)
    W1 = np.array([[0.02, -0.01, 0.5], [-0.03, 0.02, -0.2]])
    eps = 1e-7
    numeric = np.zeros_like(W1)
    for i in np.ndindex(W1.shape):
        E = np.zeros_like(W1)
        E[i] = eps
        numeric[i] = (l05.oth_network(W1=W1 + E)["loss"] - l05.oth_network(W1=W1 - E)["loss"]) / (2 * eps)
    np.testing.assert_allclose(out["dW1"], numeric, rtol=1e-5, atol=1e-10)
