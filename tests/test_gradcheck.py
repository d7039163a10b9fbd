"""Tests of the gradient checker itself: it must find correct and wrong gradients."""

import numpy as np
import pytest

from nnlib.gradcheck import check_layer_gradients, numerical_gradient, numerical_jacobian, relative_error
from nnlib.layers import BatchNorm1d, Linear
from nnlib.module import Module


def test_numerical_gradient_of_known_function_and_restores_x():
    x = np.array([[0.5, -1.5], [2.0, 0.1]])
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x)
    np.testing.assert_allclose(grad, np.cos(before) * before + np.sin(before), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_needs_float_array():
    with pytest.raises(TypeError, match=r"numerical_gradient: x must be a float64 numpy array"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])


def test_relative_error():
    np.testing.assert_allclose(relative_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])), [0.5, 0.0])


class TransposedBug(Linear):
    """A Linear layer whose dW is deliberately wrong (the upstream gradient's columns are swapped)."""

    def backward(self, delta):
        return super().backward(delta[:, ::-1])


def test_detects_a_wrong_gradient():
    report = check_layer_gradients(TransposedBug(3, 2, rng=0), np.random.default_rng(1).standard_normal((4, 3)), rng=2)
    assert report["W"]["max_rel"] > 0.1
    assert report["input"]["max_abs"] > 1e-3


def test_correct_layer_passes_and_state_is_restored(capsys):
    bn = BatchNorm1d(3)
    x = np.random.default_rng(0).standard_normal((6, 3))
    report = check_layer_gradients(bn, x, rng=1, verbose=True)
    assert all(entry["max_rel"] < 1e-5 for entry in report.values())
    for entry in report.values():
        np.testing.assert_allclose(entry["analytic"], entry["numeric"], rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(bn.running_mean, np.zeros(3))  # no trace of the many forwards
    printed = capsys.readouterr().out
    assert "gamma: max abs err" in printed and "input: max abs err" in printed


def test_upstream_gradient_is_random_not_ones():
    class Recorder(Module):
        def forward(self, x):
            return x.copy()

        def backward(self, grad_y):
            self.seen = grad_y.copy()
            return grad_y

    layer = Recorder()
    check_layer_gradients(layer, np.zeros((3, 4)), rng=0)
    assert np.unique(layer.seen).size == 12


def test_numerical_jacobian_of_a_linear_map_is_its_matrix():
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    J = numerical_jacobian(lambda v: W @ v, np.array([0.5, -1.0]))
    assert J.shape == (3, 2)  # numerator layout: one row per output
    np.testing.assert_allclose(J, W, rtol=1e-8, atol=1e-8)


def test_numerical_jacobian_chain_rule_is_a_product():
    def f(x):
        return np.array([x[0] ** 2, np.sin(x[0])])  # R -> R^2

    def g(u):
        return np.array([u[0] * u[1], u[0] + 3 * u[1]])  # R^2 -> R^2

    x0 = np.array([0.7])
    J_direct = numerical_jacobian(lambda x: g(f(x)), x0)
    J_product = numerical_jacobian(g, f(x0)) @ numerical_jacobian(f, x0)
    exact = np.array([[2 * 0.7 * np.sin(0.7) + 0.7 ** 2 * np.cos(0.7)], [2 * 0.7 + 3 * np.cos(0.7)]])
    np.testing.assert_allclose(J_direct, exact, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(J_product, exact, rtol=1e-7, atol=1e-9)


def test_numerical_jacobian_leaves_the_point_unchanged():
    x = np.array([1.0, 2.0])
    numerical_jacobian(lambda v: v ** 2, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_jacobian_needs_a_vector():
    with pytest.raises(ValueError, match=r"numerical_jacobian: x must have shape \(L,\), got \(2, 2\)"):
        numerical_jacobian(lambda v: v, np.zeros((2, 2)))
