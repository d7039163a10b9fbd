"""Tests of the pure maths in nnlib.functional."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import functional as F
from nnlib.gradcheck import numerical_gradient

# Points kept away from the kink at 0 of ReLU-type functions.
Z_OFF_KINK = np.array([-3.1, -1.2, -0.4, 0.3, 0.9, 2.5])

PAIRS = [
    (F.sigmoid, F.sigmoid_prime),
    (F.tanh, F.tanh_prime),
    (F.relu, F.relu_prime),
    (lambda z: F.leaky_relu(z, 0.05), lambda z: F.leaky_relu_prime(z, 0.05)),
    (lambda z: F.elu(z, 0.7), lambda z: F.elu_prime(z, 0.7)),
]


@pytest.mark.parametrize("g, g_prime", PAIRS)
def test_derivatives_match_central_differences(g, g_prime):
    z = Z_OFF_KINK.copy()
    weights = np.random.default_rng(0).standard_normal(z.shape)
    numeric = numerical_gradient(lambda v: float(np.sum(g(v) * weights)), z)
    np.testing.assert_allclose(g_prime(Z_OFF_KINK) * weights, numeric, rtol=1e-6, atol=1e-9)


def test_hand_computed_values():
    np.testing.assert_allclose(F.sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75])
    np.testing.assert_allclose(F.tanh_prime(np.array([0.0])), [1.0])
    np.testing.assert_allclose(F.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(F.relu_prime(np.array([0.0])), [0.0])  # lecture: 0 at z = 0
    np.testing.assert_allclose(F.leaky_relu(np.array([-2.0]), 0.05), [-0.1])
    np.testing.assert_allclose(F.elu(np.array([-1.0]), 2.0), [2.0 * (np.exp(-1.0) - 1.0)])


def test_sigmoid_is_stable_without_warnings():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = F.sigmoid(np.array([-1e4, -750.0, 0.0, 750.0, 1e4]))
        F.elu(np.array([1e4, -1e4]))
    np.testing.assert_allclose(s, [0.0, 0.0, 0.5, 1.0, 1.0])


def test_softmax_hand_example_and_huge_logits():
    np.testing.assert_allclose(F.softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        a = F.softmax(np.array([[1e4, 0.0, -1e4]]))
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0]])


def test_log_softmax_equals_log_of_softmax():
    z = np.random.default_rng(1).standard_normal((4, 5))
    np.testing.assert_allclose(F.log_softmax(z), np.log(F.softmax(z)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.logsumexp(z), np.log(np.exp(z).sum(axis=1)), rtol=1e-12)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)),
           elements=st.floats(-1e4, 1e4)),
    st.floats(-1e3, 1e3),
)
def test_softmax_rows_sum_to_one_and_shift_invariant(z, shift):
    a = F.softmax(z)
    assert np.all(a >= 0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.softmax(z + shift), a, rtol=1e-6, atol=1e-9)


def test_one_hot():
    np.testing.assert_array_equal(F.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    "labels, match",
    [
        ([0, 3], r"one_hot: label 3 is out of range for 3 classes \(labels must be in 0..2\)"),
        ([-1], r"label -1 is out of range"),
        ([[0, 1]], r"labels must have shape \(N,\), got \(1, 2\)"),
        ([0.5], r"labels must be whole numbers"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        F.one_hot(labels, 3)


def test_softmax_jacobian_by_hand_and_against_central_differences():
    np.testing.assert_allclose(F.softmax_jacobian(np.zeros(2)), [[0.25, -0.25], [-0.25, 0.25]])
    z = np.array([2.0, 1.0, 0.1])
    J = F.softmax_jacobian(z)
    a = F.softmax(z)
    numeric = np.array([numerical_gradient(lambda v, k=k: float(F.softmax(v)[k]), z.copy()) for k in range(3)])
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), rtol=1e-12)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-12)  # the outputs always sum to 1


def test_softmax_jacobian_rejects_a_batch():
    with pytest.raises(ValueError, match=r"softmax_jacobian: z must have shape \(K,\), got \(2, 3\)"):
        F.softmax_jacobian(np.zeros((2, 3)))
