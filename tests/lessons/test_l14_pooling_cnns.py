"""Headless tests of lesson 14's callbacks (pooling worked examples, pooling slider, the digits CNN)."""

import numpy as np
import pytest

from nncourse.lessons import l14_pooling_cnns as l14
from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place


def test_pooling_example_by_hand():
    out = l14.pooling_example()
    # windows [[1,1],[5,6]], [[2,4],[7,8]], [[3,2],[1,2]], [[1,0],[3,4]]
    np.testing.assert_array_equal(out["max"], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(out["mean"], [[13 / 4, 21 / 4], [8 / 4, 8 / 4]])
    np.testing.assert_array_equal(out["max_naive"], out["max"])
    np.testing.assert_array_equal(out["mean_naive"], out["mean"])
    np.testing.assert_array_equal(out["windows"][1, 0], [[3, 2], [1, 2]])
    assert out["argmax"].tolist() == [[[1, 1], [1, 3]], [[2, 0], [3, 3]]]
    # every recorded position really holds its window's maximum
    for i in range(2):
        for j in range(2):
            r, c = out["argmax"][i, j]
            assert out["input"][r, c] == out["max"][i, j]


def test_pooling_example_with_overlapping_windows():
    out = l14.pooling_example(kernel_size=3, stride=1)
    np.testing.assert_array_equal(out["max"], [[7, 8], [7, 8]])
    np.testing.assert_allclose(out["mean"][0, 0], (1 + 1 + 2 + 5 + 6 + 7 + 3 + 2 + 1) / 9, rtol=1e-12, atol=0)


def test_pooling_backward_routes_to_maxima_and_spreads_means():
    delta = np.array([[10.0, 20.0], [30.0, 40.0]])
    out = l14.pooling_backward_example(delta)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(out["dA_max"], expected)
    np.testing.assert_array_equal(out["dA_mean"], np.kron(delta / 4, np.ones((2, 2))))
    assert out["sum_max"] == out["sum_mean"] == 100.0


def test_pooling_backward_matches_numerical_gradient():
    rng = np.random.default_rng(0)
    A = rng.permutation(36).reshape(6, 6) * 0.1 + rng.uniform(0, 0.01, size=(6, 6))  # no ties
    delta = rng.normal(size=(2, 2))
    out = l14.pooling_backward_example(delta, A, kernel_size=3, stride=2)
    for mode in ("max", "mean"):
        def loss(mode=mode):
            return float(np.sum(l14.pooling_example(A, 3, 2)[mode] * delta))
        np.testing.assert_allclose(out[f"dA_{mode}"], numerical_gradient(lambda _: loss(), A), rtol=1e-6, atol=1e-8)


def test_pooling_backward_rejects_wrong_delta_shape():
    with pytest.raises(ValueError, match=r"pooling_backward_example: delta must have shape \(2, 2\), got \(3, 3\)"):
        l14.pooling_backward_example(np.ones((3, 3)))


@pytest.mark.parametrize("k, s, n", [(2, 2, 6), (3, 1, 6), (3, 2, 7), (2, 3, 8), (4, 4, 6)])
def test_pooling_slider_sizes_coverage_and_gradients(k, s, n):
    for mode in ("max", "mean"):
        out = l14.pooling_slider(k, s, mode, size=n, rng=1)
        m = (n - k) // s + 1
        assert out["out_size"] == m and out["output"].shape == (m, m)
        assert out["formula"] == f"({n} - {k}) // {s} + 1 = {m}"
        # every window covers k*k inputs
        assert out["coverage"].sum() == m * m * k * k
        # backward of ones hands out one unit of gradient per output
        np.testing.assert_allclose(out["grad"].sum(), m * m, rtol=1e-12, atol=1e-12)
        if mode == "max":
            assert np.all(out["grad"] == np.round(out["grad"]))  # whole windows' worth each
            assert np.count_nonzero(out["grad"]) <= m * m
        else:
            np.testing.assert_allclose(out["grad"], out["coverage"] / (k * k), rtol=1e-12, atol=1e-12)
    assert sorted(out["input"].ravel().tolist()) == list(range(n * n))


def test_pooling_slider_window_too_big_and_bad_mode():
    out = l14.pooling_slider(5, 1, "max", size=4)
    assert not out["fits"] and "does not fit" in out["message"]
    with pytest.raises(ValueError, match="pooling_slider: mode must be 'max' or 'mean', got 'sum'"):
        l14.pooling_slider(2, 2, "sum")


def test_shift_inside_the_window_leaves_max_pooling_unchanged():
    assert (l14.shift_example(1)["map_changed"], l14.shift_example(1)["pooled_changed"]) == (True, False)
    assert l14.shift_example(0)["map_changed"] is False
    assert l14.shift_example(2)["pooled_changed"] is True
    with pytest.raises(ValueError, match="shift_example: shift must be an int in 0..3, got 4"):
        l14.shift_example(4)


def test_shift_images():
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(l14.shift_images(X, dx=-1)[0, 0], [[1, 2, 0], [4, 5, 0], [7, 8, 0]])
    np.testing.assert_array_equal(l14.shift_images(X, dy=1)[0, 0], [[0, 0, 0], [0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(l14.shift_images(X, 0, 0), X)


def test_parameter_counts_follow_the_formulas():
    rows, total = l14.parameter_table(l14.make_cnn(8, kernel_size=5))
    # conv: F (C_in k^2 + 1); dense: (F * 4 * 4 + 1) * 10
    assert [r["count"] for r in rows] == [8 * 25, 8, 8 * 16 * 10, 10]
    assert total == 8 * (25 + 1) + (8 * 16 + 1) * 10
    assert l14.parameter_table(l14.make_mlp(32))[1] == (64 + 1) * 32 + (32 + 1) * 10
    with pytest.raises(ValueError, match="make_cnn: kernel_size must be odd"):
        l14.make_cnn(4, kernel_size=2)


def test_cnn_learns_the_digits_in_two_epochs():
    data = l14.digits_images()
    cnn = l14.make_cnn(8, rng=0)
    result = l14.train_on_digits(cnn, data, epochs=2, verbose=False)
    assert result["test_acc"] > 0.85
    assert len(result["history"]["val_acc"]) == 2
    assert result["n_params"] == 8 * 10 + 129 * 10


def test_feature_maps_stages_and_gradient_routes():
    data = l14.digits_images()
    cnn = l14.make_cnn(4, rng=0)
    # a little noise keeps Z off the ReLU kink and the pooling windows free of ties on blank areas
    image = data[1][0, 0] + np.random.default_rng(0).uniform(0.0, 0.05, size=(8, 8))
    out = l14.feature_maps(cnn, image, label=3)
    assert out["Z"].shape == (4, 8, 8) and out["P"].shape == (4, 4, 4)
    np.testing.assert_array_equal(out["A"], np.maximum(out["Z"], 0))
    for c in range(4):
        np.testing.assert_array_equal(out["P"][c], l14.pooling_example(out["A"][c])["max"])
    np.testing.assert_allclose(out["logits"], cnn(image[None, None])[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["probs"].sum(), 1.0, rtol=1e-12, atol=1e-12)
    # max-pooling lets gradient through at exactly one position of each 2x2 window
    assert out["routed"].sum() == 4 * 16
    assert np.all(out["dA"][~out["routed"]] == 0)
    # the gradient at the input agrees with central differences of the loss
    from nnlib.losses import CrossEntropyLoss

    x = image.copy()

    def loss():
        return CrossEntropyLoss().forward(cnn(x[None, None]), np.array([3]))

    np.testing.assert_allclose(out["dimage"], numerical_gradient(lambda _: loss(), x), rtol=1e-5, atol=1e-8)
    assert all(not p.grad.any() for p in cnn.parameters())
