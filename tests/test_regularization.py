"""nnlib.regularization: L1/L2 penalties by hand and by central differences, DropConnect."""

import numpy as np
import pytest

from nnlib.activations import Tanh
from nnlib.gradcheck import check_layer_gradients, numerical_gradient
from nnlib.layers import Linear
from nnlib.module import Sequential
from nnlib.regularization import DropConnectLinear, add_penalty_gradients, dropconnect_forward, l1_penalty, l2_penalty


def test_l2_penalty_value_and_gradient_by_hand():
    value, grads = l2_penalty([np.array([[1.0, -2.0]]), np.array([3.0])], 0.1)
    assert value == pytest.approx(0.05 * (1 + 4 + 9))
    assert np.allclose(grads[0], [[0.1, -0.2]]) and np.allclose(grads[1], [0.3])


def test_l1_penalty_value_and_subgradient_by_hand():
    value, grads = l1_penalty([np.array([[1.5, -2.0, 0.0]])], 0.2)
    assert value == pytest.approx(0.2 * 3.5)
    assert np.array_equal(grads[0], [[0.2, -0.2, 0.0]])


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradients_match_central_differences(penalty):
    rng = np.random.default_rng(3)
    W = rng.standard_normal((3, 4)) + np.sign(rng.standard_normal((3, 4)))  # away from the kink at 0
    _, (grad,) = penalty([W], 0.3)
    numeric = numerical_gradient(lambda V: penalty([V], 0.3)[0], W)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_penalties_reject_negative_strength():
    with pytest.raises(ValueError, match="l2_penalty: lam"):
        l2_penalty([np.ones(2)], -1.0)
    with pytest.raises(ValueError, match="l1_penalty: lam"):
        l1_penalty([np.ones(2)], -1.0)


def test_add_penalty_gradients_touches_weights_not_biases():
    model = Sequential(Linear(64, 4, rng=0), Tanh(), Linear(4, 10, rng=1))
    value = add_penalty_gradients(model, l2_penalty, 0.5)
    expected = 0.25 * (np.sum(model[0].W ** 2) + np.sum(model[2].W ** 2))
    assert value == pytest.approx(expected)
    assert np.allclose(model[0].dW, 0.5 * model[0].W) and np.all(model[0].db == 0)
    assert np.allclose(model[2].dW, 0.5 * model[2].W) and np.all(model[2].db == 0)
    with pytest.raises(TypeError, match="add_penalty_gradients: penalty must be a function .*, got str"):
        add_penalty_gradients(model, "l2", 0.5)


def test_l1_through_add_penalty_gradients_by_hand():
    layer = Linear(3, 1)
    layer.W[...] = [[2.0, -0.5, 0.0]]
    assert add_penalty_gradients(layer, l1_penalty, 0.1) == pytest.approx(0.25)
    np.testing.assert_array_equal(layer.dW, [[0.1, -0.1, 0.0]])


# ---------------------------------------------------------------- DropConnect

def test_dropconnect_by_hand_and_at_test_time():
    A = np.array([[1.0, 2.0, 3.0]])
    W = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
    b = np.array([0.5, -0.5])
    Z, M = dropconnect_forward(A, W, b, p=0.5, rng=0)
    assert np.array_equal(M, [[0, 1, 1], [1, 0, 0]])
    assert np.allclose(Z, [[(2 + 3) * 2 + 0.5, 2 * 2 - 0.5]])
    Z_test, M_test = dropconnect_forward(A, W, b, p=0.5, training=False)
    assert np.allclose(Z_test, A @ W.T + b) and np.all(M_test == 1)


def test_dropconnect_expected_output_is_the_full_layer():
    rng = np.random.default_rng(0)
    A, W, b = rng.standard_normal((2, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    gen = np.random.default_rng(1)
    mean = np.mean([dropconnect_forward(A, W, b, 0.4, gen)[0] for _ in range(4000)], axis=0)
    np.testing.assert_allclose(mean, A @ W.T + b, atol=0.1)     # about 4 standard errors


def test_dropconnect_layer_gradients_match_central_differences():
    rng = np.random.default_rng(4)
    layer = DropConnectLinear(4, 3, p=0.5, rng=5)
    A = rng.standard_normal((6, 4))
    G = rng.standard_normal((6, 3))                     # random upstream gradient
    Z = layer(A)
    scale = layer._scale.copy()
    layer.zero_grad()
    grad_A = layer.backward(G)

    def f(A_prev, W, b):
        return float(np.sum((A_prev @ (W * scale).T + b) * G))   # the same mask as in forward

    np.testing.assert_allclose(layer.dW, numerical_gradient(lambda W: f(A, W, layer.b), layer.W.copy()),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.db, numerical_gradient(lambda b: f(A, layer.W, b), layer.b.copy()),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_A, numerical_gradient(lambda X: f(X, layer.W, layer.b), A.copy()),
                               rtol=1e-6, atol=1e-8)
    assert Z.shape == (6, 3)


def test_dropconnect_layer_in_eval_mode_is_a_plain_linear_layer():
    layer = DropConnectLinear(4, 3, p=0.5, rng=5).eval()
    report = check_layer_gradients(layer, np.random.default_rng(0).standard_normal((5, 4)), rng=1)
    assert all(entry["max_rel"] < 1e-6 for entry in report.values())


def test_dropconnect_errors():
    with pytest.raises(ValueError, match="dropconnect_forward: A_prev must have shape \\(N, 3\\)"):
        dropconnect_forward(np.ones((2, 2)), np.ones((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="dropconnect_forward: p"):
        dropconnect_forward(np.ones((2, 3)), np.ones((2, 3)), np.zeros(2), p=1.0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        DropConnectLinear(2, 2).backward(np.ones((1, 2)))
