"""Tests of nnlib.pooling: worked example, loop references, gradients, errors."""

import numpy as np
import pytest

from nnlib.gradcheck import check_layer_gradients, numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, avg_pool2d_naive, max_pool2d_naive

# a 4x4 feature map, pooled with a 2x2 window and stride 2 (as in the DHBW deck's picture)
FEATURE_MAP = np.array(
    [
        [1, 1, 2, 4],
        [5, 6, 7, 8],
        [3, 2, 1, 0],
        [1, 2, 3, 4],
    ],
    dtype=float,
)


def distinct_values(rng, shape):
    """Random inputs without ties, so that the maximum of every window is unique."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, size=shape)


def test_max_pool_2x2_stride_2_worked_example():
    pool = MaxPool2d(2, stride=2)
    A = pool(FEATURE_MAP[None, None])
    np.testing.assert_array_equal(A[0, 0], [[6, 8], [3, 4]])
    delta = np.array([[[[10.0, 20.0], [30.0, 40.0]]]])
    dA = pool.backward(delta)[0, 0]
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dA, expected)


def test_avg_pool_2x2_stride_2_worked_example():
    pool = AvgPool2d(2)
    A = pool(FEATURE_MAP[None, None])
    np.testing.assert_array_equal(A[0, 0], [[13 / 4, 21 / 4], [2, 2]])
    dA = pool.backward(np.array([[[[4.0, 8.0], [12.0, 16.0]]]]))[0, 0]
    np.testing.assert_array_equal(dA, np.kron([[1, 2], [3, 4]], np.ones((2, 2))))


def test_stride_defaults_to_kernel_size():
    assert MaxPool2d(3).stride == 3
    assert AvgPool2d(2, stride=1).stride == 1


@pytest.mark.parametrize("layer, naive", [(MaxPool2d, max_pool2d_naive), (AvgPool2d, avg_pool2d_naive)])
@pytest.mark.parametrize("k, s", [(2, None), (2, 1), (3, 2), (3, 1), (2, 3)])
@pytest.mark.parametrize("H, W", [(6, 6), (7, 5)])
def test_pooling_matches_loop_reference(layer, naive, k, s, H, W):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 3, H, W))
    np.testing.assert_allclose(layer(k, s)(A), naive(A, k, s), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer", [MaxPool2d, AvgPool2d])
@pytest.mark.parametrize("k, s, H, W", [(2, None, 4, 6), (2, 1, 5, 4), (3, 2, 7, 7), (2, 3, 8, 7)])
def test_pooling_gradients(layer, k, s, H, W):
    rng = np.random.default_rng(1)
    pool = layer(k, s)
    A = distinct_values(rng, (2, 2, H, W))
    G = rng.normal(size=pool(A).shape)

    def loss():
        return float(np.sum(pool.forward(A) * G))

    pool.forward(A)
    dA = pool.backward(G)
    np.testing.assert_allclose(dA, numerical_gradient(lambda _: loss(), A, eps=1e-5), rtol=1e-6, atol=1e-8)


def test_max_pool_overlapping_windows_add_gradients():
    # the centre 9 is the maximum of all four overlapping 2x2 windows
    A = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]])[None, None]
    pool = MaxPool2d(2, stride=1)
    np.testing.assert_array_equal(pool(A)[0, 0], [[9, 9], [9, 9]])
    dA = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert dA[0, 0, 1, 1] == 10 and dA.sum() == 10


def test_pooling_ignores_incomplete_border_windows():
    A = np.arange(25.0).reshape(1, 1, 5, 5)
    pool = MaxPool2d(2)
    assert pool(A).shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 2, 2)))[0, 0, 4], 0)


def test_pooling_has_no_parameters_and_keeps_input():
    A = np.random.default_rng(2).normal(size=(1, 2, 4, 4))
    before = A.copy()
    for layer in (MaxPool2d(2), AvgPool2d(2)):
        assert layer.parameters() == []
        layer.backward(np.ones_like(layer(A)))
    np.testing.assert_array_equal(A, before)


@pytest.mark.parametrize("layer", [MaxPool2d, AvgPool2d])
def test_pooling_errors(layer):
    name = layer.__name__
    with pytest.raises(ValueError, match=f"{name}: kernel_size must be >= 1, got 0"):
        layer(0)
    with pytest.raises(TypeError, match=f"{name}: stride must be an int or a pair of ints, got float"):
        layer(2, stride=1.5)
    pool = layer(3)
    with pytest.raises(RuntimeError, match=f"{name}.backward called before forward"):
        pool.backward(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match=rf"{name}.forward: input must have shape \(N, C, H, W\), got \(4, 4\)"):
        pool(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="the 3x3 pooling window does not fit into a 2x5 input"):
        pool(np.zeros((1, 1, 2, 5)))
    pool(np.zeros((1, 1, 6, 6)))
    with pytest.raises(ValueError, match=rf"{name}.backward: grad_y must have shape \(1, 1, 2, 2\), got \(1, 1, 3, 3\)"):
        pool.backward(np.zeros((1, 1, 3, 3)))


# ---------------------------------------------------------------- padding, non-square windows, adaptive pooling




WINDOWS = [((2, 3), None, 0), ((3, 2), (1, 2), (1, 0)), (3, 2, 1), ((2, 2), 1, (1, 1)), ((1, 3), (1, 3), (0, 1))]


@pytest.mark.parametrize("layer, naive", [(MaxPool2d, max_pool2d_naive), (AvgPool2d, avg_pool2d_naive)])
@pytest.mark.parametrize("k, s, p", WINDOWS)
def test_pooling_options_match_loop_reference(layer, naive, k, s, p):
    A = np.random.default_rng(5).normal(size=(2, 3, 7, 8))
    np.testing.assert_allclose(layer(k, s, padding=p)(A), naive(A, k, s, p), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", [MaxPool2d, AvgPool2d, lambda k, s, padding: AvgPool2d(k, s, padding, False)])
@pytest.mark.parametrize("k, s, p", WINDOWS)
def test_pooling_options_gradients_with_random_upstream(make, k, s, p):
    A = distinct_values(np.random.default_rng(6), (2, 2, 7, 8))  # unique maxima: no ties
    report = check_layer_gradients(make(k, s, padding=p), A, rng=7, eps=1e-5)
    np.testing.assert_allclose(report["input"]["analytic"], report["input"]["numeric"], rtol=1e-6, atol=1e-8)


def test_padded_pooling_hand_computed():
    # 2x2 windows, stride 2, padding 1 on the 4x4 feature map: the corner windows see one pixel
    A = FEATURE_MAP[None, None]
    np.testing.assert_array_equal(MaxPool2d(2, padding=1)(A)[0, 0], [[1, 2, 4], [5, 7, 8], [1, 3, 4]])
    mean = AvgPool2d(2, padding=1)(A)[0, 0]  # zeros count (PyTorch's count_include_pad=True)
    np.testing.assert_array_equal(mean[0], [1 / 4, (1 + 2) / 4, 4 / 4])
    real = AvgPool2d(2, padding=1, count_include_pad=False)(A)[0, 0]  # only real pixels count
    np.testing.assert_array_equal(real[0], [1.0, 1.5, 4.0])
    np.testing.assert_array_equal(real[1], [(5 + 3) / 2, (6 + 7 + 2 + 1) / 4, (8 + 0) / 2])


def test_global_average_pooling():
    A = np.random.default_rng(8).normal(size=(3, 4, 5, 6))
    pool = AdaptiveAvgPool2d((1, 1))
    out = pool(A)
    np.testing.assert_allclose(out, A.mean(axis=(2, 3), keepdims=True), rtol=1e-12)
    G = np.random.default_rng(9).normal(size=out.shape)
    np.testing.assert_allclose(pool.backward(G), np.broadcast_to(G / 30, A.shape), rtol=1e-12)
    assert AdaptiveAvgPool2d(1)(A).shape == (3, 4, 1, 1)


@pytest.mark.parametrize("out, H, W", [((2, 3), 5, 7), (3, 7, 4), ((1, 2), 3, 5), ((4, 4), 4, 4)])
def test_adaptive_pooling_windows_and_gradients(out, H, W):
    A = np.random.default_rng(10).normal(size=(2, 2, H, W))
    pool = AdaptiveAvgPool2d(out)
    Y = pool(A)
    H_out, W_out = Y.shape[2:]
    for i, (r0, r1) in enumerate(AdaptiveAvgPool2d.bins(H, H_out)):  # PyTorch's windows
        assert r0 == (i * H) // H_out and r1 == -(-((i + 1) * H) // H_out)
        for j, (c0, c1) in enumerate(AdaptiveAvgPool2d.bins(W, W_out)):
            np.testing.assert_allclose(Y[:, :, i, j], A[:, :, r0:r1, c0:c1].mean(axis=(2, 3)))
    report = check_layer_gradients(pool, A, rng=11)
    np.testing.assert_allclose(report["input"]["analytic"], report["input"]["numeric"], rtol=1e-6, atol=1e-8)


def test_pooling_option_errors():
    with pytest.raises(ValueError, match=r"MaxPool2d: padding must be at most half the kernel_size, got padding 2 for kernel_size 3"):
        MaxPool2d(3, padding=2)
    with pytest.raises(ValueError, match=r"AvgPool2d: kernel_size must be >= 1 in both directions, got \(2, 0\)"):
        AvgPool2d((2, 0))
    with pytest.raises(TypeError, match=r"AvgPool2d: count_include_pad must be True or False, got 1"):
        AvgPool2d(2, count_include_pad=1)
    with pytest.raises(ValueError, match=r"the 3x2 pooling window does not fit into a 2x5 input"):
        MaxPool2d((3, 2))(np.zeros((1, 1, 2, 5)))
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool2d: output_size must be >= 1, got 0"):
        AdaptiveAvgPool2d(0)
    pool = AdaptiveAvgPool2d(1)
    with pytest.raises(RuntimeError, match=r"AdaptiveAvgPool2d.backward called before forward"):
        pool.backward(np.zeros((1, 1, 1, 1)))
    pool(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool2d.backward: grad_y must have shape \(2, 3, 1, 1\), got \(2, 3\)"):
        pool.backward(np.zeros((2, 3)))


def test_pooling_reprs_keep_the_lesson_output():
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2)"
    assert repr(AvgPool2d(3, stride=1)) == "AvgPool2d(kernel_size=3, stride=1)"
    assert repr(AvgPool2d((2, 3), padding=1, count_include_pad=False)) == \
        "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=1, count_include_pad=False)"


def test_adaptive_pool_larger_than_its_input_repeats_pixels():
    A = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(AdaptiveAvgPool2d(4)(A)[0, 0], np.kron(A[0, 0], np.ones((2, 2))))
    np.testing.assert_array_equal(AdaptiveAvgPool2d((3, 2))(A)[0, 0], [[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]])
    report = check_layer_gradients(AdaptiveAvgPool2d((3, 5)), np.random.default_rng(0).normal(size=(2, 2, 2, 3)), rng=1)
    np.testing.assert_allclose(report["input"]["analytic"], report["input"]["numeric"], rtol=1e-7, atol=1e-9)
