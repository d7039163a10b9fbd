"""Tests of nnlib.pooling: worked example, loop references, gradients, errors."""

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.pooling import AvgPool2d, MaxPool2d, avg_pool2d_naive, max_pool2d_naive

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
    with pytest.raises(TypeError, match=f"{name}: stride must be an int, got float"):
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
