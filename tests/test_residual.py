"""Tests of nnlib.residual: the skip connection's forward and backward, and a ResNet basic block."""

import numpy as np
import pytest

from nnlib.activations import ReLU, Tanh
from nnlib.gradcheck import check_layer_gradients
from nnlib.layers import Linear
from nnlib.module import Sequential
from nnlib.residual import Residual, basic_block


def assert_report_close(report, rtol=1e-6, atol=1e-8):
    for name, entry in report.items():
        np.testing.assert_allclose(entry["analytic"], entry["numeric"], rtol=rtol, atol=atol, err_msg=name)


def test_residual_hand_computed():
    body = Linear(2, 2, init="zeros")
    body.W[...] = [[1.0, 0.0], [2.0, -1.0]]
    block = Residual(body)
    x = np.array([[1.0, 3.0]])
    np.testing.assert_allclose(block(x), [[1.0 + 1.0, 3.0 + (2.0 - 3.0)]])  # x + W x
    g = np.array([[0.5, -1.0]])
    # dL/dx = g + g W: the direct path plus the path through the body
    np.testing.assert_allclose(block.backward(g), [[0.5 + (0.5 - 2.0), -1.0 + 1.0]])
    np.testing.assert_allclose(body.dW, g.T @ x)


def test_residual_mlp_block_gradients():
    block = Residual(Sequential(Linear(3, 5, rng=0), Tanh(), Linear(5, 3, rng=1)))
    report = check_layer_gradients(block, np.random.default_rng(2).standard_normal((4, 3)), rng=3)
    assert set(report) == {"input", "0.W", "0.b", "2.W", "2.b"}
    assert_report_close(report)


@pytest.mark.parametrize("training", [True, False])
def test_basic_block_gradients_and_shape(training):
    block = basic_block(2, rng=4)
    x = np.random.default_rng(5).standard_normal((3, 2, 4, 4))
    if not training:
        block(x)  # move the running statistics away from 0 and 1 first
        block.eval()
    report = check_layer_gradients(block, x, rng=6)
    assert set(report) == {"input", "0.0.W", "0.1.gamma", "0.1.beta", "0.3.W", "0.4.gamma", "0.4.beta"}
    assert_report_close(report, rtol=1e-5, atol=1e-7)
    assert block(x).shape == x.shape


def test_identity_body_passes_the_gradient_twice_and_the_block_trains_and_saves():
    block = Sequential(Residual(Sequential(Linear(2, 2, init="zeros", bias=False))), ReLU())
    assert block.training and block[0].body.training
    block.eval()
    assert not block[0].body[0].training
    state = block.state_dict()
    assert set(state) == {"0.0.W"}
    block.load_state_dict(state)
    block[0].zero_grad()


def test_residual_errors():
    with pytest.raises(TypeError, match=r"Residual: body must be an nnlib Module, got function"):
        Residual(lambda x: x)
    block = Residual(Linear(3, 2, rng=0))
    with pytest.raises(ValueError, match=r"Residual.forward: the body's output must have the input's shape \(4, 3\), got \(4, 2\)"):
        block(np.zeros((4, 3)))
    with pytest.raises(RuntimeError, match=r"Residual.backward called before forward"):
        Residual(Linear(2, 2)).backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"basic_block: channels must be >= 1, got 0"):
        basic_block(0)
