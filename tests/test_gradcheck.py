"""Tests of the gradient checker itself: it must find correct and wrong gradients."""

import numpy as np
import pytest

from nnlib.gradcheck import check_layer_gradients, numerical_gradient, relative_error
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
