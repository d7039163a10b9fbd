"""Headless tests of lesson 04's callbacks (roadmap NW1-NW4, collapse, XOR, approximation, depth)."""

import numpy as np
import pytest

from nncourse.lessons import l04_logistic_to_mlp as l04
from nnlib.layers import Linear


def test_disc_and_ring_labels_follow_radius_and_side():
    X, y = l04.make_disc_and_ring(n=400, inner=0.5, outer=0.7, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert X.shape == (len(y), 2) and y.dtype == np.int64
    assert np.all((r < 0.5) | (r > 0.7)) and np.all(r <= 1.0)
    assert np.all(y[r < 0.5] == 0)
    assert np.all(y[(r > 0.7) & (X[:, 1] > 0)] == 1)
    assert np.all(y[(r > 0.7) & (X[:, 1] <= 0)] == 2)


def test_roadmap_shapes_and_parameter_counts():
    # DHBW deck: NW4 has W[1] in R^{4 x M}, b[1] in R^4, W[2] in R^{3 x 4}, b[2] in R^3
    assert l04.parameter_shapes(l04.roadmap_network("NW4", n_features=5)) == [
        ("W[1]", (4, 5)), ("b[1]", (4,)), ("W[2]", (3, 4)), ("b[2]", (3,))]
    counts = {name: l04.parameter_count(l04.roadmap_network(name, n_features=5)) for name in l04.ROADMAP}
    assert counts == {"NW1": 6, "NW2": 18, "NW3": 18, "NW4": 4 * 5 + 4 + 3 * 4 + 3}
    with pytest.raises(ValueError, match="name must be one of"):
        l04.roadmap_network("NW5")


def test_sigmoid_outputs_do_not_sum_to_one_but_softmax_does():
    out = l04.nw_outputs_example()
    np.testing.assert_allclose(out["NW3"].sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.abs(out["NW2"].sum(axis=1) - 1.0) > 0.05)
    # both read the same pre-activations, so the ranking of the classes agrees
    np.testing.assert_array_equal(np.argmax(out["NW2"], axis=1), np.argmax(out["NW3"], axis=1))
    X = np.random.default_rng(0).standard_normal((10, 2))
    np.testing.assert_allclose(l04.output_sums(l04.roadmap_network("NW4"), X), 1.0, rtol=1e-12)


def test_linear_roadmap_networks_fail_on_disc_and_ring_hidden_layer_succeeds():
    X, y = l04.make_disc_and_ring(rng=0)
    nw3 = l04.train_roadmap_network("NW3", X, y, epochs=300)
    nw4 = l04.train_roadmap_network("NW4", X, y, n_hidden=4, epochs=600)
    assert nw3["accuracy"] < 0.8           # straight lines cannot cut out the disc
    assert nw4["accuracy"] > 0.97
    assert nw4["loss"][-1] < nw4["loss"][0]
    nw1 = l04.train_roadmap_network("NW1", X, y, epochs=300)
    assert nw1["accuracy"] < 0.8           # "disc or not" is not linearly separable either
    nw2 = l04.train_roadmap_network("NW2", X, y, epochs=300)
    assert nw2["predict"](X).shape == (X.shape[0],)


def test_collapse_linear_layers_matches_stack():
    rng = np.random.default_rng(1)
    stack = [Linear(3, 6, rng=rng), Linear(6, 4, rng=rng), Linear(4, 2, rng=rng)]
    for layer in stack:
        layer.b[...] = rng.standard_normal(layer.b.shape)
    one = l04.collapse_linear_layers(stack)
    X = rng.standard_normal((7, 3))
    Y = X
    for layer in stack:
        Y = layer(Y)
    np.testing.assert_allclose(one(X), Y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one.W, stack[2].W @ stack[1].W @ stack[0].W, rtol=1e-12)
    assert one.W.shape == (2, 3)


def test_xor_mlp_learns_and_hidden_layer_makes_it_separable():
    out = l04.train_xor_mlp()
    assert (out["prob"] > 0.5).astype(int).tolist() == [0, 1, 1, 0]
    assert out["loss"][-1] < 0.05
    # in hidden space the output layer is linear: the sigmoid of a linear map separates it
    H = out["hidden"]
    assert H.shape == (4, 2)
    # a line in hidden space separates the classes: the output layer's own pre-activation
    z = H @ out["net"].layers[2].W.T + out["net"].layers[2].b
    assert np.all((z[:, 0] > 0) == (out["y"] == 1))


def test_xor_with_two_hidden_units_can_get_stuck_wider_is_reliable():
    assert l04.xor_success_rate(2, seeds=range(3)) < 1.0
    assert l04.xor_success_rate(8, seeds=range(3)) == 1.0


def test_staircase_error_shrinks_with_more_units():
    errors = [l04.approximation_demo(h, train=False)["staircase_error"] for h in (5, 20, 80)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.05


def test_staircase_hits_cell_centres():
    net = l04.staircase_network(np.sin, 9)
    centres = (np.arange(10) + 0.5) / 10
    np.testing.assert_allclose(net(centres.reshape(-1, 1))[:, 0], np.sin(centres), atol=1e-6)


def test_trained_fit_improves_with_width():
    small = l04.approximation_demo(2, epochs=500)
    large = l04.approximation_demo(12, epochs=500)
    assert large["trained_error"] < small["trained_error"]
    assert large["loss"][-1] < large["loss"][0]


def test_tent_network_pieces_double_with_depth():
    for depth in range(1, 7):
        row = l04.width_vs_depth(depth)
        assert row["pieces"] == 2 ** depth
        assert row["deep_units"] == 2 * depth
        assert row["shallow_units"] == 2 ** depth - 1
    # the output stays in [0, 1] and hits both ends
    row = l04.width_vs_depth(4)
    assert row["y"].min() == 0.0 and row["y"].max() == 1.0


def test_count_linear_pieces():
    x = np.linspace(-1, 1, 9)
    assert l04.count_linear_pieces(x, 3 * x + 1) == 1
    assert l04.count_linear_pieces(x, np.maximum(x, 0)) == 2


def test_errors():
    with pytest.raises(ValueError, match="n_hidden must be >= 1"):
        l04.staircase_network(np.sin, 0)
    with pytest.raises(ValueError, match="depth must be >= 1"):
        l04.tent_network(0)
